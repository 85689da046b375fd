//! Tags kept in a `tags` column (JSON pairs) of an entity's own table.

use super::{name_key, StoreError, Tx};

impl Tx {
    /// Replaces the tags of a user or a customer managed policy; false when absent.
    pub async fn set_entity_tags(
        &mut self,
        table: TaggedTable,
        account_id: &str,
        name: &str,
        tags: &[(String, String)],
    ) -> Result<bool, StoreError> {
        let (table, key_column) = match table {
            TaggedTable::User => ("users", "user_key"),
            TaggedTable::Policy => ("managed_policies", "policy_key"),
        };
        let text =
            serde_json::to_string(tags).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let key = name_key(name);
        let touched = self
            .exec(
                &format!(
                    "UPDATE {table} SET tags = $3 WHERE account_id = $1 AND {key_column} = $2"
                ),
                &[account_id, &key, &text],
            )
            .await?;
        Ok(touched > 0)
    }
}

/// Entities whose tags live in a `tags` column of their own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaggedTable {
    /// `users`.
    User,
    /// `managed_policies`.
    Policy,
}
