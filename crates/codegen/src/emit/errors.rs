//! `errors.rs`: the model's error shapes as a status table and one constructor each.

use std::collections::BTreeMap;

use super::Gen;
use crate::model::Kind;
use crate::names;

pub fn emit(g: &Gen<'_>) -> anyhow::Result<String> {
    // code -> (status, sender, members besides the message)
    let mut errors: BTreeMap<String, (u16, bool, Vec<String>)> = BTreeMap::new();
    for (name, shape) in &g.model.shapes {
        let Kind::Structure(s) = &shape.kind else {
            continue;
        };
        let Some(e) = &s.error else {
            continue;
        };
        let code = if e.code.is_empty() {
            name.clone()
        } else {
            e.code.clone()
        };
        let others = s
            .members
            .iter()
            .map(|m| m.name.clone())
            .filter(|m| !m.eq_ignore_ascii_case("message"))
            .collect();
        errors.entry(code).or_insert((e.status, e.sender, others));
    }
    let mut out = String::new();
    out.push_str(&format!(
        "//! The errors of `{}`: the HTTP status of each code and a constructor per code,\n\
         //! named after it (`NoSuchEntity` → `no_such_entity`).\n\n",
        g.model.service
    ));
    out.push_str(&g.header);
    out.push_str("\nuse crate::error::{Fault, ServiceError};\n\n");
    out.push_str("/// The HTTP status the model gives an error code.\npub fn error_status(code: &str) -> Option<u16> {\n    match code {\n");
    for (code, (status, _, _)) in &errors {
        out.push_str(&format!("        {code:?} => Some({status}),\n"));
    }
    out.push_str("        _ => None,\n    }\n}\n\n");
    let mut seen = BTreeMap::new();
    for (code, (status, sender, others)) in &errors {
        let f = names::field(code);
        if let Some(other) = seen.insert(f.clone(), code.clone()) {
            anyhow::bail!("error codes `{other}` and `{code}` both become `{f}`");
        }
        let fault = if *sender { "Sender" } else { "Receiver" };
        let others = if others.is_empty() {
            String::new()
        } else {
            format!(
                "\n/// Other members (add with `ServiceError::with_member`): {}.",
                others
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.push_str(&format!(
            "/// `{code}` ({status}).{others}\npub fn {f}(message: impl Into<String>) -> ServiceError {{\n    ServiceError::with_fault({code:?}, {status}, Fault::{fault}, message)\n}}\n\n"
        ));
    }
    Ok(out)
}
