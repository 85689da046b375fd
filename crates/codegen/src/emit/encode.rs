//! `encode.rs`: one writer function per output structure; lists, maps and scalars are
//! written inline.

use super::types::fields;
use super::Gen;
use crate::model::Kind;

pub fn emit(g: &Gen<'_>) -> anyhow::Result<String> {
    let writer = if g.is_query() {
        "crate::xml::XmlWriter"
    } else {
        "crate::json::JsonWriter"
    };
    let mut out = String::new();
    out.push_str(&format!(
        "//! Encoders for the outputs of `{}`. Only shapes reachable from an operation output\n\
         //! are here.\n\n",
        g.model.service
    ));
    out.push_str(&g.header);
    out.push_str(&format!(
        "\nuse super::types::*;\n\ntype Writer = {writer};\n\n"
    ));
    for name in &g.outputs {
        let Kind::Structure(s) = &g.shape(name)?.kind else {
            continue;
        };
        let stem = g.stem(name)?;
        let ty = g.rust_type(name)?;
        let fields = fields(g, name, s)?;
        let arg = if fields.is_empty() { "_v" } else { "v" };
        out.push_str(&format!(
            "pub(super) fn e_{stem}(w: &mut Writer, {arg}: &{ty}) {{\n    w.begin_struct();\n"
        ));
        for f in &fields {
            let wire = f
                .member
                .target
                .location_name
                .as_deref()
                .unwrap_or(&f.member.name);
            let target = g.shape(&f.member.target.shape)?;
            let flat_list = match &target.kind {
                Kind::List(_) => g.is_query() && (target.flattened || f.member.flattened),
                _ => false,
            };
            let body = if flat_list {
                let Kind::List(item) = &target.kind else {
                    continue;
                };
                format!(
                    "for item in x.iter() {{ w.begin_item({wire:?}); {} w.end_item({wire:?}); }}",
                    value(g, &item.shape, "item", 1)?
                )
            } else {
                format!(
                    "w.begin_member({wire:?}); {} w.end_member({wire:?});",
                    value(g, &f.member.target.shape, "x", 0)?
                )
            };
            if f.required {
                out.push_str(&format!("    {{ let x = &v.{}; {body} }}\n", f.rust));
            } else {
                out.push_str(&format!(
                    "    if let Some(x) = &v.{} {{ {body} }}\n",
                    f.rust
                ));
            }
        }
        out.push_str("    w.end_struct();\n}\n\n");
    }
    Ok(out)
}

/// Statements writing the value `expr` (a reference) of shape `name`.
fn value(g: &Gen<'_>, name: &str, expr: &str, depth: usize) -> anyhow::Result<String> {
    let shape = g.shape(name)?;
    Ok(match &shape.kind {
        Kind::Structure(_) => format!("e_{}(w, {expr});", g.stem(name)?),
        Kind::String { values } if !values.is_empty() => format!("w.string({expr}.as_str());"),
        Kind::String { .. } => format!("w.string({expr});"),
        Kind::Integer => format!("w.integer(*{expr});"),
        Kind::Long => format!("w.long(*{expr});"),
        Kind::Double => format!("w.double(*{expr});"),
        Kind::Boolean => format!("w.boolean(*{expr});"),
        Kind::Timestamp => format!("w.timestamp({expr});"),
        Kind::Blob => format!("w.blob({expr});"),
        Kind::List(m) => {
            let item = format!("item{depth}");
            let name = m.location_name.as_deref().unwrap_or("member");
            format!(
                "w.begin_list(); for {item} in {expr}.iter() {{ w.begin_item({name:?}); {} w.end_item({name:?}); }} w.end_list();",
                value(g, &m.shape, &item, depth + 1)?
            )
        }
        Kind::Map { key, value: v } => {
            let k = format!("key{depth}");
            let val = format!("value{depth}");
            let key_name = key.location_name.as_deref().unwrap_or("key");
            let value_name = v.location_name.as_deref().unwrap_or("value");
            if shape.flattened && g.is_query() {
                anyhow::bail!("flattened map `{name}` in an awsQuery output is not supported");
            }
            let entry = "entry";
            format!(
                "w.begin_map(); for ({k}, {val}) in {expr}.iter() {{ w.begin_entry({entry:?}, {key_name:?}, {value_name:?}, {k}); {} w.end_entry({entry:?}, {value_name:?}); }} w.end_map();",
                value(g, &v.shape, &val, depth + 1)?
            )
        }
    })
}
