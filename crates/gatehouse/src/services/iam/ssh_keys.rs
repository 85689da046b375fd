//! SSH public keys of IAM users (what CodeCommit authenticates Git over SSH with):
//! upload (`ssh-rsa` or PEM, 2048 bits or more), read in either encoding, list, change
//! status, delete. At most five per user.

use wire::iam::{
    errors, EncodingType, ListSSHPublicKeysRequest, ListSSHPublicKeysResponse, SSHPublicKey,
    SSHPublicKeyMetadata, StatusType,
};
use wire::ServiceError;

use crate::model::{ids, IdPrefix};
use crate::store::{from_millis, now_millis, SshPublicKeyRecord, StoreError, Tx, UserRecord};

use super::certificates::{RsaPublicKey, SshKeyError, MIN_SSH_KEY_BITS};
use super::pagination;
use super::users::find_user;
use crate::request::RequestContext;

/// AWS's quota of SSH public keys per user.
pub(super) const KEYS_PER_USER: usize = 5;

fn not_found(key_id: &str) -> ServiceError {
    errors::no_such_entity(format!("The Public Key with id {key_id} cannot be found."))
}

pub(super) fn status_text(status: &StatusType) -> Result<&'static str, ServiceError> {
    match status {
        StatusType::Active => Ok("Active"),
        StatusType::Inactive => Ok("Inactive"),
        other => Err(errors::invalid_input(format!(
            "Status must be Active or Inactive, not {}.",
            other.as_str()
        ))),
    }
}

pub(super) fn status_of(text: &str) -> StatusType {
    if text == "Active" {
        StatusType::Active
    } else {
        StatusType::Inactive
    }
}

/// The key of that id held by the user, or `NoSuchEntity`.
async fn find_key(
    tx: &mut Tx,
    account: &str,
    user: &UserRecord,
    key_id: &str,
) -> Result<SshPublicKeyRecord, ServiceError> {
    tx.ssh_public_keys_of(account, &user.user_name)
        .await?
        .into_iter()
        .find(|key| key.key_id == key_id)
        .ok_or_else(|| not_found(key_id))
}

fn to_wire(user: &UserRecord, key: &SshPublicKeyRecord, body: String) -> SSHPublicKey {
    SSHPublicKey {
        user_name: user.user_name.clone(),
        ssh_public_key_id: key.key_id.clone(),
        fingerprint: key.fingerprint.clone(),
        ssh_public_key_body: body,
        status: status_of(&key.status),
        upload_date: Some(from_millis(key.created_at)),
    }
}

pub(super) async fn handle_upload(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: &str,
    body: &str,
) -> Result<SSHPublicKey, ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    let key = RsaPublicKey::parse_ssh(body).map_err(|err| match err {
        SshKeyError::Unrecognized => errors::unrecognized_public_key_encoding(
            "The public key encoding format is unsupported or unrecognized: use ssh-rsa or PEM.",
        ),
        SshKeyError::Invalid => errors::invalid_public_key(format!(
            "The public key is malformed or shorter than {MIN_SSH_KEY_BITS} bits."
        )),
    })?;
    let fingerprint = key.md5_fingerprint();
    let held = tx.ssh_public_keys_of(&account, &user.user_name).await?;
    let duplicate = || {
        errors::duplicate_ssh_public_key("The SSH public key is already associated with the user.")
    };
    if held.iter().any(|known| known.fingerprint == fingerprint) {
        return Err(duplicate());
    }
    if held.len() >= KEYS_PER_USER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for PublicKeysPerUser: {KEYS_PER_USER}"
        )));
    }
    let record = SshPublicKeyRecord {
        account_id: account,
        user_key: user.user_name.clone(),
        key_id: ids::key_like_id(IdPrefix::SshPublicKey),
        body: key.to_openssh(),
        fingerprint,
        status: "Active".to_owned(),
        created_at: now_millis(),
    };
    match tx.insert_ssh_public_key(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(duplicate()),
        Err(err) => return Err(err.into()),
    }
    Ok(to_wire(&user, &record, record.body.clone()))
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, key_id): (&str, &str),
    encoding: &EncodingType,
) -> Result<SSHPublicKey, ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    let key = find_key(tx, &account, &user, key_id).await?;
    let body = match encoding {
        EncodingType::Ssh => key.body.clone(),
        EncodingType::Pem => RsaPublicKey::parse_ssh(&key.body)
            .map_err(|_| crate::app::internal(format!("stored SSH key {key_id} does not parse")))?
            .to_pem(),
        EncodingType::Unknown(other) => {
            return Err(errors::unrecognized_public_key_encoding(format!(
                "Encoding {other} is not SSH or PEM."
            )))
        }
    };
    Ok(to_wire(&user, &key, body))
}

pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListSSHPublicKeysRequest,
) -> Result<ListSSHPublicKeysResponse, ServiceError> {
    let account = context.principal.account.to_string();
    // The root user (no name given) holds no SSH keys.
    let Some(name) = input
        .user_name
        .as_deref()
        .or_else(|| context.principal.user_name())
    else {
        return Ok(ListSSHPublicKeysResponse {
            ssh_public_keys: Some(Vec::new()),
            is_truncated: Some(false),
            marker: None,
        });
    };
    let user = find_user(tx, &account, name).await?;
    let keys = tx.ssh_public_keys_of(&account, &user.user_name).await?;
    let (page, truncated, marker) =
        pagination::page(keys, input.max_items, input.marker.as_deref(), |key| {
            key.key_id.clone()
        })?;
    Ok(ListSSHPublicKeysResponse {
        ssh_public_keys: Some(
            page.iter()
                .map(|key| SSHPublicKeyMetadata {
                    user_name: user.user_name.clone(),
                    ssh_public_key_id: key.key_id.clone(),
                    status: status_of(&key.status),
                    upload_date: from_millis(key.created_at),
                })
                .collect(),
        ),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, key_id): (&str, &str),
    status: &StatusType,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let status = status_text(status)?;
    let user = find_user(tx, &account, user_name).await?;
    let key = find_key(tx, &account, &user, key_id).await?;
    tx.set_ssh_public_key_status(&account, &user.user_name, &key.key_id, status)
        .await?;
    Ok(())
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, key_id): (&str, &str),
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    let key = find_key(tx, &account, &user, key_id).await?;
    tx.delete_ssh_public_key(&account, &user.user_name, &key.key_id)
        .await?;
    Ok(())
}
