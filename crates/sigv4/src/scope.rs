//! The credential scope, `date/region/service/aws4_request`, and the `Credential` value
//! (`keyid/` + scope) that carries it.
//!
//! Parsing borrows from the request wherever the text needs no decoding.

use std::borrow::Cow;

use crate::error::Error;
use crate::scan;

/// The terminator every SigV4 credential scope ends with.
pub const TERMINATOR: &str = "aws4_request";

/// The scope a signature (and its signing key) is bound to; borrowed from the request
/// where possible (see [`CredentialScope::into_owned`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialScope<'a> {
    /// `yyyymmdd`, as sent by the client.
    pub date: Cow<'a, str>,
    /// The region, e.g. `us-east-1`.
    pub region: Cow<'a, str>,
    /// The signing name of the service, e.g. `iam`, `sts`.
    pub service: Cow<'a, str>,
}

impl CredentialScope<'_> {
    /// The same scope, owning its text.
    pub fn into_owned(self) -> CredentialScope<'static> {
        CredentialScope {
            date: Cow::Owned(self.date.into_owned()),
            region: Cow::Owned(self.region.into_owned()),
            service: Cow::Owned(self.service.into_owned()),
        }
    }

    /// `date/region/service/aws4_request`, as it appears in the string to sign.
    pub fn to_scope_string(&self) -> String {
        format!(
            "{}/{}/{}/{TERMINATOR}",
            self.date, self.region, self.service
        )
    }
}

/// Splits a `Credential` value into the access key id and the scope, borrowing from
/// `credential` when it is borrowed.
///
/// The access key id is everything before the fourth slash from the end, so keys that
/// contain no `/` (all real ones) parse the same as AWS parses them.
pub(crate) fn parse_credential(
    credential: Cow<'_, str>,
) -> Result<(Cow<'_, str>, CredentialScope<'_>), Error> {
    match credential {
        Cow::Borrowed(text) => {
            let [access_key_id, date, region, service] = split_credential(text)?;
            Ok((
                Cow::Borrowed(access_key_id),
                CredentialScope {
                    date: Cow::Borrowed(date),
                    region: Cow::Borrowed(region),
                    service: Cow::Borrowed(service),
                },
            ))
        }
        Cow::Owned(text) => {
            let [access_key_id, date, region, service] = split_credential(&text)?;
            Ok((
                Cow::Owned(access_key_id.to_owned()),
                CredentialScope {
                    date: Cow::Owned(date.to_owned()),
                    region: Cow::Owned(region.to_owned()),
                    service: Cow::Owned(service.to_owned()),
                },
            ))
        }
    }
}

/// The access key id, date, region and service of a `Credential` value.
fn split_credential(credential: &str) -> Result<[&str; 4], Error> {
    let malformed = || Error::MalformedCredential(credential.to_owned());
    // The last four slashes cut the value; the access key id may not hold another, so
    // a valid value has exactly four, found left to right. `/` is ASCII, so every cut is
    // a char boundary.
    let mut cuts = [0usize; 4];
    let mut from = 0;
    for cut in &mut cuts {
        let rest = credential.as_bytes().get(from..).unwrap_or_default();
        *cut = from + scan::position_byte(rest, b'/').ok_or_else(malformed)?;
        from = *cut + 1;
    }
    let [key_end, date_end, region_end, service_end] = cuts;
    let part = |from: usize, to: usize| credential.get(from..to).unwrap_or_default();
    let access_key_id = part(0, key_end);
    let date = part(key_end + 1, date_end);
    let region = part(date_end + 1, region_end);
    let service = part(region_end + 1, service_end);
    let terminator = part(service_end + 1, credential.len());
    if terminator.bytes().any(|b| b == b'/')
        || [access_key_id, date, region, service]
            .iter()
            .any(|p| p.is_empty())
    {
        return Err(malformed());
    }
    if terminator != TERMINATOR {
        return Err(Error::InvalidTerminator(terminator.to_owned()));
    }
    Ok([access_key_id, date, region, service])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(credential: &str, expected: Result<(&str, &str, &str, &str), Error>) {
        let got = parse_credential(Cow::Borrowed(credential));
        let expected = expected.map(|(k, d, r, s)| {
            (
                Cow::Borrowed(k),
                CredentialScope {
                    date: d.into(),
                    region: r.into(),
                    service: s.into(),
                },
            )
        });
        assert_eq!(got, expected, "{credential}");
    }

    #[test]
    fn parses_credentials() {
        check(
            "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request",
            Ok(("AKIDEXAMPLE", "20150830", "us-east-1", "iam")),
        );
        let malformed = |c: &str| Err(Error::MalformedCredential(c.into()));
        for c in [
            "",
            "AKID",
            "AKID/20150830/us-east-1/aws4_request",
            "/20150830/us-east-1/iam/aws4_request",
            "AKID//us-east-1/iam/aws4_request",
            "A/KID/20150830/us-east-1/iam/aws4_request",
        ] {
            check(c, malformed(c));
        }
        check(
            "AKID/20150830/us-east-1/iam/aws5_request",
            Err(Error::InvalidTerminator("aws5_request".into())),
        );
    }

    /// The byte-wise split agrees with the `rsplitn` definition on every short string of
    /// slashes and letters.
    #[test]
    fn split_agrees_with_rsplitn() {
        fn reference(credential: &str) -> Result<[&str; 4], Error> {
            let malformed = || Error::MalformedCredential(credential.to_owned());
            let mut parts = credential.rsplitn(5, '/');
            let terminator = parts.next().ok_or_else(malformed)?;
            let service = parts.next().ok_or_else(malformed)?;
            let region = parts.next().ok_or_else(malformed)?;
            let date = parts.next().ok_or_else(malformed)?;
            let access_key_id = parts.next().ok_or_else(malformed)?;
            if [access_key_id, date, region, service]
                .iter()
                .any(|p| p.is_empty() || p.contains('/'))
            {
                return Err(malformed());
            }
            if terminator != TERMINATOR {
                return Err(Error::InvalidTerminator(terminator.to_owned()));
            }
            Ok([access_key_id, date, region, service])
        }
        let pieces = ["a", "/", "aws4_request"];
        let mut strings = vec![String::new()];
        for _ in 0..9 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            strings.extend(longer);
            strings.sort();
            strings.dedup();
            strings.retain(|s| s.len() <= 60);
        }
        for s in &strings {
            assert_eq!(split_credential(s), reference(s), "{s:?}");
        }
    }

    #[test]
    fn formats_scope() {
        let scope = CredentialScope {
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "iam".into(),
        };
        assert_eq!(
            scope.to_scope_string(),
            "20150830/us-east-1/iam/aws4_request"
        );
    }
}
