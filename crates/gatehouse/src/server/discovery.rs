//! The OpenID Connect discovery documents of each account's outbound web identity
//! federation issuer (`<public url>/oidc/<account>`): `/.well-known/openid-configuration`
//! and the key set at `/.well-known/jwks.json` that verifies the tokens of
//! `GetWebIdentityToken`. Unsigned GETs, as discovery is; an account that never enabled
//! the feature has neither (404). Disabling keeps them: tokens issued before stay
//! verifiable.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::app::App;
use crate::model::AccountId;

/// `GET /oidc/{account}/.well-known/openid-configuration`.
pub async fn openid_configuration(State(app): State<App>, Path(account): Path<String>) -> Response {
    match keys_of(&app, &account).await {
        Ok(_) => {
            let issuer = app.issuer(&account);
            Json(json!({
                "issuer": issuer,
                "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES384"],
                "claims_supported": ["iss", "sub", "aud", "iat", "exp", "nbf", "jti"],
            }))
            .into_response()
        }
        Err(status) => status.into_response(),
    }
}

/// `GET /oidc/{account}/.well-known/jwks.json`.
pub async fn jwks(State(app): State<App>, Path(account): Path<String>) -> Response {
    match keys_of(&app, &account).await {
        Ok(keys) => Json(crate::auth::outbound_tokens::jwks(&keys)).into_response(),
        Err(status) => status.into_response(),
    }
}

async fn keys_of(
    app: &App,
    account: &str,
) -> Result<Vec<crate::store::OutboundKeyRecord>, StatusCode> {
    let account = AccountId::parse(account)
        .ok_or(StatusCode::NOT_FOUND)?
        .to_string();
    let internal = |error: crate::store::StoreError| {
        tracing::error!(%error, "reading outbound federation keys");
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let mut tx = app.store().begin().await.map_err(internal)?;
    if tx
        .outbound_federation(&account)
        .await
        .map_err(internal)?
        .is_none()
    {
        return Err(StatusCode::NOT_FOUND);
    }
    tx.outbound_keys(&account).await.map_err(internal)
}
