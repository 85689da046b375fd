//! PEM certificates and keys as IAM's credential operations take them: X.509 bodies and
//! chains (server and signing certificates), private keys checked against a certificate's
//! public key, and RSA public keys for SSH (OpenSSH `ssh-rsa` or PEM `PUBLIC KEY`).
//! Pure functions: no store, no wire types. Errors say what is wrong in our words; the
//! handlers choose AWS's error code.

use base64::Engine;
use der::asn1::{ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode, Reader, SliceReader};
use md5::{Digest, Md5};
use rustls_pki_types::pem::{PemObject, SectionKind};
use x509_cert::{der, spki};

/// `rsaEncryption` (PKCS #1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// The named curves ring signs with.
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// The smallest RSA modulus IAM takes for SSH keys.
pub const MIN_SSH_KEY_BITS: usize = 2048;

/// An X.509 certificate read from PEM.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The DER encoding.
    pub der: Vec<u8>,
    /// Start and end of validity, seconds since the epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// Subject and issuer names, DER (compared to follow a chain).
    subject: Vec<u8>,
    issuer: Vec<u8>,
    /// The public key's algorithm and curve (EC only), and its bits.
    algorithm: ObjectIdentifier,
    curve: Option<ObjectIdentifier>,
    public_key: Vec<u8>,
}

impl Certificate {
    /// Whether `now` (seconds) is inside the validity period.
    pub fn valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// The SHA-256 of the DER encoding, hex: the same certificate twice has the same one.
    pub fn fingerprint(&self) -> String {
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&self.der))
    }
}

/// Why a private key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Not a PEM private key Gatehouse can read (PKCS #1, PKCS #8 or SEC1; RSA of 2048
    /// bits or more, EC on P-256 or P-384; unencrypted).
    Malformed,
    /// A valid key, but not the one of the certificate.
    Mismatch,
}

/// Why an SSH public key was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshKeyError {
    /// Neither `ssh-rsa` nor a PEM RSA public key.
    Unrecognized,
    /// Readable, but malformed or shorter than [`MIN_SSH_KEY_BITS`].
    Invalid,
}

fn unix_seconds(time: x509_cert::time::Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

fn from_der(der: Vec<u8>) -> Option<Certificate> {
    let parsed = x509_cert::Certificate::from_der(&der).ok()?;
    let tbs = &parsed.tbs_certificate;
    let spki = &tbs.subject_public_key_info;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|params| params.decode_as::<ObjectIdentifier>().ok());
    Some(Certificate {
        not_before: unix_seconds(tbs.validity.not_before),
        not_after: unix_seconds(tbs.validity.not_after),
        subject: tbs.subject.to_der().ok()?,
        issuer: tbs.issuer.to_der().ok()?,
        algorithm: spki.algorithm.oid,
        curve,
        public_key: spki.subject_public_key.as_bytes()?.to_vec(),
        der,
    })
}

/// Every `CERTIFICATE` section of a PEM text, in order; `None` when a section does not
/// decode or the text holds none.
pub fn parse_certificates(pem: &str) -> Option<Vec<Certificate>> {
    let mut found = Vec::new();
    for section in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem.as_bytes()) {
        match section.ok()? {
            (SectionKind::Certificate, der) => found.push(from_der(der)?),
            _ => return None,
        }
    }
    (!found.is_empty()).then_some(found)
}

/// The one certificate of a PEM body.
pub fn parse_certificate(pem: &str) -> Option<Certificate> {
    let mut all = parse_certificates(pem)?;
    if all.len() != 1 {
        return None;
    }
    all.pop()
}

/// Checks that a chain follows from `leaf`: each certificate must be the issuer of the one
/// before it (by name). `Err(index)` names the first one that is not (`-1` when the chain
/// holds no certificate or does not parse).
pub fn check_chain(leaf: &Certificate, chain: &str) -> Result<(), i64> {
    let certificates = parse_certificates(chain).ok_or(-1)?;
    let mut issued = leaf;
    for (index, certificate) in certificates.iter().enumerate() {
        if certificate.subject != issued.issuer {
            return Err(i64::try_from(index).unwrap_or(-1));
        }
        issued = certificate;
    }
    Ok(())
}

/// Checks that `pem` is the private key of `certificate`'s public key.
pub fn check_private_key(pem: &str, certificate: &Certificate) -> Result<(), KeyError> {
    let (kind, der) = <(SectionKind, Vec<u8>)>::pem_slice_iter(pem.as_bytes())
        .next()
        .and_then(Result::ok)
        .ok_or(KeyError::Malformed)?;
    let der = zeroize::Zeroizing::new(der);
    let rng = ring::rand::SystemRandom::new();
    match kind {
        SectionKind::RsaPrivateKey => {
            let pair =
                ring::signature::RsaKeyPair::from_der(&der).map_err(|_| KeyError::Malformed)?;
            rsa_matches(&pair, certificate)
        }
        SectionKind::PrivateKey => {
            let (algorithm, curve, key) = pkcs8_parts(&der).ok_or(KeyError::Malformed)?;
            if algorithm == RSA_ENCRYPTION {
                let pair = ring::signature::RsaKeyPair::from_pkcs8(&der)
                    .map_err(|_| KeyError::Malformed)?;
                rsa_matches(&pair, certificate)
            } else if algorithm == EC_PUBLIC_KEY {
                let (scalar, inner_curve) = sec1_parts(key).ok_or(KeyError::Malformed)?;
                ec_matches(&scalar, curve.or(inner_curve), certificate, &rng)
            } else {
                Err(KeyError::Malformed)
            }
        }
        SectionKind::EcPrivateKey => {
            let (scalar, curve) = sec1_parts(&der).ok_or(KeyError::Malformed)?;
            ec_matches(&scalar, curve, certificate, &rng)
        }
        _ => Err(KeyError::Malformed),
    }
}

fn rsa_matches(
    pair: &ring::signature::RsaKeyPair,
    certificate: &Certificate,
) -> Result<(), KeyError> {
    use ring::signature::KeyPair;
    if certificate.algorithm == RSA_ENCRYPTION
        && pair.public_key().as_ref() == certificate.public_key.as_slice()
    {
        Ok(())
    } else {
        Err(KeyError::Mismatch)
    }
}

fn ec_matches(
    scalar: &[u8],
    curve: Option<ObjectIdentifier>,
    certificate: &Certificate,
    rng: &ring::rand::SystemRandom,
) -> Result<(), KeyError> {
    // A SEC1 key inside PKCS #8 leaves the curve to the algorithm; a bare one may omit
    // it too: the certificate's curve is then the one to try.
    let curve = curve.or(certificate.curve);
    let algorithm = match curve {
        Some(oid) if oid == P256 => &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        Some(oid) if oid == P384 => &ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        _ => return Err(KeyError::Malformed),
    };
    if certificate.algorithm != EC_PUBLIC_KEY || certificate.curve != curve {
        return Err(KeyError::Mismatch);
    }
    // ring derives the public point from the scalar and refuses a pair that disagrees.
    ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
        algorithm,
        scalar,
        &certificate.public_key,
        rng,
    )
    .map(|_| ())
    .map_err(|_| KeyError::Mismatch)
}

/// A PKCS #8 `PrivateKeyInfo`: its algorithm, the curve when given, and the inner key.
fn pkcs8_parts(der: &[u8]) -> Option<(ObjectIdentifier, Option<ObjectIdentifier>, &[u8])> {
    let mut reader = SliceReader::new(der).ok()?;
    let parts = reader
        .sequence(|seq| {
            let _version = u8::decode(seq)?;
            let algorithm = spki::AlgorithmIdentifierRef::decode(seq)?;
            let key = OctetStringRef::decode(seq)?;
            let rest = seq.remaining_len();
            seq.read_slice(rest)?;
            let curve = algorithm
                .parameters
                .and_then(|params| params.decode_as::<ObjectIdentifier>().ok());
            Ok((algorithm.oid, curve, key.as_bytes()))
        })
        .ok()?;
    reader.finish(parts).ok()
}

/// A SEC1 `ECPrivateKey`: the private scalar and the curve when given.
fn sec1_parts(der: &[u8]) -> Option<(Vec<u8>, Option<ObjectIdentifier>)> {
    let mut reader = SliceReader::new(der).ok()?;
    let parts = reader
        .sequence(|seq| {
            let _version = u8::decode(seq)?;
            let scalar = OctetStringRef::decode(seq)?.as_bytes().to_vec();
            let curve = seq
                .context_specific::<ObjectIdentifier>(der::TagNumber::N0, der::TagMode::Explicit)?;
            let rest = seq.remaining_len();
            seq.read_slice(rest)?;
            Ok((scalar, curve))
        })
        .ok()?;
    reader.finish(parts).ok()
}

/// An RSA public key: modulus and exponent, big-endian without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl RsaPublicKey {
    /// Reads an SSH public key as IAM takes it: an OpenSSH line (`ssh-rsa <base64>
    /// [comment]`) or a PEM `PUBLIC KEY` (X.509 SubjectPublicKeyInfo) holding an RSA key.
    pub fn parse_ssh(body: &str) -> Result<Self, SshKeyError> {
        let body = body.trim();
        let key = if body.starts_with("-----BEGIN") {
            let (kind, der) = <(SectionKind, Vec<u8>)>::pem_slice_iter(body.as_bytes())
                .next()
                .and_then(Result::ok)
                .ok_or(SshKeyError::Unrecognized)?;
            if kind != SectionKind::PublicKey {
                return Err(SshKeyError::Unrecognized);
            }
            Self::from_spki(&der)?
        } else {
            let mut words = body.split_whitespace();
            if words.next() != Some("ssh-rsa") {
                return Err(SshKeyError::Unrecognized);
            }
            let blob = base64::engine::general_purpose::STANDARD
                .decode(words.next().ok_or(SshKeyError::Invalid)?)
                .map_err(|_| SshKeyError::Invalid)?;
            Self::from_ssh_blob(&blob).ok_or(SshKeyError::Invalid)?
        };
        if key.bits() < MIN_SSH_KEY_BITS {
            return Err(SshKeyError::Invalid);
        }
        Ok(key)
    }

    fn from_spki(der: &[u8]) -> Result<Self, SshKeyError> {
        let spki =
            spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|_| SshKeyError::Invalid)?;
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(SshKeyError::Unrecognized);
        }
        let inner = spki
            .subject_public_key
            .as_bytes()
            .ok_or(SshKeyError::Invalid)?;
        let mut reader = SliceReader::new(inner).map_err(|_| SshKeyError::Invalid)?;
        let key = reader
            .sequence(|seq| {
                let modulus = UintRef::decode(seq)?.as_bytes().to_vec();
                let exponent = UintRef::decode(seq)?.as_bytes().to_vec();
                Ok(Self { modulus, exponent })
            })
            .map_err(|_| SshKeyError::Invalid)?;
        reader.finish(key).map_err(|_| SshKeyError::Invalid)
    }

    /// The SSH wire form: string `ssh-rsa`, mpint e, mpint n (RFC 4253 §6.6).
    fn from_ssh_blob(blob: &[u8]) -> Option<Self> {
        let mut rest = blob;
        let mut field = || -> Option<&[u8]> {
            let (length, tail) = rest.split_first_chunk::<4>()?;
            let length = usize::try_from(u32::from_be_bytes(*length)).ok()?;
            let (value, tail) = tail.split_at_checked(length)?;
            rest = tail;
            Some(value)
        };
        if field()? != b"ssh-rsa" {
            return None;
        }
        let exponent = strip_zeros(field()?);
        let modulus = strip_zeros(field()?);
        if !rest.is_empty() || modulus.is_empty() || exponent.is_empty() {
            return None;
        }
        Some(Self { modulus, exponent })
    }

    /// Bits in the modulus.
    pub fn bits(&self) -> usize {
        self.modulus.first().map_or(0, |top| {
            (self.modulus.len() - 1) * 8 + (8 - top.leading_zeros() as usize)
        })
    }

    fn ssh_blob(&self) -> Vec<u8> {
        let mut blob = Vec::new();
        for field in [
            b"ssh-rsa".to_vec(),
            mpint(&self.exponent),
            mpint(&self.modulus),
        ] {
            blob.extend_from_slice(&u32::try_from(field.len()).unwrap_or(0).to_be_bytes());
            blob.extend_from_slice(&field);
        }
        blob
    }

    /// The OpenSSH line, without a comment.
    pub fn to_openssh(&self) -> String {
        format!(
            "ssh-rsa {}",
            base64::engine::general_purpose::STANDARD.encode(self.ssh_blob())
        )
    }

    /// A PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn to_pem(&self) -> String {
        let rsa_key = tlv(
            0x30,
            &[
                tlv(0x02, &mpint(&self.modulus)),
                tlv(0x02, &mpint(&self.exponent)),
            ]
            .concat(),
        );
        let algorithm = tlv(
            0x30,
            &[tlv(0x06, RSA_ENCRYPTION.as_bytes()), tlv(0x05, &[])].concat(),
        );
        let bits = tlv(0x03, &[&[0u8][..], &rsa_key].concat());
        let spki = tlv(0x30, &[algorithm, bits].concat());
        let text = base64::engine::general_purpose::STANDARD.encode(spki);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in text.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// The MD5 of the SSH wire form in colon-separated hex, as IAM (and `ssh-keygen -E
    /// md5`) shows it.
    pub fn md5_fingerprint(&self) -> String {
        Md5::digest(self.ssh_blob())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default().to_vec()
}

/// A non-negative integer's two's-complement bytes (a zero byte before a high bit).
fn mpint(magnitude: &[u8]) -> Vec<u8> {
    match magnitude.first() {
        Some(top) if *top >= 0x80 => [&[0u8][..], magnitude].concat(),
        Some(_) => magnitude.to_vec(),
        None => vec![0],
    }
}

/// One DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = content.len();
    if length < 0x80 {
        out.push(u8::try_from(length).unwrap_or(0));
    } else {
        let bytes: Vec<u8> = length
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0));
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSH_2048: &str = include_str!("../../../tests/data/ssh-rsa-2048.pub");
    const PEM_2048: &str = include_str!("../../../tests/data/ssh-rsa-2048.pem");
    const RSA_KEY: &str = include_str!("../../../tests/data/rsa-test-key.pem");

    fn pem(label: &str, der: &[u8]) -> String {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<String> = text
            .as_bytes()
            .chunks(64)
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect();
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            lines.join("\n")
        )
    }

    fn issued(key: &rcgen::KeyPair) -> Certificate {
        let params = rcgen::CertificateParams::new(vec!["example.com".to_owned()]).unwrap();
        parse_certificate(&params.self_signed(key).unwrap().pem()).unwrap()
    }

    #[test]
    fn ssh_keys_read_as_ssh_keygen_writes_them() {
        let key = RsaPublicKey::parse_ssh(SSH_2048).unwrap();
        assert_eq!(key.bits(), 2048);
        // `ssh-keygen -l -E md5 -f tests/data/ssh-rsa-2048.pub`
        assert_eq!(
            key.md5_fingerprint(),
            "7d:56:4d:42:10:81:fd:00:25:b6:45:6c:ac:c9:1a:f3"
        );
        // The comment is dropped; the key itself is kept byte for byte.
        let mut words = SSH_2048.split_whitespace();
        let line = format!("{} {}", words.next().unwrap(), words.next().unwrap());
        assert_eq!(key.to_openssh(), line);
        // `ssh-keygen -e -m PKCS8`: the same PEM, and it reads back to the same key.
        assert_eq!(key.to_pem(), PEM_2048);
        assert_eq!(RsaPublicKey::parse_ssh(PEM_2048).unwrap(), key);
        assert_eq!(
            RsaPublicKey::parse_ssh(include_str!("../../../tests/data/ssh-rsa-3072.pub"))
                .unwrap()
                .md5_fingerprint(),
            "6a:d1:65:35:77:10:43:f4:05:a2:50:d7:d8:b7:fb:41"
        );
    }

    #[test]
    fn short_odd_and_unknown_ssh_keys_are_refused() {
        let check = |body: &str, expected| {
            assert_eq!(RsaPublicKey::parse_ssh(body), Err(expected), "{body}");
        };
        check(
            include_str!("../../../tests/data/ssh-rsa-1024.pub"),
            SshKeyError::Invalid,
        );
        check(
            include_str!("../../../tests/data/ssh-ed25519.pub"),
            SshKeyError::Unrecognized,
        );
        check("ssh-rsa !!!not-base64", SshKeyError::Invalid);
        check("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB", SshKeyError::Invalid);
        check("hello", SshKeyError::Unrecognized);
        check(RSA_KEY, SshKeyError::Unrecognized);
    }

    #[test]
    fn private_keys_match_their_certificate_in_every_format() {
        let ec = rcgen::KeyPair::generate().unwrap();
        let certificate = issued(&ec);
        assert!(certificate.valid_at(time::OffsetDateTime::now_utc().unix_timestamp()));
        assert_eq!(check_private_key(&ec.serialize_pem(), &certificate), Ok(()));
        // The SEC1 key inside the PKCS #8 one, as `EC PRIVATE KEY`.
        let ec_der = ec.serialize_der();
        let (_, _, sec1) = pkcs8_parts(&ec_der).unwrap();
        assert_eq!(
            check_private_key(&pem("EC PRIVATE KEY", sec1), &certificate),
            Ok(())
        );
        let stranger = rcgen::KeyPair::generate().unwrap();
        assert_eq!(
            check_private_key(&stranger.serialize_pem(), &certificate),
            Err(KeyError::Mismatch)
        );
        assert_eq!(
            check_private_key(RSA_KEY, &certificate),
            Err(KeyError::Mismatch)
        );
        assert_eq!(
            check_private_key("junk", &certificate),
            Err(KeyError::Malformed)
        );

        let rsa = rcgen::KeyPair::from_pem(RSA_KEY).unwrap();
        let certificate = issued(&rsa);
        assert_eq!(check_private_key(RSA_KEY, &certificate), Ok(()));
        let rsa_der = rsa.serialize_der();
        let (_, _, pkcs1) = pkcs8_parts(&rsa_der).unwrap();
        assert_eq!(
            check_private_key(&pem("RSA PRIVATE KEY", pkcs1), &certificate),
            Ok(())
        );
        assert_eq!(
            check_private_key(&ec.serialize_pem(), &certificate),
            Err(KeyError::Mismatch)
        );
    }

    #[test]
    fn chains_must_follow_issuers() {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["leaf.example.com".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &ca, &ca_key)
            .unwrap();
        let leaf = parse_certificate(&leaf.pem()).unwrap();
        assert_eq!(check_chain(&leaf, &ca.pem()), Ok(()));
        let other = issued(&rcgen::KeyPair::generate().unwrap());
        let other_pem = pem("CERTIFICATE", &other.der);
        assert_eq!(check_chain(&leaf, &other_pem), Err(0));
        assert_eq!(
            check_chain(&leaf, &format!("{}{other_pem}", ca.pem())),
            Err(1)
        );
        assert_eq!(check_chain(&leaf, "nothing"), Err(-1));
        assert!(parse_certificate(&format!("{}{other_pem}", ca.pem())).is_none());
        assert_eq!(other.fingerprint().len(), 64);
    }
}
