//! XML-DSig enveloped signatures as SAML uses them: one `ds:Signature` child of the
//! signed element, one `Reference` to that element's own `ID`, the enveloped-signature and
//! exclusive-c14n transforms, an RSA PKCS#1 v1.5 signature checked against the IdP's
//! metadata certificates. Nothing else is accepted (no other transforms, no references to
//! other elements, no keys taken from the document itself), which is what keeps signature
//! wrapping out: the element whose content is later read is the one the signature sits in.

use base64::Engine;
use ring::signature::{self, UnparsedPublicKey};
use roxmltree::Node;
use subtle::ConstantTimeEq;
use x509_cert::der::Decode;

use super::c14n;

/// The XML-DSig namespace.
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_OID: &str = "1.2.840.113549.1.1.1";

/// An IdP signing key, read from a metadata certificate.
pub struct SigningKey {
    /// The DER RSAPublicKey.
    public_key: Vec<u8>,
}

impl SigningKey {
    /// Reads the RSA key of a base64 DER certificate.
    pub fn from_certificate(base64_der: &str) -> Result<Self, String> {
        let der = base64::engine::general_purpose::STANDARD
            .decode(base64_der)
            .map_err(|_| "the certificate is not base64")?;
        let certificate = x509_cert::Certificate::from_der(&der)
            .map_err(|err| format!("the certificate does not parse: {err}"))?;
        let info = certificate.tbs_certificate.subject_public_key_info;
        if info.algorithm.oid.to_string() != RSA_OID {
            return Err("the certificate's key is not an RSA key".to_owned());
        }
        Ok(Self {
            public_key: info.subject_public_key.raw_bytes().to_vec(),
        })
    }
}

/// The direct children of `node` in the XML-DSig namespace named `name`.
fn ds_children<'a, 'input>(
    node: Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |child| {
        child.is_element()
            && child.tag_name().namespace() == Some(DSIG)
            && child.tag_name().name() == name
    })
}

fn one_ds_child<'a, 'input>(
    node: Node<'a, 'input>,
    name: &'static str,
) -> Result<Node<'a, 'input>, String> {
    let mut found = ds_children(node, name);
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one),
        (None, _) => Err(format!("the signature has no {name}")),
        (Some(_), Some(_)) => Err(format!("the signature has more than one {name}")),
    }
}

/// The `ds:Signature` directly inside `element`, if there is one.
pub fn signature_of<'a, 'input>(
    element: Node<'a, 'input>,
) -> Result<Option<Node<'a, 'input>>, String> {
    let mut found = ds_children(element, "Signature");
    match (found.next(), found.next()) {
        (None, _) => Ok(None),
        (Some(one), None) => Ok(Some(one)),
        (Some(_), Some(_)) => Err("an element carries more than one signature".to_owned()),
    }
}

/// The PrefixList of an `ec:InclusiveNamespaces` child of a c14n method or transform.
fn inclusive_prefixes<'a>(method: Node<'a, '_>) -> Vec<&'a str> {
    method
        .children()
        .find(|child| {
            child.tag_name().namespace() == Some(EXC_C14N)
                && child.tag_name().name() == "InclusiveNamespaces"
        })
        .and_then(|list| list.attribute("PrefixList"))
        .map(|list| list.split_ascii_whitespace().collect())
        .unwrap_or_default()
}

fn base64_text(node: Node<'_, '_>, what: &str) -> Result<Vec<u8>, String> {
    let text: String = node
        .text()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| format!("the {what} is not base64"))
}

/// Checks the enveloped signature `signature` (a direct child of `element`) against the
/// keys: the reference must name `element`'s own `ID`, its digest must match the
/// element's canonical form without the signature, and one key must have signed the
/// canonical `SignedInfo`.
pub fn verify(
    element: Node<'_, '_>,
    signature: Node<'_, '_>,
    keys: &[SigningKey],
) -> Result<(), String> {
    let signed_info = one_ds_child(signature, "SignedInfo")?;
    let c14n_method = one_ds_child(signed_info, "CanonicalizationMethod")?;
    if c14n_method.attribute("Algorithm") != Some(EXC_C14N) {
        return Err("the signature is not canonicalized with exclusive c14n".to_owned());
    }
    let method = one_ds_child(signed_info, "SignatureMethod")?;
    // SHA-1 stays accepted because AWS accepts it from IdPs configured for it (AD FS).
    let algorithm: &dyn signature::VerificationAlgorithm = match method.attribute("Algorithm") {
        Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") => {
            &signature::RSA_PKCS1_2048_8192_SHA256
        }
        Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha384") => {
            &signature::RSA_PKCS1_2048_8192_SHA384
        }
        Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512") => {
            &signature::RSA_PKCS1_2048_8192_SHA512
        }
        Some("http://www.w3.org/2000/09/xmldsig#rsa-sha1") => {
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        other => {
            return Err(format!(
                "the signature method `{}` is not supported",
                other.unwrap_or_default()
            ))
        }
    };

    let reference = one_ds_child(signed_info, "Reference")?;
    let id = element
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or("the signed element has no ID")?;
    if reference
        .attribute("URI")
        .and_then(|uri| uri.strip_prefix('#'))
        != Some(id)
    {
        return Err("the signature does not reference the element it is in".to_owned());
    }
    let mut enveloped = false;
    let mut prefixes = None;
    if let Some(transforms) = ds_children(reference, "Transforms").next() {
        for transform in ds_children(transforms, "Transform") {
            match transform.attribute("Algorithm") {
                Some(ENVELOPED) => enveloped = true,
                Some(EXC_C14N) if prefixes.is_none() => {
                    prefixes = Some(inclusive_prefixes(transform))
                }
                other => {
                    return Err(format!(
                        "the transform `{}` is not accepted",
                        other.unwrap_or_default()
                    ))
                }
            }
        }
    }
    let (true, Some(prefixes)) = (enveloped, prefixes) else {
        return Err(
            "the reference must use the enveloped-signature and exclusive c14n transforms"
                .to_owned(),
        );
    };
    let digest_method = one_ds_child(reference, "DigestMethod")?;
    let digest_algorithm = match digest_method.attribute("Algorithm") {
        Some("http://www.w3.org/2001/04/xmlenc#sha256") => &ring::digest::SHA256,
        Some("http://www.w3.org/2001/04/xmldsig-more#sha384") => &ring::digest::SHA384,
        Some("http://www.w3.org/2001/04/xmlenc#sha512") => &ring::digest::SHA512,
        Some("http://www.w3.org/2000/09/xmldsig#sha1") => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        other => {
            return Err(format!(
                "the digest method `{}` is not supported",
                other.unwrap_or_default()
            ))
        }
    };
    let expected = base64_text(one_ds_child(reference, "DigestValue")?, "digest")?;
    let canonical = c14n::canonicalize(element, &prefixes, Some(signature))?;
    let digest = ring::digest::digest(digest_algorithm, canonical.as_bytes());
    if !bool::from(digest.as_ref().ct_eq(&expected)) {
        return Err("the digest of the signed element does not match".to_owned());
    }

    let signed_info_text = c14n::canonicalize(signed_info, &inclusive_prefixes(c14n_method), None)?;
    let value = base64_text(
        one_ds_child(signature, "SignatureValue")?,
        "signature value",
    )?;
    let good = keys.iter().any(|key| {
        UnparsedPublicKey::new(algorithm, &key.public_key)
            .verify(signed_info_text.as_bytes(), &value)
            .is_ok()
    });
    if good {
        Ok(())
    } else {
        Err("the signature was not made by a key of the provider's metadata".to_owned())
    }
}
