//! Service-specific credentials: a generated user name and password for CodeCommit (Git
//! over HTTPS) and Amazon Keyspaces, or an API key for Bedrock, bound to an IAM user. The
//! password or key is returned at creation and reset only; the store keeps its SHA-256
//! (the secret is 256 random bits, so a fast hash is as safe as a slow one, and nothing
//! needs it back in clear). At most two per user and service.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use wire::iam::{
    errors, CreateServiceSpecificCredentialRequest, ListServiceSpecificCredentialsRequest,
    ListServiceSpecificCredentialsResponse, ServiceSpecificCredential,
    ServiceSpecificCredentialMetadata, StatusType,
};
use wire::ServiceError;

use crate::model::{ids, IdPrefix};
use crate::store::{from_millis, now_millis, ServiceCredentialRecord, Tx, UserRecord};

use super::pagination;
use super::ssh_keys::{status_of, status_text};
use super::users::find_user;
use crate::request::RequestContext;

/// AWS's quota of credentials per user and service.
pub(super) const CREDENTIALS_PER_SERVICE: usize = 2;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// What a service's credentials look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A user name and a password.
    Password,
    /// An API key: a public alias and a secret.
    ApiKey,
}

fn kind_of(service: &str) -> Result<Kind, ServiceError> {
    match service {
        "codecommit.amazonaws.com" | "cassandra.amazonaws.com" => Ok(Kind::Password),
        "bedrock.amazonaws.com" => Ok(Kind::ApiKey),
        _ => Err(errors::not_supported_service(format!(
            "The specified service {service} does not support service-specific credentials."
        ))),
    }
}

fn not_found(credential_id: &str) -> ServiceError {
    errors::no_such_entity(format!(
        "No such credential {credential_id} exists for this user."
    ))
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 32 random bytes, base64.
fn random_secret() -> zeroize::Zeroizing<String> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(bytes.as_ref()))
}

/// A new secret for a credential: a password, or an API key that carries its alias
/// (`ABSK` and the base64 of `alias:secret`, the shape of Bedrock's long-term keys).
fn new_secret(kind: Kind, alias: Option<&str>) -> zeroize::Zeroizing<String> {
    let secret = random_secret();
    match (kind, alias) {
        (Kind::ApiKey, Some(alias)) => zeroize::Zeroizing::new(format!(
            "ABSK{}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{alias}:{}", secret.as_str()))
        )),
        _ => secret,
    }
}

fn status(record: &ServiceCredentialRecord) -> StatusType {
    match record.expires_at {
        Some(at) if at <= now_millis() => StatusType::Expired,
        _ => status_of(&record.status),
    }
}

fn to_wire(
    user: &str,
    record: &ServiceCredentialRecord,
    secret: Option<&str>,
) -> ServiceSpecificCredential {
    let (password, api_secret) = match (&record.alias, secret) {
        (Some(_), Some(secret)) => (None, Some(secret.to_owned())),
        (None, Some(secret)) => (Some(secret.to_owned()), None),
        _ => (None, None),
    };
    ServiceSpecificCredential {
        create_date: from_millis(record.created_at),
        expiration_date: record.expires_at.map(from_millis),
        service_name: record.service_name.clone(),
        service_user_name: record.service_user_name.clone(),
        service_password: password,
        service_credential_alias: record.alias.clone(),
        service_credential_secret: api_secret,
        service_specific_credential_id: record.credential_id.clone(),
        user_name: user.to_owned(),
        status: status(record),
    }
}

fn metadata(user: &str, record: &ServiceCredentialRecord) -> ServiceSpecificCredentialMetadata {
    ServiceSpecificCredentialMetadata {
        user_name: user.to_owned(),
        status: status(record),
        service_user_name: record.service_user_name.clone(),
        service_credential_alias: record.alias.clone(),
        create_date: from_millis(record.created_at),
        expiration_date: record.expires_at.map(from_millis),
        service_specific_credential_id: record.credential_id.clone(),
        service_name: record.service_name.clone(),
    }
}

/// The user an operation is about: the named one, or the calling user.
async fn target_user(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
) -> Result<UserRecord, ServiceError> {
    let account = context.principal.account.to_string();
    let Some(name) = user_name.or_else(|| context.principal.user_name()) else {
        return Err(errors::no_such_entity(
            "The root user has no service-specific credentials: name an IAM user.",
        ));
    };
    find_user(tx, &account, name).await
}

async fn find(
    tx: &mut Tx,
    user: &UserRecord,
    credential_id: &str,
) -> Result<ServiceCredentialRecord, ServiceError> {
    tx.service_credentials(&user.account_id, Some(&user.user_name), None)
        .await?
        .into_iter()
        .find(|record| record.credential_id == credential_id)
        .ok_or_else(|| not_found(credential_id))
}

pub(super) async fn handle_create(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateServiceSpecificCredentialRequest,
) -> Result<ServiceSpecificCredential, ServiceError> {
    let kind = kind_of(&input.service_name)?;
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, &input.user_name).await?;
    if input.credential_age_days.is_some() && kind != Kind::ApiKey {
        return Err(errors::invalid_input(
            "CredentialAgeDays is only valid for Bedrock API keys.",
        ));
    }
    let held = tx
        .service_credentials(&account, Some(&user.user_name), Some(&input.service_name))
        .await?;
    if held.len() >= CREDENTIALS_PER_SERVICE {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: \
             {CREDENTIALS_PER_SERVICE}"
        )));
    }
    let now = now_millis();
    let (service_user_name, alias) = match kind {
        // `jane-at-123456789012`, then `jane+1-at-…` for a second one, as AWS names them.
        Kind::Password => {
            let name = (0..=held.len())
                .map(|n| match n {
                    0 => format!("{}-at-{account}", user.user_name),
                    n => format!("{}+{n}-at-{account}", user.user_name),
                })
                .find(|name| {
                    !held
                        .iter()
                        .any(|record| record.service_user_name.as_deref() == Some(name.as_str()))
                })
                .unwrap_or_default();
            (Some(name), None)
        }
        Kind::ApiKey => {
            let mut suffix = [0u8; 3];
            rand::thread_rng().fill_bytes(&mut suffix);
            (
                None,
                Some(format!(
                    "BedrockAPIKey-{}-at-{account}",
                    hex::encode(suffix)
                )),
            )
        }
    };
    let secret = new_secret(kind, alias.as_deref());
    let record = ServiceCredentialRecord {
        account_id: account,
        user_key: user.user_name.clone(),
        credential_id: ids::unique_id(IdPrefix::ServiceCredential),
        service_name: input.service_name,
        service_user_name,
        alias,
        secret_hash: hash(&secret),
        status: "Active".to_owned(),
        expires_at: input
            .credential_age_days
            .map(|days| now.saturating_add(i64::from(days).saturating_mul(MILLIS_PER_DAY))),
        created_at: now,
    };
    tx.insert_service_credential(&record).await?;
    Ok(to_wire(&user.user_name, &record, Some(&secret)))
}

pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListServiceSpecificCredentialsRequest,
) -> Result<ListServiceSpecificCredentialsResponse, ServiceError> {
    if let Some(service) = &input.service_name {
        kind_of(service)?;
    }
    let account = context.principal.account.to_string();
    let all_users = input.all_users.unwrap_or(false);
    if all_users && input.user_name.is_some() {
        return Err(errors::invalid_input(
            "AllUsers cannot be specified together with UserName.",
        ));
    }
    let records = if all_users {
        tx.service_credentials(&account, None, input.service_name.as_deref())
            .await?
    } else if input.user_name.is_none() && context.principal.user_name().is_none() {
        // The root user holds none.
        Vec::new()
    } else {
        let user = target_user(tx, context, input.user_name.as_deref()).await?;
        tx.service_credentials(
            &account,
            Some(&user.user_name),
            input.service_name.as_deref(),
        )
        .await?
    };
    let (page, truncated, marker) = pagination::page(
        records,
        input.max_items,
        input.marker.as_deref(),
        |record| record.credential_id.clone(),
    )?;
    let mut listed = Vec::with_capacity(page.len());
    for record in &page {
        let name = tx
            .user(&account, &record.user_key)
            .await?
            .map_or_else(|| record.user_key.clone(), |user| user.user_name);
        listed.push(metadata(&name, record));
    }
    Ok(ListServiceSpecificCredentialsResponse {
        service_specific_credentials: Some(listed),
        marker,
        is_truncated: Some(truncated),
    })
}

pub(super) async fn handle_reset(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, credential_id): (Option<&str>, &str),
) -> Result<ServiceSpecificCredential, ServiceError> {
    let user = target_user(tx, context, user_name).await?;
    let mut record = find(tx, &user, credential_id).await?;
    let kind = if record.alias.is_some() {
        Kind::ApiKey
    } else {
        Kind::Password
    };
    let secret = new_secret(kind, record.alias.as_deref());
    record.secret_hash = hash(&secret);
    tx.update_service_credential(&record).await?;
    Ok(to_wire(&user.user_name, &record, Some(&secret)))
}

pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, credential_id): (Option<&str>, &str),
    status: &StatusType,
) -> Result<(), ServiceError> {
    let status = status_text(status)?;
    let user = target_user(tx, context, user_name).await?;
    let mut record = find(tx, &user, credential_id).await?;
    status.clone_into(&mut record.status);
    tx.update_service_credential(&record).await?;
    Ok(())
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, credential_id): (Option<&str>, &str),
) -> Result<(), ServiceError> {
    let user = target_user(tx, context, user_name).await?;
    let record = find(tx, &user, credential_id).await?;
    tx.delete_service_credential(&record.account_id, &record.credential_id)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_carry_their_alias_and_passwords_are_base64() {
        let key = new_secret(Kind::ApiKey, Some("BedrockAPIKey-abc123-at-123456789012"));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(key.strip_prefix("ABSK").unwrap())
            .unwrap();
        let text = String::from_utf8(decoded).unwrap();
        assert!(text.starts_with("BedrockAPIKey-abc123-at-123456789012:"));
        let password = new_secret(Kind::Password, None);
        assert_eq!(password.len(), 44);
        assert_ne!(password.as_str(), new_secret(Kind::Password, None).as_str());
        assert_eq!(hash("x").len(), 64);
        assert!(kind_of("s3.amazonaws.com").is_err());
    }
}
