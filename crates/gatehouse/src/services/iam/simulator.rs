//! The policy simulator: `SimulatePrincipalPolicy`, `SimulateCustomPolicy` and the
//! `GetContextKeysFor*Policy` operations. The policies of a user, group or role are
//! gathered exactly as for enforcement (`auth::identity::identity_sources`, the account's
//! SCP levels) and decided by the same engine (`auth::authorize::simulate`), recording every
//! matching statement. Nothing is changed.

mod context_entries;

use std::collections::BTreeMap;

use policy::{
    CompiledPolicy, ContextValue, Decision, DecisionEffect, Effect, EvaluationInput, PolicyKind,
    PolicyType,
};
use wire::iam::{
    errors, EvaluationResult, GetContextKeysForCustomPolicyRequest,
    GetContextKeysForPolicyResponse, GetContextKeysForPrincipalPolicyRequest,
    OrganizationsDecisionDetail, PermissionsBoundaryDecisionDetail, PolicyEvaluationDecisionType,
    PolicySourceType, Position, ResourceSpecificResult, SimulateCustomPolicyRequest,
    SimulatePolicyResponse, SimulatePrincipalPolicyRequest, Statement,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize;
use crate::auth::identity::{
    identity_sources, organization_facts, IdentitySources, PolicySource, SourceKind,
};
use crate::model::arn::parse_iam_resource;
use crate::store::{OwnerKind, Tx};

use super::pagination;
use crate::request::RequestContext;

/// EvalDecisionDetails keys, as AWS names the two sides of a cross-account decision.
const IDENTITY_SIDE: &str = "IAM Policy";
const RESOURCE_SIDE: &str = "Resource Policy";

/// One policy in a simulation: how the answer names it, its text and its compiled form.
struct Source {
    /// `SourcePolicyId`: the policy's name, or `PolicyInputList.N` and the like.
    label: String,
    source_type: PolicySourceType,
    /// Each statement's start and end in the text.
    positions: Vec<(policy::Position, policy::Position)>,
    compiled: CompiledPolicy,
}

impl Source {
    fn new(
        label: String,
        source_type: PolicySourceType,
        text: &str,
        compiled: CompiledPolicy,
    ) -> Self {
        Self {
            label,
            source_type,
            positions: policy::statement_positions(text),
            compiled,
        }
    }

    /// A stored policy of the principal; `None` when it no longer compiles.
    fn stored(source: &PolicySource, kind: PolicyKind) -> Option<Self> {
        let source_type = match source.kind {
            SourceKind::Inline(OwnerKind::User) => PolicySourceType::User,
            SourceKind::Inline(OwnerKind::Group) => PolicySourceType::Group,
            SourceKind::Inline(OwnerKind::Role) => PolicySourceType::Role,
            SourceKind::AwsManaged => PolicySourceType::AwsManaged,
            SourceKind::CustomerManaged => PolicySourceType::UserManaged,
        };
        let compiled = source.compile(kind)?;
        Some(Self::new(
            source.name.clone(),
            source_type,
            &source.document,
            compiled,
        ))
    }

    /// A policy given in the request, named after the parameter that carried it.
    fn given(
        label: String,
        source_type: PolicySourceType,
        text: &str,
        kind: PolicyKind,
    ) -> Result<Self, ServiceError> {
        let compiled = CompiledPolicy::parse(label.clone(), text, kind).map_err(|problems| {
            errors::invalid_input(format!("{label} is not a valid policy: {problems}"))
        })?;
        Ok(Self::new(label, source_type, text, compiled))
    }
}

/// Everything a simulation evaluates, whatever operation asked for it.
struct Simulation {
    identity: Vec<Source>,
    boundary: Option<Source>,
    resource: Option<Source>,
    scp_levels: Vec<Vec<CompiledPolicy>>,
    principal_in_management_account: bool,
    caller: Caller,
    /// The account owning the resources, when `ResourceOwner` names it.
    resource_owner: Option<String>,
    context: Vec<(String, ContextValue)>,
}

/// Who the simulated requests come from.
enum Caller {
    /// An IAM user (`CallerArn`, or the simulated user itself).
    User { arn: String, account: String },
    /// The simulated role itself.
    Role { arn: String, account: String },
    /// Nobody named: identity policies apply, but no principal keys are known.
    Unnamed { account: String },
}

impl Caller {
    fn account(&self) -> &str {
        match self {
            Caller::User { account, .. }
            | Caller::Role { account, .. }
            | Caller::Unnamed { account } => account,
        }
    }

    fn principal(&self) -> policy::Principal {
        match self {
            Caller::User { arn, account } => {
                policy::Principal::new(policy::PrincipalKind::User, arn.as_str(), account.as_str())
            }
            Caller::Role { arn, account } => {
                policy::Principal::new(policy::PrincipalKind::Role, arn.as_str(), account.as_str())
            }
            Caller::Unnamed { account } => {
                policy::Principal::new(policy::PrincipalKind::User, "", account.as_str())
            }
        }
    }
}

pub(super) async fn handle_simulate_principal_policy(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: SimulatePrincipalPolicyRequest,
) -> Result<SimulatePolicyResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let (owner, sources) = principal_sources(tx, &account, &input.policy_source_arn).await?;
    let mut identity: Vec<Source> = Vec::new();
    for source in &sources.policies {
        // A managed policy attached to the user and to one of its groups counts once.
        if identity
            .iter()
            .any(|known| known.compiled.id() == source.id)
        {
            continue;
        }
        identity.extend(Source::stored(source, PolicyKind::Identity));
    }
    identity.extend(given_policies(input.policy_input_list.as_deref())?);
    let boundary = match given_boundary(input.permissions_boundary_policy_input_list.as_deref())? {
        Some(given) => Some(given),
        None => sources
            .boundary
            .as_ref()
            .and_then(|source| Source::stored(source, PolicyKind::PermissionsBoundary)),
    };
    let resource = given_resource(input.resource_policy.as_deref())?;
    let caller = match (input.caller_arn.as_deref(), owner) {
        (Some(arn), _) => user_caller(arn)?,
        (None, OwnerKind::User) => user_caller(&input.policy_source_arn)?,
        (None, OwnerKind::Role) if resource.is_none() => Caller::Role {
            arn: input.policy_source_arn.clone(),
            account: account.clone(),
        },
        (None, _) if resource.is_some() => {
            return Err(errors::invalid_input(
                "CallerArn is required when a ResourcePolicy is given and PolicySourceArn is not a user.",
            ))
        }
        (None, _) => Caller::Unnamed {
            account: account.clone(),
        },
    };
    let scp_levels = organization_facts(tx, context.principal.account)
        .await?
        .scp_levels;
    let simulation = Simulation {
        identity,
        boundary,
        resource,
        scp_levels,
        principal_in_management_account: context.principal.account == app.management_account(),
        caller,
        resource_owner: resource_owner(input.resource_owner.as_deref())?,
        context: context_entries::context_entries(input.context_entries.as_deref())?,
    };
    simulation.run(
        &input.action_names,
        input.resource_arns.as_deref(),
        input.max_items,
        input.marker.as_deref(),
    )
}

pub(super) fn handle_simulate_custom_policy(
    context: &RequestContext,
    input: SimulateCustomPolicyRequest,
) -> Result<SimulatePolicyResponse, ServiceError> {
    if let Some(action) = input.action_names.iter().find(|a| a.contains(['*', '?'])) {
        return Err(errors::invalid_input(format!(
            "Action {action} is not valid: SimulateCustomPolicy does not accept wildcards in action names."
        )));
    }
    let resource = given_resource(input.resource_policy.as_deref())?;
    let caller = match input.caller_arn.as_deref() {
        Some(arn) => user_caller(arn)?,
        None if resource.is_some() => {
            return Err(errors::invalid_input(
                "CallerArn is required when a ResourcePolicy is given.",
            ))
        }
        None => Caller::Unnamed {
            account: context.principal.account.to_string(),
        },
    };
    let simulation = Simulation {
        identity: given_policies(Some(&input.policy_input_list))?,
        boundary: given_boundary(input.permissions_boundary_policy_input_list.as_deref())?,
        resource,
        // Custom policies stand alone: no account's SCPs apply to them.
        scp_levels: Vec::new(),
        principal_in_management_account: false,
        caller,
        resource_owner: resource_owner(input.resource_owner.as_deref())?,
        context: context_entries::context_entries(input.context_entries.as_deref())?,
    };
    simulation.run(
        &input.action_names,
        input.resource_arns.as_deref(),
        input.max_items,
        input.marker.as_deref(),
    )
}

pub(super) async fn handle_get_context_keys_for_principal_policy(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetContextKeysForPrincipalPolicyRequest,
) -> Result<GetContextKeysForPolicyResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let (_, sources) = principal_sources(tx, &account, &input.policy_source_arn).await?;
    let mut documents: Vec<policy::PolicyDocument> = sources
        .policies
        .iter()
        .chain(sources.boundary.iter())
        .filter_map(|source| source.compile(PolicyKind::Identity))
        .map(|compiled| compiled.document().clone())
        .collect();
    documents.extend(
        given_policies(input.policy_input_list.as_deref())?
            .into_iter()
            .map(|source| source.compiled.document().clone()),
    );
    Ok(GetContextKeysForPolicyResponse {
        context_key_names: Some(context_keys(&documents)),
    })
}

pub(super) fn handle_get_context_keys_for_custom_policy(
    input: GetContextKeysForCustomPolicyRequest,
) -> Result<GetContextKeysForPolicyResponse, ServiceError> {
    let documents: Vec<policy::PolicyDocument> = given_policies(Some(&input.policy_input_list))?
        .into_iter()
        .map(|source| source.compiled.document().clone())
        .collect();
    Ok(GetContextKeysForPolicyResponse {
        context_key_names: Some(context_keys(&documents)),
    })
}

/// The condition keys of all the documents, each once (case-insensitively), in order.
fn context_keys(documents: &[policy::PolicyDocument]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for key in documents
        .iter()
        .flat_map(policy::PolicyDocument::context_keys)
    {
        if !keys.iter().any(|known| known.eq_ignore_ascii_case(&key)) {
            keys.push(key);
        }
    }
    keys
}

/// The user, group or role a `PolicySourceArn` names in the caller's account, and its
/// policies: `InvalidInput` for an ARN of anything else, `NoSuchEntity` when absent.
async fn principal_sources(
    tx: &mut Tx,
    account: &str,
    arn: &str,
) -> Result<(OwnerKind, IdentitySources), ServiceError> {
    let found = [
        ("user", OwnerKind::User),
        ("group", OwnerKind::Group),
        ("role", OwnerKind::Role),
    ]
    .into_iter()
    .find_map(|(label, owner)| {
        parse_iam_resource(arn, label)
            .map(|(arn_account, path, name)| (label, owner, arn_account, path, name))
    });
    let Some((label, owner, arn_account, path, name)) = found else {
        return Err(errors::invalid_input(format!(
            "PolicySourceArn {arn} is not the ARN of a user, group or role."
        )));
    };
    let missing =
        || errors::no_such_entity(format!("The {label} with name {name} cannot be found."));
    if arn_account != account {
        return Err(missing());
    }
    let path_matches = match owner {
        OwnerKind::User => tx.user(account, name).await.map(|r| r.map(|r| r.path)),
        OwnerKind::Group => tx.group(account, name).await.map(|r| r.map(|r| r.path)),
        OwnerKind::Role => tx.role(account, name).await.map(|r| r.map(|r| r.path)),
    }?
    .is_some_and(|stored| stored == path);
    if !path_matches {
        return Err(missing());
    }
    let sources = identity_sources(tx, account, owner, name)
        .await?
        .ok_or_else(missing)?;
    Ok((owner, sources))
}

fn given_policies(texts: Option<&[String]>) -> Result<Vec<Source>, ServiceError> {
    texts
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, text)| {
            Source::given(
                format!("PolicyInputList.{}", index + 1),
                PolicySourceType::None,
                text,
                PolicyKind::Identity,
            )
        })
        .collect()
}

fn given_boundary(texts: Option<&[String]>) -> Result<Option<Source>, ServiceError> {
    match texts.unwrap_or_default() {
        [] => Ok(None),
        [text] => Source::given(
            "PermissionsBoundaryPolicyInputList.1".to_owned(),
            PolicySourceType::None,
            text,
            PolicyKind::PermissionsBoundary,
        )
        .map(Some),
        _ => Err(errors::invalid_input(
            "Only one permissions boundary policy may be given in PermissionsBoundaryPolicyInputList.",
        )),
    }
}

fn given_resource(text: Option<&str>) -> Result<Option<Source>, ServiceError> {
    text.map(|text| {
        Source::given(
            "ResourcePolicy".to_owned(),
            PolicySourceType::Resource,
            text,
            PolicyKind::Resource,
        )
    })
    .transpose()
}

/// A `CallerArn`: only IAM users may be simulated callers.
fn user_caller(arn: &str) -> Result<Caller, ServiceError> {
    let (account, _, _) = parse_iam_resource(arn, "user").ok_or_else(|| {
        errors::invalid_input(format!(
            "Invalid CallerArn {arn}: the simulated caller must be an IAM user."
        ))
    })?;
    if !is_account_id(account) {
        return Err(errors::invalid_input(format!("Invalid CallerArn {arn}.")));
    }
    Ok(Caller::User {
        arn: arn.to_owned(),
        account: account.to_owned(),
    })
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `ResourceOwner`: an account id, or the account's root ARN.
fn resource_owner(text: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let account = match text.strip_prefix("arn:") {
        Some(rest) => {
            let fields: Vec<&str> = rest.splitn(5, ':').collect();
            match fields.as_slice() {
                [_, "iam", "", account, "root"] => *account,
                _ => "",
            }
        }
        None => text,
    };
    if is_account_id(account) {
        Ok(Some(account.to_owned()))
    } else {
        Err(errors::invalid_input(format!(
            "Invalid ResourceOwner {text}: expected an account id or arn:aws:iam::<account>:root."
        )))
    }
}

fn decision_type(effect: DecisionEffect) -> PolicyEvaluationDecisionType {
    match effect {
        DecisionEffect::Allow => PolicyEvaluationDecisionType::Allowed,
        DecisionEffect::ExplicitDeny => PolicyEvaluationDecisionType::ExplicitDeny,
        DecisionEffect::ImplicitDeny => PolicyEvaluationDecisionType::ImplicitDeny,
    }
}

/// The answer for one action on one resource, before it is shaped for the wire.
struct Outcome {
    decision: PolicyEvaluationDecisionType,
    statements: Vec<Statement>,
    missing: Vec<String>,
    organizations: Option<bool>,
    boundary: Option<bool>,
    details: Option<BTreeMap<String, PolicyEvaluationDecisionType>>,
}

impl Simulation {
    fn run(
        &self,
        actions: &[String],
        resources: Option<&[String]>,
        max_items: Option<i32>,
        marker: Option<&str>,
    ) -> Result<SimulatePolicyResponse, ServiceError> {
        if actions.is_empty() {
            return Err(errors::invalid_input(
                "ActionNames must name at least one action.",
            ));
        }
        if let Some(action) = actions.iter().find(|a| !a.contains(':')) {
            return Err(errors::invalid_input(format!(
                "Action {action} is not valid: an action is service:Action, such as iam:CreateUser."
            )));
        }
        let named = resources.is_some_and(|list| !list.is_empty());
        let star = ["*".to_owned()];
        let resources = match resources {
            Some(list) if !list.is_empty() => list,
            _ => &star[..],
        };
        let total = actions.len().saturating_mul(resources.len());
        let start = match pagination::decode_marker(marker)? {
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|index| *index < total)
                .ok_or_else(|| errors::invalid_input("Invalid Marker."))?,
            None => 0,
        };
        let size = usize::try_from(pagination::page_size(max_items)).unwrap_or(100);
        let end = start.saturating_add(size).min(total);
        let mut results = Vec::with_capacity(end.saturating_sub(start));
        for index in start..end {
            let (Some(action), Some(resource)) = (
                actions.get(index / resources.len()),
                resources.get(index % resources.len()),
            ) else {
                continue;
            };
            let outcome = self.evaluate(action, resource);
            results.push(if named {
                EvaluationResult {
                    eval_action_name: action.clone(),
                    eval_resource_name: Some(resource.clone()),
                    eval_decision: outcome.decision.clone(),
                    matched_statements: Some(outcome.statements.clone()),
                    missing_context_values: Some(Vec::new()),
                    organizations_decision_detail: outcome.organizations.map(|allowed| {
                        OrganizationsDecisionDetail {
                            allowed_by_organizations: Some(allowed),
                        }
                    }),
                    permissions_boundary_decision_detail: boundary_detail(outcome.boundary),
                    eval_decision_details: outcome.details.clone(),
                    resource_specific_results: Some(vec![ResourceSpecificResult {
                        eval_resource_name: resource.clone(),
                        eval_resource_decision: outcome.decision,
                        matched_statements: Some(outcome.statements),
                        missing_context_values: Some(outcome.missing),
                        eval_decision_details: outcome.details,
                        permissions_boundary_decision_detail: boundary_detail(outcome.boundary),
                    }]),
                }
            } else {
                EvaluationResult {
                    eval_action_name: action.clone(),
                    eval_resource_name: Some(resource.clone()),
                    eval_decision: outcome.decision,
                    matched_statements: Some(outcome.statements),
                    missing_context_values: Some(outcome.missing),
                    organizations_decision_detail: outcome.organizations.map(|allowed| {
                        OrganizationsDecisionDetail {
                            allowed_by_organizations: Some(allowed),
                        }
                    }),
                    permissions_boundary_decision_detail: boundary_detail(outcome.boundary),
                    eval_decision_details: None,
                    resource_specific_results: None,
                }
            });
        }
        let truncated = end < total;
        Ok(SimulatePolicyResponse {
            evaluation_results: Some(results),
            is_truncated: Some(truncated),
            marker: truncated.then(|| pagination::encode_marker(&end.to_string())),
        })
    }

    /// The engine's request for one action on one resource.
    fn request(&self, action: &str, resource: &str, with_owner: bool) -> policy::Request {
        let owner = (with_owner && resource != "*").then(|| {
            self.resource_owner
                .clone()
                .or_else(|| {
                    resource
                        .split(':')
                        .nth(4)
                        .filter(|account| is_account_id(account))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| self.caller.account().to_owned())
        });
        authorize::simulated_request(
            self.caller.principal(),
            (action, resource),
            owner,
            &self.context,
            matches!(self.caller, Caller::Unnamed { .. }),
        )
    }

    fn evaluate(&self, action: &str, resource: &str) -> Outcome {
        let identity: Vec<CompiledPolicy> =
            self.identity.iter().map(|s| s.compiled.clone()).collect();
        let request = self.request(action, resource, true);
        let input = EvaluationInput {
            identity: &identity,
            boundary: self.boundary.as_ref().map(|s| &s.compiled),
            resource: self.resource.as_ref().map(|s| &s.compiled),
            scp_levels: &self.scp_levels,
            principal_in_management_account: self.principal_in_management_account,
            all_matches: true,
            ..EvaluationInput::default()
        };
        let decision = authorize::simulate(&input, &request);
        let statements = self.matched(&decision);
        let mut missing: Vec<String> = Vec::new();
        let in_play = self
            .identity
            .iter()
            .chain(self.boundary.iter())
            .chain(self.resource.iter());
        for source in in_play {
            for key in source.compiled.missing_context_keys(&request) {
                if !missing.iter().any(|known| known.eq_ignore_ascii_case(&key)) {
                    missing.push(key);
                }
            }
        }
        let organizations = (!self.scp_levels.is_empty()).then(|| {
            self.principal_in_management_account || self.allowed_by_organizations(&request)
        });
        let boundary = self.boundary.as_ref().map(|_| {
            let mine = |effect: Effect| {
                decision
                    .statements
                    .iter()
                    .any(|m| m.policy_type == PolicyType::PermissionsBoundary && m.effect == effect)
            };
            mine(Effect::Allow) && !mine(Effect::Deny)
        });
        let details =
            (resource != "*").then(|| self.decision_details(&request, &decision, action, resource));
        Outcome {
            decision: decision_type(decision.effect),
            statements,
            missing,
            organizations,
            boundary,
            details,
        }
    }

    /// The statements that decided: every matching deny for an explicit deny, every
    /// matching identity-based or resource-based allow for an allow, none otherwise.
    fn matched(&self, decision: &Decision<'_>) -> Vec<Statement> {
        let wanted: &[PolicyType] = match decision.effect {
            DecisionEffect::ExplicitDeny => &[
                PolicyType::Identity,
                PolicyType::Resource,
                PolicyType::PermissionsBoundary,
            ],
            DecisionEffect::Allow => &[PolicyType::Identity, PolicyType::Resource],
            DecisionEffect::ImplicitDeny => &[],
        };
        let effect = match decision.effect {
            DecisionEffect::ExplicitDeny => Effect::Deny,
            _ => Effect::Allow,
        };
        decision
            .statements
            .iter()
            .filter(|m| m.effect == effect && wanted.contains(&m.policy_type))
            .filter_map(|m| {
                let source = match m.policy_type {
                    PolicyType::Identity => self
                        .identity
                        .iter()
                        .find(|s| s.compiled.id() == m.policy_id()),
                    PolicyType::PermissionsBoundary => self.boundary.as_ref(),
                    PolicyType::Resource => self.resource.as_ref(),
                    _ => None,
                }?;
                let position = |p: policy::Position| Position {
                    line: Some(i32::try_from(p.line).unwrap_or(i32::MAX)),
                    column: Some(i32::try_from(p.column).unwrap_or(i32::MAX)),
                };
                let span = source.positions.get(m.index);
                Some(Statement {
                    source_policy_id: Some(source.label.clone()),
                    source_policy_type: Some(source.source_type.clone()),
                    start_position: span.map(|(start, _)| position(*start)),
                    end_position: span.map(|(_, end)| position(*end)),
                })
            })
            .collect()
    }

    /// Whether the SCPs alone would let the caller's account do this.
    fn allowed_by_organizations(&self, request: &policy::Request) -> bool {
        let Ok(everything) = CompiledPolicy::parse(
            "allow-all",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            PolicyKind::Identity,
        ) else {
            return false;
        };
        let identity = [everything];
        let input = EvaluationInput {
            identity: &identity,
            scp_levels: &self.scp_levels,
            principal_in_management_account: self.principal_in_management_account,
            ..EvaluationInput::default()
        };
        authorize::simulate(&input, request).is_allowed()
    }

    /// `EvalDecisionDetails` for a named resource: empty within one account; across
    /// accounts, the decision of each side.
    fn decision_details(
        &self,
        request: &policy::Request,
        decision: &Decision<'_>,
        action: &str,
        resource: &str,
    ) -> BTreeMap<String, PolicyEvaluationDecisionType> {
        let mut details = BTreeMap::new();
        if !request.is_cross_account() {
            return details;
        }
        // The caller's side: its own policies, as if the resource were its account's.
        let identity: Vec<CompiledPolicy> =
            self.identity.iter().map(|s| s.compiled.clone()).collect();
        let own = self.request(action, resource, false);
        let input = EvaluationInput {
            identity: &identity,
            boundary: self.boundary.as_ref().map(|s| &s.compiled),
            scp_levels: &self.scp_levels,
            principal_in_management_account: self.principal_in_management_account,
            ..EvaluationInput::default()
        };
        details.insert(
            IDENTITY_SIDE.to_owned(),
            decision_type(authorize::simulate(&input, &own).effect),
        );
        let resource_says = |effect: Effect| {
            decision
                .statements
                .iter()
                .any(|m| m.policy_type == PolicyType::Resource && m.effect == effect)
        };
        let side = if resource_says(Effect::Deny) {
            PolicyEvaluationDecisionType::ExplicitDeny
        } else if resource_says(Effect::Allow) {
            PolicyEvaluationDecisionType::Allowed
        } else {
            PolicyEvaluationDecisionType::ImplicitDeny
        };
        details.insert(RESOURCE_SIDE.to_owned(), side);
        details
    }
}

fn boundary_detail(allowed: Option<bool>) -> Option<PermissionsBoundaryDecisionDetail> {
    allowed.map(|allowed| PermissionsBoundaryDecisionDetail {
        allowed_by_permissions_boundary: Some(allowed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_owner_is_an_account_or_its_root() {
        assert_eq!(
            resource_owner(Some("123456789012")).unwrap().as_deref(),
            Some("123456789012")
        );
        assert_eq!(
            resource_owner(Some("arn:aws:iam::123456789012:root"))
                .unwrap()
                .as_deref(),
            Some("123456789012")
        );
        assert!(resource_owner(Some("arn:aws:iam::123456789012:user/x")).is_err());
        assert!(resource_owner(Some("12345")).is_err());
    }
}
