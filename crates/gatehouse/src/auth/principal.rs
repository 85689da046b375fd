//! The authenticated caller.

use serde::{Deserialize, Serialize};

use crate::model::{arn, AccountId, Partition};

use super::session::Session;

/// What kind of identity made the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// A session of an IAM role (`AssumeRole`).
    AssumedRole {
        /// The role's name.
        role_name: String,
        /// `AROA…`.
        role_id: String,
        /// The role's path.
        role_path: String,
        /// `RoleSessionName`.
        session_name: String,
    },
    /// A federated user (`GetFederationToken`), acting within the permissions of the IAM
    /// user (or root user) that asked for it.
    FederatedUser {
        /// The federated user's name.
        name: String,
        /// The IAM user behind it; `None` for the root user.
        user: Option<FederatingUser>,
    },
}

/// The IAM user whose permissions bound a federated user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederatingUser {
    /// Name as created.
    pub name: String,
    /// `AIDA…`.
    pub id: String,
    /// Path, e.g. `/`.
    pub path: String,
}

/// An authenticated caller, as every later stage sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account the caller belongs to.
    pub account: AccountId,
    /// The partition taken from the request's credential scope.
    pub partition: Partition,
    /// Root, user, role session or federated user.
    pub kind: PrincipalKind,
    /// The access key id the request was signed with.
    pub access_key_id: String,
    /// The STS session the request was signed with, for temporary credentials.
    pub session: Option<std::sync::Arc<Session>>,
}

impl Principal {
    /// The caller's ARN (`…:root`, `…:user/path/name`, `…:assumed-role/role/session`,
    /// `…:federated-user/name`).
    pub fn arn(&self) -> String {
        match &self.kind {
            PrincipalKind::Root => arn::root(self.partition, self.account),
            PrincipalKind::User { name, path, .. } => {
                arn::iam_entity(self.partition, self.account, "user", path, name)
            }
            PrincipalKind::AssumedRole {
                role_name,
                session_name,
                ..
            } => format!(
                "arn:{}:sts::{}:assumed-role/{role_name}/{session_name}",
                self.partition, self.account
            ),
            PrincipalKind::FederatedUser { name, .. } => format!(
                "arn:{}:sts::{}:federated-user/{name}",
                self.partition, self.account
            ),
        }
    }

    /// The IAM role behind a role session.
    pub fn role_arn(&self) -> Option<String> {
        match &self.kind {
            PrincipalKind::AssumedRole {
                role_name,
                role_path,
                ..
            } => Some(arn::iam_entity(
                self.partition,
                self.account,
                "role",
                role_path,
                role_name,
            )),
            _ => None,
        }
    }

    /// The IAM identity whose policies govern the caller: the user behind a federated
    /// user (the account's root ARN when the root user federated).
    pub fn federating_arn(&self) -> Option<String> {
        match &self.kind {
            PrincipalKind::FederatedUser { user, .. } => Some(match user {
                Some(user) => {
                    arn::iam_entity(self.partition, self.account, "user", &user.path, &user.name)
                }
                None => arn::root(self.partition, self.account),
            }),
            _ => None,
        }
    }

    /// The path of the role behind a role session.
    pub fn role_path(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::AssumedRole { role_path, .. } => Some(role_path),
            _ => None,
        }
    }

    /// The caller's unique id as `GetCallerIdentity` reports it (the account id for root).
    pub fn user_id(&self) -> String {
        match &self.kind {
            PrincipalKind::Root => self.account.to_string(),
            PrincipalKind::User { id, .. } => id.clone(),
            PrincipalKind::AssumedRole {
                role_id,
                session_name,
                ..
            } => format!("{role_id}:{session_name}"),
            PrincipalKind::FederatedUser { name, .. } => format!("{}:{name}", self.account),
        }
    }

    /// True for the account's root user (with its long-term keys or a session of it).
    pub fn is_root(&self) -> bool {
        matches!(self.kind, PrincipalKind::Root)
    }

    /// The IAM user name, if the caller is a user.
    pub fn user_name(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::User { name, .. } => Some(name),
            _ => None,
        }
    }

    /// True when the caller proved an MFA code (only sessions can carry that proof).
    pub fn mfa_at(&self) -> Option<i64> {
        self.session.as_ref().and_then(|session| session.mfa_at)
    }
}
