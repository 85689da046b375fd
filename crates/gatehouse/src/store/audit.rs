//! Audit events: one per API call, allowed or denied. An event carries what a
//! CloudTrail-style API needs later (who, with which key, what, on which resource, from
//! where, with which client, the decision and what decided it, the outcome).
//!
//! A mutation's event is a row of `audit_events`, written in the mutation's own
//! transaction. Every other event is written in a batch, and a batch is stored as
//! segments (`audit_segments`, one row per few thousand events, see
//! `audit_segment.rs`): a row per event would cost more than serving the reads they
//! record. Reading merges both.
//!
//! Reading audit events crosses accounts on purpose: it is the operator's view
//! (`gatehouse audit tail`), never reachable through an AWS API.

use sqlx::any::AnyRow;

use super::audit_segment::{self, SealedSegment};
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

impl Tx {
    /// Stores a sealed segment's events (nothing when it holds none). A segment stored
    /// already (a retried batch) is not stored twice.
    pub async fn insert_audit_segment(
        &mut self,
        segment: &SealedSegment,
    ) -> Result<(), StoreError> {
        if segment.event_count == 0 {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO audit_segments (segment_id, first_time, last_time, event_count, events) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (segment_id) DO NOTHING",
        )
        .bind(segment.segment_id.as_str())
        .bind(segment.first_time)
        .bind(segment.last_time)
        .bind(i64::try_from(segment.event_count).unwrap_or(i64::MAX))
        .bind(segment.bytes.as_slice())
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }
}

/// Whether `event` passes the filter's account, principal and time conditions.
fn matches(filter: &AuditFilter, event: &AuditRecord) -> bool {
    event.event_time >= filter.since.unwrap_or(0)
        && filter
            .account_id
            .as_ref()
            .is_none_or(|account| event.account_id.as_ref() == Some(account))
        && filter
            .principal_arn
            .as_ref()
            .is_none_or(|principal| event.principal_arn.as_ref() == Some(principal))
}

/// Newest first, as `audit tail` pages them: by time, then id.
fn newest_first(a: &AuditRecord, b: &AuditRecord) -> std::cmp::Ordering {
    (b.event_time, &b.event_id).cmp(&(a.event_time, &a.event_id))
}

/// Segments read per query while looking for the newest events.
const SEGMENTS_PER_PAGE: i64 = 16;

impl Store {
    /// The newest events matching `filter`, oldest first: the rows of mutations merged
    /// with the events of segments, which are read newest first until no older segment
    /// can hold an event newer than those found.
    pub async fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = usize::try_from(filter.limit).unwrap_or(0);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut events = self.audit_event_rows(filter).await?;
        let mut offset = 0;
        'pages: loop {
            let rows = sqlx::query(
                "SELECT last_time, events FROM audit_segments WHERE last_time >= $1 \
                 ORDER BY last_time DESC, segment_id DESC LIMIT $2 OFFSET $3",
            )
            .bind(filter.since.unwrap_or(0))
            .bind(SEGMENTS_PER_PAGE)
            .bind(offset)
            .fetch_all(self.pool())
            .await?;
            offset += SEGMENTS_PER_PAGE;
            for row in &rows {
                let last_time: i64 = column(row, "last_time")?;
                if events.len() >= limit
                    && events
                        .last()
                        .is_some_and(|oldest| last_time < oldest.event_time)
                {
                    break 'pages;
                }
                let bytes: Vec<u8> = column(row, "events")?;
                events.extend(
                    audit_segment::decode(&bytes)?
                        .into_iter()
                        .filter(|event| matches(filter, event)),
                );
                events.sort_by(newest_first);
                events.truncate(limit);
            }
            if rows.len() < usize::try_from(SEGMENTS_PER_PAGE).unwrap_or(0) {
                break;
            }
        }
        events.reverse();
        Ok(events)
    }

    /// The newest rows of `audit_events` matching `filter`, newest first.
    ///
    /// Only the filters given become conditions, so the planner can pick the account
    /// index (`$1 IS NULL OR account_id = $1` would leave it the time index and a scan
    /// of every account's events).
    async fn audit_event_rows(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
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
        rows.iter().map(from_row).collect()
    }
}
