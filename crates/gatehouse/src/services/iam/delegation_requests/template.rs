//! A delegation request's permission policy made from its template: the managed policy
//! named by `PolicyTemplateArn` with its `{{Name}}` placeholders (inside ARNs, in
//! condition values) replaced by the request's `Parameters`. A `StringList` parameter
//! replaces a string that is exactly its placeholder with a list. Missing, unused and
//! misplaced parameters are refused, and the result must be a valid session policy.

use serde_json::{json, Value};
use wire::iam::{errors, PolicyParameter, PolicyParameterTypeEnum};
use wire::ServiceError;

/// The template's document with the parameters filled in, checked as a session policy.
pub(super) fn fill_template(
    template: &str,
    parameters: &[PolicyParameter],
) -> Result<String, ServiceError> {
    let mut named: Vec<(String, bool, Vec<String>)> = Vec::new();
    for parameter in parameters {
        let name = parameter
            .name
            .clone()
            .ok_or_else(|| errors::invalid_input("Every policy parameter needs a Name."))?;
        if named.iter().any(|(known, _, _)| *known == name) {
            return Err(errors::invalid_input(format!(
                "Policy parameter {name} is given more than once."
            )));
        }
        let values = parameter.values.clone().unwrap_or_default();
        let list = match &parameter.type_ {
            Some(PolicyParameterTypeEnum::StringList) => true,
            Some(PolicyParameterTypeEnum::String) | None => {
                if values.len() != 1 {
                    return Err(errors::invalid_input(format!(
                        "Policy parameter {name} of type string needs exactly one value."
                    )));
                }
                false
            }
            Some(PolicyParameterTypeEnum::Unknown(other)) => {
                return Err(errors::invalid_input(format!(
                    "Policy parameter {name} has type {other}; use string or stringList."
                )))
            }
        };
        if values.is_empty() {
            return Err(errors::invalid_input(format!(
                "Policy parameter {name} needs at least one value."
            )));
        }
        named.push((name, list, values));
    }
    let mut document: Value = serde_json::from_str(template)
        .map_err(|_| errors::invalid_input("The policy template is not a JSON document."))?;
    let mut used = vec![false; named.len()];
    substitute(&mut document, &named, &mut used)?;
    if let Some(index) = used.iter().position(|used| !used) {
        let name = named.get(index).map_or("", |(name, _, _)| name.as_str());
        return Err(errors::invalid_input(format!(
            "Policy parameter {name} is not used by the policy template."
        )));
    }
    let text = document.to_string();
    if policy::policy_size(&text, policy::PolicyKind::Session) > policy::SESSION_POLICY_MAX_CHARS {
        return Err(errors::invalid_input(
            "The permission policy is larger than a session policy may be.",
        ));
    }
    policy::PolicyDocument::parse(&text, policy::PolicyKind::Session).map_err(|problems| {
        errors::invalid_input(format!("The permission policy is not valid: {problems}"))
    })?;
    Ok(text)
}

fn substitute(
    value: &mut Value,
    named: &[(String, bool, Vec<String>)],
    used: &mut [bool],
) -> Result<(), ServiceError> {
    match value {
        Value::String(text) => {
            for (index, (name, list, values)) in named.iter().enumerate() {
                let placeholder = format!("{{{{{name}}}}}");
                if !text.contains(&placeholder) {
                    continue;
                }
                if let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
                if *list {
                    if *text != placeholder {
                        return Err(errors::invalid_input(format!(
                            "Policy parameter {name} is a stringList: its placeholder must be a whole JSON string."
                        )));
                    }
                    *value = json!(values);
                    return Ok(());
                }
                let one = values.first().map_or("", String::as_str);
                *text = text.replace(&placeholder, one);
            }
            if let Some(start) = text.find("{{") {
                let rest = text.get(start..).unwrap_or_default();
                let end = rest.find("}}").map_or(rest.len(), |end| end + 2);
                return Err(errors::invalid_input(format!(
                    "The policy template uses {}, which no policy parameter gives.",
                    rest.get(..end).unwrap_or(rest)
                )));
            }
            Ok(())
        }
        Value::Array(items) => {
            for item in items {
                substitute(item, named, used)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for item in map.values_mut() {
                substitute(item, named, used)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn parameter(name: &str, list: bool, values: &[&str]) -> PolicyParameter {
        PolicyParameter {
            name: Some(name.to_owned()),
            values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
            type_: Some(if list {
                PolicyParameterTypeEnum::StringList
            } else {
                PolicyParameterTypeEnum::String
            }),
        }
    }

    pub(in crate::services::iam::delegation_requests) const TEMPLATE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::{{Bucket}}","Condition":{"StringLike":{"s3:prefix":"{{Prefixes}}"}}}]}"#;

    #[test]
    fn templates_take_their_parameters() {
        let filled = fill_template(
            TEMPLATE,
            &[
                parameter("Prefixes", true, &["2024/*", "2025/*"]),
                parameter("Bucket", false, &["logs"]),
            ],
        )
        .unwrap();
        let value: Value = serde_json::from_str(&filled).unwrap();
        assert_eq!(
            value["Statement"][0]["Condition"]["StringLike"]["s3:prefix"],
            json!(["2024/*", "2025/*"])
        );
        assert_eq!(value["Statement"][0]["Resource"], "arn:aws:s3:::logs");
    }

    #[test]
    fn templates_refuse_missing_unused_and_misplaced_parameters() {
        let code = |parameters: &[PolicyParameter]| {
            fill_template(TEMPLATE, parameters)
                .unwrap_err()
                .code
                .to_string()
        };
        assert_eq!(
            code(&[parameter("Prefixes", true, &["a/*"])]),
            "InvalidInput"
        );
        assert_eq!(
            code(&[
                parameter("Prefixes", true, &["a/*"]),
                parameter("Bucket", false, &["logs"]),
                parameter("Other", false, &["x"]),
            ]),
            "InvalidInput"
        );
        assert_eq!(
            code(&[
                parameter("Prefixes", true, &["a/*"]),
                parameter("Bucket", true, &["a", "b"]),
            ]),
            "InvalidInput"
        );
        assert_eq!(
            code(&[
                parameter("Prefixes", true, &["a/*"]),
                parameter("Bucket", false, &["a", "b"]),
            ]),
            "InvalidInput"
        );
    }
}
