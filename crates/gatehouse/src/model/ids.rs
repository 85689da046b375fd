//! Identifiers in AWS's formats: 12-digit account ids, unique ids such as `AIDA…`, and
//! access key ids (`AKIA…`/`ASIA…`) that encode the owning account, the way
//! `sts:GetAccessKeyInfo` expects to decode them.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use rand::{Rng, RngCore};

/// A 12-digit AWS account id. Validated once, here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(u64);

impl AccountId {
    const MAX: u64 = 999_999_999_999;

    /// Parses exactly 12 ASCII digits.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Self)
    }

    /// A fresh random account id that does not start with a zero, like AWS's.
    pub fn random() -> Self {
        Self(rand::thread_rng().gen_range(100_000_000_000..=Self::MAX))
    }

    /// The numeric value (at most 12 digits).
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

/// The four-letter prefixes AWS puts on unique ids, by entity kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdPrefix {
    /// IAM user (`AIDA`).
    User,
    /// IAM group (`AGPA`).
    Group,
    /// IAM role (`AROA`).
    Role,
    /// Customer managed policy (`ANPA`).
    Policy,
    /// Instance profile (`AIPA`).
    InstanceProfile,
    /// Long-term access key (`AKIA`).
    AccessKey,
    /// Temporary (STS) access key (`ASIA`).
    TemporaryAccessKey,
    /// Server certificate (`ASCA`).
    ServerCertificate,
    /// SSH public key (`APKA`).
    SshPublicKey,
    /// Service-specific credential (`ACCA`).
    ServiceCredential,
}

impl IdPrefix {
    /// The four letters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "AIDA",
            Self::Group => "AGPA",
            Self::Role => "AROA",
            Self::Policy => "ANPA",
            Self::InstanceProfile => "AIPA",
            Self::AccessKey => "AKIA",
            Self::TemporaryAccessKey => "ASIA",
            Self::ServerCertificate => "ASCA",
            Self::SshPublicKey => "APKA",
            Self::ServiceCredential => "ACCA",
        }
    }
}

/// A unique entity id: the prefix and 17 random base32 characters (21 in all, like AWS).
pub fn unique_id(prefix: IdPrefix) -> String {
    let mut bytes = [0u8; 11];
    rand::thread_rng().fill_bytes(&mut bytes);
    let mut id = String::with_capacity(21);
    id.push_str(prefix.as_str());
    id.extend(BASE32_NOPAD.encode(&bytes).chars().take(17));
    id
}

/// A key-like id: the prefix and 16 random base32 characters (20 in all, like AWS's SSH
/// public key ids).
pub fn key_like_id(prefix: IdPrefix) -> String {
    let mut bytes = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{}{}", prefix.as_str(), BASE32_NOPAD.encode(&bytes))
}

/// An access key id (`AKIA…` or `ASIA…`, 20 characters) that encodes its account.
///
/// Layout of the 10 bytes behind the 16 base32 characters: the first 48 bits hold
/// `account << 7` with 7 random low bits (AWS's layout, which public tools decode with
/// the mask `0x7fffffffff80`), the last 4 bytes are random.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// Mints a new key id for `account`; `temporary` selects `ASIA` over `AKIA`.
    pub fn generate(account: AccountId, temporary: bool) -> Self {
        let mut rng = rand::thread_rng();
        let low: u64 = rng.gen_range(0..128);
        let packed = (account.as_u64() << 7) | low;
        let mut bytes = [0u8; 10];
        let packed_bytes = packed.to_be_bytes();
        // The top two bytes of a u64 are zero for any 12-digit account shifted by 7.
        for (slot, byte) in bytes.iter_mut().zip(packed_bytes.iter().skip(2)) {
            *slot = *byte;
        }
        let mut tail = [0u8; 4];
        rng.fill_bytes(&mut tail);
        for (slot, byte) in bytes.iter_mut().skip(6).zip(tail) {
            *slot = byte;
        }
        let prefix = if temporary {
            IdPrefix::TemporaryAccessKey
        } else {
            IdPrefix::AccessKey
        };
        Self(format!(
            "{}{}",
            prefix.as_str(),
            BASE32_NOPAD.encode(&bytes)
        ))
    }

    /// Accepts any well-formed key id as text (16 to 128 characters of `\w`, AWS's pattern).
    pub fn parse(text: &str) -> Option<Self> {
        let ok = (16..=128).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        ok.then(|| Self(text.to_owned()))
    }

    /// The account a key id encodes, when it is in AWS's format.
    pub fn account(&self) -> Option<AccountId> {
        let body = self.0.get(4..)?;
        let bytes = BASE32_NOPAD.decode(body.as_bytes()).ok()?;
        let head = bytes.get(..6)?;
        let mut word = [0u8; 8];
        for (slot, byte) in word.iter_mut().skip(2).zip(head) {
            *slot = *byte;
        }
        let account = (u64::from_be_bytes(word) & 0x7fff_ffff_ff80) >> 7;
        (account <= AccountId::MAX).then_some(AccountId(account))
    }

    /// True for `ASIA…` (temporary) key ids.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "used once STS issues session keys")
    )]
    pub fn is_temporary(&self) -> bool {
        self.0.starts_with("ASIA")
    }

    /// The key id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fresh 40-character secret access key from the alphabet AWS uses.
pub fn secret_access_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = rand::thread_rng();
    (0..40)
        .map(|_| {
            let index = rng.gen_range(0..ALPHABET.len());
            ALPHABET.get(index).copied().map_or('A', char::from)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_round_trip_through_access_key_ids() {
        for text in [
            "123456789012",
            "000000000000",
            "999999999999",
            "100000000001",
        ] {
            let account = AccountId::parse(text).unwrap();
            for temporary in [false, true] {
                let key = AccessKeyId::generate(account, temporary);
                assert_eq!(key.as_str().len(), 20);
                assert_eq!(key.is_temporary(), temporary);
                assert_eq!(key.account(), Some(account), "{key}");
            }
        }
    }

    #[test]
    fn decodes_the_documented_example_key() {
        // The key id AWS's documentation decodes to account 609629065308.
        let key = AccessKeyId::parse("ASIAY34FZKBOKMUTVV7A").unwrap();
        assert_eq!(key.account().unwrap().to_string(), "609629065308");
    }

    #[test]
    fn account_id_parsing_is_strict() {
        assert!(AccountId::parse("12345678901").is_none());
        assert!(AccountId::parse("1234567890123").is_none());
        assert!(AccountId::parse("12345678901a").is_none());
        assert_eq!(
            AccountId::parse("000000000007").unwrap().to_string(),
            "000000000007"
        );
    }

    #[test]
    fn unique_ids_have_aws_shape() {
        let id = unique_id(IdPrefix::User);
        assert_eq!(id.len(), 21);
        assert!(id.starts_with("AIDA"));
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    }

    #[test]
    fn secrets_are_forty_characters() {
        let secret = secret_access_key();
        assert_eq!(secret.len(), 40);
        assert_ne!(secret, secret_access_key());
    }
}
