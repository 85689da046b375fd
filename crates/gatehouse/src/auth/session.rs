//! STS session credentials. The session token is the session itself, sealed (AES-256-GCM
//! under the master key): any node verifies a request signed with session credentials
//! without reading the database. Tampering fails the seal; expiry is checked on use.
//!
//! A session is held by a role (`AssumeRole`), by the IAM user or root user that asked for
//! it (`GetSessionToken`), or by a federated user (`GetFederationToken`).

use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::PrincipalKind;
use crate::secrets::MasterKey;

/// Prefix of every token Gatehouse issues (and its format version).
const TOKEN_PREFIX: &str = "GHS2";
/// Associated data binding sealed sessions to their purpose.
const SEAL_CONTEXT: &[u8] = b"gatehouse sts session v2";

/// A session as sealed into its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The temporary access key id (`ASIA…`) the session belongs to.
    pub access_key_id: String,
    /// The temporary secret access key.
    pub secret: String,
    /// The account of the session's holder.
    pub account: String,
    /// Who acts with the session: an assumed role, a user, the root user or a federated
    /// user.
    pub holder: PrincipalKind,
    /// Issue time, Unix seconds (`aws:TokenIssueTime`).
    pub issued: i64,
    /// Expiry, Unix seconds.
    pub expires: i64,
    /// Session policy documents (inline `Policy`, then the `PolicyArns` documents).
    pub policies: Vec<String>,
    /// Session tags.
    pub tags: Vec<(String, String)>,
    /// Keys of the session tags that pass on to sessions this one assumes.
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
    /// `SourceIdentity`, if set.
    pub source_identity: Option<String>,
    /// True when a role session assumed this role (role chaining: at most one hour).
    pub chained: bool,
    /// When the holder proved an MFA code for this session (Unix seconds), if it did
    /// (`aws:MultiFactorAuthPresent`, `aws:MultiFactorAuthAge`).
    #[serde(default)]
    pub mfa_at: Option<i64>,
    /// For a root session from `AssumeRoot`: the ARN of its task policy (the session's
    /// only session policy), which limits the root user to that one task.
    #[serde(default)]
    pub root_task: Option<String>,
    /// For a session from `GetDelegatedAccessToken`: the delegation request it was traded
    /// for. Its only session policy is the request's permission policy, which limits the
    /// approving identity to what was delegated.
    #[serde(default)]
    pub delegation: Option<String>,
    /// The session policies compiled, once per opened session (derived from `policies`,
    /// never sealed).
    #[serde(skip)]
    pub compiled_policies: CompiledSessionPolicies,
}

/// A session's policies as the engine takes them, compiled on first use: a remembered
/// session is not parsed again on every request.
#[derive(Clone, Default)]
pub struct CompiledSessionPolicies(std::sync::OnceLock<std::sync::Arc<[policy::CompiledPolicy]>>);

impl CompiledSessionPolicies {
    /// The compiled policies, compiling them with `compile` the first time.
    pub fn get_or_compile(
        &self,
        compile: impl FnOnce() -> Vec<policy::CompiledPolicy>,
    ) -> std::sync::Arc<[policy::CompiledPolicy]> {
        std::sync::Arc::clone(self.0.get_or_init(|| compile().into()))
    }
}

/// A cache: sessions are equal whatever it holds.
impl PartialEq for CompiledSessionPolicies {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for CompiledSessionPolicies {}

impl std::fmt::Debug for CompiledSessionPolicies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "compiled"
        } else {
            "not compiled yet"
        })
    }
}

impl Session {
    /// True for a session from `GetFederationToken`.
    pub fn is_federated(&self) -> bool {
        matches!(self.holder, PrincipalKind::FederatedUser { .. })
    }

    /// True for a session from `GetSessionToken` (held by a user or the root user).
    pub fn is_user_session(&self) -> bool {
        self.root_task.is_none()
            && self.delegation.is_none()
            && matches!(
                self.holder,
                PrincipalKind::User { .. } | PrincipalKind::Root
            )
    }
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token Gatehouse sealed, or altered.
    Invalid,
    /// Valid but past its expiry.
    Expired,
}

impl Session {
    /// Seals the session into its token.
    pub fn seal(&self, key: &MasterKey) -> String {
        let json = Zeroizing::new(serde_json::to_vec(self).unwrap_or_default());
        let sealed = key.seal(SEAL_CONTEXT, &json);
        format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
        )
    }

    /// Opens a token and checks that it belongs to `access_key_id` and has not expired.
    pub fn open(
        key: &MasterKey,
        token: &str,
        access_key_id: &str,
        now: i64,
    ) -> Result<Session, TokenError> {
        let body = token
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(TokenError::Invalid)?;
        let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Invalid)?;
        let json = key
            .open(SEAL_CONTEXT, &sealed)
            .map_err(|_| TokenError::Invalid)?;
        let session: Session = serde_json::from_slice(&json).map_err(|_| TokenError::Invalid)?;
        // Constant time is not needed here: the id is not secret, and the seal already
        // proved the token authentic.
        if session.access_key_id != access_key_id {
            return Err(TokenError::Invalid);
        }
        if now >= session.expires {
            return Err(TokenError::Expired);
        }
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([9u8; 32]))
            .unwrap()
    }

    fn session() -> Session {
        Session {
            compiled_policies: Default::default(),
            access_key_id: "ASIAEXAMPLE".into(),
            secret: "secret".into(),
            account: "123456789012".into(),
            holder: PrincipalKind::AssumedRole {
                role_name: "Dev".into(),
                role_id: "AROAEXAMPLE".into(),
                role_path: "/".into(),
                session_name: "alice".into(),
            },
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
    fn session_policies_compile_once_per_opened_session() {
        let session = std::sync::Arc::new(session());
        let calls = std::cell::Cell::new(0);
        let compile = || {
            calls.set(calls.get() + 1);
            vec![policy::CompiledPolicy::parse(
                "session/0",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}"#,
                policy::PolicyKind::Session,
            )
            .unwrap()]
        };
        let first = session.compiled_policies.get_or_compile(compile);
        let again = session.compiled_policies.get_or_compile(compile);
        assert_eq!(calls.get(), 1);
        assert!(std::sync::Arc::ptr_eq(&first, &again));
        // The cache is not part of the session's identity, nor of its sealed form.
        let fresh = super::tests::session();
        assert_eq!(*session, fresh);
    }

    #[test]
    fn tokens_open_only_untouched_for_their_key_and_before_expiry() {
        let key = key();
        let token = session().seal(&key);
        assert!(!token.contains("secret"));
        assert_eq!(
            Session::open(&key, &token, "ASIAEXAMPLE", 1_500),
            Ok(session())
        );
        assert_eq!(
            Session::open(&key, &token, "ASIAOTHER", 1_500),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            Session::open(&key, &token, "ASIAEXAMPLE", 2_000),
            Err(TokenError::Expired)
        );
        let mut tampered = token.clone().into_bytes();
        if let Some(byte) = tampered.get_mut(10) {
            *byte = if *byte == b'A' { b'B' } else { b'A' };
        }
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            Session::open(&key, &tampered, "ASIAEXAMPLE", 1_500),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            Session::open(&key, "garbage", "ASIAEXAMPLE", 1_500),
            Err(TokenError::Invalid)
        );
        let other =
            MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([1u8; 32]))
                .unwrap();
        assert_eq!(
            Session::open(&other, &token, "ASIAEXAMPLE", 1_500),
            Err(TokenError::Invalid)
        );
    }
}
