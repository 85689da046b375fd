//! The exchange ("trade-in") token of a delegation request: sent to the partner by
//! `SendDelegationToken`, exchanged for credentials by STS `GetDelegatedAccessToken`. It
//! is sealed under the master key and names the request and its requestor; the request
//! itself (its state and expiry, read at exchange time) decides whether it still buys
//! anything, so a token outlives nothing the customer revoked.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::secrets::MasterKey;

/// Prefix of every trade-in token (and its format version).
const TOKEN_PREFIX: &str = "GHD1";
/// Associated data binding sealed trade-in tokens to their purpose.
const SEAL_CONTEXT: &[u8] = b"gatehouse delegation trade-in v1";

/// What a trade-in token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeIn {
    /// The delegation request's id.
    pub request_id: String,
    /// The partner account that may exchange it.
    pub requestor_account: String,
    /// When the token was sent, Unix milliseconds.
    pub sent_at: i64,
}

impl TradeIn {
    /// Seals the token.
    pub fn seal(&self, key: &MasterKey) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.seal(SEAL_CONTEXT, &json))
        )
    }

    /// Opens a token; `None` when Gatehouse did not seal it or it was altered.
    pub fn open(key: &MasterKey, token: &str) -> Option<TradeIn> {
        let body = token.strip_prefix(TOKEN_PREFIX)?;
        let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .ok()?;
        let json = key.open(SEAL_CONTEXT, &sealed).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_only_untouched_under_their_key() {
        let key =
            MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([3u8; 32]))
                .unwrap();
        let trade_in = TradeIn {
            request_id: "0123456789abcdef0123".into(),
            requestor_account: "123456789012".into(),
            sent_at: 5,
        };
        let token = trade_in.seal(&key);
        assert_eq!(TradeIn::open(&key, &token), Some(trade_in));
        assert_eq!(TradeIn::open(&key, &token.replace("GHD1", "GHD2")), None);
        let mut tampered = token.into_bytes();
        if let Some(byte) = tampered.get_mut(12) {
            *byte = if *byte == b'A' { b'B' } else { b'A' };
        }
        assert_eq!(
            TradeIn::open(&key, &String::from_utf8(tampered).unwrap()),
            None
        );
    }
}
