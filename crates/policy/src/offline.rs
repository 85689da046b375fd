//! Offline evaluation and validation for `gatehouse policy evaluate|validate`: one JSON
//! line in, one JSON line out. Pure: the CLI does the reading and writing.
//!
//! The formats are documented in the crate's README.md.

use crate::compile::CompiledPolicy;
use crate::context::ContextValue;
use crate::decision::{access_denied_message, Decision};
use crate::document::parse_node;
use crate::document::PolicyDocument;
use crate::error::{PolicyError, ValidationError};
use crate::evaluate::{evaluate, EvaluationInput};
use crate::json::{self, Node, Value};
use crate::kind::PolicyKind;
use crate::request::{Principal, PrincipalKind, Request};

/// Evaluates one request line and returns one result line (an `{"error": …}` object when
/// the line is not a valid request). Never panics.
pub fn evaluate_line(line: &str) -> String {
    match evaluate_json(line) {
        Ok(out) => out,
        Err(e) => error_line(&e),
    }
}

/// Evaluates one request line; `Err` when the line is not a valid request.
pub fn evaluate_json(line: &str) -> Result<String, PolicyError> {
    let root = json::parse(line).map_err(|e| PolicyError::Request {
        pointer: String::new(),
        message: format!("invalid JSON at byte {}: {}", e.offset, e.message),
    })?;
    let parsed = read_request(&root, line)?;
    let input = EvaluationInput {
        identity: &parsed.identity,
        boundary: parsed.boundary.as_ref(),
        session: &parsed.session,
        scp_levels: &parsed.scp,
        rcp_levels: &parsed.rcp,
        resource: parsed.resource.as_ref(),
        principal_in_management_account: parsed.management_account,
        resource_in_management_account: parsed.resource_in_management_account,
        all_matches: parsed.all_matches,
    };
    let decision = evaluate(&input, &parsed.request);
    Ok(decision_line(&decision, &parsed.request))
}

/// Every problem in `text` as a policy of `kind`; empty when the document is valid.
pub fn validate(text: &str, kind: PolicyKind) -> Vec<ValidationError> {
    match PolicyDocument::parse(text, kind) {
        Ok(_) => Vec::new(),
        Err(e) => e.0,
    }
}

/// [`validate`] as one JSON line:
/// `{"valid":false,"kind":"identity","problems":[{"code":…,"message":…,"detail":…,"pointer":…,"line":…,"column":…}]}`.
pub fn validate_report(text: &str, kind: PolicyKind) -> String {
    let problems = validate(text, kind);
    let mut out = String::with_capacity(128);
    out.push_str("{\"valid\":");
    out.push_str(if problems.is_empty() { "true" } else { "false" });
    out.push_str(",\"kind\":");
    json::write_str(&mut out, kind.name());
    out.push_str(",\"problems\":[");
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"code\":");
        json::write_str(&mut out, p.code.as_str());
        out.push_str(",\"message\":");
        json::write_str(&mut out, &p.message);
        out.push_str(",\"detail\":");
        json::write_str(&mut out, &p.detail);
        out.push_str(",\"pointer\":");
        json::write_str(&mut out, &p.pointer);
        out.push_str(&format!(",\"line\":{},\"column\":{}}}", p.line, p.column));
    }
    out.push_str("]}");
    out
}

struct Parsed {
    request: Request,
    identity: Vec<CompiledPolicy>,
    boundary: Option<CompiledPolicy>,
    session: Vec<CompiledPolicy>,
    scp: Vec<Vec<CompiledPolicy>>,
    rcp: Vec<Vec<CompiledPolicy>>,
    resource: Option<CompiledPolicy>,
    management_account: bool,
    resource_in_management_account: bool,
    all_matches: bool,
}

fn bad(pointer: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Request {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

fn object<'n, 'a>(
    node: &'n Node<'a>,
    pointer: &str,
) -> Result<&'n [json::Member<'a>], PolicyError> {
    match &node.value {
        Value::Object(m) => Ok(m),
        other => Err(bad(
            pointer,
            format!("expected an object, found {}", other.type_name()),
        )),
    }
}

fn string<'n>(node: &'n Node<'_>, pointer: &str) -> Result<&'n str, PolicyError> {
    node.value.as_str().ok_or_else(|| {
        bad(
            pointer,
            format!("expected a string, found {}", node.value.type_name()),
        )
    })
}

fn boolean(node: Option<&Node<'_>>, pointer: &str) -> Result<bool, PolicyError> {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(
            pointer,
            format!("expected a boolean, found {}", other.type_name()),
        )),
    }
}

fn array<'n, 'a>(node: &'n Node<'a>, pointer: &str) -> Result<&'n [Node<'a>], PolicyError> {
    match &node.value {
        Value::Array(items) => Ok(items),
        other => Err(bad(
            pointer,
            format!("expected an array, found {}", other.type_name()),
        )),
    }
}

fn scalar_text(node: &Node<'_>, pointer: &str) -> Result<String, PolicyError> {
    match &node.value {
        Value::String(s) => Ok(s.to_string()),
        Value::Number(n) => Ok((*n).to_owned()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(bad(
            pointer,
            format!(
                "expected a string, number or boolean, found {}",
                other.type_name()
            ),
        )),
    }
}

fn principal_kind(name: &str, pointer: &str) -> Result<PrincipalKind, PolicyError> {
    Ok(match name {
        "root" => PrincipalKind::Root,
        "user" => PrincipalKind::User,
        "role" => PrincipalKind::Role,
        "assumed-role" => PrincipalKind::AssumedRole,
        "federated-user" => PrincipalKind::FederatedUser,
        "federated" => PrincipalKind::Federated,
        "service" => PrincipalKind::Service,
        "anonymous" => PrincipalKind::Anonymous,
        other => return Err(bad(pointer, format!("unknown principal kind `{other}`"))),
    })
}

/// Guesses the principal kind from its ARN when `kind` is not given.
fn kind_from_arn(arn: &str) -> PrincipalKind {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    if arn.starts_with("arn:") {
        if resource == "root" {
            PrincipalKind::Root
        } else if resource.starts_with("user/") {
            PrincipalKind::User
        } else if resource.starts_with("role/") {
            PrincipalKind::Role
        } else if resource.starts_with("assumed-role/") {
            PrincipalKind::AssumedRole
        } else if resource.starts_with("federated-user/") {
            PrincipalKind::FederatedUser
        } else {
            PrincipalKind::Federated
        }
    } else if arn.is_empty() {
        PrincipalKind::Anonymous
    } else {
        PrincipalKind::Service
    }
}

fn read_principal(node: &Node<'_>) -> Result<Principal, PolicyError> {
    let members = object(node, "/principal")?;
    let arn = match node.value.get("arn") {
        Some(n) => string(n, "/principal/arn")?.to_owned(),
        None => String::new(),
    };
    let kind = match node.value.get("kind") {
        Some(n) => principal_kind(string(n, "/principal/kind")?, "/principal/kind")?,
        None => kind_from_arn(&arn),
    };
    let account = match node.value.get("account") {
        Some(n) => string(n, "/principal/account")?.to_owned(),
        None => arn.split(':').nth(4).unwrap_or_default().to_owned(),
    };
    let mut p = Principal::new(kind, arn, account);
    for m in members {
        let pointer = format!("/principal/{}", m.key);
        match m.key.as_ref() {
            "arn" | "kind" | "account" => {}
            "underlying_arn" => p.underlying_arn = Some(string(&m.value, &pointer)?.to_owned()),
            "user_id" => p.user_id = Some(string(&m.value, &pointer)?.to_owned()),
            "service_linked" => p.service_linked = boolean(Some(&m.value), &pointer)?,
            "canonical_user" => p.canonical_user = Some(string(&m.value, &pointer)?.to_owned()),
            "org_id" => p.org_id = Some(string(&m.value, &pointer)?.to_owned()),
            "org_paths" => {
                for (i, n) in array(&m.value, &pointer)?.iter().enumerate() {
                    p.org_paths
                        .push(string(n, &format!("{pointer}/{i}"))?.to_owned());
                }
            }
            "tags" => {
                for t in object(&m.value, &pointer)? {
                    let v = string(&t.value, &format!("{pointer}/{}", t.key))?;
                    p.tags.push((t.key.to_string(), v.to_owned()));
                }
            }
            other => return Err(bad(&pointer, format!("unknown principal field `{other}`"))),
        }
    }
    if p.kind == PrincipalKind::AssumedRole && p.underlying_arn.is_none() {
        p.underlying_arn = role_of_session(&p.arn);
    }
    Ok(p)
}

/// `arn:aws:iam::A:role/R` for `arn:aws:sts::A:assumed-role/R/S` (path unknown, so none).
fn role_of_session(arn: &str) -> Option<String> {
    let mut f = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("sts"), Some(_), Some(account), Some(resource)) =
        (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
    else {
        return None;
    };
    let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

fn read_policy(
    node: &Node<'_>,
    pointer: &str,
    line: &str,
    kind: PolicyKind,
    default_id: String,
) -> Result<CompiledPolicy, PolicyError> {
    let (id, doc, doc_pointer) = match node.value.get("document") {
        Some(doc) => {
            let id = match node.value.get("id") {
                Some(n) => string(n, &format!("{pointer}/id"))?.to_owned(),
                None => default_id,
            };
            (id, doc, format!("{pointer}/document"))
        }
        None => (default_id, node, pointer.to_owned()),
    };
    let parsed = match &doc.value {
        Value::String(text) => PolicyDocument::parse(text, kind),
        Value::Object(_) => parse_node(doc, line, kind),
        other => {
            return Err(bad(
                &doc_pointer,
                format!("expected a policy document, found {}", other.type_name()),
            ))
        }
    };
    match parsed {
        Ok(document) => Ok(CompiledPolicy::new(id, document, kind)),
        Err(errors) => Err(bad(
            &doc_pointer,
            format!("invalid {kind} policy `{id}`: {}", errors),
        )),
    }
}

fn read_policy_list(
    node: &Node<'_>,
    pointer: &str,
    line: &str,
    kind: PolicyKind,
    label: &str,
) -> Result<Vec<CompiledPolicy>, PolicyError> {
    let items = array(node, pointer)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, n) in items.iter().enumerate() {
        out.push(read_policy(
            n,
            &format!("{pointer}/{i}"),
            line,
            kind,
            format!("{label}/{i}"),
        )?);
    }
    Ok(out)
}

fn read_levels(
    node: &Node<'_>,
    pointer: &str,
    line: &str,
    kind: PolicyKind,
    label: &str,
) -> Result<Vec<Vec<CompiledPolicy>>, PolicyError> {
    let levels = array(node, pointer)?;
    let mut out = Vec::with_capacity(levels.len());
    for (i, n) in levels.iter().enumerate() {
        out.push(read_policy_list(
            n,
            &format!("{pointer}/{i}"),
            line,
            kind,
            &format!("{label}/{i}"),
        )?);
    }
    Ok(out)
}

fn read_request(root: &Node<'_>, line: &str) -> Result<Parsed, PolicyError> {
    let members = object(root, "")?;
    let principal = read_principal(
        root.value
            .get("principal")
            .ok_or_else(|| bad("", "missing `principal`"))?,
    )?;
    let action = string(
        root.value
            .get("action")
            .ok_or_else(|| bad("", "missing `action`"))?,
        "/action",
    )?;
    let resource = match root.value.get("resource") {
        Some(n) => string(n, "/resource")?,
        None => "*",
    };
    let mut request = Request::new(principal, action, resource);
    let mut parsed = Parsed {
        request: Request::new(Principal::new(PrincipalKind::Anonymous, "", ""), "", ""),
        identity: Vec::new(),
        boundary: None,
        session: Vec::new(),
        scp: Vec::new(),
        rcp: Vec::new(),
        resource: None,
        management_account: false,
        resource_in_management_account: false,
        all_matches: false,
    };
    for m in members {
        let pointer = format!("/{}", m.key);
        match m.key.as_ref() {
            "principal" | "action" | "resource" => {}
            "resource_account" => {
                request = request.with_resource_account(string(&m.value, &pointer)?)
            }
            "management_account" => parsed.management_account = boolean(Some(&m.value), &pointer)?,
            "resource_in_management_account" => {
                parsed.resource_in_management_account = boolean(Some(&m.value), &pointer)?
            }
            "all_matches" => parsed.all_matches = boolean(Some(&m.value), &pointer)?,
            "context" => {
                for c in object(&m.value, &pointer)? {
                    let here = format!("{pointer}/{}", c.key);
                    let value = match &c.value.value {
                        Value::Array(items) => {
                            let mut list = Vec::with_capacity(items.len());
                            for (i, item) in items.iter().enumerate() {
                                list.push(scalar_text(item, &format!("{here}/{i}"))?);
                            }
                            ContextValue::Multi(list)
                        }
                        _ => ContextValue::Single(scalar_text(&c.value, &here)?),
                    };
                    request.context_mut().insert(&c.key, value);
                }
            }
            "policies" => {
                for p in object(&m.value, &pointer)? {
                    let here = format!("{pointer}/{}", p.key);
                    match p.key.as_ref() {
                        "identity" => {
                            parsed.identity = read_policy_list(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::Identity,
                                "identity",
                            )?
                        }
                        "session" => {
                            parsed.session = read_policy_list(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::Session,
                                "session",
                            )?
                        }
                        "boundary" => {
                            parsed.boundary = Some(read_policy(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::PermissionsBoundary,
                                "boundary".to_owned(),
                            )?)
                        }
                        "resource" => {
                            parsed.resource = Some(read_policy(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::Resource,
                                "resource".to_owned(),
                            )?)
                        }
                        "trust" => {
                            parsed.resource = Some(read_policy(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::Trust,
                                "trust".to_owned(),
                            )?)
                        }
                        "scp" => {
                            parsed.scp = read_levels(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::ServiceControl,
                                "scp",
                            )?
                        }
                        "rcp" => {
                            parsed.rcp = read_levels(
                                &p.value,
                                &here,
                                line,
                                PolicyKind::ResourceControl,
                                "rcp",
                            )?
                        }
                        other => return Err(bad(&here, format!("unknown policy type `{other}`"))),
                    }
                }
            }
            other => return Err(bad(&pointer, format!("unknown field `{other}`"))),
        }
    }
    parsed.request = request;
    Ok(parsed)
}

fn decision_line(decision: &Decision<'_>, request: &Request) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"decision\":");
    json::write_str(&mut out, decision.effect.as_str());
    out.push_str(",\"policy_type\":");
    match decision.policy_type {
        Some(t) => json::write_str(&mut out, t.name()),
        None => out.push_str("null"),
    }
    out.push_str(",\"reason\":");
    json::write_str(&mut out, &decision.reason(request.action()));
    out.push_str(",\"message\":");
    match access_denied_message(decision, request) {
        Some(m) => json::write_str(&mut out, &m),
        None => out.push_str("null"),
    }
    out.push_str(",\"matched\":[");
    for (i, s) in decision.statements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"policy_type\":");
        json::write_str(&mut out, s.policy_type.name());
        out.push_str(",\"policy\":");
        json::write_str(&mut out, s.policy_id());
        if let Some(level) = s.level {
            out.push_str(&format!(",\"level\":{level}"));
        }
        out.push_str(&format!(",\"statement\":{}", s.index));
        out.push_str(",\"sid\":");
        match s.sid() {
            Some(sid) => json::write_str(&mut out, sid),
            None => out.push_str("null"),
        }
        out.push_str(",\"effect\":");
        json::write_str(&mut out, s.effect.as_str());
        out.push('}');
    }
    out.push_str("]}");
    out
}

fn error_line(e: &PolicyError) -> String {
    let mut out = String::from("{\"error\":{\"pointer\":");
    let pointer = match e {
        PolicyError::Request { pointer, .. } => pointer.as_str(),
        _ => "",
    };
    json::write_str(&mut out, pointer);
    out.push_str(",\"message\":");
    let message = match e {
        PolicyError::Request { message, .. } => message.clone(),
        other => other.to_string(),
    };
    json::write_str(&mut out, &message);
    out.push_str("}}");
    out
}
