//! `EnableAllFeatures`: an organization with consolidated billing only moves to all
//! features through handshakes, as in AWS. The management account starts it (an
//! `ENABLE_ALL_FEATURES` handshake addressed to itself) and every member account gets an
//! `APPROVE_ALL_FEATURES` handshake. Once each member has accepted its approval, the
//! management account accepts its own handshake and the feature set becomes `ALL`.
//! Canceling the migration cancels the approvals still open; invitations wait meanwhile.

use wire::organizations::{errors, EnableAllFeaturesResponse};
use wire::ServiceError;

use crate::model::organizations as ids;
use crate::store::{now_millis, HandshakeRecord, OrganizationRecord, Tx};

use super::handshakes::{constraint, handshake_to_wire, APPROVE_ALL_FEATURES, ENABLE_ALL_FEATURES};
use super::OrgScope;

/// How long the migration's handshakes stay open (AWS: 90 days).
const EXPIRY_MILLIS: i64 = 90 * 24 * 60 * 60 * 1000;

pub(super) async fn handle_enable_all_features(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<EnableAllFeaturesResponse, ServiceError> {
    if scope.org.feature_set == "ALL" {
        return Err(constraint(
            "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
            "This organization already has all features enabled.",
        ));
    }
    let handshakes = tx.handshakes_of_org(scope.org_id()).await?;
    if handshakes
        .iter()
        .any(|h| h.is_open(crate::store::now_millis()) && h.action == ENABLE_ALL_FEATURES)
    {
        return Err(constraint(
            "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
            "This organization is already migrating to all features.",
        ));
    }
    let now = now_millis();
    let handshake = |action: &str, account: &str, parent: Option<&str>| HandshakeRecord {
        handshake_id: ids::handshake_id(),
        org_id: scope.org_id().to_owned(),
        action: action.to_owned(),
        target_type: "ACCOUNT".to_owned(),
        target_value: account.to_owned(),
        state: "OPEN".to_owned(),
        notes: None,
        requested_at: now,
        expires_at: now + EXPIRY_MILLIS,
        parent_handshake_id: parent.map(str::to_owned),
    };
    let enable = handshake(ENABLE_ALL_FEATURES, scope.management(), None);
    tx.insert_handshake(&enable).await?;
    let members = tx.members(scope.org_id(), None).await?;
    for (member, _) in members {
        if member.account_id == scope.management() {
            continue;
        }
        let approval = handshake(
            APPROVE_ALL_FEATURES,
            &member.account_id,
            Some(&enable.handshake_id),
        );
        tx.insert_handshake(&approval).await?;
    }
    Ok(EnableAllFeaturesResponse {
        handshake: Some(handshake_to_wire(tx, scope.context, scope.org, &enable).await?),
    })
}

/// Accepts one of the migration's handshakes (already checked to be open and addressed
/// to the caller); returns it as it now stands.
pub(super) async fn accept(
    tx: &mut Tx,
    org: &OrganizationRecord,
    record: HandshakeRecord,
) -> Result<HandshakeRecord, ServiceError> {
    if record.action == ENABLE_ALL_FEATURES {
        let handshakes = tx.handshakes_of_org(&org.org_id).await?;
        let members = tx.members(&org.org_id, None).await?;
        let approved = |account: &str| {
            handshakes.iter().any(|h| {
                h.action == APPROVE_ALL_FEATURES
                    && h.state == "ACCEPTED"
                    && h.target_value == account
                    && h.requested_at >= record.requested_at
            })
        };
        let waiting = members
            .iter()
            .filter(|(member, _)| member.account_id != org.management_account_id)
            .filter(|(member, _)| !approved(&member.account_id))
            .count();
        if waiting > 0 {
            return Err(errors::invalid_handshake_transition_exception(format!(
                "{waiting} member account(s) have not yet approved the migration to all features."
            )));
        }
        tx.set_feature_set(&org.org_id, "ALL").await?;
    }
    tx.set_handshake_state(&record.handshake_id, "ACCEPTED")
        .await?;
    Ok(HandshakeRecord {
        state: "ACCEPTED".to_owned(),
        ..record
    })
}

/// Cancels the approvals still open when the management account cancels the migration.
pub(super) async fn cancel_approvals(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<(), ServiceError> {
    let handshakes = tx.handshakes_of_org(scope.org_id()).await?;
    for handshake in handshakes
        .iter()
        .filter(|h| h.action == APPROVE_ALL_FEATURES && h.state == "OPEN")
    {
        tx.set_handshake_state(&handshake.handshake_id, "CANCELED")
            .await?;
    }
    Ok(())
}
