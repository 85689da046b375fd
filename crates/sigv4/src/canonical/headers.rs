//! Canonical headers and the signed header list: for each signed name, every value of
//! that header (any case) trimmed, inner runs of spaces collapsed, joined with commas.

use super::Sink;
use crate::request::Request;

/// Writes `value` with surrounding spaces and tabs removed and runs of spaces collapsed.
fn write_value<S: Sink>(sink: &mut S, value: &[u8]) {
    let value = trim_ows(value);
    if !has_space_run(value) {
        sink.put(value);
        return;
    }
    let words = value.split(|&b| b == b' ').filter(|w| !w.is_empty());
    for (i, word) in words.enumerate() {
        if i > 0 {
            sink.put(b" ");
        }
        sink.put(word);
    }
}

/// Whether `value` holds two spaces in a row.
fn has_space_run(value: &[u8]) -> bool {
    match std::str::from_utf8(value) {
        // The common case, and `str::contains` searches fast.
        Ok(text) => text.contains("  "),
        Err(_) => value.windows(2).any(|pair| pair == b"  "),
    }
}

/// `value` without leading and trailing spaces and tabs (HTTP's optional whitespace).
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

/// Writes the canonical header lines, the empty line after them, the signed header list
/// and its newline.
pub(super) fn write<S: Sink>(sink: &mut S, req: &Request, signed: &[String]) {
    for name in signed {
        sink.put(name.as_bytes());
        sink.put(b":");
        for (i, value) in req.header_values(name).enumerate() {
            if i > 0 {
                sink.put(b",");
            }
            write_value(sink, value);
        }
        sink.put(b"\n");
    }
    sink.put(b"\n");
    for (i, name) in signed.iter().enumerate() {
        if i > 0 {
            sink.put(b";");
        }
        sink.put(name.as_bytes());
    }
    sink.put(b"\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(headers: &[(&str, &[u8])], signed: &[&str], expected: &str) {
        let req = Request {
            method: "GET",
            path: "/",
            query: "",
            headers,
            body: b"",
        };
        let signed: Vec<String> = signed.iter().map(|s| s.to_string()).collect();
        let mut out = Vec::new();
        write(&mut out, &req, &signed);
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn trims_collapses_and_joins() {
        check(
            &[
                ("Host", b"example.amazonaws.com"),
                ("My-Header1", b" value1"),
                ("my-header2", b"\"a   b   c\"  \t"),
                ("MY-HEADER1", b"\t value2 "),
            ],
            &["host", "my-header1", "my-header2"],
            "host:example.amazonaws.com\nmy-header1:value1,value2\nmy-header2:\"a b c\"\n\nhost;my-header1;my-header2\n",
        );
        check(
            &[("Host", b"h")],
            &["host", "x-missing"],
            "host:h\nx-missing:\n\nhost;x-missing\n",
        );
        check(&[("Host", b"  ")], &["host"], "host:\n\nhost\n");
    }
}
