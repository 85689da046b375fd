//! What a request claims: the parsed `Authorization` header or presigned query
//! parameters. Parsing checks form only; nothing here knows a secret or the clock.
//!
//! The result borrows from the request: a well-formed header-auth request parses without
//! allocating.

mod header;
mod presigned;

use std::borrow::Cow;

use time::OffsetDateTime;

use crate::error::Error;
use crate::request::Request;
use crate::scan;
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
///
/// Text fields borrow from the [`Request`] when they need no decoding; see
/// [`ParsedAuth::into_owned`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth<'a> {
    /// The access key id from the credential.
    pub access_key_id: Cow<'a, str>,
    /// The credential scope.
    pub scope: CredentialScope<'a>,
    /// The signed header names, lower-cased, `;`-separated, in the order the client
    /// listed them (none empty; `host` among them). See [`ParsedAuth::signed_header_names`].
    pub signed_headers: Cow<'a, str>,
    /// The signature the client sent.
    pub signature: [u8; 32],
    /// The request time (`X-Amz-Date`, or the `Date` header for header auth).
    pub timestamp: OffsetDateTime,
    /// The same time as signed, `yyyymmddThhmmssZ` in UTC: the string to sign's second
    /// line, kept from parsing so verification need not format it again.
    pub stamp: [u8; 16],
    /// `X-Amz-Security-Token`, for temporary credentials.
    pub session_token: Option<Cow<'a, str>>,
    /// Header or presigned query.
    pub location: AuthLocation,
}

impl ParsedAuth<'_> {
    /// The signed header names, lower-cased, in the order the client listed them.
    pub fn signed_header_names(&self) -> impl Iterator<Item = &str> {
        self.signed_headers.split(';')
    }

    /// The same authentication, owning its text (to keep it past the request).
    pub fn into_owned(self) -> ParsedAuth<'static> {
        ParsedAuth {
            access_key_id: Cow::Owned(self.access_key_id.into_owned()),
            scope: self.scope.into_owned(),
            signed_headers: Cow::Owned(self.signed_headers.into_owned()),
            signature: self.signature,
            timestamp: self.timestamp,
            stamp: self.stamp,
            session_token: self.session_token.map(|t| Cow::Owned(t.into_owned())),
            location: self.location,
        }
    }
}

/// Parses the SigV4 authentication of `req`.
///
/// Fails with [`Error::MissingAuthentication`] when the request carries neither an
/// `Authorization` header nor presigned `X-Amz-*` parameters, and rejects requests that
/// carry both.
pub fn parse<'a>(req: &Request<'a>) -> Result<ParsedAuth<'a>, Error> {
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

/// Checks `a;b;c` and lower-cases it (borrowing when it already is); no name may be
/// empty and `host` must be among them.
pub(crate) fn parse_signed_headers(list: Cow<'_, str>) -> Result<Cow<'_, str>, Error> {
    // `;` is ASCII, so splitting bytes splits the text.
    let (mut any_empty, mut has_host) = (false, false);
    for name in list.as_bytes().split(|b| *b == b';') {
        any_empty |= name.is_empty();
        has_host |= scan::eq_ignore_ascii_case(name, b"host");
    }
    // A fold, not `any`: no early exit, so it runs a word at a time.
    let any_upper = list
        .bytes()
        .fold(false, |acc, b| acc | b.is_ascii_uppercase());
    if any_empty {
        return Err(Error::IncompleteSignature(format!(
            "SignedHeaders must be a non-empty semicolon-separated list of header names, got `{list}`"
        )));
    }
    if !has_host {
        return Err(Error::HostNotSigned);
    }
    Ok(if any_upper {
        Cow::Owned(list.to_ascii_lowercase())
    } else {
        list
    })
}

/// Refuses a request whose `header` (a lower-case name) is not in the signed list.
pub(crate) fn require_signed(signed_headers: &str, header: &'static str) -> Result<(), Error> {
    if signed_headers.split(';').any(|name| name == header) {
        Ok(())
    } else {
        Err(Error::HeaderNotSigned(header))
    }
}

/// Decodes a signature of exactly 64 lower-case hex digits, as SigV4 writes it; anything
/// else can never match.
pub(crate) fn parse_signature(hex_text: &str) -> Result<[u8; 32], Error> {
    let mut out = [0u8; 32];
    let lower_hex = hex_text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if lower_hex && scan::decode_hex(hex_text.as_bytes(), &mut out) {
        Ok(out)
    } else {
        Err(Error::SignatureDoesNotMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_headers_need_host() {
        fn check(list: &str) -> Result<Cow<'_, str>, Error> {
            parse_signed_headers(Cow::Borrowed(list))
        }
        assert_eq!(
            check("Host;X-Amz-Date").map(|list| list.split(';').map(str::to_owned).collect()),
            Ok(vec!["host".to_owned(), "x-amz-date".to_owned()])
        );
        assert_eq!(check("x-amz-date"), Err(Error::HostNotSigned));
        assert!(matches!(
            check("host;;x"),
            Err(Error::IncompleteSignature(_))
        ));
        assert!(matches!(check(""), Err(Error::IncompleteSignature(_))));
    }

    #[test]
    fn signature_must_be_64_hex_digits() {
        assert!(parse_signature(&"ab".repeat(32)).is_ok());
        assert_eq!(parse_signature("abc"), Err(Error::SignatureDoesNotMatch));
        assert_eq!(
            parse_signature(&"zz".repeat(32)),
            Err(Error::SignatureDoesNotMatch)
        );
        // Upper-case digits are not SigV4's spelling: AWS compares the text.
        assert_eq!(
            parse_signature(&"AB".repeat(32)),
            Err(Error::SignatureDoesNotMatch)
        );
        assert_eq!(
            parse_signature(&format!("{} ", "ab".repeat(32))),
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
