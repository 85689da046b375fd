//! `GetDelegatedAccessToken`: the partner of a finalized IAM delegation request trades its
//! exchange token (`auth/trade_in.rs`) for a session in the customer's account. The
//! session is held by the identity that accepted the request (a role's session is named
//! `delegation-<request id>`), carries the request's permission policy as its only
//! session policy, and ends with the delegation window (`SessionDuration` after the token
//! was sent). The token may be exchanged again within the window; each session ends with
//! it. Only the requestor account may exchange, and only while the request is
//! `FINALIZED` and unexpired: a request the customer let lapse buys nothing.

use wire::sts::{errors, GetDelegatedAccessTokenRequest, GetDelegatedAccessTokenResponse};
use wire::ServiceError;

use crate::auth::authorize::Access;
use crate::auth::session::Session;
use crate::auth::trade_in::TradeIn;
use crate::auth::{Principal, PrincipalKind};
use crate::model::{ids, AccessKeyId, AccountId};
use crate::server::App;
use crate::services::RequestContext;

use super::{check, packed_size, sealed_credentials};

pub(super) async fn handle_get_delegated_access_token(
    app: &App,
    context: &RequestContext,
    input: GetDelegatedAccessTokenRequest,
) -> Result<GetDelegatedAccessTokenResponse, ServiceError> {
    let caller = &context.principal;
    check(
        app,
        context,
        Access::new("sts:GetDelegatedAccessToken", "*"),
    )
    .await?;
    let invalid = || {
        ServiceError::new(
            "InvalidParameterValue",
            400,
            "The trade-in token is not valid.",
        )
    };
    let trade_in = TradeIn::open(app.master_key(), &input.trade_in_token).ok_or_else(invalid)?;
    let account = caller.account.to_string();
    if trade_in.requestor_account != account {
        return Err(ServiceError::new(
            "AccessDenied",
            403,
            format!(
                "User: {} is not authorized to exchange this trade-in token: it was issued to another account",
                caller.arn()
            ),
        ));
    }
    let mut tx = app.store().begin().await.map_err(|err| app.internal(err))?;
    let record = tx
        .delegation_request(&account, &trade_in.request_id)
        .await
        .map_err(|err| app.internal(err))?
        .ok_or_else(invalid)?;
    drop(tx);
    if record.finalized_at != Some(trade_in.sent_at) {
        return Err(invalid());
    }
    let now_millis = crate::store::now_millis();
    if record.state != "FINALIZED" || now_millis >= record.expires_at {
        return Err(errors::expired_trade_in_token_exception(
            "The trade-in token has expired or its delegation request is no longer active.",
        ));
    }
    let owner = record
        .owner_account
        .as_deref()
        .and_then(AccountId::parse)
        .ok_or_else(|| app.internal("a finalized delegation request has no owner account"))?;
    let holder: PrincipalKind = record
        .approver
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| app.internal("a finalized delegation request has no approver"))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let session = Session {
        access_key_id: AccessKeyId::generate(owner, true).to_string(),
        secret: ids::secret_access_key(),
        account: owner.to_string(),
        holder: holder.clone(),
        issued: now,
        expires: record.expires_at / 1000,
        policies: vec![record.permission_policy.clone()],
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        chained: false,
        mfa_at: None,
        root_task: None,
        delegation: Some(record.request_id.clone()),
    };
    let assumed = Principal {
        account: owner,
        partition: caller.partition,
        kind: holder,
        access_key_id: session.access_key_id.clone(),
        session: None,
    };
    Ok(GetDelegatedAccessTokenResponse {
        credentials: Some(sealed_credentials(app, &session)),
        packed_policy_size: packed_size(Some(&record.permission_policy)),
        assumed_principal: Some(assumed.arn()),
    })
}
