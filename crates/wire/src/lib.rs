//! Wire types and codecs for the AWS services Gatehouse speaks: generated shapes and
//! operation enums per service, plus the hand-written runtime they use (awsQuery form
//! parsing and XML writing, awsJson1.1 reading and writing, AWS-shaped errors).
//! Knows shapes, never rules: nothing here looks at the store or at permissions.

pub mod error;
pub mod generated;
pub mod json;
pub mod query;
pub mod timestamp;
pub mod validate;
pub mod xml;

pub use error::{Fault, ServiceError};
pub use generated::{iam, organizations, service_quotas, sts};
pub use timestamp::Timestamp;
