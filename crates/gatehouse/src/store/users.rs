//! IAM users. Names are unique per account regardless of case (`user_key` is the
//! lower-cased name); the name keeps the case it was created with.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Owning account.
    pub account_id: String,
    /// Name as created.
    pub user_name: String,
    /// `AIDA…` unique id.
    pub user_id: String,
    /// Path, `/` by default.
    pub path: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
    /// ARN of the permissions boundary policy, if any.
    pub permissions_boundary: Option<String>,
    /// Tags as `(key, value)` pairs in the order given.
    pub tags: Vec<(String, String)>,
}

const COLUMNS: &str =
    "account_id, user_name, user_id, path, created_at, permissions_boundary, tags";

fn from_row(row: &AnyRow) -> Result<UserRecord, StoreError> {
    let tags: String = column(row, "tags")?;
    let tags: Vec<(String, String)> =
        serde_json::from_str(&tags).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    Ok(UserRecord {
        account_id: column(row, "account_id")?,
        user_name: column(row, "user_name")?,
        user_id: column(row, "user_id")?,
        path: column(row, "path")?,
        created_at: column(row, "created_at")?,
        permissions_boundary: column(row, "permissions_boundary")?,
        tags,
    })
}

impl Tx {
    /// Inserts a user; [`StoreError::Duplicate`] when the name (in any case) exists.
    pub async fn insert_user(&mut self, user: &UserRecord) -> Result<(), StoreError> {
        let tags = serde_json::to_string(&user.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO users (account_id, user_key, user_name, user_id, path, created_at, permissions_boundary, tags) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&user.account_id)
        .bind(name_key(&user.user_name))
        .bind(&user.user_name)
        .bind(&user.user_id)
        .bind(&user.path)
        .bind(user.created_at)
        .bind(&user.permissions_boundary)
        .bind(tags)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The user of that name (any case) in that account.
    pub async fn user(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE account_id = $1 AND user_key = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Users of an account whose path starts with `path_prefix`, ordered by name key,
    /// starting strictly after `after` (a name key), at most `limit` of them.
    pub async fn list_users(
        &mut self,
        account_id: &str,
        path_prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM users WHERE account_id = $1 AND user_key > $2 \
             AND substr(path, 1, length($3)) = $3 ORDER BY user_key LIMIT $4"
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

    /// Sets or clears a user's permissions boundary; false when there is no such user.
    pub async fn set_user_boundary(
        &mut self,
        account_id: &str,
        name: &str,
        boundary: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET permissions_boundary = $3 WHERE account_id = $1 AND user_key = $2",
        )
        .bind(account_id)
        .bind(name_key(name))
        .bind(boundary)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many users the account has.
    pub async fn count_users(&mut self, account_id: &str) -> Result<usize, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(self.conn())
            .await?;
        let count: i64 = column(&row, "n")?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    /// Deletes a user; false when there was none.
    pub async fn delete_user(&mut self, account_id: &str, name: &str) -> Result<bool, StoreError> {
        let key = name_key(name);
        let touched = self
            .exec(
                "DELETE FROM users WHERE account_id = $1 AND user_key = $2",
                &[account_id, &key],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Renames and/or moves a user, carrying everything that refers to it by name (keys,
    /// group memberships, inline and attached policies, login profile, MFA devices).
    /// [`StoreError::Duplicate`] when another user already has the new name.
    pub async fn rename_user(
        &mut self,
        account_id: &str,
        name: &str,
        new_name: &str,
        new_path: &str,
    ) -> Result<(), StoreError> {
        let (old_key, new_key) = (name_key(name), name_key(new_name));
        if old_key != new_key && self.user(account_id, new_name).await?.is_some() {
            return Err(StoreError::Duplicate);
        }
        self.exec(
            "UPDATE users SET user_key = $3, user_name = $4, path = $5 WHERE account_id = $1 AND user_key = $2",
            &[account_id, &old_key, &new_key, new_name, new_path],
        )
        .await?;
        if old_key == new_key {
            return Ok(());
        }
        for table in [
            "access_keys",
            "group_members",
            "login_profiles",
            "mfa_devices",
            "ssh_public_keys",
            "signing_certificates",
            "service_credentials",
        ] {
            self.exec(
                &format!(
                    "UPDATE {table} SET user_key = $3 WHERE account_id = $1 AND user_key = $2"
                ),
                &[account_id, &old_key, &new_key],
            )
            .await?;
        }
        for table in ["inline_policies", "policy_attachments"] {
            self.exec(
                &format!(
                    "UPDATE {table} SET owner_key = $3 WHERE account_id = $1 AND owner_kind = 'user' AND owner_key = $2"
                ),
                &[account_id, &old_key, &new_key],
            )
            .await?;
        }
        Ok(())
    }
}
