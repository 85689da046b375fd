//! Trusted access for AWS services (`EnableAWSServiceAccess`) and the member accounts
//! registered as a service's delegated administrator. Scoped by organization id.

use super::super::{column, StoreError, Tx};

impl Tx {
    /// Enables trusted access for a service principal; enabling twice keeps the first date.
    pub async fn enable_service_access(
        &mut self,
        org_id: &str,
        service_principal: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_service_access (org_id, service_principal, enabled_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, service_principal) DO NOTHING",
        )
        .bind(org_id)
        .bind(service_principal)
        .bind(at)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Disables trusted access for a service principal.
    pub async fn disable_service_access(
        &mut self,
        org_id: &str,
        service_principal: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM org_service_access WHERE org_id = $1 AND service_principal = $2",
            &[org_id, service_principal],
        )
        .await
        .map(|_| ())
    }

    /// The service principals with trusted access, and since when, by principal.
    pub async fn service_access(&mut self, org_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT service_principal, enabled_at FROM org_service_access WHERE org_id = $1 \
             ORDER BY service_principal",
        )
        .bind(org_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    column(row, "service_principal")?,
                    column(row, "enabled_at")?,
                ))
            })
            .collect()
    }

    /// Registers an account as a service's delegated administrator;
    /// [`StoreError::Duplicate`] if it already is.
    pub async fn register_delegated_admin(
        &mut self,
        org_id: &str,
        account_id: &str,
        service_principal: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_delegated_admins (org_id, account_id, service_principal, registered_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(service_principal)
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(super::super::map_error)?;
        Ok(())
    }

    /// Deregisters a delegated administrator; false when it was not registered.
    pub async fn deregister_delegated_admin(
        &mut self,
        org_id: &str,
        account_id: &str,
        service_principal: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM org_delegated_admins WHERE org_id = $1 AND account_id = $2 \
                 AND service_principal = $3",
                &[org_id, account_id, service_principal],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Every registration of the organization as (account, service principal, since),
    /// by account then principal.
    pub async fn delegated_admins(
        &mut self,
        org_id: &str,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id, service_principal, registered_at FROM org_delegated_admins \
             WHERE org_id = $1 ORDER BY account_id, service_principal",
        )
        .bind(org_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    column(row, "account_id")?,
                    column(row, "service_principal")?,
                    column(row, "registered_at")?,
                ))
            })
            .collect()
    }

    /// IAM's organization features enabled (`RootCredentialsManagement`, `RootSessions`).
    pub async fn iam_org_features(&mut self, org_id: &str) -> Result<Vec<String>, StoreError> {
        let rows =
            sqlx::query("SELECT feature FROM iam_org_features WHERE org_id = $1 ORDER BY feature")
                .bind(org_id)
                .fetch_all(self.conn())
                .await?;
        rows.iter().map(|row| column(row, "feature")).collect()
    }

    /// Turns one of IAM's organization features on or off (idempotent).
    pub async fn set_iam_org_feature(
        &mut self,
        org_id: &str,
        feature: &str,
        enabled: bool,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM iam_org_features WHERE org_id = $1 AND feature = $2",
            &[org_id, feature],
        )
        .await?;
        if enabled {
            sqlx::query(
                "INSERT INTO iam_org_features (org_id, feature, enabled_at) VALUES ($1, $2, $3)",
            )
            .bind(org_id)
            .bind(feature)
            .bind(super::super::now_millis())
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}
