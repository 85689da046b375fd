//! Every operation of the IAM model is either served or listed in `NOT_IMPLEMENTED` (and
//! in the same table in ARCHITECTURE.md). Each operation is sent, signed by the root user,
//! with a minimal input that passes the model's own validation (made from botocore's
//! model, so it covers every operation the model has); a served operation never answers
//! 501, a listed one always does. Skipped, loudly, when botocore is not installed.

use super::support::credentials::account_of;
use super::support::models::model_inputs;
use super::support::requests::{xml_code, RawRequest};
use super::support::server::Server;

/// IAM operations not served yet, one per line, sorted. Keep in step with the table in
/// ARCHITECTURE.md ("IAM operations not served yet"); the test checks both.
const NOT_IMPLEMENTED: &[&str] = &[];

/// Prints one `Operation<TAB>form body` line per operation of the IAM model: Action,
/// Version, and every required member with a value its shape accepts.
const MINIMAL_INPUTS: &str = r#"
special = {
    "accountAliasType": "abc",
    "authenticationCodeType": "123456",
    "organizationsEntityPathType": "o-abcdefghij/r-abcd",
    "policyVersionIdType": "v1",
    "policyDocumentType": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
}
def value(name):
    shape = shapes[name]
    kind = shape["type"]
    if name in special:
        return special[name]
    if "enum" in shape:
        return shape["enum"][0]
    if kind in ("integer", "long"):
        return str(max(shape.get("min", 1), 1))
    if kind == "boolean":
        return "false"
    if kind == "timestamp":
        return "2020-01-01T00:00:00Z"
    if "arn" in name.lower():
        text = "arn:aws:iam::" + account + ":policy/minimal"
    else:
        text = "a"
    while len(text) < shape.get("min", 1):
        text += "a"
    return text
def fill(prefix, name, out):
    shape = shapes[name]
    if shape["type"] == "structure":
        # A required structure without required members still needs one member present.
        members = shape.get("required", []) or (list(shape.get("members", {}))[:1] if prefix else [])
        for member in members:
            key = shape["members"][member].get("locationName", member)
            fill(prefix + ("." if prefix else "") + key, shape["members"][member]["shape"], out)
    elif shape["type"] == "list":
        fill(prefix + ".member.1", shape["member"]["shape"], out)
    else:
        out.append((prefix, value(name)))
from urllib.parse import urlencode
for op, spec_op in sorted(spec["operations"].items()):
    out = [("Action", op), ("Version", spec["metadata"]["apiVersion"])]
    if "input" in spec_op:
        fill("", spec_op["input"]["shape"], out)
    print(op + "\t" + urlencode(out))
"#;

/// The operations listed in ARCHITECTURE.md's table, in order.
fn documented_table() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ARCHITECTURE.md"
    ))
    .unwrap();
    let start = text
        .find("IAM operations not served yet")
        .expect("ARCHITECTURE.md has the table of IAM operations not served yet");
    text[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cell = line.trim_matches('|').split('|').next()?.trim();
            let name = cell.trim_matches('`');
            (!name.is_empty() && name != "operation" && !name.starts_with("---"))
                .then(|| name.to_owned())
        })
        .collect()
}

#[test]
fn the_table_is_sorted_and_matches_architecture_md() {
    let mut sorted = NOT_IMPLEMENTED.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted, NOT_IMPLEMENTED,
        "keep NOT_IMPLEMENTED sorted, one entry each"
    );
    for name in NOT_IMPLEMENTED {
        assert!(
            wire::iam::OPERATION_NAMES.contains(name),
            "{name} in NOT_IMPLEMENTED is no IAM operation"
        );
    }
    assert_eq!(documented_table(), NOT_IMPLEMENTED);
}

#[tokio::test]
async fn every_iam_operation_is_served_or_listed() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let account = account_of(&server, &root).await;
    let Some(bodies) = model_inputs("iam", "IAM", MINIMAL_INPUTS, &account) else {
        return;
    };
    let mut wrong = Vec::new();
    for name in wire::iam::OPERATION_NAMES {
        let body = bodies
            .get(*name)
            .cloned()
            .unwrap_or_else(|| format!("Action={name}&Version=2010-05-08"));
        let (status, text) = RawRequest::query("iam", &body, &root)
            .send(&server.endpoint)
            .await;
        let listed = NOT_IMPLEMENTED.contains(name);
        let not_implemented = status == 501 && xml_code(&text) == "NotImplemented";
        if listed && !not_implemented {
            wrong.push(format!(
                "{name} is served now or its input was refused ({status} {text}): remove it from \
                 NOT_IMPLEMENTED and ARCHITECTURE.md, or fix its minimal input"
            ));
        } else if !listed && status == 501 {
            wrong.push(format!("{name} answers 501 but is not in NOT_IMPLEMENTED"));
        } else if !listed && status >= 500 {
            wrong.push(format!("{name} failed with {status}: {text}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
