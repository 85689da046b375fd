//! The cursor the generated awsQuery decoders walk the parameters with: it tracks the
//! parameter name being read (`Tags.member.1.Key`) and the member path AWS quotes in
//! validation messages (`tags.1.member.key`), and collects violations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;

use crate::error::ServiceError;
use crate::query::QueryParams;
use crate::timestamp::{parse_iso8601, Timestamp};
use crate::validate::{LenRule, NumRule, StrRule, Violations};

/// Reads typed values out of [`QueryParams`]; the generated `from_query` drives it.
pub struct QueryReader<'a> {
    params: &'a QueryParams,
    key: String,
    path: String,
    violations: Violations,
}

/// Where the reader was before it stepped into a member, to step back out.
struct Mark {
    key: usize,
    path: usize,
}

impl<'a> QueryReader<'a> {
    /// A reader at the top of the request.
    pub fn new(params: &'a QueryParams) -> Self {
        Self {
            params,
            key: String::new(),
            path: String::new(),
            violations: Violations::default(),
        }
    }

    /// `ValidationError` if anything read so far broke the model's constraints.
    pub fn finish(self) -> Result<(), ServiceError> {
        match self.violations.into_error("ValidationError") {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    fn enter(&mut self, key: &str, path: &str) -> Mark {
        let mark = Mark {
            key: self.key.len(),
            path: self.path.len(),
        };
        if !self.key.is_empty() {
            self.key.push('.');
        }
        self.key.push_str(key);
        if !path.is_empty() {
            if !self.path.is_empty() {
                self.path.push('.');
            }
            self.path.push_str(path);
        }
        mark
    }

    fn leave(&mut self, mark: Mark) {
        self.key.truncate(mark.key);
        self.path.truncate(mark.path);
    }

    /// An optional member of the structure being read.
    pub fn opt<T>(&mut self, name: &str, path: &str, f: fn(&mut Self) -> Option<T>) -> Option<T> {
        let mark = self.enter(name, path);
        let value = f(self);
        self.leave(mark);
        value
    }

    /// A required member: when absent, a `must not be null` violation and the default.
    pub fn req<T: Default>(&mut self, name: &str, path: &str, f: fn(&mut Self) -> Option<T>) -> T {
        self.req_or(name, path, f, T::default)
    }

    /// A required member whose type has no `Default` (timestamps).
    pub fn req_or<T>(
        &mut self,
        name: &str,
        path: &str,
        f: fn(&mut Self) -> Option<T>,
        fallback: fn() -> T,
    ) -> T {
        let mark = self.enter(name, path);
        let value = f(self);
        let value = match value {
            Some(v) => v,
            None => {
                self.violations.null(&self.path);
                fallback()
            }
        };
        self.leave(mark);
        value
    }

    /// A structure here, read by `body` when any parameter lies below the current name.
    pub fn structure<T>(&mut self, body: fn(&mut Self) -> T) -> Option<T> {
        if self.params.has_prefix(&self.key) {
            Some(body(self))
        } else {
            None
        }
    }

    fn raw(&self) -> Option<&'a str> {
        self.params.get(&self.key)
    }

    /// A string (or enum) value, checked against `rule`.
    pub fn string(&mut self, rule: &StrRule) -> Option<String> {
        let value = self.raw()?;
        self.violations.check_str(&self.path, value, rule);
        Some(value.to_owned())
    }

    fn number<T: std::str::FromStr + Copy + Into<f64>>(
        &mut self,
        rule: &NumRule,
        what: &str,
    ) -> Option<T> {
        let raw = self.raw().filter(|v| !v.is_empty())?;
        match raw.trim().parse::<T>() {
            Ok(v) => {
                self.violations.check_num(&self.path, v.into(), raw, rule);
                Some(v)
            }
            Err(_) => {
                self.violations.malformed(&self.path, raw, what);
                None
            }
        }
    }

    /// An `integer` value, checked against its range.
    pub fn integer(&mut self, rule: &NumRule) -> Option<i32> {
        self.number::<i32>(rule, "an integer")
    }

    /// A `long` value, checked against its range.
    pub fn long(&mut self, rule: &NumRule) -> Option<i64> {
        let raw = self.raw().filter(|v| !v.is_empty())?;
        match raw.trim().parse::<i64>() {
            Ok(v) => {
                let as_f64 = v as f64;
                self.violations.check_num(&self.path, as_f64, raw, rule);
                Some(v)
            }
            Err(_) => {
                self.violations.malformed(&self.path, raw, "a long");
                None
            }
        }
    }

    /// A `double` or `float` value, checked against its range.
    pub fn double(&mut self, rule: &NumRule) -> Option<f64> {
        self.number::<f64>(rule, "a number")
    }

    /// A `boolean`: `true` or `false`, in any case.
    pub fn boolean(&mut self) -> Option<bool> {
        let raw = self.raw().filter(|v| !v.is_empty())?;
        if raw.eq_ignore_ascii_case("true") {
            Some(true)
        } else if raw.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            self.violations.malformed(&self.path, raw, "a boolean");
            None
        }
    }

    /// A `timestamp` in ISO 8601.
    pub fn timestamp(&mut self) -> Option<Timestamp> {
        let raw = self.raw().filter(|v| !v.is_empty())?;
        let parsed = parse_iso8601(raw.trim());
        if parsed.is_none() {
            self.violations.malformed(&self.path, raw, "a timestamp");
        }
        parsed
    }

    /// A `blob` in base64, checked against its length rule.
    pub fn blob(&mut self, rule: &LenRule, sensitive: bool) -> Option<Vec<u8>> {
        let raw = self.raw()?;
        match base64::engine::general_purpose::STANDARD.decode(raw.trim()) {
            Ok(bytes) => {
                let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                self.violations.check_len(
                    &self.path,
                    Some(raw),
                    sensitive,
                    len,
                    rule.min,
                    rule.max,
                );
                Some(bytes)
            }
            Err(_) => {
                self.violations.malformed(&self.path, raw, "base64");
                None
            }
        }
    }

    /// A list: `Name.member.1`, `Name.member.2`, … (or `Name.1`, … when flattened), read
    /// while the indexes are contiguous; `Name=` alone is the empty list.
    pub fn list<T>(
        &mut self,
        member: &str,
        flattened: bool,
        rule: &LenRule,
        f: fn(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let present = self.params.has_prefix(&self.key);
        if !present {
            return None;
        }
        let mut items = Vec::new();
        let mut key = String::new();
        for index in 1usize.. {
            key.clear();
            if !flattened {
                key.push_str(member);
                key.push('.');
            }
            let _ = write!(key, "{index}");
            let mark = self.enter(&key, "");
            let here = self.params.has_prefix(&self.key);
            if here {
                let _ = write!(self.path, ".{index}.member");
                if let Some(item) = f(self) {
                    items.push(item);
                }
            }
            self.leave(mark);
            if !here {
                break;
            }
        }
        let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
        if Violations::len_out_of_range(len, rule.min, rule.max) {
            // AWS quotes a list of scalars as `[a, b]`.
            let mut shown = Vec::with_capacity(items.len());
            for index in 1..=items.len() {
                key.clear();
                if !flattened {
                    key.push_str(member);
                    key.push('.');
                }
                let _ = write!(key, "{index}");
                let mark = self.enter(&key, "");
                shown.push(self.raw());
                self.leave(mark);
            }
            let shown: Option<Vec<&str>> = shown.into_iter().collect();
            let shown = shown.map(|s| format!("[{}]", s.join(", ")));
            self.violations
                .check_len(&self.path, shown.as_deref(), false, len, rule.min, rule.max);
        }
        Some(items)
    }

    /// A map: `Name.entry.N.key` / `Name.entry.N.value` (entry, key and value names from the
    /// model), read while the indexes are contiguous.
    #[expect(
        clippy::too_many_arguments,
        reason = "mirrors the model's map traits one to one"
    )]
    pub fn map<V>(
        &mut self,
        entry: &str,
        flattened: bool,
        key_name: &str,
        value_name: &str,
        rule: &LenRule,
        fk: fn(&mut Self) -> Option<String>,
        fv: fn(&mut Self) -> Option<V>,
    ) -> Option<BTreeMap<String, V>> {
        if !self.params.has_prefix(&self.key) {
            return None;
        }
        let mut map = BTreeMap::new();
        let mut key = String::new();
        for index in 1usize.. {
            key.clear();
            if !flattened {
                key.push_str(entry);
                key.push('.');
            }
            let _ = write!(key, "{index}");
            let mark = self.enter(&key, "");
            let here = self.params.has_prefix(&self.key);
            if here {
                let _ = write!(self.path, ".{index}");
                let k = self.opt(key_name, "key", fk);
                let v = self.opt(value_name, "value", fv);
                if let (Some(k), Some(v)) = (k, v) {
                    map.insert(k, v);
                }
            }
            self.leave(mark);
            if !here {
                break;
            }
        }
        let len = u64::try_from(map.len()).unwrap_or(u64::MAX);
        self.violations
            .check_len(&self.path, None, false, len, rule.min, rule.max);
        Some(map)
    }
}

#[cfg(test)]
mod tests {
    //! The list and map forms of Smithy's awsQuery protocol tests (`input-lists`,
    //! `input-maps`), read through hand-written decoders shaped like the generated ones.

    use super::*;

    fn params(form: &str) -> QueryParams {
        QueryParams::parse(form.as_bytes()).unwrap()
    }

    fn string(r: &mut QueryReader<'_>) -> Option<String> {
        r.string(&StrRule::NONE)
    }

    type ListFn = fn(&mut QueryReader<'_>) -> Option<Vec<String>>;
    type MapFn = fn(&mut QueryReader<'_>) -> Option<BTreeMap<String, String>>;

    fn read<T>(form: &str, name: &str, f: fn(&mut QueryReader<'_>) -> Option<T>) -> Option<T> {
        let p = params(form);
        let mut r = QueryReader::new(&p);
        r.opt(name, "x", f)
    }

    const MEMBER: ListFn = |r| r.list("member", false, &LenRule::NONE, string);
    const FLAT: ListFn = |r| r.list("member", true, &LenRule::NONE, string);
    const ITEM: ListFn = |r| r.list("item", false, &LenRule::NONE, string);

    fn strings(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn lists() {
        let form = "ListArg.member.1=foo&ListArg.member.2=bar&ListArg.member.3=baz";
        assert_eq!(
            read(form, "ListArg", MEMBER),
            strings(&["foo", "bar", "baz"])
        );
        assert_eq!(read("ListArg=", "ListArg", MEMBER), strings(&[]));
        assert_eq!(read("Other=1", "ListArg", MEMBER), None);
        let form = "FlattenedListArg.1=A&FlattenedListArg.2=B";
        assert_eq!(read(form, "FlattenedListArg", FLAT), strings(&["A", "B"]));
        let form = "ListArgWithXmlNameMember.item.1=A&ListArgWithXmlNameMember.item.2=B";
        assert_eq!(
            read(form, "ListArgWithXmlNameMember", ITEM),
            strings(&["A", "B"])
        );
    }

    const MAP: MapFn = |r| {
        r.map(
            "entry",
            false,
            "key",
            "value",
            &LenRule::NONE,
            string,
            string,
        )
    };
    const MAP_KV: MapFn = |r| r.map("entry", false, "K", "V", &LenRule::NONE, string, string);
    const FLAT_KV: MapFn = |r| r.map("entry", true, "K", "V", &LenRule::NONE, string, string);

    fn pairs(items: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            items
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn maps() {
        let form = "MapArg.entry.1.key=foo&MapArg.entry.1.value=Foo&MapArg.entry.2.key=bar&MapArg.entry.2.value=Bar";
        assert_eq!(
            read(form, "MapArg", MAP),
            pairs(&[("bar", "Bar"), ("foo", "Foo")])
        );
        let form = "MapWithXmlMemberName.entry.1.K=foo&MapWithXmlMemberName.entry.1.V=Foo";
        assert_eq!(
            read(form, "MapWithXmlMemberName", MAP_KV),
            pairs(&[("foo", "Foo")])
        );
        let form = "Hi.1.K=foo&Hi.1.V=Foo&Hi.2.K=bar&Hi.2.V=Bar";
        assert_eq!(
            read(form, "Hi", FLAT_KV),
            pairs(&[("bar", "Bar"), ("foo", "Foo")])
        );
        assert_eq!(read("Action=QueryMaps", "MapArg", MAP), None);
    }

    #[test]
    fn scalars_and_violations() {
        let p = params("Int=12&Bad=x&Flag=TRUE&When=2014-04-29T18:30:38Z&Data=dmFsdWU%3D");
        let mut r = QueryReader::new(&p);
        assert_eq!(r.opt("Int", "int", |r| r.integer(&NumRule::NONE)), Some(12));
        assert_eq!(r.opt("Bad", "bad", |r| r.integer(&NumRule::NONE)), None);
        assert_eq!(r.opt("Flag", "flag", QueryReader::boolean), Some(true));
        assert_eq!(
            r.opt("When", "when", QueryReader::timestamp)
                .map(|t| t.unix_timestamp()),
            Some(1_398_796_238)
        );
        assert_eq!(
            r.opt("Data", "data", |r| r.blob(&LenRule::NONE, false)),
            Some(b"value".to_vec())
        );
        let missing: String = r.req("Name", "name", string);
        assert_eq!(missing, "");
        assert_eq!(
            r.finish().unwrap_err().message,
            "2 validation errors detected: Value 'x' at 'bad' failed to satisfy constraint: Member must be an integer; \
             Value null at 'name' failed to satisfy constraint: Member must not be null"
        );
    }
}
