//! Verification of a parsed request: credential scope, time window, payload hash and a
//! constant-time comparison of the signature.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::auth::{AuthLocation, ParsedAuth};
use crate::canonical::{write_prefix, PathStyle};
use crate::error::Error;
use crate::request::Request;
use crate::signing::SigningKey;
use crate::timestamp::{amz_date_bytes, format_amz_date};

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
    /// Also accept a presigned request whose `X-Amz-Security-Token` parameter was added
    /// after signing (as AWS IoT does). Off by default: then the token must be signed.
    pub allow_unsigned_token_param: bool,
}

impl<'a> VerifyOptions<'a> {
    /// Options at time `now` with AWS's defaults: 15 minutes of skew, any service and
    /// region, normalised paths, signed tokens.
    pub fn new(now: OffsetDateTime) -> Self {
        VerifyOptions {
            now,
            max_skew: DEFAULT_MAX_SKEW,
            expected_service: None,
            allowed_regions: None,
            path_style: PathStyle::Normalized,
            allow_unsigned_token_param: false,
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
    check_scope(auth, opts)?;
    check_time(auth, opts)?;
    let payload = payload_hashes(req, auth)?;

    let token_variants: &[bool] = match auth.location {
        AuthLocation::Query { .. } if opts.allow_unsigned_token_param => &[false, true],
        _ => &[false],
    };
    // The canonical request is built in one buffer and hashed in one call: many small
    // hash updates cost more than the copy.
    let mut canonical = Vec::with_capacity(512);
    let mut scratch = Vec::with_capacity(160);
    let mut matched = subtle::Choice::from(0);
    for &omit_token in token_variants {
        canonical.clear();
        write_prefix(&mut canonical, req, auth, opts.path_style, omit_token);
        let prefix_len = canonical.len();
        for candidate in payload.candidates() {
            canonical.truncate(prefix_len);
            canonical.extend_from_slice(candidate);
            let canonical_hash: [u8; 32] = Sha256::digest(&canonical).into();
            let signature = key.sign_request(auth, &canonical_hash, &mut scratch);
            matched |= signature.ct_eq(&auth.signature);
        }
    }
    if bool::from(matched) {
        Ok(())
    } else {
        Err(Error::SignatureDoesNotMatch)
    }
}

/// The payload hash [`verify`] tries first: what a canonical request built for display
/// (see [`crate::canonical_request`]) should use.
pub fn payload_hash(req: &Request, auth: &ParsedAuth) -> Result<String, Error> {
    let hashes = payload_hashes(req, auth)?;
    let first = hashes.candidates().next().unwrap_or_default();
    Ok(String::from_utf8_lossy(first).into_owned())
}

fn check_scope(auth: &ParsedAuth, opts: &VerifyOptions) -> Result<(), Error> {
    let date_matches = amz_date_bytes(auth.timestamp)
        .is_some_and(|stamp| stamp.get(..8) == Some(auth.scope.date.as_bytes()));
    if !date_matches {
        let request_timestamp = format_amz_date(auth.timestamp);
        let request_date = request_timestamp.get(..8).unwrap_or_default();
        return Err(Error::CredentialDateMismatch {
            scope_date: auth.scope.date.clone(),
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
        if !allowed.contains(&auth.scope.region) {
            return Err(Error::InvalidRegion(auth.scope.region.clone()));
        }
    }
    Ok(())
}

fn check_time(auth: &ParsedAuth, opts: &VerifyOptions) -> Result<(), Error> {
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

fn payload_hashes<'a>(req: &Request<'a>, auth: &ParsedAuth) -> Result<PayloadHashes<'a>, Error> {
    let invalid = || {
        Error::IncompleteSignature(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.".to_owned(),
        )
    };
    match req.single_header("x-amz-content-sha256") {
        Err(()) => Err(invalid()),
        Ok(Some(sent)) => {
            if sent != UNSIGNED_PAYLOAD.as_bytes() {
                let mut claimed = [0u8; 32];
                hex::decode_to_slice(sent, &mut claimed).map_err(|_| invalid())?;
                let actual: [u8; 32] = Sha256::digest(req.body).into();
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
            let mut hex = [0u8; 64];
            // INVARIANT: 64 bytes hold the hex of 32, so encoding cannot fail.
            let _ = hex::encode_to_slice(Sha256::digest(req.body), &mut hex);
            Ok(PayloadHashes {
                first: PayloadHash::Computed(hex),
                also_unsigned: matches!(auth.location, AuthLocation::Query { .. }),
            })
        }
    }
}
