//! IAM: the identities of an account. `call` authorizes then dispatches; the handlers
//! live in one file per topic.

mod access_keys;
mod pagination;
mod users;

use wire::iam::{Operation, Output};
use wire::ServiceError;

use crate::auth::authorize::{authorize, Access};
use crate::model::arn;
use crate::server::App;
use crate::store::Tx;

use super::RequestContext;

/// Authorizes and runs one IAM operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    context.trace(operation.name());
    let mut tx = app.store().begin().await.map_err(|err| app.internal(err))?;
    let access = access(app, &mut tx, context, &operation).await?;
    for access in &access {
        authorize(&context.principal, access)?;
    }
    let output = match operation {
        Operation::CreateUser(input) => users::handle_create_user(app, &mut tx, context, input)
            .await
            .map(Output::CreateUser),
        Operation::GetUser(input) => users::handle_get_user(app, &mut tx, context, input)
            .await
            .map(Output::GetUser),
        Operation::ListUsers(input) => users::handle_list_users(app, &mut tx, context, input)
            .await
            .map(Output::ListUsers),
        Operation::DeleteUser(input) => users::handle_delete_user(app, &mut tx, context, input)
            .await
            .map(|()| Output::DeleteUser),
        Operation::CreateAccessKey(input) => {
            access_keys::handle_create_access_key(app, &mut tx, context, input)
                .await
                .map(Output::CreateAccessKey)
        }
        Operation::ListAccessKeys(input) => {
            access_keys::handle_list_access_keys(app, &mut tx, context, input)
                .await
                .map(Output::ListAccessKeys)
        }
        Operation::UpdateAccessKey(input) => {
            access_keys::handle_update_access_key(app, &mut tx, context, input)
                .await
                .map(|()| Output::UpdateAccessKey)
        }
        Operation::DeleteAccessKey(input) => {
            access_keys::handle_delete_access_key(app, &mut tx, context, input)
                .await
                .map(|()| Output::DeleteAccessKey)
        }
        Operation::GetAccessKeyLastUsed(input) => {
            access_keys::handle_get_access_key_last_used(app, &mut tx, context, input)
                .await
                .map(Output::GetAccessKeyLastUsed)
        }
        other => Err(ServiceError::not_implemented(other.name())),
    }?;
    tx.commit().await.map_err(|err| app.internal(err))?;
    Ok(output)
}

/// The actions and resources an operation needs, as AWS's Service Authorization
/// Reference lists them. Unimplemented operations need nothing: they are refused anyway.
async fn access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: &Operation,
) -> Result<Vec<Access>, ServiceError> {
    let principal = &context.principal;
    let account = principal.account;
    let partition = principal.partition;
    // A user resource: named, or the caller when the name is omitted.
    let user = |name: Option<&str>| -> Option<String> {
        name.or_else(|| principal.user_name()).map(str::to_owned)
    };
    let mut needed = Vec::new();
    match operation {
        Operation::CreateUser(input) => {
            let path = input.path.as_deref().unwrap_or("/");
            let resource = arn::iam_entity(partition, account, "user", path, &input.user_name);
            if input.tags.as_ref().is_some_and(|tags| !tags.is_empty()) {
                needed.push(Access::new("iam:TagUser", resource.clone()));
            }
            needed.insert(0, Access::new("iam:CreateUser", resource));
        }
        Operation::GetUser(input) => {
            needed.push(
                user_access(
                    app,
                    tx,
                    context,
                    "iam:GetUser",
                    user(input.user_name.as_deref()),
                )
                .await?,
            );
        }
        Operation::ListUsers(_) => {
            needed.push(Access::new(
                "iam:ListUsers",
                format!("arn:{partition}:iam::{account}:user/"),
            ));
        }
        Operation::DeleteUser(input) => {
            needed.push(
                user_access(
                    app,
                    tx,
                    context,
                    "iam:DeleteUser",
                    Some(input.user_name.clone()),
                )
                .await?,
            );
        }
        Operation::CreateAccessKey(input) => {
            needed.push(
                user_access(
                    app,
                    tx,
                    context,
                    "iam:CreateAccessKey",
                    user(input.user_name.as_deref()),
                )
                .await?,
            );
        }
        Operation::ListAccessKeys(input) => {
            needed.push(
                user_access(
                    app,
                    tx,
                    context,
                    "iam:ListAccessKeys",
                    user(input.user_name.as_deref()),
                )
                .await?,
            );
        }
        Operation::UpdateAccessKey(input) => {
            needed.push(
                user_access(
                    app,
                    tx,
                    context,
                    "iam:UpdateAccessKey",
                    user(input.user_name.as_deref()),
                )
                .await?,
            );
        }
        Operation::DeleteAccessKey(input) => {
            needed.push(
                user_access(
                    app,
                    tx,
                    context,
                    "iam:DeleteAccessKey",
                    user(input.user_name.as_deref()),
                )
                .await?,
            );
        }
        Operation::GetAccessKeyLastUsed(input) => {
            let owner = tx
                .access_key_by_id(&input.access_key_id)
                .await
                .map_err(|err| app.internal(err))?
                .filter(|key| key.account_id == account.to_string())
                .and_then(|key| match key.owner {
                    crate::store::KeyOwner::User(name) => Some(name),
                    crate::store::KeyOwner::Root => None,
                });
            needed.push(user_access(app, tx, context, "iam:GetAccessKeyLastUsed", owner).await?);
        }
        _ => {}
    }
    Ok(needed)
}

/// Access to a user resource. The ARN carries the user's path when the user exists;
/// `None` (the root user acting on itself) is the account's root ARN.
async fn user_access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    action: &'static str,
    name: Option<String>,
) -> Result<Access, ServiceError> {
    let principal = &context.principal;
    let account = principal.account;
    let partition = principal.partition;
    let Some(name) = name else {
        return Ok(Access::new(action, arn::root(partition, account)));
    };
    let path = tx
        .user(&account.to_string(), &name)
        .await
        .map_err(|err| app.internal(err))?
        .map_or_else(|| "/".to_owned(), |user| user.path);
    Ok(Access::new(
        action,
        arn::iam_entity(partition, account, "user", &path, &name),
    ))
}
