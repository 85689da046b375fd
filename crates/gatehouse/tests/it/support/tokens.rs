//! OpenID Connect tokens as an identity provider would issue them: claims signed with the
//! test-only P-256 key in `tests/data/oidc-test-key.pem` (`kid` `test-key-1`), whose
//! public half is `tests/data/oidc-test-jwks.json`.

use super::fixtures::data_path;

/// A token carrying `claims`, signed with the test key.
pub fn oidc_token(claims: &serde_json::Value) -> String {
    let pem = std::fs::read(data_path("oidc-test-key.pem")).unwrap();
    let key = jsonwebtoken::EncodingKey::from_ec_pem(&pem).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("test-key-1".to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}
