//! The cursor the generated awsJson1.1 decoders walk a parsed body with: the same methods
//! as the awsQuery reader, over a `serde_json::Value`. A value of the wrong JSON type is a
//! `SerializationException`; constraint violations are collected as `ValidationException`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::Value;

use crate::error::ServiceError;
use crate::timestamp::{from_epoch_seconds, parse_iso8601, Timestamp};
use crate::validate::{LenRule, NumRule, StrRule, Violations};

/// Reads typed values out of a parsed JSON body; the generated `from_json` drives it.
pub struct JsonReader<'a> {
    node: Node<'a>,
    path: String,
    violations: Violations,
    fatal: Option<ServiceError>,
}

/// What the reader points at: a JSON value, a map key (read as a string), or nothing.
#[derive(Clone, Copy)]
enum Node<'a> {
    Absent,
    Value(&'a Value),
    Key(&'a str),
}

struct Mark<'a> {
    node: Node<'a>,
    path: usize,
}

impl<'a> JsonReader<'a> {
    /// A reader at the top of the body.
    pub fn new(body: &'a Value) -> Self {
        Self {
            node: Node::Value(body),
            path: String::new(),
            violations: Violations::default(),
            fatal: None,
        }
    }

    /// `SerializationException` if a value had the wrong JSON type, else
    /// `ValidationException` if anything broke the model's constraints.
    pub fn finish(self) -> Result<(), ServiceError> {
        if let Some(err) = self.fatal {
            return Err(err);
        }
        match self.violations.into_error("ValidationException") {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    fn enter(&mut self, node: Node<'a>, path: &str) -> Mark<'a> {
        let mark = Mark {
            node: self.node,
            path: self.path.len(),
        };
        self.node = node;
        if !path.is_empty() {
            if !self.path.is_empty() {
                self.path.push('.');
            }
            self.path.push_str(path);
        }
        mark
    }

    fn leave(&mut self, mark: Mark<'a>) {
        self.node = mark.node;
        self.path.truncate(mark.path);
    }

    fn child(&self, name: &str) -> Node<'a> {
        match self.node {
            Node::Value(Value::Object(map)) => match map.get(name) {
                None | Some(Value::Null) => Node::Absent,
                Some(v) => Node::Value(v),
            },
            _ => Node::Absent,
        }
    }

    fn mismatch(&mut self, expected: &str) {
        if self.fatal.is_none() {
            let found = match self.node {
                Node::Value(Value::Bool(_)) => "BOOLEAN_VALUE",
                Node::Value(Value::Number(_)) => "NUMBER_VALUE",
                Node::Value(Value::String(_)) | Node::Key(_) => "STRING_VALUE",
                Node::Value(Value::Array(_)) => "START_ARRAY",
                Node::Value(Value::Object(_)) => "START_OBJECT",
                Node::Value(Value::Null) | Node::Absent => "NULL_VALUE",
            };
            self.fatal = Some(ServiceError::serialization(format!(
                "{found} can not be converted to {expected}"
            )));
        }
    }

    /// An optional member of the structure being read.
    pub fn opt<T>(&mut self, name: &str, path: &str, f: fn(&mut Self) -> Option<T>) -> Option<T> {
        let mark = self.enter(self.child(name), path);
        let value = f(self);
        self.leave(mark);
        value
    }

    /// A required member: when absent, a `must not be null` violation and the default.
    pub fn req<T: Default>(&mut self, name: &str, path: &str, f: fn(&mut Self) -> Option<T>) -> T {
        self.req_or(name, path, f, T::default)
    }

    /// A required member whose type has no `Default` (timestamps).
    pub fn req_or<T>(
        &mut self,
        name: &str,
        path: &str,
        f: fn(&mut Self) -> Option<T>,
        fallback: fn() -> T,
    ) -> T {
        let mark = self.enter(self.child(name), path);
        let value = match f(self) {
            Some(v) => v,
            None => {
                self.violations.null(&self.path);
                fallback()
            }
        };
        self.leave(mark);
        value
    }

    /// A structure here (a JSON object), read by `body`.
    pub fn structure<T>(&mut self, body: fn(&mut Self) -> T) -> Option<T> {
        match self.node {
            Node::Absent => None,
            Node::Value(Value::Object(_)) => Some(body(self)),
            _ => {
                self.mismatch("a structure");
                None
            }
        }
    }

    fn raw_str(&mut self, expected: &str) -> Option<&'a str> {
        match self.node {
            Node::Absent => None,
            Node::Value(Value::String(s)) => Some(s),
            Node::Key(k) => Some(k),
            _ => {
                self.mismatch(expected);
                None
            }
        }
    }

    /// A string (or enum) value, checked against `rule`.
    pub fn string(&mut self, rule: &StrRule) -> Option<String> {
        let value = self.raw_str("a String")?;
        self.violations.check_str(&self.path, value, rule);
        Some(value.to_owned())
    }

    fn raw_number(&mut self, expected: &str) -> Option<&'a serde_json::Number> {
        match self.node {
            Node::Absent => None,
            Node::Value(Value::Number(n)) => Some(n),
            _ => {
                self.mismatch(expected);
                None
            }
        }
    }

    /// An `integer` value, checked against its range.
    pub fn integer(&mut self, rule: &NumRule) -> Option<i32> {
        let n = self.raw_number("an Integer")?;
        match n.as_i64().and_then(|v| i32::try_from(v).ok()) {
            Some(v) => {
                self.violations
                    .check_num(&self.path, f64::from(v), &v.to_string(), rule);
                Some(v)
            }
            None => {
                self.mismatch("an Integer");
                None
            }
        }
    }

    /// A `long` value, checked against its range.
    pub fn long(&mut self, rule: &NumRule) -> Option<i64> {
        let n = self.raw_number("a Long")?;
        match n.as_i64() {
            Some(v) => {
                let as_f64 = v as f64;
                self.violations
                    .check_num(&self.path, as_f64, &v.to_string(), rule);
                Some(v)
            }
            None => {
                self.mismatch("a Long");
                None
            }
        }
    }

    /// A `double` or `float` value, checked against its range.
    pub fn double(&mut self, rule: &NumRule) -> Option<f64> {
        let v = match self.node {
            Node::Value(Value::String(s)) => match s.as_str() {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                _ => {
                    self.mismatch("a Double");
                    return None;
                }
            },
            _ => self.raw_number("a Double")?.as_f64()?,
        };
        self.violations
            .check_num(&self.path, v, &v.to_string(), rule);
        Some(v)
    }

    /// A `boolean`.
    pub fn boolean(&mut self) -> Option<bool> {
        match self.node {
            Node::Absent => None,
            Node::Value(Value::Bool(b)) => Some(*b),
            _ => {
                self.mismatch("a Boolean");
                None
            }
        }
    }

    /// A `timestamp`: epoch seconds (maybe fractional); an ISO 8601 string is accepted too.
    pub fn timestamp(&mut self) -> Option<Timestamp> {
        let parsed = match self.node {
            Node::Absent => return None,
            Node::Value(Value::Number(n)) => n.as_f64().and_then(from_epoch_seconds),
            Node::Value(Value::String(s)) => parse_iso8601(s),
            _ => None,
        };
        if parsed.is_none() {
            self.mismatch("a Timestamp");
        }
        parsed
    }

    /// A `blob` in base64, checked against its length rule.
    pub fn blob(&mut self, rule: &LenRule, sensitive: bool) -> Option<Vec<u8>> {
        let raw = self.raw_str("a Blob")?;
        match base64::engine::general_purpose::STANDARD.decode(raw) {
            Ok(bytes) => {
                let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                self.violations.check_len(
                    &self.path,
                    Some(raw),
                    sensitive,
                    len,
                    rule.min,
                    rule.max,
                );
                Some(bytes)
            }
            Err(_) => {
                self.mismatch("a Blob");
                None
            }
        }
    }

    /// A list (a JSON array); `null` items are skipped.
    pub fn list<T>(
        &mut self,
        _member: &str,
        _flattened: bool,
        rule: &LenRule,
        f: fn(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items = match self.node {
            Node::Absent => return None,
            Node::Value(Value::Array(items)) => items,
            _ => {
                self.mismatch("a List");
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            if item.is_null() {
                continue;
            }
            let mark = self.enter(Node::Value(item), "");
            let _ = write!(self.path, ".{}.member", index + 1);
            if let Some(v) = f(self) {
                out.push(v);
            }
            self.leave(mark);
        }
        let len = u64::try_from(out.len()).unwrap_or(u64::MAX);
        if Violations::len_out_of_range(len, rule.min, rule.max) {
            // AWS quotes a list of scalars as `[a, b]`.
            let shown: Option<Vec<String>> = items
                .iter()
                .filter(|item| !item.is_null())
                .map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            let shown = shown.map(|s| format!("[{}]", s.join(", ")));
            self.violations
                .check_len(&self.path, shown.as_deref(), false, len, rule.min, rule.max);
        }
        Some(out)
    }

    /// A map (a JSON object); `null` values are skipped.
    #[expect(
        clippy::too_many_arguments,
        reason = "mirrors the awsQuery reader's signature"
    )]
    pub fn map<V>(
        &mut self,
        _entry: &str,
        _flattened: bool,
        _key_name: &str,
        _value_name: &str,
        rule: &LenRule,
        fk: fn(&mut Self) -> Option<String>,
        fv: fn(&mut Self) -> Option<V>,
    ) -> Option<BTreeMap<String, V>> {
        let entries = match self.node {
            Node::Absent => return None,
            Node::Value(Value::Object(entries)) => entries,
            _ => {
                self.mismatch("a Map");
                return None;
            }
        };
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            if value.is_null() {
                continue;
            }
            let mark = self.enter(Node::Key(key), "");
            let _ = write!(self.path, ".{key}");
            let k = fk(self);
            self.node = Node::Value(value);
            let v = fv(self);
            self.leave(mark);
            if let (Some(k), Some(v)) = (k, v) {
                out.insert(k, v);
            }
        }
        let len = u64::try_from(out.len()).unwrap_or(u64::MAX);
        self.violations
            .check_len(&self.path, None, false, len, rule.min, rule.max);
        Some(out)
    }
}
