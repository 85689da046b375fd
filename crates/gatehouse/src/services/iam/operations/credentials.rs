//! Which handler runs each IAM operation on identity providers, server and signing certificates, SSH keys and service-specific credentials.

use wire::iam::*;
use wire::ServiceError;

use super::super::{
    providers, server_certificates, service_credentials, signing_certificates, ssh_keys, tags,
};
use super::Routed;
use crate::app::App;
use crate::request::RequestContext;
use crate::store::Tx;

/// Runs the operation when it is one of this topic's; hands it back otherwise.
pub(super) async fn dispatch(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: Operation,
) -> Result<Routed, ServiceError> {
    Ok(Routed::Done(match operation {
        Operation::CreateOpenIDConnectProvider(input) => {
            Output::CreateOpenIDConnectProvider(providers::create_oidc(tx, context, input).await?)
        }
        Operation::GetOpenIDConnectProvider(input) => {
            let found =
                providers::find_oidc(tx, context, &input.open_id_connect_provider_arn).await?;
            Output::GetOpenIDConnectProvider(providers::oidc_to_wire(&found))
        }
        Operation::DeleteOpenIDConnectProvider(input) => {
            providers::delete_oidc(tx, context, &input.open_id_connect_provider_arn).await?;
            Output::DeleteOpenIDConnectProvider
        }
        Operation::ListOpenIDConnectProviders(_) => {
            Output::ListOpenIDConnectProviders(ListOpenIDConnectProvidersResponse {
                open_id_connect_provider_list: Some(providers::list_oidc(tx, context).await?),
            })
        }
        Operation::AddClientIDToOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                providers::with_client_id(p, input.client_id)
            })
            .await?;
            Output::AddClientIDToOpenIDConnectProvider
        }
        Operation::RemoveClientIDFromOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                p.client_ids.retain(|id| *id != input.client_id);
                Ok(())
            })
            .await?;
            Output::RemoveClientIDFromOpenIDConnectProvider
        }
        Operation::UpdateOpenIDConnectProviderThumbprint(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                providers::with_thumbprints(p, input.thumbprint_list)
            })
            .await?;
            Output::UpdateOpenIDConnectProviderThumbprint
        }
        Operation::TagOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                tags::merge_tags(&mut p.tags, input.tags)
            })
            .await?;
            Output::TagOpenIDConnectProvider
        }
        Operation::UntagOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                tags::remove_tags(&mut p.tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagOpenIDConnectProvider
        }
        Operation::ListOpenIDConnectProviderTags(input) => {
            let found =
                providers::find_oidc(tx, context, &input.open_id_connect_provider_arn).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListOpenIDConnectProviderTags(ListOpenIDConnectProviderTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::CreateSAMLProvider(input) => {
            Output::CreateSAMLProvider(providers::create_saml(tx, context, input).await?)
        }
        Operation::GetSAMLProvider(input) => {
            let found = providers::find_saml(tx, context, &input.saml_provider_arn).await?;
            Output::GetSAMLProvider(providers::saml_to_wire(&found))
        }
        Operation::UpdateSAMLProvider(input) => {
            Output::UpdateSAMLProvider(UpdateSAMLProviderResponse {
                saml_provider_arn: Some(providers::update_saml(tx, context, input).await?),
            })
        }
        Operation::DeleteSAMLProvider(input) => {
            providers::delete_saml(tx, context, &input.saml_provider_arn).await?;
            Output::DeleteSAMLProvider
        }
        Operation::ListSAMLProviders(_) => Output::ListSAMLProviders(ListSAMLProvidersResponse {
            saml_provider_list: Some(providers::list_saml(tx, context).await?),
        }),
        Operation::TagSAMLProvider(input) => {
            providers::update_saml_record(tx, context, &input.saml_provider_arn, |p| {
                tags::merge_tags(&mut p.tags, input.tags)
            })
            .await?;
            Output::TagSAMLProvider
        }
        Operation::UntagSAMLProvider(input) => {
            providers::update_saml_record(tx, context, &input.saml_provider_arn, |p| {
                tags::remove_tags(&mut p.tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagSAMLProvider
        }
        Operation::ListSAMLProviderTags(input) => {
            let found = providers::find_saml(tx, context, &input.saml_provider_arn).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListSAMLProviderTags(ListSAMLProviderTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        // The account alias.
        Operation::UploadServerCertificate(input) => Output::UploadServerCertificate(
            server_certificates::handle_upload(app, tx, context, input).await?,
        ),
        Operation::GetServerCertificate(input) => {
            Output::GetServerCertificate(GetServerCertificateResponse {
                server_certificate: server_certificates::handle_get(
                    tx,
                    context,
                    &input.server_certificate_name,
                )
                .await?,
            })
        }
        Operation::ListServerCertificates(input) => Output::ListServerCertificates(
            server_certificates::handle_list(tx, context, input).await?,
        ),
        Operation::UpdateServerCertificate(input) => {
            server_certificates::handle_update(tx, context, input).await?;
            Output::UpdateServerCertificate
        }
        Operation::DeleteServerCertificate(input) => {
            server_certificates::handle_delete(tx, context, &input.server_certificate_name).await?;
            Output::DeleteServerCertificate
        }
        Operation::TagServerCertificate(input) => {
            server_certificates::update_tags(tx, context, &input.server_certificate_name, |tags| {
                tags::merge_tags(tags, input.tags)
            })
            .await?;
            Output::TagServerCertificate
        }
        Operation::UntagServerCertificate(input) => {
            server_certificates::update_tags(tx, context, &input.server_certificate_name, |tags| {
                tags::remove_tags(tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagServerCertificate
        }
        Operation::ListServerCertificateTags(input) => {
            let found =
                server_certificates::find(tx, context, &input.server_certificate_name).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListServerCertificateTags(ListServerCertificateTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        // SSH public keys.
        Operation::UploadSSHPublicKey(input) => {
            Output::UploadSSHPublicKey(UploadSSHPublicKeyResponse {
                ssh_public_key: Some(
                    ssh_keys::handle_upload(
                        tx,
                        context,
                        &input.user_name,
                        &input.ssh_public_key_body,
                    )
                    .await?,
                ),
            })
        }
        Operation::GetSSHPublicKey(input) => Output::GetSSHPublicKey(GetSSHPublicKeyResponse {
            ssh_public_key: Some(
                ssh_keys::handle_get(
                    tx,
                    context,
                    (&input.user_name, &input.ssh_public_key_id),
                    &input.encoding,
                )
                .await?,
            ),
        }),
        Operation::ListSSHPublicKeys(input) => {
            Output::ListSSHPublicKeys(ssh_keys::handle_list(tx, context, input).await?)
        }
        Operation::UpdateSSHPublicKey(input) => {
            ssh_keys::handle_update(
                tx,
                context,
                (&input.user_name, &input.ssh_public_key_id),
                &input.status,
            )
            .await?;
            Output::UpdateSSHPublicKey
        }
        Operation::DeleteSSHPublicKey(input) => {
            ssh_keys::handle_delete(tx, context, (&input.user_name, &input.ssh_public_key_id))
                .await?;
            Output::DeleteSSHPublicKey
        }
        // Signing certificates.
        Operation::UploadSigningCertificate(input) => {
            Output::UploadSigningCertificate(UploadSigningCertificateResponse {
                certificate: signing_certificates::handle_upload(
                    tx,
                    context,
                    input.user_name.as_deref(),
                    &input.certificate_body,
                )
                .await?,
            })
        }
        Operation::ListSigningCertificates(input) => Output::ListSigningCertificates(
            signing_certificates::handle_list(tx, context, input).await?,
        ),
        Operation::UpdateSigningCertificate(input) => {
            signing_certificates::handle_update(
                tx,
                context,
                (input.user_name.as_deref(), &input.certificate_id),
                &input.status,
            )
            .await?;
            Output::UpdateSigningCertificate
        }
        Operation::DeleteSigningCertificate(input) => {
            signing_certificates::handle_delete(
                tx,
                context,
                (input.user_name.as_deref(), &input.certificate_id),
            )
            .await?;
            Output::DeleteSigningCertificate
        }
        // Service-specific credentials.
        Operation::CreateServiceSpecificCredential(input) => {
            Output::CreateServiceSpecificCredential(CreateServiceSpecificCredentialResponse {
                service_specific_credential: Some(
                    service_credentials::handle_create(tx, context, input).await?,
                ),
            })
        }
        Operation::ListServiceSpecificCredentials(input) => Output::ListServiceSpecificCredentials(
            service_credentials::handle_list(tx, context, input).await?,
        ),
        Operation::ResetServiceSpecificCredential(input) => {
            Output::ResetServiceSpecificCredential(ResetServiceSpecificCredentialResponse {
                service_specific_credential: Some(
                    service_credentials::handle_reset(
                        tx,
                        context,
                        (
                            input.user_name.as_deref(),
                            &input.service_specific_credential_id,
                        ),
                    )
                    .await?,
                ),
            })
        }
        Operation::UpdateServiceSpecificCredential(input) => {
            service_credentials::handle_update(
                tx,
                context,
                (
                    input.user_name.as_deref(),
                    &input.service_specific_credential_id,
                ),
                &input.status,
            )
            .await?;
            Output::UpdateServiceSpecificCredential
        }
        Operation::DeleteServiceSpecificCredential(input) => {
            service_credentials::handle_delete(
                tx,
                context,
                (
                    input.user_name.as_deref(),
                    &input.service_specific_credential_id,
                ),
            )
            .await?;
            Output::DeleteServiceSpecificCredential
        }
        other => return Ok(Routed::Next(other)),
    }))
}
