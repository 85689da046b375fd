//! The `ContextEntries` of a simulation as the engine's context values: each value
//! checked against its `ContextKeyType` (numbers, booleans, addresses, base64, dates as
//! RFC 3339 or epoch seconds), a single-valued type given exactly one value.

use std::net::IpAddr;

use base64::Engine;
use policy::ContextValue;
use wire::iam::{errors, ContextEntry, ContextKeyTypeEnum};
use wire::ServiceError;

/// `ContextEntries` as engine values, each checked against its `ContextKeyType`.
pub(super) fn context_entries(
    entries: Option<&[ContextEntry]>,
) -> Result<Vec<(String, ContextValue)>, ServiceError> {
    let mut out = Vec::new();
    for entry in entries.unwrap_or_default() {
        let Some(name) = entry.context_key_name.as_deref() else {
            return Err(errors::invalid_input(
                "ContextKeyName is required in every ContextEntry.",
            ));
        };
        let values = entry.context_key_values.clone().unwrap_or_default();
        let kind = entry
            .context_key_type
            .clone()
            .unwrap_or(ContextKeyTypeEnum::String);
        let (check, list): (fn(&str) -> Option<String>, bool) = match &kind {
            ContextKeyTypeEnum::String => (text_value, false),
            ContextKeyTypeEnum::StringList => (text_value, true),
            ContextKeyTypeEnum::Numeric => (numeric_value, false),
            ContextKeyTypeEnum::NumericList => (numeric_value, true),
            ContextKeyTypeEnum::Boolean => (boolean_value, false),
            ContextKeyTypeEnum::BooleanList => (boolean_value, true),
            ContextKeyTypeEnum::Ip => (ip_value, false),
            ContextKeyTypeEnum::IpList => (ip_value, true),
            ContextKeyTypeEnum::Binary => (binary_value, false),
            ContextKeyTypeEnum::BinaryList => (binary_value, true),
            ContextKeyTypeEnum::Date => (date_value, false),
            ContextKeyTypeEnum::DateList => (date_value, true),
            ContextKeyTypeEnum::Unknown(other) => {
                return Err(errors::invalid_input(format!(
                    "Invalid ContextKeyType {other} for context key {name}."
                )))
            }
        };
        let mut checked = Vec::with_capacity(values.len());
        for value in &values {
            checked.push(check(value).ok_or_else(|| {
                errors::invalid_input(format!(
                    "Invalid value {value} for context key {name} of type {}.",
                    kind.as_str()
                ))
            })?);
        }
        let value = if list {
            ContextValue::Multi(checked)
        } else {
            match <[String; 1]>::try_from(checked) {
                Ok([one]) => ContextValue::Single(one),
                Err(_) => {
                    return Err(errors::invalid_input(format!(
                        "Context key {name} of type {} takes exactly one value.",
                        kind.as_str()
                    )))
                }
            }
        };
        out.push((name.to_owned(), value));
    }
    Ok(out)
}

fn text_value(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn numeric_value(text: &str) -> Option<String> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())?;
    Some(text.trim().to_owned())
}

fn boolean_value(text: &str) -> Option<String> {
    match text.to_ascii_lowercase().as_str() {
        "true" => Some("true".to_owned()),
        "false" => Some("false".to_owned()),
        _ => None,
    }
}

fn ip_value(text: &str) -> Option<String> {
    let address = text.split_once('/').map_or(text, |(address, _)| address);
    address.parse::<IpAddr>().ok()?;
    Some(text.to_owned())
}

fn binary_value(text: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    Some(text.to_owned())
}

fn date_value(text: &str) -> Option<String> {
    if let Ok(seconds) = text.parse::<i64>() {
        return match ContextValue::epoch_seconds(seconds) {
            ContextValue::Single(iso) => Some(iso),
            ContextValue::Multi(_) => None,
        };
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: ContextKeyTypeEnum, values: &[&str]) -> ContextEntry {
        ContextEntry {
            context_key_name: Some(name.to_owned()),
            context_key_values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
            context_key_type: Some(kind),
        }
    }

    fn check(entry: ContextEntry, expected: Result<ContextValue, &str>) {
        let found = context_entries(Some(&[entry])).map(|mut v| v.remove(0).1);
        match (found, expected) {
            (Ok(found), Ok(expected)) => assert_eq!(found, expected),
            (Err(err), Err(code)) => assert_eq!(err.code, code),
            (found, expected) => panic!("{found:?} vs {expected:?}"),
        }
    }

    #[test]
    fn context_entries_are_typed() {
        use ContextKeyTypeEnum as T;
        check(entry("a:b", T::String, &["x"]), Ok(ContextValue::from("x")));
        check(
            entry("a:b", T::StringList, &["x", "y"]),
            Ok(ContextValue::multi(["x", "y"])),
        );
        check(
            entry("a:b", T::StringList, &[]),
            Ok(ContextValue::Multi(Vec::new())),
        );
        check(entry("a:b", T::String, &["x", "y"]), Err("InvalidInput"));
        check(
            entry("a:b", T::Numeric, &["12.5"]),
            Ok(ContextValue::from("12.5")),
        );
        check(entry("a:b", T::Numeric, &["ten"]), Err("InvalidInput"));
        check(
            entry("a:b", T::NumericList, &["1", "2"]),
            Ok(ContextValue::multi(["1", "2"])),
        );
        check(
            entry("a:b", T::Boolean, &["TRUE"]),
            Ok(ContextValue::from("true")),
        );
        check(
            entry("a:b", T::BooleanList, &["true", "no"]),
            Err("InvalidInput"),
        );
        check(
            entry("a:b", T::Ip, &["10.1.2.3"]),
            Ok(ContextValue::from("10.1.2.3")),
        );
        check(
            entry("a:b", T::IpList, &["10.0.0.0/8", "::1"]),
            Ok(ContextValue::multi(["10.0.0.0/8", "::1"])),
        );
        check(entry("a:b", T::Ip, &["10.1.2"]), Err("InvalidInput"));
        check(
            entry("a:b", T::Binary, &["aGVsbG8="]),
            Ok(ContextValue::from("aGVsbG8=")),
        );
        check(entry("a:b", T::BinaryList, &["***"]), Err("InvalidInput"));
        check(
            entry("a:b", T::Date, &["2020-01-01T00:00:00Z"]),
            Ok(ContextValue::from("2020-01-01T00:00:00Z")),
        );
        check(
            entry("a:b", T::Date, &["1577836800"]),
            Ok(ContextValue::from("2020-01-01T00:00:00Z")),
        );
        check(
            entry("a:b", T::DateList, &["yesterday"]),
            Err("InvalidInput"),
        );
        check(
            ContextEntry {
                context_key_name: None,
                context_key_values: None,
                context_key_type: None,
            },
            Err("InvalidInput"),
        );
    }
}
