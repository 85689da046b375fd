//! Console passwords: login profiles (`Create/Get/Update/DeleteLoginProfile`) set by an
//! administrator, and `ChangePassword`, by which an IAM user changes its own password
//! given the current one. Every new password passes the account's password policy.

use wire::iam::{
    errors, ChangePasswordRequest, CreateLoginProfileRequest, CreateLoginProfileResponse,
    LoginProfile, UpdateLoginProfileRequest,
};
use wire::ServiceError;

use crate::auth::passwords;
use crate::store::{from_millis, name_key, now_millis, LoginProfileRecord, StoreError, Tx};

use super::password_policy;
use super::users::find_user;
use crate::request::RequestContext;

/// Earlier password hashes kept per user: AWS's largest `PasswordReusePrevention`.
const HISTORY: usize = 24;

/// The user a login-profile call is about: the named one, or the calling IAM user.
fn target_user<'a>(
    context: &'a RequestContext,
    named: Option<&'a str>,
) -> Result<&'a str, ServiceError> {
    named
        .or_else(|| context.principal.user_name())
        .ok_or_else(|| {
            errors::invalid_input("UserName is required when the caller is not an IAM user.")
        })
}

fn no_profile(user: &str) -> ServiceError {
    errors::no_such_entity(format!("Login Profile for User {user} cannot be found."))
}

/// The account's names a password may not equal under AWS's default policy.
async fn account_names(tx: &mut Tx, account: &str) -> Result<Vec<String>, ServiceError> {
    let record = tx.account(account).await?;
    Ok(record
        .map(|record| vec![record.name, record.email])
        .unwrap_or_default())
}

/// Checks `password` against the account policy and the user's earlier passwords.
async fn check_new_password(
    tx: &mut Tx,
    account: &str,
    password: &str,
    previous: &[String],
) -> Result<(), ServiceError> {
    let policy = tx.password_policy(account).await?;
    let names = account_names(tx, account).await?;
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let previous: Vec<&str> = previous.iter().map(String::as_str).collect();
    password_policy::check(policy.as_ref(), password, &names, &previous)
}

fn hash(password: &str) -> Result<String, ServiceError> {
    passwords::hash(password).map_err(crate::app::internal)
}

fn to_wire(user_name: &str, record: &LoginProfileRecord) -> LoginProfile {
    LoginProfile {
        user_name: user_name.to_owned(),
        create_date: from_millis(record.created_at),
        password_reset_required: Some(record.reset_required),
    }
}

/// Sets a new password: the old hash goes to the history (newest first).
fn replace_password(record: &mut LoginProfileRecord, new_hash: String) {
    let old = std::mem::replace(&mut record.password_hash, new_hash);
    record.history.insert(0, old);
    record.history.truncate(HISTORY);
    record.changed_at = now_millis();
}

/// The current password hash followed by the earlier ones.
fn all_hashes(record: &LoginProfileRecord) -> Vec<String> {
    std::iter::once(record.password_hash.clone())
        .chain(record.history.iter().cloned())
        .collect()
}

pub(super) async fn handle_create(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateLoginProfileRequest,
) -> Result<CreateLoginProfileResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let name = target_user(context, input.user_name.as_deref())?;
    let user = find_user(tx, &account, name).await?;
    let Some(password) = input.password else {
        return Err(errors::invalid_input(
            "Password is required to create a login profile for an IAM user.",
        ));
    };
    if tx.login_profile(&account, &user.user_name).await?.is_some() {
        return Err(errors::entity_already_exists(format!(
            "Login Profile for user {} already exists.",
            user.user_name
        )));
    }
    check_new_password(tx, &account, &password, &[]).await?;
    let now = now_millis();
    let record = LoginProfileRecord {
        account_id: account,
        user_key: name_key(&user.user_name),
        password_hash: hash(&password)?,
        reset_required: input.password_reset_required.unwrap_or(false),
        history: Vec::new(),
        created_at: now,
        changed_at: now,
    };
    match tx.insert_login_profile(&record).await {
        Ok(()) => Ok(CreateLoginProfileResponse {
            login_profile: to_wire(&user.user_name, &record),
        }),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "Login Profile for user {} already exists.",
            user.user_name
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The user's name as created and its login profile, or `NoSuchEntity`.
async fn find_profile(
    tx: &mut Tx,
    account: &str,
    name: &str,
) -> Result<(String, LoginProfileRecord), ServiceError> {
    let user = find_user(tx, account, name).await?;
    let profile = tx
        .login_profile(account, &user.user_name)
        .await?
        .ok_or_else(|| no_profile(&user.user_name))?;
    Ok((user.user_name, profile))
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
) -> Result<LoginProfile, ServiceError> {
    let account = context.principal.account.to_string();
    let name = target_user(context, user_name)?;
    let (name, profile) = find_profile(tx, &account, name).await?;
    Ok(to_wire(&name, &profile))
}

pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    input: UpdateLoginProfileRequest,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let (_, mut profile) = find_profile(tx, &account, &input.user_name).await?;
    if let Some(password) = &input.password {
        check_new_password(tx, &account, password, &all_hashes(&profile)).await?;
        replace_password(&mut profile, hash(password)?);
    }
    if let Some(reset) = input.password_reset_required {
        profile.reset_required = reset;
    }
    tx.update_login_profile(&profile).await?;
    Ok(())
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let name = target_user(context, user_name)?;
    let (name, _) = find_profile(tx, &account, name).await?;
    tx.delete_login_profile(&account, &name).await?;
    Ok(())
}

/// `ChangePassword`: the calling IAM user replaces its own password. The old password
/// is verified (argon2, constant time); the new one must pass the policy, including
/// reuse prevention; a hard-expired password can only be reset by an administrator.
pub(super) async fn handle_change_password(
    tx: &mut Tx,
    context: &RequestContext,
    input: ChangePasswordRequest,
) -> Result<(), ServiceError> {
    let Some(name) = context.principal.user_name() else {
        return Err(errors::invalid_user_type(
            "Only IAM users can change their own password with ChangePassword.",
        ));
    };
    let account = context.principal.account.to_string();
    let (_, mut profile) = find_profile(tx, &account, name).await?;
    if !passwords::verify(&profile.password_hash, &input.old_password) {
        return Err(ServiceError::new(
            "AccessDenied",
            403,
            "The old password is incorrect.",
        ));
    }
    let policy = tx.password_policy(&account).await?;
    if policy.as_ref().is_some_and(|policy| policy.hard_expiry)
        && password_policy::expired(policy.as_ref(), profile.changed_at, now_millis())
    {
        return Err(errors::entity_temporarily_unmodifiable(format!(
            "The password of user {name} has expired and the account password policy requires an administrator to reset it."
        )));
    }
    check_new_password(tx, &account, &input.new_password, &all_hashes(&profile)).await?;
    replace_password(&mut profile, hash(&input.new_password)?);
    profile.reset_required = false;
    tx.update_login_profile(&profile).await?;
    Ok(())
}

/// Whether `ChangePassword` is allowed although no policy grants it: AWS lets every IAM
/// user change its own password when the account password policy sets
/// `AllowUsersToChangePassword`, unless a policy explicitly denies it.
pub(super) async fn users_may_change_password(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<bool, ServiceError> {
    if context.principal.user_name().is_none() {
        return Ok(false);
    }
    let account = context.principal.account.to_string();
    Ok(tx
        .password_policy(&account)
        .await?
        .is_some_and(|policy| policy.allow_users_to_change))
}
