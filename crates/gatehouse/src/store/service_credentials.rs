//! Service-specific credentials of IAM users (CodeCommit and Keyspaces user names and
//! passwords, Bedrock API keys). Only a SHA-256 of the generated secret is kept: nothing
//! ever needs it back, and a secret of 256 random bits needs no slow hash.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A service-specific credential as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCredentialRecord {
    /// Owning account.
    pub account_id: String,
    /// The user's name key.
    pub user_key: String,
    /// `ACCA…`.
    pub credential_id: String,
    /// `codecommit.amazonaws.com`, …
    pub service_name: String,
    /// The generated user name (`jane-at-123456789012`), for password credentials.
    pub service_user_name: Option<String>,
    /// The public part of an API key, for API-key credentials.
    pub alias: Option<String>,
    /// SHA-256 of the password or API key secret, hex.
    pub secret_hash: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// When an API key stops working, milliseconds.
    pub expires_at: Option<i64>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, user_key, credential_id, service_name, service_user_name, \
                       alias, secret_hash, status, expires_at, created_at";

fn from_row(row: &AnyRow) -> Result<ServiceCredentialRecord, StoreError> {
    Ok(ServiceCredentialRecord {
        account_id: column(row, "account_id")?,
        user_key: column(row, "user_key")?,
        credential_id: column(row, "credential_id")?,
        service_name: column(row, "service_name")?,
        service_user_name: column(row, "service_user_name")?,
        alias: column(row, "alias")?,
        secret_hash: column(row, "secret_hash")?,
        status: column(row, "status")?,
        expires_at: column(row, "expires_at")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a credential.
    pub async fn insert_service_credential(
        &mut self,
        record: &ServiceCredentialRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO service_credentials (account_id, user_key, credential_id, service_name, \
             service_user_name, alias, secret_hash, status, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&record.account_id)
        .bind(name_key(&record.user_key))
        .bind(&record.credential_id)
        .bind(&record.service_name)
        .bind(record.service_user_name.as_deref())
        .bind(record.alias.as_deref())
        .bind(&record.secret_hash)
        .bind(&record.status)
        .bind(record.expires_at)
        .bind(record.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// Credentials of one user (every user when `None`), for one service or all, by
    /// credential id.
    pub async fn service_credentials(
        &mut self,
        account_id: &str,
        user_name: Option<&str>,
        service_name: Option<&str>,
    ) -> Result<Vec<ServiceCredentialRecord>, StoreError> {
        let user_filter = if user_name.is_some() {
            "AND user_key = $2"
        } else {
            "AND $2 = ''"
        };
        let service_filter = if service_name.is_some() {
            "AND service_name = $3"
        } else {
            "AND $3 = ''"
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM service_credentials WHERE account_id = $1 {user_filter} \
             {service_filter} ORDER BY credential_id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(user_name.map(name_key).unwrap_or_default())
            .bind(service_name.unwrap_or_default())
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Rewrites a credential's status and secret; false when absent.
    pub async fn update_service_credential(
        &mut self,
        record: &ServiceCredentialRecord,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "UPDATE service_credentials SET status = $3, secret_hash = $4 \
                 WHERE account_id = $1 AND credential_id = $2",
                &[
                    &record.account_id,
                    &record.credential_id,
                    &record.status,
                    &record.secret_hash,
                ],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Deletes a credential; false when absent.
    pub async fn delete_service_credential(
        &mut self,
        account_id: &str,
        credential_id: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM service_credentials WHERE account_id = $1 AND credential_id = $2",
                &[account_id, credential_id],
            )
            .await?;
        Ok(touched > 0)
    }
}
