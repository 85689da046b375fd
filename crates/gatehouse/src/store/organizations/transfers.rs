//! Responsibility (billing) transfers between two organizations: the inbound side (the
//! organization whose management account invited the other and will manage its
//! responsibility) and the outbound side (the invited organization, known once its
//! management account accepts). Read by id only by their parties, which the service
//! checks; listed per side.

use sqlx::any::AnyRow;

use super::super::{column, map_error, StoreError, Tx};

/// A transfer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// `rt-…`.
    pub transfer_id: String,
    /// `BILLING`.
    pub transfer_type: String,
    /// The name the inbound side gave it.
    pub name: String,
    /// The invitation (`TRANSFER_RESPONSIBILITY` handshake) behind it.
    pub handshake_id: String,
    /// The inviting organization, which manages the responsibility.
    pub inbound_org_id: String,
    /// Its management account.
    pub inbound_account_id: String,
    /// How the invitation names the invited management account: `ACCOUNT` or `EMAIL`.
    pub party_type: String,
    /// The invited account id or email.
    pub party_value: String,
    /// The invited organization, once it accepted.
    pub outbound_org_id: Option<String>,
    /// Its management account, once it accepted.
    pub outbound_account_id: Option<String>,
    /// `REQUESTED`, `ACCEPTED`, `DECLINED`, `CANCELED`, `EXPIRED` or `WITHDRAWN`.
    pub status: String,
    /// When the transfer starts, milliseconds since the epoch.
    pub start_at: i64,
    /// When a withdrawn transfer ends.
    pub end_at: Option<i64>,
    /// When the invitation was sent.
    pub created_at: i64,
}

const COLUMNS: &str = "transfer_id, transfer_type, name, handshake_id, inbound_org_id, \
     inbound_account_id, party_type, party_value, outbound_org_id, outbound_account_id, status, \
     start_at, end_at, created_at";

fn from_row(row: &AnyRow) -> Result<TransferRecord, StoreError> {
    Ok(TransferRecord {
        transfer_id: column(row, "transfer_id")?,
        transfer_type: column(row, "transfer_type")?,
        name: column(row, "name")?,
        handshake_id: column(row, "handshake_id")?,
        inbound_org_id: column(row, "inbound_org_id")?,
        inbound_account_id: column(row, "inbound_account_id")?,
        party_type: column(row, "party_type")?,
        party_value: column(row, "party_value")?,
        outbound_org_id: column(row, "outbound_org_id")?,
        outbound_account_id: column(row, "outbound_account_id")?,
        status: column(row, "status")?,
        start_at: column(row, "start_at")?,
        end_at: column(row, "end_at")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Records a transfer.
    pub async fn insert_transfer(&mut self, transfer: &TransferRecord) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO org_responsibility_transfers ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&transfer.transfer_id)
        .bind(&transfer.transfer_type)
        .bind(&transfer.name)
        .bind(&transfer.handshake_id)
        .bind(&transfer.inbound_org_id)
        .bind(&transfer.inbound_account_id)
        .bind(&transfer.party_type)
        .bind(&transfer.party_value)
        .bind(&transfer.outbound_org_id)
        .bind(&transfer.outbound_account_id)
        .bind(&transfer.status)
        .bind(transfer.start_at)
        .bind(transfer.end_at)
        .bind(transfer.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// A transfer by id; the caller must check that it is one of its parties.
    pub async fn transfer(
        &mut self,
        transfer_id: &str,
    ) -> Result<Option<TransferRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM org_responsibility_transfers WHERE transfer_id = $1");
        let row = sqlx::query(&sql)
            .bind(transfer_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The transfer an invitation handshake stands for, if any.
    pub async fn transfer_of_handshake(
        &mut self,
        handshake_id: &str,
    ) -> Result<Option<TransferRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM org_responsibility_transfers WHERE handshake_id = $1");
        let row = sqlx::query(&sql)
            .bind(handshake_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The transfers an organization sent (it manages, or asked to manage, another
    /// organization's responsibility), oldest first.
    pub async fn inbound_transfers(
        &mut self,
        org_id: &str,
    ) -> Result<Vec<TransferRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_responsibility_transfers WHERE inbound_org_id = $1 \
             ORDER BY created_at, transfer_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The transfers of an organization's responsibility to another: those it accepted,
    /// and the invitations not answered yet that name its management account (by id or
    /// by its root user's email), oldest first.
    pub async fn outbound_transfers(
        &mut self,
        org_id: &str,
        management_account_id: &str,
        email: &str,
    ) -> Result<Vec<TransferRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM org_responsibility_transfers WHERE outbound_org_id = $1 \
             OR (outbound_org_id IS NULL AND ((party_type = 'ACCOUNT' AND party_value = $2) \
             OR (party_type = 'EMAIL' AND lower(party_value) = lower($3)))) \
             ORDER BY created_at, transfer_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(management_account_id)
            .bind(email)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Sets a transfer's status, and its outbound side and end when given.
    pub async fn set_transfer_status(
        &mut self,
        transfer_id: &str,
        status: &str,
        outbound: Option<(&str, &str)>,
        end_at: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE org_responsibility_transfers SET status = $2, \
             outbound_org_id = COALESCE($3, outbound_org_id), \
             outbound_account_id = COALESCE($4, outbound_account_id), \
             end_at = COALESCE($5, end_at) WHERE transfer_id = $1",
        )
        .bind(transfer_id)
        .bind(status)
        .bind(outbound.map(|(org, _)| org))
        .bind(outbound.map(|(_, account)| account))
        .bind(end_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Renames a transfer.
    pub async fn rename_transfer(
        &mut self,
        transfer_id: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE org_responsibility_transfers SET name = $2 WHERE transfer_id = $1",
            &[transfer_id, name],
        )
        .await
        .map(|_| ())
    }
}
