//! IAM: the identities of an account. `call` works out the access an operation needs,
//! has it authorized, then runs the `handle_*` function (one file per topic) inside one
//! transaction, and marks the account's authorization views stale after a change.

mod access;
mod access_keys;
mod account_alias;
mod account_summary;
mod certificates;
mod credential_report;
mod delegation_requests;
mod documents;
mod entity_tags;
mod groups;
mod human_readable_summary;
mod inline_policies;
mod instance_profiles;
mod last_accessed;
mod login_profiles;
pub(crate) mod mfa;
mod operations;
mod org_access_report;
mod org_features;
mod outbound_federation;
mod pagination;
mod password_policy;
mod policies;
mod providers;
mod reports;
mod roles;
pub(crate) mod saml_metadata;
mod server_certificates;
mod service_access;
mod service_credentials;
mod service_linked_roles;
mod signing_certificates;
mod simulator;
mod ssh_keys;
mod tags;
mod users;

use wire::iam::*;
use wire::ServiceError;

use super::{Api, Needs};
use crate::app::App;
use crate::auth::authorize::Denied;
use crate::request::RequestContext;
use crate::store::LazyTx;

/// IAM as the pipeline runs it.
pub(crate) struct Iam;

impl Api for Iam {
    type Operation = Operation;
    type Output = Output;
    type Plan = ();

    async fn needs(
        _app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Operation,
    ) -> Result<(Needs, ()), ServiceError> {
        let accesses = access::access(tx.get().await?, context, operation).await?;
        Ok((
            Needs {
                accesses,
                resource_policy: None,
            },
            (),
        ))
    }

    async fn exempt(
        _app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Operation,
        denied: &Denied,
    ) -> Result<bool, ServiceError> {
        let tx = tx.get().await?;
        if matches!(operation, Operation::ChangePassword(_))
            && !denied.explicit
            && login_profiles::users_may_change_password(tx, context).await?
        {
            return Ok(true);
        }
        // The owner of a delegation request may read, update, summarize and send the
        // token of its request without a policy saying so (AWS's default permission).
        match access::owned_request(operation) {
            Some(id) => delegation_requests::caller_owns(tx, context, &id).await,
            None => Ok(false),
        }
    }

    async fn dispatch(
        app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        (): (),
        operation: Operation,
    ) -> Result<Output, ServiceError> {
        operations::dispatch(app, tx.get().await?, context, operation).await
    }

    fn changed(app: &App, context: &RequestContext) {
        app.policies().changed(context.principal.account);
    }
}

/// Authorizes and runs one IAM operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    super::call::<Iam>(app, context, operation).await
}
