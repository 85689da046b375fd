//! Identity providers of an account, kept for STS's web-identity and SAML federation:
//! OIDC providers (keyed by their URL without scheme, as their ARN is) and SAML providers
//! (keyed by name) with their metadata and the signing certificates read from it.

use sqlx::any::AnyRow;

use super::{column, map_error, StoreError, Tx};

/// An OIDC provider as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProviderRecord {
    /// Owning account.
    pub account_id: String,
    /// The URL without `https://` (`host[/path]`), the end of its ARN.
    pub url: String,
    /// Audiences (client ids) it may issue tokens for.
    pub client_ids: Vec<String>,
    /// SHA-1 thumbprints (hex) of its certificates.
    pub thumbprints: Vec<String>,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

/// A SAML provider as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlProviderRecord {
    /// Owning account.
    pub account_id: String,
    /// Name, the end of its ARN.
    pub name: String,
    /// A UUID naming it (`SAMLProviderUUID`).
    pub uuid: String,
    /// The metadata document as given.
    pub metadata: String,
    /// The IdP's signing certificates from the metadata, base64 DER.
    pub certificates: Vec<String>,
    /// When the metadata stops being valid, milliseconds.
    pub valid_until: i64,
    /// Tags in order.
    pub tags: Vec<(String, String)>,
    /// Creation time, milliseconds.
    pub created_at: i64,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Corrupt(error.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(row: &AnyRow, name: &str) -> Result<T, StoreError> {
    let text: String = column(row, name)?;
    serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(error.to_string()))
}

fn oidc_from_row(row: &AnyRow) -> Result<OidcProviderRecord, StoreError> {
    Ok(OidcProviderRecord {
        account_id: column(row, "account_id")?,
        url: column(row, "url")?,
        client_ids: parse(row, "client_ids")?,
        thumbprints: parse(row, "thumbprints")?,
        tags: parse(row, "tags")?,
        created_at: column(row, "created_at")?,
    })
}

fn saml_from_row(row: &AnyRow) -> Result<SamlProviderRecord, StoreError> {
    Ok(SamlProviderRecord {
        account_id: column(row, "account_id")?,
        name: column(row, "provider_name")?,
        uuid: column(row, "provider_uuid")?,
        metadata: column(row, "metadata")?,
        certificates: parse(row, "certificates")?,
        valid_until: column(row, "valid_until")?,
        tags: parse(row, "tags")?,
        created_at: column(row, "created_at")?,
    })
}

const OIDC_COLUMNS: &str = "account_id, url, client_ids, thumbprints, tags, created_at";
const SAML_COLUMNS: &str = "account_id, provider_name, provider_uuid, metadata, certificates, \
                            valid_until, tags, created_at";

impl Tx {
    /// Inserts an OIDC provider; [`StoreError::Duplicate`] when its URL exists (any case).
    pub async fn insert_oidc_provider(
        &mut self,
        provider: &OidcProviderRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_providers (account_id, provider_key, url, client_ids, thumbprints, tags, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&provider.account_id)
        .bind(provider.url.to_lowercase())
        .bind(&provider.url)
        .bind(json(&provider.client_ids)?)
        .bind(json(&provider.thumbprints)?)
        .bind(json(&provider.tags)?)
        .bind(provider.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The signing keys (a JWKS document) configured for an OIDC provider, if any.
    pub async fn oidc_provider_keys(
        &mut self,
        account_id: &str,
        url: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT jwks FROM oidc_providers WHERE account_id = $1 AND provider_key = $2",
        )
        .bind(account_id)
        .bind(url.to_lowercase())
        .fetch_optional(self.conn())
        .await?;
        match row {
            Some(row) => column::<Option<String>>(&row, "jwks"),
            None => Ok(None),
        }
    }

    /// Sets the signing keys of an OIDC provider; false when there is no such provider.
    pub async fn set_oidc_provider_keys(
        &mut self,
        account_id: &str,
        url: &str,
        jwks: &str,
    ) -> Result<bool, StoreError> {
        let key = url.to_lowercase();
        let touched = self
            .exec(
                "UPDATE oidc_providers SET jwks = $3 WHERE account_id = $1 AND provider_key = $2",
                &[account_id, &key, jwks],
            )
            .await?;
        Ok(touched > 0)
    }

    /// The OIDC provider of that URL (without scheme, any case).
    pub async fn oidc_provider(
        &mut self,
        account_id: &str,
        url: &str,
    ) -> Result<Option<OidcProviderRecord>, StoreError> {
        let sql = format!(
            "SELECT {OIDC_COLUMNS} FROM oidc_providers WHERE account_id = $1 AND provider_key = $2"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(url.to_lowercase())
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(oidc_from_row).transpose()
    }

    /// Every OIDC provider of the account, by URL.
    pub async fn oidc_providers(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<OidcProviderRecord>, StoreError> {
        let sql = format!(
            "SELECT {OIDC_COLUMNS} FROM oidc_providers WHERE account_id = $1 ORDER BY provider_key"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(oidc_from_row).collect()
    }

    /// Rewrites an OIDC provider's client ids, thumbprints and tags.
    pub async fn update_oidc_provider(
        &mut self,
        provider: &OidcProviderRecord,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE oidc_providers SET client_ids = $3, thumbprints = $4, tags = $5 \
             WHERE account_id = $1 AND provider_key = $2",
        )
        .bind(&provider.account_id)
        .bind(provider.url.to_lowercase())
        .bind(json(&provider.client_ids)?)
        .bind(json(&provider.thumbprints)?)
        .bind(json(&provider.tags)?)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes an OIDC provider; false when absent.
    pub async fn delete_oidc_provider(
        &mut self,
        account_id: &str,
        url: &str,
    ) -> Result<bool, StoreError> {
        let key = url.to_lowercase();
        let touched = self
            .exec(
                "DELETE FROM oidc_providers WHERE account_id = $1 AND provider_key = $2",
                &[account_id, &key],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Inserts a SAML provider; [`StoreError::Duplicate`] when the name exists.
    pub async fn insert_saml_provider(
        &mut self,
        provider: &SamlProviderRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO saml_providers (account_id, provider_name, provider_uuid, metadata, certificates, \
             valid_until, tags, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&provider.account_id)
        .bind(&provider.name)
        .bind(&provider.uuid)
        .bind(&provider.metadata)
        .bind(json(&provider.certificates)?)
        .bind(provider.valid_until)
        .bind(json(&provider.tags)?)
        .bind(provider.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// The SAML provider of that name.
    pub async fn saml_provider(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<SamlProviderRecord>, StoreError> {
        let sql = format!(
            "SELECT {SAML_COLUMNS} FROM saml_providers WHERE account_id = $1 AND provider_name = $2"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(name)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(saml_from_row).transpose()
    }

    /// Every SAML provider of the account, by name.
    pub async fn saml_providers(
        &mut self,
        account_id: &str,
    ) -> Result<Vec<SamlProviderRecord>, StoreError> {
        let sql = format!(
            "SELECT {SAML_COLUMNS} FROM saml_providers WHERE account_id = $1 ORDER BY provider_name"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(saml_from_row).collect()
    }

    /// Rewrites a SAML provider's metadata, certificates, validity and tags.
    pub async fn update_saml_provider(
        &mut self,
        provider: &SamlProviderRecord,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE saml_providers SET metadata = $3, certificates = $4, valid_until = $5, tags = $6 \
             WHERE account_id = $1 AND provider_name = $2",
        )
        .bind(&provider.account_id)
        .bind(&provider.name)
        .bind(&provider.metadata)
        .bind(json(&provider.certificates)?)
        .bind(provider.valid_until)
        .bind(json(&provider.tags)?)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a SAML provider; false when absent.
    pub async fn delete_saml_provider(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM saml_providers WHERE account_id = $1 AND provider_name = $2",
                &[account_id, name],
            )
            .await?;
        Ok(touched > 0)
    }
}
