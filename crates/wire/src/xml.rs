//! awsQuery output: the XML writer the generated encoders fill, the response envelope
//! (`<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`) and the error document.
//! Writes only; requests never arrive as XML.

use base64::Engine as _;

use crate::error::{Fault, ServiceError};
use crate::timestamp::{format_iso8601, Timestamp};

/// Builds one XML document. Element names come from the model and are written as they are;
/// text is escaped.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }

    /// Opens `<{operation}Response xmlns="{namespace}">`.
    pub fn open_response(&mut self, operation: &str, namespace: &str) {
        self.out.push('<');
        self.out.push_str(operation);
        self.out.push_str("Response xmlns=\"");
        escape_attribute_into(&mut self.out, namespace);
        self.out.push_str("\">");
    }

    /// Writes the `ResponseMetadata` and closes the response element.
    pub fn close_response(mut self, operation: &str, request_id: &str) -> String {
        self.out.push_str("<ResponseMetadata><RequestId>");
        escape_into(&mut self.out, request_id);
        self.out.push_str("</RequestId></ResponseMetadata></");
        self.out.push_str(operation);
        self.out.push_str("Response>");
        self.out
    }

    /// Starts a structure's content (nothing to write in XML).
    pub fn begin_struct(&mut self) {}

    /// Ends a structure's content.
    pub fn end_struct(&mut self) {}

    /// Opens `<name>`.
    pub fn begin_member(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Closes `</name>`.
    pub fn end_member(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Starts a list's items (the wrapper element is the member's).
    pub fn begin_list(&mut self) {}

    /// Ends a list's items.
    pub fn end_list(&mut self) {}

    /// Opens one item: `<member>` (or the model's name for it).
    pub fn begin_item(&mut self, name: &str) {
        self.begin_member(name);
    }

    /// Closes one item.
    pub fn end_item(&mut self, name: &str) {
        self.end_member(name);
    }

    /// Starts a map's entries.
    pub fn begin_map(&mut self) {}

    /// Ends a map's entries.
    pub fn end_map(&mut self) {}

    /// Opens an entry and writes its key: `<entry><key>k</key><value>`.
    pub fn begin_entry(&mut self, entry: &str, key_name: &str, value_name: &str, key: &str) {
        self.begin_member(entry);
        self.begin_member(key_name);
        self.string(key);
        self.end_member(key_name);
        self.begin_member(value_name);
    }

    /// Closes an entry: `</value></entry>`.
    pub fn end_entry(&mut self, entry: &str, value_name: &str) {
        self.end_member(value_name);
        self.end_member(entry);
    }

    /// Escaped text.
    pub fn string(&mut self, value: &str) {
        escape_into(&mut self.out, value);
    }

    /// An `integer`.
    pub fn integer(&mut self, value: i32) {
        self.out.push_str(&value.to_string());
    }

    /// A `long`.
    pub fn long(&mut self, value: i64) {
        self.out.push_str(&value.to_string());
    }

    /// A `double`; non-finite values are the strings Smithy uses.
    pub fn double(&mut self, value: f64) {
        if value.is_nan() {
            self.out.push_str("NaN");
        } else if value.is_infinite() {
            self.out
                .push_str(if value > 0.0 { "Infinity" } else { "-Infinity" });
        } else {
            self.out.push_str(&value.to_string());
        }
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, value: bool) {
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// A `timestamp` in ISO 8601, UTC.
    pub fn timestamp(&mut self, value: &Timestamp) {
        self.out.push_str(&format_iso8601(value));
    }

    /// A `blob` in base64.
    pub fn blob(&mut self, value: &[u8]) {
        self.out
            .push_str(&base64::engine::general_purpose::STANDARD.encode(value));
    }
}

/// Escapes element content: `&`, `<`, `>`, and carriage returns and other control
/// characters as character references so parsers keep them. Quotes stay as they are.
pub fn escape_into(out: &mut String, text: &str) {
    escape(out, text, false);
}

/// Escapes an attribute value: as [`escape_into`], plus both quotes.
pub fn escape_attribute_into(out: &mut String, text: &str) {
    escape(out, text, true);
}

fn escape(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' | '\t' if !attribute => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{85}' || c == '\u{2028}' => {
                out.push_str(&format!("&#x{:X};", u32::from(c)));
            }
            c => out.push(c),
        }
    }
}

/// The awsQuery error document:
/// `<ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`.
pub fn query_error_xml(err: &ServiceError, namespace: &str, request_id: &str) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<ErrorResponse xmlns=\"");
    escape_attribute_into(&mut out, namespace);
    out.push_str("\"><Error><Type>");
    out.push_str(match err.fault {
        Fault::Sender => "Sender",
        Fault::Receiver => "Receiver",
    });
    out.push_str("</Type><Code>");
    escape_into(&mut out, &err.code);
    out.push_str("</Code><Message>");
    escape_into(&mut out, &err.message);
    out.push_str("</Message>");
    for (name, value) in &err.members {
        out.push('<');
        out.push_str(name);
        out.push('>');
        escape_into(&mut out, value);
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    out.push_str("</Error><RequestId>");
    escape_into(&mut out, request_id);
    out.push_str("</RequestId></ErrorResponse>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let mut out = String::new();
        escape_into(&mut out, text);
        assert_eq!(out, expected);
    }

    #[test]
    fn escapes_text() {
        check("a<b>&\"c'", "a&lt;b&gt;&amp;\"c'");
        check("line\nnext\r\u{1}", "line\nnext&#xD;&#x1;");
        check("caf\u{e9}", "caf\u{e9}");
        let mut out = String::new();
        escape_attribute_into(&mut out, "a\"b'\n");
        assert_eq!(out, "a&quot;b&apos;&#xA;");
    }

    #[test]
    fn error_members() {
        let err = ServiceError::new("LimitExceeded", 409, "x").with_member("Reason", "A&B");
        assert_eq!(
            query_error_xml(&err, "ns", "r"),
            "<ErrorResponse xmlns=\"ns\"><Error><Type>Sender</Type><Code>LimitExceeded</Code><Message>x</Message><Reason>A&amp;B</Reason></Error><RequestId>r</RequestId></ErrorResponse>"
        );
    }

    #[test]
    fn error_document() {
        let err = ServiceError::new(
            "NoSuchEntity",
            404,
            "The user with name bob cannot be found.",
        );
        assert_eq!(
            query_error_xml(&err, "https://iam.amazonaws.com/doc/2010-05-08/", "req-1"),
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
        );
    }
}
