//! Server certificates: a PEM certificate, its optional chain and its private key, unique
//! per account by name regardless of case. The private key is stored only sealed under the
//! master key (bound to the certificate id); this module never sees it in clear.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A server certificate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCertificateRecord {
    /// Owning account.
    pub account_id: String,
    /// Name as uploaded (or renamed to).
    pub name: String,
    /// `ASCA…`.
    pub certificate_id: String,
    /// Path, `/` by default.
    pub path: String,
    /// The certificate, PEM, as uploaded.
    pub body: String,
    /// The chain, PEM, when given.
    pub chain: Option<String>,
    /// The private key, sealed with the certificate id as context.
    pub private_key_sealed: Vec<u8>,
    /// The certificate's `notAfter`, milliseconds.
    pub expires_at: i64,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
    /// Upload time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, cert_name, cert_id, path, body, chain, private_key_sealed, \
                       expires_at, tags, created_at";

fn from_row(row: &AnyRow) -> Result<ServerCertificateRecord, StoreError> {
    let tags: String = column(row, "tags")?;
    Ok(ServerCertificateRecord {
        account_id: column(row, "account_id")?,
        name: column(row, "cert_name")?,
        certificate_id: column(row, "cert_id")?,
        path: column(row, "path")?,
        body: column(row, "body")?,
        chain: column(row, "chain")?,
        private_key_sealed: column(row, "private_key_sealed")?,
        expires_at: column(row, "expires_at")?,
        tags: serde_json::from_str(&tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a server certificate; [`StoreError::Duplicate`] when the name (any case)
    /// exists.
    pub async fn insert_server_certificate(
        &mut self,
        record: &ServerCertificateRecord,
    ) -> Result<(), StoreError> {
        let tags = serde_json::to_string(&record.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO server_certificates (account_id, cert_key, cert_name, cert_id, path, body, \
             chain, private_key_sealed, expires_at, tags, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&record.account_id)
        .bind(name_key(&record.name))
        .bind(&record.name)
        .bind(&record.certificate_id)
        .bind(&record.path)
        .bind(&record.body)
        .bind(record.chain.as_deref())
        .bind(&record.private_key_sealed)
        .bind(record.expires_at)
        .bind(tags)
        .bind(record.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The server certificate of that name (any case).
    pub async fn server_certificate(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<ServerCertificateRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM server_certificates WHERE account_id = $1 AND cert_key = $2"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Server certificates under a path prefix, by name key, after `after`, at most
    /// `limit`.
    pub async fn list_server_certificates(
        &mut self,
        account_id: &str,
        path_prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ServerCertificateRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM server_certificates WHERE account_id = $1 AND cert_key > $2 \
             AND substr(path, 1, length($3)) = $3 ORDER BY cert_key LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(after.unwrap_or(""))
            .bind(path_prefix)
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// How many server certificates the account has.
    pub async fn count_server_certificates(&mut self, account_id: &str) -> Result<i64, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM server_certificates WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(self.conn())
                .await?;
        column(&row, "n")
    }

    /// Rewrites the name, path and tags of the certificate currently named `name`;
    /// [`StoreError::Duplicate`] when the new name is another certificate's.
    pub async fn update_server_certificate(
        &mut self,
        name: &str,
        record: &ServerCertificateRecord,
    ) -> Result<bool, StoreError> {
        let tags = serde_json::to_string(&record.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let done = sqlx::query(
            "UPDATE server_certificates SET cert_key = $3, cert_name = $4, path = $5, tags = $6 \
             WHERE account_id = $1 AND cert_key = $2",
        )
        .bind(&record.account_id)
        .bind(name_key(name))
        .bind(name_key(&record.name))
        .bind(&record.name)
        .bind(&record.path)
        .bind(tags)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a server certificate; false when absent.
    pub async fn delete_server_certificate(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let key = name_key(name);
        let touched = self
            .exec(
                "DELETE FROM server_certificates WHERE account_id = $1 AND cert_key = $2",
                &[account_id, &key],
            )
            .await?;
        Ok(touched > 0)
    }
}
