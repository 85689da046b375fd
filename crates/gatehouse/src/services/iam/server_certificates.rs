//! Server certificates: upload (the certificate, its chain and its private key, checked
//! against each other), read without the private key, list by path, rename or move,
//! delete, tags. The private key is sealed under the master key at rest, bound to the
//! certificate id, and no operation ever returns it.

use wire::iam::{
    errors, ListServerCertificatesRequest, ListServerCertificatesResponse, ServerCertificate,
    ServerCertificateMetadata, UpdateServerCertificateRequest, UploadServerCertificateRequest,
    UploadServerCertificateResponse,
};
use wire::ServiceError;

use crate::app::App;
use crate::model::{arn, ids, IdPrefix};
use crate::store::{from_millis, name_key, now_millis, ServerCertificateRecord, StoreError, Tx};

use super::certificates::{self, KeyError};
use super::pagination;
use super::tags::{merge_tags, tags_to_wire};
use crate::request::RequestContext;

/// AWS's quota of server certificates per account (`ServerCertificatesQuota`).
pub(super) const SERVER_CERTIFICATES_PER_ACCOUNT: i64 = 20;

fn not_found(name: &str) -> ServiceError {
    errors::no_such_entity(format!(
        "The Server Certificate with name {name} cannot be found."
    ))
}

fn exists(name: &str) -> ServiceError {
    errors::entity_already_exists(format!(
        "The Server Certificate with name {name} already exists."
    ))
}

/// The ARN of a server certificate.
pub(super) fn certificate_arn(context: &RequestContext, path: &str, name: &str) -> String {
    let principal = &context.principal;
    arn::iam_entity(
        principal.partition,
        principal.account,
        "server-certificate",
        path,
        name,
    )
}

fn metadata(
    context: &RequestContext,
    record: &ServerCertificateRecord,
) -> ServerCertificateMetadata {
    ServerCertificateMetadata {
        path: record.path.clone(),
        server_certificate_name: record.name.clone(),
        server_certificate_id: record.certificate_id.clone(),
        arn: certificate_arn(context, &record.path, &record.name),
        upload_date: Some(from_millis(record.created_at)),
        expiration: Some(from_millis(record.expires_at)),
    }
}

/// The certificate of that name in the caller's account, or `NoSuchEntity`.
pub(super) async fn find(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<ServerCertificateRecord, ServiceError> {
    tx.server_certificate(&context.principal.account.to_string(), name)
        .await?
        .ok_or_else(|| not_found(name))
}

pub(super) async fn handle_upload(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: UploadServerCertificateRequest,
) -> Result<UploadServerCertificateResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags.unwrap_or_default())?;
    let certificate =
        certificates::parse_certificate(&input.certificate_body).ok_or_else(|| {
            errors::malformed_certificate(
                "Unable to parse certificate. Please ensure the certificate is in PEM format.",
            )
        })?;
    if !certificate.valid_at(time::OffsetDateTime::now_utc().unix_timestamp()) {
        return Err(errors::malformed_certificate(
            "The certificate is expired or not yet valid.",
        ));
    }
    match certificates::check_private_key(&input.private_key, &certificate) {
        Ok(()) => {}
        Err(KeyError::Malformed) => {
            return Err(errors::malformed_certificate(
                "Unable to parse private key. Please ensure the private key is an unencrypted \
                 RSA (2048 bits or more) or EC (P-256, P-384) key in PEM format.",
            ))
        }
        Err(KeyError::Mismatch) => {
            return Err(errors::key_pair_mismatch(
                "The private key does not match the public key in the certificate.",
            ))
        }
    }
    if let Some(chain) = &input.certificate_chain {
        if let Err(index) = certificates::check_chain(&certificate, chain) {
            return Err(errors::malformed_certificate(format!(
                "Unable to validate certificate chain. The certificate chain must start with \
                 the immediate signing certificate, followed by any intermediaries in order. \
                 The index within the chain of the invalid certificate is: {index}"
            )));
        }
    }
    if tx
        .server_certificate(&account, &input.server_certificate_name)
        .await?
        .is_some()
    {
        return Err(exists(&input.server_certificate_name));
    }
    let held = tx.count_server_certificates(&account).await?;
    if held >= SERVER_CERTIFICATES_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for ServerCertificatesPerAccount: {SERVER_CERTIFICATES_PER_ACCOUNT}"
        )));
    }
    let certificate_id = ids::unique_id(IdPrefix::ServerCertificate);
    let record = ServerCertificateRecord {
        account_id: account,
        name: input.server_certificate_name,
        private_key_sealed: app
            .master_key()
            .seal(certificate_id.as_bytes(), input.private_key.as_bytes()),
        certificate_id,
        path: input.path.unwrap_or_else(|| "/".to_owned()),
        body: input.certificate_body,
        chain: input.certificate_chain,
        expires_at: certificate.not_after.saturating_mul(1000),
        tags,
        created_at: now_millis(),
    };
    match tx.insert_server_certificate(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(exists(&record.name)),
        Err(err) => return Err(err.into()),
    }
    Ok(UploadServerCertificateResponse {
        server_certificate_metadata: Some(metadata(context, &record)),
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
    })
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<ServerCertificate, ServiceError> {
    let record = find(tx, context, name).await?;
    Ok(ServerCertificate {
        server_certificate_metadata: metadata(context, &record),
        certificate_body: record.body.clone(),
        certificate_chain: record.chain.clone(),
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
    })
}

pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListServerCertificatesRequest,
) -> Result<ListServerCertificatesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let limit = pagination::page_size(input.max_items);
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    let rows = tx
        .list_server_certificates(&account, prefix, after.as_deref(), limit + 1)
        .await?;
    let (page, truncated, marker) = pagination::split(rows, limit, |record| name_key(&record.name));
    Ok(ListServerCertificatesResponse {
        server_certificate_metadata_list: page
            .iter()
            .map(|record| metadata(context, record))
            .collect(),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    input: UpdateServerCertificateRequest,
) -> Result<(), ServiceError> {
    let mut record = find(tx, context, &input.server_certificate_name).await?;
    let old_name = record.name.clone();
    if let Some(new_name) = input.new_server_certificate_name {
        if name_key(&new_name) != name_key(&old_name)
            && tx
                .server_certificate(&record.account_id, &new_name)
                .await?
                .is_some()
        {
            return Err(exists(&new_name));
        }
        record.name = new_name;
    }
    if let Some(new_path) = input.new_path {
        record.path = new_path;
    }
    match tx.update_server_certificate(&old_name, &record).await {
        Ok(_) => Ok(()),
        Err(StoreError::Duplicate) => Err(exists(&record.name)),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<(), ServiceError> {
    let record = find(tx, context, name).await?;
    tx.delete_server_certificate(&record.account_id, &record.name)
        .await?;
    Ok(())
}

/// Applies a change to a certificate's tags and writes it back; returns the tags.
pub(super) async fn update_tags(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
    change: impl FnOnce(&mut Vec<(String, String)>) -> Result<(), ServiceError>,
) -> Result<Vec<(String, String)>, ServiceError> {
    let mut record = find(tx, context, name).await?;
    change(&mut record.tags)?;
    let current = record.name.clone();
    tx.update_server_certificate(&current, &record).await?;
    Ok(record.tags)
}
