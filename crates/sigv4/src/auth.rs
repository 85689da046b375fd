//! What a request claims: the parsed `Authorization` header or presigned query
//! parameters. Parsing checks form only; nothing here knows a secret or the clock.

mod header;
mod presigned;

use time::OffsetDateTime;

use crate::error::Error;
use crate::request::Request;
use crate::scope::CredentialScope;

pub(crate) use presigned::{SIGNATURE_PARAM, TOKEN_PARAM};

/// The only algorithm this crate verifies.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Longest validity of a presigned request, in seconds (seven days).
pub const MAX_PRESIGNED_EXPIRES_SECS: u64 = 604_800;

/// Where the signature was carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthLocation {
    /// In the `Authorization` header.
    Header,
    /// In presigned query parameters, valid for `expires_secs` after the request time.
    Query {
        /// `X-Amz-Expires`, in `1..=604800`.
        expires_secs: u64,
    },
}

/// The authentication a request claims, parsed but not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    /// The access key id from the credential.
    pub access_key_id: String,
    /// The credential scope.
    pub scope: CredentialScope,
    /// The signed header names, lower-cased, in the order the client listed them.
    pub signed_headers: Vec<String>,
    /// The signature the client sent.
    pub signature: [u8; 32],
    /// The request time (`X-Amz-Date`, or the `Date` header for header auth).
    pub timestamp: OffsetDateTime,
    /// `X-Amz-Security-Token`, for temporary credentials.
    pub session_token: Option<String>,
    /// Header or presigned query.
    pub location: AuthLocation,
}

/// Parses the SigV4 authentication of `req`.
///
/// Fails with [`Error::MissingAuthentication`] when the request carries neither an
/// `Authorization` header nor presigned `X-Amz-*` parameters, and rejects requests that
/// carry both.
pub fn parse(req: &Request) -> Result<ParsedAuth, Error> {
    let mut authorization = req.header_values("authorization");
    let first = authorization.next();
    let presigned = presigned::is_presigned(req);
    match (first, presigned) {
        (None, false) => Err(Error::MissingAuthentication),
        (Some(_), true) => Err(Error::IncompleteSignature(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified".to_owned(),
        )),
        (Some(value), false) => {
            if authorization.next().is_some() {
                return Err(Error::IncompleteSignature(
                    "only one Authorization header may be sent".to_owned(),
                ));
            }
            header::parse(req, value)
        }
        (None, true) => presigned::parse(req),
    }
}

/// Splits `a;b;c` into lower-cased names; `host` must be among them.
pub(crate) fn parse_signed_headers(list: &str) -> Result<Vec<String>, Error> {
    let names: Vec<String> = list.split(';').map(str::to_ascii_lowercase).collect();
    if names.iter().any(String::is_empty) {
        return Err(Error::IncompleteSignature(format!(
            "SignedHeaders must be a non-empty semicolon-separated list of header names, got `{list}`"
        )));
    }
    if !names.iter().any(|n| n == "host") {
        return Err(Error::HostNotSigned);
    }
    Ok(names)
}

/// Decodes a 64-digit hex signature; anything else can never match.
pub(crate) fn parse_signature(hex_text: &str) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).map_err(|_| Error::SignatureDoesNotMatch)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_headers_need_host() {
        assert_eq!(
            parse_signed_headers("Host;X-Amz-Date"),
            Ok(vec!["host".to_owned(), "x-amz-date".to_owned()])
        );
        assert_eq!(
            parse_signed_headers("x-amz-date"),
            Err(Error::HostNotSigned)
        );
        assert!(matches!(
            parse_signed_headers("host;;x"),
            Err(Error::IncompleteSignature(_))
        ));
        assert!(matches!(
            parse_signed_headers(""),
            Err(Error::IncompleteSignature(_))
        ));
    }

    #[test]
    fn signature_must_be_64_hex_digits() {
        assert!(parse_signature(&"ab".repeat(32)).is_ok());
        assert_eq!(parse_signature("abc"), Err(Error::SignatureDoesNotMatch));
        assert_eq!(
            parse_signature(&"zz".repeat(32)),
            Err(Error::SignatureDoesNotMatch)
        );
    }

    #[test]
    fn no_authentication_is_missing_authentication() {
        let req = Request {
            method: "GET",
            path: "/",
            query: "Action=ListUsers",
            headers: &[("Host", b"iam.amazonaws.com")],
            body: b"",
        };
        assert_eq!(parse(&req), Err(Error::MissingAuthentication));
    }
}
