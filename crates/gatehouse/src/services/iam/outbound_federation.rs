//! Outbound web identity federation: the account-level switch that lets the account's
//! principals get JSON Web Tokens from STS (`GetWebIdentityToken`, in
//! `services/sts/web_identity_token.rs`), and the issuer those tokens name. The issuer is
//! `<public url>/oidc/<account>`, where `server/discovery.rs` serves its discovery
//! document and key set.
//!
//! `GetOutboundWebIdentityFederationInfo` answers `FeatureDisabled` only while the
//! feature was never enabled (there is no issuer yet); once enabled and then disabled it
//! reports the issuer with `JwtVendingEnabled` false, as its output shape allows.

use wire::iam::{
    errors, EnableOutboundWebIdentityFederationResponse,
    GetOutboundWebIdentityFederationInfoResponse,
};
use wire::ServiceError;

use crate::app::App;
use crate::store::Tx;

use crate::request::RequestContext;

/// `EnableOutboundWebIdentityFederation`.
pub(super) async fn handle_enable(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<EnableOutboundWebIdentityFederationResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let current = tx.outbound_federation(&account).await?;
    if current == Some(true) {
        return Err(errors::feature_enabled(
            "Outbound web identity federation is already enabled for this account.",
        ));
    }
    tx.set_outbound_federation(&account, true, crate::store::now_millis())
        .await?;
    Ok(EnableOutboundWebIdentityFederationResponse {
        issuer_identifier: Some(app.issuer(&account)),
    })
}

/// `DisableOutboundWebIdentityFederation`: tokens already issued stay valid (and
/// verifiable: the keys stay published).
pub(super) async fn handle_disable(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let current = tx.outbound_federation(&account).await?;
    if current != Some(true) {
        return Err(errors::feature_disabled(
            "Outbound web identity federation is already disabled for this account.",
        ));
    }
    tx.set_outbound_federation(&account, false, crate::store::now_millis())
        .await
        .map_err(Into::into)
}

/// `GetOutboundWebIdentityFederationInfo`.
pub(super) async fn handle_get_info(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<GetOutboundWebIdentityFederationInfoResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let current = tx.outbound_federation(&account).await?;
    let Some(enabled) = current else {
        return Err(errors::feature_disabled(
            "Outbound web identity federation is not enabled for this account.",
        ));
    };
    Ok(GetOutboundWebIdentityFederationInfoResponse {
        issuer_identifier: Some(app.issuer(&account)),
        jwt_vending_enabled: Some(enabled),
    })
}
