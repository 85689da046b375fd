//! The canonical request: method, canonical path, canonical query, canonical headers,
//! signed header list and payload hash, exactly as AWS specifies for SigV4.
//!
//! Everything is written through a [`Sink`]; verification writes straight into a
//! streaming SHA-256, so the text is never kept.

mod headers;
mod path;
mod query;

use crate::auth::{AuthLocation, ParsedAuth};
use crate::request::Request;

pub use path::PathStyle;

/// Where canonical text goes.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Writes every line of the canonical request before the payload hash, including the
/// newline after the signed header list.
///
/// For presigned requests `X-Amz-Signature` is left out of the query, and so is
/// `X-Amz-Security-Token` when `omit_token_param` is set.
pub(crate) fn write_prefix<S: Sink>(
    sink: &mut S,
    req: &Request,
    auth: &ParsedAuth,
    style: PathStyle,
    omit_token_param: bool,
) {
    sink.put(req.method.as_bytes());
    sink.put(b"\n");
    path::write(sink, req.path, style);
    sink.put(b"\n");
    match auth.location {
        AuthLocation::Header => query::write(sink, req.query, |_| false),
        AuthLocation::Query { .. } => query::write(sink, req.query, |key| {
            key == crate::auth::SIGNATURE_PARAM.as_bytes()
                || (omit_token_param && key == crate::auth::TOKEN_PARAM.as_bytes())
        }),
    }
    sink.put(b"\n");
    headers::write(sink, req, &auth.signed_headers);
}

/// The canonical request for `req` with the given payload hash (hex or
/// `UNSIGNED-PAYLOAD`), as text. Verification hashes the same bytes without keeping them.
pub fn canonical_request(
    req: &Request,
    auth: &ParsedAuth,
    style: PathStyle,
    payload_hash: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + req.query.len() + req.path.len());
    write_prefix(&mut out, req, auth, style, false);
    out.put(payload_hash.as_bytes());
    out
}
