//! Audit events and the per-request record they are made of.
//!
//! The pipeline opens an [`Outcome`] for each request (a task-local, so the authorizer
//! and the services can add to it without every call passing it along): the pipeline
//! fills in who and what, `auth/authorize.rs` notes the decision. A mutation's event is
//! written by [`commit`] inside the request's own transaction, so it commits with the
//! change or not at all. Every other event (reads, denials, failures) is queued by
//! [`AuditLog::push`] and written in batches at least once a second by
//! [`flush`] (`App::flush_every_second`), as compact segments; one write per read request would not survive
//! real traffic. The same writes fold every event, the mutations' too, into the
//! principals' last-accessed data that access reports read.

use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::Mutex;

use policy::{DecisionEffect, PolicyType};
use wire::ServiceError;

use crate::model::AccountId;
use crate::store::{AuditRecord, EventView, SealedSegment, SegmentBuilder, Store, Tx};

/// Events past this many waiting are dropped (and counted) rather than exhaust memory
/// when the store cannot keep up.
const MAX_PENDING: usize = 1_000_000;

/// What is known about the request being served, filled in as it goes.
#[derive(Debug, Default)]
pub struct Outcome {
    /// When the request arrived, milliseconds since the epoch.
    pub at: i64,
    /// The signing name of the service, once routed.
    pub service: Option<&'static str>,
    /// The operation, once decoded.
    pub operation: Option<&'static str>,
    /// Whether the decoded operation only reads.
    pub read_only: bool,
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

/// Notes the decoded operation, and whether it only reads.
pub fn note_operation(name: &'static str, read_only: bool) {
    note(|outcome| {
        outcome.operation = Some(name);
        outcome.read_only = read_only;
    });
}

/// Text formatted on the stack: an account id or an address, without an allocation.
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl StackText {
    fn of(value: impl std::fmt::Display) -> Self {
        let mut text = Self {
            bytes: [0; 64],
            len: 0,
        };
        // Longer than the buffer (never for an account id or an address): cut short.
        let _ = std::fmt::Write::write_fmt(&mut text, format_args!("{value}"));
        text
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Outcome {
    /// Calls `f` with this request's audit event, answered with `status` and
    /// `error_code`.
    pub fn with_event<R>(
        &self,
        request_id: &str,
        source_ip: IpAddr,
        status: u16,
        error_code: Option<&str>,
        f: impl FnOnce(&EventView<'_>) -> R,
    ) -> R {
        let operation = self.operation.unwrap_or("unknown");
        let account = self
            .principal
            .as_ref()
            .map(|(_, account)| StackText::of(account));
        let source_ip = StackText::of(source_ip);
        f(&EventView {
            event_id: request_id,
            event_time: self.at,
            account_id: account.as_ref().map(StackText::as_str),
            principal_arn: self.principal.as_ref().map(|(arn, _)| arn.as_str()),
            access_key_id: self.access_key_id.as_deref(),
            service: self.service.unwrap_or("unknown"),
            operation,
            action: self.access.as_ref().map(|(action, _)| *action),
            resource: self.access.as_ref().map(|(_, resource)| resource.as_str()),
            source_ip: source_ip.as_str(),
            user_agent: self.user_agent.as_deref(),
            region: self.region.as_deref(),
            read_only: self.read_only,
            decision: self.decision.map(DecisionEffect::as_str),
            decided_by: self.decided_by,
            status: i64::from(status),
            error_code,
        })
    }
}

/// Commits a service's transaction; for a mutation, writes its audit event in it first.
pub async fn commit(
    log: &AuditLog,
    mut tx: Tx,
    (request_id, source_ip): (&str, IpAddr),
    mutates: bool,
) -> Result<(), ServiceError> {
    if mutates && log.enabled() {
        let record = OUTCOME.try_with(|cell| {
            cell.try_borrow().ok().map(|outcome| {
                outcome.with_event(request_id, source_ip, 200, None, AuditRecord::from_view)
            })
        });
        if let Ok(Some(record)) = record {
            tx.insert_audit_events(std::slice::from_ref(&record))
                .await?;
            tx.commit().await?;
            note(|outcome| outcome.written = true);
            return Ok(());
        }
    }
    Ok(tx.commit().await?)
}

/// What waits for the next batch write: the segment being built and those full.
#[derive(Default)]
struct Pending {
    building: SegmentBuilder,
    sealed: Vec<SealedSegment>,
    /// Events in `sealed`.
    sealed_events: usize,
}

impl Pending {
    fn events(&self) -> usize {
        self.sealed_events + self.building.len()
    }

    fn seal_building(&mut self) {
        let building = std::mem::take(&mut self.building);
        match building.seal() {
            Ok(segment) => {
                self.sealed_events += segment.event_count;
                self.sealed.push(segment);
            }
            Err(error) => {
                crate::metrics::audit_write_failure();
                tracing::warn!(%error, "could not encode audit events: dropped");
            }
        }
    }
}

/// Audit events waiting for the next batch write, encoded as they come.
pub struct AuditLog {
    enabled: bool,
    pending: Mutex<Pending>,
}

/// Events per segment, each written in a transaction of its own: the store's
/// connection is free for requests between two of them, so a large backlog never holds
/// it for long.
const EVENTS_PER_SEGMENT: usize = 4096;

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

    /// Adds an event to the segment being built; when `stored` (the mutation's
    /// transaction wrote it already), notes only the use it records.
    pub fn push(&self, event: &EventView<'_>, stored: bool) {
        if !self.enabled {
            return;
        }
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if stored {
            pending.building.note_use(event);
            return;
        }
        if pending.events() >= MAX_PENDING {
            crate::metrics::audit_write_failure();
            tracing::warn!(request_id = %event.event_id, "audit queue full: event dropped");
            return;
        }
        if let Err(error) = pending.building.push(event) {
            crate::metrics::audit_write_failure();
            tracing::warn!(%error, request_id = %event.event_id, "audit event dropped");
        }
        if pending.building.len() >= EVENTS_PER_SEGMENT {
            pending.seal_building();
        }
    }

    /// Every segment waiting, the one being built sealed.
    fn take(&self) -> Vec<SealedSegment> {
        let Ok(mut pending) = self.pending.lock() else {
            return Vec::new();
        };
        if !pending.building.is_empty() {
            pending.seal_building();
        }
        pending.sealed_events = 0;
        std::mem::take(&mut pending.sealed)
    }

    /// Puts segments that could not be written back in front of those sealed since.
    fn put_back(&self, mut unwritten: Vec<SealedSegment>) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.sealed_events += unwritten.iter().map(|s| s.event_count).sum::<usize>();
            unwritten.append(&mut pending.sealed);
            pending.sealed = unwritten;
        }
    }
}

/// Writes the waiting segments, each with the uses it records in a transaction of its
/// own; on failure keeps what was not written for the next try.
pub async fn flush(store: &Store, log: &AuditLog) {
    let mut segments = log.take();
    let mut written = 0;
    for segment in &segments {
        let result = async {
            let mut tx = store.begin().await?;
            tx.insert_audit_segment(segment).await?;
            tx.record_access_activity(&segment.uses).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = result {
            let events = segments.iter().skip(written).map(|s| s.event_count).sum();
            failure(&error, events);
            break;
        }
        written += 1;
        tokio::task::yield_now().await;
    }
    segments.drain(..written);
    if !segments.is_empty() {
        log.put_back(segments);
    }
    let waiting = log.pending.lock().map(|p| p.events()).unwrap_or(0);
    crate::metrics::audit_pending(waiting);
}

fn failure(error: &crate::store::StoreError, events: usize) {
    crate::metrics::audit_write_failure();
    tracing::warn!(%error, events, "could not write audit events; will retry");
}
