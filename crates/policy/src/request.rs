//! A request to authorize: who (principal), what (action), on what (resource), and the
//! context. Building a request fills the global condition keys AWS derives from the
//! principal, so policies see `aws:PrincipalArn`, `aws:username`, `aws:PrincipalTag/…` etc.

use crate::context::{Context, ContextValue, Key};

/// What kind of principal makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// An account's root user (`arn:aws:iam::123456789012:root`).
    Root,
    /// An IAM user.
    User,
    /// An IAM role itself (as named in trust policies).
    Role,
    /// A role session (`arn:aws:sts::…:assumed-role/R/S`); `underlying_arn` is the role ARN.
    AssumedRole,
    /// A federated user session from `GetFederationToken`; `underlying_arn` is the user ARN.
    FederatedUser,
    /// A web identity or SAML federated caller; `arn` is the provider (for trust policies).
    Federated,
    /// An AWS service principal; `arn` is its name, e.g. `ec2.amazonaws.com`.
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

impl PrincipalKind {
    /// The `aws:PrincipalType` value.
    pub fn principal_type(self) -> &'static str {
        match self {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            PrincipalKind::Role | PrincipalKind::AssumedRole => "AssumedRole",
            PrincipalKind::FederatedUser | PrincipalKind::Federated => "FederatedUser",
            PrincipalKind::Service => "Service",
            PrincipalKind::Anonymous => "Anonymous",
        }
    }
}

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The principal's ARN (session ARN for sessions; the service name for services).
    pub arn: String,
    /// The principal's account id (empty for services and anonymous callers).
    pub account: String,
    /// What kind of principal this is.
    pub kind: PrincipalKind,
    /// The IAM role behind a role session, or the IAM user behind a federated user session.
    pub underlying_arn: Option<String>,
    /// The unique id (`aws:userid`), e.g. `AIDA…` or `AROA…:session`.
    pub user_id: Option<String>,
    /// Whether this is (a session of) a service-linked role: exempt from SCPs and RCPs.
    pub service_linked: bool,
    /// The S3 canonical user id, for `CanonicalUser` principals.
    pub canonical_user: Option<String>,
    /// Tags on the principal (`aws:PrincipalTag/K`).
    pub tags: Vec<(String, String)>,
    /// The organization id (`aws:PrincipalOrgID`).
    pub org_id: Option<String>,
    /// The organization paths (`aws:PrincipalOrgPaths`).
    pub org_paths: Vec<String>,
}

impl Principal {
    /// A principal of `kind` with just an ARN and account; other fields empty.
    pub fn new(
        kind: PrincipalKind,
        arn: impl Into<String>,
        account: impl Into<String>,
    ) -> Principal {
        Principal {
            arn: arn.into(),
            account: account.into(),
            kind,
            underlying_arn: None,
            user_id: None,
            service_linked: false,
            canonical_user: None,
            tags: Vec::new(),
            org_id: None,
            org_paths: Vec::new(),
        }
    }

    /// The user name of an IAM user (last path segment of its ARN).
    fn user_name(&self) -> Option<&str> {
        (self.kind == PrincipalKind::User)
            .then(|| self.arn.rsplit('/').next())
            .flatten()
    }
}

/// A request to authorize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    principal: Principal,
    action: String,
    // INVARIANT: `action_lower` is `action` ASCII-lower-cased; `service` its prefix.
    action_lower: String,
    service: Key,
    resource: String,
    resource_account: Option<String>,
    context: Context,
}

impl Request {
    /// A request by `principal` for `action` (e.g. `iam:CreateUser`) on `resource` (an ARN,
    /// or `*` for actions without resource-level permissions). Fills the principal's global
    /// condition keys into the context.
    pub fn new(
        principal: Principal,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> Request {
        let action = action.into();
        let mut context = Context::new();
        let p = &principal;
        let principal_arn = match p.kind {
            PrincipalKind::AssumedRole => p.underlying_arn.as_deref().unwrap_or(&p.arn),
            _ => &p.arn,
        };
        if p.kind == PrincipalKind::Service {
            context.insert("aws:PrincipalServiceName", p.arn.as_str());
            context.insert("aws:PrincipalIsAWSService", true);
        } else if p.kind != PrincipalKind::Anonymous {
            context.insert("aws:PrincipalArn", principal_arn);
            context.insert("aws:PrincipalAccount", p.account.as_str());
            context.insert("aws:PrincipalIsAWSService", false);
        }
        context.insert("aws:PrincipalType", p.kind.principal_type());
        if let Some(name) = p.user_name() {
            context.insert("aws:username", name);
        }
        if let Some(id) = &p.user_id {
            context.insert("aws:userid", id.as_str());
        }
        for (k, v) in &p.tags {
            context.insert(&format!("aws:PrincipalTag/{k}"), v.as_str());
        }
        if let Some(org) = &p.org_id {
            context.insert("aws:PrincipalOrgID", org.as_str());
        }
        if !p.org_paths.is_empty() {
            context.insert(
                "aws:PrincipalOrgPaths",
                ContextValue::Multi(p.org_paths.clone()),
            );
        }
        let action_lower = action.to_ascii_lowercase();
        let service = Key::new(
            action_lower
                .split_once(':')
                .map_or(action_lower.as_str(), |(s, _)| s),
        );
        Request {
            action_lower,
            service,
            action,
            principal,
            resource: resource.into(),
            resource_account: None,
            context,
        }
    }

    /// Sets the account owning the resource (and `aws:ResourceAccount`).
    pub fn with_resource_account(mut self, account: impl Into<String>) -> Request {
        let account = account.into();
        self.context.insert("aws:ResourceAccount", account.as_str());
        self.resource_account = Some(account);
        self
    }

    /// Sets a context key.
    pub fn with_context(mut self, key: &str, value: impl Into<ContextValue>) -> Request {
        self.context.insert(key, value);
        self
    }

    /// The context, to set request-specific keys (`aws:SourceIp`, `aws:CurrentTime`, ...).
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.context
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The principal.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The action as given.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The action, lower-cased.
    pub(crate) fn action_lower(&self) -> &str {
        &self.action_lower
    }

    /// The service prefix of the action, lower-cased (`iam` for `iam:CreateUser`), as a key.
    pub(crate) fn service(&self) -> &Key {
        &self.service
    }

    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The account owning the resource, if known.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }

    /// Whether the resource belongs to another account than the principal.
    pub fn is_cross_account(&self) -> bool {
        self.resource_account
            .as_deref()
            .is_some_and(|a| a != self.principal.account)
    }
}
