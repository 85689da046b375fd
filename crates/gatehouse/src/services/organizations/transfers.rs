//! Responsibility transfers (AWS's billing transfers): one organization's management
//! account invites another organization's management account to let it manage a
//! responsibility (today only `BILLING`) of that organization. The invitation is a
//! `TRANSFER_RESPONSIBILITY` handshake; the transfer record beside it moves through
//! AWS's statuses: `REQUESTED` until the invited side accepts (`ACCEPTED`), declines
//! (`DECLINED`), the inviter cancels (`CANCELED`) or the invitation lapses (`EXPIRED`);
//! either side may then withdraw an accepted transfer (`WITHDRAWN`), which ends it at
//! the end of a month.
//!
//! The inviter sees the transfer as inbound (it manages another organization's
//! responsibility), the invited organization as outbound. Only the inbound side names
//! it. An organization's responsibility goes to one manager at a time, and a manager
//! cannot itself hand its own responsibility on (chains are one level deep).

use time::{Date, Month, OffsetDateTime};
use wire::organizations::{
    errors, DescribeResponsibilityTransferRequest, DescribeResponsibilityTransferResponse,
    HandshakePartyType, InviteOrganizationToTransferResponsibilityRequest,
    InviteOrganizationToTransferResponsibilityResponse, ListInboundResponsibilityTransfersRequest,
    ListInboundResponsibilityTransfersResponse, ListOutboundResponsibilityTransfersRequest,
    ListOutboundResponsibilityTransfersResponse, ResponsibilityTransfer,
    ResponsibilityTransferStatus, ResponsibilityTransferType,
    TerminateResponsibilityTransferRequest, TerminateResponsibilityTransferResponse,
    TransferParticipant, UpdateResponsibilityTransferRequest, UpdateResponsibilityTransferResponse,
};
use wire::ServiceError;

use crate::model::organizations as ids;
use crate::model::Partition;
use crate::request::RequestContext;
use crate::store::{
    from_millis, now_millis, HandshakeRecord, OrganizationRecord, TransferRecord, Tx,
};

use super::handshakes::{self, handshake_to_wire, TRANSFER_RESPONSIBILITY};
use super::{constraint, invalid_input, pagination, tags_from_wire, OrgScope};

/// How long a transfer invitation stays open (as an invitation to join does).
pub(super) const EXPIRY_MILLIS: i64 = 15 * 24 * 60 * 60 * 1000;

/// How far ahead a transfer may start: the first day of a month at most this many
/// months after the current one.
const MAX_MONTHS_AHEAD: i32 = 12;

/// Which side of a transfer an organization stands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// It manages (or was asked to manage) the other organization's responsibility.
    Inbound,
    /// Its responsibility is (or was asked to be) managed by the other organization.
    Outbound,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Inbound => "inbound",
            Side::Outbound => "outbound",
        }
    }
}

pub(super) async fn handle_invite(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: InviteOrganizationToTransferResponsibilityRequest,
) -> Result<InviteOrganizationToTransferResponsibilityResponse, ServiceError> {
    let transfer_type = checked_type(&input.type_)?;
    let tags = tags_from_wire(input.tags)?;
    let target = input.target;
    let party_type = match target.type_ {
        HandshakePartyType::Account => "ACCOUNT",
        HandshakePartyType::Email => "EMAIL",
        HandshakePartyType::Organization | HandshakePartyType::Unknown(_) => {
            return Err(invalid_input(
                "INVALID_PARTY_TYPE_TARGET",
                "You specified the wrong type for the target party.",
            ))
        }
    };
    checked_party(party_type, &target.id)?;
    let now = now_millis();
    let start_at = checked_start(input.start_timestamp, from_millis(now))?;
    // The invited account, when it exists: it may not stand in the inviter's organization.
    let invited = if party_type == "ACCOUNT" {
        Some(target.id.clone())
    } else {
        tx.account_by_email(&target.id).await?
    };
    if let Some(account) = &invited {
        let org = tx.organization_of_account(account).await?;
        if account == scope.management() || org.as_ref().is_some_and(|o| o.org_id == scope.org_id())
        {
            return Err(handshakes::constraint(
                "SOURCE_AND_TARGET_CANNOT_MATCH",
                "An account can't accept a transfer invitation if it is both the sender and recipient of the invitation.",
            ));
        }
        if let Some(org) = org {
            let theirs = outbound_of(tx, &org).await?;
            if theirs.iter().any(|t| is_active(t, now)) {
                return Err(handshakes::constraint(
                    "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS",
                    "You cannot perform this operation with the current transfer.",
                ));
            }
        }
    }
    let ours = outbound_of(tx, scope.org).await?;
    if ours.iter().any(|t| is_active(t, now)) {
        return Err(constraint(
            "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION",
            "You have exceeded the maximum length of your transfer chain.",
        ));
    }
    let sent = tx.handshakes_of_org(scope.org_id()).await?;
    if sent.iter().any(|h| {
        h.action == TRANSFER_RESPONSIBILITY
            && h.state == "OPEN"
            && h.expires_at >= now
            && h.target_value.eq_ignore_ascii_case(&target.id)
    }) {
        return Err(errors::duplicate_handshake_exception(
            "A handshake with the same action and target already exists.",
        ));
    }
    let handshake = HandshakeRecord {
        handshake_id: ids::handshake_id(),
        org_id: scope.org_id().to_owned(),
        action: TRANSFER_RESPONSIBILITY.to_owned(),
        target_type: party_type.to_owned(),
        target_value: target.id.clone(),
        state: "OPEN".to_owned(),
        notes: input.notes,
        requested_at: now,
        expires_at: now + EXPIRY_MILLIS,
        parent_handshake_id: None,
    };
    tx.insert_handshake(&handshake).await?;
    let transfer = TransferRecord {
        transfer_id: ids::transfer_id(),
        transfer_type: transfer_type.to_owned(),
        name: input.source_name,
        handshake_id: handshake.handshake_id.clone(),
        inbound_org_id: scope.org_id().to_owned(),
        inbound_account_id: scope.management().to_owned(),
        party_type: party_type.to_owned(),
        party_value: target.id,
        outbound_org_id: None,
        outbound_account_id: None,
        status: "REQUESTED".to_owned(),
        start_at,
        end_at: None,
        created_at: now,
    };
    tx.insert_transfer(&transfer).await?;
    if !tags.is_empty() {
        tx.put_org_tags(scope.org_id(), &transfer.transfer_id, &tags)
            .await?;
    }
    Ok(InviteOrganizationToTransferResponsibilityResponse {
        handshake: Some(handshake_to_wire(tx, scope.context, scope.org, &handshake).await?),
    })
}

/// Accepts a transfer invitation (already checked to be open and addressed to the
/// caller): the caller's organization hands its responsibility to the inviter's.
pub(super) async fn accept(
    tx: &mut Tx,
    context: &RequestContext,
    caller_org: Option<&OrganizationRecord>,
    inviter: &OrganizationRecord,
    record: HandshakeRecord,
) -> Result<HandshakeRecord, ServiceError> {
    let caller = context.principal.account.to_string();
    let Some(org) = caller_org else {
        return Err(super::not_in_use());
    };
    // Only a management account can hand its organization's responsibility on.
    if org.management_account_id != caller {
        return Err(super::access_denied());
    }
    if org.org_id == inviter.org_id {
        return Err(handshakes::constraint(
            "SOURCE_AND_TARGET_CANNOT_MATCH",
            "An account can't accept a transfer invitation if it is both the sender and recipient of the invitation.",
        ));
    }
    let transfer = tx
        .transfer_of_handshake(&record.handshake_id)
        .await?
        .ok_or_else(|| crate::app::internal("a transfer invitation without its transfer"))?;
    let now = now_millis();
    let ours = outbound_of(tx, org).await?;
    if ours.iter().any(|t| is_active(t, now)) {
        return Err(handshakes::constraint(
            "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS",
            "You cannot perform this operation with the current transfer.",
        ));
    }
    let managed = tx.inbound_transfers(&org.org_id).await?;
    let theirs = outbound_of(tx, inviter).await?;
    if managed.iter().any(|t| is_active(t, now)) || theirs.iter().any(|t| is_active(t, now)) {
        return Err(constraint(
            "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION",
            "You have exceeded the maximum length of your transfer chain.",
        ));
    }
    tx.set_handshake_state(&record.handshake_id, "ACCEPTED")
        .await?;
    tx.set_transfer_status(
        &transfer.transfer_id,
        "ACCEPTED",
        Some((&org.org_id, &caller)),
        None,
    )
    .await?;
    Ok(HandshakeRecord {
        state: "ACCEPTED".to_owned(),
        ..record
    })
}

/// Follows a transfer invitation's handshake into its transfer when the handshake is
/// declined or canceled.
pub(super) async fn follow_handshake(
    tx: &mut Tx,
    record: &HandshakeRecord,
    status: &str,
) -> Result<(), ServiceError> {
    if record.action != TRANSFER_RESPONSIBILITY {
        return Ok(());
    }
    let transfer = tx.transfer_of_handshake(&record.handshake_id).await?;
    if let Some(transfer) = transfer {
        tx.set_transfer_status(&transfer.transfer_id, status, None, None)
            .await?;
    }
    Ok(())
}

pub(super) async fn handle_describe(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DescribeResponsibilityTransferRequest,
) -> Result<DescribeResponsibilityTransferResponse, ServiceError> {
    let (record, side) = find(scope, tx, &input.id).await?;
    Ok(DescribeResponsibilityTransferResponse {
        responsibility_transfer: Some(to_wire(scope, tx, &record, side).await?),
    })
}

pub(super) async fn handle_list_inbound(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListInboundResponsibilityTransfersRequest,
) -> Result<ListInboundResponsibilityTransfersResponse, ServiceError> {
    let transfer_type = checked_type(&input.type_)?;
    let records: Vec<TransferRecord> = tx
        .inbound_transfers(scope.org_id())
        .await?
        .into_iter()
        .filter(|record| record.transfer_type == transfer_type)
        .filter(|record| input.id.as_ref().is_none_or(|id| *id == record.transfer_id))
        .collect();
    if input.id.is_some() && records.is_empty() {
        return Err(not_found());
    }
    let (page, next_token) =
        pagination::page(records, input.next_token.as_deref(), input.max_results)?;
    let mut transfers = Vec::with_capacity(page.len());
    for record in &page {
        transfers.push(to_wire(scope, tx, record, Side::Inbound).await?);
    }
    Ok(ListInboundResponsibilityTransfersResponse {
        responsibility_transfers: Some(transfers),
        next_token,
    })
}

pub(super) async fn handle_list_outbound(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListOutboundResponsibilityTransfersRequest,
) -> Result<ListOutboundResponsibilityTransfersResponse, ServiceError> {
    let transfer_type = checked_type(&input.type_)?;
    let records: Vec<TransferRecord> = outbound_of(tx, scope.org)
        .await?
        .into_iter()
        .filter(|record| record.transfer_type == transfer_type)
        .collect();
    let (page, next_token) =
        pagination::page(records, input.next_token.as_deref(), input.max_results)?;
    let mut transfers = Vec::with_capacity(page.len());
    for record in &page {
        transfers.push(to_wire(scope, tx, record, Side::Outbound).await?);
    }
    Ok(ListOutboundResponsibilityTransfersResponse {
        responsibility_transfers: Some(transfers),
        next_token,
    })
}

pub(super) async fn handle_update(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: UpdateResponsibilityTransferRequest,
) -> Result<UpdateResponsibilityTransferResponse, ServiceError> {
    let (record, side) = find(scope, tx, &input.id).await?;
    // The name belongs to the side that manages the responsibility.
    if side != Side::Inbound {
        return Err(super::access_denied());
    }
    tx.rename_transfer(&record.transfer_id, &input.name).await?;
    let record = TransferRecord {
        name: input.name,
        ..record
    };
    Ok(UpdateResponsibilityTransferResponse {
        responsibility_transfer: Some(to_wire(scope, tx, &record, side).await?),
    })
}

pub(super) async fn handle_terminate(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: TerminateResponsibilityTransferRequest,
) -> Result<TerminateResponsibilityTransferResponse, ServiceError> {
    let (record, side) = find(scope, tx, &input.id).await?;
    let now = now_millis();
    match status_at(&record, now) {
        "ACCEPTED" => {}
        "WITHDRAWN" => {
            return Err(errors::responsibility_transfer_already_in_status_exception(
                "The responsibility transfer is already in the status that you specified.",
            ))
        }
        _ => {
            return Err(errors::invalid_responsibility_transfer_transition_exception(
                "The responsibility transfer can't transition to the requested state because it's not in a valid state for this operation.",
            ))
        }
    }
    let end_at = checked_end(input.end_timestamp, from_millis(now), record.start_at)?;
    tx.set_transfer_status(&record.transfer_id, "WITHDRAWN", None, Some(end_at))
        .await?;
    let record = TransferRecord {
        status: "WITHDRAWN".to_owned(),
        end_at: Some(end_at),
        ..record
    };
    Ok(TerminateResponsibilityTransferResponse {
        responsibility_transfer: Some(to_wire(scope, tx, &record, side).await?),
    })
}

/// `ConstraintViolationException` when the organization has a transfer in progress (an
/// open invitation, or a transfer not ended yet): it cannot be deleted then.
pub(super) async fn refuse_while_active(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<(), ServiceError> {
    let now = now_millis();
    let mut all = tx.inbound_transfers(scope.org_id()).await?;
    all.extend(outbound_of(tx, scope.org).await?);
    let busy = all.iter().any(|record| {
        let status = status_at(record, now);
        status == "REQUESTED" || is_active(record, now)
    });
    if busy {
        return Err(constraint(
            "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS",
            "You cannot delete organization due to an ongoing responsibility transfer process.",
        ));
    }
    Ok(())
}

/// The ARN of a transfer as the caller's organization sees it, when it is one of its
/// parties (for authorization).
pub(super) async fn arn_for(
    tx: &mut Tx,
    partition: Partition,
    org: &OrganizationRecord,
    transfer_id: &str,
) -> Result<Option<String>, ServiceError> {
    let Some(record) = tx.transfer(transfer_id).await? else {
        return Ok(None);
    };
    let email = management_email(tx, org).await?;
    Ok(side_of(&record, org, &email).map(|side| arn(partition, org, &record, side)))
}

/// A transfer the caller's organization is a party to (for tags).
pub(super) async fn exists_for(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    transfer_id: &str,
) -> Result<bool, ServiceError> {
    let Some(record) = tx.transfer(transfer_id).await? else {
        return Ok(false);
    };
    let email = management_email(tx, scope.org).await?;
    Ok(side_of(&record, scope.org, &email).is_some())
}

/// The transfer by id with the caller's side of it; not found unless it is a party.
async fn find(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    transfer_id: &str,
) -> Result<(TransferRecord, Side), ServiceError> {
    let record = tx.transfer(transfer_id).await?.ok_or_else(not_found)?;
    let email = management_email(tx, scope.org).await?;
    let side = side_of(&record, scope.org, &email).ok_or_else(not_found)?;
    Ok((record, side))
}

fn side_of(record: &TransferRecord, org: &OrganizationRecord, email: &str) -> Option<Side> {
    if record.inbound_org_id == org.org_id {
        return Some(Side::Inbound);
    }
    let invited = match &record.outbound_org_id {
        Some(outbound) => *outbound == org.org_id,
        None if record.party_type == "ACCOUNT" => record.party_value == org.management_account_id,
        None => !email.is_empty() && record.party_value.eq_ignore_ascii_case(email),
    };
    invited.then_some(Side::Outbound)
}

async fn management_email(tx: &mut Tx, org: &OrganizationRecord) -> Result<String, ServiceError> {
    Ok(tx
        .account(&org.management_account_id)
        .await?
        .map(|account| account.email)
        .unwrap_or_default())
}

/// The transfers of an organization's responsibility: accepted ones and invitations
/// addressed to its management account.
async fn outbound_of(
    tx: &mut Tx,
    org: &OrganizationRecord,
) -> Result<Vec<TransferRecord>, ServiceError> {
    let email = management_email(tx, org).await?;
    tx.outbound_transfers(&org.org_id, &org.management_account_id, &email)
        .await
        .map_err(Into::into)
}

/// The status as of `now`: an invitation nobody answered in time has expired.
fn status_at(record: &TransferRecord, now: i64) -> &str {
    if record.status == "REQUESTED" && record.created_at + EXPIRY_MILLIS < now {
        "EXPIRED"
    } else {
        &record.status
    }
}

/// Accepted, or withdrawn but not ended yet.
fn is_active(record: &TransferRecord, now: i64) -> bool {
    match status_at(record, now) {
        "ACCEPTED" => true,
        "WITHDRAWN" => record.end_at.is_some_and(|end| end >= now),
        _ => false,
    }
}

fn arn(
    partition: Partition,
    org: &OrganizationRecord,
    record: &TransferRecord,
    side: Side,
) -> String {
    format!(
        "arn:{partition}:organizations::{}:transfer/{}/{}/{}/{}",
        org.management_account_id,
        org.org_id,
        record.transfer_type.to_ascii_lowercase(),
        side.as_str(),
        record.transfer_id
    )
}

async fn to_wire(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    record: &TransferRecord,
    side: Side,
) -> Result<ResponsibilityTransfer, ServiceError> {
    let email_of = |account: Option<crate::store::AccountRecord>| account.map(|a| a.email);
    let target_email = email_of(tx.account(&record.inbound_account_id).await?);
    let (source_id, source_email) = match (&record.outbound_account_id, record.party_type.as_str())
    {
        (Some(account), _) => (Some(account.clone()), None),
        (None, "ACCOUNT") => (Some(record.party_value.clone()), None),
        (None, _) => (None, Some(record.party_value.clone())),
    };
    let source_email = match (&source_id, source_email) {
        (Some(account), None) => email_of(tx.account(account).await?),
        (_, email) => email,
    };
    Ok(ResponsibilityTransfer {
        arn: Some(arn(scope.partition(), scope.org, record, side)),
        name: (side == Side::Inbound).then(|| record.name.clone()),
        id: Some(record.transfer_id.clone()),
        type_: Some(ResponsibilityTransferType::from(
            record.transfer_type.as_str(),
        )),
        status: Some(ResponsibilityTransferStatus::from(status_at(
            record,
            now_millis(),
        ))),
        source: Some(TransferParticipant {
            management_account_id: source_id,
            management_account_email: source_email,
        }),
        target: Some(TransferParticipant {
            management_account_id: Some(record.inbound_account_id.clone()),
            management_account_email: target_email,
        }),
        start_timestamp: Some(from_millis(record.start_at)),
        end_timestamp: record.end_at.map(from_millis),
        active_handshake_id: Some(record.handshake_id.clone()),
    })
}

fn not_found() -> ServiceError {
    errors::responsibility_transfer_not_found_exception(
        "We can't find a transfer that you specified.",
    )
}

fn checked_type(transfer_type: &ResponsibilityTransferType) -> Result<&str, ServiceError> {
    match transfer_type {
        ResponsibilityTransferType::Unknown(_) => Err(invalid_input(
            "INVALID_ENUM",
            "You specified an invalid value.",
        )),
        known => Ok(known.as_str()),
    }
}

/// An invited account id has 12 digits; an invited email one `@` between a local part
/// and a dotted domain, without spaces.
fn checked_party(party_type: &str, id: &str) -> Result<(), ServiceError> {
    if party_type == "ACCOUNT" {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_input(
                "INVALID_PATTERN",
                "You provided a value that doesn't match the required pattern.",
            ));
        }
        return Ok(());
    }
    let valid = match id.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|label| !label.is_empty())
                && !id.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(invalid_input(
            "INVALID_EMAIL_ADDRESS_TARGET",
            "You specified an invalid email address for the invited account owner.",
        ))
    }
}

/// The first instant of the month `months` after the one `at` falls in.
fn month_start(at: OffsetDateTime, months: i32) -> OffsetDateTime {
    let index = at.year() * 12 + i32::from(u8::from(at.month())) - 1 + months;
    let year = index.div_euclid(12);
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1)
        .map(|date| date.midnight().assume_utc())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A transfer starts at the beginning of a month: this one or one of the next twelve.
fn checked_start(start: OffsetDateTime, now: OffsetDateTime) -> Result<i64, ServiceError> {
    let start = start.to_offset(time::UtcOffset::UTC);
    if start.time() != time::Time::MIDNIGHT {
        return Err(invalid_input(
            "START_DATE_NOT_BEGINNING_OF_DAY",
            "You provided an invalid start date. The start date must be the beginning of the day (00:00:00.000).",
        ));
    }
    if start.day() != 1 {
        return Err(invalid_input(
            "START_DATE_NOT_BEGINNING_OF_MONTH",
            "You provided an invalid start date. The start date must be the first day of the month.",
        ));
    }
    if start < month_start(now, 0) {
        return Err(invalid_input(
            "START_DATE_TOO_EARLY",
            "You provided an invalid start date. The start date is too early.",
        ));
    }
    if start > month_start(now, MAX_MONTHS_AHEAD) {
        return Err(invalid_input(
            "START_DATE_TOO_LATE",
            "You provided an invalid start date. The start date is too late.",
        ));
    }
    Ok(millis(start))
}

/// A withdrawn transfer ends at the last instant of a month (23:59:59.999 UTC on its
/// last day), no earlier than the end of the current month nor of the month it started
/// in. Without an end, it ends with the current month.
fn checked_end(
    end: Option<OffsetDateTime>,
    now: OffsetDateTime,
    start_at: i64,
) -> Result<i64, ServiceError> {
    let Some(end) = end else {
        return Ok(millis(month_start(now, 1)) - 1);
    };
    let end = end.to_offset(time::UtcOffset::UTC);
    // The last second of a month: one second later is the first day of the next.
    let next = end + time::Duration::SECOND;
    let last_second =
        next.day() == 1 && next.hour() == 0 && next.minute() == 0 && next.second() == 0;
    if !last_second {
        return Err(invalid_input(
            "END_DATE_NOT_END_OF_MONTH",
            "You provided an invalid end date. The end date must be the end of the last day of the month (23.59.59.999).",
        ));
    }
    let end = millis(month_start(end, 1)) - 1;
    let earliest =
        (millis(month_start(now, 1)) - 1).max(millis(month_start(from_millis(start_at), 1)) - 1);
    if end < earliest {
        return Err(invalid_input(
            "END_DATE_TOO_EARLY",
            "You provided an invalid end date. It is too early for the transfer to end.",
        ));
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn reason(result: Result<i64, ServiceError>) -> String {
        match result {
            Ok(value) => format!("ok {value}"),
            Err(err) => format!("{} {:?}", err.code, err.members),
        }
    }

    #[test]
    fn a_transfer_starts_on_the_first_day_of_a_month_within_a_year() {
        let now = datetime!(2026-11-29 19:00 UTC);
        let check = |start: OffsetDateTime| reason(checked_start(start, now));
        assert!(check(datetime!(2026-11-01 0:00 UTC)).starts_with("ok"));
        assert!(check(datetime!(2027-11-01 0:00 UTC)).starts_with("ok"));
        assert!(check(datetime!(2026-12-01 0:00:01 UTC)).contains("BEGINNING_OF_DAY"));
        assert!(check(datetime!(2026-12-02 0:00 UTC)).contains("BEGINNING_OF_MONTH"));
        assert!(check(datetime!(2026-10-01 0:00 UTC)).contains("TOO_EARLY"));
        assert!(check(datetime!(2027-12-01 0:00 UTC)).contains("TOO_LATE"));
    }

    #[test]
    fn a_withdrawn_transfer_ends_with_a_month() {
        let now = datetime!(2026-11-29 19:00 UTC);
        let start = millis(datetime!(2026-11-01 0:00 UTC));
        let check = |end: Option<OffsetDateTime>| reason(checked_end(end, now, start));
        let november = millis(datetime!(2026-12-01 0:00 UTC)) - 1;
        assert_eq!(check(None), format!("ok {november}"));
        assert_eq!(
            check(Some(datetime!(2026-11-30 23:59:59.999 UTC))),
            format!("ok {november}")
        );
        assert_eq!(
            check(Some(datetime!(2026-11-30 23:59:59 UTC))),
            format!("ok {november}")
        );
        assert!(check(Some(datetime!(2026-11-30 12:00 UTC))).contains("END_OF_MONTH"));
        assert!(check(Some(datetime!(2026-10-31 23:59:59.999 UTC))).contains("TOO_EARLY"));
        let february = millis(datetime!(2027-03-01 0:00 UTC)) - 1;
        assert_eq!(
            check(Some(datetime!(2027-02-28 23:59:59.999 UTC))),
            format!("ok {february}")
        );
    }

    #[test]
    fn invited_parties_are_account_ids_or_emails() {
        let ok = |kind: &str, id: &str| checked_party(kind, id).is_ok();
        assert!(ok("ACCOUNT", "123456789012"));
        assert!(!ok("ACCOUNT", "12345678901"));
        assert!(!ok("ACCOUNT", "12345678901a"));
        assert!(ok("EMAIL", "payer@example.com"));
        assert!(!ok("EMAIL", "payer@example"));
        assert!(!ok("EMAIL", "payer@@example.com"));
        assert!(!ok("EMAIL", "pay er@example.com"));
        assert!(!ok("EMAIL", "@example.com"));
        assert!(!ok("EMAIL", "payer@example..com"));
    }

    fn record(status: &str, created_at: i64, end_at: Option<i64>) -> TransferRecord {
        TransferRecord {
            transfer_id: "rt-aaaaaaaaaa".into(),
            transfer_type: "BILLING".into(),
            name: "n".into(),
            handshake_id: "h-aaaaaaaaaa".into(),
            inbound_org_id: "o-aaaaaaaaaa".into(),
            inbound_account_id: "111111111111".into(),
            party_type: "ACCOUNT".into(),
            party_value: "222222222222".into(),
            outbound_org_id: None,
            outbound_account_id: None,
            status: status.into(),
            start_at: 0,
            end_at,
            created_at,
        }
    }

    #[test]
    fn invitations_expire_and_withdrawn_transfers_run_until_their_end() {
        let now = 100 * EXPIRY_MILLIS;
        let fresh = record("REQUESTED", now - 1000, None);
        let stale = record("REQUESTED", now - EXPIRY_MILLIS - 1, None);
        assert_eq!(status_at(&fresh, now), "REQUESTED");
        assert_eq!(status_at(&stale, now), "EXPIRED");
        assert!(!is_active(&fresh, now));
        assert!(is_active(&record("ACCEPTED", 0, None), now));
        assert!(is_active(&record("WITHDRAWN", 0, Some(now + 1)), now));
        assert!(!is_active(&record("WITHDRAWN", 0, Some(now - 1)), now));
        assert!(!is_active(&record("DECLINED", 0, None), now));
    }

    #[test]
    fn months_roll_over_years() {
        assert_eq!(
            month_start(datetime!(2026-12-15 10:00 UTC), 1),
            datetime!(2027-01-01 0:00 UTC)
        );
        assert_eq!(
            month_start(datetime!(2026-01-15 10:00 UTC), -1),
            datetime!(2025-12-01 0:00 UTC)
        );
    }
}
