//! `operation.rs`: the `Operation` and `Output` enums and their protocol entry points.

use super::Gen;
use crate::model::Protocol;

pub fn emit(g: &Gen<'_>) -> anyhow::Result<String> {
    let ops = &g.model.operations;
    let mut out = String::new();
    out.push_str(&format!(
        "//! The operations of `{}`: one `Operation` variant per operation (its decoded input)\n\
         //! and one `Output` variant per operation (its output), with the codec entry points.\n\n",
        g.model.service
    ));
    out.push_str(&g.header);
    out.push_str("\nuse crate::error::ServiceError;\n\nuse super::types::*;\n\n");

    // Operation
    out.push_str("/// A decoded request: the operation and its validated input.\n");
    out.push_str("#[derive(Debug, Clone, PartialEq)]\npub enum Operation {\n");
    for op in ops {
        match &op.input {
            Some(input) => out.push_str(&format!("    {}({}),\n", op.name, g.rust_type(input)?)),
            None => out.push_str(&format!("    {},\n", op.name)),
        }
    }
    out.push_str("}\n\n");
    out.push_str("/// Every operation name, sorted.\npub const OPERATION_NAMES: &[&str] = &[\n");
    for op in ops {
        out.push_str(&format!("    {:?},\n", op.name));
    }
    out.push_str("];\n\n");
    let reads: Vec<String> = ops
        .iter()
        .filter(|op| is_read_only(&op.name))
        .map(|op| format!("{:?}", op.name))
        .collect();
    out.push_str(
        "/// Whether the operation of this name only reads (see [`Operation::is_read_only`]);\n\
         /// false for a name the model lacks.\npub fn is_read_only_name(name: &str) -> bool {\n",
    );
    if reads.is_empty() {
        out.push_str("    let _ = name;\n    false\n}\n\n");
    } else {
        out.push_str(&format!(
            "    matches!(\n        name,\n        {}\n    )\n}}\n\n",
            reads.join("\n            | ")
        ));
    }

    out.push_str("impl Operation {\n");
    out.push_str("    /// The operation's name, e.g. `CreateUser`.\n    pub fn name(&self) -> &'static str {\n        match self {\n");
    for op in ops {
        let pat = if op.input.is_some() { "(_)" } else { "" };
        out.push_str(&format!(
            "            Self::{}{pat} => {:?},\n",
            op.name, op.name
        ));
    }
    out.push_str("        }\n    }\n\n");
    out.push_str(
        "    /// The IAM action that authorizes the operation, e.g. `iam:CreateUser`: the\n\
         \x20   /// service's signing name, a colon, the operation's name.\n\
         \x20   pub fn action(&self) -> &'static str {\n        match self {\n",
    );
    for op in ops {
        let pat = if op.input.is_some() { "(_)" } else { "" };
        out.push_str(&format!(
            "            Self::{}{pat} => {:?},\n",
            op.name,
            format!("{}:{}", g.model.signing_name, op.name)
        ));
    }
    out.push_str("        }\n    }\n\n");
    out.push_str(
        "    /// Whether the operation only reads: its name begins with one of the verbs AWS\n\
         \x20   /// names reads with (`Get`, `List`, `Describe`, `Generate`, `Simulate`).\n\
         \x20   pub fn is_read_only(&self) -> bool {\n        match self {\n",
    );
    let (reads, writes): (Vec<_>, Vec<_>) = ops.iter().partition(|op| is_read_only(&op.name));
    for (group, value) in [(reads, true), (writes, false)] {
        if group.is_empty() {
            continue;
        }
        let arms: Vec<String> = group
            .iter()
            .map(|op| {
                let pat = if op.input.is_some() { "(_)" } else { "" };
                format!("Self::{}{pat}", op.name)
            })
            .collect();
        out.push_str(&format!(
            "            {} => {value},\n",
            arms.join("\n            | ")
        ));
    }
    out.push_str("        }\n    }\n\n");
    match g.model.protocol {
        Protocol::Query => {
            out.push_str(
                "    /// Decodes and validates an awsQuery request: `Action` picks the operation\n\
                 \x20   /// (`MissingAction`, `InvalidAction`), the other parameters fill its input\n\
                 \x20   /// (`ValidationError`). Unknown parameters are ignored.\n\
                 \x20   pub fn from_query(params: &crate::query::QueryParams) -> Result<Operation, ServiceError> {\n\
                 \x20       let action = params.action()?;\n\
                 \x20       let mut r = crate::query::QueryReader::new(params);\n\
                 \x20       let op = match action {\n",
            );
        }
        Protocol::Json => {
            out.push_str(
                "    /// Decodes and validates an awsJson1.1 request for `operation` (the part of\n\
                 \x20   /// `X-Amz-Target` after the dot): `UnknownOperationException`,\n\
                 \x20   /// `SerializationException` or `ValidationException` when it cannot.\n\
                 \x20   pub fn from_json(operation: &str, body: &[u8]) -> Result<Operation, ServiceError> {\n\
                 \x20       if !OPERATION_NAMES.contains(&operation) {\n\
                 \x20           return Err(ServiceError::unknown_operation());\n\
                 \x20       }\n\
                 \x20       let value = crate::json::parse_body(body)?;\n\
                 \x20       let mut r = crate::json::JsonReader::new(&value);\n\
                 \x20       let op = match operation {\n",
            );
        }
    }
    for op in ops {
        match &op.input {
            Some(input) => out.push_str(&format!(
                "            {:?} => Self::{}(super::decode::b_{}(&mut r)),\n",
                op.name,
                op.name,
                g.stem(input)?
            )),
            None => out.push_str(&format!(
                "            {:?} => Self::{},\n",
                op.name, op.name
            )),
        }
    }
    match g.model.protocol {
        Protocol::Query => {
            out.push_str("            _ => return Err(ServiceError::invalid_action(action)),\n");
        }
        Protocol::Json => {
            out.push_str("            _ => return Err(ServiceError::unknown_operation()),\n");
        }
    }
    out.push_str("        };\n        r.finish()?;\n        Ok(op)\n    }\n}\n\n");

    // Output
    out.push_str("/// A handler's result, ready to encode.\n");
    out.push_str("#[derive(Debug, Clone, PartialEq)]\npub enum Output {\n");
    for op in ops {
        match &op.output {
            Some(output) => out.push_str(&format!("    {}({}),\n", op.name, g.rust_type(output)?)),
            None => out.push_str(&format!("    {},\n", op.name)),
        }
    }
    out.push_str("}\n\n");
    out.push_str("impl Output {\n");
    out.push_str("    /// The name of the operation this is the output of.\n    pub fn operation_name(&self) -> &'static str {\n        match self {\n");
    for op in ops {
        let pat = if op.output.is_some() { "(_)" } else { "" };
        out.push_str(&format!(
            "            Self::{}{pat} => {:?},\n",
            op.name, op.name
        ));
    }
    out.push_str("        }\n    }\n\n");
    match g.model.protocol {
        Protocol::Query => {
            out.push_str(
                "    /// The awsQuery response document:\n\
                 \x20   /// `<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>…`.\n\
                 \x20   pub fn to_query_xml(&self, request_id: &str) -> String {\n\
                 \x20       let name = self.operation_name();\n\
                 \x20       let mut w = crate::xml::XmlWriter::new();\n\
                 \x20       w.open_response(name, super::XML_NAMESPACE);\n\
                 \x20       match self {\n",
            );
            for op in ops {
                match &op.output {
                    Some(output) => {
                        let wrapper = op
                            .result_wrapper
                            .clone()
                            .unwrap_or_else(|| format!("{}Result", op.name));
                        out.push_str(&format!(
                            "            Self::{}(v) => {{\n                w.begin_member({wrapper:?});\n                super::encode::e_{}(&mut w, v);\n                w.end_member({wrapper:?});\n            }}\n",
                            op.name,
                            g.stem(output)?
                        ));
                    }
                    None => out.push_str(&format!("            Self::{} => {{}}\n", op.name)),
                }
            }
            out.push_str("        }\n        w.close_response(name, request_id)\n    }\n}\n");
        }
        Protocol::Json => {
            out.push_str(
                "    /// The awsJson1.1 response body (compact; `None` members left out).\n\
                 \x20   pub fn to_json(&self) -> Vec<u8> {\n\
                 \x20       let mut w = crate::json::JsonWriter::new();\n\
                 \x20       match self {\n",
            );
            for op in ops {
                match &op.output {
                    Some(output) => out.push_str(&format!(
                        "            Self::{}(v) => super::encode::e_{}(&mut w, v),\n",
                        op.name,
                        g.stem(output)?
                    )),
                    None => out.push_str(&format!(
                        "            Self::{} => {{\n                w.begin_struct();\n                w.end_struct();\n            }}\n",
                        op.name
                    )),
                }
            }
            out.push_str("        }\n        w.finish()\n    }\n}\n");
        }
    }
    Ok(out)
}

/// The verbs AWS begins the names of reading operations with. `Generate…` operations
/// (credential and access reports) are reads in AWS's Service Authorization Reference:
/// they compute a report of what exists and change nothing a policy decides on.
const READ_VERBS: [&str; 5] = ["Get", "List", "Describe", "Generate", "Simulate"];

/// Whether an operation of this name only reads.
fn is_read_only(name: &str) -> bool {
    READ_VERBS.iter().any(|verb| {
        name.strip_prefix(verb)
            .is_some_and(|rest| rest.chars().next().is_some_and(char::is_uppercase))
    })
}

#[cfg(test)]
mod tests {
    use super::is_read_only;

    #[test]
    fn reads_are_named_by_their_verb_and_only_as_a_whole_word() {
        for name in [
            "GetUser",
            "ListRoles",
            "DescribeAccount",
            "GenerateCredentialReport",
            "SimulateCustomPolicy",
        ] {
            assert!(is_read_only(name), "{name}");
        }
        for name in [
            "CreateUser",
            "Getaway",
            "Listen",
            "DeleteUser",
            "TagRole",
            "AssumeRole",
        ] {
            assert!(!is_read_only(name), "{name}");
        }
    }
}
