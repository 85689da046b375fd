//! `decode.rs`: one reader function per input shape, with the model's constraints as
//! rules, and the patterns as lazily compiled statics.

use std::collections::{BTreeMap, BTreeSet};

use super::types::fields;
use super::{f64_lit, len_lit, Gen};
use crate::model::{Kind, Shape};
use crate::names;
use crate::patterns;

pub fn emit(g: &Gen<'_>) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let mut referenced = BTreeSet::new();
    for name in &g.inputs {
        let shape = g.shape(name)?;
        match &shape.kind {
            Kind::Structure(s) => {
                referenced.extend(s.members.iter().map(|m| m.target.shape.clone()));
            }
            Kind::List(m) => {
                referenced.insert(m.shape.clone());
            }
            Kind::Map { value, .. } => {
                referenced.insert(value.shape.clone());
            }
            _ => {}
        }
    }

    let mut patterns: BTreeMap<String, (usize, Result<String, String>)> = BTreeMap::new();
    for name in &g.inputs {
        if let Some(p) = &g.shape(name)?.pattern {
            let next = patterns.len();
            patterns
                .entry(p.clone())
                .or_insert_with(|| (next, patterns::translate(p)));
        }
    }

    let reader = if g.is_query() {
        "crate::query::QueryReader"
    } else {
        "crate::json::JsonReader"
    };
    let mut out = String::new();
    let mut skipped = Vec::new();
    let mut by_index: Vec<(&usize, &String, &Result<String, String>)> =
        patterns.iter().map(|(src, (i, r))| (i, src, r)).collect();
    by_index.sort_by_key(|(i, _, _)| **i);
    for (i, src, translated) in by_index {
        match translated {
            Ok(re) => out.push_str(&format!(
                "static PATTERN_{i}: Pattern = Pattern {{\n    source: {src:?},\n    regex: LazyLock::new(|| Regex::new({re:?}).ok()),\n}};\n\n"
            )),
            Err(why) => {
                out.push_str(&format!(
                    "// Pattern {src:?} is not checked: the regex crate cannot compile it ({why}).\n\n"
                ));
                skipped.push((src.clone(), why.clone()));
            }
        }
    }

    let pattern_ref = |shape: &Shape| -> String {
        match shape.pattern.as_ref().and_then(|p| patterns.get(p)) {
            Some((i, Ok(_))) => format!("Some(&PATTERN_{i})"),
            _ => "None".to_owned(),
        }
    };
    let str_rule = |shape: &Shape, values: &str| -> String {
        let pattern = pattern_ref(shape);
        if shape.min.is_none()
            && shape.max.is_none()
            && pattern == "None"
            && values == "&[]"
            && !shape.sensitive
        {
            return "&StrRule::NONE".to_owned();
        }
        format!(
            "&StrRule {{ min: {}, max: {}, pattern: {}, values: {values}, sensitive: {} }}",
            len_lit(shape.min),
            len_lit(shape.max),
            pattern,
            shape.sensitive
        )
    };

    for name in &g.inputs {
        let shape = g.shape(name)?;
        let stem = g.stem(name)?;
        let ty = g.rust_type(name)?;
        if let Kind::Structure(s) = &shape.kind {
            if referenced.contains(name) {
                out.push_str(&format!(
                    "pub(super) fn d_{stem}(r: &mut Reader<'_>) -> Option<{ty}> {{\n    r.structure(b_{stem})\n}}\n\n"
                ));
            }
            let fields = fields(g, name, s)?;
            let arg = if fields.is_empty() { "_r" } else { "r" };
            out.push_str(&format!(
                "pub(super) fn b_{stem}({arg}: &mut Reader<'_>) -> {ty} {{\n    {ty} {{\n"
            ));
            for f in &fields {
                let wire = f
                    .member
                    .target
                    .location_name
                    .as_deref()
                    .unwrap_or(&f.member.name);
                let path = names::path(&f.member.name);
                let target_shape = g.shape(&f.member.target.shape)?;
                let target = match &target_shape.kind {
                    // A list flattened at the member rather than the shape: read it inline.
                    Kind::List(item)
                        if f.member.flattened && !target_shape.flattened && g.is_query() =>
                    {
                        format!(
                            "|r| r.list({:?}, true, {}, d_{})",
                            item.location_name.as_deref().unwrap_or("member"),
                            len_rule(target_shape),
                            g.stem(&item.shape)?
                        )
                    }
                    _ => format!("d_{}", g.stem(&f.member.target.shape)?),
                };
                let read = if f.required {
                    if f.timestamp {
                        format!(
                            "r.req_or({wire:?}, {path:?}, {target}, || crate::timestamp::EPOCH)"
                        )
                    } else {
                        format!("r.req({wire:?}, {path:?}, {target})")
                    }
                } else {
                    format!("r.opt({wire:?}, {path:?}, {target})")
                };
                let read = match (f.boxed, f.required) {
                    (true, true) => format!("Box::new({read})"),
                    (true, false) => format!("{read}.map(Box::new)"),
                    _ => read,
                };
                out.push_str(&format!("        {}: {read},\n", f.rust));
            }
            out.push_str("    }\n}\n\n");
            continue;
        }
        if !referenced.contains(name) {
            continue;
        }
        let body = match &shape.kind {
            Kind::Structure(_) => continue,
            Kind::String { values } if !values.is_empty() => {
                format!(
                    "r.string({}).map({ty}::from)",
                    str_rule(shape, &format!("{ty}::VALUES"))
                )
            }
            Kind::String { .. } => format!("r.string({})", str_rule(shape, "&[]")),
            Kind::Integer => format!("r.integer({})", num_rule(shape)),
            Kind::Long => format!("r.long({})", num_rule(shape)),
            Kind::Double => format!("r.double({})", num_rule(shape)),
            Kind::Boolean => "r.boolean()".to_owned(),
            Kind::Timestamp => "r.timestamp()".to_owned(),
            Kind::Blob => format!("r.blob({}, {})", len_rule(shape), shape.sensitive),
            Kind::List(m) => format!(
                "r.list({:?}, {}, {}, d_{})",
                m.location_name.as_deref().unwrap_or("member"),
                shape.flattened,
                len_rule(shape),
                g.stem(&m.shape)?
            ),
            Kind::Map { key, value } => {
                let key_shape = g.shape(&key.shape)?;
                let values = match &key_shape.kind {
                    Kind::String { values } if !values.is_empty() => {
                        format!("{}::VALUES", g.rust_type(&key.shape)?)
                    }
                    _ => "&[]".to_owned(),
                };
                format!(
                    "r.map(\"entry\", {}, {:?}, {:?}, {}, |r| r.string({}), d_{})",
                    shape.flattened,
                    key.location_name.as_deref().unwrap_or("key"),
                    value.location_name.as_deref().unwrap_or("value"),
                    len_rule(shape),
                    str_rule(key_shape, &values),
                    g.stem(&value.shape)?
                )
            }
        };
        out.push_str(&format!(
            "pub(super) fn d_{stem}(r: &mut Reader<'_>) -> Option<{ty}> {{\n    {body}\n}}\n\n"
        ));
    }
    let mut uses = Vec::new();
    if out.contains("LazyLock::new") {
        uses.push("use std::sync::LazyLock;\n\nuse regex::Regex;\n".to_owned());
    }
    let rules: Vec<&str> = ["LenRule", "NumRule", "Pattern", "StrRule"]
        .into_iter()
        .filter(|r| out.contains(&format!("{r} ")) || out.contains(&format!("{r}::")))
        .collect();
    if !rules.is_empty() {
        uses.push(format!("use crate::validate::{{{}}};\n", rules.join(", ")));
    }
    uses.push("use super::types::*;\n".to_owned());
    let full = format!(
        "//! Decoders for the inputs of `{}`, with the model's constraints checked as they are\n\
         //! read. Only shapes reachable from an operation input are here.\n\n{}\n{}\n\
         type Reader<'a> = {reader}<'a>;\n\n{out}",
        g.model.service,
        g.header,
        uses.join("\n"),
    );
    Ok((full, skipped))
}

fn num_rule(shape: &Shape) -> String {
    if shape.min.is_none() && shape.max.is_none() {
        return "&NumRule::NONE".to_owned();
    }
    format!(
        "&NumRule {{ min: {}, max: {} }}",
        f64_lit(shape.min),
        f64_lit(shape.max)
    )
}

fn len_rule(shape: &Shape) -> String {
    if shape.min.is_none() && shape.max.is_none() {
        return "&LenRule::NONE".to_owned();
    }
    format!(
        "&LenRule {{ min: {}, max: {} }}",
        len_lit(shape.min),
        len_lit(shape.max)
    )
}
