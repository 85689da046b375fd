//! IAM policies: customer managed policies with their versions, inline policies of users,
//! groups and roles, and attachments of managed policies (customer or AWS managed, by
//! ARN) to those identities. Documents are stored as the text the client sent.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// Which kind of identity owns an inline policy or an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
}

impl OwnerKind {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "user" => Some(Self::User),
            "group" => Some(Self::Group),
            "role" => Some(Self::Role),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "role",
        }
    }
}

/// A customer managed policy as stored (without its documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicyRecord {
    /// Owning account.
    pub account_id: String,
    /// Name as created.
    pub policy_name: String,
    /// `ANPA…`.
    pub policy_id: String,
    /// Path, `/` by default.
    pub path: String,
    /// Description given at creation.
    pub description: Option<String>,
    /// The default version's number (`v<N>`).
    pub default_version: i64,
    /// The number the next version gets.
    pub next_version: i64,
    /// Creation time, milliseconds.
    pub created_at: i64,
    /// Last change of the default version, milliseconds.
    pub updated_at: i64,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
}

/// One version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersionRecord {
    /// The version number (`v<N>`).
    pub version: i64,
    /// The document text.
    pub document: String,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const POLICY_COLUMNS: &str =
    "account_id, policy_name, policy_id, path, description, default_version, \
                              next_version, created_at, updated_at, tags";

fn policy_from_row(row: &AnyRow) -> Result<ManagedPolicyRecord, StoreError> {
    let tags: String = column(row, "tags")?;
    Ok(ManagedPolicyRecord {
        account_id: column(row, "account_id")?,
        policy_name: column(row, "policy_name")?,
        policy_id: column(row, "policy_id")?,
        path: column(row, "path")?,
        description: column(row, "description")?,
        default_version: column(row, "default_version")?,
        next_version: column(row, "next_version")?,
        created_at: column(row, "created_at")?,
        updated_at: column(row, "updated_at")?,
        tags: serde_json::from_str(&tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
    })
}

fn version_from_row(row: &AnyRow) -> Result<PolicyVersionRecord, StoreError> {
    Ok(PolicyVersionRecord {
        version: column(row, "version")?,
        document: column(row, "document")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a managed policy and its first version (`v1`, default).
    pub async fn insert_managed_policy(
        &mut self,
        policy: &ManagedPolicyRecord,
        document: &str,
    ) -> Result<(), StoreError> {
        let tags = serde_json::to_string(&policy.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO managed_policies (account_id, policy_key, policy_name, policy_id, path, description, \
             default_version, next_version, created_at, updated_at, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&policy.account_id)
        .bind(name_key(&policy.policy_name))
        .bind(&policy.policy_name)
        .bind(&policy.policy_id)
        .bind(&policy.path)
        .bind(&policy.description)
        .bind(policy.default_version)
        .bind(policy.next_version)
        .bind(policy.created_at)
        .bind(policy.updated_at)
        .bind(tags)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        self.insert_policy_version(
            &policy.account_id,
            &policy.policy_name,
            policy.default_version,
            document,
            policy.created_at,
        )
        .await
    }

    /// Adds a version to a managed policy.
    pub async fn insert_policy_version(
        &mut self,
        account_id: &str,
        policy_name: &str,
        version: i64,
        document: &str,
        created_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO policy_versions (account_id, policy_key, version, document, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account_id)
        .bind(name_key(policy_name))
        .bind(version)
        .bind(document)
        .bind(created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// Updates the version counters of a managed policy.
    pub async fn update_policy_versions(
        &mut self,
        account_id: &str,
        policy_name: &str,
        default_version: i64,
        next_version: i64,
        updated_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE managed_policies SET default_version = $3, next_version = $4, updated_at = $5 \
             WHERE account_id = $1 AND policy_key = $2",
        )
        .bind(account_id)
        .bind(name_key(policy_name))
        .bind(default_version)
        .bind(next_version)
        .bind(updated_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The managed policy of that name in the account.
    pub async fn managed_policy(
        &mut self,
        account_id: &str,
        policy_name: &str,
    ) -> Result<Option<ManagedPolicyRecord>, StoreError> {
        let sql = format!("SELECT {POLICY_COLUMNS} FROM managed_policies WHERE account_id = $1 AND policy_key = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(policy_name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(policy_from_row).transpose()
    }

    /// Managed policies of the account under a path prefix, by name key, after `after`.
    pub async fn list_managed_policies(
        &mut self,
        account_id: &str,
        path_prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ManagedPolicyRecord>, StoreError> {
        let sql = format!(
            "SELECT {POLICY_COLUMNS} FROM managed_policies WHERE account_id = $1 AND policy_key > $2 \
             AND substr(path, 1, length($3)) = $3 ORDER BY policy_key LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(after.unwrap_or(""))
            .bind(path_prefix)
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(policy_from_row).collect()
    }

    /// Deletes a managed policy with all its versions.
    pub async fn delete_managed_policy(
        &mut self,
        account_id: &str,
        policy_name: &str,
    ) -> Result<bool, StoreError> {
        let name = name_key(policy_name);
        self.exec(
            "DELETE FROM policy_versions WHERE account_id = $1 AND policy_key = $2",
            &[account_id, &name],
        )
        .await?;
        let touched = self
            .exec(
                "DELETE FROM managed_policies WHERE account_id = $1 AND policy_key = $2",
                &[account_id, &name],
            )
            .await?;
        Ok(touched > 0)
    }

    /// All versions of a managed policy, oldest first.
    pub async fn policy_versions(
        &mut self,
        account_id: &str,
        policy_name: &str,
    ) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, document, created_at FROM policy_versions WHERE account_id = $1 AND policy_key = $2 ORDER BY version",
        )
        .bind(account_id)
        .bind(name_key(policy_name))
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// Deletes one version; false when absent.
    pub async fn delete_policy_version(
        &mut self,
        account_id: &str,
        policy_name: &str,
        version: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM policy_versions WHERE account_id = $1 AND policy_key = $2 AND version = $3")
            .bind(account_id)
            .bind(name_key(policy_name))
            .bind(version)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Creates or replaces an inline policy.
    pub async fn put_inline_policy(
        &mut self,
        account_id: &str,
        owner: OwnerKind,
        owner_name: &str,
        policy_name: &str,
        document: &str,
    ) -> Result<(), StoreError> {
        let owner_key = name_key(owner_name);
        self.exec(
            "DELETE FROM inline_policies WHERE account_id = $1 AND owner_kind = $2 AND owner_key = $3 AND policy_name = $4",
            &[account_id, owner.as_str(), &owner_key, policy_name],
        )
        .await?;
        self.exec(
            "INSERT INTO inline_policies (account_id, owner_kind, owner_key, policy_name, document) VALUES ($1, $2, $3, $4, $5)",
            &[account_id, owner.as_str(), &owner_key, policy_name, document],
        )
        .await?;
        Ok(())
    }

    /// The inline policies of one identity as `(name, document)`, by name.
    pub async fn inline_policies(
        &mut self,
        account_id: &str,
        owner: OwnerKind,
        owner_name: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT policy_name, document FROM inline_policies WHERE account_id = $1 AND owner_kind = $2 AND owner_key = $3 \
             ORDER BY policy_name",
        )
        .bind(account_id)
        .bind(owner.as_str())
        .bind(name_key(owner_name))
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| Ok((column(row, "policy_name")?, column(row, "document")?)))
            .collect()
    }

    /// Deletes an inline policy; false when absent.
    pub async fn delete_inline_policy(
        &mut self,
        account_id: &str,
        owner: OwnerKind,
        owner_name: &str,
        policy_name: &str,
    ) -> Result<bool, StoreError> {
        let owner_key = name_key(owner_name);
        let touched = self
            .exec(
                "DELETE FROM inline_policies WHERE account_id = $1 AND owner_kind = $2 AND owner_key = $3 AND policy_name = $4",
                &[account_id, owner.as_str(), &owner_key, policy_name],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Attaches a managed policy (idempotent, as IAM's Attach* calls are).
    pub async fn attach_policy(
        &mut self,
        account_id: &str,
        owner: OwnerKind,
        owner_name: &str,
        policy_arn: &str,
    ) -> Result<(), StoreError> {
        let owner_key = name_key(owner_name);
        self.exec(
            "DELETE FROM policy_attachments WHERE account_id = $1 AND owner_kind = $2 AND owner_key = $3 AND policy_arn = $4",
            &[account_id, owner.as_str(), &owner_key, policy_arn],
        )
        .await?;
        self.exec(
            "INSERT INTO policy_attachments (account_id, owner_kind, owner_key, policy_arn) VALUES ($1, $2, $3, $4)",
            &[account_id, owner.as_str(), &owner_key, policy_arn],
        )
        .await?;
        Ok(())
    }

    /// Detaches a managed policy; false when it was not attached.
    pub async fn detach_policy(
        &mut self,
        account_id: &str,
        owner: OwnerKind,
        owner_name: &str,
        policy_arn: &str,
    ) -> Result<bool, StoreError> {
        let owner_key = name_key(owner_name);
        let touched = self
            .exec(
                "DELETE FROM policy_attachments WHERE account_id = $1 AND owner_kind = $2 AND owner_key = $3 AND policy_arn = $4",
                &[account_id, owner.as_str(), &owner_key, policy_arn],
            )
            .await?;
        Ok(touched > 0)
    }

    /// ARNs of the managed policies attached to one identity, sorted.
    pub async fn attached_policies(
        &mut self,
        account_id: &str,
        owner: OwnerKind,
        owner_name: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT policy_arn FROM policy_attachments WHERE account_id = $1 AND owner_kind = $2 AND owner_key = $3 ORDER BY policy_arn",
        )
        .bind(account_id)
        .bind(owner.as_str())
        .bind(name_key(owner_name))
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(|row| column(row, "policy_arn")).collect()
    }

    /// The identities of the account a managed policy is attached to, as
    /// `(kind, lower-cased name)`, by kind then name.
    pub async fn policy_attachments(
        &mut self,
        account_id: &str,
        policy_arn: &str,
    ) -> Result<Vec<(OwnerKind, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT owner_kind, owner_key FROM policy_attachments WHERE account_id = $1 AND policy_arn = $2 \
             ORDER BY owner_kind, owner_key",
        )
        .bind(account_id)
        .bind(policy_arn)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = column(row, "owner_kind")?;
                let owner = OwnerKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("owner kind `{kind}`")))?;
                Ok((owner, column(row, "owner_key")?))
            })
            .collect()
    }

    /// The users and roles of the account whose permissions boundary is `policy_arn`, as
    /// `(kind, name as created)`, users first, each by name.
    pub async fn boundary_users(
        &mut self,
        account_id: &str,
        policy_arn: &str,
    ) -> Result<Vec<(OwnerKind, String)>, StoreError> {
        let mut found = Vec::new();
        for (owner, sql) in [
            (
                OwnerKind::User,
                "SELECT user_name AS name FROM users WHERE account_id = $1 AND permissions_boundary = $2 ORDER BY user_key",
            ),
            (
                OwnerKind::Role,
                "SELECT role_name AS name FROM iam_roles WHERE account_id = $1 AND permissions_boundary = $2 ORDER BY role_key",
            ),
        ] {
            let rows = sqlx::query(sql)
                .bind(account_id)
                .bind(policy_arn)
                .fetch_all(self.conn())
                .await?;
            for row in &rows {
                found.push((owner, column(row, "name")?));
            }
        }
        Ok(found)
    }

    /// How many identities of the account have the policy attached.
    pub async fn attachment_count(
        &mut self,
        account_id: &str,
        policy_arn: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM policy_attachments WHERE account_id = $1 AND policy_arn = $2")
            .bind(account_id)
            .bind(policy_arn)
            .fetch_one(self.conn())
            .await?;
        column(&row, "n")
    }
}
