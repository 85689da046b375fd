//! IAM roles: identities with a trust policy, assumed through STS. Names are unique per
//! account regardless of case.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A role as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRecord {
    /// Owning account.
    pub account_id: String,
    /// Name as created.
    pub role_name: String,
    /// `AROA…`.
    pub role_id: String,
    /// Path, `/` by default.
    pub path: String,
    /// The trust (assume-role) policy document.
    pub trust_policy: String,
    /// Description.
    pub description: Option<String>,
    /// Longest session STS may grant, in seconds (3600..=43200).
    pub max_session_duration: i64,
    /// ARN of the permissions boundary policy, if any.
    pub permissions_boundary: Option<String>,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str =
    "account_id, role_name, role_id, path, trust_policy, description, max_session_duration, \
                       permissions_boundary, tags, created_at";

fn from_row(row: &AnyRow) -> Result<RoleRecord, StoreError> {
    let tags: String = column(row, "tags")?;
    Ok(RoleRecord {
        account_id: column(row, "account_id")?,
        role_name: column(row, "role_name")?,
        role_id: column(row, "role_id")?,
        path: column(row, "path")?,
        trust_policy: column(row, "trust_policy")?,
        description: column(row, "description")?,
        max_session_duration: column(row, "max_session_duration")?,
        permissions_boundary: column(row, "permissions_boundary")?,
        tags: serde_json::from_str(&tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a role; [`StoreError::Duplicate`] when the name exists in any case.
    pub async fn insert_role(&mut self, role: &RoleRecord) -> Result<(), StoreError> {
        let tags = serde_json::to_string(&role.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO iam_roles (account_id, role_key, role_name, role_id, path, trust_policy, description, \
             max_session_duration, permissions_boundary, tags, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&role.account_id)
        .bind(name_key(&role.role_name))
        .bind(&role.role_name)
        .bind(&role.role_id)
        .bind(&role.path)
        .bind(&role.trust_policy)
        .bind(&role.description)
        .bind(role.max_session_duration)
        .bind(&role.permissions_boundary)
        .bind(tags)
        .bind(role.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// Rewrites the mutable fields of a role (trust policy, description, session length,
    /// boundary, tags).
    pub async fn update_role(&mut self, role: &RoleRecord) -> Result<bool, StoreError> {
        let tags = serde_json::to_string(&role.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let done = sqlx::query(
            "UPDATE iam_roles SET trust_policy = $3, description = $4, max_session_duration = $5, \
             permissions_boundary = $6, tags = $7 WHERE account_id = $1 AND role_key = $2",
        )
        .bind(&role.account_id)
        .bind(name_key(&role.role_name))
        .bind(&role.trust_policy)
        .bind(&role.description)
        .bind(role.max_session_duration)
        .bind(&role.permissions_boundary)
        .bind(tags)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The role of that name in the account.
    pub async fn role(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<RoleRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM iam_roles WHERE account_id = $1 AND role_key = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Roles under a path prefix, by name key, after `after`.
    pub async fn list_roles(
        &mut self,
        account_id: &str,
        path_prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<RoleRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM iam_roles WHERE account_id = $1 AND role_key > $2 \
             AND substr(path, 1, length($3)) = $3 ORDER BY role_key LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(after.unwrap_or(""))
            .bind(path_prefix)
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Deletes a role; false when absent.
    pub async fn delete_role(&mut self, account_id: &str, name: &str) -> Result<bool, StoreError> {
        let role = name_key(name);
        let touched = self
            .exec(
                "DELETE FROM iam_roles WHERE account_id = $1 AND role_key = $2",
                &[account_id, &role],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Records a service-linked role deletion task and its status.
    pub async fn insert_deletion_task(
        &mut self,
        account_id: &str,
        task_id: &str,
        status: &str,
        created_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO slr_deletion_tasks (account_id, task_id, status, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(task_id)
        .bind(status)
        .bind(created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The status of a deletion task of the account.
    pub async fn deletion_task(
        &mut self,
        account_id: &str,
        task_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT status FROM slr_deletion_tasks WHERE account_id = $1 AND task_id = $2",
        )
        .bind(account_id)
        .bind(task_id)
        .fetch_optional(self.conn())
        .await?;
        row.map(|row| column(&row, "status")).transpose()
    }
}
