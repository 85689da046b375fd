//! Virtual MFA devices. The TOTP seed is stored sealed under the master key (bound to the
//! serial number); this module never sees it in clear. `last_step` is the highest TOTP
//! time step a code was accepted for, so a code is never accepted twice.

use sqlx::any::AnyRow;

use super::{column, map_error, name_key, StoreError, Tx};

/// A virtual MFA device as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaDeviceRecord {
    /// Owning account.
    pub account_id: String,
    /// The device ARN (`arn:aws:iam::<acct>:mfa/<path><name>`), its serial number.
    pub serial_number: String,
    /// Name as created.
    pub name: String,
    /// Path, `/` by default.
    pub path: String,
    /// The seed, sealed with the serial number as context.
    pub seed_sealed: Vec<u8>,
    /// The user's name key when the device is assigned (enabled).
    pub user_key: Option<String>,
    /// When it was enabled for its user, milliseconds.
    pub enabled_at: Option<i64>,
    /// Highest TOTP time step accepted so far.
    pub last_step: i64,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

const COLUMNS: &str = "account_id, serial_number, device_key, path, seed_sealed, user_key, \
                       enabled_at, last_step, tags, created_at";

fn from_row(row: &AnyRow) -> Result<MfaDeviceRecord, StoreError> {
    let tags: String = column(row, "tags")?;
    let serial_number: String = column(row, "serial_number")?;
    let name = serial_number
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok(MfaDeviceRecord {
        account_id: column(row, "account_id")?,
        name,
        serial_number,
        path: column(row, "path")?,
        seed_sealed: column(row, "seed_sealed")?,
        user_key: column(row, "user_key")?,
        enabled_at: column(row, "enabled_at")?,
        last_step: column(row, "last_step")?,
        tags: serde_json::from_str(&tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a device; [`StoreError::Duplicate`] when the name (any case) exists.
    pub async fn insert_mfa_device(&mut self, device: &MfaDeviceRecord) -> Result<(), StoreError> {
        let tags = serde_json::to_string(&device.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        sqlx::query(
            "INSERT INTO mfa_devices (account_id, serial_number, device_key, path, seed_sealed, user_key, \
             enabled_at, last_step, tags, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&device.account_id)
        .bind(&device.serial_number)
        .bind(name_key(&device.name))
        .bind(&device.path)
        .bind(&device.seed_sealed)
        .bind(device.user_key.as_deref().map(name_key))
        .bind(device.enabled_at)
        .bind(device.last_step)
        .bind(tags)
        .bind(device.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The device with that serial number in the account.
    pub async fn mfa_device(
        &mut self,
        account_id: &str,
        serial_number: &str,
    ) -> Result<Option<MfaDeviceRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mfa_devices WHERE account_id = $1 AND serial_number = $2"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(serial_number)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Devices of an account ordered by serial number, after `after`, at most `limit`;
    /// `assigned` filters on whether a user holds them.
    pub async fn list_mfa_devices(
        &mut self,
        account_id: &str,
        assigned: Option<bool>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<MfaDeviceRecord>, StoreError> {
        let filter = match assigned {
            None => "",
            Some(true) => "AND user_key IS NOT NULL",
            Some(false) => "AND user_key IS NULL",
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM mfa_devices WHERE account_id = $1 AND serial_number > $2 {filter} \
             ORDER BY serial_number LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(after.unwrap_or(""))
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The devices assigned to a user, by serial number.
    pub async fn mfa_devices_of_user(
        &mut self,
        account_id: &str,
        user_name: &str,
    ) -> Result<Vec<MfaDeviceRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mfa_devices WHERE account_id = $1 AND user_key = $2 \
             ORDER BY serial_number"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(name_key(user_name))
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Rewrites a device's assignment, accepted step and tags.
    pub async fn update_mfa_device(
        &mut self,
        device: &MfaDeviceRecord,
    ) -> Result<bool, StoreError> {
        let tags = serde_json::to_string(&device.tags)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let done = sqlx::query(
            "UPDATE mfa_devices SET user_key = $3, enabled_at = $4, last_step = $5, tags = $6 \
             WHERE account_id = $1 AND serial_number = $2",
        )
        .bind(&device.account_id)
        .bind(&device.serial_number)
        .bind(device.user_key.as_deref().map(name_key))
        .bind(device.enabled_at)
        .bind(device.last_step)
        .bind(tags)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records that a code for `step` was accepted, only if no later or equal step was:
    /// false means the code was already used (or a later one was).
    pub async fn advance_mfa_step(
        &mut self,
        account_id: &str,
        serial_number: &str,
        step: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mfa_devices SET last_step = $3 \
             WHERE account_id = $1 AND serial_number = $2 AND last_step < $3",
        )
        .bind(account_id)
        .bind(serial_number)
        .bind(step)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a device; false when absent.
    pub async fn delete_mfa_device(
        &mut self,
        account_id: &str,
        serial_number: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM mfa_devices WHERE account_id = $1 AND serial_number = $2",
                &[account_id, serial_number],
            )
            .await?;
        Ok(touched > 0)
    }
}
