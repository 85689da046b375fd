//! Audit events and the per-request record they are made of.
//!
//! The pipeline opens an [`Outcome`] for each request (a task-local, so the authorizer
//! and the services can add to it without every call passing it along): the pipeline
//! fills in who and what, `auth/authorize.rs` notes the decision. A mutation's event is
//! written by [`commit`] inside the request's own transaction, so it commits with the
//! change or not at all. Every other event (reads, denials, failures) is queued by
//! [`AuditLog::push`] and written in batches at least once a second by
//! [`flush_forever`], as compact segments; one write per read request would not survive
//! real traffic. The same writes fold every event, the mutations' too, into the
//! principals' last-accessed data that access reports read.

use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use policy::{DecisionEffect, PolicyType};
use wire::ServiceError;

use super::App;
use crate::model::AccountId;
use crate::store::{AuditRecord, Tx};

/// Events past this many waiting are dropped (and counted) rather than exhaust memory
/// when the store cannot keep up.
const MAX_PENDING: usize = 1_000_000;

/// What is known about the request being served, filled in as it goes.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// When the request arrived, milliseconds since the epoch.
    pub at: i64,
    /// The signing name of the service, once routed.
    pub service: Option<&'static str>,
    /// The operation, once decoded.
    pub operation: Option<&'static str>,
    /// The caller's ARN and account, once authenticated.
    pub principal: Option<(String, AccountId)>,
    /// The access key id the request claims (signed with, if authenticated).
    pub access_key_id: Option<String>,
    /// The credential scope's region, once authenticated.
    pub region: Option<String>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
    /// The last access decided: action and resource.
    pub access: Option<(&'static str, String)>,
    /// The decision on it.
    pub decision: Option<DecisionEffect>,
    /// What decided it.
    pub decided_by: Option<&'static str>,
    /// Whether the event was already written with the mutation's transaction.
    pub written: bool,
}

tokio::task_local! {
    static OUTCOME: RefCell<Outcome>;
}

/// Runs `future` with a fresh [`Outcome`] and returns the outcome beside its output.
pub async fn scoped<F: std::future::Future>(at: i64, future: F) -> (F::Output, Outcome) {
    let outcome = RefCell::new(Outcome {
        at,
        ..Outcome::default()
    });
    OUTCOME
        .scope(outcome, async {
            let output = future.await;
            let outcome = OUTCOME.try_with(RefCell::take).unwrap_or_default();
            (output, outcome)
        })
        .await
}

/// Changes the current request's outcome; outside a request, nothing happens.
pub fn note(change: impl FnOnce(&mut Outcome)) {
    let _ = OUTCOME.try_with(|cell| {
        if let Ok(mut outcome) = cell.try_borrow_mut() {
            change(&mut outcome);
        }
    });
}

/// Notes an authorization decision for the current request.
pub fn note_decision(
    action: &'static str,
    resource: &str,
    effect: DecisionEffect,
    decided_by: &'static str,
) {
    crate::metrics::decision(effect.as_str(), decided_by);
    note(|outcome| {
        outcome.access = Some((action, resource.to_owned()));
        outcome.decision = Some(effect);
        outcome.decided_by = Some(decided_by);
    });
}

/// The name of what decided: the policy type, or `policy` when the engine gave none.
pub fn policy_type_name(policy_type: Option<PolicyType>) -> &'static str {
    policy_type.map_or("policy", PolicyType::name)
}

/// Whether an operation only reads, by AWS's naming of operations.
pub fn is_read_only(operation: &str) -> bool {
    ["Get", "List", "Describe", "Generate", "Simulate"]
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

impl Outcome {
    /// The audit record of this request, answered with `status` and `error_code`.
    pub fn into_record(
        self,
        request_id: &str,
        source_ip: IpAddr,
        status: u16,
        error_code: Option<&str>,
    ) -> AuditRecord {
        let operation = self.operation.unwrap_or("unknown");
        let (principal_arn, account_id) = self.principal.unzip();
        let (action, resource) = self.access.unzip();
        AuditRecord {
            event_id: request_id.to_owned(),
            event_time: self.at,
            account_id: account_id.map(|account| account.to_string()),
            principal_arn,
            access_key_id: self.access_key_id,
            service: self.service.unwrap_or("unknown").to_owned(),
            operation: operation.to_owned(),
            action: action.map(str::to_owned),
            resource,
            source_ip: source_ip.to_string(),
            user_agent: self.user_agent,
            region: self.region,
            read_only: is_read_only(operation),
            decision: self.decision.map(|d| d.as_str().to_owned()),
            decided_by: self.decided_by.map(str::to_owned),
            status: i64::from(status),
            error_code: error_code.map(str::to_owned),
        }
    }
}

/// Commits a service's transaction; for a mutation, writes its audit event in it first.
pub async fn commit(
    app: &App,
    mut tx: Tx,
    context: &crate::services::RequestContext,
    mutates: bool,
) -> Result<(), ServiceError> {
    if mutates && app.audit().enabled() {
        let record = OUTCOME.try_with(|cell| {
            cell.try_borrow().ok().map(|outcome| {
                outcome
                    .clone()
                    .into_record(&context.request_id, context.source_ip, 200, None)
            })
        });
        if let Ok(Some(record)) = record {
            tx.insert_audit_events(std::slice::from_ref(&record))
                .await
                .map_err(|err| app.internal(err))?;
            tx.commit().await.map_err(|err| app.internal(err))?;
            note(|outcome| outcome.written = true);
            return Ok(());
        }
    }
    tx.commit().await.map_err(|err| app.internal(err))
}

/// What waits for the next batch write.
#[derive(Default)]
struct Pending {
    /// Events to store.
    events: Vec<AuditRecord>,
    /// Events stored already (with their mutation) whose use is still to be recorded.
    stored: Vec<AuditRecord>,
}

impl Pending {
    fn len(&self) -> usize {
        self.events.len() + self.stored.len()
    }
}

/// Audit events waiting for the next batch write.
pub struct AuditLog {
    enabled: bool,
    pending: Mutex<Pending>,
}

impl AuditLog {
    /// A log that records (or, when `enabled` is false, drops) every event.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            pending: Mutex::new(Pending::default()),
        }
    }

    /// Whether audit events are recorded (`--audit`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Queues an event for the next batch; `stored` when the mutation's transaction
    /// wrote it already, so only its use is left to record.
    pub fn push(&self, record: AuditRecord, stored: bool) {
        if !self.enabled {
            return;
        }
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.len() >= MAX_PENDING {
            crate::metrics::audit_write_failure();
            tracing::warn!(
                request_id = %record.event_id,
                "audit queue full: event dropped"
            );
            return;
        }
        if stored {
            pending.stored.push(record);
        } else {
            pending.events.push(record);
        }
    }

    fn take(&self) -> Pending {
        self.pending
            .lock()
            .map(|mut pending| std::mem::take(&mut *pending))
            .unwrap_or_default()
    }

    /// Puts what could not be written back in front of what came since.
    fn put_back(&self, mut unwritten: Pending) {
        if let Ok(mut pending) = self.pending.lock() {
            unwritten.events.append(&mut pending.events);
            unwritten.stored.append(&mut pending.stored);
            *pending = unwritten;
        }
    }
}

/// Events per segment, each written in a transaction of its own: the store's
/// connection is free for requests between two of them, so a large backlog never holds
/// it for long.
const EVENTS_PER_SEGMENT: usize = 4096;

/// Writes the queued events, a segment per transaction with the uses they record, then
/// the uses of the mutations' events; on failure keeps what was not written for the
/// next try.
pub async fn flush(app: &App) {
    let mut batch = app.audit().take();
    // Chunks are borrowed in turn: splitting the queue off the front instead would move
    // the whole rest of it for every transaction (quadratic in the backlog).
    let mut written = 0;
    let mut failed = false;
    for chunk in batch.events.chunks(EVENTS_PER_SEGMENT) {
        let result = async {
            let mut tx = app.store().begin().await?;
            tx.insert_audit_segment(chunk).await?;
            tx.record_access_activity(chunk).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = result {
            failed = true;
            failure(&error, batch.events.len() - written);
            break;
        }
        written += chunk.len();
        tokio::task::yield_now().await;
    }
    batch.events.drain(..written);
    if !failed && !batch.stored.is_empty() {
        let result = async {
            let mut tx = app.store().begin().await?;
            tx.record_access_activity(&batch.stored).await?;
            tx.commit().await
        }
        .await;
        match result {
            Ok(()) => batch.stored.clear(),
            Err(error) => failure(&error, batch.stored.len()),
        }
    }
    if batch.len() > 0 {
        app.audit().put_back(batch);
    }
    let waiting = app.audit().pending.lock().map(|p| p.len()).unwrap_or(0);
    crate::metrics::audit_pending(waiting);
}

fn failure(error: &crate::store::StoreError, events: usize) {
    crate::metrics::audit_write_failure();
    tracing::warn!(%error, events, "could not write audit events; will retry");
}

/// Flushes every second until the task is aborted.
pub async fn flush_forever(app: App) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        flush(&app).await;
    }
}
