//! Delegation requests: a partner account (the requestor) asks a customer for temporary
//! access limited by a permission policy. The life cycle, as `store/delegation_requests.rs`
//! keeps it:
//!
//! ```text
//! UNASSIGNED --Associate--> ASSIGNED --Update--> PENDING_APPROVAL
//!                               |                    |
//!                               +------Accept--------+--> ACCEPTED --Send--> FINALIZED
//!                               |                    |        |
//!                               +------Reject--------+--------+--> REJECTED
//! ```
//!
//! Any state but `REJECTED` becomes `EXPIRED` once its expiry passes (worked out on
//! reading): an open request lasts [`OPEN_DAYS`] from creation, a rejected one is kept
//! [`OPEN_DAYS`] more, and a finalized one expires with its delegated access
//! (`SessionDuration` after the token was sent). Only identities of the owner account
//! move a request along; the requestor creates and reads it.
//!
//! Gatehouse's choices where AWS leaves the partner side to onboarding:
//! - `PolicyTemplateArn` names a managed policy the requestor can read (its own customer
//!   managed policy, or an AWS managed one). The template is itself a valid policy, so its
//!   `{{Name}}` placeholders sit where free text is allowed (inside ARNs, in condition
//!   values); they take the request's parameters (a `string` parameter's one value inside any string, a
//!   `stringList` parameter's values as a JSON list where a string is exactly the
//!   placeholder). The result, the `PermissionPolicy`, must be a valid session policy:
//!   it becomes the delegated session's only session policy.
//! - There is no SNS here: the messages AWS would publish to `NotificationChannel` (state
//!   changes, and the exchange token on `SendDelegationToken`) are stored for the
//!   requestor and read by the operator with `gatehouse delegation notifications`.
//! - No console, so no `ConsoleDeepLink`.

mod template;

use serde_json::{json, Value};
use wire::iam::{
    errors, CreateDelegationRequestRequest, CreateDelegationRequestResponse, DelegationPermission,
    DelegationRequest, GetDelegationRequestRequest, GetDelegationRequestResponse,
    ListDelegationRequestsRequest, ListDelegationRequestsResponse, PermissionCheckResultType,
    PermissionCheckStatusType, PolicyParameter, PolicyParameterTypeEnum, StateType,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::principal::Principal;
use crate::auth::trade_in::TradeIn;
use crate::auth::PrincipalKind;
use crate::store::{now_millis, DelegationRequestRecord, Tx};

use super::pagination;
use crate::request::RequestContext;

/// Open requests a requestor may have at once (AWS publishes no number).
pub const MAX_OPEN: i64 = 100;

/// Days an open request waits for the customer, and a rejected one is kept.
pub const OPEN_DAYS: i64 = 7;
const DAY_MILLIS: i64 = 86_400_000;

/// The ARN a delegation request is authorized as, in the caller's account (each account's
/// policies govern what its identities do with a request).
pub fn request_arn(principal: &Principal, request_id: &str) -> String {
    format!(
        "arn:{}:iam::{}:delegation-request/{request_id}",
        principal.partition, principal.account
    )
}

/// The state a request is in at `now` (milliseconds): expiry applies on reading.
pub fn effective_state(record: &DelegationRequestRecord, now: i64) -> &str {
    if record.state != "REJECTED" && now >= record.expires_at {
        "EXPIRED"
    } else {
        record.state.as_str()
    }
}

fn not_found(request_id: &str) -> ServiceError {
    errors::no_such_entity(format!(
        "The delegation request with id {request_id} cannot be found."
    ))
}

/// The request as the caller's account may see it.
pub(super) async fn find(
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
) -> Result<DelegationRequestRecord, ServiceError> {
    tx.delegation_request(&context.principal.account.to_string(), request_id)
        .await?
        .ok_or_else(|| not_found(request_id))
}

/// Whether the caller owns the request (its ARN was recorded by `Associate`): the owner
/// may read, update, summarize and send the token of its request whatever its policies.
pub(super) async fn caller_owns(
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
) -> Result<bool, ServiceError> {
    let account = context.principal.account.to_string();
    let found = tx.delegation_request(&account, request_id).await?;
    Ok(found.is_some_and(|record| {
        record.owner_account.as_deref() == Some(account.as_str())
            && record.owner_arn.as_deref() == Some(context.principal.arn().as_str())
    }))
}

/// Refuses a change by anyone but an identity of the request's owner account, and a
/// change of a request in none of the states `allowed` (or expired).
fn check_change(
    record: &DelegationRequestRecord,
    context: &RequestContext,
    allowed: &[&str],
    now: i64,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    if record.owner_account.as_deref() != Some(account.as_str()) {
        return Err(not_found(&record.request_id));
    }
    let state = effective_state(record, now);
    if !allowed.contains(&state) {
        return Err(errors::invalid_input(format!(
            "The delegation request {} is in state {state}; this operation needs one of: {}.",
            record.request_id,
            allowed.join(", ")
        )));
    }
    Ok(())
}

/// Records the message AWS would publish to the requestor's notification channel.
async fn notify(
    tx: &mut Tx,
    record: &DelegationRequestRecord,
    extra: Option<(&str, &str)>,
    now: i64,
) -> Result<(), ServiceError> {
    let mut message = json!({
        "delegationRequestId": record.request_id,
        "requestorWorkflowId": record.workflow_id,
        "state": record.state,
        "ownerAccountId": record.owner_account,
        "time": crate::store::from_millis(now)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    });
    if let (Some((key, value)), Some(object)) = (extra, message.as_object_mut()) {
        object.insert(key.to_owned(), json!(value));
    }
    tx.insert_delegation_notification(
        &record.requestor_account,
        &record.request_id,
        &record.notification_channel,
        &message.to_string(),
        now,
    )
    .await
    .map_err(Into::into)
}

async fn save(
    tx: &mut Tx,
    context: &RequestContext,
    record: &DelegationRequestRecord,
    extra: Option<(&str, &str)>,
    now: i64,
) -> Result<(), ServiceError> {
    let saved = tx
        .update_delegation_request(&context.principal.account.to_string(), record)
        .await?;
    if !saved {
        return Err(errors::concurrent_modification(
            "The delegation request changed while this request was processed. Try again.",
        ));
    }
    notify(tx, record, extra, now).await
}

/// `CreateDelegationRequest`.
pub(super) async fn handle_create(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateDelegationRequestRequest,
) -> Result<CreateDelegationRequestResponse, ServiceError> {
    let account = context.principal.account.to_string();
    check_channel(&input.notification_channel)?;
    let template_arn = input
        .permissions
        .policy_template_arn
        .clone()
        .ok_or_else(|| errors::invalid_input("Permissions must name a PolicyTemplateArn."))?;
    let template = crate::auth::identity::managed_document(tx, &account, &template_arn)
        .await?
        .ok_or_else(|| {
            errors::invalid_input(format!(
                "The policy template {template_arn} does not exist or is not readable by this account."
            ))
        })?;
    let parameters = input.permissions.parameters.clone().unwrap_or_default();
    let permission_policy = template::fill_template(&template, &parameters)?;
    if let Some(owner) = &input.owner_account_id {
        if crate::model::AccountId::parse(owner).is_none() {
            return Err(errors::invalid_input(format!(
                "OwnerAccountId {owner} is not an account id."
            )));
        }
    }
    let now = now_millis();
    let open = tx.count_open_delegation_requests(&account, now).await?;
    if open >= MAX_OPEN {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for open delegation requests: {MAX_OPEN}."
        )));
    }
    let requestor_name = tx
        .account_alias(&account)
        .await?
        .filter(|alias| alias.len() <= 30);
    let record = DelegationRequestRecord {
        request_id: uuid::Uuid::new_v4().simple().to_string(),
        requestor_account: account,
        requestor_name,
        owner_account: input.owner_account_id,
        owner_arn: None,
        approver_arn: None,
        approver: None,
        state: "UNASSIGNED".to_owned(),
        description: input.description,
        request_message: input.request_message,
        workflow_id: input.requestor_workflow_id,
        redirect_url: input.redirect_url,
        notification_channel: input.notification_channel,
        session_duration: i64::from(input.session_duration),
        only_send_by_owner: input.only_send_by_owner.unwrap_or(false),
        template_arn,
        parameters: parameters_json(&parameters).to_string(),
        permission_policy,
        notes: None,
        rejection_reason: None,
        created_at: now,
        updated_at: now,
        expires_at: now + OPEN_DAYS * DAY_MILLIS,
        finalized_at: None,
    };
    match tx.insert_delegation_request(&record).await {
        Ok(()) => {}
        Err(crate::store::StoreError::Duplicate) => {
            return Err(errors::entity_already_exists(format!(
                "A delegation request with RequestorWorkflowId {} already exists.",
                record.workflow_id
            )))
        }
        Err(err) => return Err(err.into()),
    }
    Ok(CreateDelegationRequestResponse {
        console_deep_link: None,
        delegation_request_id: Some(record.request_id),
    })
}

/// `GetDelegationRequest`, with the optional permission check of the caller against the
/// request's permission policy.
pub(super) async fn handle_get(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: GetDelegationRequestRequest,
) -> Result<GetDelegationRequestResponse, ServiceError> {
    let record = find(tx, context, &input.delegation_request_id).await?;
    let (status, result) = if input.delegation_permission_check == Some(true) {
        let view = app.policies().view(tx, &context.principal).await?;
        let result = permission_check(
            &context.principal,
            &view,
            &record.permission_policy,
            &context.environment(app),
        );
        (Some(PermissionCheckStatusType::Complete), Some(result))
    } else {
        (None, None)
    };
    Ok(GetDelegationRequestResponse {
        delegation_request: Some(to_wire(&record, now_millis())),
        permission_check_status: status,
        permission_check_result: result,
    })
}

/// `ListDelegationRequests`: the caller's account's own requests (as requestor) and those
/// its identities own.
pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListDelegationRequestsRequest,
) -> Result<ListDelegationRequestsResponse, ServiceError> {
    let limit = pagination::page_size(input.max_items);
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let rows = tx
        .list_delegation_requests(
            &context.principal.account.to_string(),
            input.owner_id.as_deref(),
            after.as_deref(),
            limit + 1,
        )
        .await?;
    let (page, truncated, marker) =
        pagination::split(rows, limit, |record| record.request_id.clone());
    let now = now_millis();
    Ok(ListDelegationRequestsResponse {
        delegation_requests: Some(page.iter().map(|record| to_wire(record, now)).collect()),
        marker,
        is_truncated: Some(truncated),
    })
}

/// `AssociateDelegationRequest`: the caller becomes the owner (and its account the owner
/// account when the partner named none).
pub(super) async fn handle_associate(
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
) -> Result<(), ServiceError> {
    let mut record = find(tx, context, request_id).await?;
    let account = context.principal.account.to_string();
    if record
        .owner_account
        .as_deref()
        .is_some_and(|owner| owner != account)
    {
        return Err(not_found(request_id));
    }
    let now = now_millis();
    let state = effective_state(&record, now);
    if state != "UNASSIGNED" {
        return Err(errors::invalid_input(format!(
            "The delegation request {request_id} is in state {state} and cannot be associated."
        )));
    }
    record.owner_account = Some(account);
    record.owner_arn = Some(context.principal.arn());
    record.state = "ASSIGNED".to_owned();
    record.updated_at = now;
    save(tx, context, &record, None, now).await
}

/// `UpdateDelegationRequest`: notes for the approver; the request waits for approval.
pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
    notes: Option<String>,
) -> Result<(), ServiceError> {
    let mut record = find(tx, context, request_id).await?;
    let now = now_millis();
    check_change(&record, context, &["ASSIGNED", "PENDING_APPROVAL"], now)?;
    if notes.is_some() {
        record.notes = notes;
    }
    record.state = "PENDING_APPROVAL".to_owned();
    record.updated_at = now;
    save(tx, context, &record, None, now).await
}

/// `AcceptDelegationRequest`: records the caller as the identity the delegated sessions
/// will act as.
pub(super) async fn handle_accept(
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
) -> Result<(), ServiceError> {
    let mut record = find(tx, context, request_id).await?;
    let now = now_millis();
    check_change(&record, context, &["ASSIGNED", "PENDING_APPROVAL"], now)?;
    let principal = &context.principal;
    let holder = match &principal.kind {
        PrincipalKind::FederatedUser { .. } => {
            return Err(errors::invalid_input(
                "A federated user cannot accept a delegation request: its permissions cannot be delegated.",
            ))
        }
        PrincipalKind::AssumedRole {
            role_name,
            role_id,
            role_path,
            ..
        } => PrincipalKind::AssumedRole {
            role_name: role_name.clone(),
            role_id: role_id.clone(),
            role_path: role_path.clone(),
            session_name: format!("delegation-{request_id}")
                .chars()
                .take(64)
                .collect(),
        },
        other => other.clone(),
    };
    record.approver = Some(serde_json::to_string(&holder).map_err(crate::app::internal)?);
    record.approver_arn = Some(principal.arn());
    record.state = "ACCEPTED".to_owned();
    record.updated_at = now;
    save(tx, context, &record, None, now).await
}

/// `RejectDelegationRequest`: final; the request is kept [`OPEN_DAYS`] more.
pub(super) async fn handle_reject(
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
    notes: Option<String>,
) -> Result<(), ServiceError> {
    let mut record = find(tx, context, request_id).await?;
    let now = now_millis();
    check_change(
        &record,
        context,
        &["ASSIGNED", "PENDING_APPROVAL", "ACCEPTED"],
        now,
    )?;
    record.rejection_reason = notes;
    record.state = "REJECTED".to_owned();
    record.updated_at = now;
    record.expires_at = now + OPEN_DAYS * DAY_MILLIS;
    save(tx, context, &record, None, now).await
}

/// `SendDelegationToken`: the exchange token goes to the partner's channel and the
/// delegated access window opens.
pub(super) async fn handle_send_token(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    request_id: &str,
) -> Result<(), ServiceError> {
    let mut record = find(tx, context, request_id).await?;
    let now = now_millis();
    check_change(&record, context, &["ACCEPTED"], now)?;
    let caller = context.principal.arn();
    if record.only_send_by_owner && record.owner_arn.as_deref() != Some(caller.as_str()) {
        return Err(ServiceError::new(
            "AccessDenied",
            403,
            format!(
                "User: {caller} is not authorized to perform: iam:SendDelegationToken on resource: {}: only the owner of this delegation request may send its token",
                request_arn(&context.principal, request_id)
            ),
        ));
    }
    record.state = "FINALIZED".to_owned();
    record.updated_at = now;
    record.finalized_at = Some(now);
    record.expires_at = now + record.session_duration * 1000;
    let token = TradeIn {
        request_id: record.request_id.clone(),
        requestor_account: record.requestor_account.clone(),
        sent_at: now,
    }
    .seal(app.master_key());
    save(tx, context, &record, Some(("exchangeToken", &token)), now).await
}

/// The wire form of a request at `now`.
pub(super) fn to_wire(record: &DelegationRequestRecord, now: i64) -> DelegationRequest {
    let parameters: Vec<PolicyParameter> = serde_json::from_str::<Vec<Value>>(&record.parameters)
        .unwrap_or_default()
        .iter()
        .map(|value| PolicyParameter {
            name: value["Name"].as_str().map(str::to_owned),
            values: value["Values"].as_array().map(|values| {
                values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            }),
            type_: value["Type"].as_str().map(PolicyParameterTypeEnum::from),
        })
        .collect();
    DelegationRequest {
        delegation_request_id: Some(record.request_id.clone()),
        owner_account_id: record.owner_account.clone(),
        description: Some(record.description.clone()),
        request_message: record.request_message.clone(),
        permissions: Some(DelegationPermission {
            policy_template_arn: Some(record.template_arn.clone()),
            parameters: (!parameters.is_empty()).then_some(parameters),
        }),
        permission_policy: Some(record.permission_policy.clone()),
        role_permission_restriction_arns: Some(boundary_arns(&record.permission_policy)),
        owner_id: record.owner_arn.clone(),
        approver_id: record.approver_arn.clone(),
        state: Some(StateType::from(effective_state(record, now))),
        expiration_time: Some(crate::store::from_millis(record.expires_at)),
        requestor_id: Some(record.requestor_account.clone()),
        requestor_name: record.requestor_name.clone(),
        create_date: Some(crate::store::from_millis(record.created_at)),
        session_duration: i32::try_from(record.session_duration).ok(),
        redirect_url: record.redirect_url.clone(),
        notes: record.notes.clone(),
        rejection_reason: record.rejection_reason.clone(),
        only_send_by_owner: Some(record.only_send_by_owner),
        updated_time: Some(crate::store::from_millis(record.updated_at)),
    }
}

/// The notification channel must be an SNS topic ARN.
fn check_channel(channel: &str) -> Result<(), ServiceError> {
    let parts: Vec<&str> = channel.splitn(6, ':').collect();
    let valid = matches!(
        parts.as_slice(),
        ["arn", partition, "sns", region, account, topic]
            if !partition.is_empty() && !region.is_empty()
                && crate::model::AccountId::parse(account).is_some() && !topic.is_empty()
    );
    if valid {
        Ok(())
    } else {
        Err(errors::invalid_input(format!(
            "NotificationChannel {channel} is not an SNS topic ARN."
        )))
    }
}

fn parameters_json(parameters: &[PolicyParameter]) -> Value {
    Value::Array(
        parameters
            .iter()
            .map(|parameter| {
                json!({
                    "Name": parameter.name,
                    "Values": parameter.values,
                    "Type": parameter.type_.as_ref().map(PolicyParameterTypeEnum::as_str),
                })
            })
            .collect(),
    )
}

/// The permissions boundaries a policy requires of the roles it lets the partner create
/// (`iam:PermissionsBoundary` conditions of statements allowing `iam:CreateRole`).
fn boundary_arns(text: &str) -> Vec<String> {
    let Ok(document) = policy::PolicyDocument::parse(text, policy::PolicyKind::Session) else {
        return Vec::new();
    };
    let mut arns = Vec::new();
    for statement in document.statements() {
        if statement.effect != policy::Effect::Allow {
            continue;
        }
        let creates_roles = statement.action.as_ref().is_some_and(|actions| {
            !actions.negated
                && actions
                    .values
                    .iter()
                    .any(|action| glob_matches(action, "iam:CreateRole"))
        });
        if !creates_roles {
            continue;
        }
        for condition in statement.condition.iter().flatten() {
            for (key, values) in &condition.entries {
                if key.eq_ignore_ascii_case("iam:PermissionsBoundary") {
                    for value in values.iter() {
                        let arn = value.as_text().to_owned();
                        if !arns.contains(&arn) {
                            arns.push(arn);
                        }
                    }
                }
            }
        }
    }
    arns
}

/// Whether `pattern` (with `*` and `?`) matches `text`, ignoring case, as actions match.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    // Classic two-pointer matching with backtracking to the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern.iter().skip(p).all(|c| *c == '*')
}

/// Whether the caller holds what the permission policy asks for (AWS calls the answer
/// approximate): each action on each resource of its `Allow` statements is decided with
/// the caller's own policies, a pattern taken literally (a caller allowed `iam:*` on `*`
/// covers `iam:List*` on `arn:aws:iam::*:user/*`). `DENIED` when a named action on a named
/// resource by an unconditional statement is refused; `UNSURE` when a refused pair holds a
/// wildcard or a condition, or `Not…` elements leave the question open; else `ALLOWED`.
fn permission_check(
    principal: &Principal,
    view: &crate::auth::identity::IdentityView,
    text: &str,
    environment: &crate::auth::authorize::Environment<'_>,
) -> PermissionCheckResultType {
    let Ok(document) = policy::PolicyDocument::parse(text, policy::PolicyKind::Session) else {
        return PermissionCheckResultType::Unsure;
    };
    let mut unsure = false;
    for statement in document.statements() {
        if statement.effect != policy::Effect::Allow {
            continue;
        }
        let (Some(actions), Some(resources)) = (&statement.action, &statement.resource) else {
            unsure = true;
            continue;
        };
        if actions.negated || resources.negated {
            unsure = true;
            continue;
        }
        // A conditional grant is covered by an unconditional one; else it is open.
        let conditional = statement.condition.is_some();
        for action in actions.values.iter() {
            for resource in resources.values.iter() {
                if crate::auth::authorize::would_allow(
                    principal,
                    view,
                    action,
                    resource,
                    environment,
                ) {
                    continue;
                }
                let pattern = action.contains(['*', '?'])
                    || (resource != "*" && resource.contains(['*', '?']));
                if !pattern && !conditional {
                    return PermissionCheckResultType::Denied;
                }
                unsure = true;
            }
        }
    }
    if unsure {
        PermissionCheckResultType::Unsure
    } else {
        PermissionCheckResultType::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_come_from_role_creation_conditions() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/Bound"}}}]}"#;
        assert_eq!(
            boundary_arns(text),
            vec!["arn:aws:iam::123456789012:policy/Bound".to_owned()]
        );
        assert!(boundary_arns(template::tests::TEMPLATE).is_empty());
    }

    #[test]
    fn requests_expire_on_reading_except_rejected_ones() {
        let record = |state: &str| DelegationRequestRecord {
            request_id: "0123456789abcdef".into(),
            requestor_account: "111111111111".into(),
            requestor_name: None,
            owner_account: None,
            owner_arn: None,
            approver_arn: None,
            approver: None,
            state: state.into(),
            description: String::new(),
            request_message: None,
            workflow_id: "wf-1".into(),
            redirect_url: None,
            notification_channel: String::new(),
            session_duration: 300,
            only_send_by_owner: false,
            template_arn: String::new(),
            parameters: "[]".into(),
            permission_policy: "{}".into(),
            notes: None,
            rejection_reason: None,
            created_at: 0,
            updated_at: 0,
            expires_at: 100,
            finalized_at: None,
        };
        assert_eq!(effective_state(&record("ASSIGNED"), 99), "ASSIGNED");
        assert_eq!(effective_state(&record("ASSIGNED"), 100), "EXPIRED");
        assert_eq!(effective_state(&record("FINALIZED"), 100), "EXPIRED");
        assert_eq!(effective_state(&record("REJECTED"), 1_000), "REJECTED");
    }

    #[test]
    fn action_patterns_match_like_policies() {
        assert!(glob_matches("iam:*", "iam:CreateRole"));
        assert!(glob_matches("IAM:create?ole", "iam:CreateRole"));
        assert!(glob_matches("*", "iam:CreateRole"));
        assert!(!glob_matches("iam:Create", "iam:CreateRole"));
        assert!(!glob_matches("s3:*", "iam:CreateRole"));
    }

    #[test]
    fn channels_are_sns_topic_arns() {
        assert!(check_channel("arn:aws:sns:us-east-1:123456789012:partner-topic").is_ok());
        assert!(check_channel("arn:aws:sqs:us-east-1:123456789012:queue").is_err());
        assert!(check_channel("topic").is_err());
    }
}
