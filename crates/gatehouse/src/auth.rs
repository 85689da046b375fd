//! Who is calling and what they may do: authentication turns a signed request into a
//! [`Principal`]; authorization decides an action on a resource for that principal.
//! Handlers never see a signature and never check a permission themselves.

pub mod authenticate;
pub mod authorization_message;
pub mod authorize;
pub mod credentials;
pub mod identity;
pub mod last_used;
pub mod outbound_tokens;
pub mod passwords;
pub mod principal;
pub mod session;
pub mod totp;
pub mod trade_in;

pub use authenticate::{authenticate, Authenticator, DevAuth};
pub use credentials::CredentialCache;
pub use last_used::LastUsed;
pub use principal::{Principal, PrincipalKind};
