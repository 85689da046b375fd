//! Authorization: the decision for one action on one resource, made by the policy engine
//! (`crates/policy`) over the caller's identity view (or, for a federated caller, the
//! role's trust policy alone), and AWS's `AccessDenied` message when the answer is no.
//! This module is the server's one door to the engine: every decision, the policy
//! simulator's included, is made here, over requests built here, so every path sees the
//! same global condition keys.
//!
//! The root user is not governed by identity policies: it may do anything to its own
//! account's resources. `sts:GetCallerIdentity` is never denied.

use std::net::IpAddr;

use policy::{ContextValue, DecisionEffect, EvaluationInput};
use wire::ServiceError;

use super::identity::IdentityView;
use super::{Principal, PrincipalKind};
use crate::audit::{note_decision, policy_type_name};
use crate::model::AccountId;

/// What a request wants to do: the IAM action, the resource ARN it acts on, and any
/// request-specific condition keys (such as `aws:RequestTag/…`).
#[derive(Debug, Clone)]
pub struct Access {
    /// Service-prefixed action, e.g. `iam:CreateUser`.
    pub action: &'static str,
    /// The resource's ARN, or `*` for actions without a resource.
    pub resource: String,
    /// Extra condition keys for this request.
    pub context: Vec<(String, ContextValue)>,
    /// The resource control policies of the resource's account, per level, when it is not
    /// the caller's (the caller's own are in its identity view).
    pub resource_rcps: Option<std::sync::Arc<Vec<Vec<policy::CompiledPolicy>>>>,
}

impl Access {
    /// An action on a resource.
    pub fn new(action: &'static str, resource: impl Into<String>) -> Self {
        Self {
            action,
            resource: resource.into(),
            context: Vec::new(),
            resource_rcps: None,
        }
    }

    /// Adds `aws:RequestTag/<key>` for each tag and `aws:TagKeys`.
    pub fn with_request_tags(mut self, tags: &[(String, String)]) -> Self {
        if tags.is_empty() {
            return self;
        }
        for (key, value) in tags {
            self.context.push((
                format!("aws:RequestTag/{key}"),
                ContextValue::from(value.as_str()),
            ));
        }
        let keys: Vec<String> = tags.iter().map(|(key, _)| key.clone()).collect();
        self.context
            .push(("aws:TagKeys".to_owned(), ContextValue::multi(keys)));
        self
    }
}

/// Facts about the request the global condition keys are made of.
#[derive(Debug, Clone, Copy)]
pub struct Environment<'a> {
    /// The caller's address (`aws:SourceIp`).
    pub source_ip: IpAddr,
    /// The region of the credential scope (`aws:RequestedRegion`).
    pub region: &'a str,
    /// The request time (`aws:CurrentTime`, `aws:EpochTime`).
    pub now: time::OffsetDateTime,
    /// Whether the request came over TLS (`aws:SecureTransport`).
    pub secure_transport: bool,
    /// The client's `User-Agent` (`aws:UserAgent`), when it sent one.
    pub user_agent: Option<&'a str>,
    /// The organization's management account (exempt from SCPs).
    pub management_account: AccountId,
    /// The key that seals an encoded authorization failure message into each
    /// `AccessDenied` (`--encode-authorization-messages`); none by default.
    pub authorization_messages: Option<&'a crate::secrets::MasterKey>,
}

/// A refusal: AWS's `AccessDenied` error, and whether a policy denied explicitly (the
/// exemptions of a service decide what that means for them: a user changing its own
/// password gets no exemption from an explicit deny).
#[derive(Debug)]
pub struct Denied {
    /// The error the client gets, in AWS's words.
    pub error: ServiceError,
    /// Whether an explicit `Deny` (or a rule that acts as one) decided.
    pub explicit: bool,
}

impl From<Denied> for ServiceError {
    fn from(denied: Denied) -> Self {
        denied.error
    }
}

/// Actions AWS allows every authenticated caller, whatever the policies say.
const ALWAYS_ALLOWED: &[&str] = &["sts:GetCallerIdentity"];

/// Whether AWS allows `action` to every authenticated caller (no policy is read).
pub fn always_allowed(action: &str) -> bool {
    ALWAYS_ALLOWED.contains(&action)
}

/// Records the decision on an always-allowed access.
pub fn note_always_allowed(access: &Access) {
    note_decision(
        access.action,
        &access.resource,
        DecisionEffect::Allow,
        "always-allowed",
    );
}

/// Decides `access` for `principal`; `Err` carries AWS's `AccessDenied` error.
pub fn authorize(
    principal: &Principal,
    view: &IdentityView,
    access: &Access,
    environment: &Environment<'_>,
) -> Result<(), Denied> {
    if always_allowed(access.action) {
        note_always_allowed(access);
        return Ok(());
    }
    session_restriction(principal, access)?;
    let resource_account = resource_account(&access.resource);
    // The root user may do anything to its own account's resources and to resources
    // that belong to no account (`*`); identity policies do not apply to it.
    // Service control policies still bind the root user of a member account: then the
    // engine decides (it allows the root user implicitly, within the SCPs).
    // A root session from AssumeRoot is limited to its task policy: the engine decides.
    // So is a root session traded for a delegation request, to the delegated permissions.
    let task_session = principal
        .session
        .as_ref()
        .is_some_and(|session| session.root_task.is_some() || session.delegation.is_some());
    if principal.is_root() && view.scp_levels.is_empty() && !task_session {
        let own = match &resource_account {
            None => true,
            Some(account) => *account == principal.account.to_string(),
        };
        if own {
            note_decision(
                access.action,
                &access.resource,
                DecisionEffect::Allow,
                "root",
            );
            return Ok(());
        }
    }
    evaluate(principal, view, access, environment, None)
}

/// Decides `access` with a resource-based policy in play (a role's trust policy for
/// `sts:AssumeRole`): same-account grants to the principal itself suffice, cross-account
/// requests need both sides. The root user gets no exemption here.
pub fn authorize_with_resource_policy(
    principal: &Principal,
    view: &IdentityView,
    access: &Access,
    environment: &Environment<'_>,
    resource_policy: &policy::CompiledPolicy,
) -> Result<(), Denied> {
    session_restriction(principal, access)?;
    evaluate(principal, view, access, environment, Some(resource_policy))
}

/// Whether the caller's own policies (identity, boundary, session, SCPs) would allow
/// `action` on `resource`, decided as for a request but recorded nowhere: a what-if for
/// checks such as `GetDelegationRequest`'s permission check. Resource policies, which
/// belong to other resources, are not consulted.
pub fn would_allow(
    principal: &Principal,
    view: &IdentityView,
    action: &str,
    resource: &str,
    environment: &Environment<'_>,
) -> bool {
    // A pattern's account (`*`) is no account: judge the resource as the caller's own.
    let resource_account = resource_account(resource)
        .filter(|account| crate::model::AccountId::parse(account).is_some());
    let task_session = principal
        .session
        .as_ref()
        .is_some_and(|session| session.root_task.is_some() || session.delegation.is_some());
    if principal.is_root() && view.scp_levels.is_empty() && !task_session {
        return true;
    }
    let request = request(
        principal,
        view,
        (action, resource, &[]),
        environment,
        resource_account.as_deref(),
    );
    let session = session_policies(principal);
    let input = EvaluationInput {
        identity: &view.identity,
        boundary: view.boundary.as_ref(),
        session: session.as_deref().unwrap_or_default(),
        scp_levels: &view.scp_levels,
        principal_in_management_account: principal.account == environment.management_account,
        ..EvaluationInput::default()
    };
    policy::evaluate(&input, &request).effect == DecisionEffect::Allow
}

/// What credentials from `GetSessionToken` and `GetFederationToken` may never do,
/// whatever the policies say: federated users call no IAM or STS operation; user sessions
/// call IAM only after proving an MFA code, and STS only to assume roles.
fn session_restriction(principal: &Principal, access: &Access) -> Result<(), Denied> {
    let Some(session) = &principal.session else {
        return Ok(());
    };
    let service = access.action.split(':').next().unwrap_or_default();
    let refusal = if session.is_federated() {
        matches!(service, "iam" | "sts").then_some(
            "federated users may not call IAM or STS operations other than GetCallerIdentity",
        )
    } else if session.is_user_session() {
        if service == "iam" && session.mfa_at.is_none() {
            Some("credentials from GetSessionToken may call IAM operations only when MFA authentication information was included in the request for them")
        } else if service == "sts" && access.action != "sts:AssumeRole" {
            Some("credentials from GetSessionToken may call no STS operation other than AssumeRole and GetCallerIdentity")
        } else {
            None
        }
    } else {
        None
    };
    match refusal {
        None => Ok(()),
        Some(reason) => {
            note_decision(
                access.action,
                &access.resource,
                DecisionEffect::ExplicitDeny,
                "session-credentials",
            );
            Err(Denied {
                error: ServiceError::new(
                    "AccessDenied",
                    403,
                    format!(
                        "User: {} is not authorized to perform: {} on resource: {}: {reason}",
                        principal.arn(),
                        access.action,
                        access.resource
                    ),
                ),
                explicit: true,
            })
        }
    }
}

fn evaluate(
    principal: &Principal,
    view: &IdentityView,
    access: &Access,
    environment: &Environment<'_>,
    resource_policy: Option<&policy::CompiledPolicy>,
) -> Result<(), Denied> {
    let resource_account = resource_account(&access.resource);
    let request = request(
        principal,
        view,
        (access.action, &access.resource, &access.context),
        environment,
        resource_account.as_deref(),
    );
    let session = session_policies(principal);
    let input = EvaluationInput {
        identity: &view.identity,
        boundary: view.boundary.as_ref(),
        session: session.as_deref().unwrap_or_default(),
        resource: resource_policy,
        scp_levels: &view.scp_levels,
        // RCPs govern resources in the principal's account; other accounts' resources are
        // not served yet by any Gatehouse resource policy.
        rcp_levels: rcp_levels(principal, view, access, resource_account.as_deref()),
        principal_in_management_account: principal.account == environment.management_account,
        resource_in_management_account: resource_account.as_deref()
            == Some(environment.management_account.to_string().as_str()),
        ..EvaluationInput::default()
    };
    let decision = policy::evaluate(&input, &request);
    note_decision(
        access.action,
        &access.resource,
        decision.effect,
        policy_type_name(decision.policy_type),
    );
    match policy::access_denied_message(&decision, &request) {
        None => Ok(()),
        Some(message) => {
            let message = match environment.authorization_messages {
                None => message,
                Some(key) => format!(
                    "{message}. Encoded authorization failure message: {}",
                    super::authorization_message::encode(key, principal, &decision, &request)
                ),
            };
            Err(Denied {
                error: ServiceError::new("AccessDenied", 403, message),
                explicit: decision.effect == DecisionEffect::ExplicitDeny,
            })
        }
    }
}

/// The session policies a role session carries (validated when the session was made; one
/// that no longer compiles grants nothing, which only narrows the session further).
fn session_policies(principal: &Principal) -> Option<std::sync::Arc<[policy::CompiledPolicy]>> {
    let session = principal.session.as_ref()?;
    Some(
        session
            .compiled_policies
            .get_or_compile(|| compile_session_policies(session)),
    )
}

/// Compiles a session's policies (see [`session_policies`]).
fn compile_session_policies(session: &super::session::Session) -> Vec<policy::CompiledPolicy> {
    // Sessions from GetSessionToken carry no session policy; federated users and role
    // sessions without one are bound by their identity's policies alone… except that a
    // federated user with no session policy has no permissions at all.
    if session.policies.is_empty() {
        if session.is_federated() {
            return deny_everything();
        }
        return Vec::new();
    }
    let compiled: Vec<policy::CompiledPolicy> = session
        .policies
        .iter()
        .enumerate()
        .filter_map(|(index, text)| {
            policy::CompiledPolicy::parse(
                format!("session/{index}"),
                text,
                policy::PolicyKind::Session,
            )
            .ok()
        })
        .collect();
    if compiled.len() < session.policies.len() {
        // Keep the session narrowed to nothing rather than widened.
        return deny_everything();
    }
    compiled
}

/// A session policy set that allows nothing.
fn deny_everything() -> Vec<policy::CompiledPolicy> {
    policy::CompiledPolicy::parse(
        "session/none",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"sts:GetCallerIdentity","Resource":"*"}]}"#,
        policy::PolicyKind::Session,
    )
    .ok()
    .into_iter()
    .collect()
}

/// The engine's request: principal, action, resource and the global condition keys.
fn request(
    principal: &Principal,
    view: &IdentityView,
    (action, resource, extra): (&str, &str, &[(String, ContextValue)]),
    environment: &Environment<'_>,
    resource_account: Option<&str>,
) -> policy::Request {
    let account = principal.account.to_string();
    let mut engine_principal = match &principal.kind {
        PrincipalKind::Root => {
            policy::Principal::new(policy::PrincipalKind::Root, principal.arn(), account)
        }
        PrincipalKind::User { .. } => {
            policy::Principal::new(policy::PrincipalKind::User, principal.arn(), account)
        }
        PrincipalKind::AssumedRole { .. } => {
            let mut session = policy::Principal::new(
                policy::PrincipalKind::AssumedRole,
                principal.arn(),
                account,
            );
            session.underlying_arn = principal.role_arn();
            session
        }
        PrincipalKind::FederatedUser { .. } => {
            let mut federated = policy::Principal::new(
                policy::PrincipalKind::FederatedUser,
                principal.arn(),
                account,
            );
            federated.underlying_arn = principal.federating_arn();
            federated
        }
    };
    engine_principal.user_id = Some(principal.user_id());
    engine_principal.tags = view.tags.clone();
    if let Some(membership) = &view.organization {
        engine_principal.org_id = Some(membership.org_id.clone());
        engine_principal.org_paths = vec![membership.path.clone()];
    }
    engine_principal.service_linked = principal
        .role_path()
        .is_some_and(|path| path.starts_with(SERVICE_ROLE_PATH));
    if let Some(session) = &principal.session {
        // Session tags override the role's tags of the same key.
        for (key, value) in &session.tags {
            engine_principal
                .tags
                .retain(|(existing, _)| !existing.eq_ignore_ascii_case(key));
            engine_principal.tags.push((key.clone(), value.clone()));
        }
    }
    let mut request = policy::Request::new(engine_principal, action, resource);
    if let Some(account) = resource_account {
        request = request.with_resource_account(account);
    }
    insert_environment(&mut request, environment);
    let now = environment.now;
    let context = request.context_mut();
    // Long-term keys carry no MFA facts at all (AWS leaves both keys out); sessions say
    // whether their holder proved a code, and how long ago.
    if let Some(session) = &principal.session {
        context.insert("aws:MultiFactorAuthPresent", session.mfa_at.is_some());
        if let Some(at) = session.mfa_at {
            context.insert(
                "aws:MultiFactorAuthAge",
                ContextValue::from((now.unix_timestamp() - at).max(0)),
            );
        }
        if let Ok(issued) = time::OffsetDateTime::from_unix_timestamp(session.issued) {
            let issued = issued
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            context.insert("aws:TokenIssueTime", issued);
        }
        if let Some(source) = &session.source_identity {
            context.insert("aws:SourceIdentity", source.as_str());
        }
    }
    // The organization of a resource in the caller's own account is the caller's; other
    // accounts' resources get theirs from the operation (`Access::context`).
    if let (Some(membership), Some(account)) = (&view.organization, resource_account) {
        if account == principal.account.to_string() {
            context.insert("aws:ResourceOrgID", membership.org_id.as_str());
            context.insert(
                "aws:ResourceOrgPaths",
                ContextValue::multi(vec![membership.path.clone()]),
            );
        }
    }
    for (key, value) in extra {
        context.insert(key, value.clone());
    }
    request
}

/// The global condition keys every request of every path carries, from the facts of
/// the request: `aws:SourceIp`, `aws:RequestedRegion`, `aws:CurrentTime`,
/// `aws:EpochTime` (decimal seconds, as AWS gives it: `Numeric*` and `Date*` conditions
/// both read it), `aws:SecureTransport` and `aws:UserAgent`.
fn insert_environment(request: &mut policy::Request, environment: &Environment<'_>) {
    let now = environment.now;
    let iso = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let context = request.context_mut();
    context.insert("aws:SourceIp", environment.source_ip.to_string());
    context.insert("aws:RequestedRegion", environment.region);
    context.insert("aws:CurrentTime", iso);
    context.insert("aws:EpochTime", now.unix_timestamp().to_string());
    context.insert("aws:SecureTransport", environment.secure_transport);
    if let Some(agent) = environment.user_agent {
        context.insert("aws:UserAgent", agent);
    }
}

/// Decides `access` (an `sts:AssumeRoleWith…` action or a session-tag action on a role)
/// for a user of an identity provider: a federated principal of no account yet, so the
/// role's trust policy alone speaks. The request carries the environment's global keys
/// and the access's own (the token's claims, the session's name and tags).
pub fn authorize_federated(
    provider_arn: &str,
    access: &Access,
    environment: &Environment<'_>,
    trust: &policy::CompiledPolicy,
) -> bool {
    let resource_account = resource_account(&access.resource);
    let principal = policy::Principal::new(policy::PrincipalKind::Federated, provider_arn, "");
    let mut request = policy::Request::new(principal, access.action, access.resource.as_str());
    if let Some(account) = &resource_account {
        request = request.with_resource_account(account.as_str());
    }
    insert_environment(&mut request, environment);
    let context = request.context_mut();
    for (key, value) in &access.context {
        context.insert(key, value.clone());
    }
    // The role's account's RCPs govern its roles for every caller, federated ones too.
    let rcp_levels = access
        .resource_rcps
        .as_deref()
        .map_or(&[][..], Vec::as_slice);
    let decision = policy::evaluate(
        &EvaluationInput {
            resource: Some(trust),
            rcp_levels,
            resource_in_management_account: resource_account.as_deref()
                == Some(environment.management_account.to_string().as_str()),
            ..EvaluationInput::default()
        },
        &request,
    );
    note_decision(
        access.action,
        &access.resource,
        decision.effect,
        policy_type_name(decision.policy_type),
    );
    decision.effect == DecisionEffect::Allow
}

/// A request for the policy simulator: the simulated principal's keys (filled by
/// [`policy::Request::new`], as for enforcement), the resource's account, and exactly
/// the context entries the caller gave. The simulator, like AWS's, fills no
/// environment keys of its own: a policy that uses one the caller left out reports it
/// as a missing context value.
pub fn simulated_request(
    principal: policy::Principal,
    (action, resource): (&str, &str),
    resource_account: Option<String>,
    entries: &[(String, ContextValue)],
    anonymous: bool,
) -> policy::Request {
    let mut request = policy::Request::new(principal, action, resource);
    if anonymous {
        // No caller was named: its ARN and name are unknown, not empty.
        let context = request.context_mut();
        context.remove("aws:PrincipalArn");
        context.remove("aws:username");
    }
    if let Some(account) = resource_account {
        request = request.with_resource_account(account);
    }
    let context = request.context_mut();
    for (key, value) in entries {
        context.insert(key, value.clone());
    }
    request
}

/// The policy simulator's decision on a request of [`simulated_request`]: the engine's
/// full answer (every matching statement, when `input.all_matches`), recorded nowhere,
/// since a simulation authorizes nothing.
pub fn simulate<'p>(
    input: &EvaluationInput<'p>,
    request: &policy::Request,
) -> policy::Decision<'p> {
    policy::evaluate(input, request)
}

/// Services whose resources resource control policies govern (AWS's list); among the
/// services Gatehouse serves, STS (role trust: `sts:AssumeRole…`).
const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "cognito-idp",
    "logs",
    "dynamodb",
    "ecr",
    "aoss",
];

/// The RCP levels that govern `access`: those of the resource's account, for actions of
/// the services RCPs apply to.
fn rcp_levels<'v>(
    principal: &Principal,
    view: &'v IdentityView,
    access: &'v Access,
    resource_account: Option<&str>,
) -> &'v [Vec<policy::CompiledPolicy>] {
    let service = access.action.split(':').next().unwrap_or_default();
    if !RCP_SERVICES.contains(&service) {
        return &[];
    }
    if let Some(levels) = &access.resource_rcps {
        return levels;
    }
    if resource_account == Some(principal.account.to_string().as_str()) {
        &view.rcp_levels
    } else {
        &[]
    }
}

/// Service-linked roles live under this path; they are exempt from SCPs and RCPs.
const SERVICE_ROLE_PATH: &str = "/aws-service-role/";

/// The account field of an ARN (`arn:partition:service:region:account:…`). Resources of
/// AWS itself (account `aws`, such as AWS managed policies) belong to no account: every
/// account may read them.
fn resource_account(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty() && account != "aws").then(|| account.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Partition;

    fn environment() -> Environment<'static> {
        Environment {
            source_ip: IpAddr::from([127, 0, 0, 1]),
            region: "us-east-1",
            now: time::OffsetDateTime::now_utc(),
            secure_transport: false,
            user_agent: None,
            authorization_messages: None,
            management_account: AccountId::parse("999999999999").unwrap(),
        }
    }

    fn check(
        principal: &Principal,
        view: &IdentityView,
        action: &'static str,
        resource: &str,
    ) -> Result<(), ServiceError> {
        authorize(
            principal,
            view,
            &Access::new(action, resource),
            &environment(),
        )
        .map_err(ServiceError::from)
    }

    fn view(documents: &[&str]) -> IdentityView {
        IdentityView {
            identity: documents
                .iter()
                .enumerate()
                .map(|(i, doc)| {
                    policy::CompiledPolicy::parse(
                        format!("p{i}"),
                        doc,
                        policy::PolicyKind::Identity,
                    )
                    .unwrap()
                })
                .collect(),
            ..IdentityView::default()
        }
    }

    fn principal(kind: PrincipalKind) -> Principal {
        Principal {
            account: AccountId::parse("123456789012").unwrap(),
            partition: Partition::AWS,
            kind,
            access_key_id: "AKIAEXAMPLE".into(),
            session: None,
        }
    }

    fn bob() -> Principal {
        principal(PrincipalKind::User {
            name: "bob".into(),
            id: "AIDAEXAMPLE".into(),
            path: "/".into(),
        })
    }

    #[test]
    fn root_may_act_in_its_own_account_only() {
        let root = principal(PrincipalKind::Root);
        let none = IdentityView::default();
        assert!(check(
            &root,
            &none,
            "iam:CreateUser",
            "arn:aws:iam::123456789012:user/x"
        )
        .is_ok());
        assert!(check(
            &root,
            &none,
            "iam:CreateUser",
            "arn:aws:iam::210987654321:user/x"
        )
        .is_err());
        assert!(check(&root, &none, "sts:GetAccessKeyInfo", "*").is_ok());
    }

    #[test]
    fn users_without_policies_are_implicitly_denied_with_aws_message() {
        let err = check(
            &bob(),
            &IdentityView::default(),
            "iam:CreateUser",
            "arn:aws:iam::123456789012:user/x",
        )
        .unwrap_err();
        assert_eq!(err.code, "AccessDenied");
        assert_eq!(err.status, 403);
        assert_eq!(
            err.message,
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: \
             arn:aws:iam::123456789012:user/x because no identity-based policy allows the iam:CreateUser action"
        );
    }

    #[test]
    fn get_caller_identity_is_never_denied() {
        assert!(check(
            &bob(),
            &IdentityView::default(),
            "sts:GetCallerIdentity",
            "*"
        )
        .is_ok());
    }

    #[test]
    fn identity_policies_grant_and_explicit_denies_win() {
        let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*User","Resource":"*"}]}"#;
        let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;
        let view = view(&[allow, deny]);
        assert!(check(
            &bob(),
            &view,
            "iam:CreateUser",
            "arn:aws:iam::123456789012:user/x"
        )
        .is_ok());
        assert!(check(
            &bob(),
            &view,
            "iam:DeleteUser",
            "arn:aws:iam::123456789012:user/x"
        )
        .is_ok());
        let err = check(
            &bob(),
            &view,
            "iam:DeleteUser",
            "arn:aws:iam::123456789012:user/bob",
        )
        .unwrap_err();
        assert!(
            err.message
                .contains("with an explicit deny in an identity-based policy"),
            "{}",
            err.message
        );
        assert!(check(&bob(), &view, "iam:ListGroups", "*").is_err());
    }

    #[test]
    fn request_tags_reach_conditions() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}"#;
        let view = view(&[doc]);
        let tagged = |tags: &[(&str, &str)]| {
            let tags: Vec<(String, String)> = tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            Access::new("iam:CreateUser", "arn:aws:iam::123456789012:user/x")
                .with_request_tags(&tags)
        };
        assert!(authorize(&bob(), &view, &tagged(&[("team", "blue")]), &environment()).is_ok());
        assert!(authorize(&bob(), &view, &tagged(&[("team", "red")]), &environment()).is_err());
        assert!(authorize(
            &bob(),
            &view,
            &tagged(&[("team", "blue"), ("cost", "1")]),
            &environment()
        )
        .is_err());
    }
}
