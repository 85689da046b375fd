//! Streaming SHA-256 over `sha2`'s compression function: canonical text is hashed as it is
//! written, with no buffer beyond one block, and a hash can resume from a saved state
//! (HMAC's precomputed padded-key blocks).
//!
//! This module only hashes; it knows nothing of SigV4 and never compares digests.

use sha2::digest::generic_array::GenericArray;
use zeroize::Zeroize;

use crate::canonical::Sink;

/// SHA-256's block size in bytes.
const BLOCK: usize = 64;

/// SHA-256's initial state.
pub(crate) const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// One SHA-256 compression of a 64-byte `block` (callers pass `chunks_exact(64)` pieces).
pub(crate) fn compress_block(state: &mut [u32; 8], block: &[u8]) {
    // Borrowed in place: `clone_from_slice` would copy byte by byte.
    sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

/// A SHA-256 computation in progress.
///
/// The state is zeroed on drop: when resumed from an HMAC pad state it is as secret as
/// the key. The buffered bytes are message text, which is not secret.
#[derive(Clone)]
pub(crate) struct Sha256Stream {
    state: [u32; 8],
    /// Bytes not yet compressed; only the first `buffered` count.
    block: [u8; BLOCK],
    buffered: usize,
    /// Bytes compressed into `state` so far.
    compressed: u64,
}

impl Drop for Sha256Stream {
    fn drop(&mut self) {
        self.state.zeroize();
    }
}

impl Sha256Stream {
    /// A fresh hash.
    pub(crate) fn new() -> Self {
        Self::resume(IV, 0)
    }

    /// A hash that has already compressed `compressed` bytes (a multiple of 64) into
    /// `state`.
    pub(crate) fn resume(state: [u32; 8], compressed: u64) -> Self {
        Sha256Stream {
            state,
            block: [0; BLOCK],
            buffered: 0,
            compressed,
        }
    }

    /// Pads, compresses the last block(s) and returns the digest.
    pub(crate) fn finish(mut self) -> [u8; 32] {
        let bit_len = (self.compressed + self.buffered as u64).wrapping_mul(8);
        // Padding: 0x80, zeros, then the 64-bit length, in one block or two.
        let mut tail = [0u8; 2 * BLOCK];
        let rest = self.block.get(..self.buffered).unwrap_or_default();
        let tail_len = if rest.len() < BLOCK - 8 {
            BLOCK
        } else {
            2 * BLOCK
        };
        if let Some(head) = tail.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        if let Some(marker) = tail.get_mut(rest.len()) {
            *marker = 0x80;
        }
        if let Some(length) = tail.get_mut(tail_len - 8..tail_len) {
            length.copy_from_slice(&bit_len.to_be_bytes());
        }
        for block in tail.get(..tail_len).unwrap_or_default().chunks_exact(BLOCK) {
            compress_block(&mut self.state, block);
        }
        let mut out = [0u8; 32];
        for (bytes, word) in out.chunks_exact_mut(4).zip(self.state) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    /// The SHA-256 of `data`.
    pub(crate) fn digest(data: &[u8]) -> [u8; 32] {
        let mut stream = Self::new();
        stream.put(data);
        stream.finish()
    }
}

impl Sink for Sha256Stream {
    fn put(&mut self, bytes: &[u8]) {
        // Canonical text arrives in small pieces: most fit in the current block.
        let end = self.buffered + bytes.len();
        if end < BLOCK {
            if let Some(dest) = self.block.get_mut(self.buffered..end) {
                dest.copy_from_slice(bytes);
                self.buffered = end;
                return;
            }
        }
        self.put_across_blocks(bytes);
    }
}

impl Sha256Stream {
    /// [`Sink::put`] for pieces that complete at least one block.
    fn put_across_blocks(&mut self, mut bytes: &[u8]) {
        if self.buffered > 0 {
            let free = self.block.get_mut(self.buffered..).unwrap_or_default();
            let take = free.len().min(bytes.len());
            let (now, later) = bytes.split_at(take);
            if let Some(dest) = free.get_mut(..take) {
                dest.copy_from_slice(now);
            }
            self.buffered += take;
            bytes = later;
            if self.buffered < BLOCK {
                return;
            }
            compress_block(&mut self.state, &self.block);
            self.compressed += BLOCK as u64;
            self.buffered = 0;
        }
        let mut blocks = bytes.chunks_exact(BLOCK);
        for block in &mut blocks {
            compress_block(&mut self.state, block);
            self.compressed += BLOCK as u64;
        }
        let rest = blocks.remainder();
        if let Some(dest) = self.block.get_mut(..rest.len()) {
            dest.copy_from_slice(rest);
        }
        self.buffered = rest.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// Any split of the input into pieces gives `sha2`'s digest, at every padding boundary.
    #[test]
    fn matches_sha2_for_any_split() {
        let data: Vec<u8> = (0..=255u8).cycle().take(300).collect();
        for len in 0..data.len() {
            let message = &data[..len];
            let expected: [u8; 32] = Sha256::digest(message).into();
            assert_eq!(Sha256Stream::digest(message), expected, "length {len}");
            for piece in [1, 3, 63, 64, 65] {
                let mut stream = Sha256Stream::new();
                for chunk in message.chunks(piece) {
                    stream.put(chunk);
                }
                assert_eq!(stream.finish(), expected, "length {len}, pieces of {piece}");
            }
        }
    }
}
