//! Input constraints from the models (length, range, pattern, enum, required) and the
//! collection of their violations into AWS's `N validation error(s) detected: …` message.
//! The generated decoders call these while decoding; nothing here knows a protocol.

use std::sync::LazyLock;

use regex::Regex;

use crate::error::ServiceError;

/// A model `pattern`: the text AWS quotes in its message, and the regex that checks it,
/// anchored as a full match and compiled on first use.
pub struct Pattern {
    /// The pattern exactly as the model writes it.
    pub source: &'static str,
    /// The compiled, anchored form; `None` if it failed to compile (never, for patterns the
    /// generator accepted).
    pub regex: LazyLock<Option<Regex>>,
}

impl Pattern {
    /// Whether `value` matches in full; a pattern that did not compile matches everything.
    pub fn matches(&self, value: &str) -> bool {
        self.regex.as_ref().is_none_or(|re| re.is_match(value))
    }
}

/// Constraints on a string shape.
pub struct StrRule {
    /// Minimum length in characters.
    pub min: Option<u64>,
    /// Maximum length in characters.
    pub max: Option<u64>,
    /// Pattern the whole value must match.
    pub pattern: Option<&'static Pattern>,
    /// Allowed values, for enum shapes (empty: any).
    pub values: &'static [&'static str],
    /// The value is secret: messages leave it out.
    pub sensitive: bool,
}

impl StrRule {
    /// No constraint at all.
    pub const NONE: StrRule = StrRule {
        min: None,
        max: None,
        pattern: None,
        values: &[],
        sensitive: false,
    };
}

/// Constraints on a numeric shape (`min`/`max` are a range).
pub struct NumRule {
    /// Smallest allowed value.
    pub min: Option<f64>,
    /// Largest allowed value.
    pub max: Option<f64>,
}

impl NumRule {
    /// No constraint at all.
    pub const NONE: NumRule = NumRule {
        min: None,
        max: None,
    };
}

/// Constraints on a list, map or blob shape (`min`/`max` are a length).
pub struct LenRule {
    /// Fewest allowed items.
    pub min: Option<u64>,
    /// Most allowed items.
    pub max: Option<u64>,
}

impl LenRule {
    /// No constraint at all.
    pub const NONE: LenRule = LenRule {
        min: None,
        max: None,
    };
}

/// Violations found while decoding one request, in the order found.
#[derive(Debug, Default)]
pub struct Violations {
    messages: Vec<String>,
}

impl Violations {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The messages so far, one per violation.
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// A required member is missing.
    pub fn null(&mut self, path: &str) {
        self.messages.push(format!(
            "Value null at '{path}' failed to satisfy constraint: Member must not be null"
        ));
    }

    /// A value that could not be read as its type at all (e.g. `abc` for an integer).
    pub fn malformed(&mut self, path: &str, value: &str, what: &str) {
        self.messages.push(format!(
            "Value '{value}' at '{path}' failed to satisfy constraint: Member must be {what}"
        ));
    }

    /// Checks a string against its rule.
    pub fn check_str(&mut self, path: &str, value: &str, rule: &StrRule) {
        if rule.min.is_some() || rule.max.is_some() {
            let len = u64::try_from(value.chars().count()).unwrap_or(u64::MAX);
            self.check_len(path, Some(value), rule.sensitive, len, rule.min, rule.max);
        }
        if let Some(pattern) = rule.pattern {
            if !pattern.matches(value) {
                self.push(
                    path,
                    Some(value),
                    rule.sensitive,
                    &format!(
                        "Member must satisfy regular expression pattern: {}",
                        pattern.source
                    ),
                );
            }
        }
        if !rule.values.is_empty() && !rule.values.contains(&value) {
            self.push(
                path,
                Some(value),
                rule.sensitive,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    rule.values.join(", ")
                ),
            );
        }
    }

    /// Checks a number against its range.
    pub fn check_num(&mut self, path: &str, value: f64, shown: &str, rule: &NumRule) {
        if let Some(min) = rule.min {
            if value < min {
                self.push(
                    path,
                    Some(shown),
                    false,
                    &format!("Member must have value greater than or equal to {min}"),
                );
            }
        }
        if let Some(max) = rule.max {
            if value > max {
                self.push(
                    path,
                    Some(shown),
                    false,
                    &format!("Member must have value less than or equal to {max}"),
                );
            }
        }
    }

    /// Whether `len` lies outside `min..=max` (to build a message only when one is needed).
    pub fn len_out_of_range(len: u64, min: Option<u64>, max: Option<u64>) -> bool {
        min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m)
    }

    /// Checks the length of a list, map or blob; `shown` is the value as the message quotes
    /// it, if it can be shown.
    pub fn check_len(
        &mut self,
        path: &str,
        shown: Option<&str>,
        sensitive: bool,
        len: u64,
        min: Option<u64>,
        max: Option<u64>,
    ) {
        if let Some(min) = min {
            if len < min {
                self.push(
                    path,
                    shown,
                    sensitive,
                    &format!("Member must have length greater than or equal to {min}"),
                );
            }
        }
        if let Some(max) = max {
            if len > max {
                self.push(
                    path,
                    shown,
                    sensitive,
                    &format!("Member must have length less than or equal to {max}"),
                );
            }
        }
    }

    fn push(&mut self, path: &str, shown: Option<&str>, sensitive: bool, constraint: &str) {
        let message = match shown {
            Some(value) if !sensitive => {
                format!("Value '{value}' at '{path}' failed to satisfy constraint: {constraint}")
            }
            _ => format!("Value at '{path}' failed to satisfy constraint: {constraint}"),
        };
        self.messages.push(message);
    }

    /// The AWS error for what was found, under `code` (`ValidationError` for awsQuery,
    /// `ValidationException` for awsJson1.1); `None` when nothing was found.
    pub fn into_error(self, code: &'static str) -> Option<ServiceError> {
        let count = self.messages.len();
        if count == 0 {
            return None;
        }
        let plural = if count == 1 { "" } else { "s" };
        let message = format!(
            "{count} validation error{plural} detected: {}",
            self.messages.join("; ")
        );
        Some(ServiceError::new(code, 400, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NAME_PATTERN: Pattern = Pattern {
        source: r"[\w+=,.@-]+",
        regex: LazyLock::new(|| Regex::new(r"^(?:[0-9A-Za-z_+=,.@-]+)$").ok()),
    };

    const USER_NAME: StrRule = StrRule {
        min: Some(1),
        max: Some(64),
        pattern: Some(&NAME_PATTERN),
        values: &[],
        sensitive: false,
    };

    fn check(value: &str, rule: &StrRule, expected: Option<&str>) {
        let mut v = Violations::default();
        v.check_str("userName", value, rule);
        let got = v.into_error("ValidationError").map(|e| e.message);
        assert_eq!(got.as_deref(), expected);
    }

    #[test]
    fn string_rules() {
        check("bob", &USER_NAME, None);
        check(
            &"a".repeat(65),
            &USER_NAME,
            Some(&format!("1 validation error detected: Value '{}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64", "a".repeat(65))),
        );
        check(
            "",
            &USER_NAME,
            Some("2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        );
        check(
            "b ob",
            &USER_NAME,
            Some("1 validation error detected: Value 'b ob' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        );
        let status = StrRule {
            values: &["Active", "Inactive"],
            ..StrRule::NONE
        };
        check(
            "On",
            &status,
            Some("1 validation error detected: Value 'On' at 'userName' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
        );
        let secret = StrRule {
            min: Some(4),
            sensitive: true,
            ..StrRule::NONE
        };
        check(
            "abc",
            &secret,
            Some("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 4"),
        );
    }

    #[test]
    fn numbers_and_nulls() {
        let mut v = Violations::default();
        v.check_num(
            "maxItems",
            0.0,
            "0",
            &NumRule {
                min: Some(1.0),
                max: Some(1000.0),
            },
        );
        v.null("userName");
        assert_eq!(
            v.into_error("ValidationError").unwrap().message,
            "2 validation errors detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1; Value null at 'userName' failed to satisfy constraint: Member must not be null"
        );
    }
}
