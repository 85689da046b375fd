//! Outbound web identity federation: whether an account's principals may ask STS for
//! JSON Web Tokens (`GetWebIdentityToken`), and the keys those tokens are signed with,
//! one per algorithm per account. Private keys are stored only sealed under the master
//! key (bound to the account and key id); this module never sees them in clear.

use sqlx::any::AnyRow;

use super::{column, map_error, StoreError, Tx};

/// A JWT signing key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundKeyRecord {
    /// Owning account.
    pub account_id: String,
    /// The `kid` tokens name it by.
    pub key_id: String,
    /// `RS256` or `ES384`.
    pub algorithm: String,
    /// The public key as a JSON Web Key.
    pub public_jwk: String,
    /// The PKCS#8 private key, sealed.
    pub private_key_sealed: Vec<u8>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const KEY_COLUMNS: &str =
    "account_id, key_id, algorithm, public_jwk, private_key_sealed, created_at";

fn key_from_row(row: &AnyRow) -> Result<OutboundKeyRecord, StoreError> {
    Ok(OutboundKeyRecord {
        account_id: column(row, "account_id")?,
        key_id: column(row, "key_id")?,
        algorithm: column(row, "algorithm")?,
        public_jwk: column(row, "public_jwk")?,
        private_key_sealed: column(row, "private_key_sealed")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Whether outbound federation is on for the account; `None` when it never was.
    pub async fn outbound_federation(
        &mut self,
        account_id: &str,
    ) -> Result<Option<bool>, StoreError> {
        let row = sqlx::query("SELECT enabled FROM outbound_federation WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|row| column::<i64>(&row, "enabled").map(|value| value != 0))
            .transpose()
    }

    /// Switches outbound federation on or off for the account.
    pub async fn set_outbound_federation(
        &mut self,
        account_id: &str,
        enabled: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM outbound_federation WHERE account_id = $1",
            &[account_id],
        )
        .await?;
        sqlx::query(
            "INSERT INTO outbound_federation (account_id, enabled, updated_at) VALUES ($1, $2, $3)",
        )
        .bind(account_id)
        .bind(i64::from(enabled))
        .bind(now)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The account's signing keys, oldest first.
    pub async fn outbound_keys(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<OutboundKeyRecord>, StoreError> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM outbound_signing_keys WHERE account_id = $1 \
             ORDER BY created_at, key_id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(key_from_row).collect()
    }

    /// Stores a new signing key; [`StoreError::Duplicate`] when its id is taken.
    pub async fn insert_outbound_key(
        &mut self,
        record: &OutboundKeyRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbound_signing_keys (account_id, key_id, algorithm, public_jwk, \
             private_key_sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&record.account_id)
        .bind(&record.key_id)
        .bind(&record.algorithm)
        .bind(&record.public_jwk)
        .bind(&record.private_key_sealed)
        .bind(record.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }
}
