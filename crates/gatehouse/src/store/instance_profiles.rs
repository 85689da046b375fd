//! Instance profiles: containers for at most one role, unique per account regardless of
//! case. The role is held by its name key.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// An instance profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceProfileRecord {
    /// Owning account.
    pub account_id: String,
    /// Name as created.
    pub profile_name: String,
    /// `AIPA…`.
    pub profile_id: String,
    /// Path, `/` by default.
    pub path: String,
    /// Name key of the role it holds, if any.
    pub role_key: Option<String>,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, profile_name, profile_id, path, role_key, tags, created_at";

fn from_row(row: &AnyRow) -> Result<InstanceProfileRecord, StoreError> {
    let tags: String = column(row, "tags")?;
    Ok(InstanceProfileRecord {
        account_id: column(row, "account_id")?,
        profile_name: column(row, "profile_name")?,
        profile_id: column(row, "profile_id")?,
        path: column(row, "path")?,
        role_key: column(row, "role_key")?,
        tags: serde_json::from_str(&tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts an instance profile; [`StoreError::Duplicate`] when the name exists.
    pub async fn insert_instance_profile(
        &mut self,
        profile: &InstanceProfileRecord,
    ) -> Result<(), StoreError> {
        let tags = serde_json::to_string(&profile.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO instance_profiles (account_id, profile_key, profile_name, profile_id, path, role_key, tags, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&profile.account_id)
        .bind(name_key(&profile.profile_name))
        .bind(&profile.profile_name)
        .bind(&profile.profile_id)
        .bind(&profile.path)
        .bind(profile.role_key.as_deref().map(name_key))
        .bind(tags)
        .bind(profile.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The instance profile of that name (any case).
    pub async fn instance_profile(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<InstanceProfileRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM instance_profiles WHERE account_id = $1 AND profile_key = $2"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Instance profiles under a path prefix (or holding `role`, when given), by name
    /// key, after `after`, at most `limit`.
    pub async fn list_instance_profiles(
        &mut self,
        account_id: &str,
        path_prefix: &str,
        role: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<InstanceProfileRecord>, StoreError> {
        let role_filter = if role.is_some() {
            "AND role_key = $5"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM instance_profiles WHERE account_id = $1 AND profile_key > $2 \
             AND substr(path, 1, length($3)) = $3 {role_filter} ORDER BY profile_key LIMIT $4"
        );
        let mut query = sqlx::query(&sql)
            .bind(account_id)
            .bind(after.unwrap_or(""))
            .bind(path_prefix)
            .bind(limit);
        if let Some(role) = role {
            query = query.bind(name_key(role));
        }
        let rows = query.fetch_all(self.conn()).await?;
        rows.iter().map(from_row).collect()
    }

    /// How many instance profiles the account has.
    pub async fn count_instance_profiles(&mut self, account_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM instance_profiles WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(self.conn())
            .await?;
        column(&row, "n")
    }

    /// Rewrites the role and tags of an instance profile.
    pub async fn update_instance_profile(
        &mut self,
        profile: &InstanceProfileRecord,
    ) -> Result<bool, StoreError> {
        let tags = serde_json::to_string(&profile.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let done = sqlx::query(
            "UPDATE instance_profiles SET role_key = $3, tags = $4 WHERE account_id = $1 AND profile_key = $2",
        )
        .bind(&profile.account_id)
        .bind(name_key(&profile.profile_name))
        .bind(profile.role_key.as_deref().map(name_key))
        .bind(tags)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes an instance profile; false when absent.
    pub async fn delete_instance_profile(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let key = name_key(name);
        let touched = self
            .exec(
                "DELETE FROM instance_profiles WHERE account_id = $1 AND profile_key = $2",
                &[account_id, &key],
            )
            .await?;
        Ok(touched > 0)
    }
}
