//! STS: who am I (`GetCallerIdentity`) and whose key is this (`GetAccessKeyInfo`).
//! `AssumeRole` (in `sts/assume_role.rs`) hands out sealed role sessions;
//! `GetSessionToken` and `GetFederationToken` (in `sts/tokens.rs`) sessions of the caller
//! itself and of federated users; `sts/mfa.rs` checks MFA codes;
//! `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML` (`sts/web_identity.rs`,
//! `sts/saml.rs`) trade an IdP's signed token for a role session; `AssumeRoot`
//! (`sts/root.rs`) a management account's task-limited root session in a member account;
//! `DecodeAuthorizationMessage` opens the encoded messages of `auth/authorization_message.rs`;
//! `GetWebIdentityToken` (`sts/web_identity_token.rs`) signs JWTs about the caller for
//! outside services; `GetDelegatedAccessToken` (`sts/delegated.rs`) trades the token of a
//! finalized IAM delegation request for a session limited to the delegated permissions.

mod assume_role;
mod delegated;
mod mfa;
mod root;
mod saml;
mod tokens;
mod web_identity;
mod web_identity_token;

pub use web_identity::Caller;

use wire::sts::{
    GetAccessKeyInfoRequest, GetAccessKeyInfoResponse, GetCallerIdentityResponse, Operation, Output,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::{authorize, Access};
use crate::model::AccessKeyId;

use crate::request::RequestContext;

/// Authorizes and runs one STS operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    context.trace(operation.name());
    match operation {
        // AWS never denies GetCallerIdentity, so it needs no policy lookup at all.
        Operation::GetCallerIdentity(_) => {
            crate::audit::note_decision(
                "sts:GetCallerIdentity",
                "*",
                policy::DecisionEffect::Allow,
                "always-allowed",
            );
            Ok(Output::GetCallerIdentity(handle_get_caller_identity(
                context,
            )))
        }
        Operation::AssumeRole(input) => assume_role::handle_assume_role(app, context, input)
            .await
            .map(Output::AssumeRole),
        Operation::AssumeRoleWithWebIdentity(input) => {
            let caller = Caller {
                source_ip: context.source_ip,
                secure_transport: context.secure_transport,
                region: context.region.clone(),
            };
            web_identity::handle_assume_role_with_web_identity(app, &caller, input)
                .await
                .map(Output::AssumeRoleWithWebIdentity)
        }
        Operation::AssumeRoleWithSAML(input) => {
            let caller = Caller {
                source_ip: context.source_ip,
                secure_transport: context.secure_transport,
                region: context.region.clone(),
            };
            saml::handle_assume_role_with_saml(app, &caller, input)
                .await
                .map(Output::AssumeRoleWithSAML)
        }
        Operation::GetSessionToken(input) => tokens::handle_get_session_token(app, context, input)
            .await
            .map(Output::GetSessionToken),
        Operation::GetFederationToken(input) => {
            tokens::handle_get_federation_token(app, context, input)
                .await
                .map(Output::GetFederationToken)
        }
        Operation::GetAccessKeyInfo(input) => {
            check(app, context, Access::new("sts:GetAccessKeyInfo", "*")).await?;
            handle_get_access_key_info(app, input)
                .await
                .map(Output::GetAccessKeyInfo)
        }
        Operation::AssumeRoot(input) => root::handle_assume_root(app, context, input)
            .await
            .map(Output::AssumeRoot),
        Operation::DecodeAuthorizationMessage(input) => {
            check(
                app,
                context,
                Access::new("sts:DecodeAuthorizationMessage", "*"),
            )
            .await?;
            let account = context.principal.account.to_string();
            let decoded = crate::auth::authorization_message::decode(
                app.master_key(),
                &account,
                &input.encoded_message,
            )
            .ok_or_else(|| {
                wire::sts::errors::invalid_authorization_message_exception(
                    "The encoded authorization message is invalid.",
                )
            })?;
            Ok(Output::DecodeAuthorizationMessage(
                wire::sts::DecodeAuthorizationMessageResponse {
                    decoded_message: Some(decoded),
                },
            ))
        }
        Operation::GetWebIdentityToken(input) => {
            web_identity_token::handle_get_web_identity_token(app, context, input)
                .await
                .map(Output::GetWebIdentityToken)
        }
        Operation::GetDelegatedAccessToken(input) => {
            delegated::handle_get_delegated_access_token(app, context, input)
                .await
                .map(Output::GetDelegatedAccessToken)
        }
    }
}

/// Runs one of the operations AWS serves unsigned (the request carries its own proof of
/// identity): `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML`.
pub async fn call_unsigned(
    app: &App,
    caller: &Caller,
    operation: Operation,
) -> Result<Output, ServiceError> {
    match operation {
        Operation::AssumeRoleWithWebIdentity(input) => {
            web_identity::handle_assume_role_with_web_identity(app, caller, input)
                .await
                .map(Output::AssumeRoleWithWebIdentity)
        }
        Operation::AssumeRoleWithSAML(input) => {
            saml::handle_assume_role_with_saml(app, caller, input)
                .await
                .map(Output::AssumeRoleWithSAML)
        }
        other => Err(ServiceError::new(
            "MissingAuthenticationToken",
            403,
            format!("{} must be signed", other.name()),
        )),
    }
}

/// Whether AWS serves an STS action unsigned.
pub fn serves_unsigned(action: &str) -> bool {
    matches!(action, "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML")
}

/// Authorizes one access with the caller's identity view.
async fn check(app: &App, context: &RequestContext, access: Access) -> Result<(), ServiceError> {
    let mut tx = app.store().begin().await?;
    let view = app.policies().view(&mut tx, &context.principal).await?;
    drop(tx);
    authorize(
        &context.principal,
        &view,
        &access,
        &context.environment(app),
    )
}

/// Session policies of a request (`Policy`, then the documents of `PolicyArns`, read
/// from `account`), validated now; enforced on every request the session makes.
async fn session_policies(
    tx: &mut crate::store::Tx,
    account: &str,
    inline: Option<&str>,
    arns: Option<&[wire::sts::PolicyDescriptorType]>,
) -> Result<Vec<String>, ServiceError> {
    let mut policies = Vec::new();
    if let Some(text) = inline {
        if policy::policy_size(text, policy::PolicyKind::Session) > policy::SESSION_POLICY_MAX_CHARS
        {
            return Err(wire::sts::errors::packed_policy_too_large(
                "Packed policy consumes more than 100% of the allotted space.",
            ));
        }
        policy::PolicyDocument::parse(text, policy::PolicyKind::Session).map_err(|problems| {
            wire::sts::errors::malformed_policy_document(problems.to_string())
        })?;
        policies.push(text.to_owned());
    }
    for descriptor in arns.unwrap_or_default() {
        let Some(policy_arn) = &descriptor.arn else {
            continue;
        };
        let document = crate::auth::identity::managed_document(tx, account, policy_arn)
            .await?
            .ok_or_else(|| {
                ServiceError::validation(format!(
                    "Policy {policy_arn} does not exist or is not attachable."
                ))
            })?;
        policies.push(document);
    }
    Ok(policies)
}

/// The wire credentials of a new session: its keys, and its token (the session sealed).
fn sealed_credentials(
    app: &App,
    session: &crate::auth::session::Session,
) -> wire::sts::Credentials {
    wire::sts::Credentials {
        access_key_id: session.access_key_id.clone(),
        secret_access_key: session.secret.clone(),
        session_token: session.seal(app.master_key()),
        expiration: time::OffsetDateTime::from_unix_timestamp(session.expires)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc()),
    }
}

/// `PackedPolicySize`: the share of the allowed size the inline session policy uses.
fn packed_size(inline: Option<&str>) -> Option<i32> {
    inline.map(|text| {
        let percent = policy::policy_size(text, policy::PolicyKind::Session) * 100
            / policy::SESSION_POLICY_MAX_CHARS;
        i32::try_from(percent).unwrap_or(i32::MAX)
    })
}

fn handle_get_caller_identity(context: &RequestContext) -> GetCallerIdentityResponse {
    let principal = &context.principal;
    GetCallerIdentityResponse {
        user_id: Some(principal.user_id()),
        account: Some(principal.account.to_string()),
        arn: Some(principal.arn()),
    }
}

async fn handle_get_access_key_info(
    app: &App,
    input: GetAccessKeyInfoRequest,
) -> Result<GetAccessKeyInfoResponse, ServiceError> {
    let mut tx = app.store().begin().await?;
    // Keys Gatehouse issued are answered from the store; others are decoded the way AWS
    // decodes any key id, which works without the key existing.
    let stored = tx.access_key_by_id(&input.access_key_id).await?;
    let account = match stored {
        Some(record) => record.account_id,
        None => AccessKeyId::parse(&input.access_key_id)
            .and_then(|key| key.account())
            .map(|account| account.to_string())
            .ok_or_else(|| {
                ServiceError::validation(format!(
                    "the access key id `{}` does not encode an account",
                    input.access_key_id
                ))
            })?,
    };
    Ok(GetAccessKeyInfoResponse {
        account: Some(account),
    })
}
