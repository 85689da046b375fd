//! Commands besides `serve`: offline tools that need no server.

pub mod audit;
pub mod delegation;
pub mod oidc;
pub mod policy;
