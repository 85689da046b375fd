//! Policy documents as IAM handles them: validated with the policy engine's parser
//! (IAM's `MalformedPolicyDocument` messages, size limits per kind), and URL-encoded
//! in responses, as IAM returns them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use policy::{PolicyDocument, PolicyKind};
use wire::iam::errors;
use wire::ServiceError;

/// Characters left as they are: RFC 3986's unreserved set.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Checks a document as IAM would before storing it.
pub fn validate(text: &str, kind: PolicyKind) -> Result<(), ServiceError> {
    PolicyDocument::parse(text, kind)
        .map(|_| ())
        .map_err(|problems| errors::malformed_policy_document(problems.to_string()))
}

/// Checks that the inline policies of one identity stay within their aggregate size.
pub fn check_aggregate<'a>(
    documents: impl Iterator<Item = &'a str>,
    limit: usize,
    owner: &str,
) -> Result<(), ServiceError> {
    let total: usize = documents
        .map(|text| policy::policy_size(text, PolicyKind::Identity))
        .sum();
    if total > limit {
        return Err(errors::limit_exceeded(format!(
            "Maximum policy size of {limit} bytes exceeded for {owner}."
        )));
    }
    Ok(())
}

/// The document as IAM returns it: URL-encoded.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_url_encoded_and_decode_back() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;
        let encoded = encode(text);
        assert!(!encoded.contains('"') && !encoded.contains('{'));
        let decoded = percent_encoding::percent_decode_str(&encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, text);
    }

    #[test]
    fn malformed_documents_get_iams_error() {
        let err = validate(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#, PolicyKind::Identity).unwrap_err();
        assert_eq!(err.code, "MalformedPolicyDocument");
        assert!(validate("not json", PolicyKind::Identity).is_err());
    }

    #[test]
    fn aggregate_inline_size_is_bounded() {
        let doc = "x".repeat(1500);
        assert!(check_aggregate([doc.as_str()].into_iter(), 2048, "user bob").is_ok());
        let err = check_aggregate([doc.as_str(), doc.as_str()].into_iter(), 2048, "user bob")
            .unwrap_err();
        assert_eq!(err.code, "LimitExceeded");
    }
}
