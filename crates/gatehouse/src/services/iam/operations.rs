//! Which handler runs each IAM operation, one file per topic. Each topic's `dispatch`
//! runs the operations it holds and hands back the others; an operation no topic holds
//! is answered `NotImplemented` (`tests/it/iam_model.rs` sends every operation of the
//! model and fails on that answer).

mod account;
mod credentials;
mod policies;
mod roles;
mod users;

use wire::iam::{Operation, Output};
use wire::ServiceError;

use crate::app::App;
use crate::request::RequestContext;
use crate::store::Tx;

/// What a topic did with an operation.
#[expect(
    clippy::large_enum_variant,
    reason = "an output moves up at most five calls once per request; boxing it would allocate on every one"
)]
pub(super) enum Routed {
    /// It ran it.
    Done(Output),
    /// It is not the topic's.
    Next(Operation),
}

/// Runs one IAM operation's handler inside the request's transaction.
pub(super) async fn dispatch(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    let operation = match users::dispatch(app, tx, context, operation).await? {
        Routed::Done(output) => return Ok(output),
        Routed::Next(operation) => operation,
    };
    let operation = match roles::dispatch(app, tx, context, operation).await? {
        Routed::Done(output) => return Ok(output),
        Routed::Next(operation) => operation,
    };
    let operation = match policies::dispatch(app, tx, context, operation).await? {
        Routed::Done(output) => return Ok(output),
        Routed::Next(operation) => operation,
    };
    let operation = match credentials::dispatch(app, tx, context, operation).await? {
        Routed::Done(output) => return Ok(output),
        Routed::Next(operation) => operation,
    };
    match account::dispatch(app, tx, context, operation).await? {
        Routed::Done(output) => Ok(output),
        Routed::Next(operation) => Err(ServiceError::not_implemented(operation.name())),
    }
}
