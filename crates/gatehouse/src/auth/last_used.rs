//! Last use of access keys (`GetAccessKeyLastUsed`) and of roles (`RoleLastUsed`):
//! noted in memory on every request, written to the store in batches off the request
//! path, at most a second late. Uses coalesce per key and per role between two writes,
//! so a busy role costs one write per second, however many requests its sessions sign;
//! a key's use is noted by each thread at most every tenth of a second.
//! Role sessions are verified without reading the store; this keeps it that way.

use std::cell::RefCell;

use dashmap::DashMap;

use crate::store::Store;

/// How often one thread notes the same key's use, at most.
const NOTE_EVERY_MILLIS: i64 = 100;

thread_local! {
    /// The use this thread noted last: key id, service, region, when.
    static LAST_NOTED: RefCell<(String, String, String, i64)> =
        const { RefCell::new((String::new(), String::new(), String::new(), 0)) };
}

/// Pending last-use records.
#[derive(Default)]
pub struct LastUsed {
    /// By access key id: time, service, region.
    keys: DashMap<String, (i64, String, String)>,
    /// By (account, role id): time, region.
    roles: DashMap<(String, String), (i64, String)>,
}

/// Takes every entry out of a map (entries added meanwhile stay for the next batch).
fn drain<K, V>(map: &DashMap<K, V>) -> Vec<(K, V)>
where
    K: Clone + Eq + std::hash::Hash,
{
    let keys: Vec<K> = map.iter().map(|entry| entry.key().clone()).collect();
    keys.into_iter()
        .filter_map(|key| map.remove(&key))
        .collect()
}

impl LastUsed {
    /// Notes that `access_key_id` was just used for `service` in `region`.
    ///
    /// A thread that noted the same use less than [`NOTE_EVERY_MILLIS`] ago skips it:
    /// the map's entry is shared by every worker, and writing it on every request would
    /// pass its cache line from core to core. The time written is exact to that much.
    pub fn record(&self, access_key_id: &str, service: &str, region: &str) {
        let now = crate::store::now_millis();
        let recent = LAST_NOTED.with(|cell| {
            let mut noted = cell.borrow_mut();
            if noted.0 == access_key_id && noted.1 == service && noted.2 == region {
                if now.saturating_sub(noted.3) < NOTE_EVERY_MILLIS {
                    return true;
                }
            } else {
                *noted = (
                    access_key_id.to_owned(),
                    service.to_owned(),
                    region.to_owned(),
                    0,
                );
            }
            noted.3 = now;
            false
        });
        if recent {
            return;
        }
        // Same key, service and region (the common case): only the time moves, nothing
        // is allocated.
        if let Some(mut entry) = self.keys.get_mut(access_key_id) {
            let (at, last_service, last_region) = entry.value_mut();
            if last_service == service && last_region == region {
                *at = now;
                return;
            }
        }
        self.keys.insert(
            access_key_id.to_owned(),
            (now, service.to_owned(), region.to_owned()),
        );
    }

    /// The use noted but not yet written for a key, if any.
    pub fn peek(&self, access_key_id: &str) -> Option<(i64, String, String)> {
        self.keys
            .get(access_key_id)
            .map(|entry| entry.value().clone())
    }

    /// Notes that a session of the role `role_id` of `account` was just used in `region`.
    pub fn record_role(&self, account: &str, role_id: &str, region: &str) {
        let now = crate::store::now_millis();
        let key = (account.to_owned(), role_id.to_owned());
        // Same role, same region: only the time moves, no allocation for the value.
        if let Some(mut entry) = self.roles.get_mut(&key) {
            if entry.1 == region {
                entry.0 = now;
                return;
            }
        }
        self.roles.insert(key, (now, region.to_owned()));
    }

    /// The role use noted but not yet written, if any.
    pub fn peek_role(&self, account: &str, role_id: &str) -> Option<(i64, String)> {
        self.roles
            .get(&(account.to_owned(), role_id.to_owned()))
            .map(|entry| entry.value().clone())
    }
}

/// Writes pending records once.
pub async fn flush(store: &Store, pending: &LastUsed) {
    let keys = drain(&pending.keys);
    let roles = drain(&pending.roles);
    if keys.is_empty() && roles.is_empty() {
        return;
    }
    let result = async {
        let mut tx = store.begin().await?;
        for (key, (at, service, region)) in &keys {
            tx.record_key_use(key, *at, service, region).await?;
        }
        for ((account, role_id), (at, region)) in &roles {
            tx.record_role_use(account, role_id, *at, region).await?;
        }
        tx.commit().await
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(%error, "could not record access key or role use");
    }
}
