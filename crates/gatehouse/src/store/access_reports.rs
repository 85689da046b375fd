//! "Last accessed" data: when each role was last used (`RoleLastUsed`, written in
//! batches off the request path), the jobs of `GenerateServiceLastAccessedDetails` and
//! `GenerateOrganizationsAccessReport` (their finished reports, kept until they expire),
//! and the summaries of audit events those reports are made of.
//!
//! The summaries are `access_activity`: the latest use of each operation by each
//! principal in each region, kept up to date from the audit events as they are batched
//! (a batch's events are folded into one upsert per distinct use, see
//! `audit_segment.rs`), so a report reads a few rows per principal and never the events
//! themselves.

use sqlx::any::AnyRow;

use super::{column, AccessUse, StoreError, Tx};

/// A report job as stored: who asked, when, and the finished report (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessReportRecord {
    /// Owning account.
    pub account_id: String,
    /// The job id (a UUID).
    pub job_id: String,
    /// `service` (`GenerateServiceLastAccessedDetails`) or `organizations`.
    pub kind: String,
    /// The ARN of the caller that generated it; only that caller reads it.
    pub requester: String,
    /// When the job was created, milliseconds since the epoch.
    pub created_at: i64,
    /// When it completed, milliseconds since the epoch.
    pub completed_at: i64,
    /// The report, as the service module serialized it.
    pub content: String,
}

/// The latest audit event of one principal for one operation in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessSummary {
    /// The caller's ARN as the audit event has it (`…:user/…`, `…:assumed-role/…`).
    pub principal_arn: String,
    /// The service's signing name (`iam`, `sts`, …).
    pub service: String,
    /// The operation, e.g. `ListUsers`.
    pub operation: String,
    /// The credential scope's region, when known.
    pub region: Option<String>,
    /// The latest such event, milliseconds since the epoch.
    pub at: i64,
}

const REPORT_COLUMNS: &str =
    "account_id, job_id, kind, requester, created_at, completed_at, content";

fn report_from_row(row: &AnyRow) -> Result<AccessReportRecord, StoreError> {
    Ok(AccessReportRecord {
        account_id: column(row, "account_id")?,
        job_id: column(row, "job_id")?,
        kind: column(row, "kind")?,
        requester: column(row, "requester")?,
        created_at: column(row, "created_at")?,
        completed_at: column(row, "completed_at")?,
        content: column(row, "content")?,
    })
}

fn summary_from_row(row: &AnyRow) -> Result<AccessSummary, StoreError> {
    Ok(AccessSummary {
        principal_arn: column(row, "principal_arn")?,
        service: column(row, "service")?,
        operation: column(row, "operation")?,
        region: region_from(column(row, "region")?),
        at: column(row, "last_at")?,
    })
}

/// The stored region: a key column, so no region is the empty text.
fn region_from(stored: String) -> Option<String> {
    (!stored.is_empty()).then_some(stored)
}

/// `text` with LIKE's wildcards and the escape character escaped (`\` escapes).
fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

impl Tx {
    /// Records the latest uses; an older time never replaces a newer one.
    pub async fn record_access_activity(&mut self, uses: &[AccessUse]) -> Result<(), StoreError> {
        for used in uses {
            sqlx::query(
                "INSERT INTO access_activity \
                 (account_id, principal_arn, service, operation, region, last_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (account_id, principal_arn, service, operation, region) \
                 DO UPDATE SET last_at = excluded.last_at \
                 WHERE excluded.last_at > access_activity.last_at",
            )
            .bind(used.account_id.as_str())
            .bind(used.principal_arn.as_str())
            .bind(used.service.as_str())
            .bind(used.operation.as_str())
            .bind(used.region.as_str())
            .bind(used.at)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Records the last use of a role's session credentials; an older time never
    /// replaces a newer one.
    pub async fn record_role_use(
        &mut self,
        account_id: &str,
        role_id: &str,
        at: i64,
        region: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE iam_roles SET last_used_at = $3, last_used_region = $4 \
             WHERE account_id = $1 AND role_id = $2 \
               AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(account_id)
        .bind(role_id)
        .bind(at)
        .bind(region)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// When and where a role was last used, if it ever was.
    pub async fn role_last_used(
        &mut self,
        account_id: &str,
        role_id: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT last_used_at, last_used_region FROM iam_roles \
             WHERE account_id = $1 AND role_id = $2",
        )
        .bind(account_id)
        .bind(role_id)
        .fetch_optional(self.conn())
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let at: Option<i64> = column(&row, "last_used_at")?;
        let region: Option<String> = column(&row, "last_used_region")?;
        Ok(at.map(|at| (at, region.unwrap_or_default())))
    }

    /// Stores a finished report job.
    pub async fn insert_access_report(
        &mut self,
        report: &AccessReportRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO access_reports ({REPORT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(&report.account_id)
        .bind(&report.job_id)
        .bind(&report.kind)
        .bind(&report.requester)
        .bind(report.created_at)
        .bind(report.completed_at)
        .bind(&report.content)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A report job of the account, of one kind.
    pub async fn access_report(
        &mut self,
        account_id: &str,
        kind: &str,
        job_id: &str,
    ) -> Result<Option<AccessReportRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM access_reports \
             WHERE account_id = $1 AND job_id = $2 AND kind = $3"
        ))
        .bind(account_id)
        .bind(job_id)
        .bind(kind)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(report_from_row).transpose()
    }

    /// Deletes the account's jobs created before `before`, then the oldest beyond the
    /// newest `keep`.
    pub async fn prune_access_reports(
        &mut self,
        account_id: &str,
        before: i64,
        keep: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM access_reports WHERE account_id = $1 AND created_at < $2")
            .bind(account_id)
            .bind(before)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "DELETE FROM access_reports WHERE account_id = $1 AND job_id NOT IN \
             (SELECT job_id FROM access_reports WHERE account_id = $1 \
              ORDER BY created_at DESC, job_id DESC LIMIT $2)",
        )
        .bind(account_id)
        .bind(keep)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The latest use per principal, operation and region of the account since `since`,
    /// for the principals named exactly in `principals` and those whose ARN starts with
    /// one of `prefixes` (a role's sessions).
    pub async fn access_summaries(
        &mut self,
        account_id: &str,
        since: i64,
        principals: &[String],
        prefixes: &[String],
    ) -> Result<Vec<AccessSummary>, StoreError> {
        let mut found = Vec::new();
        let select = "SELECT principal_arn, service, operation, region, last_at \
             FROM access_activity WHERE account_id = $1 AND last_at >= $2";
        for principal in principals {
            let rows = sqlx::query(&format!("{select} AND principal_arn = $3"))
                .bind(account_id)
                .bind(since)
                .bind(principal)
                .fetch_all(self.conn())
                .await?;
            for row in &rows {
                found.push(summary_from_row(row)?);
            }
        }
        for prefix in prefixes {
            let rows = sqlx::query(&format!("{select} AND principal_arn LIKE $3 ESCAPE '\\'"))
                .bind(account_id)
                .bind(since)
                .bind(format!("{}%", like_literal(prefix)))
                .fetch_all(self.conn())
                .await?;
            for row in &rows {
                let summary = summary_from_row(row)?;
                // LIKE ignores case on SQLite; role names differ in case only between
                // different roles.
                if summary.principal_arn.starts_with(prefix.as_str()) {
                    found.push(summary);
                }
            }
        }
        Ok(found)
    }

    /// The latest use per service and region by any principal of the account since
    /// `since`: `(service, region, at)`.
    pub async fn account_access_summaries(
        &mut self,
        account_id: &str,
        since: i64,
    ) -> Result<Vec<(String, Option<String>, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT service, region, MAX(last_at) AS last_at FROM access_activity \
             WHERE account_id = $1 AND last_at >= $2 GROUP BY service, region",
        )
        .bind(account_id)
        .bind(since)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    column(row, "service")?,
                    region_from(column(row, "region")?),
                    column(row, "last_at")?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::like_literal;

    #[test]
    fn like_literal_escapes_wildcards() {
        assert_eq!(like_literal("a_b%c\\d"), "a\\_b\\%c\\\\d");
        assert_eq!(like_literal("plain/"), "plain/");
    }
}
