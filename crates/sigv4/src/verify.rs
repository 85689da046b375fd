//! Verification of a parsed request: credential scope, time window, payload hash and a
//! constant-time comparison of the signature.

use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::auth::{AuthLocation, ParsedAuth};
use crate::canonical::{write_prefix, PathStyle, Sink};
use crate::error::Error;
use crate::request::Request;
use crate::sha256::Sha256Stream;
use crate::signing::{hex_lower, SigningKey};
use crate::timestamp::format_amz_date;

/// AWS's clock-skew allowance for signed requests.
pub const DEFAULT_MAX_SKEW: Duration = Duration::minutes(15);

/// The payload hash that leaves the body unsigned.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What [`verify`] checks the request against.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The server's current time.
    pub now: OffsetDateTime,
    /// How far the request time may be from `now` (header auth), or ahead of it
    /// (presigned); AWS uses 15 minutes.
    pub max_skew: Duration,
    /// The service the request was sent to; the credential scope must name it.
    pub expected_service: Option<&'a str>,
    /// The regions this server accepts in a credential scope; `None` accepts any.
    pub allowed_regions: Option<&'a [String]>,
    /// How the path is canonicalised; [`PathStyle::Normalized`] for every service but S3.
    pub path_style: PathStyle,
    /// Also accept a session token added after signing: an `X-Amz-Security-Token`
    /// parameter of a presigned request, or the header left out of `SignedHeaders` (as
    /// AWS IoT does). Off by default: then the token must be signed.
    pub allow_unsigned_token_param: bool,
    /// Whether the body may go unsigned (`UNSIGNED-PAYLOAD`), as S3 allows. Off by
    /// default: services whose parameters travel in the body need the body signed, and a
    /// presigned request is then taken as signed with `UNSIGNED-PAYLOAD` only when it has
    /// no body (so nothing is left unprotected).
    pub allow_unsigned_payload: bool,
}

impl<'a> VerifyOptions<'a> {
    /// Options at time `now` with AWS's defaults: 15 minutes of skew, any service and
    /// region, normalised paths, signed tokens, signed payloads.
    pub fn new(now: OffsetDateTime) -> Self {
        VerifyOptions {
            now,
            max_skew: DEFAULT_MAX_SKEW,
            expected_service: None,
            allowed_regions: None,
            path_style: PathStyle::Normalized,
            allow_unsigned_token_param: false,
            allow_unsigned_payload: false,
        }
    }
}

/// Checks `auth` (from [`crate::parse`] of the same `req`) against `req` and `key`.
///
/// In order: the scope date is the request date; the scope names the expected service and
/// an allowed region; the request time is within the window; a hex
/// `X-Amz-Content-Sha256` is the body's hash; the signature matches, compared in constant
/// time.
///
/// The payload hash is `X-Amz-Content-Sha256` when sent (a hex SHA-256 or
/// `UNSIGNED-PAYLOAD`), else the SHA-256 of the body. A presigned request without that
/// header may have been signed either way — botocore presigns with `UNSIGNED-PAYLOAD`,
/// other SDKs with the body's hash — so both are tried.
pub fn verify(
    req: &Request,
    auth: &ParsedAuth,
    key: &SigningKey,
    opts: &VerifyOptions,
) -> Result<(), Error> {
    let stamp = checked_stamp(auth, opts)?;
    let payload = payload_hashes(req, auth, opts.allow_unsigned_payload)?;
    if !opts.allow_unsigned_token_param && token_header_unsigned(req, auth) {
        return Err(Error::HeaderNotSigned("x-amz-security-token"));
    }

    let token_variants: &[bool] = match auth.location {
        AuthLocation::Query { .. } if opts.allow_unsigned_token_param => &[false, true],
        _ => &[false],
    };
    let mut matched = subtle::Choice::from(0);
    for &omit_token in token_variants {
        // The canonical request is hashed as it is written; the payload hash candidates
        // share everything before them.
        let mut prefix = Sha256Stream::new();
        write_prefix(&mut prefix, req, auth, opts.path_style, omit_token);
        for candidate in payload.candidates() {
            let mut canonical = prefix.clone();
            canonical.put(candidate);
            let signature = key.sign_request(&stamp, &auth.scope, &canonical.finish());
            matched |= words(&signature).ct_eq(&words(&auth.signature));
        }
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Error::SignatureDoesNotMatch)
    }
}

/// Whether the request carries its session token in a header that is not signed.
fn token_header_unsigned(req: &Request, auth: &ParsedAuth) -> bool {
    let in_header = !matches!(req.single_header("x-amz-security-token"), Ok(None));
    let token_param = matches!(auth.location, AuthLocation::Query { .. })
        && req
            .query
            .split('&')
            .any(|pair| pair.starts_with("X-Amz-Security-Token="));
    in_header
        && !token_param
        && !auth
            .signed_header_names()
            .any(|name| name == "x-amz-security-token")
}

/// A signature as four words, so the constant-time comparison takes four steps, not 32.
fn words(signature: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (word, bytes) in out.iter_mut().zip(signature.chunks_exact(8)) {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(bytes);
        *word = u64::from_le_bytes(chunk);
    }
    out
}

/// The payload hash [`verify`] tries first: what a canonical request built for display
/// (see [`crate::canonical_request`]) should use.
pub fn payload_hash(req: &Request, auth: &ParsedAuth) -> Result<String, Error> {
    let hashes = payload_hashes(req, auth, true)?;
    let first = hashes.candidates().next().unwrap_or_default();
    Ok(String::from_utf8_lossy(first).into_owned())
}

/// The checks of [`verify`] that need no key: scope date, service, region and time.
///
/// A server can call this before looking up a secret or deriving a key, so requests
/// that can never verify cost neither; `verify` repeats it.
pub fn check_scope_and_time(auth: &ParsedAuth, opts: &VerifyOptions) -> Result<(), Error> {
    checked_stamp(auth, opts).map(drop)
}

/// [`check_scope_and_time`], returning the request time as `yyyymmddThhmmssZ`.
fn checked_stamp(auth: &ParsedAuth, opts: &VerifyOptions) -> Result<[u8; 16], Error> {
    let stamp = check_scope(auth, opts)?;
    check_time(auth, opts)?;
    Ok(stamp)
}

/// Checks the scope; returns the request time as `yyyymmddThhmmssZ`.
fn check_scope(auth: &ParsedAuth, opts: &VerifyOptions) -> Result<[u8; 16], Error> {
    let stamp = auth.stamp;
    if stamp.get(..8) != Some(auth.scope.date.as_bytes()) {
        let request_timestamp = format_amz_date(auth.timestamp);
        let request_date = request_timestamp.get(..8).unwrap_or_default();
        return Err(Error::CredentialDateMismatch {
            scope_date: auth.scope.date.to_string(),
            request_date: request_date.to_owned(),
            request_timestamp,
        });
    }
    if let Some(expected) = opts.expected_service {
        if auth.scope.service != expected {
            return Err(Error::InvalidService {
                expected: expected.to_owned(),
            });
        }
    }
    if let Some(allowed) = opts.allowed_regions {
        if !allowed.iter().any(|region| *region == auth.scope.region) {
            return Err(Error::InvalidRegion(auth.scope.region.to_string()));
        }
    }
    Ok(stamp)
}

fn check_time(auth: &ParsedAuth, opts: &VerifyOptions) -> Result<(), Error> {
    if clearly_in_time(auth, opts) {
        return Ok(());
    }
    let skew_minutes = opts.max_skew.whole_minutes();
    if let Some(latest) = opts.now.checked_add(opts.max_skew) {
        if auth.timestamp > latest {
            return Err(Error::SignatureNotYetCurrent {
                request: format_amz_date(auth.timestamp),
                latest: format_amz_date(latest),
                now: format_amz_date(opts.now),
                skew_minutes,
            });
        }
    }
    match auth.location {
        AuthLocation::Header => {
            if let Some(earliest) = opts.now.checked_sub(opts.max_skew) {
                if auth.timestamp < earliest {
                    return Err(Error::SignatureExpired {
                        request: format_amz_date(auth.timestamp),
                        earliest: format_amz_date(earliest),
                        now: format_amz_date(opts.now),
                        skew_minutes,
                    });
                }
            }
        }
        AuthLocation::Query { expires_secs } => {
            let lifetime = Duration::seconds(i64::try_from(expires_secs).unwrap_or(i64::MAX));
            let expired = auth
                .timestamp
                .checked_add(lifetime)
                .is_some_and(|end| opts.now > end);
            if expired {
                return Err(Error::RequestExpired);
            }
        }
    }
    Ok(())
}

/// Whether the request time passes [`check_time`], decided in integer nanoseconds (no
/// calendar arithmetic). `false` only sends the caller to the exact checks, which also
/// handle the ends of the representable range.
fn clearly_in_time(auth: &ParsedAuth, opts: &VerifyOptions) -> bool {
    let at = auth.timestamp.unix_timestamp_nanos();
    let now = opts.now.unix_timestamp_nanos();
    let skew = opts.max_skew.whole_nanoseconds();
    let not_too_early = match auth.location {
        AuthLocation::Header => at >= now - skew,
        AuthLocation::Query { expires_secs } => {
            now <= at + i128::from(expires_secs) * 1_000_000_000
        }
    };
    at <= now + skew && not_too_early
}

/// The payload hash(es) a request may have been signed with.
struct PayloadHashes<'a> {
    first: PayloadHash<'a>,
    /// For presigned requests without `X-Amz-Content-Sha256`.
    also_unsigned: bool,
}

enum PayloadHash<'a> {
    /// The hex SHA-256 of the body.
    Computed([u8; 64]),
    /// The value of `X-Amz-Content-Sha256`.
    Sent(&'a [u8]),
}

impl PayloadHashes<'_> {
    fn candidates(&self) -> impl Iterator<Item = &[u8]> {
        let first = match &self.first {
            PayloadHash::Computed(hex) => hex.as_slice(),
            PayloadHash::Sent(value) => value,
        };
        std::iter::once(first).chain(self.also_unsigned.then_some(UNSIGNED_PAYLOAD.as_bytes()))
    }
}

fn payload_hashes<'a>(
    req: &Request<'a>,
    auth: &ParsedAuth,
    allow_unsigned: bool,
) -> Result<PayloadHashes<'a>, Error> {
    let invalid = || {
        Error::IncompleteSignature(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.".to_owned(),
        )
    };
    match req.single_header("x-amz-content-sha256") {
        Err(()) => Err(invalid()),
        Ok(Some(sent)) => {
            if sent == UNSIGNED_PAYLOAD.as_bytes() {
                if !allow_unsigned {
                    return Err(Error::UnsignedPayload);
                }
            } else {
                let mut claimed = [0u8; 32];
                hex::decode_to_slice(sent, &mut claimed).map_err(|_| invalid())?;
                let actual = Sha256Stream::digest(req.body);
                if claimed != actual {
                    return Err(Error::PayloadHashMismatch);
                }
            }
            Ok(PayloadHashes {
                first: PayloadHash::Sent(sent),
                also_unsigned: false,
            })
        }
        Ok(None) => {
            let hex = hex_lower(&Sha256Stream::digest(req.body));
            Ok(PayloadHashes {
                first: PayloadHash::Computed(hex),
                also_unsigned: matches!(auth.location, AuthLocation::Query { .. })
                    && (allow_unsigned || req.body.is_empty()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{canonical_request, derive_signing_key, parse, string_to_sign};
    use sha2::{Digest, Sha256};
    use time::macros::datetime;

    const SECRET: &[u8] = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SIGNED_AT: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);

    /// A request signed for `iam` in `us-east-1` at `SIGNED_AT`, with `extra` headers.
    struct Signed {
        headers: Vec<(String, Vec<u8>)>,
        query: String,
        body: Vec<u8>,
    }

    impl Signed {
        fn with<T>(&self, f: impl FnOnce(&Request) -> T) -> T {
            let headers: Vec<(&str, &[u8])> = self
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice()))
                .collect();
            f(&Request {
                method: "POST",
                path: "/",
                query: &self.query,
                headers: &headers,
                body: &self.body,
            })
        }
    }

    fn sign(signed: Signed, scope_date: &str, presigned_expires: Option<u64>) -> Signed {
        sign_as(signed, scope_date, presigned_expires, None)
    }

    /// Signs `signed` with `payload` as the canonical request's payload hash, or the one
    /// the request itself calls for.
    fn sign_as(
        mut signed: Signed,
        scope_date: &str,
        presigned_expires: Option<u64>,
        payload: Option<&str>,
    ) -> Signed {
        let credential = format!("AKID/{scope_date}/us-east-1/iam/aws4_request");
        let zero = "0".repeat(64);
        match presigned_expires {
            None => signed.headers.push((
                "Authorization".into(),
                format!("AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, Signature={zero}").into_bytes(),
            )),
            Some(expires) => {
                signed.query = format!(
                    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}&X-Amz-Date=20150830T123600Z&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={zero}",
                    credential.replace('/', "%2F")
                );
            }
        }
        let signature = signed.with(|req| {
            let auth = parse(req).unwrap();
            let hash = payload
                .map(str::to_owned)
                .unwrap_or_else(|| payload_hash(req, &auth).unwrap_or_default());
            let creq = canonical_request(req, &auth, PathStyle::Normalized, &hash);
            let key = derive_signing_key(SECRET, scope_date, "us-east-1", "iam");
            hex::encode(key.sign(string_to_sign(&auth, &creq).as_bytes()))
        });
        signed.query = signed.query.replace(&zero, &signature);
        for (_, value) in &mut signed.headers {
            *value = String::from_utf8(value.clone())
                .unwrap()
                .replace(&zero, &signature)
                .into_bytes();
        }
        signed
    }

    fn request(extra: &[(&str, &str)]) -> Signed {
        let mut headers = vec![
            ("Host".to_owned(), b"iam.amazonaws.com".to_vec()),
            ("X-Amz-Date".to_owned(), b"20150830T123600Z".to_vec()),
        ];
        headers.extend(
            extra
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())),
        );
        Signed {
            headers,
            query: String::new(),
            body: b"Action=ListUsers&Version=2010-05-08".to_vec(),
        }
    }

    fn check(signed: &Signed, now: OffsetDateTime, expected: Result<(), &str>) {
        assert_eq!(
            verified(signed, now, false).map_err(|e| e.to_string()),
            expected.map_err(str::to_owned)
        );
    }

    /// Verifies `signed` for `iam` in `us-east-1` at `now`.
    fn verified(signed: &Signed, now: OffsetDateTime, unsigned_payload: bool) -> Result<(), Error> {
        let regions = ["us-east-1".to_owned()];
        let opts = VerifyOptions {
            expected_service: Some("iam"),
            allowed_regions: Some(&regions),
            allow_unsigned_payload: unsigned_payload,
            ..VerifyOptions::new(now)
        };
        signed.with(|req| {
            let auth = parse(req)?;
            let key = derive_signing_key(
                SECRET,
                &auth.scope.date,
                &auth.scope.region,
                &auth.scope.service,
            );
            verify(req, &auth, &key, &opts)
        })
    }

    #[test]
    fn header_auth_window_is_15_minutes_each_way() {
        let signed = sign(request(&[]), "20150830", None);
        check(&signed, SIGNED_AT, Ok(()));
        check(&signed, datetime!(2015-08-30 12:51:00 UTC), Ok(()));
        check(&signed, datetime!(2015-08-30 12:21:00 UTC), Ok(()));
        check(
            &signed,
            datetime!(2015-08-30 13:15:00 UTC),
            Err("Signature expired: 20150830T123600Z is now earlier than 20150830T130000Z (20150830T131500Z - 15 min.)"),
        );
        check(
            &signed,
            datetime!(2015-08-30 12:00:00 UTC),
            Err("Signature not yet current: 20150830T123600Z is still later than 20150830T121500Z (20150830T120000Z + 15 min.)"),
        );
    }

    #[test]
    fn scope_must_match_date_service_and_region() {
        check(
            &sign(request(&[]), "20150831", None),
            SIGNED_AT,
            Err("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."),
        );
        let signed = sign(request(&[]), "20150830", None);
        let regions = ["eu-west-1".to_owned()];
        let wrong_region = VerifyOptions {
            allowed_regions: Some(&regions),
            ..VerifyOptions::new(SIGNED_AT)
        };
        let wrong_service = VerifyOptions {
            expected_service: Some("sts"),
            ..VerifyOptions::new(SIGNED_AT)
        };
        signed.with(|req| {
            let auth = parse(req).unwrap();
            let key = derive_signing_key(SECRET, "20150830", "us-east-1", "iam");
            let region_error = verify(req, &auth, &key, &wrong_region).unwrap_err();
            assert_eq!(
                region_error.to_string(),
                "Credential should be scoped to a valid region, not 'us-east-1'. "
            );
            assert_eq!(
                (region_error.code(), region_error.status()),
                ("SignatureDoesNotMatch", 403)
            );
            let service_error = verify(req, &auth, &key, &wrong_service).unwrap_err();
            assert_eq!(
                service_error.to_string(),
                "Credential should be scoped to correct service: 'sts'. "
            );
        });
    }

    #[test]
    fn signature_mismatch_is_reported_like_aws() {
        let mut signed = sign(request(&[]), "20150830", None);
        signed.body.push(b'x');
        check(
            &signed,
            SIGNED_AT,
            Err("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
        );
    }

    #[test]
    fn content_sha256_header_is_checked_against_the_body() {
        let body_hash = hex::encode(Sha256::digest(b"Action=ListUsers&Version=2010-05-08"));
        let signed = sign(
            request(&[("X-Amz-Content-Sha256", &body_hash)]),
            "20150830",
            None,
        );
        check(&signed, SIGNED_AT, Ok(()));
        let mut tampered = signed;
        tampered.body.push(b'x');
        check(
            &tampered,
            SIGNED_AT,
            Err("The provided 'x-amz-content-sha256' header does not match what was computed."),
        );
        // An unsigned body is refused unless the service allows it (S3-style).
        let unsigned = sign(
            request(&[("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")]),
            "20150830",
            None,
        );
        assert_eq!(
            verified(&unsigned, SIGNED_AT, false),
            Err(Error::UnsignedPayload)
        );
        assert_eq!(Error::UnsignedPayload.code(), "SignatureDoesNotMatch");
        assert_eq!(verified(&unsigned, SIGNED_AT, true), Ok(()));
        let bogus = sign(
            request(&[("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")]),
            "20150830",
            None,
        );
        check(
            &bogus,
            SIGNED_AT,
            Err("x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value."),
        );
    }

    #[test]
    fn a_presigned_request_with_a_body_needs_the_body_signed() {
        // Presigned, no X-Amz-Content-Sha256: with an empty body it may have been signed
        // with UNSIGNED-PAYLOAD (botocore presigns so) and nothing is left unprotected.
        let mut empty = request(&[]);
        empty.body.clear();
        let resigned = sign_as(empty, "20150830", Some(60), Some(UNSIGNED_PAYLOAD));
        assert_eq!(verified(&resigned, SIGNED_AT, false), Ok(()));
        // A body added to it is covered by no signature: refused unless the service
        // allows unsigned payloads.
        let mut with_body = resigned;
        with_body.body = b"Action=CreateUser&UserName=x".to_vec();
        assert_eq!(
            verified(&with_body, SIGNED_AT, false),
            Err(Error::SignatureDoesNotMatch)
        );
        assert_eq!(verified(&with_body, SIGNED_AT, true), Ok(()));
    }

    #[test]
    fn presigned_requests_expire() {
        let signed = sign(request(&[]), "20150830", Some(60));
        check(&signed, SIGNED_AT, Ok(()));
        check(&signed, datetime!(2015-08-30 12:37:00 UTC), Ok(()));
        check(
            &signed,
            datetime!(2015-08-30 12:37:01 UTC),
            Err("Request has expired."),
        );
        check(
            &signed,
            datetime!(2015-08-30 12:20:59 UTC),
            Err("Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"),
        );
        // A week-long presigned URL is still good after six days.
        let week = sign(request(&[]), "20150830", Some(604_800));
        check(&week, datetime!(2015-09-05 12:36:00 UTC), Ok(()));
    }
}
