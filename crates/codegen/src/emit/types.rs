//! `types.rs`: one struct per structure shape and one enum per string enum shape.

use std::collections::BTreeSet;

use anyhow::bail;

use super::Gen;
use crate::model::{Kind, Structure};
use crate::names;

pub fn emit(g: &Gen<'_>) -> anyhow::Result<String> {
    let mut out = String::new();
    out.push_str(&format!(
        "//! The shapes of `{}`: structures and string enums, named as in the model.\n\n",
        g.model.service
    ));
    out.push_str(&g.header);
    out.push('\n');
    for (name, shape) in &g.model.shapes {
        match &shape.kind {
            Kind::Structure(s) => out.push_str(&structure(g, name, s)?),
            Kind::String { values } if !values.is_empty() => {
                out.push_str(&enumeration(name, values)?);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// One struct field: its name, type and how it is held.
pub struct Field<'m> {
    pub member: &'m crate::model::Member,
    pub rust: String,
    pub ty: String,
    pub required: bool,
    pub boxed: bool,
    pub timestamp: bool,
}

/// The fields of a structure, in model order.
pub fn fields<'m>(g: &Gen<'m>, owner: &str, s: &'m Structure) -> anyhow::Result<Vec<Field<'m>>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for member in &s.members {
        let rust = names::field(&member.name);
        if !seen.insert(rust.clone()) {
            bail!("two members of `{owner}` become field `{rust}`");
        }
        let target = g.shape(&member.target.shape)?;
        let boxed = matches!(target.kind, Kind::Structure(_))
            && g.model.reaches_directly(&member.target.shape, owner);
        out.push(Field {
            member,
            rust,
            ty: g.rust_type(&member.target.shape)?,
            required: s.required.contains(&member.name),
            boxed,
            timestamp: matches!(target.kind, Kind::Timestamp),
        });
    }
    Ok(out)
}

impl Field<'_> {
    /// The field's declared type.
    pub fn declared(&self) -> String {
        let ty = if self.boxed {
            format!("Box<{}>", self.ty)
        } else {
            self.ty.clone()
        };
        if self.required {
            ty
        } else {
            format!("Option<{ty}>")
        }
    }
}

fn structure(g: &Gen<'_>, name: &str, s: &Structure) -> anyhow::Result<String> {
    let ty = names::type_name(name);
    let fields = fields(g, name, s)?;
    let manual_default = fields.iter().any(|f| f.required && f.timestamp);
    let mut secret = Vec::new();
    for f in &fields {
        secret.push(is_sensitive(g, &f.member.target.shape)?);
    }
    let manual_debug = secret.iter().any(|s| *s);
    let derives = match (manual_debug, manual_default) {
        (false, false) => "Debug, Clone, Default, PartialEq",
        (false, true) => "Debug, Clone, PartialEq",
        (true, false) => "Clone, Default, PartialEq",
        (true, true) => "Clone, PartialEq",
    };
    let mut out = String::new();
    out.push_str(&format!("#[derive({derives})]\n"));
    out.push_str(&format!("pub struct {ty} {{\n"));
    for f in &fields {
        out.push_str(&format!("    pub {}: {},\n", f.rust, f.declared()));
    }
    out.push_str("}\n\n");
    if manual_debug {
        // INVARIANT: secrets (the model's `sensitive` shapes) never reach a log through `{:?}`.
        out.push_str(&format!(
            "impl std::fmt::Debug for {ty} {{\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.debug_struct({ty:?})\n"
        ));
        for (f, secret) in fields.iter().zip(&secret) {
            if *secret {
                out.push_str(&format!(
                    "            .field({:?}, &\"*** Sensitive Data Redacted ***\")\n",
                    f.rust
                ));
            } else {
                out.push_str(&format!(
                    "            .field({:?}, &self.{})\n",
                    f.rust, f.rust
                ));
            }
        }
        out.push_str("            .finish()\n    }\n}\n\n");
    }
    if manual_default {
        out.push_str(&format!(
            "impl Default for {ty} {{\n    fn default() -> Self {{\n        Self {{\n"
        ));
        for f in &fields {
            let value = if f.required && f.timestamp {
                "crate::timestamp::EPOCH"
            } else {
                "Default::default()"
            };
            out.push_str(&format!("            {}: {value},\n", f.rust));
        }
        out.push_str("        }\n    }\n}\n\n");
    }
    Ok(out)
}

/// Whether values of a shape are secret: a `sensitive` shape, or a list or map of them.
fn is_sensitive(g: &Gen<'_>, name: &str) -> anyhow::Result<bool> {
    let shape = g.shape(name)?;
    Ok(shape.sensitive
        || match &shape.kind {
            Kind::List(m) => g.shape(&m.shape)?.sensitive,
            Kind::Map { value, .. } => g.shape(&value.shape)?.sensitive,
            _ => false,
        })
}

fn enumeration(name: &str, values: &[String]) -> anyhow::Result<String> {
    let ty = names::type_name(name);
    let mut variants: Vec<(String, &str)> = Vec::new();
    let mut seen = BTreeSet::new();
    for value in values {
        let mut v = names::variant(value);
        let base = v.clone();
        let mut n = 2;
        while !seen.insert(v.clone()) {
            v = format!("{base}{n}");
            n += 1;
        }
        variants.push((v, value));
    }
    if variants.is_empty() {
        bail!("enum `{name}` has no values");
    }
    let mut out = String::new();
    out.push_str("#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n");
    out.push_str(&format!("pub enum {ty} {{\n"));
    for (v, _) in &variants {
        out.push_str(&format!("    {v},\n"));
    }
    out.push_str("    /// A value the model does not list.\n    Unknown(String),\n}\n\n");
    out.push_str(&format!("impl {ty} {{\n"));
    out.push_str("    /// Every value the model lists, in model order.\n");
    out.push_str("    pub const VALUES: &'static [&'static str] = &[");
    for (_, value) in &variants {
        out.push_str(&format!("{value:?}, "));
    }
    out.push_str(
        "];\n\n    /// The wire form.\n    pub fn as_str(&self) -> &str {\n        match self {\n",
    );
    for (v, value) in &variants {
        out.push_str(&format!("            Self::{v} => {value:?},\n"));
    }
    out.push_str("            Self::Unknown(other) => other,\n        }\n    }\n}\n\n");
    out.push_str(&format!(
        "impl Default for {ty} {{\n    fn default() -> Self {{\n        Self::Unknown(String::new())\n    }}\n}}\n\n"
    ));
    out.push_str(&format!(
        "impl From<&str> for {ty} {{\n    fn from(s: &str) -> Self {{\n        match s {{\n"
    ));
    for (v, value) in &variants {
        out.push_str(&format!("            {value:?} => Self::{v},\n"));
    }
    out.push_str("            other => Self::Unknown(other.to_owned()),\n        }\n    }\n}\n\n");
    out.push_str(&format!(
        "impl From<String> for {ty} {{\n    fn from(s: String) -> Self {{\n        match Self::from(s.as_str()) {{\n            Self::Unknown(_) => Self::Unknown(s),\n            known => known,\n        }}\n    }}\n}}\n\n"
    ));
    Ok(out)
}
