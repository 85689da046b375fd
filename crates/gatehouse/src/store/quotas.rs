//! Service Quotas: applied quota values per account (absent means the default) and
//! quota increase requests. Scoped by account id, except the request lookup by id that
//! the `gatehouse quota` admin command makes.

use sqlx::any::AnyRow;

use super::{column, map_error, StoreError, Tx};

/// A quota increase request as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRequestRecord {
    /// The request id.
    pub request_id: String,
    /// The account asking.
    pub account_id: String,
    /// E.g. `organizations`.
    pub service_code: String,
    /// The quota code as asked for.
    pub quota_code: String,
    /// The value asked for.
    pub desired_value: f64,
    /// `PENDING`, `APPROVED`, `DENIED`, …
    pub status: String,
    /// The caller's ARN.
    pub requester: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// Last status change.
    pub updated_at: i64,
}

const COLUMNS: &str = "request_id, account_id, service_code, quota_code, desired_value, status, \
     requester, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<QuotaRequestRecord, StoreError> {
    Ok(QuotaRequestRecord {
        request_id: column(row, "request_id")?,
        account_id: column(row, "account_id")?,
        service_code: column(row, "service_code")?,
        quota_code: column(row, "quota_code")?,
        desired_value: column(row, "desired_value")?,
        status: column(row, "status")?,
        requester: column(row, "requester")?,
        created_at: column(row, "created_at")?,
        updated_at: column(row, "updated_at")?,
    })
}

impl Tx {
    /// The applied value of a quota for an account, when it differs from the default.
    pub async fn quota_value(
        &mut self,
        account_id: &str,
        service_code: &str,
        quota_code: &str,
    ) -> Result<Option<f64>, StoreError> {
        let row = sqlx::query(
            "SELECT value FROM quota_values WHERE account_id = $1 AND service_code = $2 AND quota_code = $3",
        )
        .bind(account_id)
        .bind(service_code)
        .bind(quota_code)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(|row| column(row, "value")).transpose()
    }

    /// Sets the applied value of a quota for an account.
    pub async fn set_quota_value(
        &mut self,
        account_id: &str,
        service_code: &str,
        quota_code: &str,
        value: f64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO quota_values (account_id, service_code, quota_code, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, service_code, quota_code) DO UPDATE SET value = excluded.value",
        )
        .bind(account_id)
        .bind(service_code)
        .bind(quota_code)
        .bind(value)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// Records a quota increase request.
    pub async fn insert_quota_request(
        &mut self,
        request: &QuotaRequestRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO quota_requests (request_id, account_id, service_code, quota_code, desired_value, \
             status, requester, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&request.request_id)
        .bind(&request.account_id)
        .bind(&request.service_code)
        .bind(&request.quota_code)
        .bind(request.desired_value)
        .bind(&request.status)
        .bind(&request.requester)
        .bind(request.created_at)
        .bind(request.updated_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// A request of the account.
    pub async fn quota_request(
        &mut self,
        account_id: &str,
        request_id: &str,
    ) -> Result<Option<QuotaRequestRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM quota_requests WHERE account_id = $1 AND request_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(request_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// A request by id alone, for the operator's `gatehouse quota approve|deny`.
    pub async fn quota_request_by_id(
        &mut self,
        request_id: &str,
    ) -> Result<Option<QuotaRequestRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM quota_requests WHERE request_id = $1");
        let row = sqlx::query(&sql)
            .bind(request_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The account's requests, oldest first.
    pub async fn quota_requests(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<QuotaRequestRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM quota_requests WHERE account_id = $1 ORDER BY created_at, request_id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Sets a request's status.
    pub async fn set_quota_request_status(
        &mut self,
        account_id: &str,
        request_id: &str,
        status: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE quota_requests SET status = $3, updated_at = $4 WHERE account_id = $1 AND request_id = $2",
        )
        .bind(account_id)
        .bind(request_id)
        .bind(status)
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
