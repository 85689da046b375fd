//! Presigned requests: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
//! `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature` and optionally
//! `X-Amz-Security-Token` in the query string.

use std::borrow::Cow;

use super::{
    parse_signature, parse_signed_headers, AuthLocation, ParsedAuth, ALGORITHM,
    MAX_PRESIGNED_EXPIRES_SECS,
};
use crate::error::Error;
use crate::percent::decode;
use crate::request::{trimmed_text, Request};
use crate::scope::parse_credential;
use crate::timestamp::parse_amz_stamp;

/// The query parameter that carries the signature; it is left out of the canonical query.
pub(crate) const SIGNATURE_PARAM: &str = "X-Amz-Signature";
/// The query parameter that carries a session token.
pub(crate) const TOKEN_PARAM: &str = "X-Amz-Security-Token";

const ALGORITHM_PARAM: &str = "X-Amz-Algorithm";
const CREDENTIAL_PARAM: &str = "X-Amz-Credential";
const DATE_PARAM: &str = "X-Amz-Date";
const SIGNED_HEADERS_PARAM: &str = "X-Amz-SignedHeaders";
const EXPIRES_PARAM: &str = "X-Amz-Expires";

/// The parameters a presigned request must carry, in the order AWS names them.
const REQUIRED: [&str; 6] = [
    ALGORITHM_PARAM,
    CREDENTIAL_PARAM,
    SIGNATURE_PARAM,
    DATE_PARAM,
    SIGNED_HEADERS_PARAM,
    EXPIRES_PARAM,
];

/// Whether the query carries any of the parameters that mark a presigned request.
pub(super) fn is_presigned(req: &Request) -> bool {
    req.raw_query_pairs().any(|(key, _)| {
        let key = decode(key, true);
        [ALGORITHM_PARAM, CREDENTIAL_PARAM, SIGNATURE_PARAM]
            .iter()
            .any(|p| *key == *p.as_bytes())
    })
}

/// Parses presigned-query authentication.
pub(super) fn parse<'a>(req: &Request<'a>) -> Result<ParsedAuth<'a>, Error> {
    // Slots for REQUIRED, then the token.
    let mut values: [Option<Cow<'a, str>>; 7] = Default::default();
    let names = REQUIRED.iter().chain([TOKEN_PARAM].iter());
    for (raw_key, raw_value) in req.raw_query_pairs() {
        let key = decode(raw_key, true);
        let Some((slot, name)) = values
            .iter_mut()
            .zip(names.clone())
            .find(|(_, name)| *key == *name.as_bytes())
        else {
            continue;
        };
        if slot.is_some() {
            return Err(Error::IncompleteSignature(format!(
                "query-string parameter `{name}` must be sent only once"
            )));
        }
        *slot = Some(decoded_text(raw_value));
    }
    let present = values.each_ref().map(Option::is_some);
    let [algorithm, credential, signature, date, signed_headers, expires, token] = values;
    let (
        Some(algorithm),
        Some(credential),
        Some(signature),
        Some(date),
        Some(signed_headers),
        Some(expires),
    ) = (
        algorithm,
        credential,
        signature,
        date,
        signed_headers,
        expires,
    )
    else {
        let missing: Vec<String> = REQUIRED
            .iter()
            .zip(present)
            .filter(|(_, present)| !present)
            .map(|(name, _)| format!("'{name}'"))
            .collect();
        return Err(Error::IncompleteSignature(format!(
            "AWS query-string parameters must include {}. Re-examine the query-string parameters.",
            missing.join(", ")
        )));
    };

    if algorithm != ALGORITHM {
        return Err(Error::UnsupportedAlgorithm(algorithm.into_owned()));
    }
    let (timestamp, stamp) =
        parse_amz_stamp(&date).ok_or_else(|| Error::MalformedDate(date.into_owned()))?;
    let expires_secs = parse_expires(&expires)?;
    let (access_key_id, scope) = parse_credential(credential)?;
    let signed_headers = parse_signed_headers(signed_headers)?;
    let signature = parse_signature(&signature)?;
    let session_token = match token {
        Some(token) => Some(token),
        None => match req.single_header("x-amz-security-token") {
            Ok(value) => value.map(trimmed_text),
            Err(()) => {
                return Err(Error::IncompleteSignature(
                    "X-Amz-Security-Token must be sent only once".to_owned(),
                ))
            }
        },
    };
    Ok(ParsedAuth {
        access_key_id,
        scope,
        signed_headers,
        signature,
        timestamp,
        stamp,
        session_token,
        location: AuthLocation::Query { expires_secs },
    })
}

/// A query component percent-decoded as text (invalid UTF-8 as U+FFFD), borrowed when it
/// holds no escapes.
fn decoded_text(raw: &str) -> Cow<'_, str> {
    match decode(raw, true) {
        Cow::Borrowed(_) => Cow::Borrowed(raw),
        Cow::Owned(bytes) => Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()),
        ),
    }
}

fn parse_expires(text: &str) -> Result<u64, Error> {
    let invalid = |message: &str| Err(Error::IncompleteSignature(message.to_owned()));
    if let Some(magnitude) = text.strip_prefix('-') {
        if !magnitude.is_empty() && magnitude.bytes().all(|b| b.is_ascii_digit()) {
            return invalid("X-Amz-Expires must be non-negative");
        }
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("X-Amz-Expires should be a number");
    }
    match text.parse::<u64>() {
        Ok(0) => invalid("X-Amz-Expires must be at least 1 second"),
        Ok(secs) if secs <= MAX_PRESIGNED_EXPIRES_SECS => Ok(secs),
        _ => invalid("X-Amz-Expires must be less than a week (in seconds) that is 604800"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SIG: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

    fn parse_query(query: &str) -> Result<ParsedAuth<'static>, Error> {
        crate::auth::parse(&Request {
            method: "GET",
            path: "/",
            query,
            headers: &[("host", b"sts.amazonaws.com")],
            body: b"",
        })
        .map(ParsedAuth::into_owned)
    }

    fn query_with(extra: &str) -> String {
        format!(
            "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}{extra}"
        )
    }

    #[test]
    fn parses_presigned_query() {
        let parsed = parse_query(&query_with(
            "&X-Amz-Expires=60&X-Amz-Security-Token=a%2Bb%3D",
        ))
        .unwrap();
        assert_eq!(parsed.access_key_id, "AKID");
        assert_eq!(parsed.scope.service, "sts");
        assert_eq!(parsed.timestamp, datetime!(2015-08-30 12:36:00 UTC));
        assert_eq!(parsed.location, AuthLocation::Query { expires_secs: 60 });
        assert_eq!(parsed.session_token.as_deref(), Some("a+b="));
    }

    #[test]
    fn names_missing_parameters() {
        assert_eq!(
            parse_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20150830T123600Z"),
            Err(Error::IncompleteSignature(
                "AWS query-string parameters must include 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the query-string parameters.".into()
            ))
        );
    }

    #[test]
    fn checks_expires() {
        for (expires, message) in [
            ("0", "X-Amz-Expires must be at least 1 second"),
            ("-1", "X-Amz-Expires must be non-negative"),
            ("abc", "X-Amz-Expires should be a number"),
            ("", "X-Amz-Expires should be a number"),
            (
                "604801",
                "X-Amz-Expires must be less than a week (in seconds) that is 604800",
            ),
            (
                "99999999999999999999999",
                "X-Amz-Expires must be less than a week (in seconds) that is 604800",
            ),
        ] {
            assert_eq!(
                parse_query(&query_with(&format!("&X-Amz-Expires={expires}"))),
                Err(Error::IncompleteSignature(message.into())),
                "{expires}"
            );
        }
        assert!(parse_query(&query_with("&X-Amz-Expires=604800")).is_ok());
    }

    #[test]
    fn rejects_repeated_and_foreign_parameters() {
        assert!(matches!(
            parse_query(&query_with("&X-Amz-Expires=60&X-Amz-Expires=61")),
            Err(Error::IncompleteSignature(_))
        ));
        assert_eq!(
            parse_query(
                &query_with("&X-Amz-Expires=60").replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")
            ),
            Err(Error::UnsupportedAlgorithm("AWS4-HMAC-SHA512".into()))
        );
    }
}
