//! The JSON of a token's header and payload, checked before any library reads it: each
//! must be one JSON object in which no object, at any depth, names a member twice. Parsers
//! disagree on which of two equal names wins (the first, the last, an error), so a token
//! that depends on it means different things to different readers: it is refused.

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};

/// Whether `bytes` is one JSON object without a repeated member name anywhere in it.
pub(super) fn is_object_without_duplicates(bytes: &[u8]) -> bool {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let top = deserializer.deserialize_any(Unique { top: true });
    top.is_ok() && deserializer.end().is_ok()
}

/// Walks any JSON value; fails on a repeated name, and at the top on anything but an
/// object.
struct Unique {
    top: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(if self.top {
            "a JSON object"
        } else {
            "a JSON value"
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !seen.insert(name) {
                return Err(serde::de::Error::custom("a member name is repeated"));
            }
            map.next_value_seed(Unique { top: false })?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.top {
            return Err(serde::de::Error::custom("not an object"));
        }
        while seq.next_element_seed(Unique { top: false })?.is_some() {}
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.scalar()
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.scalar()
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.scalar()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.scalar()
    }
}

impl Unique {
    fn scalar<E: serde::de::Error>(&self) -> Result<(), E> {
        if self.top {
            Err(E::custom("not an object"))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_object_without_duplicates as check;

    #[test]
    fn repeated_names_are_found_at_any_depth() {
        assert!(check(br#"{"sub":"a","aud":["x","y"],"tags":{"k":["v"]}}"#));
        assert!(!check(br#"{"sub":"a","sub":"admin"}"#));
        assert!(!check(
            br#"{"tags":{"principal_tags":{"k":["a"],"k":["b"]}}}"#
        ));
        assert!(!check(br#"{"list":[{"a":1,"a":2}]}"#));
        // The same name in different objects is no repetition.
        assert!(check(br#"{"a":{"x":1},"b":{"x":2}}"#));
    }

    #[test]
    fn only_one_object_is_accepted() {
        assert!(!check(br#"["a"]"#));
        assert!(!check(br#""text""#));
        assert!(!check(br#"{"a":1} {"b":2}"#));
        assert!(!check(br#"{"a":1"#));
        assert!(check(br#"  {"a":null,"b":true,"c":-1.5}  "#));
    }
}
