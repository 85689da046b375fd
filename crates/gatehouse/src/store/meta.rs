//! Deployment-wide settings the store keeps, such as the management account's id.

use super::{column, StoreError, Tx};

impl Tx {
    /// A setting's value.
    pub async fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM gatehouse_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(|row| column(row, "value")).transpose()
    }

    /// Sets a setting, failing with [`StoreError::Duplicate`] if it is already set.
    pub async fn insert_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO gatehouse_meta (key, value) VALUES ($1, $2)",
            &[key, value],
        )
        .await
        .map(|_| ())
    }
}
