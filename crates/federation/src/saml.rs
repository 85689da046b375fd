//! SAML 2.0 responses as AWS's sign-in endpoint accepts them: [`read`] decodes a base64
//! `Response`, checks its XML-DSig signature against the provider's metadata certificates
//! (`xmldsig`, over exclusive canonicalization in `c14n`), then its issuer, AWS's
//! recipient and audience and its validity window, and only then reads the assertion.

mod assertion;
mod c14n;
mod xmldsig;

pub use assertion::{read, Assertion, Refusal};
