//! Last use of access keys (`GetAccessKeyLastUsed`): noted in memory on every request,
//! written to the store in batches off the request path, at most a second late.

use std::time::Duration;

use dashmap::DashMap;

use super::App;

/// Pending last-use records by access key id.
#[derive(Default)]
pub struct KeyUsage {
    pending: DashMap<String, (i64, String, String)>,
}

impl KeyUsage {
    /// Notes that `access_key_id` was just used for `service` in `region`.
    pub fn record(&self, access_key_id: &str, service: &str, region: &str) {
        let now = crate::store::now_millis();
        self.pending.insert(
            access_key_id.to_owned(),
            (now, service.to_owned(), region.to_owned()),
        );
    }

    /// The use noted but not yet written for a key, if any.
    pub fn peek(&self, access_key_id: &str) -> Option<(i64, String, String)> {
        self.pending
            .get(access_key_id)
            .map(|entry| entry.value().clone())
    }

    fn drain(&self) -> Vec<(String, (i64, String, String))> {
        let keys: Vec<String> = self
            .pending
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        keys.into_iter()
            .filter_map(|key| self.pending.remove(&key))
            .collect()
    }
}

/// Writes pending records once.
pub async fn flush(app: &App) {
    let batch = app.key_usage().drain();
    if batch.is_empty() {
        return;
    }
    let result = async {
        let mut tx = app.store().begin().await?;
        for (key, (at, service, region)) in &batch {
            tx.record_key_use(key, *at, service, region).await?;
        }
        tx.commit().await
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(%error, "could not record access key use");
    }
}

/// Flushes every second until the task is aborted.
pub async fn flush_forever(app: App) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    loop {
        ticker.tick().await;
        flush(&app).await;
    }
}
