//! The incoming request as this crate sees it: borrowed method, raw path, raw query,
//! headers and body. No HTTP crate types, no copies.

use std::borrow::Cow;

/// An incoming request, borrowed from whatever HTTP stack received it.
///
/// The server must pass a `host` header (for HTTP/2, built from `:authority`), since `host`
/// is always signed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The HTTP method, as received (`GET`, `POST`, ...).
    pub method: &'a str,
    /// The path as received: still percent-encoded, without the query.
    pub path: &'a str,
    /// The raw query string without the leading `?`; may be empty.
    pub query: &'a str,
    /// The headers as received: names in any case, repeated names allowed, in order.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The full request body.
    pub body: &'a [u8],
}

impl<'a> Request<'a> {
    /// The values of every header called `name` (ASCII case-insensitive), in order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| same_name(n, name))
            .map(|(_, v)| *v)
    }

    /// [`Request::header_values`] for a name given as bytes.
    pub(crate) fn header_values_bytes<'s>(
        &'s self,
        name: &'s [u8],
    ) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| {
                n.len() == name.len() && crate::scan::eq_ignore_ascii_case(n.as_bytes(), name)
            })
            .map(|(_, v)| *v)
    }

    /// The value of header `name` when it occurs exactly once.
    ///
    /// `Ok(None)` when absent; `Err(())` when repeated, which callers treat as malformed
    /// rather than picking one of the values.
    pub(crate) fn single_header(&self, name: &str) -> Result<Option<&'a [u8]>, ()> {
        let mut values = self.header_values(name);
        let first = values.next();
        match values.next() {
            Some(_) => Err(()),
            None => Ok(first),
        }
    }

    /// The query parameters as raw (still encoded) `(key, value)` pairs, in order.
    ///
    /// Empty pieces (`a=1&&b=2`, a trailing `&`) are skipped; a piece without `=` has an
    /// empty value.
    pub(crate) fn raw_query_pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.query
            .split('&')
            .filter(|piece| !piece.is_empty())
            .map(|piece| piece.split_once('=').unwrap_or((piece, "")))
    }
}

/// `bytes` as text: borrowed when it is UTF-8 (the fast, common case), else with
/// U+FFFD for invalid sequences.
pub(crate) fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// `bytes` as text without surrounding whitespace, borrowed when it is UTF-8.
pub(crate) fn trimmed_text(bytes: &[u8]) -> Cow<'_, str> {
    match text(bytes) {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    }
}

/// Whether header names `a` and `b` are equal, ignoring ASCII case. Most names differ in
/// length, so that is checked first, inline.
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && crate::scan::eq_ignore_ascii_case(a.as_bytes(), b.as_bytes())
}
