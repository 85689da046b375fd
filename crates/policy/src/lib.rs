//! The IAM policy language: parsing and validation (with IAM's error messages), compilation
//! and evaluation following AWS's documented evaluation logic.
//!
//! Pure: no IO, no async, no clock. Flow: text → [`PolicyDocument`] (faithful model) →
//! [`CompiledPolicy`] (patterns pre-built, statements indexed by service) → [`evaluate`]
//! with an [`EvaluationInput`] and a [`Request`] → [`Decision`]. The [`offline`] module
//! drives the same from JSON lines for `gatehouse policy evaluate|validate`. The crate's
//! README.md documents the rules and the JSON-lines formats.
//!
//! ```
//! use policy::{access_denied_message, evaluate, CompiledPolicy, EvaluationInput, PolicyKind};
//! use policy::{Principal, PrincipalKind, Request};
//!
//! let admin = CompiledPolicy::parse(
//!     "arn:aws:iam::123456789012:policy/Admin",
//!     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
//!     PolicyKind::Identity,
//! )?;
//! let guard = CompiledPolicy::parse(
//!     "p-guardrails",
//!     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
//!        {"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}"#,
//!     PolicyKind::ServiceControl,
//! )?;
//! let identity = [admin];
//! let scps = vec![vec![guard]]; // one list per level, root first
//! let input = EvaluationInput { identity: &identity, scp_levels: &scps, ..Default::default() };
//!
//! let bob = Principal::new(PrincipalKind::User, "arn:aws:iam::123456789012:user/bob", "123456789012");
//! let request = Request::new(bob, "iam:CreateUser", "arn:aws:iam::123456789012:user/x")
//!     .with_resource_account("123456789012");
//! let decision = evaluate(&input, &request);
//! assert_eq!(decision.statements[0].sid(), Some("NoUsers"));
//! assert_eq!(
//!     access_denied_message(&decision, &request).as_deref(),
//!     Some("User: arn:aws:iam::123456789012:user/bob is not authorized to perform: \
//!           iam:CreateUser on resource: arn:aws:iam::123456789012:user/x with an explicit \
//!           deny in a service control policy"),
//! );
//! # Ok::<(), policy::ValidationErrors>(())
//! ```

mod compile;
mod condition;
mod context;
mod decision;
mod document;
mod error;
mod evaluate;
mod inspect;
mod json;
mod kind;
pub mod offline;
mod pattern;
mod request;
mod values;

pub use compile::CompiledPolicy;
pub use context::{Context, ContextValue};
pub use decision::{access_denied_message, Decision, DecisionEffect, MatchedStatement, PolicyType};
pub use document::{
    Condition, ConditionValue, Effect, ListElement, OneOrMany, PolicyDocument, PrincipalElement,
    PrincipalType, Principals, Statement, Version,
};
pub use error::{ErrorCode, PolicyError, ValidationError, ValidationErrors};
pub use evaluate::{evaluate, EvaluationInput};
pub use inspect::{grants_service, named_services, statement_positions, Position};
pub use kind::{
    policy_size, PolicyKind, GROUP_INLINE_AGGREGATE_MAX_CHARS, MANAGED_POLICY_MAX_CHARS,
    RCP_MAX_CHARS, ROLE_INLINE_AGGREGATE_MAX_CHARS, SCP_MAX_CHARS, SESSION_POLICY_MAX_CHARS,
    TRUST_POLICY_DEFAULT_MAX_CHARS, TRUST_POLICY_QUOTA_MAX_CHARS, USER_INLINE_AGGREGATE_MAX_CHARS,
};
pub use request::{Principal, PrincipalKind, Request};
