//! AWS Signature Version 4 verification: parsing, canonicalisation, key derivation and
//! constant-time comparison. Pure: no IO, no async, no HTTP types.
//!
//! The server calls [`parse`] on a [`Request`], looks up the secret for
//! [`ParsedAuth::access_key_id`], gets a [`SigningKey`] (derived, or from a
//! [`SigningKeyCache`]) and calls [`verify`]. Every failure is an [`Error`] that knows its
//! AWS error code, HTTP status and client-visible message.
//!
//! This crate never looks up credentials, never panics on any input, and never compares
//! signatures with `==`.
//!
//! ```text
//! let auth = sigv4::parse(&req)?;                       // MissingAuthenticationToken, IncompleteSignature, ...
//! sigv4::check_scope_and_time(&auth, &opts)?;          // optional: fail before any key work
//! let secret = lookup(&auth.access_key_id)?;           // the server's job (InvalidClientTokenId)
//! let key = cache.get_or_derive(&auth.access_key_id, &auth.scope, &secret);
//! sigv4::verify(&req, &auth, &key, &opts)?;          // opts: VerifyOptions { expected_service: Some("sts"), ..VerifyOptions::new(now) }
//! ```
//!
//! # Behaviour, where AWS leaves a choice
//!
//! - Canonical path: normalised and encoded again (AWS's rule for every service but S3);
//!   [`PathStyle::S3`] signs the path as sent.
//! - Canonical query: each name and value is percent-decoded (`+` as a space, invalid
//!   UTF-8 as U+FFFD) and re-encoded, as the AWS SDK signers do.
//! - Header values: surrounding spaces and tabs trimmed, inner runs of spaces collapsed.
//! - Payload hash: `X-Amz-Content-Sha256` when sent (`UNSIGNED-PAYLOAD`, or a SHA-256 that
//!   must be the body's), else the SHA-256 of the body. A presigned request without that
//!   header verifies if signed with either the body's hash (aws-c-auth, Go v1, Rust SDK) or
//!   `UNSIGNED-PAYLOAD` (botocore): it then does not protect the body.
//! - Header auth: the request time must be within `max_skew` (15 minutes) of `now`, else
//!   `SignatureDoesNotMatch` "Signature expired: ..." / "Signature not yet current: ...".
//! - Presigned: `X-Amz-Expires` in `1..=604800`; past `X-Amz-Date + X-Amz-Expires` fails
//!   with `RequestExpired` (400) "Request has expired.", the code IAM and STS document
//!   for expired presigned URLs; more than 15 minutes in the future fails like header auth.
//! - A request carrying both an `Authorization` header and presigned parameters is
//!   rejected (`IncompleteSignature`), as is a repeated `Authorization` header.
//! - `X-Amz-Security-Token` need not be signed in header auth (AWS accepts the token
//!   added after signing); in a presigned query it must be, unless
//!   [`VerifyOptions::allow_unsigned_token_param`] is set.

mod auth;
mod canonical;
mod error;
mod key_cache;
mod partition;
mod percent;
mod request;
mod scan;
mod scope;
mod sha256;
mod signing;
mod timestamp;
mod verify;

pub use auth::{parse, AuthLocation, ParsedAuth, ALGORITHM, MAX_PRESIGNED_EXPIRES_SECS};
pub use canonical::{canonical_request, PathStyle};
pub use error::Error;
pub use key_cache::{SigningKeyCache, DEFAULT_CAPACITY};
pub use partition::partition_for_region;
pub use request::Request;
pub use scope::CredentialScope;
pub use signing::{derive_signing_key, string_to_sign, SigningKey};
pub use verify::{
    check_scope_and_time, payload_hash, verify, VerifyOptions, DEFAULT_MAX_SKEW, UNSIGNED_PAYLOAD,
};
