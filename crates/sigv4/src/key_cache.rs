//! A bounded, thread-safe cache of derived signing keys, so a hot path does no key
//! derivation.
//!
//! Entries are found by a keyed hash of (access key id, scope, secret) and checked
//! against the key id and scope, compared exactly, and a second keyed hash of the secret
//! (in constant time): a rotated or changed secret misses the cache instead of verifying
//! against a stale key, and the map holds no secret in the clear. Both hashes are std's
//! SipHash under a key drawn at random for each cache, so a lookup costs two short hashes,
//! not a SHA-256. When full, the least recently used sixteenth of the entries goes.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use subtle::ConstantTimeEq;

use crate::scope::CredentialScope;
use crate::signing::{derive_signing_key, SigningKey};

/// The number of keys [`SigningKeyCache::default`] holds.
pub const DEFAULT_CAPACITY: usize = 4096;

struct Entry {
    access_key_id: Box<str>,
    scope: CredentialScope<'static>,
    /// The tag from [`SigningKeyCache::slot_and_tag`] of the secret `key` was derived
    /// from.
    secret_tag: u64,
    key: Arc<SigningKey>,
    last_used: AtomicU64,
}

impl Entry {
    fn is_for(&self, access_key_id: &str, scope: &CredentialScope<'_>) -> bool {
        *self.access_key_id == *access_key_id && self.scope == *scope
    }
}

/// Map keys are already keyed SipHash values: hashing them again would only cost time.
#[derive(Default)]
struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Slots = HashMap<u64, Entry, BuildHasherDefault<SlotHasher>>;

/// Derived signing keys, keyed by access key id, scope and a keyed hash of the secret.
pub struct SigningKeyCache {
    entries: RwLock<Slots>,
    /// The random key of both hashes.
    hash_key: RandomState,
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

/// Removes the `count` least recently used entries: in a batch, so a full cache under a
/// stream of new keys pays for the scan once per `count` insertions.
fn evict_oldest(entries: &mut Slots, count: usize) {
    let mut ages: Vec<(u64, u64)> = entries
        .iter()
        .map(|(slot, e)| (e.last_used.load(Ordering::Relaxed), *slot))
        .collect();
    if ages.len() > count {
        ages.select_nth_unstable(count);
        ages.truncate(count);
    }
    for (_, slot) in ages {
        entries.remove(&slot);
    }
}

impl SigningKeyCache {
    /// A cache holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        SigningKeyCache {
            entries: RwLock::new(Slots::default()),
            hash_key: RandomState::new(),
            capacity: capacity.max(1),
            clock: AtomicU64::new(0),
        }
    }

    /// Where the key for this access key id, scope and secret lives, and a tag of the
    /// secret alone: two SipHash outputs over distinct inputs (a leading 0 or 1), so 128
    /// bits depend on the secret. `str`'s `Hash` ends each field with a marker, so fields
    /// cannot run together.
    fn slot_and_tag(
        &self,
        access_key_id: &str,
        scope: &CredentialScope<'_>,
        secret: &[u8],
    ) -> (u64, u64) {
        let mut slot = self.hash_key.build_hasher();
        slot.write_u8(0);
        access_key_id.hash(&mut slot);
        scope.hash(&mut slot);
        secret.hash(&mut slot);
        let mut tag = self.hash_key.build_hasher();
        tag.write_u8(1);
        secret.hash(&mut tag);
        (slot.finish(), tag.finish())
    }

    /// The signing key for this access key, scope and secret: cached, or derived and
    /// cached.
    pub fn get_or_derive(
        &self,
        access_key_id: &str,
        scope: &CredentialScope<'_>,
        secret_access_key: &[u8],
    ) -> Arc<SigningKey> {
        let (slot, tag) = self.slot_and_tag(access_key_id, scope, secret_access_key);
        let fresh = |entry: &Entry| {
            entry.is_for(access_key_id, scope) && bool::from(entry.secret_tag.ct_eq(&tag))
        };
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(entry) = entries.get(&slot).filter(|e| fresh(e)) {
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
        if let Some(entry) = entries.get(&slot).filter(|e| fresh(e)) {
            return Arc::clone(&entry.key);
        }
        // An entry for another key id, scope or secret with the same slot hash (a 2^-64
        // chance) is replaced, not counted against the capacity.
        if !entries.contains_key(&slot) && entries.len() >= self.capacity {
            evict_oldest(&mut entries, (self.capacity / 16).max(1));
        }
        entries.insert(
            slot,
            Entry {
                access_key_id: access_key_id.into(),
                scope: scope.clone().into_owned(),
                secret_tag: tag,
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

    fn scope(date: &str) -> CredentialScope<'_> {
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
        let cache = SigningKeyCache::new(8);
        let ab = cache.get_or_derive("AB", &scope("20150830"), b"C");
        let a = cache.get_or_derive("A", &scope("20150830"), b"BC");
        assert!(!Arc::ptr_eq(&ab, &a));
        assert_eq!(
            a.sign(b"x"),
            derive_signing_key(b"BC", "20150830", "us-east-1", "iam").sign(b"x")
        );
        assert_eq!(cache.len(), 2);
    }
}
