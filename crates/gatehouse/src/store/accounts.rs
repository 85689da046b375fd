//! Accounts: the hard boundary every other row belongs to.

use sqlx::any::AnyRow;

use super::{column, map_error, StoreError, Tx};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// 12-digit id.
    pub account_id: String,
    /// Display name.
    pub name: String,
    /// The root user's email.
    pub email: String,
    /// `ACTIVE`, `SUSPENDED`, …
    pub status: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
}

fn from_row(row: &AnyRow) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        account_id: column(row, "account_id")?,
        name: column(row, "name")?,
        email: column(row, "email")?,
        status: column(row, "status")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts an account; [`StoreError::Duplicate`] if the id is taken.
    pub async fn insert_account(&mut self, account: &AccountRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO accounts (account_id, name, email, status, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&account.account_id)
        .bind(&account.name)
        .bind(&account.email)
        .bind(&account.status)
        .bind(account.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The account with this id, if any.
    pub async fn account(&mut self, account_id: &str) -> Result<Option<AccountRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT account_id, name, email, status, created_at FROM accounts WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The version of the tokens STS's global endpoint issues for the account (1 or 2);
    /// `None` when never set (AWS's default, 1).
    pub async fn sts_token_version(&mut self, account_id: &str) -> Result<Option<i64>, StoreError> {
        let row =
            sqlx::query("SELECT sts_token_version FROM account_settings WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(self.conn())
                .await?;
        row.map(|row| column(&row, "sts_token_version")).transpose()
    }

    /// Sets the account's STS global endpoint token version.
    pub async fn set_sts_token_version(
        &mut self,
        account_id: &str,
        version: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM account_settings WHERE account_id = $1",
            &[account_id],
        )
        .await?;
        sqlx::query("INSERT INTO account_settings (account_id, sts_token_version) VALUES ($1, $2)")
            .bind(account_id)
            .bind(version)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
