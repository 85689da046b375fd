//! A counter and a histogram that threads record into without sharing a cache line.
//!
//! prometheus-client's histogram takes a write lock per observation, and its counter is
//! one atomic: with every worker thread recording every request into the same series,
//! the line holding them moves from core to core on each request. Here each thread adds
//! to its own shard (one of [`SHARDS`], cache-line aligned, picked once per thread), and
//! a scrape adds the shards up. The atomics stay because two threads may share a shard
//! when there are more threads than shards.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::{MetricType, TypedMetric};

/// Shards per series: one per worker thread up to this many.
const SHARDS: usize = 8;

/// Keeps a shard on a cache line (or two) of its own.
#[derive(Default)]
#[repr(align(128))]
struct Padded<T>(T);

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

fn shard() -> usize {
    SHARD.with(|shard| *shard)
}

/// A monotonic count.
#[derive(Clone, Default)]
pub struct ShardedCounter {
    shards: Arc<[Padded<AtomicU64>; SHARDS]>,
}

impl ShardedCounter {
    pub fn inc(&self) {
        if let Some(Padded(count)) = self.shards.get(shard()) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn get(&self) -> u64 {
        self.shards
            .iter()
            .map(|Padded(count)| count.load(Ordering::Relaxed))
            .fold(0, u64::wrapping_add)
    }
}

impl std::fmt::Debug for ShardedCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ShardedCounter").field(&self.get()).finish()
    }
}

impl TypedMetric for ShardedCounter {
    const TYPE: MetricType = MetricType::Counter;
}

impl EncodeMetric for ShardedCounter {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_counter::<NoLabelSet, _, u64>(&self.get(), None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

/// One shard of a histogram: observations per bucket (the last one unbounded) and the
/// sum of the observed values (an `f64`'s bits).
struct HistogramShard {
    buckets: Box<[AtomicU64]>,
    sum: AtomicU64,
}

/// Observations in buckets by upper bound, with their count and sum.
#[derive(Clone)]
pub struct ShardedHistogram {
    /// Upper bounds, ascending; a last bucket above them all is implied.
    bounds: Arc<[f64]>,
    shards: Arc<[Padded<HistogramShard>]>,
}

impl ShardedHistogram {
    pub fn new(bounds: impl IntoIterator<Item = f64>) -> Self {
        let bounds: Arc<[f64]> = bounds.into_iter().collect();
        let shards = (0..SHARDS)
            .map(|_| {
                Padded(HistogramShard {
                    buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
                    sum: AtomicU64::new(0f64.to_bits()),
                })
            })
            .collect();
        Self { bounds, shards }
    }

    pub fn observe(&self, value: f64) {
        let Some(Padded(shard)) = self.shards.get(shard()) else {
            return;
        };
        let bucket = self.bounds.partition_point(|bound| *bound < value);
        if let Some(count) = shard.buckets.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        // Uncontended unless threads share the shard: the loop runs once.
        let _ = shard
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
    }

    /// Sum, count and the count of each bucket (bounded by `f64::MAX` for the last).
    pub fn get(&self) -> (f64, u64, Vec<(f64, u64)>) {
        let mut buckets: Vec<(f64, u64)> = self
            .bounds
            .iter()
            .copied()
            .chain(std::iter::once(f64::MAX))
            .map(|bound| (bound, 0))
            .collect();
        let mut sum = 0.0;
        for Padded(shard) in self.shards.iter() {
            sum += f64::from_bits(shard.sum.load(Ordering::Relaxed));
            for ((_, total), count) in buckets.iter_mut().zip(shard.buckets.iter()) {
                *total += count.load(Ordering::Relaxed);
            }
        }
        let count = buckets.iter().map(|(_, n)| n).sum();
        (sum, count, buckets)
    }
}

impl std::fmt::Debug for ShardedHistogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (sum, count, _) = self.get();
        f.debug_struct("ShardedHistogram")
            .field("sum", &sum)
            .field("count", &count)
            .finish()
    }
}

impl TypedMetric for ShardedHistogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for ShardedHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let (sum, count, buckets) = self.get();
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_add_up_across_threads() {
        let counter = ShardedCounter::default();
        let histogram = ShardedHistogram::new([1.0, 10.0]);
        std::thread::scope(|scope| {
            for _ in 0..12 {
                scope.spawn(|| {
                    for value in [0.5, 1.0, 5.0, 50.0] {
                        counter.inc();
                        histogram.observe(value);
                    }
                });
            }
        });
        assert_eq!(counter.get(), 48);
        let (sum, count, buckets) = histogram.get();
        assert_eq!(count, 48);
        assert!((sum - 12.0 * 56.5).abs() < 1e-9);
        // A value equal to a bound is in that bound's bucket, as Prometheus's `le`.
        assert_eq!(buckets, [(1.0, 24), (10.0, 12), (f64::MAX, 12)]);
    }
}
