//! Policy kinds, their size limits, and how each kind's size is counted.

use std::fmt;
use std::str::FromStr;

use crate::error::PolicyError;

/// Maximum size of a customer managed policy (and so of a permissions boundary), in
/// characters excluding white space.
pub const MANAGED_POLICY_MAX_CHARS: usize = 6_144;
/// Maximum aggregate size of a user's inline policies.
pub const USER_INLINE_AGGREGATE_MAX_CHARS: usize = 2_048;
/// Maximum aggregate size of a group's inline policies.
pub const GROUP_INLINE_AGGREGATE_MAX_CHARS: usize = 5_120;
/// Maximum aggregate size of a role's inline policies.
pub const ROLE_INLINE_AGGREGATE_MAX_CHARS: usize = 10_240;
/// Default maximum size of a role trust policy (`ACLSizePerRole`).
pub const TRUST_POLICY_DEFAULT_MAX_CHARS: usize = 2_048;
/// Largest `ACLSizePerRole` quota AWS grants on request.
pub const TRUST_POLICY_QUOTA_MAX_CHARS: usize = 4_096;
/// Maximum size of a service control policy, all characters counted.
pub const SCP_MAX_CHARS: usize = 5_120;
/// Maximum size of a resource control policy, all characters counted.
pub const RCP_MAX_CHARS: usize = 5_120;
/// Maximum plain-text size of a session policy passed to STS.
pub const SESSION_POLICY_MAX_CHARS: usize = 2_048;

/// Where a policy document is used; decides which elements it must or must not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Identity-based policy (managed or inline) on a user, group or role.
    Identity,
    /// Resource-based policy (bucket policy, key policy, ...): needs a principal.
    Resource,
    /// Role trust policy: a resource policy on the role, without `Resource`.
    Trust,
    /// Organizations service control policy.
    ServiceControl,
    /// Organizations resource control policy.
    ResourceControl,
    /// Permissions boundary (a managed policy used as a ceiling).
    PermissionsBoundary,
    /// Session policy passed to `AssumeRole*` or `GetFederationToken`.
    Session,
}

impl PolicyKind {
    /// Every kind, for iteration in tests and CLIs.
    pub const ALL: [PolicyKind; 7] = [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Trust,
        PolicyKind::ServiceControl,
        PolicyKind::ResourceControl,
        PolicyKind::PermissionsBoundary,
        PolicyKind::Session,
    ];

    /// The CLI name: identity, resource, trust, scp, rcp, boundary, session.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
            PolicyKind::ServiceControl => "scp",
            PolicyKind::ResourceControl => "rcp",
            PolicyKind::PermissionsBoundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// The largest document of this kind that `PolicyDocument::parse` accepts, if any.
    /// Inline identity policies also have per-entity aggregate limits the caller checks
    /// with [`policy_size`] and the `*_INLINE_AGGREGATE_MAX_CHARS` constants.
    pub fn max_chars(self) -> Option<usize> {
        match self {
            PolicyKind::Identity | PolicyKind::PermissionsBoundary => {
                Some(MANAGED_POLICY_MAX_CHARS)
            }
            PolicyKind::Trust => Some(TRUST_POLICY_DEFAULT_MAX_CHARS),
            PolicyKind::ServiceControl => Some(SCP_MAX_CHARS),
            PolicyKind::ResourceControl => Some(RCP_MAX_CHARS),
            PolicyKind::Session => Some(SESSION_POLICY_MAX_CHARS),
            PolicyKind::Resource => None,
        }
    }

    /// Whether statements must name a principal (`Principal` or `NotPrincipal`).
    pub fn requires_principal(self) -> bool {
        matches!(
            self,
            PolicyKind::Resource | PolicyKind::Trust | PolicyKind::ResourceControl
        )
    }

    /// Whether this kind is checked by IAM's rules (SID alphabet, white space not counted).
    pub fn is_iam(self) -> bool {
        !matches!(
            self,
            PolicyKind::Resource | PolicyKind::ServiceControl | PolicyKind::ResourceControl
        )
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PolicyKind {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PolicyKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| PolicyError::UnknownKind(s.to_owned()))
    }
}

/// The size of a policy text as AWS counts it for `kind`: IAM does not count white space
/// outside string values; Organizations counts every character.
pub fn policy_size(text: &str, kind: PolicyKind) -> usize {
    if !kind.is_iam() {
        return text.chars().count();
    }
    let mut in_string = false;
    let mut escaped = false;
    let mut count = 0;
    for c in text.chars() {
        if in_string {
            count += 1;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            count += 1;
        } else if !c.is_whitespace() {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(policy_size("{ \"a b\" : 1 }", PolicyKind::Identity), 9);
        assert_eq!(
            policy_size("{ \"a b\" : 1 }", PolicyKind::ServiceControl),
            13
        );
        for kind in PolicyKind::ALL {
            assert_eq!(kind.name().parse::<PolicyKind>().unwrap(), kind);
        }
    }
}
