//! Key derivation (`AWS4` + secret → date → region → service → `aws4_request`), the
//! string to sign and the signature over it.
//!
//! Secret material (the prefixed secret, every intermediate key, the signing key) lives in
//! buffers that are zeroed when dropped. This module never compares signatures; `verify`
//! does, in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::auth::{ParsedAuth, ALGORITHM};
use crate::canonical::Sink;
use crate::scope::{CredentialScope, TERMINATOR};
use crate::sha256::{compress_block, Sha256Stream, IV};
use crate::timestamp::format_amz_date;

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

/// The SHA-256 state after one block of `key` XOR `pad` (HMAC's ipad or opad).
fn padded_key_state(key: &[u8; 32], pad: u8) -> [u32; 8] {
    let mut block = Zeroizing::new([pad; 64]);
    for (b, k) in block.iter_mut().zip(key) {
        *b ^= k;
    }
    let mut state = IV;
    compress_block(&mut state, &*block);
    state
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
        let mut inner = self.inner_stream();
        inner.put(data);
        self.finish_mac(inner)
    }

    /// The HMAC's inner hash, ready for the message.
    fn inner_stream(&self) -> Sha256Stream {
        Sha256Stream::resume(self.inner, 64)
    }

    /// Finishes an HMAC whose message went into `inner` (from [`Self::inner_stream`]).
    fn finish_mac(&self, inner: Sha256Stream) -> [u8; 32] {
        let mut outer = Sha256Stream::resume(self.outer, 64);
        outer.put(&inner.finish());
        outer.finish()
    }

    /// The signature over the string to sign for the request time `stamp`
    /// (`yyyymmddThhmmssZ`), `scope` and a canonical request hash, written straight into
    /// the HMAC without building the string.
    pub(crate) fn sign_request(
        &self,
        stamp: &[u8; 16],
        scope: &CredentialScope,
        canonical_hash: &[u8; 32],
    ) -> [u8; 32] {
        let mut inner = self.inner_stream();
        write_string_to_sign(&mut inner, stamp, scope, canonical_hash);
        self.finish_mac(inner)
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
    stamp: &[u8],
    scope: &CredentialScope,
    canonical_hash: &[u8; 32],
) {
    let hex_hash = hex_lower(canonical_hash);
    sink.put(ALGORITHM.as_bytes());
    sink.put(b"\n");
    sink.put(stamp);
    sink.put(b"\n");
    for part in [&scope.date, &scope.region, &scope.service] {
        sink.put(part.as_bytes());
        sink.put(b"/");
    }
    sink.put(TERMINATOR.as_bytes());
    sink.put(b"\n");
    sink.put(&hex_hash);
}

/// Lower-case hex of a SHA-256 digest.
pub(crate) fn hex_lower(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        let [hi, lo] = HEX_PAIRS
            .get(usize::from(*byte))
            .copied()
            .unwrap_or_default();
        pair.copy_from_slice(&[hi, lo]);
    }
    out
}

/// The two lower-case hex digits of each byte.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: a bad index fails the build, never a request"
)]
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [DIGITS[b >> 4], DIGITS[b & 0x0f]];
        b += 1;
    }
    table
};

/// The string to sign for `auth` over the text of a canonical request.
pub fn string_to_sign(auth: &ParsedAuth, canonical_request: &[u8]) -> String {
    let hash = Sha256Stream::digest(canonical_request);
    let mut out = Vec::with_capacity(128);
    let stamp = format_amz_date(auth.timestamp);
    write_string_to_sign(&mut out, stamp.as_bytes(), &auth.scope, &hash);
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
