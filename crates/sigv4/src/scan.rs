//! Word-at-a-time byte searches for the parsers' hot loops: eight bytes per step instead
//! of one, in safe code. Each function returns exactly what the obvious byte loop would.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// `0x7f` in every byte.
const LOWS: u64 = u64::from_ne_bytes([0x7f; 8]);

/// High bits set exactly for the zero bytes of `w`.
fn zero_bytes(w: u64) -> u64 {
    !(((w & LOWS).wrapping_add(LOWS)) | w | LOWS)
}

/// High bits set exactly for the bytes of `w` that are ASCII lower-case letters.
fn lowercase_letters(w: u64) -> u64 {
    let low7 = w & LOWS;
    // Adding 0x1f carries into the high bit from `a` up; adding 0x05 from past `z`.
    let from_a = low7.wrapping_add(ONES.wrapping_mul(0x1f));
    let past_z = low7.wrapping_add(ONES.wrapping_mul(0x05));
    from_a & !past_z & !w & HIGHS
}

/// Whether `a` and `b` are equal ignoring ASCII case, eight bytes per step: where bytes
/// differ, they must differ only in bit `0x20` and be letters.
pub(crate) fn eq_ignore_ascii_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut words_a, mut words_b) = (a.chunks_exact(8), b.chunks_exact(8));
    let words_equal = (&mut words_a).zip(&mut words_b).all(|(ca, cb)| {
        let (wa, wb) = (word(ca), word(cb));
        let diff = wa ^ wb;
        if diff == 0 {
            return true;
        }
        let differs = !zero_bytes(diff) & HIGHS;
        let case_only = zero_bytes(diff ^ ONES.wrapping_mul(0x20));
        let letters = lowercase_letters(wa | ONES.wrapping_mul(0x20));
        differs & !(case_only & letters) == 0
    });
    words_equal
        && words_a
            .remainder()
            .eq_ignore_ascii_case(words_b.remainder())
}

/// High bits set exactly for the bytes of `w` in `lo..=hi` (both below 0x80).
fn bytes_in_range(w: u64, lo: u8, hi: u8) -> u64 {
    let low7 = w & LOWS;
    // Adding `0x80 - lo` carries into the high bit from `lo` up; `0x7f - hi` past `hi`.
    let from_lo = low7.wrapping_add(ONES.wrapping_mul(u64::from(0x80 - lo)));
    let past_hi = low7.wrapping_add(ONES.wrapping_mul(u64::from(0x7f - hi)));
    from_lo & !past_hi & !w & HIGHS
}

/// Decodes `digits` (hex, either case; twice as long as `out`) into `out`, eight digits
/// per step. `false`, with `out` unspecified, when a digit is not hex or the lengths do
/// not match.
pub(crate) fn decode_hex(digits: &[u8], out: &mut [u8]) -> bool {
    if digits.len() != 2 * out.len() {
        return false;
    }
    let mut words = digits.chunks_exact(8);
    let mut outs = out.chunks_exact_mut(4);
    let mut valid = true;
    for (chunk, dest) in (&mut words).zip(&mut outs) {
        let w = word(chunk);
        let decimal = bytes_in_range(w, b'0', b'9');
        let letter = bytes_in_range(w | ONES.wrapping_mul(0x20), b'a', b'f');
        valid &= (decimal | letter) == HIGHS;
        // A digit's value is its low nibble, plus 9 for a letter.
        let nibbles = (w & ONES.wrapping_mul(0x0f)) + (letter >> 7) * 9;
        // Byte 2i becomes nibble 2i shifted up, joined with nibble 2i + 1.
        let pairs = (nibbles << 4) | (nibbles >> 8);
        let [b0, _, b2, _, b4, _, b6, _] = pairs.to_le_bytes();
        dest.copy_from_slice(&[b0, b2, b4, b6]);
    }
    for (pair, dest) in words.remainder().chunks_exact(2).zip(outs.into_remainder()) {
        match pair {
            [hi, lo] => match (
                crate::percent::hex_value(*hi),
                crate::percent::hex_value(*lo),
            ) {
                (Some(hi), Some(lo)) => *dest = (hi << 4) | lo,
                _ => valid = false,
            },
            _ => valid = false,
        }
    }
    valid
}

/// The first eight bytes of `chunk` (which has at least eight) as a little-endian word.
fn word(chunk: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(head) = chunk.get(..8) {
        bytes.copy_from_slice(head);
    }
    u64::from_le_bytes(bytes)
}

/// High bits set for bytes of `w` below `n` (`n <= 128`). The lowest set bit is exact;
/// bits above it may be spurious, so only the lowest is used.
fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES.wrapping_mul(u64::from(n))) & !w & HIGHS
}

/// High bits set for bytes of `w` equal to `b`; the lowest set bit is exact.
fn bytes_equal(w: u64, b: u8) -> u64 {
    bytes_below(w ^ ONES.wrapping_mul(u64::from(b)), 1)
}

/// The first index in `bytes` where `flags` (given a word) or `matches` (given a byte)
/// holds; the two must agree.
fn position_by(
    bytes: &[u8],
    flags: impl Fn(u64) -> u64,
    matches: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let found = flags(word(chunk));
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| matches(b))
        .map(|at| offset + at)
}

/// The first `,` or byte at or below `' '` (which covers ASCII whitespace) in `bytes`.
pub(crate) fn position_comma_or_space(bytes: &[u8]) -> Option<usize> {
    position_by(
        bytes,
        |w| bytes_equal(w, b',') | bytes_below(w, b' ' + 1),
        |b| b == b',' || b <= b' ',
    )
}

/// The first `needle` in `bytes`.
pub(crate) fn position_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    position_by(bytes, |w| bytes_equal(w, needle), |b| b == needle)
}

/// Whether `bytes` holds two spaces in a row.
pub(crate) fn has_space_run(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = position_byte(rest, b' ') {
        match rest.get(at + 1..) {
            Some([b' ', ..]) => return true,
            Some(after) => rest = after,
            None => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_decoding_agrees_with_the_hex_crate() {
        for len in [0, 2, 8, 10, 16, 64] {
            for at in 0..len {
                for value in 0..=255u8 {
                    let mut digits =
                        b"0123456789abcdefABCDEF0123456789aBcDeF0123456789abcdef0123456789"[..len]
                            .to_vec();
                    digits[at] = value;
                    let mut out = vec![0u8; len / 2];
                    let mut expected = vec![0u8; len / 2];
                    let reference = hex::decode_to_slice(&digits, &mut expected).is_ok();
                    assert_eq!(decode_hex(&digits, &mut out), reference, "{digits:?}");
                    if reference {
                        assert_eq!(out, expected, "{digits:?}");
                    }
                }
            }
        }
        assert!(!decode_hex(b"abc", &mut [0u8; 1]));
        assert!(!decode_hex(b"ab", &mut [0u8; 2]));
    }

    #[test]
    fn case_insensitive_equality_agrees_with_std() {
        for len in [1, 7, 8, 9, 13] {
            for at in [0, len / 2, len - 1] {
                for x in 0..=255u8 {
                    for y in 0..=255u8 {
                        let mut a = b"Content-Type!".get(..len).unwrap().to_vec();
                        let mut b = a.to_ascii_lowercase();
                        a[at] = x;
                        b[at] = y;
                        assert_eq!(
                            eq_ignore_ascii_case(&a, &b),
                            a.eq_ignore_ascii_case(&b),
                            "{a:?} {b:?}"
                        );
                    }
                }
            }
        }
        assert!(!eq_ignore_ascii_case(b"host", b"hos"));
        assert!(eq_ignore_ascii_case(b"", b""));
    }

    /// Every position of every byte value agrees with the byte loop, including after
    /// earlier bytes that could make a word-wise search report a spurious later match.
    #[test]
    fn agrees_with_byte_loops() {
        let fillers = [b'a', b' ', b',', 0x00, 0x21, 0x7f, 0x80, 0xff];
        for len in 0..18 {
            for at in 0..len {
                for value in 0..=255u8 {
                    for &filler in &fillers {
                        let mut bytes = vec![filler; len];
                        bytes[at] = value;
                        assert_eq!(
                            position_comma_or_space(&bytes),
                            bytes.iter().position(|&b| b == b',' || b <= b' '),
                            "{bytes:?}"
                        );
                        assert_eq!(
                            position_byte(&bytes, b'/'),
                            bytes.iter().position(|&b| b == b'/'),
                            "{bytes:?}"
                        );
                        assert_eq!(
                            has_space_run(&bytes),
                            bytes.windows(2).any(|pair| pair == b"  "),
                            "{bytes:?}"
                        );
                    }
                }
            }
        }
    }
}
