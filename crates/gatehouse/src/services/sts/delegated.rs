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

use crate::app::App;
use crate::auth::session::Session;
use crate::auth::trade_in::TradeIn;
use crate::auth::{Principal, PrincipalKind};
use crate::model::{ids, AccessKeyId, AccountId};
use crate::request::RequestContext;
use crate::store::Tx;

use super::{packed_size, sealed_credentials};

/// The token is traded only for callers of the requestor account whose policies allow
/// `sts:GetDelegatedAccessToken`, while the request is finalized and unexpired.
pub(super) async fn handle_get_delegated_access_token(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: GetDelegatedAccessTokenRequest,
) -> Result<GetDelegatedAccessTokenResponse, ServiceError> {
    let caller = &context.principal;
    let trade_in =
        TradeIn::open(app.master_key(), &input.trade_in_token).ok_or_else(invalid_token)?;
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
    let record = tx
        .delegation_request(&account, &trade_in.request_id)
        .await?
        .ok_or_else(invalid_token)?;
    usable(&record, &trade_in, crate::store::now_millis())?;
    let owner = record
        .owner_account
        .as_deref()
        .and_then(AccountId::parse)
        .ok_or_else(|| {
            crate::app::internal("a finalized delegation request has no owner account")
        })?;
    let holder: PrincipalKind = record
        .approver
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| crate::app::internal("a finalized delegation request has no approver"))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let session = Session {
        compiled_policies: Default::default(),
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

fn invalid_token() -> ServiceError {
    ServiceError::new(
        "InvalidParameterValue",
        400,
        "The trade-in token is not valid.",
    )
}

/// Whether the request still honours the token at `now` (milliseconds): the token must be
/// the one its last `SendDelegationToken` sent, and the request finalized and unexpired.
fn usable(
    record: &crate::store::DelegationRequestRecord,
    trade_in: &TradeIn,
    now: i64,
) -> Result<(), ServiceError> {
    if record.finalized_at != Some(trade_in.sent_at) {
        return Err(invalid_token());
    }
    if record.state != "FINALIZED" || now >= record.expires_at {
        return Err(errors::expired_trade_in_token_exception(
            "The trade-in token has expired or its delegation request is no longer active.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(state: &str, sent_at: i64, now: i64, expected: Option<&str>) {
        let record = crate::store::DelegationRequestRecord {
            request_id: "0123456789abcdef".into(),
            requestor_account: "111111111111".into(),
            requestor_name: None,
            owner_account: Some("222222222222".into()),
            owner_arn: None,
            approver_arn: None,
            approver: None,
            state: state.into(),
            description: String::new(),
            request_message: None,
            workflow_id: "wf-1".into(),
            redirect_url: None,
            notification_channel: String::new(),
            session_duration: 300,
            only_send_by_owner: false,
            template_arn: String::new(),
            parameters: "[]".into(),
            permission_policy: "{}".into(),
            notes: None,
            rejection_reason: None,
            created_at: 0,
            updated_at: 0,
            expires_at: 300_000,
            finalized_at: Some(10),
        };
        let trade_in = TradeIn {
            request_id: record.request_id.clone(),
            requestor_account: record.requestor_account.clone(),
            sent_at,
        };
        let code = usable(&record, &trade_in, now)
            .err()
            .map(|err| err.code.to_string());
        assert_eq!(code.as_deref(), expected);
    }

    #[test]
    fn tokens_buy_sessions_only_within_their_window() {
        check("FINALIZED", 10, 299_999, None);
        check(
            "FINALIZED",
            10,
            300_000,
            Some("ExpiredTradeInTokenException"),
        );
        check("FINALIZED", 11, 1, Some("InvalidParameterValue"));
    }
}
