//! Federated identity proofs, verified: the SAML 2.0 responses of `AssumeRoleWithSAML`
//! ([`saml`]) and the OpenID Connect ID tokens of `AssumeRoleWithWebIdentity` ([`oidc`]).
//!
//! Each takes the untrusted bytes a caller sent and the trust an operator configured (the
//! provider's metadata certificates or signing keys, its entity id or issuer, its audiences)
//! and either reads the claims out of a proof that holds, or says why it does not. Nothing
//! here knows about accounts, roles, policies or the store: the server decides what a
//! verified proof buys. Pure: no IO, no clock of its own (the time is an argument where it
//! matters), so every attack on a parser is a unit test.

pub mod oidc;
pub mod saml;
