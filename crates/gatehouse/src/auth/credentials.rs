//! Long-term credentials by access key id, cached in memory so the hot path of
//! authentication reads no database. Entries expire after a short time-to-live, which
//! bounds how stale another node's view can be; local changes invalidate at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use zeroize::Zeroizing;

use crate::model::AccountId;
use crate::secrets::MasterKey;
use crate::store::{KeyOwner, Store, StoreError};

use subtle::ConstantTimeEq;

use super::session::{Session, TokenError};
use super::PrincipalKind;

/// How long a cached entry (found or not found) is trusted.
const TTL: Duration = Duration::from_secs(5);
/// Above this many entries the cache starts over, so random key ids cannot grow it unbounded.
const MAX_ENTRIES: usize = 100_000;

/// A credential as authentication needs it.
pub struct Credential {
    /// The owning account.
    pub account: AccountId,
    /// Root or the user (with name, id and path).
    pub kind: PrincipalKind,
    /// The secret access key, in clear only in memory.
    pub secret: Zeroizing<String>,
    /// False once the key is made `Inactive`.
    pub active: bool,
}

struct Entry {
    credential: Option<Arc<Credential>>,
    loaded: Instant,
}

/// The cache; share one per process.
#[derive(Default)]
pub struct CredentialCache {
    entries: DashMap<String, Entry>,
    accounts: DashMap<AccountId, (bool, Instant)>,
    /// Sessions opened recently, by temporary key id, with the token they came from: a
    /// session's later requests skip the AES-GCM open and the JSON parse.
    sessions: DashMap<String, (String, Arc<Session>)>,
}

impl CredentialCache {
    /// The credential for `access_key_id`, from memory or the store; `None` if unknown.
    pub async fn lookup(
        &self,
        store: &Store,
        master_key: &MasterKey,
        access_key_id: &str,
    ) -> Result<Option<Arc<Credential>>, StoreError> {
        if let Some(entry) = self.entries.get(access_key_id) {
            if entry.loaded.elapsed() < TTL {
                return Ok(entry.credential.clone());
            }
        }
        let credential = load(store, master_key, access_key_id).await?.map(Arc::new);
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries.insert(
            access_key_id.to_owned(),
            Entry {
                credential: credential.clone(),
                loaded: Instant::now(),
            },
        );
        Ok(credential)
    }

    /// The session sealed in `token` for `access_key_id`, opened once and then remembered
    /// for as long as it is valid (expiry is checked on every use).
    pub fn open_session(
        &self,
        key: &MasterKey,
        token: &str,
        access_key_id: &str,
        now: i64,
    ) -> Result<Arc<Session>, TokenError> {
        if let Some(entry) = self.sessions.get(access_key_id) {
            let (known, session) = entry.value();
            if bool::from(known.as_bytes().ct_eq(token.as_bytes())) {
                if now >= session.expires {
                    return Err(TokenError::Expired);
                }
                return Ok(Arc::clone(session));
            }
        }
        let session = Arc::new(Session::open(key, token, access_key_id, now)?);
        if self.sessions.len() >= MAX_ENTRIES {
            self.sessions.clear();
        }
        self.sessions.insert(
            access_key_id.to_owned(),
            (token.to_owned(), Arc::clone(&session)),
        );
        Ok(session)
    }

    /// Forgets one key (after it changed or was deleted).
    pub fn invalidate(&self, access_key_id: &str) {
        self.entries.remove(access_key_id);
    }

    /// Forgets everything (after a reset).
    pub fn clear(&self) {
        self.entries.clear();
        self.accounts.clear();
        self.sessions.clear();
    }

    /// Whether `account` may act at all: false once it is closed (`SUSPENDED`) or gone.
    /// Cached like credentials, so sessions still authenticate without a read per request.
    pub async fn account_active(
        &self,
        store: &Store,
        account: AccountId,
    ) -> Result<bool, StoreError> {
        if let Some(entry) = self.accounts.get(&account) {
            if entry.1.elapsed() < TTL {
                return Ok(entry.0);
            }
        }
        let mut tx = store.begin().await?;
        let active = tx
            .account(&account.to_string())
            .await?
            .is_some_and(|found| found.status == "ACTIVE");
        drop(tx);
        if self.accounts.len() >= MAX_ENTRIES {
            self.accounts.clear();
        }
        self.accounts.insert(account, (active, Instant::now()));
        Ok(active)
    }
}

async fn load(
    store: &Store,
    master_key: &MasterKey,
    access_key_id: &str,
) -> Result<Option<Credential>, StoreError> {
    let mut tx = store.begin().await?;
    let Some(record) = tx.access_key_by_id(access_key_id).await? else {
        return Ok(None);
    };
    let account = AccountId::parse(&record.account_id)
        .ok_or_else(|| StoreError::Corrupt(format!("account id `{}`", record.account_id)))?;
    let kind = match &record.owner {
        KeyOwner::Root => PrincipalKind::Root,
        KeyOwner::User(key) => {
            let Some(user) = tx.user(&record.account_id, key).await? else {
                // A key whose user is gone authenticates nobody.
                return Ok(None);
            };
            PrincipalKind::User {
                name: user.user_name,
                id: user.user_id,
                path: user.path,
            }
        }
    };
    let secret = master_key
        .open(access_key_id.as_bytes(), &record.secret_sealed)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let secret = Zeroizing::new(
        String::from_utf8(secret.to_vec())
            .map_err(|_| StoreError::Corrupt("secret access key is not UTF-8".to_owned()))?,
    );
    Ok(Some(Credential {
        account,
        kind,
        secret,
        active: record.status == "Active",
    }))
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    fn session() -> Session {
        Session {
            compiled_policies: Default::default(),
            access_key_id: "ASIAEXAMPLE".into(),
            secret: "secret".into(),
            account: "123456789012".into(),
            holder: PrincipalKind::Root,
            issued: 1_000,
            expires: 2_000,
            policies: vec![],
            tags: vec![],
            transitive_tag_keys: vec![],
            source_identity: None,
            chained: false,
            mfa_at: None,
            root_task: None,
            delegation: None,
        }
    }

    #[test]
    fn remembered_sessions_still_expire_and_other_tokens_are_still_checked() {
        let key =
            MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
                .unwrap();
        let cache = CredentialCache::default();
        let token = session().seal(&key);
        let first = cache
            .open_session(&key, &token, "ASIAEXAMPLE", 1_500)
            .unwrap();
        let again = cache
            .open_session(&key, &token, "ASIAEXAMPLE", 1_600)
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(
            cache.open_session(&key, &token, "ASIAEXAMPLE", 2_000).err(),
            Some(TokenError::Expired)
        );
        let mut altered = token.clone();
        altered.push('A');
        assert_eq!(
            cache
                .open_session(&key, &altered, "ASIAEXAMPLE", 1_500)
                .err(),
            Some(TokenError::Invalid)
        );
        assert_eq!(
            cache.open_session(&key, &token, "ASIAOTHER", 1_500).err(),
            Some(TokenError::Invalid)
        );
    }
}
