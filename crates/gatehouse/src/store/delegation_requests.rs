//! Delegation requests: a partner account (the requestor) asks a customer account (the
//! owner) for temporary, policy-limited access. A request is found by its id only by the
//! accounts it concerns: its requestor, its owner account, or any account while it names
//! no owner account (the partner may not know it yet); every query here says which
//! account asks. Notifications are the messages sent to the requestor's channel.

use sqlx::any::AnyRow;

use super::{column, map_error, StoreError, Tx};

/// A delegation request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRequestRecord {
    /// The request's id.
    pub request_id: String,
    /// The partner account that created it.
    pub requestor_account: String,
    /// The partner's friendly name (its account alias), if any.
    pub requestor_name: Option<String>,
    /// The customer account it targets or was associated with.
    pub owner_account: Option<String>,
    /// The ARN of the identity that associated it.
    pub owner_arn: Option<String>,
    /// The ARN of the identity that accepted it.
    pub approver_arn: Option<String>,
    /// The accepting identity as the delegated sessions will hold it (JSON).
    pub approver: Option<String>,
    /// `UNASSIGNED`, `ASSIGNED`, `PENDING_APPROVAL`, `ACCEPTED`, `FINALIZED` or
    /// `REJECTED` (expiry is worked out on reading, from `expires_at`).
    pub state: String,
    /// The partner's description.
    pub description: String,
    /// The partner's message for this request.
    pub request_message: Option<String>,
    /// The partner's workflow id, unique per requestor.
    pub workflow_id: String,
    /// Where the console would send the customer back to.
    pub redirect_url: Option<String>,
    /// The SNS topic ARN notifications go to.
    pub notification_channel: String,
    /// Seconds the delegated session lasts once the token is sent.
    pub session_duration: i64,
    /// Whether only the owner may send the token.
    pub only_send_by_owner: bool,
    /// The permission policy template's ARN.
    pub template_arn: String,
    /// The template's parameters (JSON list of `{Name, Values, Type}`).
    pub parameters: String,
    /// The permission policy: the template with its parameters filled in.
    pub permission_policy: String,
    /// Notes from `UpdateDelegationRequest`.
    pub notes: Option<String>,
    /// Notes from `RejectDelegationRequest`.
    pub rejection_reason: Option<String>,
    /// Creation time, milliseconds.
    pub created_at: i64,
    /// Last change, milliseconds.
    pub updated_at: i64,
    /// When the request (or, once finalized, the delegated access) expires, milliseconds.
    pub expires_at: i64,
    /// When the token was sent, milliseconds.
    pub finalized_at: Option<i64>,
}

const COLUMNS: &str = "request_id, requestor_account, requestor_name, owner_account, owner_arn, \
     approver_arn, approver, state, description, request_message, workflow_id, redirect_url, \
     notification_channel, session_duration, only_send_by_owner, template_arn, parameters, \
     permission_policy, notes, rejection_reason, created_at, updated_at, expires_at, finalized_at";

fn from_row(row: &AnyRow) -> Result<DelegationRequestRecord, StoreError> {
    Ok(DelegationRequestRecord {
        request_id: column(row, "request_id")?,
        requestor_account: column(row, "requestor_account")?,
        requestor_name: column(row, "requestor_name")?,
        owner_account: column(row, "owner_account")?,
        owner_arn: column(row, "owner_arn")?,
        approver_arn: column(row, "approver_arn")?,
        approver: column(row, "approver")?,
        state: column(row, "state")?,
        description: column(row, "description")?,
        request_message: column(row, "request_message")?,
        workflow_id: column(row, "workflow_id")?,
        redirect_url: column(row, "redirect_url")?,
        notification_channel: column(row, "notification_channel")?,
        session_duration: column(row, "session_duration")?,
        only_send_by_owner: column::<i64>(row, "only_send_by_owner")? != 0,
        template_arn: column(row, "template_arn")?,
        parameters: column(row, "parameters")?,
        permission_policy: column(row, "permission_policy")?,
        notes: column(row, "notes")?,
        rejection_reason: column(row, "rejection_reason")?,
        created_at: column(row, "created_at")?,
        updated_at: column(row, "updated_at")?,
        expires_at: column(row, "expires_at")?,
        finalized_at: column(row, "finalized_at")?,
    })
}

/// A message sent to a requestor's notification channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationNotificationRecord {
    /// The requestor account it is for.
    pub requestor_account: String,
    /// The request it is about.
    pub request_id: String,
    /// Its position among the request's messages, from 1.
    pub sequence: i64,
    /// The channel (SNS topic ARN) it was addressed to.
    pub channel: String,
    /// The message (JSON).
    pub message: String,
    /// When it was sent, milliseconds.
    pub created_at: i64,
}

impl Tx {
    /// Stores a new request; [`StoreError::Duplicate`] when the requestor already used its
    /// workflow id (or, vanishingly unlikely, the id is taken).
    pub async fn insert_delegation_request(
        &mut self,
        record: &DelegationRequestRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO delegation_requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)"
        ))
        .bind(&record.request_id)
        .bind(&record.requestor_account)
        .bind(record.requestor_name.as_deref())
        .bind(record.owner_account.as_deref())
        .bind(record.owner_arn.as_deref())
        .bind(record.approver_arn.as_deref())
        .bind(record.approver.as_deref())
        .bind(&record.state)
        .bind(&record.description)
        .bind(record.request_message.as_deref())
        .bind(&record.workflow_id)
        .bind(record.redirect_url.as_deref())
        .bind(&record.notification_channel)
        .bind(record.session_duration)
        .bind(i64::from(record.only_send_by_owner))
        .bind(&record.template_arn)
        .bind(&record.parameters)
        .bind(&record.permission_policy)
        .bind(record.notes.as_deref())
        .bind(record.rejection_reason.as_deref())
        .bind(record.created_at)
        .bind(record.updated_at)
        .bind(record.expires_at)
        .bind(record.finalized_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// How many of `requestor_account`'s requests are still open at `now` (neither
    /// finalized, rejected nor expired).
    pub async fn count_open_delegation_requests(
        &mut self,
        requestor_account: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS open FROM delegation_requests WHERE requestor_account = $1 \
             AND state NOT IN ('FINALIZED', 'REJECTED') AND expires_at > $2",
        )
        .bind(requestor_account)
        .bind(now)
        .fetch_one(self.conn())
        .await?;
        column(&row, "open")
    }

    /// The request `request_id` as `account` may see it: its requestor, its owner
    /// account, or any account while it has no owner account.
    pub async fn delegation_request(
        &mut self,
        account: &str,
        request_id: &str,
    ) -> Result<Option<DelegationRequestRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM delegation_requests WHERE request_id = $1 AND \
             (requestor_account = $2 OR owner_account = $2 OR owner_account IS NULL)"
        );
        let row = sqlx::query(&sql)
            .bind(request_id)
            .bind(account)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Writes a request's changing fields back (owner, approver, state, notes, times);
    /// false when `account` may not see it.
    pub async fn update_delegation_request(
        &mut self,
        account: &str,
        record: &DelegationRequestRecord,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE delegation_requests SET owner_account = $1, owner_arn = $2, \
             approver_arn = $3, approver = $4, state = $5, notes = $6, rejection_reason = $7, \
             updated_at = $8, expires_at = $9, finalized_at = $10 WHERE request_id = $11 AND \
             (requestor_account = $12 OR owner_account = $12 OR owner_account IS NULL)",
        )
        .bind(record.owner_account.as_deref())
        .bind(record.owner_arn.as_deref())
        .bind(record.approver_arn.as_deref())
        .bind(record.approver.as_deref())
        .bind(&record.state)
        .bind(record.notes.as_deref())
        .bind(record.rejection_reason.as_deref())
        .bind(record.updated_at)
        .bind(record.expires_at)
        .bind(record.finalized_at)
        .bind(&record.request_id)
        .bind(account)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(done.rows_affected() > 0)
    }

    /// Requests `account` lists: those it created and those an identity of it owns (a
    /// request assigned to the account but not yet associated is not listed), optionally
    /// only those `owner_arn` owns; by id, after `after`, at most `limit`.
    pub async fn list_delegation_requests(
        &mut self,
        account: &str,
        owner_arn: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DelegationRequestRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM delegation_requests WHERE request_id > $1 AND \
             (requestor_account = $2 OR (owner_account = $2 AND owner_arn IS NOT NULL)) \
             AND ($3 = '' OR owner_arn = $3) ORDER BY request_id LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(after.unwrap_or(""))
            .bind(account)
            .bind(owner_arn.unwrap_or(""))
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Records a message sent to a requestor's channel about one of its requests.
    pub async fn insert_delegation_notification(
        &mut self,
        requestor_account: &str,
        request_id: &str,
        channel: &str,
        message: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS sent FROM delegation_notifications WHERE request_id = $1",
        )
        .bind(request_id)
        .fetch_one(self.conn())
        .await?;
        let sent: i64 = column(&row, "sent")?;
        sqlx::query(
            "INSERT INTO delegation_notifications (requestor_account, request_id, sequence, \
             channel, message, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(requestor_account)
        .bind(request_id)
        .bind(sent + 1)
        .bind(channel)
        .bind(message)
        .bind(now)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The messages sent to `requestor_account`'s channels, oldest first.
    pub async fn delegation_notifications(
        &mut self,
        requestor_account: &str,
    ) -> Result<Vec<DelegationNotificationRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT requestor_account, request_id, sequence, channel, message, created_at \
             FROM delegation_notifications WHERE requestor_account = $1 \
             ORDER BY created_at, request_id, sequence",
        )
        .bind(requestor_account)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DelegationNotificationRecord {
                    requestor_account: column(row, "requestor_account")?,
                    request_id: column(row, "request_id")?,
                    sequence: column(row, "sequence")?,
                    channel: column(row, "channel")?,
                    message: column(row, "message")?,
                    created_at: column(row, "created_at")?,
                })
            })
            .collect()
    }
}
