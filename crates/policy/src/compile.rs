//! Compiled policies: patterns pre-built, keys lower-cased, and statements indexed by the
//! service prefix of their actions so evaluation never looks at statements that cannot
//! match the requested action.
//!
//! A [`CompiledPolicy`] is immutable and cheap to clone (an `Arc` inside), so the server can
//! cache one per policy version and share it across requests and threads.

use std::sync::Arc;

use crate::condition::{CompiledCondition, Operator};
use crate::context::Key;
use crate::document::{Effect, PolicyDocument, PrincipalType, Principals, Statement};
use crate::error::ValidationErrors;
use crate::kind::PolicyKind;
use crate::pattern::{tail_word, ArnPattern, Pattern, Syntax, Unresolved};
use crate::request::{PrincipalKind, Request};

/// How a statement's principal element matched the requesting principal. The order is from
/// weakest to strongest grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// Through the principal's account (an account id or `…:root`): a delegation that needs
    /// the account's identity policies too.
    Account,
    /// Through the IAM role (or user) behind a session: limited by the boundary and session
    /// policies like an identity-based grant.
    Underlying,
    /// The principal itself (user ARN, session ARN, service, federated provider) or `*`.
    Exact,
}

/// A parsed and compiled policy with a caller-chosen id (a policy ARN, or a label such as
/// `user/bob/inline/name`).
#[derive(Debug, Clone)]
pub struct CompiledPolicy(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    id: String,
    kind: PolicyKind,
    document: PolicyDocument,
    statements: Vec<CompiledStatement>,
    // INVARIANT: sorted by service, each list ascending.
    // Keyed by the hash of the service name only: a collision merely adds candidates,
    // which the action patterns then reject.
    index: ServiceIndex,
    /// For a combined policy: the policies it was made of.
    sources: Vec<CompiledPolicy>,
    // INVARIANT: empty, or one (source, statement) pair per statement.
    origins: Vec<(u32, u32)>,
}

#[derive(Debug, Clone)]
struct PrincipalSet {
    negated: bool,
    everyone: bool,
    accounts: Vec<Box<str>>,
    arns: Vec<Box<str>>,
    services: Vec<Box<str>>,
    federated: Vec<Box<str>>,
    canonical: Vec<Box<str>>,
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    effect: Effect,
    principal: Option<PrincipalSet>,
    actions_negated: bool,
    actions: Vec<Pattern>,
    resources: Option<(bool, Vec<ArnPattern>)>,
    conditions: Vec<CompiledCondition>,
    /// The statement has an element we cannot evaluate (unknown operator): an `Allow` never
    /// applies and a `Deny` applies whenever its other elements match.
    broken: bool,
}

impl CompiledPolicy {
    /// Parses, validates and compiles `text` as a policy of `kind`.
    pub fn parse(
        id: impl Into<String>,
        text: &str,
        kind: PolicyKind,
    ) -> Result<CompiledPolicy, ValidationErrors> {
        Ok(CompiledPolicy::new(
            id,
            PolicyDocument::parse(text, kind)?,
            kind,
        ))
    }

    /// Compiles an already parsed document.
    pub fn new(
        id: impl Into<String>,
        document: PolicyDocument,
        kind: PolicyKind,
    ) -> CompiledPolicy {
        let variables = document.has_variables();
        let statements: Vec<CompiledStatement> = document
            .statements()
            .iter()
            .map(|s| compile_statement(s, variables))
            .collect();
        let index = ServiceIndex::new(document.statements(), &statements);
        CompiledPolicy(Arc::new(Inner {
            id: id.into(),
            kind,
            document,
            statements,
            index,
            sources: Vec::new(),
            origins: Vec::new(),
        }))
    }

    /// One policy holding the statements of `policies`, indexed together: a per-principal
    /// view that evaluates like the list (one index lookup instead of one per policy).
    /// Decisions still name the original policies and statements. Its `document()` is the
    /// statements of all the policies in one synthetic document.
    pub fn combine(
        id: impl Into<String>,
        kind: PolicyKind,
        policies: &[CompiledPolicy],
    ) -> CompiledPolicy {
        let mut statements = Vec::new();
        let mut originals = Vec::new();
        let mut origins = Vec::new();
        let mut sources = Vec::with_capacity(policies.len());
        for policy in policies {
            // A combined policy among the inputs contributes its own sources.
            let parts: Vec<&CompiledPolicy> = if policy.0.sources.is_empty() {
                vec![policy]
            } else {
                policy.0.sources.iter().collect()
            };
            for part in parts {
                let source = u32::try_from(sources.len()).unwrap_or(u32::MAX);
                sources.push(part.clone());
                for (si, (compiled, original)) in part
                    .0
                    .statements
                    .iter()
                    .zip(part.0.document.statements())
                    .enumerate()
                {
                    statements.push(compiled.clone());
                    originals.push(original.clone());
                    origins.push((source, u32::try_from(si).unwrap_or(u32::MAX)));
                }
            }
        }
        let index = ServiceIndex::new(&originals, &statements);
        let document = PolicyDocument {
            version: Some(crate::document::Version::V2012_10_17),
            id: None,
            statement: crate::document::OneOrMany::Many(originals),
        };
        CompiledPolicy(Arc::new(Inner {
            id: id.into(),
            kind,
            document,
            statements,
            index,
            sources,
            origins,
        }))
    }

    /// The policy and statement index a statement of this policy came from (itself, unless
    /// this is a combined policy).
    pub(crate) fn origin(&self, index: u32) -> (&CompiledPolicy, usize) {
        match self.0.origins.get(index as usize) {
            Some(&(source, si)) => match self.0.sources.get(source as usize) {
                Some(p) => (p, si as usize),
                None => (self, index as usize),
            },
            None => (self, index as usize),
        }
    }

    /// The id given when compiling.
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// The kind this policy was validated as.
    pub fn kind(&self) -> PolicyKind {
        self.0.kind
    }

    /// The document this policy was compiled from.
    pub fn document(&self) -> &PolicyDocument {
        &self.0.document
    }

    /// The `Sid` of statement `index`, if it has one.
    pub fn sid(&self, index: usize) -> Option<&str> {
        self.0
            .document
            .statements()
            .get(index)
            .and_then(|s| s.sid.as_deref())
    }

    /// The statements that may match an action of `service` (lower-case), ascending, each
    /// with its resource gate.
    pub(crate) fn candidates<'a>(&'a self, service: &Key) -> Candidates<'a> {
        self.0.index.candidates(service.hash())
    }

    /// The number of statements.
    pub(crate) fn len(&self) -> usize {
        self.0.statements.len()
    }

    /// Statement `index`, compiled.
    pub(crate) fn statement(&self, index: u32) -> Option<&CompiledStatement> {
        self.0.statements.get(index as usize)
    }
}

/// Statements by the service prefixes of their actions, in two flat arrays so a lookup
/// touches little memory.
#[derive(Debug)]
struct ServiceIndex {
    // INVARIANT: sorted by hash; (hash, start, len) ranges into `lists`. Keyed by the hash
    // of the service name only: a collision merely adds candidates, which the action
    // patterns then reject.
    keys: Box<[(u64, u32, u32)]>,
    /// The range in `lists` of statements whose actions may match any service.
    any: (u32, u32),
    // INVARIANT: each range ascending by statement.
    lists: Box<[Candidate]>,
}

/// A statement in the index, with a first check of the request's resource that needs no
/// look at the statement itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The statement's index in its policy.
    pub(crate) statement: u32,
    /// Length of the text every resource the statement covers starts with (0: no gate).
    gate_len: u32,
    /// [`tail_word`] of that text.
    gate_tail: u64,
}

impl Candidate {
    fn new(statement: u32, compiled: Option<&CompiledStatement>) -> Candidate {
        let gate = compiled.map_or("", CompiledStatement::resource_gate);
        Candidate {
            statement,
            gate_len: u32::try_from(gate.len()).unwrap_or(0),
            gate_tail: tail_word(gate.as_bytes()),
        }
    }

    /// False when the statement's resources cannot cover `resource` (a necessary
    /// condition only: true says nothing).
    #[inline]
    pub(crate) fn admits(&self, resource: &str) -> bool {
        match resource.as_bytes().get(..self.gate_len as usize) {
            Some(head) => tail_word(head) == self.gate_tail,
            None => false,
        }
    }
}

impl ServiceIndex {
    fn new(statements: &[Statement], compiled: &[CompiledStatement]) -> ServiceIndex {
        let mut by_service: Vec<(u64, Vec<u32>)> = Vec::new();
        let mut any_service = Vec::new();
        for (i, s) in statements.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match statement_services(s) {
                None => any_service.push(i),
                Some(list) => {
                    for svc in list {
                        let svc = Key::new(&svc).hash();
                        match by_service.binary_search_by(|(k, _)| k.cmp(&svc)) {
                            Ok(pos) => {
                                if let Some((_, v)) = by_service.get_mut(pos) {
                                    if v.last() != Some(&i) {
                                        v.push(i);
                                    }
                                }
                            }
                            Err(pos) => by_service.insert(pos, (svc, vec![i])),
                        }
                    }
                }
            }
        }
        let total = any_service.len() + by_service.iter().map(|(_, v)| v.len()).sum::<usize>();
        let mut lists = Vec::with_capacity(total);
        let range = |list: &[u32], lists: &mut Vec<Candidate>| {
            let start = u32::try_from(lists.len()).unwrap_or(u32::MAX);
            lists.extend(
                list.iter()
                    .map(|&i| Candidate::new(i, compiled.get(i as usize))),
            );
            (start, u32::try_from(list.len()).unwrap_or(u32::MAX))
        };
        let any = range(&any_service, &mut lists);
        let keys = by_service
            .iter()
            .map(|(hash, list)| {
                let (start, len) = range(list, &mut lists);
                (*hash, start, len)
            })
            .collect();
        ServiceIndex {
            keys,
            any,
            lists: lists.into_boxed_slice(),
        }
    }

    fn slice(&self, (start, len): (u32, u32)) -> &[Candidate] {
        let start = start as usize;
        self.lists
            .get(start..start + len as usize)
            .unwrap_or_default()
    }

    fn candidates(&self, service: u64) -> Candidates<'_> {
        // Most policies name few services: then a linear scan of integers beats a search.
        let found = if self.keys.len() <= 16 {
            self.keys.iter().find(|(hash, _, _)| *hash == service)
        } else {
            self.keys
                .binary_search_by(|(hash, _, _)| hash.cmp(&service))
                .ok()
                .and_then(|pos| self.keys.get(pos))
        };
        let specific = found.map_or(&[][..], |&(_, start, len)| self.slice((start, len)));
        Candidates {
            a: specific,
            b: self.slice(self.any),
        }
    }
}

/// Lower-case service prefixes a statement's actions are limited to, or `None` when it may
/// match any service (`NotAction`, `*`, wildcard in the prefix).
fn statement_services(s: &Statement) -> Option<Vec<String>> {
    let action = s.action.as_ref()?;
    if action.negated {
        return None;
    }
    let mut out = Vec::new();
    for a in action.values.iter() {
        let (svc, _) = a.split_once(':')?;
        if svc.contains(['*', '?']) {
            return None;
        }
        let svc = svc.to_ascii_lowercase();
        if !out.contains(&svc) {
            out.push(svc);
        }
    }
    Some(out)
}

/// Merges two index lists ascending by statement.
pub(crate) struct Candidates<'a> {
    a: &'a [Candidate],
    b: &'a [Candidate],
}

impl Iterator for Candidates<'_> {
    type Item = Candidate;

    fn next(&mut self) -> Option<Candidate> {
        match (self.a.split_first(), self.b.split_first()) {
            (Some((&x, ra)), Some((&y, rb))) => {
                if x.statement <= y.statement {
                    self.a = ra;
                    if x.statement == y.statement {
                        self.b = rb;
                    }
                    Some(x)
                } else {
                    self.b = rb;
                    Some(y)
                }
            }
            (Some((&x, ra)), None) => {
                self.a = ra;
                Some(x)
            }
            (None, Some((&y, rb))) => {
                self.b = rb;
                Some(y)
            }
            (None, None) => None,
        }
    }
}

fn compile_statement(s: &Statement, variables: bool) -> CompiledStatement {
    // Actions are lower-cased here and in the request, so they compare case-sensitively
    // and take the pattern fast paths.
    let action_syntax = Syntax {
        wildcards: true,
        variables: false,
        ignore_case: false,
    };
    let resource_syntax = Syntax {
        wildcards: true,
        variables,
        ignore_case: false,
    };
    let (actions_negated, actions) = match &s.action {
        Some(a) => (
            a.negated,
            a.values
                .iter()
                .map(|v| Pattern::new(&v.to_lowercase(), action_syntax))
                .collect(),
        ),
        None => (false, Vec::new()),
    };
    let resources = s.resource.as_ref().map(|r| {
        (
            r.negated,
            r.values
                .iter()
                .map(|v| ArnPattern::new(v, resource_syntax))
                .collect(),
        )
    });
    let mut broken = false;
    let mut conditions = Vec::new();
    for block in s.condition.iter().flatten() {
        let Some(op) = Operator::parse(&block.operator) else {
            broken |= !block.entries.is_empty();
            continue;
        };
        for (key, values) in &block.entries {
            conditions.push(CompiledCondition::new(
                op,
                key,
                values.as_slice(),
                variables,
            ));
        }
    }
    let principal = s.principal.as_ref().map(|p| {
        let mut set = PrincipalSet {
            negated: p.negated,
            everyone: false,
            accounts: Vec::new(),
            arns: Vec::new(),
            services: Vec::new(),
            federated: Vec::new(),
            canonical: Vec::new(),
        };
        match &p.principals {
            Principals::Wildcard => set.everyone = true,
            Principals::Map(entries) => {
                for (ptype, values) in entries {
                    for v in values.iter() {
                        match ptype {
                            PrincipalType::Aws if v == "*" => set.everyone = true,
                            PrincipalType::Aws => match account_of(v) {
                                Some(acct) => set.accounts.push(acct.into()),
                                None => set.arns.push(v.as_str().into()),
                            },
                            PrincipalType::Service => {
                                set.services.push(v.to_ascii_lowercase().into())
                            }
                            PrincipalType::Federated => set.federated.push(v.as_str().into()),
                            PrincipalType::CanonicalUser => set.canonical.push(v.as_str().into()),
                        }
                    }
                }
            }
        }
        set
    });
    CompiledStatement {
        effect: s.effect,
        principal,
        actions_negated,
        actions,
        resources,
        conditions,
        broken,
    }
}

/// The account id an `AWS` principal stands for when it names a whole account.
fn account_of(v: &str) -> Option<&str> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(v);
    }
    let mut f = v.splitn(6, ':');
    match (f.next(), f.next(), f.next(), f.next(), f.next(), f.next()) {
        (Some("arn"), Some(_), Some("iam"), Some(""), Some(acct), Some("root")) => Some(acct),
        _ => None,
    }
}

impl PrincipalSet {
    fn positive_match(&self, request: &Request) -> Option<PrincipalMatch> {
        let p = request.principal();
        if self.everyone {
            return Some(PrincipalMatch::Exact);
        }
        let exact = match p.kind {
            PrincipalKind::Service => self.services.iter().any(|s| s.eq_ignore_ascii_case(&p.arn)),
            PrincipalKind::Federated => self.federated.iter().any(|s| **s == p.arn),
            PrincipalKind::Anonymous => false,
            _ => {
                self.arns.iter().any(|a| **a == p.arn)
                    || p.canonical_user
                        .as_deref()
                        .is_some_and(|c| self.canonical.iter().any(|x| **x == *c))
            }
        };
        if exact {
            return Some(PrincipalMatch::Exact);
        }
        if let Some(u) = &p.underlying_arn {
            if self.arns.iter().any(|a| **a == *u) {
                return Some(PrincipalMatch::Underlying);
            }
        }
        let in_account = !p.account.is_empty()
            && !matches!(p.kind, PrincipalKind::Service | PrincipalKind::Anonymous)
            && self.accounts.iter().any(|a| **a == p.account);
        in_account.then_some(PrincipalMatch::Account)
    }

    fn matches(&self, request: &Request) -> Option<PrincipalMatch> {
        let m = self.positive_match(request);
        if self.negated {
            return match m {
                Some(_) => None,
                None => Some(PrincipalMatch::Exact),
            };
        }
        m
    }
}

impl CompiledStatement {
    /// The statement's effect.
    pub(crate) fn effect(&self) -> Effect {
        self.effect
    }

    /// The longest text every resource this statement covers starts with: the common
    /// head of its `Resource` patterns' literal beginnings ("" for `NotResource`, no
    /// `Resource`, or a pattern that starts with a wildcard or variable).
    fn resource_gate(&self) -> &str {
        let Some((false, patterns)) = &self.resources else {
            return "";
        };
        let mut heads = patterns.iter().map(ArnPattern::literal_head);
        let Some(mut gate) = heads.next() else {
            return "";
        };
        for head in heads {
            let common = gate
                .bytes()
                .zip(head.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            // Cut on a character boundary.
            let mut cut = common;
            while !gate.is_char_boundary(cut) {
                cut -= 1;
            }
            gate = gate.get(..cut).unwrap_or_default();
        }
        gate
    }

    /// Whether the statement applies to the request, and how the principal matched
    /// (`Exact` for statements without a principal element).
    pub(crate) fn applies(&self, request: &Request) -> Option<PrincipalMatch> {
        let pm = self.targets(request)?;
        if self.broken {
            return (self.effect == Effect::Deny).then_some(pm);
        }
        let vars = request.context();
        for c in &self.conditions {
            match c.evaluate(vars) {
                Ok(true) => {}
                _ => return None,
            }
        }
        Some(pm)
    }

    /// Whether the statement's resource, action and principal elements match the request
    /// (its conditions aside), and how the principal matched.
    /// Whether the statement's `Action` / `NotAction` covers the request's action.
    pub(crate) fn action_matches(&self, request: &Request) -> bool {
        let action = request.action_lower();
        // Action patterns never have variables.
        let hit = self
            .actions
            .iter()
            .any(|a| a.matches(action, request.context()));
        hit != self.actions_negated
    }

    pub(crate) fn targets(&self, request: &Request) -> Option<PrincipalMatch> {
        // The resource first: its plain-text prefix check rejects most statements of the
        // right service in one comparison.
        if let Some((negated, resources)) = &self.resources {
            match any_resource(resources, *negated, request) {
                Ok(hit) if hit != *negated => {}
                _ => return None,
            }
        }
        if !self.action_matches(request) {
            return None;
        }
        match &self.principal {
            Some(set) => set.matches(request),
            None => Some(PrincipalMatch::Exact),
        }
    }
}

/// Whether any resource pattern matches. For `NotResource` a missing variable voids the
/// statement rather than counting as "not this resource".
fn any_resource(
    resources: &[ArnPattern],
    negated: bool,
    request: &Request,
) -> Result<bool, Unresolved> {
    let (arn, vars) = (request.resource(), request.context());
    if !negated {
        return Ok(resources.iter().any(|r| r.matches(arn, vars)));
    }
    let mut hit = false;
    for r in resources {
        hit |= r.matches_strict(arn, vars)?;
    }
    Ok(hit)
}
