//! The canonical query string: every parameter decoded and re-encoded (RFC 3986), sorted
//! by encoded name then encoded value, joined with `&`; a parameter without `=` gets an
//! empty value.
//!
//! `+` decodes to a space, as form encoding and the AWS SDKs' signers read it; escapes
//! that decode to invalid UTF-8 become U+FFFD.

use std::borrow::Cow;

use super::Sink;
use crate::percent::{decode, encode, is_unreserved};

/// One parameter's canonical name and value.
type Pair<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// The canonical (encoded) form of one raw name or value.
fn canonical_component(raw: &str) -> Cow<'_, [u8]> {
    if raw.bytes().all(is_unreserved) {
        return Cow::Borrowed(raw.as_bytes());
    }
    let decoded = decode(raw, true);
    // Escapes that are not UTF-8 read as U+FFFD, as the SDKs' signers and AWS read them.
    let text = String::from_utf8_lossy(&decoded);
    Cow::Owned(encode(text.as_bytes()).into_owned())
}

/// Writes the canonical query of `raw`, leaving out parameters whose decoded name
/// satisfies `exclude`.
pub(super) fn write<S: Sink>(sink: &mut S, raw: &str, exclude: impl Fn(&[u8]) -> bool) {
    if raw.is_empty() {
        return;
    }
    let mut pairs: Vec<Pair<'_>> = raw
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| piece.split_once('=').unwrap_or((piece, "")))
        .filter(|(key, _)| !exclude(&decode(key, true)))
        .map(|(key, value)| (canonical_component(key), canonical_component(value)))
        .collect();
    pairs.sort_unstable();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            sink.put(b"&");
        }
        sink.put(key);
        sink.put(b"=");
        sink.put(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, expected: &str) {
        let mut out = Vec::new();
        write(&mut out, raw, |k| k == b"X-Amz-Signature");
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{raw:?}");
    }

    #[test]
    fn sorts_and_encodes() {
        check("", "");
        check("Param1=value1", "Param1=value1");
        check("Param1", "Param1=");
        check("b=2&a=1&a=0", "a=0&a=1&b=2");
        check(
            "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3",
        );
        check("\u{1234}=bar", "%E1%88%B4=bar");
        check("a=b+c&d=%2b&e=%7e", "a=b%20c&d=%2B&e=~");
        check("a=1&&b=&", "a=1&b=");
        check("x=%zz", "x=%25zz");
        check("x=%A0", "x=%EF%BF%BD");
        check("X-Amz-Signature=abc&X-Amz-Date=1", "X-Amz-Date=1");
        check("X-Amz-%53ignature=abc", "");
        check("k=a=b", "k=a%3Db");
    }
}
