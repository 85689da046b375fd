//! Handshakes: invitations from an organization to an account (by id or email). Listed
//! per organization or per invited account; read by id only by their two parties, which
//! the service checks.

use sqlx::any::AnyRow;

use super::super::{column, map_error, StoreError, Tx};

/// A handshake as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeRecord {
    /// `h-…`.
    pub handshake_id: String,
    /// The inviting organization.
    pub org_id: String,
    /// `INVITE`, `ENABLE_ALL_FEATURES`, `APPROVE_ALL_FEATURES` or `TRANSFER_RESPONSIBILITY`.
    pub action: String,
    /// `ACCOUNT` or `EMAIL`.
    pub target_type: String,
    /// The invited account id or email.
    pub target_value: String,
    /// `OPEN`, `ACCEPTED`, `DECLINED`, `CANCELED`, …
    pub state: String,
    /// The inviter's notes.
    pub notes: Option<String>,
    /// When it was sent, milliseconds since the epoch.
    pub requested_at: i64,
    /// When it expires.
    pub expires_at: i64,
    /// The handshake this one belongs to (an `APPROVE_ALL_FEATURES` handshake's
    /// `ENABLE_ALL_FEATURES`), if any.
    pub parent_handshake_id: Option<String>,
}

impl HandshakeRecord {
    /// Still awaiting an answer at `now` (ms since the epoch): open and not yet expired.
    /// An expired handshake is no longer a duplicate, counts against no quota and blocks
    /// nothing.
    pub fn is_open(&self, now: i64) -> bool {
        self.state == "OPEN" && self.expires_at >= now
    }
}

const COLUMNS: &str = "handshake_id, org_id, action, target_type, target_value, state, notes, \
     requested_at, expires_at, parent_handshake_id";

fn from_row(row: &AnyRow) -> Result<HandshakeRecord, StoreError> {
    Ok(HandshakeRecord {
        handshake_id: column(row, "handshake_id")?,
        org_id: column(row, "org_id")?,
        action: column(row, "action")?,
        target_type: column(row, "target_type")?,
        target_value: column(row, "target_value")?,
        state: column(row, "state")?,
        notes: column(row, "notes")?,
        requested_at: column(row, "requested_at")?,
        expires_at: column(row, "expires_at")?,
        parent_handshake_id: column(row, "parent_handshake_id")?,
    })
}

impl Tx {
    /// Records a handshake.
    pub async fn insert_handshake(
        &mut self,
        handshake: &HandshakeRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_handshakes (handshake_id, org_id, target_type, target_value, state, notes, \
             requested_at, expires_at, action, parent_handshake_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&handshake.handshake_id)
        .bind(&handshake.org_id)
        .bind(&handshake.target_type)
        .bind(&handshake.target_value)
        .bind(&handshake.state)
        .bind(&handshake.notes)
        .bind(handshake.requested_at)
        .bind(handshake.expires_at)
        .bind(&handshake.action)
        .bind(&handshake.parent_handshake_id)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// A handshake by id; the caller must check that it is one of its parties.
    pub async fn handshake(
        &mut self,
        handshake_id: &str,
    ) -> Result<Option<HandshakeRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM org_handshakes WHERE handshake_id = $1");
        let row = sqlx::query(&sql)
            .bind(handshake_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The organization's handshakes, oldest first.
    pub async fn handshakes_of_org(
        &mut self,
        org_id: &str,
    ) -> Result<Vec<HandshakeRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_handshakes WHERE org_id = $1 ORDER BY requested_at, handshake_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The handshakes inviting an account, by its id or its root user's email.
    pub async fn handshakes_for_account(
        &mut self,
        account_id: &str,
        email: &str,
    ) -> Result<Vec<HandshakeRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_handshakes WHERE (target_type = 'ACCOUNT' AND target_value = $1) \
             OR (target_type = 'EMAIL' AND lower(target_value) = lower($2)) ORDER BY requested_at, handshake_id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(email)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Sets a handshake's state.
    pub async fn set_handshake_state(
        &mut self,
        handshake_id: &str,
        state: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE org_handshakes SET state = $2 WHERE handshake_id = $1",
            &[handshake_id, state],
        )
        .await
        .map(|_| ())
    }
}
