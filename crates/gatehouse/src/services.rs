//! The services Gatehouse serves, one module each. A service module maps each typed
//! operation to the access it needs (action and resource ARN), asks the authorizer, and
//! calls one `handle_*` function per operation. Handlers never parse HTTP and never
//! check permissions themselves.

pub mod iam;
pub mod organizations;
pub mod quotas;
pub mod sts;
