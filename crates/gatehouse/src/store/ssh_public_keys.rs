//! SSH public keys of IAM users (for CodeCommit), held by the user's name key. The key is
//! stored in OpenSSH form (`ssh-rsa <base64>`) with its MD5 fingerprint.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// An SSH public key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshPublicKeyRecord {
    /// Owning account.
    pub account_id: String,
    /// The user's name key.
    pub user_key: String,
    /// `APKA…`.
    pub key_id: String,
    /// `ssh-rsa <base64>`.
    pub body: String,
    /// MD5 of the key, colon-separated hex.
    pub fingerprint: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Upload time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, user_key, key_id, body, fingerprint, status, created_at";

fn from_row(row: &AnyRow) -> Result<SshPublicKeyRecord, StoreError> {
    Ok(SshPublicKeyRecord {
        account_id: column(row, "account_id")?,
        user_key: column(row, "user_key")?,
        key_id: column(row, "key_id")?,
        body: column(row, "body")?,
        fingerprint: column(row, "fingerprint")?,
        status: column(row, "status")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a key; [`StoreError::Duplicate`] when the user holds the same key.
    pub async fn insert_ssh_public_key(
        &mut self,
        record: &SshPublicKeyRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ssh_public_keys (account_id, user_key, key_id, body, fingerprint, status, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&record.account_id)
        .bind(name_key(&record.user_key))
        .bind(&record.key_id)
        .bind(&record.body)
        .bind(&record.fingerprint)
        .bind(&record.status)
        .bind(record.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The keys of a user, by key id.
    pub async fn ssh_public_keys_of(
        &mut self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<SshPublicKeyRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ssh_public_keys WHERE account_id = $1 AND user_key = $2 \
             ORDER BY key_id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(user_name))
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Sets a key's status; false when the user holds no such key.
    pub async fn set_ssh_public_key_status(
        &mut self,
        account_id: &str,
        user_name: &str,
        key_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let user_key = name_key(user_name);
        let touched = self
            .exec(
                "UPDATE ssh_public_keys SET status = $4 \
                 WHERE account_id = $1 AND user_key = $2 AND key_id = $3",
                &[account_id, &user_key, key_id, status],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Deletes a key of a user; false when absent.
    pub async fn delete_ssh_public_key(
        &mut self,
        account_id: &str,
        user_name: &str,
        key_id: &str,
    ) -> Result<bool, StoreError> {
        let user_key = name_key(user_name);
        let touched = self
            .exec(
                "DELETE FROM ssh_public_keys WHERE account_id = $1 AND user_key = $2 AND key_id = $3",
                &[account_id, &user_key, key_id],
            )
            .await?;
        Ok(touched > 0)
    }
}
