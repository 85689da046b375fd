//! What the integration tests share, one module per kind of thing: the server process,
//! credentials, SDK clients, hand-made requests, organizations, certificates and botocore
//! model walks. Tests reach the server only over HTTP and through its command line;
//! nothing here uses the crate's own code.

pub mod certificates;
pub mod clients;
pub mod credentials;
pub mod models;
pub mod organizations;
pub mod requests;
pub mod server;
