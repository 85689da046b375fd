//! AWS's policy evaluation logic over compiled policies.
//!
//! Order, as documented in the IAM user guide: an explicit deny in any applicable policy
//! wins; then every level of the RCPs (for resources in member accounts) and of the SCPs
//! (for principals in member accounts, except service-linked roles) must allow; then a
//! same-account resource-based policy naming the principal itself allows on its own; then
//! identity-based policies, the permissions boundary and the session policies must all
//! allow. Cross-account requests need the identity side and the resource policy. Pure: no
//! IO, and nothing is allocated unless a statement is recorded in the decision.

use crate::compile::{CompiledPolicy, PrincipalMatch};
use crate::context::Key;
use crate::decision::{Decision, DecisionEffect, MatchedStatement, PolicyType};
use crate::document::Effect;
use crate::request::{PrincipalKind, Request};

/// The policies that apply to one request, borrowed from wherever the caller keeps them.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvaluationInput<'a> {
    /// Identity-based policies: managed and inline, of the user and its groups, or the role.
    pub identity: &'a [CompiledPolicy],
    /// The permissions boundary, if the user or role has one.
    pub boundary: Option<&'a CompiledPolicy>,
    /// Session policies (inline and managed ARNs passed to STS); empty = no session policy.
    pub session: &'a [CompiledPolicy],
    /// SCPs of the principal's account, one list per level from the root down to the
    /// account; empty when the account is in no organization.
    pub scp_levels: &'a [Vec<CompiledPolicy>],
    /// RCPs of the resource's account, per level like `scp_levels`.
    pub rcp_levels: &'a [Vec<CompiledPolicy>],
    /// The resource-based policy (a role's trust policy for `sts:AssumeRole`).
    pub resource: Option<&'a CompiledPolicy>,
    /// The principal's account is the organization's management account (SCPs exempt).
    pub principal_in_management_account: bool,
    /// The resource's account is the organization's management account (RCPs exempt).
    pub resource_in_management_account: bool,
    /// Record every matching statement (for the policy simulator), not just the deciding ones.
    pub all_matches: bool,
}

#[derive(Debug, Clone, Copy)]
struct Hit<'a> {
    policy: &'a CompiledPolicy,
    index: u32,
    pm: PrincipalMatch,
}

#[derive(Debug, Clone, Copy, Default)]
struct Scan<'a> {
    deny: Option<Hit<'a>>,
    allow: Option<Hit<'a>>,
}

struct Scanner<'a, 'r> {
    request: &'r Request,
    service: &'r Key,
    all: Option<Vec<MatchedStatement<'a>>>,
}

impl<'a> Scanner<'a, '_> {
    /// Scans a group of policies of one type; stops at the first deny unless recording all.
    fn scan(
        &mut self,
        policies: &'a [CompiledPolicy],
        ptype: PolicyType,
        level: Option<usize>,
    ) -> Scan<'a> {
        let mut scan = Scan::default();
        for policy in policies {
            self.scan_one(policy, ptype, level, &mut scan);
            if scan.deny.is_some() && self.all.is_none() {
                break;
            }
        }
        scan
    }

    fn scan_one(
        &mut self,
        policy: &'a CompiledPolicy,
        ptype: PolicyType,
        level: Option<usize>,
        scan: &mut Scan<'a>,
    ) {
        let resource = self.request.resource();
        for candidate in policy.candidates(self.service) {
            if !candidate.admits(resource) {
                continue;
            }
            let index = candidate.statement;
            let Some(statement) = policy.statement(index) else {
                continue;
            };
            let effect = statement.effect();
            let recording = self.all.is_some();
            if !recording
                && effect == Effect::Allow
                && scan.allow.is_some_and(|h| h.pm == PrincipalMatch::Exact)
            {
                continue;
            }
            let Some(pm) = statement.applies(self.request) else {
                continue;
            };
            // Statements of a combined policy are reported as the originals.
            let (source, original) = policy.origin(index);
            let hit = Hit {
                policy: source,
                index: u32::try_from(original).unwrap_or(u32::MAX),
                pm,
            };
            if let Some(all) = &mut self.all {
                all.push(MatchedStatement {
                    policy_type: ptype,
                    policy: source,
                    level,
                    index: original,
                    effect,
                });
            }
            match effect {
                Effect::Deny => {
                    if scan.deny.is_none() {
                        scan.deny = Some(hit);
                    }
                    if !recording {
                        return;
                    }
                }
                Effect::Allow => {
                    if scan.allow.is_none_or(|h| h.pm < pm) {
                        scan.allow = Some(hit);
                    }
                }
            }
        }
    }
}

fn record<'a>(
    statements: &mut Vec<MatchedStatement<'a>>,
    hit: Hit<'a>,
    ptype: PolicyType,
    level: Option<usize>,
    effect: Effect,
) {
    statements.push(MatchedStatement {
        policy_type: ptype,
        policy: hit.policy,
        level,
        index: hit.index as usize,
        effect,
    });
}

/// Decides `request` under the policies in `input`.
pub fn evaluate<'a>(input: &EvaluationInput<'a>, request: &Request) -> Decision<'a> {
    let principal = request.principal();
    let mut scanner = Scanner {
        request,
        service: request.service(),
        all: input.all_matches.then(Vec::new),
    };
    // Services, web identity / SAML callers and anonymous callers have no identity-based
    // policies: only the resource-based policy can grant them access.
    let is_service = principal.kind == PrincipalKind::Service;
    let resource_only = matches!(
        principal.kind,
        PrincipalKind::Service | PrincipalKind::Federated | PrincipalKind::Anonymous
    );
    let scp_applies = !input.scp_levels.is_empty()
        && !input.principal_in_management_account
        && !principal.service_linked
        && !resource_only;
    let rcp_applies = !input.rcp_levels.is_empty()
        && !input.resource_in_management_account
        && !principal.service_linked
        && !is_service;

    let deny = |effect_type: PolicyType,
                hit: Hit<'a>,
                level: Option<usize>,
                all: Option<Vec<MatchedStatement<'a>>>| {
        let statements = match all {
            Some(all) => all,
            None => {
                let mut v = Vec::with_capacity(1);
                record(&mut v, hit, effect_type, level, Effect::Deny);
                v
            }
        };
        Decision {
            effect: DecisionEffect::ExplicitDeny,
            policy_type: Some(effect_type),
            statements,
        }
    };

    // Every group is scanned once; denies end the evaluation unless recording everything.
    let mut first_deny: Option<(PolicyType, Hit<'a>, Option<usize>)> = None;
    let note = |ptype: PolicyType, level: Option<usize>, scan: &Scan<'a>, first: &mut Option<_>| {
        if first.is_none() {
            if let Some(h) = scan.deny {
                *first = Some((ptype, h, level));
            }
        }
    };
    macro_rules! stop_on_deny {
        ($scanner:expr) => {
            if let (Some((t, h, l)), None) = (first_deny, &$scanner.all) {
                return deny(t, h, l, None);
            }
        };
    }

    // Deciding statements of an allow, gathered as the guards are scanned.
    // One per SCP and RCP level plus identity, boundary, session and resource: allocated
    // once.
    let mut statements: Vec<MatchedStatement<'a>> =
        Vec::with_capacity(input.scp_levels.len() + input.rcp_levels.len() + 4);
    let mut scp_missing = false;
    if scp_applies {
        for (level, policies) in input.scp_levels.iter().enumerate() {
            let scan = scanner.scan(policies, PolicyType::ServiceControl, Some(level));
            note(
                PolicyType::ServiceControl,
                Some(level),
                &scan,
                &mut first_deny,
            );
            stop_on_deny!(scanner);
            match scan.allow {
                Some(h) if scanner.all.is_none() => record(
                    &mut statements,
                    h,
                    PolicyType::ServiceControl,
                    Some(level),
                    Effect::Allow,
                ),
                Some(_) => {}
                None => scp_missing = true,
            }
        }
    }
    let mut rcp_missing = false;
    if rcp_applies {
        for (level, policies) in input.rcp_levels.iter().enumerate() {
            let scan = scanner.scan(policies, PolicyType::ResourceControl, Some(level));
            note(
                PolicyType::ResourceControl,
                Some(level),
                &scan,
                &mut first_deny,
            );
            stop_on_deny!(scanner);
            match scan.allow {
                Some(h) if scanner.all.is_none() => record(
                    &mut statements,
                    h,
                    PolicyType::ResourceControl,
                    Some(level),
                    Effect::Allow,
                ),
                Some(_) => {}
                None => rcp_missing = true,
            }
        }
    }
    let identity = if resource_only {
        Scan::default()
    } else {
        scanner.scan(input.identity, PolicyType::Identity, None)
    };
    note(PolicyType::Identity, None, &identity, &mut first_deny);
    stop_on_deny!(scanner);
    let resource = match input.resource {
        Some(p) => scanner.scan(std::slice::from_ref(p), PolicyType::Resource, None),
        None => Scan::default(),
    };
    note(PolicyType::Resource, None, &resource, &mut first_deny);
    stop_on_deny!(scanner);
    let boundary = match input.boundary {
        Some(p) if !resource_only => Some(scanner.scan(
            std::slice::from_ref(p),
            PolicyType::PermissionsBoundary,
            None,
        )),
        _ => None,
    };
    if let Some(b) = &boundary {
        note(PolicyType::PermissionsBoundary, None, b, &mut first_deny);
        stop_on_deny!(scanner);
    }
    let session = if input.session.is_empty() || resource_only {
        None
    } else {
        Some(scanner.scan(input.session, PolicyType::Session, None))
    };
    if let Some(s) = &session {
        note(PolicyType::Session, None, s, &mut first_deny);
    }
    let all = scanner.all.take();
    if let Some((t, h, l)) = first_deny {
        return deny(t, h, l, all);
    }

    let implicit = |t: PolicyType, all: Option<Vec<MatchedStatement<'a>>>| Decision {
        effect: DecisionEffect::ImplicitDeny,
        policy_type: Some(t),
        statements: all.unwrap_or_default(),
    };
    if rcp_missing {
        return implicit(PolicyType::ResourceControl, all);
    }
    if scp_missing {
        return implicit(PolicyType::ServiceControl, all);
    }

    let allowed = |all: Option<Vec<MatchedStatement<'a>>>,
                   statements: Vec<MatchedStatement<'a>>,
                   t: PolicyType| Decision {
        effect: DecisionEffect::Allow,
        policy_type: Some(t),
        statements: all.unwrap_or(statements),
    };
    if resource_only {
        return match resource.allow {
            Some(h) => {
                if all.is_none() {
                    record(
                        &mut statements,
                        h,
                        PolicyType::Resource,
                        None,
                        Effect::Allow,
                    );
                }
                allowed(all, statements, PolicyType::Resource)
            }
            None => implicit(PolicyType::Resource, all),
        };
    }

    // A role's trust policy is the one door to the role: it must allow, in the same
    // account too (an identity-based grant alone never opens it).
    if input
        .resource
        .is_some_and(|policy| policy.kind() == crate::kind::PolicyKind::Trust)
        && resource.allow.is_none()
    {
        return implicit(PolicyType::Resource, all);
    }
    let cross_account = request.is_cross_account();
    let resource_pm = resource.allow.map(|h| h.pm);
    // Same account: a grant to the principal itself (or `*`) needs nothing else.
    if !cross_account && resource_pm == Some(PrincipalMatch::Exact) {
        if let (None, Some(h)) = (&all, resource.allow) {
            record(
                &mut statements,
                h,
                PolicyType::Resource,
                None,
                Effect::Allow,
            );
        }
        return allowed(all, statements, PolicyType::Resource);
    }
    // A grant to the role (or user) behind a session counts like an identity-based grant:
    // the boundary and session policies still limit it.
    let underlying_grant = !cross_account && resource_pm == Some(PrincipalMatch::Underlying);
    let root = principal.kind == PrincipalKind::Root;
    let identity_ok = identity.allow.is_some() || root || underlying_grant;
    if !identity_ok {
        return implicit(PolicyType::Identity, all);
    }
    if let Some(b) = &boundary {
        if b.allow.is_none() {
            return implicit(PolicyType::PermissionsBoundary, all);
        }
    }
    if let Some(s) = &session {
        if s.allow.is_none() {
            return implicit(PolicyType::Session, all);
        }
    }
    if cross_account && resource.allow.is_none() {
        return implicit(PolicyType::Resource, all);
    }
    let granted_by = match identity.allow {
        Some(_) => PolicyType::Identity,
        None if underlying_grant => PolicyType::Resource,
        None => PolicyType::Identity,
    };
    if all.is_none() {
        for (scan, t) in [
            (Some(identity), PolicyType::Identity),
            (boundary, PolicyType::PermissionsBoundary),
            (session, PolicyType::Session),
            (Some(resource), PolicyType::Resource),
        ] {
            if let Some(h) = scan.and_then(|s| s.allow) {
                record(&mut statements, h, t, None, Effect::Allow);
            }
        }
    }
    allowed(all, statements, granted_by)
}

#[cfg(test)]
mod tests;
