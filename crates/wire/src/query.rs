//! awsQuery input: the `application/x-www-form-urlencoded` parameters of a request
//! (`Action=CreateUser&UserName=bob&Tags.member.1.Key=k`), and the reader the generated
//! decoders walk them with. Never renders responses (see `xml`).

mod reader;

use std::collections::BTreeMap;

use crate::error::ServiceError;

pub use reader::QueryReader;

/// The decoded parameters of one awsQuery request, by name. When a name repeats, the first
/// value wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    params: BTreeMap<String, String>,
}

impl QueryParams {
    /// Parses a form body or URL query string. `+` is a space; a bad `%` escape or a
    /// name or value that is not UTF-8 is `MalformedQueryString`.
    pub fn parse(form: &[u8]) -> Result<QueryParams, ServiceError> {
        let mut out = QueryParams::default();
        for pair in form.split(|b| *b == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(at) => (
                    pair.get(..at).unwrap_or_default(),
                    pair.get(at + 1..).unwrap_or_default(),
                ),
                None => (pair, &[][..]),
            };
            out.insert(percent_decode(name)?, percent_decode(value)?);
        }
        Ok(out)
    }

    /// Parameters from already decoded pairs (e.g. a URL query the HTTP layer parsed).
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> QueryParams
    where
        K: Into<String>,
        V: Into<String>,
    {
        let mut out = QueryParams::default();
        for (name, value) in pairs {
            out.insert(name.into(), value.into());
        }
        out
    }

    /// Adds the parameters of `other` whose names are not here yet.
    pub fn merge(&mut self, other: QueryParams) {
        for (name, value) in other.params {
            self.insert(name, value);
        }
    }

    /// Adds one parameter unless its name is already present.
    pub fn insert(&mut self, name: String, value: String) {
        self.params.entry(name).or_insert(value);
    }

    /// The value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The `Action` parameter: `MissingAction` when absent or empty.
    pub fn action(&self) -> Result<&str, ServiceError> {
        match self.get("Action") {
            Some(action) if !action.is_empty() => Ok(action),
            _ => Err(ServiceError::missing_action(self.get("Version"))),
        }
    }

    /// All parameters, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Whether `name` is present, or any parameter lies below it (`name.…`).
    pub(crate) fn has_prefix(&self, name: &str) -> bool {
        if name.is_empty() {
            return true;
        }
        let below = self
            .params
            .range::<str, _>((std::ops::Bound::Included(name), std::ops::Bound::Unbounded));
        for (k, _) in below {
            let Some(rest) = k.strip_prefix(name) else {
                return false;
            };
            if rest.is_empty() || rest.starts_with('.') {
                return true;
            }
        }
        false
    }
}

/// Decodes one form component: `+` is a space, `%XX` a byte; the result must be UTF-8.
fn percent_decode(input: &[u8]) -> Result<String, ServiceError> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(|c| hex_value(*c));
                let lo = bytes.next().and_then(|c| hex_value(*c));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(ServiceError::malformed_query_string()),
                }
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| ServiceError::malformed_query_string())
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(form: &str, expected: &[(&str, &str)]) {
        let params = QueryParams::parse(form.as_bytes()).unwrap();
        let got: Vec<(&str, &str)> = params.iter().collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn parses_forms() {
        check(
            "Action=CreateUser&UserName=bob+smith&Path=%2Fdev%2F",
            &[
                ("Action", "CreateUser"),
                ("Path", "/dev/"),
                ("UserName", "bob smith"),
            ],
        );
        check("a=1&&b&c=", &[("a", "1"), ("b", ""), ("c", "")]);
        check("a=1&a=2", &[("a", "1")]);
        check("k=%E2%9C%93", &[("k", "\u{2713}")]);
        check("", &[]);
    }

    #[test]
    fn rejects_bad_escapes() {
        for form in ["a=%zz", "a=%4", "a=%FF", "%"] {
            let err = QueryParams::parse(form.as_bytes()).unwrap_err();
            assert_eq!(err.code, "MalformedQueryString", "{form}");
            assert_eq!(err.status, 400);
        }
    }

    #[test]
    fn action_is_required() {
        let params = QueryParams::from_pairs([("Version", "2010-05-08")]);
        let err = params.action().unwrap_err();
        assert_eq!(err.code, "MissingAction");
        assert_eq!(
            err.message,
            "Could not find operation  for version 2010-05-08"
        );
    }

    #[test]
    fn merge_keeps_existing() {
        let mut a = QueryParams::from_pairs([("Action", "GetUser")]);
        a.merge(QueryParams::from_pairs([
            ("Action", "DeleteUser"),
            ("UserName", "x"),
        ]));
        assert_eq!(a.get("Action"), Some("GetUser"));
        assert_eq!(a.get("UserName"), Some("x"));
    }

    #[test]
    fn prefixes() {
        let p = QueryParams::from_pairs([("Tags.member.1.Key", "k"), ("Tagsx", "v")]);
        assert!(p.has_prefix("Tags"));
        assert!(p.has_prefix("Tags.member.1"));
        assert!(!p.has_prefix("Tags.member.2"));
        assert!(!p.has_prefix("Tag"));
        assert!(p.has_prefix("Tagsx"));
    }
}
