//! The `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
//! header, with the request time from `X-Amz-Date` or `Date`.

use std::borrow::Cow;

use time::OffsetDateTime;

use super::{
    parse_signature, parse_signed_headers, require_signed, AuthLocation, ParsedAuth, ALGORITHM,
};
use crate::error::Error;
use crate::request::{text, trimmed_text, Request};
use crate::scan;
use crate::scope::parse_credential;
use crate::timestamp::{parse_amz_stamp, parse_http_stamp};

/// Parses header authentication; `value` is the one `Authorization` header.
pub(super) fn parse<'a>(req: &Request<'a>, value: &'a [u8]) -> Result<ParsedAuth<'a>, Error> {
    match std::str::from_utf8(value) {
        Ok(full) => parse_text(req, full, Cow::Borrowed),
        Err(_) => {
            let full = String::from_utf8_lossy(value);
            parse_text(req, &full, |part| Cow::Owned(part.to_owned()))
        }
    }
}

/// Parses the header text `full`; `keep` turns a piece of it into a field of the result
/// (borrowed when `full` is the request's own text).
fn parse_text<'a, 's>(
    req: &Request<'a>,
    full: &'s str,
    keep: impl Fn(&'s str) -> Cow<'a, str>,
) -> Result<ParsedAuth<'a>, Error> {
    let full = full.trim();
    // Byte-wise scans: every delimiter here is ASCII, so each cut is a char boundary.
    let (algorithm, rest) = match full.bytes().position(|b| b.is_ascii_whitespace()) {
        Some(at) => (
            full.get(..at).unwrap_or_default(),
            full.get(at + 1..).unwrap_or_default(),
        ),
        None => (full, ""),
    };

    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    if algorithm == ALGORITHM {
        for token in tokens(rest) {
            let Some((key, val)) = split_at_byte(token, b'=') else {
                return Err(Error::IncompleteSignature(format!(
                    "'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{full}'."
                )));
            };
            let slot = match key {
                "Credential" => &mut credential,
                "SignedHeaders" => &mut signed_headers,
                "Signature" => &mut signature,
                _ => continue,
            };
            slot.get_or_insert(val);
        }
    } else if algorithm.starts_with("AWS4-") {
        return Err(Error::UnsupportedAlgorithm(algorithm.to_owned()));
    }

    let time = request_time(req)?;
    let (
        Some(credential),
        Some(signed_headers),
        Some(signature),
        Some((timestamp, stamp, time_header)),
    ) = (credential, signed_headers, signature, time)
    else {
        let mut message = String::new();
        for (name, missing) in [
            ("Credential", credential.is_none()),
            ("Signature", signature.is_none()),
            ("SignedHeaders", signed_headers.is_none()),
        ] {
            if missing {
                message.push_str("Authorization header requires '");
                message.push_str(name);
                message.push_str("' parameter. ");
            }
        }
        if time.is_none() {
            message.push_str(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
            );
        }
        message.push_str("Authorization=");
        message.push_str(full);
        return Err(Error::IncompleteSignature(message));
    };

    let (access_key_id, scope) = parse_credential(keep(credential))?;
    let signed_headers = parse_signed_headers(keep(signed_headers))?;
    let signature = parse_signature(signature)?;
    let session_token = session_token(req)?;
    // The header the request's time comes from must be signed, or the time could be
    // replaced after signing. (An unsigned session token is refused by `verify`.)
    require_signed(&signed_headers, time_header)?;
    Ok(ParsedAuth {
        access_key_id,
        scope,
        signed_headers,
        signature,
        timestamp,
        stamp,
        session_token,
        location: AuthLocation::Header,
    })
}

/// Whether `b` ends a token: a comma or ASCII whitespace.
fn is_separator(b: &u8) -> bool {
    *b == b',' || b.is_ascii_whitespace()
}

/// The non-empty pieces of `text` between commas and ASCII whitespace.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.as_bytes().iter().position(|b| !is_separator(b))?;
        let tail = rest.get(start..)?;
        let len = token_len(tail.as_bytes());
        let (token, after) = (tail.get(..len)?, tail.get(len..)?);
        rest = after;
        Some(token)
    })
}

/// The length of the token `tail` starts with.
fn token_len(tail: &[u8]) -> usize {
    let mut from = 0;
    loop {
        // The word-wise scan also stops at control bytes, which do not end a token.
        let Some(at) = tail.get(from..).and_then(scan::position_comma_or_space) else {
            return tail.len();
        };
        let at = from + at;
        if tail.get(at).is_some_and(is_separator) {
            return at;
        }
        from = at + 1;
    }
}

/// `text` split around the first `delimiter`, an ASCII byte.
fn split_at_byte(text: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == delimiter)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The request time: `X-Amz-Date` when present, else `Date`; `None` when neither is sent.
/// With it, the name of the header it came from.
#[allow(clippy::type_complexity)]
fn request_time(req: &Request) -> Result<Option<(OffsetDateTime, [u8; 16], &'static str)>, Error> {
    type Parser = fn(&str) -> Option<(OffsetDateTime, [u8; 16])>;
    for (name, parse) in [
        ("x-amz-date", parse_amz_stamp as Parser),
        ("date", parse_http_stamp),
    ] {
        let value = match req.single_header(name) {
            Ok(None) => continue,
            Ok(Some(value)) => text(value),
            Err(()) => Cow::Owned(joined(req, name)),
        };
        return parse(value.trim())
            .map(|(time, stamp)| Some((time, stamp, name)))
            .ok_or_else(|| Error::MalformedDate(value.into_owned()));
    }
    Ok(None)
}

/// Every value of header `name`, joined with commas (for messages about repeated headers).
fn joined(req: &Request, name: &str) -> String {
    req.header_values(name)
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(",")
}

fn session_token<'a>(req: &Request<'a>) -> Result<Option<Cow<'a, str>>, Error> {
    match req.single_header("x-amz-security-token") {
        Ok(value) => Ok(value.map(trimmed_text)),
        Err(()) => Err(Error::IncompleteSignature(
            "X-Amz-Security-Token must be sent only once".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::CredentialScope;
    use time::macros::datetime;

    const SIG: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn check(headers: &[(&str, &[u8])], expected: Result<ParsedAuth, Error>) {
        let req = Request {
            method: "GET",
            path: "/",
            query: "",
            headers,
            body: b"",
        };
        assert_eq!(crate::auth::parse(&req), expected);
    }

    fn incomplete(message: &str) -> Result<ParsedAuth<'static>, Error> {
        Err(Error::IncompleteSignature(message.to_owned()))
    }

    #[test]
    fn parses_a_well_formed_header() {
        let authz = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={SIG}"
        );
        check(
            &[
                ("Host", b"iam.amazonaws.com"),
                ("X-Amz-Date", b"20150830T123600Z"),
                ("X-Amz-Security-Token", b"token"),
                ("Authorization", authz.as_bytes()),
            ],
            Ok(ParsedAuth {
                access_key_id: "AKIDEXAMPLE".into(),
                scope: CredentialScope {
                    date: "20150830".into(),
                    region: "us-east-1".into(),
                    service: "iam".into(),
                },
                signed_headers: "host;x-amz-date;x-amz-security-token".into(),
                signature: parse_signature(SIG).unwrap(),
                timestamp: datetime!(2015-08-30 12:36:00 UTC),
                stamp: *b"20150830T123600Z",
                session_token: Some("token".into()),
                location: AuthLocation::Header,
            }),
        );
    }

    #[test]
    fn falls_back_to_the_date_header() {
        let authz = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,SignedHeaders=date;host,Signature={SIG}"
        );
        let req = Request {
            method: "GET",
            path: "/",
            query: "",
            headers: &[
                ("date", b"Sun, 30 Aug 2015 12:36:00 GMT"),
                ("authorization", authz.as_bytes()),
            ],
            body: b"",
        };
        let parsed = crate::auth::parse(&req).unwrap();
        assert_eq!(parsed.timestamp, datetime!(2015-08-30 12:36:00 UTC));
        assert_eq!(&parsed.stamp, b"20150830T123600Z");
        assert_eq!(parsed.session_token, None);
    }

    #[test]
    fn the_time_header_must_be_signed() {
        let authz = |signed: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders={signed}, Signature={SIG}"
            )
        };
        let parse_with = |signed: &str, extra: &[(&str, &[u8])]| {
            let authz = authz(signed);
            let mut headers: Vec<(&str, &[u8])> = vec![
                ("Host", b"iam.amazonaws.com"),
                ("Authorization", authz.as_bytes()),
            ];
            headers.extend_from_slice(extra);
            let req = Request {
                method: "POST",
                path: "/",
                query: "",
                headers: &headers,
                body: b"",
            };
            crate::auth::parse(&req).map(|_| ())
        };
        let date: (&str, &[u8]) = ("X-Amz-Date", b"20150830T123600Z");
        let http_date: (&str, &[u8]) = ("Date", b"Sun, 30 Aug 2015 12:36:00 GMT");
        let token: (&str, &[u8]) = ("X-Amz-Security-Token", b"token");
        assert_eq!(
            parse_with("host", &[date]),
            Err(Error::HeaderNotSigned("x-amz-date"))
        );
        assert_eq!(
            parse_with("host", &[http_date]),
            Err(Error::HeaderNotSigned("date"))
        );
        // The time comes from X-Amz-Date: an unsigned Date beside it decides nothing.
        assert_eq!(parse_with("host;x-amz-date", &[date, http_date]), Ok(()));
        assert_eq!(
            parse_with("host;x-amz-date;x-amz-security-token", &[date, token]),
            Ok(())
        );
        assert_eq!(
            Error::HeaderNotSigned("x-amz-date").to_string(),
            "'x-amz-date' must be a 'SignedHeader' in the AWS Authorization."
        );
    }

    #[test]
    fn reports_every_missing_part_like_aws() {
        check(
            &[("Authorization", b"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request")],
            incomplete("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request"),
        );
        check(
            &[("Authorization", b"Basic dXNlcjpwYXNz"), ("X-Amz-Date", b"20150830T123600Z")],
            incomplete("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Basic dXNlcjpwYXNz"),
        );
    }

    #[test]
    fn rejects_malformed_pairs_and_algorithms() {
        check(
            &[("Authorization", b"AWS4-HMAC-SHA256 Credential= AKID/20150830/us-east-1/iam/aws4_request")],
            incomplete("'AKID/20150830/us-east-1/iam/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKID/20150830/us-east-1/iam/aws4_request'."),
        );
        check(
            &[("Authorization", b"AWS4-ECDSA-P256-SHA256 Credential=x")],
            Err(Error::UnsupportedAlgorithm("AWS4-ECDSA-P256-SHA256".into())),
        );
    }

    #[test]
    fn rejects_bad_dates() {
        let authz = format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature={SIG}"
        );
        check(
            &[
                ("X-Amz-Date", b"2015-08-30"),
                ("Authorization", authz.as_bytes()),
            ],
            Err(Error::MalformedDate("2015-08-30".into())),
        );
        check(
            &[
                ("X-Amz-Date", b"20150830T123600Z"),
                ("X-Amz-Date", b"20150830T123600Z"),
                ("Authorization", authz.as_bytes()),
            ],
            Err(Error::MalformedDate(
                "20150830T123600Z,20150830T123600Z".into(),
            )),
        );
    }
}
