//! Handshakes: an organization invites an existing account (by id or by its root user's
//! email); the invited account accepts or declines, the management account may cancel.
//! Accepting makes the account a member (`INVITED`) under the root. The all-features
//! migration's handshakes (`all_features.rs`) share the life cycle and the listings.

use wire::organizations::{
    errors, AcceptHandshakeRequest, AcceptHandshakeResponse, ActionType, CancelHandshakeRequest,
    CancelHandshakeResponse, DeclineHandshakeRequest, DeclineHandshakeResponse,
    DescribeHandshakeRequest, DescribeHandshakeResponse, Handshake, HandshakeParty,
    HandshakePartyType, HandshakeResource, HandshakeResourceType, HandshakeState,
    InviteAccountToOrganizationRequest, InviteAccountToOrganizationResponse,
    ListHandshakesForAccountRequest, ListHandshakesForAccountResponse,
    ListHandshakesForOrganizationRequest, ListHandshakesForOrganizationResponse,
};
use wire::ServiceError;

use crate::app::App;
use crate::model::organizations as ids;
use crate::request::RequestContext;
use crate::store::{
    from_millis, now_millis, HandshakeRecord, MemberRecord, OrganizationRecord, Tx,
};

use super::{all_features, invalid_input, organization, pagination, policies, transfers, OrgScope};

/// How long an invitation stays open, as in AWS.
const EXPIRY_MILLIS: i64 = 15 * 24 * 60 * 60 * 1000;

pub(super) async fn handle_invite(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: InviteAccountToOrganizationRequest,
) -> Result<InviteAccountToOrganizationResponse, ServiceError> {
    let handshakes = tx.handshakes_of_org(scope.org_id()).await?;
    let now = now_millis();
    if handshakes
        .iter()
        .any(|h| h.is_open(now) && h.action == ENABLE_ALL_FEATURES)
    {
        return Err(constraint(
            "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
            "You can't invite an account while the organization is migrating to all features.",
        ));
    }
    let target = input.target;
    let (target_type, invited) = match target.type_ {
        HandshakePartyType::Account => {
            let found = tx.account(&target.id).await?;
            if found.is_none() {
                return Err(errors::account_not_found_exception(
                    "You specified an account that doesn't exist.",
                ));
            }
            ("ACCOUNT", Some(target.id.clone()))
        }
        HandshakePartyType::Email => {
            let found = tx.account_by_email(&target.id).await?;
            ("EMAIL", found)
        }
        HandshakePartyType::Organization | HandshakePartyType::Unknown(_) => {
            return Err(invalid_input(
                "INVALID_PARTY_TYPE_TARGET",
                "You specified the wrong type for the target party.",
            ))
        }
    };
    if let Some(account) = &invited {
        let member_of = tx.organization_of_account(account).await?;
        if member_of.is_some() {
            return Err(constraint(
                "ALREADY_IN_AN_ORGANIZATION",
                "The account is already a member of an organization.",
            ));
        }
    }
    let open: Vec<&HandshakeRecord> = handshakes
        .iter()
        .filter(|h| h.is_open(now) && h.action == INVITE)
        .collect();
    if open
        .iter()
        .any(|h| h.target_value.eq_ignore_ascii_case(&target.id))
    {
        return Err(errors::duplicate_handshake_exception(
            "A handshake with the same action and target already exists.",
        ));
    }
    let members = tx.members(scope.org_id(), None).await?;
    // Open invitations count against the account quota, as in AWS.
    if members.len() + open.len() >= organization::account_limit(scope, tx).await? {
        return Err(constraint(
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            "You have reached the maximum number of accounts allowed in your organization.",
        ));
    }
    let record = HandshakeRecord {
        handshake_id: ids::handshake_id(),
        org_id: scope.org_id().to_owned(),
        action: INVITE.to_owned(),
        target_type: target_type.to_owned(),
        target_value: target.id,
        state: "OPEN".to_owned(),
        notes: input.notes,
        requested_at: now,
        expires_at: now + EXPIRY_MILLIS,
        parent_handshake_id: None,
    };
    tx.insert_handshake(&record).await?;
    Ok(InviteAccountToOrganizationResponse {
        handshake: Some(handshake_to_wire(tx, scope.context, scope.org, &record).await?),
    })
}

pub(super) async fn handle_accept(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    caller_org: Option<&OrganizationRecord>,
    input: AcceptHandshakeRequest,
) -> Result<AcceptHandshakeResponse, ServiceError> {
    let (record, org) = find_as_target(tx, context, &input.handshake_id).await?;
    transition(&record, "ACCEPTED")?;
    if record.action == TRANSFER_RESPONSIBILITY {
        let record = transfers::accept(tx, context, caller_org, &org, record).await?;
        return Ok(AcceptHandshakeResponse {
            handshake: Some(handshake_to_wire(tx, context, &org, &record).await?),
        });
    }
    if record.action != INVITE {
        let record = all_features::accept(tx, &org, record).await?;
        return Ok(AcceptHandshakeResponse {
            handshake: Some(handshake_to_wire(tx, context, &org, &record).await?),
        });
    }
    if caller_org.is_some() {
        return Err(constraint(
            "ALREADY_IN_AN_ORGANIZATION",
            "The account is already a member of an organization.",
        ));
    }
    let scope = OrgScope {
        app,
        context,
        org: &org,
    };
    let members = tx.members(&org.org_id, None).await?;
    if members.len() >= organization::account_limit(&scope, tx).await? {
        return Err(constraint(
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
            "You have reached the maximum number of accounts allowed in your organization.",
        ));
    }
    let account = context.principal.account.to_string();
    tx.insert_member(&MemberRecord {
        org_id: org.org_id.clone(),
        account_id: account.clone(),
        parent_id: org.root_id.clone(),
        joined_method: "INVITED".to_owned(),
        joined_at: now_millis(),
        access_role_name: None,
    })
    .await?;
    policies::attach_defaults(&scope, tx, &account).await?;
    tx.set_handshake_state(&record.handshake_id, "ACCEPTED")
        .await?;
    let record = HandshakeRecord {
        state: "ACCEPTED".to_owned(),
        ..record
    };
    Ok(AcceptHandshakeResponse {
        handshake: Some(handshake_to_wire(tx, context, &org, &record).await?),
    })
}

pub(super) async fn handle_decline(
    tx: &mut Tx,
    context: &RequestContext,
    input: DeclineHandshakeRequest,
) -> Result<DeclineHandshakeResponse, ServiceError> {
    let (record, org) = find_as_target(tx, context, &input.handshake_id).await?;
    transition(&record, "DECLINED")?;
    tx.set_handshake_state(&record.handshake_id, "DECLINED")
        .await?;
    transfers::follow_handshake(tx, &record, "DECLINED").await?;
    let record = HandshakeRecord {
        state: "DECLINED".to_owned(),
        ..record
    };
    Ok(DeclineHandshakeResponse {
        handshake: Some(handshake_to_wire(tx, context, &org, &record).await?),
    })
}

pub(super) async fn handle_cancel(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: CancelHandshakeRequest,
) -> Result<CancelHandshakeResponse, ServiceError> {
    let record = tx
        .handshake(&input.handshake_id)
        .await?
        .filter(|record| record.org_id == scope.org_id())
        .ok_or_else(not_found)?;
    transition(&record, "CANCELED")?;
    tx.set_handshake_state(&record.handshake_id, "CANCELED")
        .await?;
    if record.action == ENABLE_ALL_FEATURES {
        all_features::cancel_approvals(scope, tx).await?;
    }
    transfers::follow_handshake(tx, &record, "CANCELED").await?;
    let record = HandshakeRecord {
        state: "CANCELED".to_owned(),
        ..record
    };
    Ok(CancelHandshakeResponse {
        handshake: Some(handshake_to_wire(tx, scope.context, scope.org, &record).await?),
    })
}

pub(super) async fn handle_describe(
    tx: &mut Tx,
    context: &RequestContext,
    caller_org: Option<&OrganizationRecord>,
    input: DescribeHandshakeRequest,
) -> Result<DescribeHandshakeResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let record = tx
        .handshake(&input.handshake_id)
        .await?
        .ok_or_else(not_found)?;
    let is_sender = caller_org
        .is_some_and(|org| org.org_id == record.org_id && org.management_account_id == account);
    if !is_sender && !is_target(tx, &account, &record).await? {
        return Err(not_found());
    }
    let org = tx
        .organization(&record.org_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(DescribeHandshakeResponse {
        handshake: Some(handshake_to_wire(tx, context, &org, &record).await?),
    })
}

pub(super) async fn handle_list_for_account(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListHandshakesForAccountRequest,
) -> Result<ListHandshakesForAccountResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let email = tx
        .account(&account)
        .await?
        .map(|record| record.email)
        .unwrap_or_default();
    let filter = checked_filter(input.filter)?;
    let records: Vec<HandshakeRecord> = tx
        .handshakes_for_account(&account, &email)
        .await?
        .into_iter()
        .filter(|record| wanted(filter.as_ref(), record))
        .collect();
    let (page, next_token) =
        pagination::page(records, input.next_token.as_deref(), input.max_results)?;
    let mut handshakes = Vec::with_capacity(page.len());
    for record in page {
        if let Some(org) = tx.organization(&record.org_id).await? {
            handshakes.push(handshake_to_wire(tx, context, &org, &record).await?);
        }
    }
    Ok(ListHandshakesForAccountResponse {
        handshakes: Some(handshakes),
        next_token,
    })
}

pub(super) async fn handle_list_for_organization(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListHandshakesForOrganizationRequest,
) -> Result<ListHandshakesForOrganizationResponse, ServiceError> {
    let filter = checked_filter(input.filter)?;
    let records: Vec<HandshakeRecord> = tx
        .handshakes_of_org(scope.org_id())
        .await?
        .into_iter()
        .filter(|record| wanted(filter.as_ref(), record))
        .collect();
    let (page, next_token) =
        pagination::page(records, input.next_token.as_deref(), input.max_results)?;
    let mut handshakes = Vec::with_capacity(page.len());
    for record in page {
        handshakes.push(handshake_to_wire(tx, scope.context, scope.org, &record).await?);
    }
    Ok(ListHandshakesForOrganizationResponse {
        handshakes: Some(handshakes),
        next_token,
    })
}

/// The action names of handshakes as stored (and as `ActionType` writes them).
pub(super) const INVITE: &str = "INVITE";
pub(super) const ENABLE_ALL_FEATURES: &str = "ENABLE_ALL_FEATURES";
pub(super) const APPROVE_ALL_FEATURES: &str = "APPROVE_ALL_FEATURES";
pub(super) const TRANSFER_RESPONSIBILITY: &str = "TRANSFER_RESPONSIBILITY";

/// A listing's filter: by action type or by parent handshake, never both (AWS refuses
/// the pair).
fn checked_filter(
    filter: Option<wire::organizations::HandshakeFilter>,
) -> Result<Option<wire::organizations::HandshakeFilter>, ServiceError> {
    if let Some(filter) = &filter {
        if filter.action_type.is_some() && filter.parent_handshake_id.is_some() {
            return Err(invalid_input(
                "MAX_LIMIT_EXCEEDED_FILTER",
                "You can specify only one filter parameter for the operation.",
            ));
        }
    }
    Ok(filter)
}

/// Whether a listing's filter selects a handshake (by action type or parent handshake).
fn wanted(filter: Option<&wire::organizations::HandshakeFilter>, record: &HandshakeRecord) -> bool {
    let Some(filter) = filter else {
        return true;
    };
    let action = filter
        .action_type
        .as_ref()
        .is_none_or(|action| action.as_str() == record.action);
    let parent = filter
        .parent_handshake_id
        .as_ref()
        .is_none_or(|parent| record.parent_handshake_id.as_ref() == Some(parent));
    action && parent
}

/// The handshake addressed to the caller's account, with its organization.
async fn find_as_target(
    tx: &mut Tx,
    context: &RequestContext,
    handshake_id: &str,
) -> Result<(HandshakeRecord, OrganizationRecord), ServiceError> {
    let account = context.principal.account.to_string();
    let record = tx.handshake(handshake_id).await?.ok_or_else(not_found)?;
    if !is_target(tx, &account, &record).await? {
        return Err(not_found());
    }
    let org = tx
        .organization(&record.org_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((record, org))
}

async fn is_target(
    tx: &mut Tx,
    account: &str,
    record: &HandshakeRecord,
) -> Result<bool, ServiceError> {
    if record.target_type == "ACCOUNT" {
        return Ok(record.target_value == account);
    }
    let email = tx
        .account(account)
        .await?
        .map(|record| record.email)
        .unwrap_or_default();
    Ok(record.target_value.eq_ignore_ascii_case(&email))
}

/// Checks that an open handshake may move to `state`.
fn transition(record: &HandshakeRecord, state: &str) -> Result<(), ServiceError> {
    if record.state == state {
        return Err(errors::handshake_already_in_state_exception(
            "The specified handshake is already in the requested state.",
        ));
    }
    if record.state != "OPEN" || record.expires_at < now_millis() {
        return Err(errors::invalid_handshake_transition_exception(
            "You can't perform the operation on the handshake in its current state.",
        ));
    }
    Ok(())
}

fn not_found() -> ServiceError {
    errors::handshake_not_found_exception(
        "We can't find a handshake with the HandshakeId that you specified.",
    )
}

pub(super) fn constraint(reason: &'static str, message: &str) -> ServiceError {
    errors::handshake_constraint_violation_exception(message).with_member("Reason", reason)
}

pub(super) async fn handshake_to_wire(
    tx: &mut Tx,
    context: &RequestContext,
    org: &OrganizationRecord,
    record: &HandshakeRecord,
) -> Result<Handshake, ServiceError> {
    let management = tx.account(&org.management_account_id).await?;
    let (email, name) = management
        .map(|account| (account.email, account.name))
        .unwrap_or_default();
    let leaf = |type_: HandshakeResourceType, value: String| HandshakeResource {
        value: Some(value),
        type_: Some(type_),
        resources: None,
    };
    let target_party = if record.target_type == "EMAIL" {
        HandshakePartyType::Email
    } else {
        HandshakePartyType::Account
    };
    let target_resource = if record.target_type == "EMAIL" {
        HandshakeResourceType::Email
    } else {
        HandshakeResourceType::Account
    };
    let mut resources = vec![HandshakeResource {
        value: Some(org.org_id.clone()),
        type_: Some(HandshakeResourceType::Organization),
        resources: Some(vec![
            leaf(HandshakeResourceType::MasterEmail, email),
            leaf(HandshakeResourceType::MasterName, name),
            leaf(
                HandshakeResourceType::OrganizationFeatureSet,
                org.feature_set.clone(),
            ),
        ]),
    }];
    if record.action == INVITE || record.action == TRANSFER_RESPONSIBILITY {
        resources.push(leaf(target_resource, record.target_value.clone()));
    }
    if record.action == TRANSFER_RESPONSIBILITY {
        let transfer = tx.transfer_of_handshake(&record.handshake_id).await?;
        if let Some(transfer) = transfer {
            resources.push(leaf(
                HandshakeResourceType::ResponsibilityTransfer,
                transfer.transfer_id,
            ));
            resources.push(leaf(
                HandshakeResourceType::TransferType,
                transfer.transfer_type,
            ));
            resources.push(leaf(
                HandshakeResourceType::TransferStartTimestamp,
                wire::timestamp::format_iso8601(&from_millis(transfer.start_at)),
            ));
        }
    }
    if let Some(parent) = &record.parent_handshake_id {
        resources.push(leaf(HandshakeResourceType::ParentHandshake, parent.clone()));
    }
    if let Some(notes) = &record.notes {
        resources.push(leaf(HandshakeResourceType::Notes, notes.clone()));
    }
    Ok(Handshake {
        id: Some(record.handshake_id.clone()),
        arn: Some(format!(
            "arn:{}:organizations::{}:handshake/{}/{}/{}",
            context.principal.partition,
            org.management_account_id,
            org.org_id,
            record.action.to_ascii_lowercase(),
            record.handshake_id
        )),
        parties: Some(vec![
            HandshakeParty {
                id: org.org_id.clone(),
                type_: HandshakePartyType::Organization,
            },
            HandshakeParty {
                id: record.target_value.clone(),
                type_: target_party,
            },
        ]),
        // An open handshake nobody answered in time has expired.
        state: Some(
            if record.state == "OPEN" && record.expires_at < now_millis() {
                HandshakeState::Expired
            } else {
                HandshakeState::from(record.state.as_str())
            },
        ),
        requested_timestamp: Some(from_millis(record.requested_at)),
        expiration_timestamp: Some(from_millis(record.expires_at)),
        action: Some(ActionType::from(record.action.as_str())),
        resources: Some(resources),
    })
}
