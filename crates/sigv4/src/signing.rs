//! Key derivation (`AWS4` + secret → date → region → service → `aws4_request`), the
//! string to sign and the signature over it.
//!
//! Secret material (the prefixed secret, every intermediate key, the signing key) lives in
//! buffers that are zeroed when dropped. This module never compares signatures; `verify`
//! does, in constant time.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::auth::{ParsedAuth, ALGORITHM};
use crate::canonical::Sink;
use crate::scope::{CredentialScope, TERMINATOR};
use crate::timestamp::format_amz_date;

type HmacSha256 = Hmac<Sha256>;

impl Sink for HmacSha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A SigV4 signing key: the last step of the HMAC chain, bound to one access key's secret
/// and one credential scope. Zeroed on drop; `Debug` does not show it.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for SigningKey {}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// An HMAC-SHA256 instance keyed with `key`.
fn mac(key: &[u8]) -> HmacSha256 {
    #[expect(
        clippy::expect_used,
        reason = "HMAC takes keys of any length, so new_from_slice cannot fail"
    )]
    HmacSha256::new_from_slice(key).expect("HMAC accepts any key length")
}

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut m = mac(key);
    m.update(data);
    Zeroizing::new(m.finalize().into_bytes().into())
}

impl SigningKey {
    /// Wraps raw signing-key bytes (for keys derived elsewhere).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SigningKey(bytes)
    }

    /// HMAC-SHA256 of `data` under this key: the signature when `data` is a string to sign.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let mut m = mac(&self.0);
        m.update(data);
        m.finalize().into_bytes().into()
    }

    /// The signature over the string to sign for `auth` and a canonical request hash,
    /// without building the string.
    pub(crate) fn sign_request(&self, auth: &ParsedAuth, canonical_hash: &[u8; 32]) -> [u8; 32] {
        let mut m = mac(&self.0);
        write_string_to_sign(&mut m, auth.timestamp, &auth.scope, canonical_hash);
        m.finalize().into_bytes().into()
    }
}

/// Derives the signing key for `secret_access_key` and the scope `date/region/service`.
///
/// This is four HMACs; callers on a hot path use [`crate::SigningKeyCache`].
pub fn derive_signing_key(
    secret_access_key: &[u8],
    date: &str,
    region: &str,
    service: &str,
) -> SigningKey {
    let mut prefixed = Zeroizing::new(Vec::with_capacity(4 + secret_access_key.len()));
    prefixed.extend_from_slice(b"AWS4");
    prefixed.extend_from_slice(secret_access_key);
    let k_date = hmac(&prefixed, date.as_bytes());
    let k_region = hmac(&*k_date, region.as_bytes());
    let k_service = hmac(&*k_region, service.as_bytes());
    let k_signing = hmac(&*k_service, TERMINATOR.as_bytes());
    SigningKey(*k_signing)
}

/// Writes `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex hash>`.
fn write_string_to_sign<S: Sink>(
    sink: &mut S,
    timestamp: OffsetDateTime,
    scope: &CredentialScope,
    canonical_hash: &[u8; 32],
) {
    let mut hex_hash = [0u8; 64];
    // INVARIANT: 64 bytes hold the hex of 32, so encoding cannot fail.
    let _ = hex::encode_to_slice(canonical_hash, &mut hex_hash);
    sink.put(ALGORITHM.as_bytes());
    sink.put(b"\n");
    sink.put(format_amz_date(timestamp).as_bytes());
    sink.put(b"\n");
    for part in [&scope.date, &scope.region, &scope.service] {
        sink.put(part.as_bytes());
        sink.put(b"/");
    }
    sink.put(TERMINATOR.as_bytes());
    sink.put(b"\n");
    sink.put(&hex_hash);
}

/// The string to sign for `auth` over the text of a canonical request.
pub fn string_to_sign(auth: &ParsedAuth, canonical_request: &[u8]) -> String {
    let hash: [u8; 32] = Sha256::digest(canonical_request).into();
    let mut out = Vec::with_capacity(128);
    write_string_to_sign(&mut out, auth.timestamp, &auth.scope, &hash);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from AWS's SigV4 documentation (IAM, 2015-08-30).
    #[test]
    fn derives_the_documented_key() {
        let key = derive_signing_key(
            b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key.0),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert_eq!(format!("{key:?}"), "SigningKey(..)");
    }
}
