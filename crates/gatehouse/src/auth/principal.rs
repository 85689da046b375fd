//! The authenticated caller.

use crate::model::{arn, AccountId, Partition};

use super::session::Session;

/// What kind of identity made the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User {
        /// Name as created.
        name: String,
        /// `AIDA…`.
        id: String,
        /// Path, e.g. `/`.
        path: String,
    },
    /// A session of an IAM role, from STS (`ASIA…` keys with a session token).
    AssumedRole(Box<Session>),
}

/// An authenticated caller, as every later stage sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account the caller belongs to.
    pub account: AccountId,
    /// The partition taken from the request's credential scope.
    pub partition: Partition,
    /// Root or user (roles and sessions come with STS).
    pub kind: PrincipalKind,
    /// The access key id the request was signed with.
    pub access_key_id: String,
}

impl Principal {
    /// The caller's ARN (`…:root`, `…:user/path/name`).
    pub fn arn(&self) -> String {
        match &self.kind {
            PrincipalKind::Root => arn::root(self.partition, self.account),
            PrincipalKind::User { name, path, .. } => {
                arn::iam_entity(self.partition, self.account, "user", path, name)
            }
            PrincipalKind::AssumedRole(session) => format!(
                "arn:{}:sts::{}:assumed-role/{}/{}",
                self.partition, self.account, session.role_name, session.session_name
            ),
        }
    }

    /// The IAM role behind a role session.
    pub fn role_arn(&self) -> Option<String> {
        match &self.kind {
            PrincipalKind::AssumedRole(session) => Some(arn::iam_entity(
                self.partition,
                self.account,
                "role",
                &session.role_path,
                &session.role_name,
            )),
            _ => None,
        }
    }

    /// The caller's unique id as `GetCallerIdentity` reports it (the account id for root).
    pub fn user_id(&self) -> String {
        match &self.kind {
            PrincipalKind::Root => self.account.to_string(),
            PrincipalKind::User { id, .. } => id.clone(),
            PrincipalKind::AssumedRole(session) => {
                format!("{}:{}", session.role_id, session.session_name)
            }
        }
    }

    /// True for the account's root user.
    pub fn is_root(&self) -> bool {
        matches!(self.kind, PrincipalKind::Root)
    }

    /// The IAM user name, if the caller is a user.
    pub fn user_name(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::User { name, .. } => Some(name),
            PrincipalKind::Root | PrincipalKind::AssumedRole(_) => None,
        }
    }
}
