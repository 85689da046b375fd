//! Prints the document model back to compact JSON, keeping string-versus-list.

use crate::document::{
    Condition, ConditionValue, ListElement, OneOrMany, PolicyDocument, PrincipalElement,
    Principals, Statement,
};
use crate::json::write_str;

/// The whole document as compact JSON.
pub(super) fn document(doc: &PolicyDocument) -> String {
    let mut out = String::with_capacity(256);
    out.push('{');
    let mut first = true;
    if let Some(version) = doc.version {
        key(&mut out, &mut first, "Version");
        write_str(&mut out, version.as_str());
    }
    if let Some(id) = &doc.id {
        key(&mut out, &mut first, "Id");
        write_str(&mut out, id);
    }
    key(&mut out, &mut first, "Statement");
    match &doc.statement {
        OneOrMany::One(s) => statement(&mut out, s),
        OneOrMany::Many(list) => {
            out.push('[');
            for (i, s) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                statement(&mut out, s);
            }
            out.push(']');
        }
    }
    out.push('}');
    out
}

fn key(out: &mut String, first: &mut bool, name: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    write_str(out, name);
    out.push(':');
}

fn strings(out: &mut String, values: &OneOrMany<String>) {
    match values {
        OneOrMany::One(v) => write_str(out, v),
        OneOrMany::Many(list) => {
            out.push('[');
            for (i, v) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, v);
            }
            out.push(']');
        }
    }
}

fn list(
    out: &mut String,
    first: &mut bool,
    plain: &str,
    negated_name: &str,
    element: &ListElement,
) {
    key(
        out,
        first,
        if element.negated { negated_name } else { plain },
    );
    strings(out, &element.values);
}

fn principal(out: &mut String, first: &mut bool, element: &PrincipalElement) {
    key(
        out,
        first,
        if element.negated {
            "NotPrincipal"
        } else {
            "Principal"
        },
    );
    match &element.principals {
        Principals::Wildcard => write_str(out, "*"),
        Principals::Map(entries) => {
            out.push('{');
            let mut inner_first = true;
            for (kind, values) in entries {
                key(out, &mut inner_first, kind.as_str());
                strings(out, values);
            }
            out.push('}');
        }
    }
}

fn condition_value(out: &mut String, value: &ConditionValue) {
    match value {
        ConditionValue::String(s) => write_str(out, s),
        ConditionValue::Number(n) => out.push_str(n),
        ConditionValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

fn conditions(out: &mut String, blocks: &[Condition]) {
    out.push('{');
    let mut first = true;
    for block in blocks {
        key(out, &mut first, &block.operator);
        out.push('{');
        let mut inner_first = true;
        for (name, values) in &block.entries {
            key(out, &mut inner_first, name);
            match values {
                OneOrMany::One(v) => condition_value(out, v),
                OneOrMany::Many(list) => {
                    out.push('[');
                    for (i, v) in list.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        condition_value(out, v);
                    }
                    out.push(']');
                }
            }
        }
        out.push('}');
    }
    out.push('}');
}

fn statement(out: &mut String, s: &Statement) {
    out.push('{');
    let mut first = true;
    if let Some(sid) = &s.sid {
        key(out, &mut first, "Sid");
        write_str(out, sid);
    }
    key(out, &mut first, "Effect");
    write_str(out, s.effect.as_str());
    if let Some(p) = &s.principal {
        principal(out, &mut first, p);
    }
    if let Some(a) = &s.action {
        list(out, &mut first, "Action", "NotAction", a);
    }
    if let Some(r) = &s.resource {
        list(out, &mut first, "Resource", "NotResource", r);
    }
    if let Some(c) = &s.condition {
        key(out, &mut first, "Condition");
        conditions(out, c);
    }
    out.push('}');
}
