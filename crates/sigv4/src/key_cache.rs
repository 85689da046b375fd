//! A bounded, thread-safe cache of derived signing keys, so a hot path does no key
//! derivation.
//!
//! Entries are found by a SHA-256 fingerprint of (access key id, scope, secret): a
//! rotated or changed secret misses the cache instead of verifying against a stale key,
//! and the map holds no secret in the clear. When full, the least recently used sixteenth
//! of the entries goes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use sha2::{Digest, Sha256};

use crate::scope::CredentialScope;
use crate::signing::{derive_signing_key, SigningKey};

/// The number of keys [`SigningKeyCache::default`] holds.
pub const DEFAULT_CAPACITY: usize = 4096;

struct Entry {
    key: Arc<SigningKey>,
    last_used: AtomicU64,
}

/// Derived signing keys, keyed by access key id, scope and a fingerprint of the secret.
pub struct SigningKeyCache {
    entries: RwLock<HashMap<[u8; 32], Entry>>,
    capacity: usize,
    clock: AtomicU64,
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// SHA-256 over length-prefixed fields, so no two different inputs share a fingerprint.
fn fingerprint(access_key_id: &str, scope: &CredentialScope, secret: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"sigv4-key-cache\0");
    for field in [
        access_key_id.as_bytes(),
        scope.date.as_bytes(),
        scope.region.as_bytes(),
        scope.service.as_bytes(),
        secret,
    ] {
        // Lengths past u32 do not occur; saturating keeps the encoding total anyway.
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        hash.update(len.to_le_bytes());
        hash.update(field);
    }
    hash.finalize().into()
}

/// Removes the `count` least recently used entries: in a batch, so a full cache under a
/// stream of new keys pays for the scan once per `count` insertions.
fn evict_oldest(entries: &mut HashMap<[u8; 32], Entry>, count: usize) {
    let mut ages: Vec<(u64, [u8; 32])> = entries
        .iter()
        .map(|(id, e)| (e.last_used.load(Ordering::Relaxed), *id))
        .collect();
    if ages.len() > count {
        ages.select_nth_unstable(count);
        ages.truncate(count);
    }
    for (_, id) in ages {
        entries.remove(&id);
    }
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        SigningKeyCache {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
            clock: AtomicU64::new(0),
        }
    }

    /// The signing key for this access key, scope and secret: cached, or derived and
    /// cached.
    pub fn get_or_derive(
        &self,
        access_key_id: &str,
        scope: &CredentialScope,
        secret_access_key: &[u8],
    ) -> Arc<SigningKey> {
        let id = fingerprint(access_key_id, scope, secret_access_key);
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(entry) = entries.get(&id) {
                entry.last_used.store(now, Ordering::Relaxed);
                return Arc::clone(&entry.key);
            }
        }
        let key = Arc::new(derive_signing_key(
            secret_access_key,
            &scope.date,
            &scope.region,
            &scope.service,
        ));
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get(&id) {
            return Arc::clone(&entry.key);
        }
        if entries.len() >= self.capacity {
            evict_oldest(&mut entries, (self.capacity / 16).max(1));
        }
        entries.insert(
            id,
            Entry {
                key: Arc::clone(&key),
                last_used: AtomicU64::new(now),
            },
        );
        key
    }

    /// The number of cached keys.
    pub fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether no key is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every cached key (for example after a secret is deleted).
    pub fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(date: &str) -> CredentialScope {
        CredentialScope {
            date: date.into(),
            region: "us-east-1".into(),
            service: "iam".into(),
        }
    }

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn caches_by_key_scope_and_secret() {
        assert_send_sync::<SigningKeyCache>();
        let cache = SigningKeyCache::new(8);
        let a = cache.get_or_derive("AKID", &scope("20150830"), b"secret");
        let b = cache.get_or_derive("AKID", &scope("20150830"), b"secret");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(cache.len(), 1);

        let rotated = cache.get_or_derive("AKID", &scope("20150830"), b"secret2");
        assert!(!Arc::ptr_eq(&a, &rotated));
        assert_eq!(
            rotated.sign(b"x"),
            derive_signing_key(b"secret2", "20150830", "us-east-1", "iam").sign(b"x")
        );
        let next_day = cache.get_or_derive("AKID", &scope("20150831"), b"secret");
        assert!(!Arc::ptr_eq(&a, &next_day));
        assert_eq!(cache.len(), 3);
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let cache = SigningKeyCache::new(2);
        let first = cache.get_or_derive("A", &scope("20150830"), b"s");
        let _second = cache.get_or_derive("B", &scope("20150830"), b"s");
        // Touch A so B is the oldest.
        let again = cache.get_or_derive("A", &scope("20150830"), b"s");
        assert!(Arc::ptr_eq(&first, &again));
        let _third = cache.get_or_derive("C", &scope("20150830"), b"s");
        assert_eq!(cache.len(), 2);
        let still = cache.get_or_derive("A", &scope("20150830"), b"s");
        assert!(Arc::ptr_eq(&first, &still));
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn evicts_a_batch_of_the_oldest_when_full() {
        let cache = SigningKeyCache::new(32);
        let keys: Vec<_> = (0..32)
            .map(|i| cache.get_or_derive(&format!("K{i}"), &scope("20150830"), b"s"))
            .collect();
        // Touch all but K0 and K1, which become the oldest.
        for i in 2..32 {
            cache.get_or_derive(&format!("K{i}"), &scope("20150830"), b"s");
        }
        cache.get_or_derive("new", &scope("20150830"), b"s");
        assert_eq!(cache.len(), 31);
        // Survivors first: looking up an evicted key inserts it again.
        for i in (2..32).chain(0..2) {
            let again = cache.get_or_derive(&format!("K{i}"), &scope("20150830"), b"s");
            assert_eq!(Arc::ptr_eq(&keys[i], &again), i >= 2, "K{i}");
        }
    }

    #[test]
    fn fingerprint_fields_do_not_run_together() {
        assert_ne!(
            fingerprint("AB", &scope("20150830"), b"C"),
            fingerprint("A", &scope("20150830"), b"BC")
        );
    }
}
