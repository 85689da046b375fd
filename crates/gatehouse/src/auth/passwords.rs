//! Console passwords at rest: argon2id hashes in PHC form (salt and parameters inside),
//! verified by the `argon2` crate, which compares the derived hashes in constant time.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashing failed (only for parameters or lengths argon2 refuses).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The argon2id hash of `password` with a fresh random salt, as a PHC string.
pub fn hash(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| HashError(error.to_string()))
}

/// Whether `password` matches a PHC string made by [`hash`]. A malformed stored hash
/// never matches.
pub fn verify(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify_only_the_same_password() {
        let first = hash("Correct-Horse-1").unwrap();
        let second = hash("Correct-Horse-1").unwrap();
        assert!(first.starts_with("$argon2id$"), "{first}");
        assert_ne!(first, second, "each hash has its own salt");
        assert!(verify(&first, "Correct-Horse-1"));
        assert!(!verify(&first, "correct-Horse-1"));
        assert!(!verify("not a hash", "Correct-Horse-1"));
    }
}
