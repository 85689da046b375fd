//! Domain types shared by every service: account ids, ARNs, the ids AWS mints for
//! entities and credentials, and the naming rules they follow. No IO here.

pub mod arn;
pub mod aws_managed;
pub mod ids;
pub mod organizations;

pub use arn::Partition;
pub use ids::{AccessKeyId, AccountId, IdPrefix};
