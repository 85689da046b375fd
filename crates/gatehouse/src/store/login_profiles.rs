//! Console passwords: one login profile per IAM user (an argon2id hash, never the
//! password) with the hashes of earlier passwords kept for reuse prevention, and the
//! account's password policy.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A user's login profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginProfileRecord {
    /// Owning account.
    pub account_id: String,
    /// The user's name key (lower-cased name).
    pub user_key: String,
    /// PHC string of the argon2id hash of the current password.
    pub password_hash: String,
    /// Whether the user must set a new password at next sign-in.
    pub reset_required: bool,
    /// PHC strings of earlier passwords, newest first (for reuse prevention).
    pub history: Vec<String>,
    /// Creation time, milliseconds.
    pub created_at: i64,
    /// When the password was last set, milliseconds.
    pub changed_at: i64,
}

/// The account password policy, as `UpdateAccountPasswordPolicy` set it (defaults filled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicyRecord {
    /// Minimum length (6..=128).
    pub minimum_length: i64,
    /// At least one non-alphanumeric character.
    pub require_symbols: bool,
    /// At least one digit.
    pub require_numbers: bool,
    /// At least one upper-case letter.
    pub require_uppercase: bool,
    /// At least one lower-case letter.
    pub require_lowercase: bool,
    /// Users may change their own password.
    pub allow_users_to_change: bool,
    /// Days a password is valid; 0: forever.
    pub max_age_days: i64,
    /// Earlier passwords that may not be reused; 0: none.
    pub reuse_prevention: i64,
    /// An expired password can only be reset by an administrator.
    pub hard_expiry: bool,
}

const COLUMNS: &str =
    "account_id, user_key, password_hash, reset_required, history, created_at, changed_at";

fn from_row(row: &AnyRow) -> Result<LoginProfileRecord, StoreError> {
    let history: String = column(row, "history")?;
    Ok(LoginProfileRecord {
        account_id: column(row, "account_id")?,
        user_key: column(row, "user_key")?,
        password_hash: column(row, "password_hash")?,
        reset_required: column::<i64>(row, "reset_required")? != 0,
        history: serde_json::from_str(&history)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        created_at: column(row, "created_at")?,
        changed_at: column(row, "changed_at")?,
    })
}

impl Tx {
    /// Inserts a login profile; [`StoreError::Duplicate`] when the user has one.
    pub async fn insert_login_profile(
        &mut self,
        profile: &LoginProfileRecord,
    ) -> Result<(), StoreError> {
        let history = serde_json::to_string(&profile.history)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO login_profiles (account_id, user_key, password_hash, reset_required, history, created_at, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&profile.account_id)
        .bind(name_key(&profile.user_key))
        .bind(&profile.password_hash)
        .bind(i64::from(profile.reset_required))
        .bind(history)
        .bind(profile.created_at)
        .bind(profile.changed_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The login profile of a user (by name, any case).
    pub async fn login_profile(
        &mut self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Option<LoginProfileRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM login_profiles WHERE account_id = $1 AND user_key = $2");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(user_name))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every login profile of an account.
    pub async fn login_profiles(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<LoginProfileRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM login_profiles WHERE account_id = $1");
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Rewrites a login profile's password, history and reset flag.
    pub async fn update_login_profile(
        &mut self,
        profile: &LoginProfileRecord,
    ) -> Result<bool, StoreError> {
        let history = serde_json::to_string(&profile.history)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let done = sqlx::query(
            "UPDATE login_profiles SET password_hash = $3, reset_required = $4, history = $5, changed_at = $6 \
             WHERE account_id = $1 AND user_key = $2",
        )
        .bind(&profile.account_id)
        .bind(name_key(&profile.user_key))
        .bind(&profile.password_hash)
        .bind(i64::from(profile.reset_required))
        .bind(history)
        .bind(profile.changed_at)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a user's login profile; false when there was none.
    pub async fn delete_login_profile(
        &mut self,
        account_id: &str,
        user_name: &str,
    ) -> Result<bool, StoreError> {
        let key = name_key(user_name);
        let touched = self
            .exec(
                "DELETE FROM login_profiles WHERE account_id = $1 AND user_key = $2",
                &[account_id, &key],
            )
            .await?;
        Ok(touched > 0)
    }

    /// The account's password policy, if one was set.
    pub async fn password_policy(
        &mut self,
        account_id: &str,
    ) -> Result<Option<PasswordPolicyRecord>, StoreError> {
        let row = sqlx::query("SELECT policy FROM password_policies WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|row| {
            let text: String = column(&row, "policy")?;
            serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(error.to_string()))
        })
        .transpose()
    }

    /// Sets (replaces) the account's password policy.
    pub async fn put_password_policy(
        &mut self,
        account_id: &str,
        policy: &PasswordPolicyRecord,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(policy)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        self.exec(
            "DELETE FROM password_policies WHERE account_id = $1",
            &[account_id],
        )
        .await?;
        self.exec(
            "INSERT INTO password_policies (account_id, policy) VALUES ($1, $2)",
            &[account_id, &text],
        )
        .await?;
        Ok(())
    }

    /// Removes the account's password policy; false when none was set.
    pub async fn delete_password_policy(&mut self, account_id: &str) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM password_policies WHERE account_id = $1",
                &[account_id],
            )
            .await?;
        Ok(touched > 0)
    }
}
