//! Canonical headers and the signed header list: for each signed name, every value of
//! that header (any case) trimmed, inner runs of spaces collapsed, joined with commas.

use super::Sink;
use crate::request::Request;
use crate::scan::has_space_run;

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
/// and its newline. `signed` is the lower-cased, `;`-separated list of names.
pub(super) fn write<S: Sink>(sink: &mut S, req: &Request, signed: &str) {
    // `;` is ASCII, so splitting bytes splits the text.
    for name in signed.as_bytes().split(|b| *b == b';') {
        sink.put(name);
        sink.put(b":");
        for (i, value) in req.header_values_bytes(name).enumerate() {
            if i > 0 {
                sink.put(b",");
            }
            write_value(sink, value);
        }
        sink.put(b"\n");
    }
    sink.put(b"\n");
    sink.put(signed.as_bytes());
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
        let mut out = Vec::new();
        write(&mut out, &req, &signed.join(";"));
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
