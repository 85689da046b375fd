//! Time-based one-time passwords as virtual MFA devices use them (RFC 6238 over RFC 4226
//! HOTP): HMAC-SHA-1, 30-second steps, 6 digits. Codes are compared in constant time.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;

/// The time step a Unix time falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The code for one time step (RFC 4226 dynamic truncation), zero-padded.
pub fn code(seed: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(seed) else {
        // HMAC takes keys of any length; unreachable, and an empty code matches nothing.
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last().copied().unwrap_or(0) & 0x0f);
    let window: [u8; 4] = digest
        .get(offset..offset + 4)
        .and_then(|bytes| bytes.try_into().ok())
        .unwrap_or_default();
    let value = u32::from_be_bytes(window) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        value % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// Whether `given` is the code for `step`, in constant time.
pub fn matches(seed: &[u8], step: i64, given: &str) -> bool {
    let expected = code(seed, step);
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// The step in `candidates` (tried in order) whose code is `given`.
pub fn find_step(
    seed: &[u8],
    candidates: impl IntoIterator<Item = i64>,
    given: &str,
) -> Option<i64> {
    candidates
        .into_iter()
        .find(|step| matches(seed, *step, given))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8-digit codes there; their last 6 digits here).
    #[test]
    fn rfc_6238_test_vectors() {
        let seed = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let step = step_at(time);
            assert_eq!(code(seed, step), expected[2..], "time {time}");
            assert!(matches(seed, step, &expected[2..]));
            assert!(!matches(seed, step + 1, &expected[2..]));
        }
    }

    #[test]
    fn find_step_returns_the_matching_step_only() {
        let seed = b"another seed";
        let wanted = code(seed, 1000);
        assert_eq!(find_step(seed, 998..=1001, &wanted), Some(1000));
        assert_eq!(find_step(seed, 990..=995, &wanted), None);
        assert!(!matches(seed, 1000, "12345"));
    }
}
