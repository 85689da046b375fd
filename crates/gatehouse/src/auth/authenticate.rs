//! Authentication: SigV4 verification against the caller's stored secret, and dev mode's
//! fallback identity for keys Gatehouse never issued.

use std::sync::atomic::{AtomicI64, Ordering};

use dashmap::DashSet;
use wire::ServiceError;

use crate::model::{AccountId, Partition};
use crate::secrets::MasterKey;
use crate::store::{AccountRecord, Store};

use super::session::TokenError;
use super::{CredentialCache, LastUsed, Principal, PrincipalKind};

/// What authentication reads: the store, the caches in front of it, and the rules in
/// force. Borrowed from the application's state for one request.
pub struct Authenticator<'a> {
    /// The database.
    pub store: &'a Store,
    /// The key that opens sealed secrets and session tokens.
    pub master_key: &'a MasterKey,
    /// Credentials and account status by key id and account.
    pub credentials: &'a CredentialCache,
    /// Derived SigV4 signing keys.
    pub signing_keys: &'a sigv4::SigningKeyCache,
    /// Where each key's and role's last use is noted.
    pub last_used: &'a LastUsed,
    /// Dev mode's state, when dev mode is on.
    pub dev: Option<&'a DevAuth>,
    /// The regions requests may be signed for (`--allowed-regions`); any when `None`.
    pub allowed_regions: Option<&'a [String]>,
}

/// The caller and where the request says it was sent.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who is calling.
    pub principal: Principal,
    /// The region of the credential scope.
    pub region: String,
}

/// Dev mode's state: the fallback account and moto's "skip authentication for the next
/// N requests" counter.
pub struct DevAuth {
    /// Account used for unknown keys that are not 12 digits.
    pub default_account: AccountId,
    /// Requests left that skip authentication; `-1` is dev mode's normal behaviour
    /// (unknown keys fall back, issued keys are verified), `0` is strict.
    no_auth_remaining: AtomicI64,
    known_accounts: DashSet<AccountId>,
}

impl DevAuth {
    /// Dev mode with its normal behaviour.
    pub fn new(default_account: AccountId) -> Self {
        Self {
            default_account,
            no_auth_remaining: AtomicI64::new(-1),
            known_accounts: DashSet::new(),
        }
    }

    /// Sets the no-auth counter (`None` = unlimited) and returns the previous value.
    pub fn set_no_auth(&self, count: Option<i64>) -> Option<i64> {
        let previous = self
            .no_auth_remaining
            .swap(count.unwrap_or(-1).max(-1), Ordering::SeqCst);
        (previous >= 0).then_some(previous)
    }

    /// Consumes one no-auth request if any is left.
    fn take_no_auth(&self) -> bool {
        self.no_auth_remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                (left > 0).then_some(left - 1)
            })
            .is_ok()
    }

    /// True while unknown keys fall back to a root identity.
    fn falls_back(&self) -> bool {
        self.no_auth_remaining.load(Ordering::SeqCst) < 0
    }

    /// Forgets which accounts exist (after a reset).
    pub fn forget_accounts(&self) {
        self.known_accounts.clear();
    }
}

fn invalid_token() -> ServiceError {
    ServiceError::new(
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )
}

/// Authenticates a request for `service` (the SigV4 signing name: `iam`, `sts`, …).
pub async fn authenticate(
    auth: &Authenticator<'_>,
    request: &sigv4::Request<'_>,
    parsed: sigv4::ParsedAuth<'_>,
    service: &str,
) -> Result<Authenticated, ServiceError> {
    let region = parsed.scope.region.to_string();
    let partition = Partition::for_region(&region);

    if let Some(dev) = auth.dev {
        if dev.take_no_auth() {
            return dev_root(auth, dev, &parsed.access_key_id, partition, region).await;
        }
    }

    // Scope and clock first: a request that cannot pass them costs no lookup and no
    // key derivation, however many regions or services an attacker invents.
    let mut options = sigv4::VerifyOptions::new(time::OffsetDateTime::now_utc());
    options.expected_service = Some(service);
    options.allowed_regions = auth.allowed_regions;
    sigv4::check_scope_and_time(&parsed, &options).map_err(sigv4_error)?;

    if let Some(token) = parsed.session_token.as_deref() {
        let now = options.now.unix_timestamp();
        let session = auth
            .credentials
            .open_session(auth.master_key, token, &parsed.access_key_id, now)
            .map_err(|err| match err {
                TokenError::Invalid => invalid_token(),
                TokenError::Expired => ServiceError::new(
                    "ExpiredToken",
                    403,
                    "The security token included in the request is expired",
                ),
            })?;
        let key = auth.signing_keys.get_or_derive(
            &parsed.access_key_id,
            &parsed.scope,
            session.secret.as_bytes(),
        );
        sigv4::verify(request, &parsed, &key, &options).map_err(sigv4_error)?;
        let account = AccountId::parse(&session.account).ok_or_else(invalid_token)?;
        if !account_active(auth, account).await? {
            return Err(invalid_token());
        }
        if let PrincipalKind::AssumedRole { role_id, .. } = &session.holder {
            auth.last_used
                .record_role(&session.account, role_id, &region);
        }
        return Ok(Authenticated {
            principal: Principal {
                account,
                partition,
                kind: session.holder.clone(),
                access_key_id: parsed.access_key_id.to_string(),
                session: Some(session),
            },
            region,
        });
    }

    let credential = auth
        .credentials
        .lookup(auth.store, auth.master_key, &parsed.access_key_id)
        .await?;
    let Some(credential) = credential else {
        if let Some(dev) = auth.dev.filter(|dev| dev.falls_back()) {
            return dev_root(auth, dev, &parsed.access_key_id, partition, region).await;
        }
        return Err(invalid_token());
    };
    if !credential.active || !account_active(auth, credential.account).await? {
        return Err(invalid_token());
    }
    let key = auth.signing_keys.get_or_derive(
        &parsed.access_key_id,
        &parsed.scope,
        credential.secret.as_bytes(),
    );
    sigv4::verify(request, &parsed, &key, &options).map_err(sigv4_error)?;
    auth.last_used
        .record(&parsed.access_key_id, service, &region);
    Ok(Authenticated {
        principal: Principal {
            account: credential.account,
            partition,
            kind: credential.kind.clone(),
            access_key_id: parsed.access_key_id.to_string(),
            session: None,
        },
        region,
    })
}

/// False for a closed (`SUSPENDED`) account: none of its credentials authenticate.
async fn account_active(
    auth: &Authenticator<'_>,
    account: AccountId,
) -> Result<bool, ServiceError> {
    Ok(auth.credentials.account_active(auth.store, account).await?)
}

/// Dev mode: the root of the account a 12-digit key id names, or of the default account.
async fn dev_root(
    auth: &Authenticator<'_>,
    dev: &DevAuth,
    access_key_id: &str,
    partition: Partition,
    region: String,
) -> Result<Authenticated, ServiceError> {
    let account = AccountId::parse(access_key_id).unwrap_or(dev.default_account);
    if !dev.known_accounts.contains(&account) {
        ensure_account(auth, account).await?;
        dev.known_accounts.insert(account);
    }
    if !account_active(auth, account).await? {
        return Err(invalid_token());
    }
    Ok(Authenticated {
        principal: Principal {
            account,
            partition,
            kind: PrincipalKind::Root,
            access_key_id: access_key_id.to_owned(),
            session: None,
        },
        region,
    })
}

async fn ensure_account(auth: &Authenticator<'_>, account: AccountId) -> Result<(), ServiceError> {
    let id = account.to_string();
    let mut tx = auth.store.begin().await?;
    if tx.account(&id).await?.is_none() {
        let record = AccountRecord {
            account_id: id.clone(),
            name: format!("dev-{id}"),
            email: format!("root+{id}@gatehouse.invalid"),
            status: "ACTIVE".to_owned(),
            created_at: crate::store::now_millis(),
        };
        match tx.insert_account(&record).await {
            // Another request created it first: that is the same outcome.
            Ok(()) | Err(crate::store::StoreError::Duplicate) => {}
            Err(err) => return Err(err.into()),
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The AWS error for a SigV4 failure.
pub fn sigv4_error(err: sigv4::Error) -> ServiceError {
    ServiceError::new(err.code(), err.status(), err.to_string())
}
