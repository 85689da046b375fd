//! The outcome of an evaluation: the effect, the policy type that decided it, the statements
//! involved, and AWS's `AccessDenied` message text.

use std::fmt;

use crate::compile::CompiledPolicy;
use crate::document::Effect;
use crate::request::Request;

/// The final effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionEffect {
    /// Allowed.
    Allow,
    /// Denied by a `Deny` statement.
    ExplicitDeny,
    /// Denied because a required policy type did not allow.
    ImplicitDeny,
}

impl DecisionEffect {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionEffect::Allow => "Allow",
            DecisionEffect::ExplicitDeny => "ExplicitDeny",
            DecisionEffect::ImplicitDeny => "ImplicitDeny",
        }
    }
}

/// The policy types of AWS's evaluation logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyType {
    /// Organizations service control policies.
    ServiceControl,
    /// Organizations resource control policies.
    ResourceControl,
    /// Identity-based policies of the principal.
    Identity,
    /// The resource's resource-based policy.
    Resource,
    /// The principal's permissions boundary.
    PermissionsBoundary,
    /// Session policies of the session.
    Session,
}

impl PolicyType {
    /// Short name for JSON output: scp, rcp, identity, resource, boundary, session.
    pub fn name(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "scp",
            PolicyType::ResourceControl => "rcp",
            PolicyType::Identity => "identity",
            PolicyType::Resource => "resource",
            PolicyType::PermissionsBoundary => "boundary",
            PolicyType::Session => "session",
        }
    }

    /// The phrase AWS uses in messages, e.g. `identity-based policy`.
    pub fn phrase(self) -> &'static str {
        match self {
            PolicyType::ServiceControl => "service control policy",
            PolicyType::ResourceControl => "resource control policy",
            PolicyType::Identity => "identity-based policy",
            PolicyType::Resource => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::Session => "session policy",
        }
    }

    fn article(self) -> &'static str {
        match self {
            PolicyType::Identity => "an",
            _ => "a",
        }
    }
}

impl fmt::Display for PolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phrase())
    }
}

/// A statement that matched the request.
#[derive(Debug, Clone)]
pub struct MatchedStatement<'a> {
    /// The type of the policy holding the statement.
    pub policy_type: PolicyType,
    /// The policy holding the statement.
    pub policy: &'a CompiledPolicy,
    /// For SCPs and RCPs, the level of the organization path (0 = root).
    pub level: Option<usize>,
    /// The statement's position in the policy (0-based).
    pub index: usize,
    /// The statement's effect.
    pub effect: Effect,
}

impl MatchedStatement<'_> {
    /// The id of the policy holding the statement.
    pub fn policy_id(&self) -> &str {
        self.policy.id()
    }

    /// The statement's `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.policy.sid(self.index)
    }
}

/// The outcome of [`crate::evaluate`].
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    /// The effect.
    pub effect: DecisionEffect,
    /// For denials, the policy type that denied (explicitly) or did not allow (implicitly);
    /// for an allow, the type that granted (identity-based or resource-based).
    pub policy_type: Option<PolicyType>,
    /// The statements that decided: the denying statement(s) for an explicit deny, the
    /// allowing statement of each policy type that had to allow for an allow, nothing for an
    /// implicit deny. With `EvaluationInput::all_matches`, every matching statement.
    pub statements: Vec<MatchedStatement<'a>>,
}

impl Decision<'_> {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.effect == DecisionEffect::Allow
    }

    /// Why, in AWS's words: `with an explicit deny in a service control policy` or
    /// `because no identity-based policy allows the iam:CreateUser action`.
    pub fn reason(&self, action: &str) -> String {
        match (self.effect, self.policy_type) {
            (DecisionEffect::ExplicitDeny, Some(t)) => {
                format!("with an explicit deny in {} {}", t.article(), t.phrase())
            }
            (DecisionEffect::ImplicitDeny, Some(t)) => {
                format!("because no {} allows the {action} action", t.phrase())
            }
            (DecisionEffect::Allow, Some(t)) => {
                format!("allowed by {} {}", t.article(), t.phrase())
            }
            (DecisionEffect::Allow, None) => "allowed".to_owned(),
            (_, None) => format!("because no identity-based policy allows the {action} action"),
        }
    }
}

/// AWS's `AccessDenied` message for a denial, e.g. `User: arn:aws:iam::123456789012:user/bob
/// is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x
/// because no identity-based policy allows the iam:CreateUser action`. `None` when allowed.
pub fn access_denied_message(decision: &Decision<'_>, request: &Request) -> Option<String> {
    if decision.is_allowed() {
        return None;
    }
    let who = match request.principal().arn.as_str() {
        "" => "anonymous",
        arn => arn,
    };
    Some(format!(
        "User: {who} is not authorized to perform: {} on resource: {} {}",
        request.action(),
        request.resource(),
        decision.reason(request.action())
    ))
}
