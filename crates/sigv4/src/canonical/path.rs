//! The canonical URI: the path normalised (no `.`/`..` segments, no empty segments) and
//! encoded again, as AWS does for every service but S3; or, S3-style, left as sent and
//! encoded once.

use super::Sink;
use crate::percent::{decode, is_unreserved, push_encoded};

/// How the path is canonicalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathStyle {
    /// Every service but S3: remove `.` and `..` segments, collapse repeated slashes, then
    /// URI-encode each segment of the path as received (so `%20` becomes `%2520`).
    #[default]
    Normalized,
    /// S3: no normalisation; the path is decoded and each segment encoded once.
    S3,
}

/// Writes the canonical form of `raw`.
pub(super) fn write<S: Sink>(sink: &mut S, raw: &str, style: PathStyle) {
    match style {
        PathStyle::Normalized => write_normalized(sink, raw),
        PathStyle::S3 => write_s3(sink, raw),
    }
}

/// Whether `raw` is already its own canonical form, the common case.
fn is_canonical(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    if bytes.first() != Some(&b'/') {
        return false;
    }
    // One pass: after each `/`, the segment must not be empty (`//`), `.` or `..`.
    let mut segments = bytes.split(|&b| b == b'/').skip(1).peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if (segment.is_empty() && !last)
            || segment == b"."
            || segment == b".."
            || !segment.iter().all(|&b| is_unreserved(b))
        {
            return false;
        }
    }
    true
}

fn write_normalized<S: Sink>(sink: &mut S, raw: &str) {
    if is_canonical(raw) {
        sink.put(raw.as_bytes());
        return;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in raw.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let trailing_slash = raw.ends_with('/') || raw.ends_with("/.") || raw.ends_with("/..");
    let mut out = Vec::with_capacity(raw.len() + 8);
    for segment in &segments {
        out.push(b'/');
        for &b in segment.as_bytes() {
            push_encoded(&mut out, b);
        }
    }
    if out.is_empty() || trailing_slash {
        out.push(b'/');
    }
    sink.put(&out);
}

fn write_s3<S: Sink>(sink: &mut S, raw: &str) {
    let decoded = decode(raw, false);
    let mut out = Vec::with_capacity(decoded.len() + 8);
    if decoded.first() != Some(&b'/') {
        out.push(b'/');
    }
    for &b in decoded.iter() {
        if b == b'/' {
            out.push(b);
        } else {
            push_encoded(&mut out, b);
        }
    }
    sink.put(&out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, style: PathStyle, expected: &str) {
        let mut out = Vec::new();
        write(&mut out, raw, style);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            expected,
            "{raw:?} {style:?}"
        );
    }

    #[test]
    fn normalizes_like_aws() {
        for (raw, expected) in [
            ("/", "/"),
            ("", "/"),
            ("/iam/", "/iam/"),
            ("//", "/"),
            ("//example//", "/example/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/a/b/.", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/../../a", "/a"),
            ("a/b", "/a/b"),
            ("/example space/", "/example%20space/"),
            ("/a%20b", "/a%2520b"),
            ("/\u{1234}", "/%E1%88%B4"),
            ("/a:b@c", "/a%3Ab%40c"),
            ("/%2E%2E/x", "/%252E%252E/x"),
        ] {
            check(raw, PathStyle::Normalized, expected);
        }
    }

    /// The one-pass check agrees with its definition.
    #[test]
    fn canonical_check_agrees_with_definition() {
        fn reference(raw: &str) -> bool {
            let bytes = raw.as_bytes();
            bytes.first() == Some(&b'/')
                && bytes.iter().all(|&b| b == b'/' || is_unreserved(b))
                && !raw.contains("//")
                && raw
                    .split('/')
                    .all(|segment| segment != "." && segment != "..")
        }
        let pieces = ["/", ".", "a", "%"];
        let mut strings = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            strings.extend(longer);
            strings.sort();
            strings.dedup();
        }
        for raw in &strings {
            assert_eq!(is_canonical(raw), reference(raw), "{raw:?}");
        }
    }

    #[test]
    fn s3_keeps_the_path_and_encodes_once() {
        for (raw, expected) in [
            ("//example//", "//example//"),
            ("/example/..", "/example/.."),
            ("/a%20b", "/a%20b"),
            ("/a b", "/a%20b"),
            ("/a%2fb", "/a/b"),
            ("", "/"),
        ] {
            check(raw, PathStyle::S3, expected);
        }
    }
}
