//! The test-only files under `tests/data` (keys, certificates; its README says what each
//! is), and the federation crate's (`crates/federation/tests/data`: the OIDC test key and
//! JWKS, signed SAML responses), found from the crate's directory so tests run from
//! anywhere. Files read at compile time use `include_str!` instead.

use std::path::PathBuf;

/// The path of `name` (such as `saml/expired.xml`) under this crate's `tests/data`, or
/// under the federation crate's when it is one of the federation fixtures.
pub fn data_path(name: &str) -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let own = here.join("tests/data").join(name);
    if own.exists() {
        own
    } else {
        here.join("../federation/tests/data").join(name)
    }
}

/// The text of `name` (see [`data_path`]).
pub fn read_data(name: &str) -> String {
    std::fs::read_to_string(data_path(name)).unwrap()
}
