//! X.509 signing certificates of IAM users and of the root user (`user_key` NULL). A
//! certificate (by the SHA-256 of its DER) is held at most once per account.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, KeyOwner, StoreError, Tx};

/// A signing certificate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCertificateRecord {
    /// Owning account.
    pub account_id: String,
    /// Whose certificate it is.
    pub owner: KeyOwner,
    /// The certificate id.
    pub certificate_id: String,
    /// The certificate, PEM, as uploaded.
    pub body: String,
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Upload time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, user_key, cert_id, body, fingerprint, status, created_at";

fn owner_key(owner: &KeyOwner) -> Option<String> {
    match owner {
        KeyOwner::Root => None,
        KeyOwner::User(name) => Some(name_key(name)),
    }
}

fn from_row(row: &AnyRow, owner: &KeyOwner) -> Result<SigningCertificateRecord, StoreError> {
    Ok(SigningCertificateRecord {
        account_id: column(row, "account_id")?,
        owner: owner.clone(),
        certificate_id: column(row, "cert_id")?,
        body: column(row, "body")?,
        fingerprint: column(row, "fingerprint")?,
        status: column(row, "status")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a certificate; [`StoreError::Duplicate`] when the account holds it already.
    pub async fn insert_signing_certificate(
        &mut self,
        record: &SigningCertificateRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signing_certificates (account_id, user_key, cert_id, body, fingerprint, \
             status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&record.account_id)
        .bind(owner_key(&record.owner))
        .bind(&record.certificate_id)
        .bind(&record.body)
        .bind(&record.fingerprint)
        .bind(&record.status)
        .bind(record.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The certificates of a user or of the root user, oldest first.
    pub async fn signing_certificates_of(
        &mut self,
        account_id: &str,
        owner: &KeyOwner,
    ) -> Result<Vec<SigningCertificateRecord>, StoreError> {
        let filter = match owner {
            KeyOwner::Root => "user_key IS NULL",
            KeyOwner::User(_) => "user_key = $2",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM signing_certificates WHERE account_id = $1 AND {filter} \
             ORDER BY created_at, cert_id"
        );
        let mut query = sqlx::query(&sql).bind(account_id);
        if let Some(key) = owner_key(owner) {
            query = query.bind(key);
        }
        let rows = query.fetch_all(self.conn()).await?;
        rows.iter().map(|row| from_row(row, owner)).collect()
    }

    /// Whether the account holds a certificate of that fingerprint.
    pub async fn signing_certificate_held(
        &mut self,
        account_id: &str,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM signing_certificates WHERE account_id = $1 AND fingerprint = $2",
        )
        .bind(account_id)
        .bind(fingerprint)
        .fetch_one(self.conn())
        .await?;
        Ok(column::<i64>(&row, "n")? > 0)
    }

    /// Sets a certificate's status; false when absent.
    pub async fn set_signing_certificate_status(
        &mut self,
        account_id: &str,
        certificate_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "UPDATE signing_certificates SET status = $3 WHERE account_id = $1 AND cert_id = $2",
                &[account_id, certificate_id, status],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Deletes a certificate; false when absent.
    pub async fn delete_signing_certificate(
        &mut self,
        account_id: &str,
        certificate_id: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM signing_certificates WHERE account_id = $1 AND cert_id = $2",
                &[account_id, certificate_id],
            )
            .await?;
        Ok(touched > 0)
    }
}
