//! IAM groups and their members. Names are unique per account regardless of case.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// Owning account.
    pub account_id: String,
    /// Name as created.
    pub group_name: String,
    /// `AGPA…`.
    pub group_id: String,
    /// Path, `/` by default.
    pub path: String,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, group_name, group_id, path, created_at";

fn from_row(row: &AnyRow) -> Result<GroupRecord, StoreError> {
    Ok(GroupRecord {
        account_id: column(row, "account_id")?,
        group_name: column(row, "group_name")?,
        group_id: column(row, "group_id")?,
        path: column(row, "path")?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a group; [`StoreError::Duplicate`] when the name exists in any case.
    pub async fn insert_group(&mut self, group: &GroupRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO iam_groups (account_id, group_key, group_name, group_id, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&group.account_id)
        .bind(name_key(&group.group_name))
        .bind(&group.group_name)
        .bind(&group.group_id)
        .bind(&group.path)
        .bind(group.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The group of that name in the account.
    pub async fn group(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<GroupRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM iam_groups WHERE account_id = $1 AND group_key = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Groups under a path prefix, by name key, after `after`.
    pub async fn list_groups(
        &mut self,
        account_id: &str,
        path_prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM iam_groups WHERE account_id = $1 AND group_key > $2 \
             AND substr(path, 1, length($3)) = $3 ORDER BY group_key LIMIT $4"
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

    /// Deletes a group (its memberships must be gone); false when absent.
    pub async fn delete_group(&mut self, account_id: &str, name: &str) -> Result<bool, StoreError> {
        let group = name_key(name);
        let touched = self
            .exec(
                "DELETE FROM iam_groups WHERE account_id = $1 AND group_key = $2",
                &[account_id, &group],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Adds a user to a group (idempotent).
    pub async fn add_group_member(
        &mut self,
        account_id: &str,
        group: &str,
        user: &str,
    ) -> Result<(), StoreError> {
        let (group, user) = (name_key(group), name_key(user));
        self.exec(
            "DELETE FROM group_members WHERE account_id = $1 AND group_key = $2 AND user_key = $3",
            &[account_id, &group, &user],
        )
        .await?;
        self.exec(
            "INSERT INTO group_members (account_id, group_key, user_key) VALUES ($1, $2, $3)",
            &[account_id, &group, &user],
        )
        .await?;
        Ok(())
    }

    /// Removes a user from a group; false when not a member.
    pub async fn remove_group_member(
        &mut self,
        account_id: &str,
        group: &str,
        user: &str,
    ) -> Result<bool, StoreError> {
        let (group, user) = (name_key(group), name_key(user));
        let touched = self
            .exec(
                "DELETE FROM group_members WHERE account_id = $1 AND group_key = $2 AND user_key = $3",
                &[account_id, &group, &user],
            )
            .await?;
        Ok(touched > 0)
    }

    /// The groups a user belongs to, by name.
    pub async fn groups_of_user(
        &mut self,
        account_id: &str,
        user: &str,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.account_id, g.group_name, g.group_id, g.path, g.created_at FROM iam_groups g \
             JOIN group_members m ON m.account_id = g.account_id AND m.group_key = g.group_key \
             WHERE m.account_id = $1 AND m.user_key = $2 ORDER BY g.group_key",
        )
        .bind(account_id)
        .bind(name_key(user))
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// The name keys of a group's members.
    pub async fn group_member_keys(
        &mut self,
        account_id: &str,
        group: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT user_key FROM group_members WHERE account_id = $1 AND group_key = $2 ORDER BY user_key")
            .bind(account_id)
            .bind(name_key(group))
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(|row| column(row, "user_key")).collect()
    }

    /// Renames and/or moves a group, carrying its memberships and its inline and
    /// attached policies. [`StoreError::Duplicate`] when another group has the new name.
    pub async fn rename_group(
        &mut self,
        account_id: &str,
        name: &str,
        new_name: &str,
        new_path: &str,
    ) -> Result<(), StoreError> {
        let (old_key, new_key) = (name_key(name), name_key(new_name));
        if old_key != new_key && self.group(account_id, new_name).await?.is_some() {
            return Err(StoreError::Duplicate);
        }
        self.exec(
            "UPDATE iam_groups SET group_key = $3, group_name = $4, path = $5 WHERE account_id = $1 AND group_key = $2",
            &[account_id, &old_key, &new_key, new_name, new_path],
        )
        .await?;
        if old_key == new_key {
            return Ok(());
        }
        self.exec(
            "UPDATE group_members SET group_key = $3 WHERE account_id = $1 AND group_key = $2",
            &[account_id, &old_key, &new_key],
        )
        .await?;
        for table in ["inline_policies", "policy_attachments"] {
            self.exec(
                &format!(
                    "UPDATE {table} SET owner_key = $3 WHERE account_id = $1 AND owner_kind = 'group' AND owner_key = $2"
                ),
                &[account_id, &old_key, &new_key],
            )
            .await?;
        }
        Ok(())
    }
}
