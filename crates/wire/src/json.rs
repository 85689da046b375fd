//! awsJson1.1 bodies: the reader the generated decoders walk a parsed request with, the
//! compact writer the generated encoders fill, and the error body. Knows JSON, not HTTP.

mod reader;
mod writer;

use crate::error::ServiceError;

pub use reader::JsonReader;
pub use writer::JsonWriter;

/// Parses a request body: empty is `{}`; anything but a JSON object is
/// `SerializationException`.
pub fn parse_body(body: &[u8]) -> Result<serde_json::Value, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        Ok(_) => Err(ServiceError::serialization(
            "Start of structure or map found where not expected.",
        )),
        Err(_) => Err(ServiceError::serialization(
            "Could not parse the request body as JSON.",
        )),
    }
}

/// The awsJson1.1 error body: `{"__type":"<Code>","Message":"…"}`. `Message` is the member
/// name the Organizations and Service Quotas models give their errors; every AWS SDK also
/// reads it.
pub fn json_error_body(err: &ServiceError) -> Vec<u8> {
    let mut w = JsonWriter::new();
    w.begin_struct();
    w.begin_member("__type");
    w.string(&err.code);
    w.end_member("__type");
    w.begin_member("Message");
    w.string(&err.message);
    w.end_member("Message");
    for (name, value) in &err.members {
        w.begin_member(name);
        w.string(value);
        w.end_member(name);
    }
    w.end_struct();
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body() {
        let err = ServiceError::new("AccountNotFoundException", 400, "no \"such\" account");
        assert_eq!(
            String::from_utf8(json_error_body(&err)).unwrap(),
            r#"{"__type":"AccountNotFoundException","Message":"no \"such\" account"}"#
        );
    }

    #[test]
    fn error_members() {
        let err = ServiceError::new("ConstraintViolationException", 400, "limit")
            .with_member("Reason", "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
        assert_eq!(
            String::from_utf8(json_error_body(&err)).unwrap(),
            r#"{"__type":"ConstraintViolationException","Message":"limit","Reason":"ACCOUNT_NUMBER_LIMIT_EXCEEDED"}"#
        );
    }

    #[test]
    fn bodies() {
        assert!(parse_body(b"").unwrap().is_object());
        assert!(parse_body(b" \n").unwrap().is_object());
        assert_eq!(
            parse_body(b"[1]").unwrap_err().code,
            "SerializationException"
        );
        assert_eq!(parse_body(b"{").unwrap_err().code, "SerializationException");
        let deep = "[".repeat(10_000);
        assert_eq!(
            parse_body(deep.as_bytes()).unwrap_err().code,
            "SerializationException"
        );
    }
}
