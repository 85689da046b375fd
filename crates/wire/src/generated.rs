//! The generated service modules (`crates/codegen` writes everything below `generated/`;
//! never edit those files by hand). One module per service, each with its shapes,
//! `Operation` and `Output` enums, codecs and error table.

pub mod iam;
pub mod organizations;
pub mod service_quotas;
pub mod sts;
