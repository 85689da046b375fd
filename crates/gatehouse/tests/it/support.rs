//! What the integration tests share, one module per kind of thing: the server process,
//! credentials, SDK clients, hand-made requests, organizations, certificates, policy
//! documents, fixture files, OIDC tokens, botocore model walks and the AWS CLI. Tests reach the server
//! only over HTTP and through its command line; nothing here uses the crate's own code.

pub mod aws_cli;
pub mod certificates;
pub mod clients;
pub mod credentials;
pub mod fixtures;
pub mod models;
pub mod organizations;
pub mod policies;
pub mod requests;
pub mod server;
pub mod tokens;
