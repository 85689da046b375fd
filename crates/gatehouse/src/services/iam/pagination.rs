//! `Marker` / `MaxItems` / `IsTruncated` as IAM pages its lists. A marker is opaque to
//! clients: the base64 of the sort key of the last item returned.

use base64::Engine;
use wire::ServiceError;

/// IAM's default page size.
pub const DEFAULT_MAX_ITEMS: i32 = 100;

/// The page size to use (validated by the model to 1..=1000).
pub fn page_size(max_items: Option<i32>) -> i64 {
    i64::from(max_items.unwrap_or(DEFAULT_MAX_ITEMS).clamp(1, 1000))
}

/// Decodes a marker back to the sort key it stands for.
pub fn decode_marker(marker: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(marker) = marker else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(marker)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Some)
        .ok_or_else(|| ServiceError::new("InvalidInput", 400, "Invalid Marker."))
}

/// The marker for a page ending at `last_key`.
pub fn encode_marker(last_key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_key)
}

/// Cuts a page from rows fetched with one row beyond `limit` (which tells whether more
/// follow): the page, whether it is truncated, and the marker to continue from.
pub fn split<T>(
    mut rows: Vec<T>,
    limit: i64,
    sort_key: impl Fn(&T) -> String,
) -> (Vec<T>, bool, Option<String>) {
    let truncated = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let marker = if truncated {
        rows.last().map(|row| encode_marker(&sort_key(row)))
    } else {
        None
    };
    (rows, truncated, marker)
}
