//! Access keys: long-term credentials for users (and the root user), so nobody needs to
//! leave root credentials on a server. At most two per user, as AWS allows.

use wire::iam::{
    errors, AccessKey, AccessKeyLastUsed, AccessKeyMetadata, CreateAccessKeyRequest,
    CreateAccessKeyResponse, DeleteAccessKeyRequest, GetAccessKeyLastUsedRequest,
    GetAccessKeyLastUsedResponse, ListAccessKeysRequest, ListAccessKeysResponse, StatusType,
    UpdateAccessKeyRequest,
};
use wire::ServiceError;

use crate::app::App;
use crate::model::{ids, AccessKeyId};
use crate::store::{from_millis, AccessKeyRecord, KeyOwner, Tx};

use super::users::find_user;
use crate::request::RequestContext;

/// AWS's quota of access keys per user.
pub(super) const KEYS_PER_USER: usize = 2;

/// The name `AccessKey.UserName` carries for the root user's keys.
const ROOT_NAME: &str = "root";

/// Resolves whose keys an operation is about: the named user (which must exist), or the
/// caller when no name is given. Returns the owner and the name to report.
pub(super) async fn owner(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
) -> Result<(KeyOwner, String), ServiceError> {
    let account = context.principal.account.to_string();
    match user_name.or_else(|| context.principal.user_name()) {
        Some(name) => {
            let user = find_user(tx, &account, name).await?;
            Ok((KeyOwner::User(user.user_name.clone()), user.user_name))
        }
        None => Ok((KeyOwner::Root, ROOT_NAME.to_owned())),
    }
}

fn status_from_record(status: &str) -> StatusType {
    StatusType::from(status)
}

pub(super) async fn handle_create_access_key(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateAccessKeyRequest,
) -> Result<CreateAccessKeyResponse, ServiceError> {
    let account = context.principal.account;
    let (owner, name) = owner(tx, context, input.user_name.as_deref()).await?;
    let existing = tx.access_keys_of(&account.to_string(), &owner).await?;
    if existing.len() >= KEYS_PER_USER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}"
        )));
    }
    let key_id = AccessKeyId::generate(account, false);
    let secret = zeroize::Zeroizing::new(ids::secret_access_key());
    let record = AccessKeyRecord {
        access_key_id: key_id.to_string(),
        account_id: account.to_string(),
        owner,
        secret_sealed: app
            .master_key()
            .seal(key_id.as_str().as_bytes(), secret.as_bytes()),
        status: "Active".to_owned(),
        created_at: crate::store::now_millis(),
        last_used: None,
    };
    tx.insert_access_key(&record).await?;
    app.credentials().invalidate(key_id.as_str());
    Ok(CreateAccessKeyResponse {
        access_key: AccessKey {
            user_name: name,
            access_key_id: record.access_key_id,
            status: StatusType::Active,
            secret_access_key: secret.to_string(),
            create_date: Some(from_millis(record.created_at)),
        },
    })
}

pub(super) async fn handle_list_access_keys(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListAccessKeysRequest,
) -> Result<ListAccessKeysResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let (owner, name) = owner(tx, context, input.user_name.as_deref()).await?;
    let keys = tx.access_keys_of(&account, &owner).await?;
    let (keys, truncated, marker) =
        super::pagination::page(keys, input.max_items, input.marker.as_deref(), |key| {
            key.access_key_id.clone()
        })?;
    Ok(ListAccessKeysResponse {
        access_key_metadata: keys
            .iter()
            .map(|key| AccessKeyMetadata {
                user_name: Some(name.clone()),
                access_key_id: Some(key.access_key_id.clone()),
                status: Some(status_from_record(&key.status)),
                create_date: Some(from_millis(key.created_at)),
            })
            .collect(),
        is_truncated: Some(truncated),
        marker,
    })
}

/// The key of that id belonging to `owner` in the caller's account, or `NoSuchEntity`.
async fn find_key(
    tx: &mut Tx,
    context: &RequestContext,
    owner: &KeyOwner,
    access_key_id: &str,
) -> Result<AccessKeyRecord, ServiceError> {
    let account = context.principal.account.to_string();
    let keys = tx.access_keys_of(&account, owner).await?;
    keys.into_iter()
        .find(|key| key.access_key_id == access_key_id)
        .ok_or_else(|| {
            errors::no_such_entity(format!(
                "The Access Key with id {access_key_id} cannot be found."
            ))
        })
}

pub(super) async fn handle_update_access_key(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: UpdateAccessKeyRequest,
) -> Result<(), ServiceError> {
    let (owner, _) = owner(tx, context, input.user_name.as_deref()).await?;
    let key = find_key(tx, context, &owner, &input.access_key_id).await?;
    let status = match input.status {
        StatusType::Active => "Active",
        StatusType::Inactive => "Inactive",
        other => {
            return Err(ServiceError::validation(format!(
                "1 validation error detected: Value '{}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
                other.as_str()
            )))
        }
    };
    tx.set_access_key_status(&key.account_id, &key.access_key_id, status)
        .await?;
    app.credentials().invalidate(&key.access_key_id);
    Ok(())
}

pub(super) async fn handle_delete_access_key(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: DeleteAccessKeyRequest,
) -> Result<(), ServiceError> {
    let (owner, _) = owner(tx, context, input.user_name.as_deref()).await?;
    let key = find_key(tx, context, &owner, &input.access_key_id).await?;
    tx.delete_access_key(&key.account_id, &key.access_key_id)
        .await?;
    app.credentials().invalidate(&key.access_key_id);
    Ok(())
}

pub(super) async fn handle_get_access_key_last_used(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: GetAccessKeyLastUsedRequest,
) -> Result<GetAccessKeyLastUsedResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let key = tx
        .access_key_by_id(&input.access_key_id)
        .await?
        .filter(|key| key.account_id == account)
        .ok_or_else(|| {
            errors::no_such_entity(format!(
                "The Access Key with id {} cannot be found.",
                input.access_key_id
            ))
        })?;
    let user_name = match &key.owner {
        KeyOwner::User(name) => find_user(tx, &account, name).await?.user_name,
        KeyOwner::Root => ROOT_NAME.to_owned(),
    };
    // Uses noted in memory reach the store within a second; a newer one wins here.
    let pending = app.last_used().peek(&key.access_key_id);
    let newest = match (&key.last_used, pending) {
        (Some(stored), Some(pending)) if stored.0 >= pending.0 => Some(stored.clone()),
        (_, Some(pending)) => Some(pending),
        (stored, None) => stored.clone(),
    };
    let last_used = match &newest {
        Some((at, service, region)) => AccessKeyLastUsed {
            last_used_date: Some(from_millis(*at)),
            service_name: service.clone(),
            region: region.clone(),
        },
        None => AccessKeyLastUsed {
            last_used_date: None,
            service_name: "N/A".to_owned(),
            region: "N/A".to_owned(),
        },
    };
    Ok(GetAccessKeyLastUsedResponse {
        user_name: Some(user_name),
        access_key_last_used: Some(last_used),
    })
}
