//! X.509 signing certificates of IAM users, or of the caller (the root user included)
//! when no user is named, as with access keys: upload, list, change status, delete. At
//! most two per user; a certificate is held at most once per account.

use data_encoding::BASE32_NOPAD;
use rand::RngCore;
use wire::iam::{
    errors, ListSigningCertificatesRequest, ListSigningCertificatesResponse, SigningCertificate,
    StatusType,
};
use wire::ServiceError;

use crate::store::{from_millis, now_millis, KeyOwner, SigningCertificateRecord, StoreError, Tx};

use super::access_keys::owner;
use super::certificates;
use super::pagination;
use super::ssh_keys::{status_of, status_text};
use crate::request::RequestContext;

/// AWS's quota of signing certificates per user (`SigningCertificatesPerUserQuota`).
pub(super) const CERTIFICATES_PER_USER: usize = 2;

fn not_found(certificate_id: &str) -> ServiceError {
    errors::no_such_entity(format!(
        "The Certificate with id {certificate_id} cannot be found."
    ))
}

/// A new certificate id: 32 base32 characters.
fn new_id() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

fn to_wire(name: &str, record: &SigningCertificateRecord) -> SigningCertificate {
    SigningCertificate {
        user_name: name.to_owned(),
        certificate_id: record.certificate_id.clone(),
        certificate_body: record.body.clone(),
        status: status_of(&record.status),
        upload_date: Some(from_millis(record.created_at)),
    }
}

/// The certificate of that id held by `owner`, or `NoSuchEntity`.
async fn find(
    tx: &mut Tx,
    account: &str,
    owner: &KeyOwner,
    certificate_id: &str,
) -> Result<SigningCertificateRecord, ServiceError> {
    tx.signing_certificates_of(account, owner)
        .await?
        .into_iter()
        .find(|record| record.certificate_id == certificate_id)
        .ok_or_else(|| not_found(certificate_id))
}

pub(super) async fn handle_upload(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
    body: &str,
) -> Result<SigningCertificate, ServiceError> {
    let account = context.principal.account.to_string();
    let (owner, name) = owner(tx, context, user_name).await?;
    let certificate = certificates::parse_certificate(body).ok_or_else(|| {
        errors::malformed_certificate(
            "Unable to parse certificate. Please ensure the certificate is in PEM format.",
        )
    })?;
    if !certificate.valid_at(time::OffsetDateTime::now_utc().unix_timestamp()) {
        return Err(errors::invalid_certificate(
            "The certificate is expired or not yet valid.",
        ));
    }
    let fingerprint = certificate.fingerprint();
    let duplicate = || {
        errors::duplicate_certificate(
            "The same certificate is already associated with an IAM user in the account.",
        )
    };
    if tx.signing_certificate_held(&account, &fingerprint).await? {
        return Err(duplicate());
    }
    let held = tx.signing_certificates_of(&account, &owner).await?;
    if held.len() >= CERTIFICATES_PER_USER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for CertificatesPerUser: {CERTIFICATES_PER_USER}"
        )));
    }
    let record = SigningCertificateRecord {
        account_id: account,
        owner,
        certificate_id: new_id(),
        body: body.to_owned(),
        fingerprint,
        status: "Active".to_owned(),
        created_at: now_millis(),
    };
    match tx.insert_signing_certificate(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(duplicate()),
        Err(err) => return Err(err.into()),
    }
    Ok(to_wire(&name, &record))
}

pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListSigningCertificatesRequest,
) -> Result<ListSigningCertificatesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let (owner, name) = owner(tx, context, input.user_name.as_deref()).await?;
    let held = tx.signing_certificates_of(&account, &owner).await?;
    let (page, truncated, marker) =
        pagination::page(held, input.max_items, input.marker.as_deref(), |record| {
            record.certificate_id.clone()
        })?;
    Ok(ListSigningCertificatesResponse {
        certificates: page.iter().map(|record| to_wire(&name, record)).collect(),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, certificate_id): (Option<&str>, &str),
    status: &StatusType,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let status = status_text(status)?;
    let (owner, _) = owner(tx, context, user_name).await?;
    let record = find(tx, &account, &owner, certificate_id).await?;
    tx.set_signing_certificate_status(&account, &record.certificate_id, status)
        .await?;
    Ok(())
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, certificate_id): (Option<&str>, &str),
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let (owner, _) = owner(tx, context, user_name).await?;
    let record = find(tx, &account, &owner, certificate_id).await?;
    tx.delete_signing_certificate(&account, &record.certificate_id)
        .await?;
    Ok(())
}
