//! Builds the document model from JSON and checks it against the rules of its kind.
//!
//! Every problem is collected (not just the first), each with IAM's message, our detail and
//! its location. Messages follow IAM's wording; where IAM only says "Syntax errors in
//! policy." the detail says what was wrong.

use std::collections::HashSet;

use crate::condition::Operator;
use crate::document::{
    Condition, ConditionValue, Effect, ListElement, OneOrMany, PolicyDocument, PrincipalElement,
    PrincipalType, Principals, Statement, Version,
};
use crate::error::{ErrorCode, ValidationError, ValidationErrors};
use crate::json::{self, Member, Node, Pointer, Value};
use crate::kind::{policy_size, PolicyKind};
use crate::values::parse_date;

const SYNTAX: &str = "Syntax errors in policy.";
const LEGACY: &str = "The policy failed legacy parsing";
const NO_PRINCIPAL: &str = "Policy document should not specify a principal.";
const NEEDS_PRINCIPAL: &str = "Missing required field Principal";
const NEEDS_ACTIONS: &str = "Policy statement must contain actions.";
const NEEDS_RESOURCES: &str = "Policy statement must contain resources.";
const DUPLICATE_SID: &str = "Statement IDs (SID) in a single policy must be unique.";
const SID_ALPHABET: &str =
    "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
const VENDOR: &str = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
const ONE_COLON: &str = "Actions/Condition can contain only one colon.";

/// Problems found so far, with their byte offsets (turned into line:column at the end).
struct Problems {
    found: Vec<(ErrorCode, String, String, String, usize)>,
}

impl Problems {
    fn add(&mut self, message: &str, detail: String, pointer: &Pointer<'_>, offset: usize) {
        self.found.push((
            ErrorCode::MalformedPolicyDocument,
            message.to_owned(),
            detail,
            pointer.render(),
            offset,
        ));
    }
}

/// Parses `text` as a policy document of `kind`.
pub(super) fn parse_text(text: &str, kind: PolicyKind) -> Result<PolicyDocument, ValidationErrors> {
    match json::parse(text) {
        Ok(node) => parse_node(&node, text, kind),
        Err(e) => Err(finish(
            text,
            vec![(
                ErrorCode::MalformedPolicyDocument,
                SYNTAX.to_owned(),
                format!("invalid JSON: {}", e.message),
                String::new(),
                e.offset,
            )],
        )),
    }
}

/// Parses a document from an already-read JSON node; `text` is the whole source the node's
/// offsets point into (for line:column and the size of the node's own span).
pub(crate) fn parse_node(
    node: &Node<'_>,
    text: &str,
    kind: PolicyKind,
) -> Result<PolicyDocument, ValidationErrors> {
    let mut problems = Problems { found: Vec::new() };
    if let Some(max) = kind.max_chars() {
        let span = text.get(node.start..node.end).unwrap_or(text);
        let size = policy_size(span, kind);
        if size > max {
            let message = match kind {
                PolicyKind::Trust => format!("Cannot exceed quota for ACLSizePerRole: {max}"),
                PolicyKind::Session => format!(
                    "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to {max}"
                ),
                PolicyKind::ServiceControl | PolicyKind::ResourceControl => {
                    format!("The provided policy document exceeds the maximum size of {max} characters.")
                }
                _ => format!("Cannot exceed quota for PolicySize: {max}"),
            };
            problems.found.push((
                ErrorCode::LimitExceeded,
                message,
                format!("the document has {size} characters; a {kind} policy may have {max}"),
                String::new(),
                node.start,
            ));
        }
    }
    let doc = document(node, kind, &mut problems);
    if problems.found.is_empty() {
        if let Some(doc) = doc {
            return Ok(doc);
        }
        problems.add(
            SYNTAX,
            "the document is not a policy".to_owned(),
            &Pointer::Root,
            node.start,
        );
    }
    Err(finish(text, problems.found))
}

fn finish(text: &str, found: Vec<(ErrorCode, String, String, String, usize)>) -> ValidationErrors {
    let mut found = found;
    found.sort_by_key(|p| p.4);
    ValidationErrors(
        found
            .into_iter()
            .map(|(code, message, detail, pointer, offset)| {
                let (line, column) = json::line_col(text, offset);
                ValidationError {
                    code,
                    message,
                    detail,
                    pointer,
                    line,
                    column,
                }
            })
            .collect(),
    )
}

/// The pointer to the statement list.
const STATEMENT: Pointer<'static> = Pointer::Key(&Pointer::Root, "Statement");

fn document(node: &Node<'_>, kind: PolicyKind, problems: &mut Problems) -> Option<PolicyDocument> {
    let Value::Object(members) = &node.value else {
        problems.add(
            SYNTAX,
            format!(
                "the document must be a JSON object, not {}",
                node.value.type_name()
            ),
            &Pointer::Root,
            node.start,
        );
        return None;
    };
    let mut version = None;
    let mut id = None;
    let mut statement_node = None;
    for Member { key, value } in members {
        let pointer = Pointer::Key(&Pointer::Root, key);
        match key.as_ref() {
            "Version" => match value.value.as_str() {
                Some("2012-10-17") => version = Some(Version::V2012_10_17),
                Some("2008-10-17") => version = Some(Version::V2008_10_17),
                _ => problems.add(
                    SYNTAX,
                    "`Version` must be `2012-10-17` or `2008-10-17`".to_owned(),
                    &pointer,
                    value.start,
                ),
            },
            "Id" => match value.value.as_str() {
                Some(s) => id = Some(s.to_owned()),
                None => problems.add(
                    SYNTAX,
                    "`Id` must be a string".to_owned(),
                    &pointer,
                    value.start,
                ),
            },
            "Statement" => statement_node = Some(value),
            other => problems.add(
                SYNTAX,
                format!("unknown top-level element `{other}`"),
                &pointer,
                value.start,
            ),
        }
    }
    let variables = version == Some(Version::V2012_10_17);
    let Some(statement_node) = statement_node else {
        problems.add(
            SYNTAX,
            "missing `Statement`".to_owned(),
            &Pointer::Root,
            node.start,
        );
        return None;
    };
    let statement = match &statement_node.value {
        Value::Object(_) => OneOrMany::One(statement(
            statement_node,
            &STATEMENT,
            kind,
            variables,
            problems,
        )?),
        Value::Array(items) => {
            if items.is_empty() {
                problems.add(
                    SYNTAX,
                    "`Statement` is an empty list".to_owned(),
                    &STATEMENT,
                    statement_node.start,
                );
            }
            let mut list = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(s) = statement(
                    item,
                    &Pointer::Index(&STATEMENT, i),
                    kind,
                    variables,
                    problems,
                ) {
                    list.push(s);
                }
            }
            OneOrMany::Many(list)
        }
        other => {
            problems.add(
                SYNTAX,
                format!(
                    "`Statement` must be an object or a list, not {}",
                    other.type_name()
                ),
                &STATEMENT,
                statement_node.start,
            );
            return None;
        }
    };
    // Statement ids must be unique within the document.
    let mut seen = HashSet::new();
    if let Value::Array(items) = &statement_node.value {
        for (i, (s, item)) in statement.iter().zip(items).enumerate() {
            if let Some(sid) = s.sid.as_deref().filter(|sid| !sid.is_empty()) {
                if !seen.insert(sid) {
                    let at = item.value.get("Sid").map_or(item.start, |n| n.start);
                    problems.add(
                        DUPLICATE_SID,
                        format!("`Sid` `{sid}` is used twice"),
                        &Pointer::Key(&Pointer::Index(&STATEMENT, i), "Sid"),
                        at,
                    );
                }
            }
        }
    }
    Some(PolicyDocument {
        version,
        id,
        statement,
    })
}

fn string_list(
    node: &Node<'_>,
    pointer: &Pointer<'_>,
    name: &str,
    problems: &mut Problems,
) -> Option<OneOrMany<String>> {
    match &node.value {
        Value::String(s) => Some(OneOrMany::One(s.to_string())),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.value.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => problems.add(
                        SYNTAX,
                        format!(
                            "`{name}` entries must be strings, not {}",
                            item.value.type_name()
                        ),
                        &Pointer::Index(pointer, i),
                        item.start,
                    ),
                }
            }
            Some(OneOrMany::Many(out))
        }
        other => {
            problems.add(
                SYNTAX,
                format!(
                    "`{name}` must be a string or a list of strings, not {}",
                    other.type_name()
                ),
                pointer,
                node.start,
            );
            None
        }
    }
}

/// Where each value of a string list starts, for per-value messages.
fn value_offset(node: &Node<'_>, i: usize) -> usize {
    match &node.value {
        Value::Array(items) => items.get(i).map_or(node.start, |n| n.start),
        _ => node.start,
    }
}

fn value_pointer<'p>(pointer: &'p Pointer<'p>, node: &Node<'_>, i: usize) -> Pointer<'p> {
    match node.value {
        Value::Array(_) => Pointer::Index(pointer, i),
        _ => *pointer,
    }
}

fn statement<'n, 'a>(
    node: &'n Node<'a>,
    pointer: &Pointer<'_>,
    kind: PolicyKind,
    variables: bool,
    problems: &mut Problems,
) -> Option<Statement> {
    let Value::Object(members) = &node.value else {
        problems.add(
            SYNTAX,
            format!(
                "a statement must be an object, not {}",
                node.value.type_name()
            ),
            pointer,
            node.start,
        );
        return None;
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal: Option<(bool, &'n Node<'a>)> = None;
    let mut action: Option<(bool, &'n Node<'a>)> = None;
    let mut resource: Option<(bool, &'n Node<'a>)> = None;
    let mut condition = None;
    let mut conflicts = Vec::new();
    for Member { key, value } in members {
        let here = Pointer::Key(pointer, key);
        let mut set_pair = |slot: &mut Option<(bool, &'n Node<'a>)>, negated: bool| {
            if slot.is_some_and(|(n, _)| n != negated) {
                conflicts.push((here, value.start, key.to_string()));
            }
            *slot = Some((negated, value));
        };
        match key.as_ref() {
            "Sid" => match value.value.as_str() {
                Some(s) => {
                    if kind.is_iam() && !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                        problems.add(
                            SID_ALPHABET,
                            format!("`Sid` `{s}` has characters other than letters and digits"),
                            &here,
                            value.start,
                        );
                    }
                    sid = Some(s.to_owned());
                }
                None => problems.add(
                    SYNTAX,
                    "`Sid` must be a string".to_owned(),
                    &here,
                    value.start,
                ),
            },
            "Effect" => match value.value.as_str() {
                Some("Allow") => effect = Some(Effect::Allow),
                Some("Deny") => effect = Some(Effect::Deny),
                Some(other)
                    if other.eq_ignore_ascii_case("allow")
                        || other.eq_ignore_ascii_case("deny") =>
                {
                    problems.add(
                        LEGACY,
                        format!("`Effect` is case-sensitive: `{other}`"),
                        &here,
                        value.start,
                    );
                }
                _ => problems.add(
                    SYNTAX,
                    "`Effect` must be `Allow` or `Deny`".to_owned(),
                    &here,
                    value.start,
                ),
            },
            "Principal" => set_pair(&mut principal, false),
            "NotPrincipal" => set_pair(&mut principal, true),
            "Action" => set_pair(&mut action, false),
            "NotAction" => set_pair(&mut action, true),
            "Resource" => set_pair(&mut resource, false),
            "NotResource" => set_pair(&mut resource, true),
            "Condition" => condition = Some((here, value)),
            other => problems.add(
                SYNTAX,
                format!("unknown statement element `{other}`"),
                &here,
                value.start,
            ),
        }
    }
    for (here, offset, key) in conflicts {
        problems.add(
            SYNTAX,
            format!("`{key}` cannot be used together with its opposite"),
            &here,
            offset,
        );
    }
    if effect.is_none() && node.value.get("Effect").is_none() {
        problems.add(SYNTAX, "missing `Effect`".to_owned(), pointer, node.start);
    }

    // Principal.
    let principal = match principal {
        Some((negated, pnode)) => {
            let name = if negated { "NotPrincipal" } else { "Principal" };
            let here = Pointer::Key(pointer, name);
            if !kind.requires_principal() {
                problems.add(
                    NO_PRINCIPAL,
                    format!("{kind} policies cannot name principals"),
                    &here,
                    pnode.start,
                );
                None
            } else if negated && kind == PolicyKind::ResourceControl {
                problems.add(
                    SYNTAX,
                    "resource control policies do not support `NotPrincipal`".to_owned(),
                    &here,
                    pnode.start,
                );
                None
            } else {
                principals(pnode, &here, kind, problems).map(|principals| PrincipalElement {
                    negated,
                    principals,
                })
            }
        }
        None => {
            if kind.requires_principal() {
                problems.add(
                    NEEDS_PRINCIPAL,
                    "this statement names no principal".to_owned(),
                    pointer,
                    node.start,
                );
            }
            None
        }
    };

    // Action.
    let action = match action {
        Some((negated, anode)) => {
            let name = if negated { "NotAction" } else { "Action" };
            let here = Pointer::Key(pointer, name);
            let values = string_list(anode, &here, name, problems);
            if let Some(values) = &values {
                if values.as_slice().is_empty() {
                    problems.add(
                        NEEDS_ACTIONS,
                        format!("`{name}` is an empty list"),
                        &here,
                        anode.start,
                    );
                }
                for (i, a) in values.iter().enumerate() {
                    let at = value_offset(anode, i);
                    check_action(a, &value_pointer(&here, anode, i), at, problems);
                }
            }
            values.map(|values| ListElement { negated, values })
        }
        None => {
            problems.add(
                NEEDS_ACTIONS,
                "this statement has neither `Action` nor `NotAction`".to_owned(),
                pointer,
                node.start,
            );
            None
        }
    };

    // Resource.
    let resource = match resource {
        Some((negated, rnode)) => {
            let name = if negated { "NotResource" } else { "Resource" };
            let here = Pointer::Key(pointer, name);
            if kind == PolicyKind::Trust {
                problems.add(
                    &format!("Has prohibited field {name}"),
                    format!("a trust policy cannot have `{name}`"),
                    &here,
                    rnode.start,
                );
                None
            } else {
                let values = string_list(rnode, &here, name, problems);
                if let Some(values) = &values {
                    if values.as_slice().is_empty() {
                        problems.add(
                            NEEDS_RESOURCES,
                            format!("`{name}` is an empty list"),
                            &here,
                            rnode.start,
                        );
                    }
                    for (i, r) in values.iter().enumerate() {
                        let at = value_offset(rnode, i);
                        check_resource(r, &value_pointer(&here, rnode, i), at, problems);
                    }
                }
                values.map(|values| ListElement { negated, values })
            }
        }
        None => {
            if matches!(
                kind,
                PolicyKind::Identity | PolicyKind::PermissionsBoundary | PolicyKind::Session
            ) {
                problems.add(
                    NEEDS_RESOURCES,
                    "this statement has neither `Resource` nor `NotResource`".to_owned(),
                    pointer,
                    node.start,
                );
            }
            None
        }
    };

    let condition = match condition {
        Some((here, cnode)) => conditions(cnode, &here, variables, problems),
        None => None,
    };

    let effect = effect?;
    let statement = Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        condition,
    };
    if kind == PolicyKind::ResourceControl && effect == Effect::Allow && !is_full_access(&statement)
    {
        problems.add(
            SYNTAX,
            "resource control policies allow only `Deny` statements, besides the full-access `Allow` on `*`".to_owned(),
            pointer,
            node.start,
        );
    }
    let _ = variables;
    Some(statement)
}

fn is_full_access(s: &Statement) -> bool {
    let star = |e: &Option<ListElement>| {
        e.as_ref()
            .is_some_and(|e| !e.negated && e.values.as_slice() == ["*"])
    };
    star(&s.action) && (s.resource.is_none() || star(&s.resource)) && s.condition.is_none()
}

fn check_action(action: &str, pointer: &Pointer<'_>, offset: usize, problems: &mut Problems) {
    if action == "*" {
        return;
    }
    let mut parts = action.split(':');
    let vendor = parts.next().unwrap_or_default();
    let Some(_name) = parts.next() else {
        problems.add(
            VENDOR,
            format!("action `{action}` has no service prefix"),
            pointer,
            offset,
        );
        return;
    };
    if parts.next().is_some() {
        problems.add(
            ONE_COLON,
            format!("action `{action}` has more than one `:`"),
            pointer,
            offset,
        );
        return;
    }
    if vendor.is_empty()
        || !vendor
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '*' | '?'))
    {
        problems.add(
            &format!("Vendor {vendor} is not valid"),
            format!("`{vendor}` is not a service prefix"),
            pointer,
            offset,
        );
    }
}

fn check_resource(resource: &str, pointer: &Pointer<'_>, offset: usize, problems: &mut Problems) {
    if resource == "*" {
        return;
    }
    let mut fields = resource.splitn(3, ':');
    let first = fields.next().unwrap_or_default();
    let Some(partition) = fields.next() else {
        problems.add(
            &format!("Resource {resource} must be in ARN format or \"*\"."),
            format!("`{resource}` is not an ARN"),
            pointer,
            offset,
        );
        return;
    };
    if first != "arn" {
        problems.add(
            LEGACY,
            format!("`{resource}` does not start with `arn:`"),
            pointer,
            offset,
        );
        return;
    }
    let rest = fields.next().unwrap_or_default();
    if partition.is_empty() || rest.is_empty() {
        problems.add(
            LEGACY,
            format!("`{resource}` has no service"),
            pointer,
            offset,
        );
    } else if rest.starts_with(':') {
        problems.add(
            "Resource vendor must be fully qualified and cannot contain regexes.",
            format!("`{resource}` has an empty service"),
            pointer,
            offset,
        );
    }
}

fn principals(
    node: &Node<'_>,
    pointer: &Pointer<'_>,
    kind: PolicyKind,
    problems: &mut Problems,
) -> Option<Principals> {
    match &node.value {
        Value::String(s) if s == "*" => Some(Principals::Wildcard),
        Value::Object(members) => {
            let mut out: Vec<(PrincipalType, OneOrMany<String>)> =
                Vec::with_capacity(members.len());
            for Member { key, value } in members {
                let here = Pointer::Key(pointer, key);
                let ptype = match key.as_ref() {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    other => {
                        let shown = value.value.as_str().unwrap_or_default();
                        problems.add(
                            &format!("Invalid principal in policy: \"{other}\":\"{shown}\""),
                            format!("unknown principal type `{other}`"),
                            &here,
                            value.start,
                        );
                        continue;
                    }
                };
                let Some(values) = string_list(value, &here, key, problems) else {
                    continue;
                };
                for (i, v) in values.iter().enumerate() {
                    let ok = match ptype {
                        PrincipalType::Aws => valid_aws_principal(v),
                        PrincipalType::Service => !v.is_empty() && !v.contains('*'),
                        PrincipalType::Federated => !v.is_empty() && !v.contains('*'),
                        PrincipalType::CanonicalUser => {
                            !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric())
                        }
                    };
                    let ok = ok && (kind != PolicyKind::ResourceControl || v == "*");
                    if !ok {
                        let at = value_offset(value, i);
                        let label = if ptype == PrincipalType::Service {
                            "SERVICE"
                        } else {
                            ptype.as_str()
                        };
                        problems.add(
                            &format!("Invalid principal in policy: \"{label}\":\"{v}\""),
                            format!("`{v}` is not a valid {} principal", ptype.as_str()),
                            &value_pointer(&here, value, i),
                            at,
                        );
                    }
                }
                // IAM keeps the last duplicate key.
                out.retain(|(t, _)| *t != ptype);
                out.push((ptype, values));
            }
            if kind == PolicyKind::ResourceControl && !out.is_empty() {
                problems.add(
                    SYNTAX,
                    "resource control policies accept only `\"Principal\": \"*\"`".to_owned(),
                    pointer,
                    node.start,
                );
            }
            Some(Principals::Map(out))
        }
        other => {
            let shown = other.as_str().unwrap_or_default();
            problems.add(
                &format!("Invalid principal in policy: \"{shown}\""),
                "a principal must be `*` or an object".to_owned(),
                pointer,
                node.start,
            );
            None
        }
    }
}

/// `*`, a 12-digit account id, an IAM or STS principal ARN, or an IAM unique id.
fn valid_aws_principal(v: &str) -> bool {
    if v == "*" {
        return true;
    }
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if v.len() >= 16
        && (v.starts_with("AIDA") || v.starts_with("AROA"))
        && v.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return true;
    }
    if v.contains('*') || v.contains('?') {
        return false;
    }
    let mut f = v.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(""), Some(account), Some(resource)) =
        (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
    else {
        return false;
    };
    if partition.is_empty() || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match service {
        "iam" => {
            resource == "root"
                || resource.starts_with("user/")
                || resource.starts_with("role/")
                || resource.starts_with("federated-user/")
        }
        "sts" => resource.starts_with("assumed-role/") || resource.starts_with("federated-user/"),
        _ => false,
    }
}

fn condition_value(node: &Node<'_>) -> Option<ConditionValue> {
    match &node.value {
        Value::String(s) => Some(ConditionValue::String(s.to_string())),
        Value::Number(n) => Some(ConditionValue::Number((*n).to_owned())),
        Value::Bool(b) => Some(ConditionValue::Bool(*b)),
        _ => None,
    }
}

fn conditions(
    node: &Node<'_>,
    pointer: &Pointer<'_>,
    variables: bool,
    problems: &mut Problems,
) -> Option<Vec<Condition>> {
    let Value::Object(blocks) = &node.value else {
        problems.add(
            SYNTAX,
            format!(
                "`Condition` must be an object, not {}",
                node.value.type_name()
            ),
            pointer,
            node.start,
        );
        return None;
    };
    let mut out: Vec<Condition> = Vec::with_capacity(blocks.len());
    for Member {
        key: op_name,
        value: block,
    } in blocks
    {
        let here = Pointer::Key(pointer, op_name);
        let Value::Object(entries) = &block.value else {
            problems.add(
                SYNTAX,
                format!("the `{op_name}` block must be an object"),
                &here,
                block.start,
            );
            continue;
        };
        let operator = Operator::parse(op_name);
        if operator.is_none() && !entries.is_empty() {
            problems.add(
                SYNTAX,
                format!("unknown condition operator `{op_name}`"),
                &here,
                block.start,
            );
        }
        let mut parsed = Vec::with_capacity(entries.len());
        for Member { key, value } in entries {
            let key_pointer = Pointer::Key(&here, key);
            if !key.contains(':') {
                problems.add(
                    VENDOR,
                    format!("condition key `{key}` has no service prefix"),
                    &key_pointer,
                    value.start,
                );
            }
            let values = match &value.value {
                Value::Array(items) => {
                    let mut list = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        match condition_value(item) {
                            Some(v) => list.push(v),
                            None => problems.add(
                                SYNTAX,
                                format!(
                                    "condition values must be strings, numbers or booleans, not {}",
                                    item.value.type_name()
                                ),
                                &Pointer::Index(&key_pointer, i),
                                item.start,
                            ),
                        }
                    }
                    OneOrMany::Many(list)
                }
                _ => match condition_value(value) {
                    Some(v) => OneOrMany::One(v),
                    None => {
                        problems.add(
                            SYNTAX,
                            format!(
                                "condition values must be strings, numbers or booleans, not {}",
                                value.value.type_name()
                            ),
                            &key_pointer,
                            value.start,
                        );
                        continue;
                    }
                },
            };
            if operator.is_some_and(|o| o.is_date()) {
                for (i, v) in values.iter().enumerate() {
                    let text = v.as_text();
                    let has_variable = variables && text.contains("${");
                    if !has_variable && parse_date(text).is_none() {
                        let at = value_offset(value, i);
                        problems.add(
                            LEGACY,
                            format!("`{text}` is not an ISO 8601 date or epoch seconds"),
                            &value_pointer(&key_pointer, value, i),
                            at,
                        );
                    }
                }
            }
            // IAM keeps the last duplicate key.
            parsed.retain(|(k, _): &(String, OneOrMany<ConditionValue>)| k != key.as_ref());
            parsed.push((key.to_string(), values));
        }
        out.retain(|c| c.operator != op_name.as_ref());
        out.push(Condition {
            operator: op_name.to_string(),
            entries: parsed,
        });
    }
    Some(out)
}
