//! The IAM policy language: parsing and validation (with IAM's error messages), compilation
//! and evaluation following AWS's documented evaluation logic.
//!
//! Pure: no IO, no async, no clock. Flow: text → [`PolicyDocument`] (faithful model) →
//! [`CompiledPolicy`] (patterns pre-built, statements indexed by service) → [`evaluate`]
//! with an [`EvaluationInput`] and a [`Request`] → [`Decision`]. The [`offline`] module
//! drives the same from JSON lines for `gatehouse policy evaluate|validate`.

mod compile;
mod condition;
mod context;
mod decision;
mod document;
mod error;
mod evaluate;
mod json;
mod kind;
pub mod offline;
mod pattern;
mod request;
mod values;

pub use compile::{CompiledPolicy, PrincipalMatch};
pub use context::{Context, ContextValue};
pub use decision::{access_denied_message, Decision, DecisionEffect, MatchedStatement, PolicyType};
pub use document::{
    Condition, ConditionValue, Effect, ListElement, OneOrMany, PolicyDocument, PrincipalElement,
    PrincipalType, Principals, Statement, Version,
};
pub use error::{ErrorCode, PolicyError, ValidationError, ValidationErrors};
pub use evaluate::{evaluate, EvaluationInput};
pub use kind::{
    policy_size, PolicyKind, GROUP_INLINE_AGGREGATE_MAX_CHARS, MANAGED_POLICY_MAX_CHARS,
    RCP_MAX_CHARS, ROLE_INLINE_AGGREGATE_MAX_CHARS, SCP_MAX_CHARS, SESSION_POLICY_MAX_CHARS,
    TRUST_POLICY_DEFAULT_MAX_CHARS, TRUST_POLICY_QUOTA_MAX_CHARS, USER_INLINE_AGGREGATE_MAX_CHARS,
};
pub use request::{Principal, PrincipalKind, Request};
