//! Key derivation (`AWS4` + secret → date → region → service → `aws4_request`), the
//! string to sign and the signature over it.
//!
//! Secret material (the prefixed secret, every intermediate key, the signing key) lives in
//! buffers that are zeroed when dropped. This module never compares signatures; `verify`
//! does, in constant time.

use hmac::{Hmac, Mac};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::auth::{ParsedAuth, ALGORITHM};
use crate::canonical::Sink;
use crate::scope::{CredentialScope, TERMINATOR};
use crate::timestamp::{amz_date_bytes, format_amz_date};

type HmacSha256 = Hmac<Sha256>;

/// A SigV4 signing key: the last step of the HMAC chain, bound to one access key's secret
/// and one credential scope. Zeroed on drop; `Debug` does not show it.
///
/// Besides the key it keeps the SHA-256 states after the HMAC's padded-key blocks, so
/// signing costs two compressions less. Those states are as secret as the key and are
/// zeroed with it.
#[derive(Clone)]
pub struct SigningKey {
    key: [u8; 32],
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.key.zeroize();
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

impl ZeroizeOnDrop for SigningKey {}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// SHA-256's initial state.
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 state after one block of `key` XOR `pad` (HMAC's ipad or opad).
fn padded_key_state(key: &[u8; 32], pad: u8) -> [u32; 8] {
    let mut block = Zeroizing::new([pad; 64]);
    for (b, k) in block.iter_mut().zip(key) {
        *b ^= k;
    }
    let mut state = SHA256_IV;
    compress_block(&mut state, &*block);
    state
}

/// One SHA-256 compression of a 64-byte `block` (callers pass `chunks_exact(64)` pieces).
fn compress_block(state: &mut [u32; 8], block: &[u8]) {
    // Borrowed in place: `clone_from_slice` would copy byte by byte.
    sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

/// Finishes SHA-256 over `message`, starting from `state` that has absorbed exactly one
/// 64-byte block.
fn finish_sha256(mut state: [u32; 8], message: &[u8]) -> [u8; 32] {
    let mut blocks = message.chunks_exact(64);
    for block in &mut blocks {
        compress_block(&mut state, block);
    }
    let rest = blocks.remainder();
    let bit_len = (64 + message.len() as u64).wrapping_mul(8);
    // Padding: 0x80, zeros, then the 64-bit length, in one block or two.
    let tail_len = if rest.len() < 56 { 64 } else { 128 };
    let mut tail = [0u8; 128];
    if let Some(head) = tail.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    if let Some(marker) = tail.get_mut(rest.len()) {
        *marker = 0x80;
    }
    if let Some(length) = tail.get_mut(tail_len - 8..tail_len) {
        length.copy_from_slice(&bit_len.to_be_bytes());
    }
    for block in tail.get(..tail_len).unwrap_or_default().chunks_exact(64) {
        compress_block(&mut state, block);
    }
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
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
    pub fn from_bytes(key: [u8; 32]) -> Self {
        SigningKey {
            inner: padded_key_state(&key, 0x36),
            outer: padded_key_state(&key, 0x5c),
            key,
        }
    }

    /// HMAC-SHA256 of `data` under this key: the signature when `data` is a string to sign.
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        let inner = finish_sha256(self.inner, data);
        finish_sha256(self.outer, &inner)
    }

    /// The signature over the string to sign for `auth` and a canonical request hash,
    /// without building the string.
    ///
    /// `scratch` is a reusable buffer, so the hot path does not allocate.
    pub(crate) fn sign_request(
        &self,
        auth: &ParsedAuth,
        canonical_hash: &[u8; 32],
        scratch: &mut Vec<u8>,
    ) -> [u8; 32] {
        scratch.clear();
        write_string_to_sign(scratch, auth.timestamp, &auth.scope, canonical_hash);
        self.sign(scratch)
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
    SigningKey::from_bytes(*k_signing)
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
    match amz_date_bytes(timestamp) {
        Some(bytes) => sink.put(&bytes),
        None => sink.put(format_amz_date(timestamp).as_bytes()),
    }
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
            hex::encode(key.key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
        assert_eq!(format!("{key:?}"), "SigningKey(..)");
    }

    /// The precomputed-pad HMAC agrees with the `hmac` crate at every padding boundary.
    #[test]
    fn sign_is_hmac_sha256() {
        let key = derive_signing_key(b"secret", "20150830", "us-east-1", "iam");
        let data: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        for len in 0..data.len() {
            let message = &data[..len];
            let mut reference = mac(&key.key);
            reference.update(message);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            assert_eq!(key.sign(message), expected, "length {len}");
        }
    }
}
