//! Every operation of the Organizations model is served. Each operation is sent by the
//! management account of an organization, signed by its root user, with a minimal input
//! that passes the model's own validation (made from botocore's model, so it covers every
//! operation the model has): none may answer 501, fail with a 5xx, or be refused as
//! malformed (which would mean the walk never reached its handler). Skipped, loudly, when
//! botocore is not installed.

use super::support::credentials::account_of;
use super::support::models::model_inputs;
use super::support::requests::RawRequest;
use super::support::server::Server;

/// Prints one `Operation<TAB>JSON body` line per operation of the Organizations model,
/// with every required member set to a value its shape accepts.
const MINIMAL_INPUTS: &str = r#"
special = {
    "AccountId": account,
    "ChildId": "ou-abcd-abcdefgh",
    "CreateAccountRequestId": "car-abcdefgh",
    "Email": "model@example.com",
    "HandshakeId": "h-abcdefgh",
    "OrganizationalUnitId": "ou-abcd-abcdefgh",
    "ParentId": "r-abcd",
    "PolicyContent": "{}",
    "PolicyId": "p-abcdefgh",
    "PolicyTargetId": "r-abcd",
    "ResourcePolicyContent": "{}",
    "ResponsibilityTransferId": "rt-abcdefgh",
    "RootId": "r-abcd",
    "TaggableResourceId": "r-abcd",
}
def value(name):
    shape = shapes[name]
    kind = shape["type"]
    if name in special:
        return special[name]
    if "enum" in shape:
        return shape["enum"][0]
    if kind in ("integer", "long"):
        return max(shape.get("min", 1), 1)
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return 1577836800
    if kind == "structure":
        return {m: value(shape["members"][m]["shape"]) for m in shape.get("required", [])}
    if kind == "list":
        return [value(shape["member"]["shape"])]
    text = "a"
    while len(text) < shape.get("min", 1):
        text += "a"
    return text
for op, spec_op in sorted(spec["operations"].items()):
    body = value(spec_op["input"]["shape"]) if "input" in spec_op else {}
    print(op + "\t" + json.dumps(body))
"#;

#[tokio::test]
async fn every_organizations_operation_is_served() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let account = account_of(&server, &root).await;
    server
        .organizations(&root)
        .create_organization()
        .send()
        .await
        .unwrap();
    let Some(bodies) = model_inputs("organizations", "Organizations", MINIMAL_INPUTS, &account)
    else {
        return;
    };
    assert_eq!(
        bodies.keys().collect::<Vec<_>>(),
        wire::organizations::OPERATION_NAMES
            .iter()
            .collect::<Vec<_>>(),
        "the generated wire code and the installed model disagree on the operations"
    );
    // Deleting the organization would turn every later call into a refusal: last.
    let mut names: Vec<&str> = wire::organizations::OPERATION_NAMES
        .iter()
        .copied()
        .filter(|name| *name != "DeleteOrganization")
        .collect();
    names.push("DeleteOrganization");
    let mut wrong = Vec::new();
    for name in names {
        let body = bodies.get(name).cloned().unwrap_or_else(|| "{}".to_owned());
        let target = format!("AWSOrganizationsV20161128.{name}");
        let request = RawRequest::json("organizations", &target, &body, &root);
        let (status, text) = request.send(&server.endpoint).await;
        let malformed = ["ValidationError", "SerializationException"]
            .iter()
            .any(|code| text.contains(&format!("\"__type\":\"{code}\"")));
        if status == 501 || status >= 500 || malformed {
            wrong.push(format!("{name}: {status} {text}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
