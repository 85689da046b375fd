//! The services Gatehouse serves, one module each, and [`call`]: the one step that runs
//! an operation of any of them, for every entry point that has an authenticated request.
//!
//! ```text
//! open the transaction (on first use)
//!   -> Api::needs      actions, resource ARNs, the resource policy that speaks for the
//!                      resource (a role's trust, the organization's delegation policy)
//!   -> authorize       auth::authorize, the one door to the policy engine
//!   -> Api::dispatch   the handler: domain rules, inside the same transaction
//!   -> commit          with the mutation's audit event in it
//! ```
//!
//! A service says what an operation needs and what it does; it never decides a
//! permission itself. Handlers never parse HTTP and never see a codec.

pub mod iam;
pub mod organizations;
pub mod quotas;
pub mod sts;

use policy::CompiledPolicy;
use wire::ServiceError;

use crate::app::App;
use crate::audit;
use crate::auth::authorize::{self, Access, Denied};
use crate::request::RequestContext;
use crate::store::LazyTx;

/// What an operation needs authorized before it runs.
#[derive(Default)]
pub struct Needs {
    /// Each of these must be allowed.
    pub accesses: Vec<Access>,
    /// The resource-based policy that speaks for the resource, when one does: then a
    /// grant in it suffices within an account and across accounts both sides must allow.
    pub resource_policy: Option<CompiledPolicy>,
}

impl Needs {
    /// One access, decided by identity-based policies alone.
    pub fn one(access: Access) -> Self {
        Self {
            accesses: vec![access],
            resource_policy: None,
        }
    }
}

/// What the generated layer knows of every operation, whatever its service.
pub(crate) trait OperationFacts {
    /// The operation's name, e.g. `CreateUser`.
    fn name(&self) -> &'static str;
    /// Whether the operation only reads (its audit event is batched; nothing is
    /// invalidated after it).
    fn is_read_only(&self) -> bool;
}

macro_rules! operation_facts {
    ($($operation:ty),*) => {
        $(impl OperationFacts for $operation {
            fn name(&self) -> &'static str {
                <$operation>::name(self)
            }
            fn is_read_only(&self) -> bool {
                <$operation>::is_read_only(self)
            }
        })*
    };
}

operation_facts!(
    wire::iam::Operation,
    wire::sts::Operation,
    wire::organizations::Operation,
    wire::service_quotas::Operation
);

/// A service as the pipeline runs it.
pub(crate) trait Api {
    /// The service's decoded operation.
    type Operation: OperationFacts + Send + Sync;
    /// The service's output.
    type Output;
    /// What working out the needs found that the handler uses too (the caller's
    /// organization, a role and its session policies, …), so it is read once.
    type Plan: Send;

    /// The accesses the operation needs, with their resources resolved in the
    /// request's transaction, and what the handler will need of what was read.
    /// Refusals that precede authorization (an account outside any organization, an
    /// unknown role across accounts) are answered here.
    async fn needs(
        app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Self::Operation,
    ) -> Result<(Needs, Self::Plan), ServiceError>;

    /// Whether a denial is overridden by a rule AWS documents beside the policies
    /// (a user changing its own password when the account lets users do so; the owner
    /// of a delegation request). Asked only after a denial.
    async fn exempt(
        _app: &App,
        _tx: &mut LazyTx<'_>,
        _context: &RequestContext,
        _operation: &Self::Operation,
        _denied: &Denied,
    ) -> Result<bool, ServiceError> {
        Ok(false)
    }

    /// The service's wording of a denial (IAM's `AccessDenied` by default).
    fn refusal(denied: Denied) -> ServiceError {
        denied.into()
    }

    /// Runs the operation's handler.
    async fn dispatch(
        app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        plan: Self::Plan,
        operation: Self::Operation,
    ) -> Result<Self::Output, ServiceError>;

    /// Drops what a committed change made stale (cached views, credentials).
    fn changed(_app: &App, _context: &RequestContext) {}
}

/// Authorizes and runs one operation of `A` inside one transaction; a mutation commits
/// with its audit event.
pub async fn call<A: Api>(
    app: &App,
    context: &RequestContext,
    operation: A::Operation,
) -> Result<A::Output, ServiceError> {
    context.trace(operation.name());
    let mutates = !operation.is_read_only();
    let mut tx = LazyTx::new(app.store());
    let (needs, plan) = A::needs(app, &mut tx, context, &operation).await?;
    authorize_needs::<A>(app, &mut tx, context, &operation, &needs).await?;
    let output = A::dispatch(app, &mut tx, context, plan, operation).await?;
    if let Some(tx) = tx.into_inner() {
        audit::commit(
            app.audit(),
            tx,
            (&context.request_id, context.source_ip),
            mutates,
        )
        .await?;
    }
    if mutates {
        A::changed(app, context);
    }
    Ok(output)
}

/// Decides every access of `needs` for the caller; a denial stands unless the service
/// exempts it, and then the next access is still decided. The caller's identity view
/// is loaded only when some access is not always allowed.
async fn authorize_needs<A: Api>(
    app: &App,
    tx: &mut LazyTx<'_>,
    context: &RequestContext,
    operation: &A::Operation,
    needs: &Needs,
) -> Result<(), ServiceError> {
    if needs
        .accesses
        .iter()
        .all(|access| authorize::always_allowed(access.action))
    {
        needs
            .accesses
            .iter()
            .for_each(authorize::note_always_allowed);
        return Ok(());
    }
    let environment = context.environment(app);
    let view = app
        .policies()
        .view(tx.get().await?, &context.principal)
        .await?;
    for access in &needs.accesses {
        let decided = match &needs.resource_policy {
            None => authorize::authorize(&context.principal, &view, access, &environment),
            Some(policy) => authorize::authorize_with_resource_policy(
                &context.principal,
                &view,
                access,
                &environment,
                policy,
            ),
        };
        if let Err(denied) = decided {
            if !A::exempt(app, tx, context, operation, &denied).await? {
                return Err(A::refusal(denied));
            }
        }
    }
    Ok(())
}
