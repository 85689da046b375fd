//! The credential scope, `date/region/service/aws4_request`, and the `Credential` value
//! (`keyid/` + scope) that carries it.

use crate::error::Error;

/// The terminator every SigV4 credential scope ends with.
pub const TERMINATOR: &str = "aws4_request";

/// The scope a signature (and its signing key) is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialScope {
    /// `yyyymmdd`, as sent by the client.
    pub date: String,
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The signing name of the service, e.g. `iam`, `sts`.
    pub service: String,
}

impl CredentialScope {
    /// `date/region/service/aws4_request`, as it appears in the string to sign.
    pub fn to_scope_string(&self) -> String {
        format!(
            "{}/{}/{}/{TERMINATOR}",
            self.date, self.region, self.service
        )
    }
}

/// Splits a `Credential` value into the access key id and the scope.
///
/// The access key id is everything before the fourth slash from the end, so keys that
/// contain no `/` (all real ones) parse the same as AWS parses them.
pub(crate) fn parse_credential(credential: &str) -> Result<(String, CredentialScope), Error> {
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
    Ok((
        access_key_id.to_owned(),
        CredentialScope {
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(credential: &str, expected: Result<(&str, &str, &str, &str), Error>) {
        let got = parse_credential(credential);
        let expected = expected.map(|(k, d, r, s)| {
            (
                k.to_owned(),
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
