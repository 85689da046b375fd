//! Prometheus metrics: request counts and latencies by service, operation and status,
//! authorization decisions by outcome, authentication failures by reason, store latency
//! and pool use. One process-wide registry, like a tracing subscriber: the store and the
//! request path record into it without threading a handle through every call, and
//! `GET /metrics` renders it in the text exposition format.
//!
//! Recording is a lookup in a per-thread map of the series already used and an atomic
//! add to the thread's own shard of the series (`metrics/sharded.rs`); nothing here does
//! IO, allocates or takes a lock per request (label values are `&'static str` and
//! integers).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

mod sharded;

use sharded::{ShardedCounter, ShardedHistogram};

/// Labels of a served request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    service: &'static str,
    operation: &'static str,
    status: u16,
}

/// Labels of an authorization decision.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    outcome: &'static str,
    policy_type: &'static str,
}

/// Labels of an authentication failure: the AWS error code sent back.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// Labels of a store operation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreLabels {
    operation: &'static str,
}

type HistogramMaker = fn() -> Histogram;

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, ShardedCounter>,
    latency: Family<RequestLabels, ShardedHistogram, fn() -> ShardedHistogram>,
    decisions: Family<DecisionLabels, ShardedCounter>,
    auth_failures: Family<ReasonLabels, Counter>,
    store_latency: Family<StoreLabels, Histogram, HistogramMaker>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    audit_pending: Gauge,
    audit_dropped: Counter,
}

/// 50 µs to ~1.6 s.
fn latency_buckets() -> impl Iterator<Item = f64> {
    exponential_buckets(0.000_05, 2.0, 16)
}

fn latency_histogram() -> Histogram {
    Histogram::new(latency_buckets())
}

fn request_latency_histogram() -> ShardedHistogram {
    ShardedHistogram::new(latency_buckets())
}

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Series a thread has recorded into, by the addresses of their `&'static str` labels
/// (two equal texts at two addresses are two keys of the same series: still correct).
type Series<K, V> = RefCell<HashMap<K, V, foldhash::fast::RandomState>>;

thread_local! {
    static REQUEST_SERIES: Series<(usize, usize, u16), (ShardedCounter, ShardedHistogram)> =
        RefCell::new(HashMap::default());
    static DECISION_SERIES: Series<(usize, usize), ShardedCounter> =
        RefCell::new(HashMap::default());
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("gatehouse");
    let requests = Family::<RequestLabels, ShardedCounter>::default();
    registry.register(
        "requests",
        "AWS API requests served, by service, operation and HTTP status",
        requests.clone(),
    );
    let latency: Family<RequestLabels, ShardedHistogram, fn() -> ShardedHistogram> =
        Family::new_with_constructor(request_latency_histogram);
    registry.register_with_unit(
        "request_duration",
        "Time from the request's arrival to its response",
        prometheus_client::registry::Unit::Seconds,
        latency.clone(),
    );
    let decisions = Family::<DecisionLabels, ShardedCounter>::default();
    registry.register(
        "authorization_decisions",
        "Authorization decisions by outcome and deciding policy type",
        decisions.clone(),
    );
    let auth_failures = Family::<ReasonLabels, Counter>::default();
    registry.register(
        "authentication_failures",
        "Requests refused by authentication, by the error code returned",
        auth_failures.clone(),
    );
    let store_latency: Family<StoreLabels, Histogram, HistogramMaker> =
        Family::new_with_constructor(latency_histogram);
    registry.register_with_unit(
        "store_duration",
        "Time to begin (wait for a pooled connection) and to commit store transactions",
        prometheus_client::registry::Unit::Seconds,
        store_latency.clone(),
    );
    let pool_connections = Gauge::default();
    registry.register(
        "store_pool_connections",
        "Connections the store pool holds",
        pool_connections.clone(),
    );
    let pool_idle = Gauge::default();
    registry.register(
        "store_pool_idle_connections",
        "Connections of the store pool not in use",
        pool_idle.clone(),
    );
    let audit_pending = Gauge::default();
    registry.register(
        "audit_pending_events",
        "Audit events of reads and denials waiting for the next batch write",
        audit_pending.clone(),
    );
    let audit_dropped = Counter::default();
    registry.register(
        "audit_write_failures",
        "Audit batches that could not be written (kept and retried)",
        audit_dropped.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        decisions,
        auth_failures,
        store_latency,
        pool_connections,
        pool_idle,
        audit_pending,
        audit_dropped,
    }
});

/// Turns recording on or off for the whole process (`--metrics`).
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Counts a served request and its latency.
pub fn request(service: &'static str, operation: &'static str, status: u16, took: Duration) {
    if !enabled() {
        return;
    }
    // The series of each (service, operation, status) are looked up once per thread and
    // kept: the family's lookup hashes the labels' texts under a lock, this hashes two
    // addresses and a number.
    let key = (
        service.as_ptr() as usize,
        operation.as_ptr() as usize,
        status,
    );
    REQUEST_SERIES.with(|cell| {
        let mut series = cell.borrow_mut();
        let (count, latency) = series.entry(key).or_insert_with(|| {
            let labels = RequestLabels {
                service,
                operation,
                status,
            };
            (
                METRICS.requests.get_or_create(&labels).clone(),
                METRICS.latency.get_or_create(&labels).clone(),
            )
        });
        count.inc();
        latency.observe(took.as_secs_f64());
    });
}

/// Counts an authorization decision.
pub fn decision(outcome: &'static str, policy_type: &'static str) {
    if !enabled() {
        return;
    }
    let key = (outcome.as_ptr() as usize, policy_type.as_ptr() as usize);
    DECISION_SERIES.with(|cell| {
        cell.borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                METRICS
                    .decisions
                    .get_or_create(&DecisionLabels {
                        outcome,
                        policy_type,
                    })
                    .clone()
            })
            .inc();
    });
}

/// Counts a request refused by authentication.
pub fn authentication_failure(reason: &'static str) {
    if !enabled() {
        return;
    }
    METRICS
        .auth_failures
        .get_or_create(&ReasonLabels { reason })
        .inc();
}

/// Records how long a store operation (`begin`, `commit`) took.
pub fn store(operation: &'static str, took: Duration) {
    if !enabled() {
        return;
    }
    METRICS
        .store_latency
        .get_or_create(&StoreLabels { operation })
        .observe(took.as_secs_f64());
}

/// Sets the number of audit events waiting to be written.
pub fn audit_pending(count: usize) {
    METRICS
        .audit_pending
        .set(i64::try_from(count).unwrap_or(i64::MAX));
}

/// Counts a failed audit batch write.
pub fn audit_write_failure() {
    METRICS.audit_dropped.inc();
}

/// Renders every metric in Prometheus's text format, after sampling the pool gauges.
pub fn render(pool_connections: u32, pool_idle: usize) -> String {
    METRICS.pool_connections.set(i64::from(pool_connections));
    METRICS
        .pool_idle
        .set(i64::try_from(pool_idle).unwrap_or(i64::MAX));
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &METRICS.registry) {
        tracing::error!(%error, "could not render metrics");
    }
    text
}
