//! Tags on IAM entities, as IAM checks and returns them.

use std::collections::HashSet;

use wire::iam::{errors, Tag};
use wire::ServiceError;

/// AWS's quota of tags per entity.
const TAGS_PER_ENTITY: usize = 50;

/// Tags as IAM returns them.
pub(super) fn tags_to_wire(tags: &[(String, String)]) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

/// Merges new tags into existing ones (a key's value is replaced), enforcing IAM's rules.
pub(super) fn merge_tags(
    existing: &mut Vec<(String, String)>,
    new: Vec<Tag>,
) -> Result<(), ServiceError> {
    let mut seen = HashSet::new();
    for tag in &new {
        if !seen.insert(tag.key.to_lowercase()) {
            return Err(errors::invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
    }
    for tag in new {
        match existing
            .iter_mut()
            .find(|(key, _)| key.eq_ignore_ascii_case(&tag.key))
        {
            Some(slot) => slot.1 = tag.value,
            None => existing.push((tag.key, tag.value)),
        }
    }
    if existing.len() > TAGS_PER_ENTITY {
        return Err(errors::limit_exceeded(format!(
            "The number of tags has reached the maximum limit of {TAGS_PER_ENTITY}."
        )));
    }
    Ok(())
}

/// Removes tags by key (case-insensitively); keys that are absent are ignored, as IAM does.
pub(super) fn remove_tags(existing: &mut Vec<(String, String)>, keys: &[String]) {
    existing.retain(|(key, _)| !keys.iter().any(|k| k.eq_ignore_ascii_case(key)));
}

/// One page of an entity's tags for `List*Tags` (`Marker` is the offset reached): the
/// tags, whether more follow, and the marker to continue from.
pub(super) fn page(
    tags: &[(String, String)],
    marker: Option<&str>,
    max_items: Option<i32>,
) -> Result<(Vec<Tag>, bool, Option<String>), ServiceError> {
    let start = match super::pagination::decode_marker(marker)? {
        Some(offset) => offset
            .parse::<usize>()
            .ok()
            .filter(|offset| *offset <= tags.len())
            .ok_or_else(|| errors::invalid_input("Invalid Marker."))?,
        None => 0,
    };
    let size = usize::try_from(super::pagination::page_size(max_items)).unwrap_or(usize::MAX);
    let rest = tags.get(start..).unwrap_or_default();
    let shown = rest.get(..size.min(rest.len())).unwrap_or_default();
    let end = start + shown.len();
    let truncated = end < tags.len();
    let next = truncated.then(|| super::pagination::encode_marker(&end.to_string()));
    Ok((tags_to_wire(shown), truncated, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_pages_follow_markers_to_the_end() {
        let tags: Vec<(String, String)> = (0..5).map(|i| (format!("k{i}"), "v".into())).collect();
        let (first, truncated, marker) = page(&tags, None, Some(2)).unwrap();
        assert_eq!((first.len(), truncated), (2, true));
        let (second, _, marker) = page(&tags, marker.as_deref(), Some(2)).unwrap();
        assert_eq!(second[0].key, "k2");
        let (last, truncated, marker) = page(&tags, marker.as_deref(), Some(2)).unwrap();
        assert_eq!((last.len(), truncated, marker), (1, false, None));
        let bad = crate::services::iam::pagination::encode_marker("99");
        assert!(page(&tags, Some(&bad), None).is_err());
        assert!(page(&tags, Some("!!"), None).is_err());
    }
}
