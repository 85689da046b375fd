//! Offline evaluation and validation for `gatehouse policy evaluate|validate`: one JSON
//! line in, one JSON line out. Pure: the CLI does the reading and writing.
//!
//! The formats are documented in the crate's README.md.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::Hasher;

use crate::compile::CompiledPolicy;
use crate::context::ContextValue;
use crate::decision::{access_denied_message, Decision};
use crate::document::parse_node;
use crate::document::PolicyDocument;
use crate::error::{PolicyError, ValidationError};
use crate::evaluate::{evaluate, EvaluationInput};
use crate::json::{self, Node, Pointer, Value};
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
    run(line, None)
}

/// Evaluates request lines one after another, compiling each distinct policy (same kind,
/// id and JSON text) once and reusing it on later lines. Use it when lines share policies,
/// as a stream from one account usually does.
#[derive(Debug, Default)]
pub struct LineEvaluator {
    cache: PolicyCache,
}

impl LineEvaluator {
    /// An evaluator with an empty cache.
    pub fn new() -> LineEvaluator {
        LineEvaluator::default()
    }

    /// Like [`evaluate_line`], reusing compiled policies.
    pub fn evaluate_line(&mut self, line: &str) -> String {
        match self.evaluate_json(line) {
            Ok(out) => out,
            Err(e) => error_line(&e),
        }
    }

    /// Like [`evaluate_json`], reusing compiled policies.
    pub fn evaluate_json(&mut self, line: &str) -> Result<String, PolicyError> {
        run(line, Some(&mut self.cache))
    }
}

/// Most compiled policies kept; the cache starts over when full.
const CACHE_LIMIT: usize = 4_096;

/// One cached policy: its kind, the place it was read from (`identity/0`), its text.
type CacheEntry = (PolicyKind, Box<str>, Box<str>, CompiledPolicy);

/// Compiled policies by kind, id and source text.
#[derive(Debug, Default)]
struct PolicyCache {
    // Keyed by a hash of the source text; entries keep the text to rule out collisions.
    entries: HashMap<u64, Vec<CacheEntry>>,
    len: usize,
}

impl PolicyCache {
    fn key(source: &str) -> u64 {
        let mut h = TextHasher::default();
        h.write(source.as_bytes());
        h.finish()
    }

    /// The policy compiled from `source` as `kind` at the place labelled `slot`.
    fn get(&self, kind: PolicyKind, slot: &str, source: &str) -> Option<CompiledPolicy> {
        let list = self.entries.get(&PolicyCache::key(source))?;
        list.iter()
            .find(|(k, s, text, _)| *k == kind && **s == *slot && **text == *source)
            .map(|(_, _, _, p)| p.clone())
    }

    fn put(&mut self, kind: PolicyKind, slot: &str, source: &str, policy: CompiledPolicy) {
        if self.len >= CACHE_LIMIT {
            self.entries.clear();
            self.len = 0;
        }
        self.entries
            .entry(PolicyCache::key(source))
            .or_default()
            .push((kind, slot.into(), source.into(), policy));
        self.len += 1;
    }
}

/// A fast non-cryptographic hasher for policy texts (eight bytes per step).
#[derive(Debug, Default, Clone, Copy)]
struct TextHasher(u64);

impl Hasher for TextHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.mix(u64::from(b));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl TextHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// What the readers need besides the node at hand.
struct Ctx<'l> {
    line: &'l str,
    cache: Option<&'l mut PolicyCache>,
}

fn run(line: &str, cache: Option<&mut PolicyCache>) -> Result<String, PolicyError> {
    // Policies stay unread until needed: a cached policy is never parsed again.
    let syntax = |e: json::SyntaxError| PolicyError::Request {
        pointer: String::new(),
        message: format!("invalid JSON at byte {}: {}", e.offset, e.message),
    };
    let (root, end) = json::parse_lazy(line, 0, 3).map_err(syntax)?;
    if end != line.len() {
        return Err(syntax(json::SyntaxError {
            offset: end,
            message: "unexpected text after the JSON value",
        }));
    }
    let mut ctx = Ctx { line, cache };
    let parsed = read_request(&root, &mut ctx)?;
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
    let request = parsed
        .request
        .as_ref()
        .ok_or_else(|| bad(&Pointer::Root, "missing request"))?;
    let decision = evaluate(&input, request);
    Ok(decision_line(&decision, request))
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
    // INVARIANT: `Some` once `read_request` returns.
    request: Option<Request>,
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

fn bad(pointer: &Pointer<'_>, message: impl Into<String>) -> PolicyError {
    PolicyError::Request {
        pointer: pointer.render(),
        message: message.into(),
    }
}

fn object<'n, 'a>(
    node: &'n Node<'a>,
    pointer: &Pointer<'_>,
) -> Result<&'n [json::Member<'a>], PolicyError> {
    match &node.value {
        Value::Object(m) => Ok(m),
        other => Err(bad(
            pointer,
            format!("expected an object, found {}", other.type_name()),
        )),
    }
}

fn string<'n>(node: &'n Node<'_>, pointer: &Pointer<'_>) -> Result<&'n str, PolicyError> {
    node.value.as_str().ok_or_else(|| {
        bad(
            pointer,
            format!("expected a string, found {}", node.value.type_name()),
        )
    })
}

fn boolean(node: Option<&Node<'_>>, pointer: &Pointer<'_>) -> Result<bool, PolicyError> {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(
            pointer,
            format!("expected a boolean, found {}", other.type_name()),
        )),
    }
}

fn array<'n, 'a>(node: &'n Node<'a>, pointer: &Pointer<'_>) -> Result<&'n [Node<'a>], PolicyError> {
    match &node.value {
        Value::Array(items) => Ok(items),
        other => Err(bad(
            pointer,
            format!("expected an array, found {}", other.type_name()),
        )),
    }
}

fn scalar_text(node: &Node<'_>, pointer: &Pointer<'_>) -> Result<String, PolicyError> {
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

fn principal_kind(name: &str, pointer: &Pointer<'_>) -> Result<PrincipalKind, PolicyError> {
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

/// A node with what the lazy parse left unread read, `raw_depth` levels deep.
fn expand<'a>(line: &'a str, node: &Node<'a>, raw_depth: usize) -> Result<Node<'a>, PolicyError> {
    match node.value {
        Value::Raw => json::parse_lazy(line, node.start, raw_depth)
            .map(|(n, _)| n)
            .map_err(|e| PolicyError::Request {
                pointer: String::new(),
                message: format!("invalid JSON at byte {}: {}", e.offset, e.message),
            }),
        _ => Ok(node.clone()),
    }
}

fn read_principal(node: &Node<'_>, line: &str) -> Result<Principal, PolicyError> {
    let here = Pointer::Key(&Pointer::Root, "principal");
    let members = object(node, &here)?;
    let arn = match node.value.get("arn") {
        Some(n) => string(n, &Pointer::Key(&here, "arn"))?.to_owned(),
        None => String::new(),
    };
    let kind = match node.value.get("kind") {
        Some(n) => principal_kind(
            string(n, &Pointer::Key(&here, "kind"))?,
            &Pointer::Key(&here, "kind"),
        )?,
        None => kind_from_arn(&arn),
    };
    let account = match node.value.get("account") {
        Some(n) => string(n, &Pointer::Key(&here, "account"))?.to_owned(),
        None => arn.split(':').nth(4).unwrap_or_default().to_owned(),
    };
    let mut p = Principal::new(kind, arn, account);
    for m in members {
        let pointer = Pointer::Key(&here, &m.key);
        match m.key.as_ref() {
            "arn" | "kind" | "account" => {}
            "underlying_arn" => p.underlying_arn = Some(string(&m.value, &pointer)?.to_owned()),
            "user_id" => p.user_id = Some(string(&m.value, &pointer)?.to_owned()),
            "service_linked" => p.service_linked = boolean(Some(&m.value), &pointer)?,
            "canonical_user" => p.canonical_user = Some(string(&m.value, &pointer)?.to_owned()),
            "org_id" => p.org_id = Some(string(&m.value, &pointer)?.to_owned()),
            "org_paths" => {
                let paths = expand(line, &m.value, usize::MAX)?;
                for (i, n) in array(&paths, &pointer)?.iter().enumerate() {
                    p.org_paths
                        .push(string(n, &Pointer::Index(&pointer, i))?.to_owned());
                }
            }
            "tags" => {
                let tags = expand(line, &m.value, usize::MAX)?;
                for t in object(&tags, &pointer)? {
                    let v = string(&t.value, &Pointer::Key(&pointer, &t.key))?;
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
    pointer: &Pointer<'_>,
    ctx: &mut Ctx<'_>,
    kind: PolicyKind,
    default_id: String,
) -> Result<CompiledPolicy, PolicyError> {
    // The cache is keyed by the entry's text as written, before reading any of it.
    let entry_text = match &node.value {
        Value::String(text) => text.as_ref(),
        _ => ctx.line.get(node.start..node.end).unwrap_or_default(),
    };
    if let Some(cached) = ctx
        .cache
        .as_deref()
        .and_then(|c| c.get(kind, &default_id, entry_text))
    {
        return Ok(cached);
    }
    let shallow = expand(ctx.line, node, 1)?;
    let (id, doc, doc_pointer) = match shallow.value.get("document") {
        Some(doc) => {
            let id = match shallow.value.get("id") {
                Some(n) => string(n, &Pointer::Key(pointer, "id"))?.to_owned(),
                None => default_id.clone(),
            };
            (id, doc, Pointer::Key(pointer, "document"))
        }
        None => (default_id.clone(), &shallow, *pointer),
    };
    let full;
    let doc = match doc.value {
        Value::Raw | Value::Object(_) => {
            // Read again from its start: the shallow read left its insides unread.
            let unread = Node {
                start: doc.start,
                end: doc.end,
                value: Value::Raw,
            };
            full = expand(ctx.line, &unread, usize::MAX)?;
            &full
        }
        _ => doc,
    };
    let parsed = match &doc.value {
        Value::String(text) => PolicyDocument::parse(text, kind),
        Value::Object(_) => parse_node(doc, ctx.line, kind),
        other => {
            return Err(bad(
                &doc_pointer,
                format!("expected a policy document, found {}", other.type_name()),
            ))
        }
    };
    match parsed {
        Ok(document) => {
            let policy = CompiledPolicy::new(id, document, kind);
            if let Some(cache) = ctx.cache.as_deref_mut() {
                cache.put(kind, &default_id, entry_text, policy.clone());
            }
            Ok(policy)
        }
        Err(errors) => Err(bad(
            &doc_pointer,
            format!("invalid {kind} policy `{id}`: {}", errors),
        )),
    }
}

fn read_policy_list(
    node: &Node<'_>,
    pointer: &Pointer<'_>,
    ctx: &mut Ctx<'_>,
    kind: PolicyKind,
    label: &str,
) -> Result<Vec<CompiledPolicy>, PolicyError> {
    let node = expand(ctx.line, node, 1)?;
    let items = array(&node, pointer)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, n) in items.iter().enumerate() {
        out.push(read_policy(
            n,
            &Pointer::Index(pointer, i),
            ctx,
            kind,
            format!("{label}/{i}"),
        )?);
    }
    Ok(out)
}

fn read_levels(
    node: &Node<'_>,
    pointer: &Pointer<'_>,
    ctx: &mut Ctx<'_>,
    kind: PolicyKind,
    label: &str,
) -> Result<Vec<Vec<CompiledPolicy>>, PolicyError> {
    let node = expand(ctx.line, node, 1)?;
    let levels = array(&node, pointer)?;
    let mut out = Vec::with_capacity(levels.len());
    for (i, n) in levels.iter().enumerate() {
        out.push(read_policy_list(
            n,
            &Pointer::Index(pointer, i),
            ctx,
            kind,
            &format!("{label}/{i}"),
        )?);
    }
    Ok(out)
}

fn read_request(root: &Node<'_>, ctx: &mut Ctx<'_>) -> Result<Parsed, PolicyError> {
    let members = object(root, &Pointer::Root)?;
    let principal = read_principal(
        root.value
            .get("principal")
            .ok_or_else(|| bad(&Pointer::Root, "missing `principal`"))?,
        ctx.line,
    )?;
    let action = string(
        root.value
            .get("action")
            .ok_or_else(|| bad(&Pointer::Root, "missing `action`"))?,
        &Pointer::Key(&Pointer::Root, "action"),
    )?;
    let resource = match root.value.get("resource") {
        Some(n) => string(n, &Pointer::Key(&Pointer::Root, "resource"))?,
        None => "*",
    };
    let mut request = Request::new(principal, action, resource);
    let mut parsed = Parsed {
        request: None,
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
        let pointer = Pointer::Key(&Pointer::Root, &m.key);
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
                    let here = Pointer::Key(&pointer, &c.key);
                    let cv = expand(ctx.line, &c.value, usize::MAX)?;
                    let value = match &cv.value {
                        Value::Array(items) => {
                            let mut list = Vec::with_capacity(items.len());
                            for (i, item) in items.iter().enumerate() {
                                list.push(scalar_text(item, &Pointer::Index(&here, i))?);
                            }
                            ContextValue::Multi(list)
                        }
                        _ => ContextValue::Single(scalar_text(&cv, &here)?),
                    };
                    request.context_mut().insert(&c.key, value);
                }
            }
            "policies" => {
                for p in object(&m.value, &pointer)? {
                    let here = Pointer::Key(&pointer, &p.key);
                    match p.key.as_ref() {
                        "identity" => {
                            parsed.identity = read_policy_list(
                                &p.value,
                                &here,
                                ctx,
                                PolicyKind::Identity,
                                "identity",
                            )?
                        }
                        "session" => {
                            parsed.session = read_policy_list(
                                &p.value,
                                &here,
                                ctx,
                                PolicyKind::Session,
                                "session",
                            )?
                        }
                        "boundary" => {
                            parsed.boundary = Some(read_policy(
                                &p.value,
                                &here,
                                ctx,
                                PolicyKind::PermissionsBoundary,
                                "boundary".to_owned(),
                            )?)
                        }
                        "resource" => {
                            parsed.resource = Some(read_policy(
                                &p.value,
                                &here,
                                ctx,
                                PolicyKind::Resource,
                                "resource".to_owned(),
                            )?)
                        }
                        "trust" => {
                            parsed.resource = Some(read_policy(
                                &p.value,
                                &here,
                                ctx,
                                PolicyKind::Trust,
                                "trust".to_owned(),
                            )?)
                        }
                        "scp" => {
                            parsed.scp = read_levels(
                                &p.value,
                                &here,
                                ctx,
                                PolicyKind::ServiceControl,
                                "scp",
                            )?
                        }
                        "rcp" => {
                            parsed.rcp = read_levels(
                                &p.value,
                                &here,
                                ctx,
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
    parsed.request = Some(request);
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
            let _ = write!(out, ",\"level\":{level}");
        }
        let _ = write!(out, ",\"statement\":{}", s.index);
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

#[cfg(test)]
mod tests;
