//! Account aliases: at most one per account, unique across all accounts (the one table
//! read across accounts, to refuse an alias another account holds).

use super::{column, StoreError, Tx};

impl Tx {
    /// The alias of an account, if it has one.
    pub async fn account_alias(&mut self, account_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT account_alias FROM account_aliases WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(self.conn())
            .await?;
        row.map(|row| column(&row, "account_alias")).transpose()
    }

    /// Gives an account its alias; [`StoreError::Duplicate`] when the alias is taken
    /// (by any account) or the account has one.
    pub async fn insert_account_alias(
        &mut self,
        account_id: &str,
        alias: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO account_aliases (account_alias, account_id) VALUES ($1, $2)",
            &[alias, account_id],
        )
        .await?;
        Ok(())
    }

    /// Removes an account's alias; false when it had not that alias.
    pub async fn delete_account_alias(
        &mut self,
        account_id: &str,
        alias: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM account_aliases WHERE account_id = $1 AND account_alias = $2",
                &[account_id, alias],
            )
            .await?;
        Ok(touched > 0)
    }
}
