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

mod auth;
mod canonical;
mod error;
mod key_cache;
mod partition;
mod percent;
mod request;
mod scope;
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
pub use verify::{payload_hash, verify, VerifyOptions, DEFAULT_MAX_SKEW, UNSIGNED_PAYLOAD};
