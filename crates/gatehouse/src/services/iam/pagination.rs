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

/// One page of a complete list already in memory (the short lists of one entity: its
/// attached and inline policies, groups, keys, versions), ordered by `sort_key` (unique per
/// item); the page starts after the marker's key.
pub fn page<T>(
    mut items: Vec<T>,
    max_items: Option<i32>,
    marker: Option<&str>,
    sort_key: impl Fn(&T) -> String,
) -> Result<(Vec<T>, bool, Option<String>), ServiceError> {
    let after = decode_marker(marker)?;
    items.sort_by_cached_key(|item| sort_key(item));
    let rest: Vec<T> = match after {
        Some(after) => items
            .into_iter()
            .filter(|item| sort_key(item) > after)
            .collect(),
        None => items,
    };
    Ok(split(rest, page_size(max_items), sort_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_a_list_in_memory_cover_it_once() {
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(str::to_owned).to_vec();
        let mut shuffled = items.clone();
        shuffled.reverse();
        let mut seen = Vec::new();
        let mut marker: Option<String> = None;
        let mut pages = 0;
        loop {
            let (page, truncated, next) =
                page(shuffled.clone(), Some(2), marker.as_deref(), Clone::clone).unwrap();
            pages += 1;
            seen.extend(page);
            assert_eq!(truncated, next.is_some());
            if !truncated {
                break;
            }
            marker = next;
        }
        assert_eq!(seen, items);
        assert_eq!(pages, 3);
        let (all, truncated, next) = page(items.clone(), None, None, Clone::clone).unwrap();
        assert_eq!((all.len(), truncated, next), (5, false, None));
        let err = page(items, None, Some("***"), Clone::clone).unwrap_err();
        assert_eq!(err.code, "InvalidInput");
    }
}
