//! The compact JSON writer the generated awsJson1.1 encoders fill. Same method names as the
//! XML writer, so both protocols share one shape of generated code.

use base64::Engine as _;

use crate::timestamp::{format_epoch_seconds, Timestamp};

/// Builds one JSON document; members that are `None` are simply never written.
#[derive(Debug, Default)]
pub struct JsonWriter {
    out: Vec<u8>,
    /// One entry per open object or array: whether it already holds an item.
    filled: Vec<bool>,
}

impl JsonWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }

    fn separate(&mut self) {
        if let Some(filled) = self.filled.last_mut() {
            if *filled {
                self.out.push(b',');
            }
            *filled = true;
        }
    }

    /// Opens an object.
    pub fn begin_struct(&mut self) {
        self.out.push(b'{');
        self.filled.push(false);
    }

    /// Closes an object.
    pub fn end_struct(&mut self) {
        self.out.push(b'}');
        self.filled.pop();
    }

    /// Starts a member: `"Name":`.
    pub fn begin_member(&mut self, name: &str) {
        self.separate();
        self.string(name);
        self.out.push(b':');
    }

    /// Ends a member (nothing to write in JSON).
    pub fn end_member(&mut self, _name: &str) {}

    /// Opens an array.
    pub fn begin_list(&mut self) {
        self.out.push(b'[');
        self.filled.push(false);
    }

    /// Closes an array.
    pub fn end_list(&mut self) {
        self.out.push(b']');
        self.filled.pop();
    }

    /// Starts an array item.
    pub fn begin_item(&mut self, _name: &str) {
        self.separate();
    }

    /// Ends an array item.
    pub fn end_item(&mut self, _name: &str) {}

    /// Opens a map (an object).
    pub fn begin_map(&mut self) {
        self.begin_struct();
    }

    /// Closes a map.
    pub fn end_map(&mut self) {
        self.end_struct();
    }

    /// Starts a map entry: `"key":`.
    pub fn begin_entry(&mut self, _entry: &str, _key_name: &str, _value_name: &str, key: &str) {
        self.begin_member(key);
    }

    /// Ends a map entry.
    pub fn end_entry(&mut self, _entry: &str, _value_name: &str) {}

    /// A string value, escaped.
    pub fn string(&mut self, value: &str) {
        self.out.push(b'"');
        for c in value.chars() {
            match c {
                '"' => self.out.extend_from_slice(b"\\\""),
                '\\' => self.out.extend_from_slice(b"\\\\"),
                '\n' => self.out.extend_from_slice(b"\\n"),
                '\r' => self.out.extend_from_slice(b"\\r"),
                '\t' => self.out.extend_from_slice(b"\\t"),
                c if u32::from(c) < 0x20 => {
                    self.out
                        .extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
                }
                c => {
                    let mut buf = [0u8; 4];
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        self.out.push(b'"');
    }

    /// An `integer` value.
    pub fn integer(&mut self, value: i32) {
        self.out.extend_from_slice(value.to_string().as_bytes());
    }

    /// A `long` value.
    pub fn long(&mut self, value: i64) {
        self.out.extend_from_slice(value.to_string().as_bytes());
    }

    /// A `double` value; non-finite values are the strings Smithy uses.
    pub fn double(&mut self, value: f64) {
        if value.is_nan() {
            self.string("NaN");
        } else if value.is_infinite() {
            self.string(if value > 0.0 { "Infinity" } else { "-Infinity" });
        } else {
            self.out.extend_from_slice(value.to_string().as_bytes());
        }
    }

    /// A `boolean` value.
    pub fn boolean(&mut self, value: bool) {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// A `timestamp` as epoch seconds.
    pub fn timestamp(&mut self, value: &Timestamp) {
        self.out
            .extend_from_slice(format_epoch_seconds(value).as_bytes());
    }

    /// A `blob` in base64.
    pub fn blob(&mut self, value: &[u8]) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(value);
        self.string(&encoded);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_compact_json() {
        let mut w = JsonWriter::new();
        w.begin_struct();
        w.begin_member("A");
        w.begin_list();
        for s in ["x", "y\u{1}"] {
            w.begin_item("member");
            w.string(s);
            w.end_item("member");
        }
        w.end_list();
        w.end_member("A");
        w.begin_member("M");
        w.begin_map();
        w.begin_entry("entry", "key", "value", "k");
        w.double(1.5);
        w.end_entry("entry", "value");
        w.begin_entry("entry", "key", "value", "n");
        w.double(f64::NAN);
        w.end_entry("entry", "value");
        w.end_map();
        w.end_member("M");
        w.begin_member("T");
        w.timestamp(&crate::timestamp::EPOCH);
        w.end_member("T");
        w.begin_member("B");
        w.blob(b"hi");
        w.end_member("B");
        w.end_struct();
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            r#"{"A":["x","y\u0001"],"M":{"k":1.5,"n":"NaN"},"T":0,"B":"aGk="}"#
        );
    }
}
