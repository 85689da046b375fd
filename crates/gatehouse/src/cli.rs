//! Commands besides `serve`: offline tools that need no server.

pub mod policy;
