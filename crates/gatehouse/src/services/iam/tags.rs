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
