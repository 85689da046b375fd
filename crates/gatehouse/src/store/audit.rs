//! Audit events: one row per API call, allowed or denied. The row carries what a
//! CloudTrail-style API needs later (who, with which key, what, on which resource, from
//! where, with which client, the decision and what decided it, the outcome).
//!
//! Reading audit events crosses accounts on purpose: it is the operator's view
//! (`gatehouse audit tail`), never reachable through an AWS API.

use sqlx::any::AnyRow;

use super::{column, map_error, Store, StoreError, Tx};

/// One audit event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The request id (unique per call).
    pub event_id: String,
    /// When the call arrived, milliseconds since the epoch.
    pub event_time: i64,
    /// The caller's account; `None` when authentication failed.
    pub account_id: Option<String>,
    /// The caller's ARN; `None` when authentication failed.
    pub principal_arn: Option<String>,
    /// The access key id the request was signed with, when one was given.
    pub access_key_id: Option<String>,
    /// `iam`, `sts`, `organizations`, `servicequotas`, or `unknown` when unrouted.
    pub service: String,
    /// The operation, e.g. `CreateUser`; `unknown` when undecodable.
    pub operation: String,
    /// The IAM action authorized, e.g. `iam:CreateUser`.
    pub action: Option<String>,
    /// The resource ARN the action was authorized on.
    pub resource: Option<String>,
    /// The caller's address.
    pub source_ip: String,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// The credential scope's region.
    pub region: Option<String>,
    /// Whether the operation only reads.
    pub read_only: bool,
    /// `Allow`, `ExplicitDeny`, `ImplicitDeny`; `None` when no decision was reached.
    pub decision: Option<String>,
    /// What decided: a policy type (`identity`, `scp`, …), `root` or `always-allowed`.
    pub decided_by: Option<String>,
    /// The HTTP status answered.
    pub status: i64,
    /// The AWS error code answered, if any.
    pub error_code: Option<String>,
}

/// Which events `gatehouse audit tail` shows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this account's events.
    pub account_id: Option<String>,
    /// Only this principal's events.
    pub principal_arn: Option<String>,
    /// Only events at or after this time (milliseconds since the epoch).
    pub since: Option<i64>,
    /// At most this many, the newest.
    pub limit: i64,
}

const COLUMNS: &str = "event_id, event_time, account_id, principal_arn, access_key_id, service, operation, action, resource, source_ip, user_agent, region, read_only, decision, decided_by, status, error_code";
const COLUMN_COUNT: usize = 17;
/// Rows per INSERT statement: few statements per batch (on SQLite each one is a hand-off
/// to the connection's thread), parameters well under SQLite's limit.
const ROWS_PER_STATEMENT: usize = 200;

fn from_row(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        event_id: column(row, "event_id")?,
        event_time: column(row, "event_time")?,
        account_id: column(row, "account_id")?,
        principal_arn: column(row, "principal_arn")?,
        access_key_id: column(row, "access_key_id")?,
        service: column(row, "service")?,
        operation: column(row, "operation")?,
        action: column(row, "action")?,
        resource: column(row, "resource")?,
        source_ip: column(row, "source_ip")?,
        user_agent: column(row, "user_agent")?,
        region: column(row, "region")?,
        read_only: column::<i64>(row, "read_only")? != 0,
        decision: column(row, "decision")?,
        decided_by: column(row, "decided_by")?,
        status: column(row, "status")?,
        error_code: column(row, "error_code")?,
    })
}

impl Tx {
    /// Inserts audit events, many rows per statement. An event already stored (same id)
    /// is kept as it is, so a retried batch never fails on what an earlier try wrote.
    pub async fn insert_audit_events(&mut self, events: &[AuditRecord]) -> Result<(), StoreError> {
        // SQLite gets anonymous `?` parameters: binding numbered ones (`$N`) looks each
        // name up, which costs time quadratic in their number (with 3,400 of them, more
        // CPU than serving the requests whose events they are).
        let numbered = self.conn().backend_name() != "SQLite";
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut sql = format!("INSERT INTO audit_events ({COLUMNS}) VALUES ");
            for row in 0..chunk.len() {
                if row > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for col in 0..COLUMN_COUNT {
                    if col > 0 {
                        sql.push_str(", ");
                    }
                    if numbered {
                        sql.push('$');
                        sql.push_str(&(row * COLUMN_COUNT + col + 1).to_string());
                    } else {
                        sql.push('?');
                    }
                }
                sql.push(')');
            }
            sql.push_str(" ON CONFLICT (event_id) DO NOTHING");
            let mut query = sqlx::query(&sql);
            for event in chunk {
                // Bound as `&str`: the driver borrows those, where it would clone a
                // `&String`.
                query = query
                    .bind(event.event_id.as_str())
                    .bind(event.event_time)
                    .bind(event.account_id.as_deref())
                    .bind(event.principal_arn.as_deref())
                    .bind(event.access_key_id.as_deref())
                    .bind(event.service.as_str())
                    .bind(event.operation.as_str())
                    .bind(event.action.as_deref())
                    .bind(event.resource.as_deref())
                    .bind(event.source_ip.as_str())
                    .bind(event.user_agent.as_deref())
                    .bind(event.region.as_deref())
                    .bind(i64::from(event.read_only))
                    .bind(event.decision.as_deref())
                    .bind(event.decided_by.as_deref())
                    .bind(event.status)
                    .bind(event.error_code.as_deref());
            }
            query.execute(self.conn()).await.map_err(map_error)?;
        }
        Ok(())
    }
}

impl Store {
    /// The newest events matching `filter`, oldest first.
    ///
    /// Only the filters given become conditions, so the planner can pick the account or
    /// principal index (`$1 IS NULL OR account_id = $1` would leave it the time index
    /// and a scan of every account's events).
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        let mut conditions = vec!["event_time >= $1".to_owned()];
        let mut texts = Vec::new();
        for (column, value) in [
            ("account_id", &filter.account_id),
            ("principal_arn", &filter.principal_arn),
        ] {
            if let Some(value) = value {
                texts.push(value.as_str());
                conditions.push(format!("{column} = ${}", texts.len() + 2));
            }
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events WHERE {} \
             ORDER BY event_time DESC, event_id DESC LIMIT $2",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(&sql)
            .bind(filter.since.unwrap_or(0))
            .bind(filter.limit);
        for text in texts {
            query = query.bind(text);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut events = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        events.reverse();
        Ok(events)
    }
}
