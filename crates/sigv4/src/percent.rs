//! Percent-decoding and the RFC 3986 encoding SigV4 uses (`A-Z a-z 0-9 - _ . ~` left as is,
//! every other byte as `%XY` with upper-case hex).

use std::borrow::Cow;

/// Whether SigV4 leaves `byte` unencoded.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// The upper-case hex digit for a nibble (`n < 16`).
fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'A' + (n - 10)
    }
}

/// Appends the encoding of `byte` to `out`.
pub(crate) fn push_encoded(out: &mut Vec<u8>, byte: u8) {
    if is_unreserved(byte) {
        out.push(byte);
    } else {
        out.push(b'%');
        out.extend_from_slice(&[hex_digit(byte >> 4), hex_digit(byte & 0x0f)]);
    }
}

/// Encodes `bytes`, borrowing when nothing needs encoding.
pub(crate) fn encode(bytes: &[u8]) -> Cow<'_, [u8]> {
    if bytes.iter().all(|&b| is_unreserved(b)) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2 + 4);
    for &b in bytes {
        push_encoded(&mut out, b);
    }
    Cow::Owned(out)
}

/// The value of a hex digit, either case.
pub(crate) fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XY` escapes; a `%` not followed by two hex digits stays literal. With
/// `plus_as_space`, `+` decodes to a space, as in form encoding.
pub(crate) fn decode(raw: &str, plus_as_space: bool) -> Cow<'_, [u8]> {
    let bytes = raw.as_bytes();
    if !bytes
        .iter()
        .any(|&b| b == b'%' || (plus_as_space && b == b'+'))
    {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some((&first, tail)) = rest.split_first() {
        match first {
            b'%' => match tail {
                [hi, lo, after @ ..] => match (hex_value(*hi), hex_value(*lo)) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi << 4) | lo);
                        rest = after;
                        continue;
                    }
                    _ => out.push(b'%'),
                },
                _ => out.push(b'%'),
            },
            b'+' if plus_as_space => out.push(b' '),
            other => out.push(other),
        }
        rest = tail;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_decode(raw: &str, plus: bool, expected: &[u8]) {
        assert_eq!(&*decode(raw, plus), expected, "decoding `{raw}`");
    }

    #[test]
    fn decodes_escapes_and_keeps_broken_ones() {
        check_decode("a%20b", false, b"a b");
        check_decode("%E1%88%B4", false, "\u{1234}".as_bytes());
        check_decode("%zz%4", false, b"%zz%4");
        check_decode("%", false, b"%");
        check_decode("a+b", false, b"a+b");
        check_decode("a+b", true, b"a b");
        check_decode("%2b", true, b"+");
    }

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(&*encode(b"-._~azAZ09"), b"-._~azAZ09");
        assert_eq!(&*encode(b"a b/c%"), b"a%20b%2Fc%25");
        assert_eq!(&*encode("\u{1234}".as_bytes()), b"%E1%88%B4");
    }
}
