//! Identity providers for federation: OIDC providers (URL, client ids, thumbprints) and
//! SAML providers (metadata, read by `saml_metadata.rs`), with their tags. STS reads
//! them from the store when it verifies web-identity tokens and SAML assertions.

use wire::iam::{
    errors, CreateOpenIDConnectProviderRequest, CreateOpenIDConnectProviderResponse,
    CreateSAMLProviderRequest, CreateSAMLProviderResponse, GetOpenIDConnectProviderResponse,
    GetSAMLProviderResponse, OpenIDConnectProviderListEntry, SAMLProviderListEntry,
    UpdateSAMLProviderRequest,
};
use wire::ServiceError;

use crate::store::{
    from_millis, now_millis, OidcProviderRecord, SamlProviderRecord, StoreError, Tx,
};

use super::saml_metadata;
use super::tags::{merge_tags, tags_to_wire};
use crate::request::RequestContext;

/// AWS's quotas.
const OIDC_PROVIDERS_PER_ACCOUNT: usize = 100;
const SAML_PROVIDERS_PER_ACCOUNT: usize = 100;
const CLIENT_IDS_PER_PROVIDER: usize = 100;
const THUMBPRINTS_PER_PROVIDER: usize = 5;

/// The ARN of an OIDC provider (`url` without scheme).
pub(super) fn oidc_arn(context: &RequestContext, url: &str) -> String {
    let principal = &context.principal;
    format!(
        "arn:{}:iam::{}:oidc-provider/{url}",
        principal.partition, principal.account
    )
}

/// The ARN of a SAML provider.
pub(super) fn saml_arn(context: &RequestContext, name: &str) -> String {
    let principal = &context.principal;
    format!(
        "arn:{}:iam::{}:saml-provider/{name}",
        principal.partition, principal.account
    )
}

/// The identifier after `<kind>/` in a provider ARN of the caller's account.
fn arn_tail<'a>(
    context: &RequestContext,
    arn: &'a str,
    kind: &str,
) -> Result<Option<&'a str>, ServiceError> {
    let mut fields = arn.splitn(6, ':');
    let parts: Vec<&str> = (0..6).filter_map(|_| fields.next()).collect();
    let [prefix, _partition, service, region, account, resource] = parts[..] else {
        return Err(errors::invalid_input(format!("ARN {arn} is not valid.")));
    };
    if prefix != "arn" || service != "iam" || !region.is_empty() {
        return Err(errors::invalid_input(format!("ARN {arn} is not valid.")));
    }
    let Some(tail) = resource
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|tail| !tail.is_empty())
    else {
        return Err(errors::invalid_input(format!("ARN {arn} is not valid.")));
    };
    Ok((account == context.principal.account.to_string()).then_some(tail))
}

/// An OIDC provider URL without its scheme; `https://` is required.
fn oidc_key(url: &str) -> Result<String, ServiceError> {
    let invalid = || errors::invalid_input(format!("Invalid Openid Connect Provider URL: {url}"));
    let rest = url.strip_prefix("https://").ok_or_else(invalid)?;
    let rest = rest.trim_end_matches('/');
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty()
        || rest.contains(['?', '#', ' '])
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        return Err(invalid());
    }
    Ok(rest.to_owned())
}

fn check_thumbprints(thumbprints: &[String]) -> Result<(), ServiceError> {
    if thumbprints.len() > THUMBPRINTS_PER_PROVIDER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {THUMBPRINTS_PER_PROVIDER}"
        )));
    }
    if let Some(bad) = thumbprints
        .iter()
        .find(|print| !print.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(errors::invalid_input(format!(
            "Thumbprint {bad} is not a 40-character hexadecimal SHA-1 fingerprint."
        )));
    }
    Ok(())
}

fn add_client_id(record: &mut OidcProviderRecord, id: String) -> Result<(), ServiceError> {
    if record.client_ids.contains(&id) {
        return Ok(());
    }
    if record.client_ids.len() >= CLIENT_IDS_PER_PROVIDER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_PER_PROVIDER}"
        )));
    }
    record.client_ids.push(id);
    Ok(())
}

fn no_oidc(arn: &str) -> ServiceError {
    errors::no_such_entity(format!("OpenIDConnect Provider not found for arn {arn}"))
}

pub(super) async fn create_oidc(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateOpenIDConnectProviderRequest,
) -> Result<CreateOpenIDConnectProviderResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let url = oidc_key(&input.url)?;
    let thumbprints = input.thumbprint_list.unwrap_or_default();
    check_thumbprints(&thumbprints)?;
    let existing = tx.oidc_providers(&account).await?;
    if existing.len() >= OIDC_PROVIDERS_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {OIDC_PROVIDERS_PER_ACCOUNT}"
        )));
    }
    let mut record = OidcProviderRecord {
        account_id: account,
        url,
        client_ids: Vec::new(),
        thumbprints: thumbprints.iter().map(|t| t.to_lowercase()).collect(),
        tags: Vec::new(),
        created_at: now_millis(),
    };
    for id in input.client_id_list.unwrap_or_default() {
        add_client_id(&mut record, id)?;
    }
    merge_tags(&mut record.tags, input.tags.unwrap_or_default())?;
    match tx.insert_oidc_provider(&record).await {
        Ok(()) => Ok(CreateOpenIDConnectProviderResponse {
            open_id_connect_provider_arn: Some(oidc_arn(context, &record.url)),
            tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
        }),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "Provider with url {} already exists.",
            input.url
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The OIDC provider an ARN names, or `NoSuchEntity`.
pub(super) async fn find_oidc(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<OidcProviderRecord, ServiceError> {
    let Some(url) = arn_tail(context, arn, "oidc-provider")? else {
        return Err(no_oidc(arn));
    };
    let account = context.principal.account.to_string();
    tx.oidc_provider(&account, url)
        .await?
        .ok_or_else(|| no_oidc(arn))
}

pub(super) fn oidc_to_wire(record: &OidcProviderRecord) -> GetOpenIDConnectProviderResponse {
    GetOpenIDConnectProviderResponse {
        url: Some(record.url.clone()),
        client_id_list: Some(record.client_ids.clone()),
        thumbprint_list: Some(record.thumbprints.clone()),
        create_date: Some(from_millis(record.created_at)),
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
    }
}

/// Applies a change to an OIDC provider and writes it back; returns it after the change.
pub(super) async fn update_oidc(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
    change: impl FnOnce(&mut OidcProviderRecord) -> Result<(), ServiceError>,
) -> Result<OidcProviderRecord, ServiceError> {
    let mut record = find_oidc(tx, context, arn).await?;
    change(&mut record)?;
    tx.update_oidc_provider(&record).await?;
    Ok(record)
}

/// Adds a client id (idempotent, as AWS).
pub(super) fn with_client_id(
    record: &mut OidcProviderRecord,
    id: String,
) -> Result<(), ServiceError> {
    add_client_id(record, id)
}

/// Replaces the thumbprints.
pub(super) fn with_thumbprints(
    record: &mut OidcProviderRecord,
    thumbprints: Vec<String>,
) -> Result<(), ServiceError> {
    check_thumbprints(&thumbprints)?;
    record.thumbprints = thumbprints.iter().map(|t| t.to_lowercase()).collect();
    Ok(())
}

/// `DeleteOpenIDConnectProvider`: idempotent, as AWS documents (no error when absent).
pub(super) async fn delete_oidc(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<(), ServiceError> {
    let Some(url) = arn_tail(context, arn, "oidc-provider")? else {
        return Ok(());
    };
    let account = context.principal.account.to_string();
    tx.delete_oidc_provider(&account, url).await?;
    Ok(())
}

pub(super) async fn list_oidc(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<Vec<OpenIDConnectProviderListEntry>, ServiceError> {
    let account = context.principal.account.to_string();
    Ok(tx
        .oidc_providers(&account)
        .await?
        .iter()
        .map(|record| OpenIDConnectProviderListEntry {
            arn: Some(oidc_arn(context, &record.url)),
        })
        .collect())
}

fn metadata(text: &str) -> Result<saml_metadata::Metadata, ServiceError> {
    saml_metadata::parse(text)
        .map_err(|why| errors::invalid_input(format!("Could not parse metadata: {why}.")))
}

fn no_saml(arn: &str) -> ServiceError {
    errors::no_such_entity(format!("Manifest not found for arn {arn}"))
}

/// Refuses SAML assertion encryption: Gatehouse does not hold IdP decryption keys yet.
fn refuse_encryption(
    mode: Option<&wire::iam::AssertionEncryptionModeType>,
    key: Option<&String>,
) -> Result<(), ServiceError> {
    let wants_encryption = matches!(mode, Some(wire::iam::AssertionEncryptionModeType::Required));
    if wants_encryption || key.is_some() {
        return Err(errors::invalid_input(
            "Encrypted SAML assertions (AssertionEncryptionMode Required, private keys) are not supported by Gatehouse.",
        ));
    }
    Ok(())
}

pub(super) async fn create_saml(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateSAMLProviderRequest,
) -> Result<CreateSAMLProviderResponse, ServiceError> {
    refuse_encryption(
        input.assertion_encryption_mode.as_ref(),
        input.add_private_key.as_ref(),
    )?;
    let parsed = metadata(&input.saml_metadata_document)?;
    let account = context.principal.account.to_string();
    let existing = tx.saml_providers(&account).await?;
    if existing.len() >= SAML_PROVIDERS_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for SamlProvidersPerAccount: {SAML_PROVIDERS_PER_ACCOUNT}"
        )));
    }
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags.unwrap_or_default())?;
    let record = SamlProviderRecord {
        account_id: account,
        name: input.name,
        uuid: uuid::Uuid::new_v4().to_string(),
        metadata: input.saml_metadata_document,
        certificates: parsed.certificates,
        valid_until: i64::try_from(parsed.valid_until.unix_timestamp_nanos() / 1_000_000)
            .unwrap_or(i64::MAX),
        tags,
        created_at: now_millis(),
    };
    match tx.insert_saml_provider(&record).await {
        Ok(()) => Ok(CreateSAMLProviderResponse {
            saml_provider_arn: Some(saml_arn(context, &record.name)),
            tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
        }),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "SAMLProvider {} already exists.",
            record.name
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The SAML provider an ARN names, or `NoSuchEntity`.
pub(super) async fn find_saml(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<SamlProviderRecord, ServiceError> {
    let Some(name) = arn_tail(context, arn, "saml-provider")? else {
        return Err(no_saml(arn));
    };
    let account = context.principal.account.to_string();
    tx.saml_provider(&account, name)
        .await?
        .ok_or_else(|| no_saml(arn))
}

pub(super) fn saml_to_wire(record: &SamlProviderRecord) -> GetSAMLProviderResponse {
    GetSAMLProviderResponse {
        saml_provider_uuid: Some(record.uuid.clone()),
        saml_metadata_document: Some(record.metadata.clone()),
        create_date: Some(from_millis(record.created_at)),
        valid_until: Some(from_millis(record.valid_until)),
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
        assertion_encryption_mode: Some(wire::iam::AssertionEncryptionModeType::Allowed),
        private_key_list: None,
    }
}

/// Applies a change to a SAML provider and writes it back; returns it after the change.
pub(super) async fn update_saml_record(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
    change: impl FnOnce(&mut SamlProviderRecord) -> Result<(), ServiceError>,
) -> Result<SamlProviderRecord, ServiceError> {
    let mut record = find_saml(tx, context, arn).await?;
    change(&mut record)?;
    tx.update_saml_provider(&record).await?;
    Ok(record)
}

pub(super) async fn update_saml(
    tx: &mut Tx,
    context: &RequestContext,
    input: UpdateSAMLProviderRequest,
) -> Result<String, ServiceError> {
    refuse_encryption(
        input.assertion_encryption_mode.as_ref(),
        input.add_private_key.as_ref(),
    )?;
    let parsed = input
        .saml_metadata_document
        .as_deref()
        .map(metadata)
        .transpose()?;
    let record = update_saml_record(tx, context, &input.saml_provider_arn, |record| {
        if let (Some(text), Some(parsed)) = (input.saml_metadata_document, parsed) {
            record.metadata = text;
            record.certificates = parsed.certificates;
            record.valid_until =
                i64::try_from(parsed.valid_until.unix_timestamp_nanos() / 1_000_000)
                    .unwrap_or(i64::MAX);
        }
        Ok(())
    })
    .await?;
    Ok(saml_arn(context, &record.name))
}

pub(super) async fn delete_saml(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<(), ServiceError> {
    let record = find_saml(tx, context, arn).await?;
    tx.delete_saml_provider(&record.account_id, &record.name)
        .await?;
    Ok(())
}

pub(super) async fn list_saml(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<Vec<SAMLProviderListEntry>, ServiceError> {
    let account = context.principal.account.to_string();
    Ok(tx
        .saml_providers(&account)
        .await?
        .iter()
        .map(|record| SAMLProviderListEntry {
            arn: Some(saml_arn(context, &record.name)),
            valid_until: Some(from_millis(record.valid_until)),
            create_date: Some(from_millis(record.created_at)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::oidc_key;

    #[test]
    fn oidc_urls_need_https_and_lose_the_scheme() {
        assert_eq!(
            oidc_key("https://token.example.com").unwrap(),
            "token.example.com"
        );
        assert_eq!(
            oidc_key("https://example.com/tenant/v2/").unwrap(),
            "example.com/tenant/v2"
        );
        assert!(oidc_key("http://example.com").is_err());
        assert!(oidc_key("https://").is_err());
        assert!(oidc_key("https://example.com/?q=1").is_err());
    }
}
