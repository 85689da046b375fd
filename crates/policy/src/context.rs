//! The request context: condition keys (case-insensitive) and their values.
//!
//! Values are kept as text; operators read them as numbers, dates, addresses or booleans
//! when they compare (see `values`). A key is single-valued or multi-valued, which changes
//! how unqualified operators and `ForAnyValue:`/`ForAllValues:` treat it.

use crate::pattern::Resolve;

/// The value(s) of one context key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multi-valued key (e.g. `aws:TagKeys`); may be empty.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values, one for a single-valued key.
    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(v) => std::slice::from_ref(v),
            ContextValue::Multi(v) => v,
        }
    }

    /// A multi-valued key from any list of texts.
    pub fn multi<I, S>(values: I) -> ContextValue
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ContextValue::Multi(values.into_iter().map(Into::into).collect())
    }

    /// A date value, from seconds since the Unix epoch (written as ISO 8601, UTC).
    pub fn epoch_seconds(secs: i64) -> ContextValue {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        ContextValue::Single(format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        ))
    }
}

/// Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl From<&str> for ContextValue {
    fn from(v: &str) -> Self {
        ContextValue::Single(v.to_owned())
    }
}

impl From<String> for ContextValue {
    fn from(v: String) -> Self {
        ContextValue::Single(v)
    }
}

impl From<bool> for ContextValue {
    fn from(v: bool) -> Self {
        ContextValue::Single(if v { "true" } else { "false" }.to_owned())
    }
}

impl From<i64> for ContextValue {
    fn from(v: i64) -> Self {
        ContextValue::Single(v.to_string())
    }
}

impl From<Vec<String>> for ContextValue {
    fn from(v: Vec<String>) -> Self {
        ContextValue::Multi(v)
    }
}

/// A lower-cased condition key with its hash, computed once (when a policy is compiled or
/// a context key is set) so lookups compare integers first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key {
    hash: u64,
    // INVARIANT: ASCII-lower-cased.
    name: Box<str>,
}

impl Key {
    /// The key for `name`, in any case.
    pub(crate) fn new(name: &str) -> Key {
        let name = name.to_ascii_lowercase();
        Key {
            hash: hash_name(&name),
            name: name.into_boxed_str(),
        }
    }

    /// The hash of the lower-cased name.
    pub(crate) fn hash(&self) -> u64 {
        self.hash
    }

    /// The lower-cased name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// FNV-1a: short keys, no adversarial pressure worth a keyed hash (a context has a few
/// dozen keys).
pub(crate) fn hash_name(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Condition keys and their values; keys compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    // INVARIANT: sorted by key (hash first), keys unique.
    entries: Vec<(Key, ContextValue)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets `key` (any case) to `value`, replacing what was there.
    pub fn insert(&mut self, key: &str, value: impl Into<ContextValue>) {
        let key = Key::new(key);
        let value = value.into();
        match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(pos) => {
                if let Some(slot) = self.entries.get_mut(pos) {
                    slot.1 = value;
                }
            }
            Err(pos) => self.entries.insert(pos, (key, value)),
        }
    }

    /// Removes `key` (any case).
    pub fn remove(&mut self, key: &str) -> Option<ContextValue> {
        let key = Key::new(key);
        let pos = self.entries.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        Some(self.entries.remove(pos).1)
    }

    /// The value of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.get_key(&Key::new(key))
    }

    /// The value of a compiled key, without allocating.
    pub(crate) fn get_key(&self, key: &Key) -> Option<&ContextValue> {
        // Entries are sorted by hash first: search on the integer alone, then compare the
        // names of the (almost always one) entries with that hash.
        let start = self.entries.partition_point(|(k, _)| k.hash < key.hash);
        self.entries
            .get(start..)?
            .iter()
            .take_while(|(k, _)| k.hash == key.hash)
            .find(|(k, _)| k.name == key.name)
            .map(|(_, v)| v)
    }

    /// Iterates over (lower-case key, value) pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, v)| (k.name(), v))
    }
}

impl Resolve for Context {
    fn resolve(&self, key: &Key) -> Option<&str> {
        match self.get_key(key)? {
            ContextValue::Single(v) => Some(v),
            ContextValue::Multi(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_dates_format() {
        let mut c = Context::new();
        c.insert("aws:PrincipalTag/Team", "red");
        assert_eq!(
            c.get("AWS:principaltag/team"),
            Some(&ContextValue::from("red"))
        );
        assert_eq!(
            ContextValue::epoch_seconds(1_577_836_800),
            ContextValue::from("2020-01-01T00:00:00Z")
        );
        assert_eq!(
            ContextValue::epoch_seconds(0),
            ContextValue::from("1970-01-01T00:00:00Z")
        );
    }
}
