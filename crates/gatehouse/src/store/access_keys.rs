//! Access keys. The secret is stored sealed under the master key (see `secrets`); this
//! module never sees it in clear.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// Whose key it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOwner {
    /// The account's root user.
    Root,
    /// An IAM user, by name key (lower-cased name).
    User(String),
}

/// An access key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyRecord {
    /// `AKIA…`.
    pub access_key_id: String,
    /// Owning account.
    pub account_id: String,
    /// Root or a user.
    pub owner: KeyOwner,
    /// The secret, sealed with the key id as context.
    pub secret_sealed: Vec<u8>,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last use: time, service, region.
    pub last_used: Option<(i64, String, String)>,
}

const COLUMNS: &str = "access_key_id, account_id, user_key, secret_sealed, status, created_at, \
                       last_used_at, last_used_service, last_used_region";

fn from_row(row: &AnyRow) -> Result<AccessKeyRecord, StoreError> {
    let user: Option<String> = column(row, "user_key")?;
    let last_used_at: Option<i64> = column(row, "last_used_at")?;
    let last_used = match last_used_at {
        Some(at) => Some((
            at,
            column::<Option<String>>(row, "last_used_service")?.unwrap_or_default(),
            column::<Option<String>>(row, "last_used_region")?.unwrap_or_default(),
        )),
        None => None,
    };
    Ok(AccessKeyRecord {
        access_key_id: column(row, "access_key_id")?,
        account_id: column(row, "account_id")?,
        owner: user.map_or(KeyOwner::Root, KeyOwner::User),
        secret_sealed: column(row, "secret_sealed")?,
        status: column(row, "status")?,
        created_at: column(row, "created_at")?,
        last_used,
    })
}

impl Tx {
    /// Inserts a key.
    pub async fn insert_access_key(&mut self, key: &AccessKeyRecord) -> Result<(), StoreError> {
        let owner = match &key.owner {
            KeyOwner::Root => None,
            KeyOwner::User(name) => Some(name_key(name)),
        };
        sqlx::query(
            "INSERT INTO access_keys (access_key_id, account_id, user_key, secret_sealed, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.access_key_id)
        .bind(&key.account_id)
        .bind(owner)
        .bind(&key.secret_sealed)
        .bind(&key.status)
        .bind(key.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The key with this id in any account: the one lookup that is not account-scoped,
    /// because authentication starts from a key id alone.
    pub async fn access_key_by_id(
        &mut self,
        access_key_id: &str,
    ) -> Result<Option<AccessKeyRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM access_keys WHERE access_key_id = $1");
        let row = sqlx::query(&sql)
            .bind(access_key_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The keys of one owner in one account, oldest first.
    pub async fn access_keys_of(
        &mut self,
        account_id: &str,
        owner: &KeyOwner,
    ) -> Result<Vec<AccessKeyRecord>, StoreError> {
        let rows = match owner {
            KeyOwner::Root => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM access_keys WHERE account_id = $1 AND user_key IS NULL \
                     ORDER BY created_at, access_key_id"
                );
                sqlx::query(&sql)
                    .bind(account_id)
                    .fetch_all(self.conn())
                    .await?
            }
            KeyOwner::User(name) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM access_keys WHERE account_id = $1 AND user_key = $2 \
                     ORDER BY created_at, access_key_id"
                );
                sqlx::query(&sql)
                    .bind(account_id)
                    .bind(name_key(name))
                    .fetch_all(self.conn())
                    .await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    /// Sets a key's status within its account; false when no such key is there.
    pub async fn set_access_key_status(
        &mut self,
        account_id: &str,
        access_key_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "UPDATE access_keys SET status = $3 WHERE account_id = $1 AND access_key_id = $2",
                &[account_id, access_key_id, status],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Deletes a key within its account; false when no such key is there.
    pub async fn delete_access_key(
        &mut self,
        account_id: &str,
        access_key_id: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM access_keys WHERE account_id = $1 AND access_key_id = $2",
                &[account_id, access_key_id],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Records the last use of a key (written in batches, off the request path).
    pub async fn record_key_use(
        &mut self,
        access_key_id: &str,
        at: i64,
        service: &str,
        region: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE access_keys SET last_used_at = $2, last_used_service = $3, last_used_region = $4 \
             WHERE access_key_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
        )
        .bind(access_key_id)
        .bind(at)
        .bind(service)
        .bind(region)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
