//! Secrets at rest: the master key (kept outside the database, in a 0600 file or the
//! environment) and AEAD sealing (AES-256-GCM) of the secrets the database must hold,
//! such as secret access keys, which are needed in clear to verify signatures.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use zeroize::Zeroizing;

const NONCE_LEN: usize = 12;

/// Why the master key could not be loaded or a secret could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The key material is not 32 bytes of base64.
    #[error("the master key must be 32 bytes, base64-encoded")]
    BadMasterKey,
    /// Reading or writing the key file failed.
    #[error("master key file `{path}`: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// The IO failure.
        source: std::io::Error,
    },
    /// A sealed value was tampered with, truncated, or sealed under another key.
    #[error("a sealed secret could not be opened: wrong master key or corrupted data")]
    Unseal,
}

/// The 256-bit key that seals every secret stored in the database.
pub struct MasterKey {
    cipher: Aes256Gcm,
}

/// Never prints the key.
impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

impl MasterKey {
    /// Builds a key from base64 text (as in `GATEHOUSE_MASTER_KEY` or the key file).
    pub fn from_base64(text: &str) -> Result<Self, SecretsError> {
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| SecretsError::BadMasterKey)?,
        );
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| SecretsError::BadMasterKey)?;
        Ok(Self { cipher })
    }

    /// Loads the key from `path`, creating it (mode 0600) with fresh random bytes if absent.
    /// Returns the key and whether it was created now.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), SecretsError> {
        let io_error = |source| SecretsError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((Self::from_base64(&text)?, false)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                rand::rngs::OsRng.fill_bytes(bytes.as_mut());
                let text = Zeroizing::new(
                    base64::engine::general_purpose::STANDARD.encode(bytes.as_ref()),
                );
                write_private_file(path, text.as_bytes()).map_err(io_error)?;
                Ok((Self::from_base64(&text)?, true))
            }
            Err(error) => Err(io_error(error)),
        }
    }

    /// Seals `plaintext`, binding it to `context` (e.g. the access key id) so a sealed
    /// value cannot be moved to another row. Output: nonce followed by ciphertext and tag.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context,
        };
        // Encryption with a valid key and a 12-byte nonce cannot fail; an empty result
        // would only make the later open fail, never leak.
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value sealed by [`MasterKey::seal`] with the same context.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SecretsError> {
        if sealed.len() < NONCE_LEN {
            return Err(SecretsError::Unseal);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let payload = Payload {
            msg: body,
            aad: context,
        };
        self.cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map(Zeroizing::new)
            .map_err(|_| SecretsError::Unseal)
    }
}

/// Writes a file only its owner can read (0600 on Unix), refusing to overwrite.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
            .unwrap()
    }

    #[test]
    fn sealed_values_open_only_with_the_same_context() {
        let key = key();
        let sealed = key.seal(b"AKIAEXAMPLE", b"secret");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            key.open(b"AKIAEXAMPLE", &sealed).unwrap().as_slice(),
            b"secret"
        );
        assert!(key.open(b"AKIAOTHER", &sealed).is_err());
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(key.open(b"AKIAEXAMPLE", &tampered).is_err());
        assert!(key.open(b"AKIAEXAMPLE", &sealed[..5]).is_err());
    }

    #[test]
    fn bad_master_keys_are_refused() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let (first, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(created);
        let sealed = first.seal(b"c", b"v");
        let (second, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(second.open(b"c", &sealed).unwrap().as_slice(), b"v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
