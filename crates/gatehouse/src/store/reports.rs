//! What IAM's account-wide reports read and keep: entity counts for `GetAccountSummary`
//! and the last generated credential report (CSV text and when it was made).

use super::{column, StoreError, Tx};

/// Entity counts of one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IamCounts {
    /// IAM users.
    pub users: i64,
    /// Groups.
    pub groups: i64,
    /// Roles (service-linked ones included).
    pub roles: i64,
    /// Customer managed policies.
    pub policies: i64,
    /// Managed-policy attachments to users, groups and roles.
    pub attachments: i64,
    /// Instance profiles.
    pub instance_profiles: i64,
    /// Virtual MFA devices.
    pub mfa_devices: i64,
    /// Virtual MFA devices assigned to a user.
    pub mfa_devices_in_use: i64,
    /// OIDC and SAML providers.
    pub providers: i64,
    /// Access keys of the root user.
    pub root_access_keys: i64,
    /// Server certificates.
    pub server_certificates: i64,
    /// Signing certificates of the root user.
    pub root_signing_certificates: i64,
}

impl Tx {
    async fn count(&mut self, sql: &str, account_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(sql)
            .bind(account_id)
            .fetch_one(self.conn())
            .await?;
        column(&row, "n")
    }

    /// The entity counts of an account.
    pub async fn iam_counts(&mut self, account_id: &str) -> Result<IamCounts, StoreError> {
        let n = |table: &str, filter: &str| {
            format!("SELECT COUNT(*) AS n FROM {table} WHERE account_id = $1 {filter}")
        };
        let oidc = self.count(&n("oidc_providers", ""), account_id).await?;
        let saml = self.count(&n("saml_providers", ""), account_id).await?;
        Ok(IamCounts {
            users: self.count(&n("users", ""), account_id).await?,
            groups: self.count(&n("iam_groups", ""), account_id).await?,
            roles: self.count(&n("iam_roles", ""), account_id).await?,
            policies: self.count(&n("managed_policies", ""), account_id).await?,
            attachments: self.count(&n("policy_attachments", ""), account_id).await?,
            instance_profiles: self.count(&n("instance_profiles", ""), account_id).await?,
            mfa_devices: self.count(&n("mfa_devices", ""), account_id).await?,
            mfa_devices_in_use: self
                .count(&n("mfa_devices", "AND user_key IS NOT NULL"), account_id)
                .await?,
            providers: oidc + saml,
            root_access_keys: self
                .count(&n("access_keys", "AND user_key IS NULL"), account_id)
                .await?,
            server_certificates: self
                .count(&n("server_certificates", ""), account_id)
                .await?,
            root_signing_certificates: self
                .count(
                    &n("signing_certificates", "AND user_key IS NULL"),
                    account_id,
                )
                .await?,
        })
    }

    /// The account's last credential report: CSV text and generation time (ms).
    pub async fn credential_report(
        &mut self,
        account_id: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT content, generated_at FROM credential_reports WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(self.conn())
        .await?;
        row.map(|row| Ok((column(&row, "content")?, column(&row, "generated_at")?)))
            .transpose()
    }

    /// Stores (replaces) the account's credential report.
    pub async fn put_credential_report(
        &mut self,
        account_id: &str,
        content: &str,
        generated_at: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM credential_reports WHERE account_id = $1",
            &[account_id],
        )
        .await?;
        sqlx::query(
            "INSERT INTO credential_reports (account_id, content, generated_at) VALUES ($1, $2, $3)",
        )
        .bind(account_id)
        .bind(content)
        .bind(generated_at)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
