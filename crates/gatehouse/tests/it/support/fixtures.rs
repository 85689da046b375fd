//! The test-only files under `tests/data` (keys, certificates, JWKS, signed SAML
//! responses; its README says what each is), found from the crate's directory so tests
//! run from anywhere. Files read at compile time use `include_str!` instead.

use std::path::PathBuf;

/// The path of `name` (such as `saml/expired.xml`) under `tests/data`.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The text of `name` under `tests/data`.
pub fn read_data(name: &str) -> String {
    std::fs::read_to_string(data_path(name)).unwrap()
}
