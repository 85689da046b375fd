//! Certificates made at test time with rcgen: self-signed ones, and a CA with a leaf it
//! signed. Keys are generated per test (or come from `tests/data`) and protect nothing.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

/// A certificate (PEM) and its private key (PEM).
pub struct Issued {
    pub cert: String,
    pub key: String,
}

/// A certificate for `name` signed by its own `key`.
pub fn self_signed(name: &str, key: KeyPair) -> Issued {
    let params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    Issued {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

/// A CA certificate (PEM) named `{ca_name} test CA`, and a leaf for `leaf_names` it signed.
pub fn ca_and_leaf(ca_name: &str, leaf_names: &[&str]) -> (String, Issued) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{ca_name} test CA"));
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_names: Vec<String> = leaf_names.iter().map(|name| (*name).to_owned()).collect();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(leaf_names)
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    (
        ca.pem(),
        Issued {
            cert: leaf.pem(),
            key: leaf_key.serialize_pem(),
        },
    )
}
