//! Reads a base64 SAML 2.0 `Response` the way AWS's sign-in endpoint does: exactly one
//! plain assertion, signed (itself or through the response) by a key of the provider's
//! metadata, issued by the provider's entity id, for AWS's endpoint and audience, within
//! its validity window. Only then is anything in it read.

use base64::Engine;
use roxmltree::Node;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::xmldsig::{self, SigningKey};

const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// Clock skew tolerated on the validity window, seconds.
const SKEW: i64 = 300;

/// The SAML endpoints AWS accepts as `Recipient` and `Destination`.
fn is_aws_endpoint(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let Some(host) = rest.strip_suffix("/saml") else {
        return false;
    };
    if matches!(
        host,
        "signin.aws.amazon.com" | "signin.amazonaws.cn" | "signin.amazonaws-us-gov.com"
    ) {
        return true;
    }
    // Regional endpoints: https://<region>.signin.aws.amazon.com/saml.
    host.strip_suffix(".signin.aws.amazon.com")
        .is_some_and(|region| {
            !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// The audiences AWS accepts.
fn is_aws_audience(audience: &str) -> bool {
    matches!(
        audience,
        "urn:amazon:webservices"
            | "urn:amazon:webservices:cn-north-1"
            | "urn:amazon:webservices:govcloud"
    )
}

/// Why a response is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a good response (`InvalidIdentityToken`).
    Invalid(String),
    /// Its validity window has passed (`ExpiredTokenException`).
    Expired(String),
    /// The IdP says authentication failed (`IDPRejectedClaim`).
    Rejected(String),
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::Invalid(message.into())
}

/// What a verified assertion says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// `Issuer` (the provider's entity id).
    pub issuer: String,
    /// `Subject/NameID`.
    pub subject: String,
    /// `NameID/@Format`, if given.
    pub subject_format: Option<String>,
    /// The `Recipient` of the bearer confirmation (AWS's endpoint).
    pub recipient: String,
    /// `AuthnStatement/@SessionNotOnOrAfter`, if given.
    pub session_not_on_or_after: Option<OffsetDateTime>,
    /// Every attribute: its `Name` and its values, in document order.
    pub attributes: Vec<(String, Vec<String>)>,
}

impl Assertion {
    /// The values of the attribute `name`.
    pub fn values(&self, name: &str) -> Option<&[String]> {
        self.attributes
            .iter()
            .find(|(attribute, _)| attribute == name)
            .map(|(_, values)| values.as_slice())
    }
}

fn saml_children<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |child| {
        child.is_element()
            && child.tag_name().namespace() == Some(namespace)
            && child.tag_name().name() == name
    })
}

fn child<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> Option<Node<'a, 'input>> {
    saml_children(node, namespace, name).next()
}

fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|text| text.text())
        .collect::<String>()
        .trim()
        .to_owned()
}

fn instant(node: Node<'_, '_>, name: &str) -> Result<Option<OffsetDateTime>, Refusal> {
    node.attribute(name)
        .map(|value| {
            OffsetDateTime::parse(value, &Rfc3339)
                .map_err(|_| invalid(format!("{name} `{value}` is not a date and time")))
        })
        .transpose()
}

/// Decodes, verifies and reads a SAML response (`SAMLAssertion`, base64).
pub fn read(
    encoded: &str,
    entity_id: &str,
    certificates: &[String],
    now: OffsetDateTime,
) -> Result<Assertion, Refusal> {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| invalid("Invalid base64 SAML response"))?;
    let xml = String::from_utf8(bytes).map_err(|_| invalid("the SAML response is not UTF-8"))?;
    // roxmltree refuses a DTD by default: no entity expansion, no external references.
    let document = roxmltree::Document::parse(&xml)
        .map_err(|err| invalid(format!("the SAML response is not well-formed XML: {err}")))?;
    let response = document.root_element();
    if response.tag_name().namespace() != Some(PROTOCOL) || response.tag_name().name() != "Response"
    {
        return Err(invalid("the document is not a SAML 2.0 Response"));
    }
    let status = child(response, PROTOCOL, "Status")
        .and_then(|status| child(status, PROTOCOL, "StatusCode"))
        .and_then(|code| code.attribute("Value"));
    if status != Some(SUCCESS) {
        return Err(Refusal::Rejected(format!(
            "The identity provider did not authenticate the user (status `{}`).",
            status.unwrap_or("none")
        )));
    }
    if document.descendants().any(|node| {
        node.tag_name().namespace() == Some(ASSERTION)
            && node.tag_name().name() == "EncryptedAssertion"
    }) {
        return Err(invalid(
            "encrypted SAML assertions are not supported; send the assertion unencrypted",
        ));
    }
    // Exactly one assertion anywhere in the document, directly in the response: a second
    // one hidden elsewhere is the classic signature-wrapping attack.
    let mut assertions = document.descendants().filter(|node| {
        node.tag_name().namespace() == Some(ASSERTION) && node.tag_name().name() == "Assertion"
    });
    let assertion = match (assertions.next(), assertions.next()) {
        (Some(one), None) if one.parent() == Some(response) => one,
        (None, _) => return Err(invalid("the SAML response has no assertion")),
        _ => {
            return Err(invalid(
                "the SAML response must hold exactly one assertion, directly in the Response",
            ))
        }
    };
    // IDs are unique, so no reference can be resolved to a different element.
    let mut ids: Vec<&str> = document
        .descendants()
        .filter_map(|node| node.attribute("ID"))
        .collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair.first() == pair.get(1)) {
        return Err(invalid("the SAML response has duplicate IDs"));
    }

    let keys: Vec<SigningKey> = certificates
        .iter()
        .filter_map(|cert| SigningKey::from_certificate(cert).ok())
        .collect();
    let mut signed = false;
    for element in [response, assertion] {
        if let Some(signature) = xmldsig::signature_of(element).map_err(invalid)? {
            xmldsig::verify(element, signature, &keys)
                .map_err(|why| invalid(format!("Invalid SAML response signature: {why}")))?;
            signed = true;
        }
    }
    if !signed {
        return Err(invalid("the SAML assertion is not signed"));
    }

    // From here on, only the signed assertion (and the response around it) is read.
    let issuer = child(assertion, ASSERTION, "Issuer")
        .map(text)
        .ok_or_else(|| invalid("the SAML assertion has no Issuer"))?;
    if issuer != entity_id {
        return Err(invalid(format!(
            "Issuer `{issuer}` does not match the entity id of the SAML provider"
        )));
    }
    if let Some(destination) = response.attribute("Destination") {
        if !is_aws_endpoint(destination) {
            return Err(invalid(format!(
                "Destination `{destination}` is not an AWS sign-in endpoint"
            )));
        }
    }
    let earliest = now - time::Duration::seconds(SKEW);
    let latest = now + time::Duration::seconds(SKEW);

    let subject = child(assertion, ASSERTION, "Subject")
        .ok_or_else(|| invalid("the SAML assertion has no Subject"))?;
    let name_id = child(subject, ASSERTION, "NameID")
        .ok_or_else(|| invalid("the SAML assertion has no NameID"))?;
    let mut recipient = None;
    let mut expired = false;
    for confirmation in saml_children(subject, ASSERTION, "SubjectConfirmation")
        .filter(|confirmation| confirmation.attribute("Method") == Some(BEARER))
    {
        let Some(data) = child(confirmation, ASSERTION, "SubjectConfirmationData") else {
            continue;
        };
        let Some(to) = data.attribute("Recipient").filter(|to| is_aws_endpoint(to)) else {
            continue;
        };
        if instant(data, "NotOnOrAfter")?.is_some_and(|end| end <= earliest) {
            expired = true;
            continue;
        }
        if instant(data, "NotBefore")?.is_some_and(|start| start > latest) {
            continue;
        }
        recipient = Some(to.to_owned());
        break;
    }
    let Some(recipient) = recipient else {
        return Err(if expired {
            Refusal::Expired(
                "Token expired: the SAML assertion's NotOnOrAfter has passed.".to_owned(),
            )
        } else {
            invalid("the SAML assertion has no bearer confirmation whose Recipient is an AWS sign-in endpoint")
        });
    };

    if let Some(conditions) = child(assertion, ASSERTION, "Conditions") {
        if instant(conditions, "NotOnOrAfter")?.is_some_and(|end| end <= earliest) {
            return Err(Refusal::Expired(
                "Token expired: the SAML assertion's NotOnOrAfter has passed.".to_owned(),
            ));
        }
        if instant(conditions, "NotBefore")?.is_some_and(|start| start > latest) {
            return Err(invalid("the SAML assertion is not valid yet (NotBefore)"));
        }
        for restriction in saml_children(conditions, ASSERTION, "AudienceRestriction") {
            if !saml_children(restriction, ASSERTION, "Audience")
                .any(|audience| is_aws_audience(&text(audience)))
            {
                return Err(invalid(
                    "the SAML assertion's audience is not urn:amazon:webservices",
                ));
            }
        }
    }
    let mut session_not_on_or_after = None;
    for statement in saml_children(assertion, ASSERTION, "AuthnStatement") {
        if let Some(end) = instant(statement, "SessionNotOnOrAfter")? {
            if end <= earliest {
                return Err(Refusal::Expired(
                    "Token expired: the SAML session's SessionNotOnOrAfter has passed.".to_owned(),
                ));
            }
            session_not_on_or_after =
                Some(session_not_on_or_after.map_or(end, |known: OffsetDateTime| known.min(end)));
        }
    }
    let mut attributes: Vec<(String, Vec<String>)> = Vec::new();
    for statement in saml_children(assertion, ASSERTION, "AttributeStatement") {
        for attribute in saml_children(statement, ASSERTION, "Attribute") {
            let Some(name) = attribute.attribute("Name") else {
                continue;
            };
            let values = saml_children(attribute, ASSERTION, "AttributeValue").map(text);
            match attributes.iter_mut().find(|(known, _)| known == name) {
                Some((_, known)) => known.extend(values),
                None => attributes.push((name.to_owned(), values.collect())),
            }
        }
    }
    Ok(Assertion {
        issuer,
        subject: text(name_id),
        subject_format: name_id.attribute("Format").map(str::to_owned),
        recipient,
        session_not_on_or_after,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://idp.example.test/saml";

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/data/saml/{name}", env!("CARGO_MANIFEST_DIR"));
        let xml = std::fs::read_to_string(path).unwrap();
        base64::engine::general_purpose::STANDARD.encode(xml)
    }

    fn certificate(name: &str) -> String {
        let path = format!("{}/tests/data/saml/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect()
    }

    fn check(name: &str) -> Result<Assertion, Refusal> {
        let now = OffsetDateTime::parse("2026-06-01T00:00:00Z", &Rfc3339).unwrap();
        read(
            &fixture(name),
            ISSUER,
            &[certificate("test-only-idp-cert.pem")],
            now,
        )
    }

    fn refused(name: &str) -> String {
        match check(name).unwrap_err() {
            Refusal::Invalid(why) => why,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn responses_signed_by_an_independent_implementation_verify() {
        for name in [
            "signed-assertion.xml",
            "signed-response.xml",
            "signed-rsa-sha1.xml",
        ] {
            let assertion = check(name).unwrap_or_else(|err| panic!("{name}: {err:?}"));
            assert_eq!(assertion.issuer, ISSUER);
            assert_eq!(assertion.subject, "alice-0001");
            assert_eq!(assertion.recipient, "https://signin.aws.amazon.com/saml");
            assert_eq!(
                assertion.values("https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"),
                Some(&["Engineering & Research".to_owned()][..])
            );
            assert_eq!(
                assertion
                    .values("urn:oid:1.3.6.1.4.1.5923.1.1.1.1")
                    .map(<[String]>::len),
                Some(2)
            );
        }
    }

    #[test]
    fn tampered_wrapped_and_foreign_responses_are_refused() {
        assert!(refused("tampered-attribute.xml").contains("digest"));
        assert!(refused("wrapped-assertion.xml").contains("exactly one assertion"));
        assert!(refused("forged-with-copied-signature.xml").contains("signature"));
        assert!(refused("wrong-key.xml").contains("key"));
        assert!(refused("wrong-recipient.xml").contains("Destination"));
        assert!(refused("wrong-audience.xml").contains("audience"));
        assert!(matches!(check("expired.xml"), Err(Refusal::Expired(_))));
        assert!(matches!(
            check("idp-rejected.xml"),
            Err(Refusal::Rejected(_))
        ));
        // Unsigned: the signature removed altogether.
        let xml = std::fs::read_to_string(format!(
            "{}/tests/data/saml/signed-assertion.xml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let start = xml.find("<ds:Signature").unwrap();
        let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
        let unsigned = format!("{}{}", &xml[..start], &xml[end..]);
        let now = OffsetDateTime::now_utc();
        let encoded = base64::engine::general_purpose::STANDARD.encode(unsigned);
        let err = read(
            &encoded,
            ISSUER,
            &[certificate("test-only-idp-cert.pem")],
            now,
        )
        .unwrap_err();
        assert_eq!(err, invalid("the SAML assertion is not signed"));
        // Another provider's entity id.
        let err = read(
            &fixture("signed-assertion.xml"),
            "https://other.example.test",
            &[certificate("test-only-idp-cert.pem")],
            now,
        )
        .unwrap_err();
        assert!(matches!(err, Refusal::Invalid(why) if why.contains("Issuer")));
        // A DTD is refused before anything else.
        let doctype = base64::engine::general_purpose::STANDARD
            .encode(r#"<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>"#);
        assert!(matches!(
            read(&doctype, ISSUER, &[], now),
            Err(Refusal::Invalid(_))
        ));
        assert!(matches!(
            read("!!", ISSUER, &[], now),
            Err(Refusal::Invalid(_))
        ));
    }

    #[test]
    fn aws_endpoints_and_audiences() {
        assert!(is_aws_endpoint("https://signin.aws.amazon.com/saml"));
        assert!(is_aws_endpoint(
            "https://eu-west-1.signin.aws.amazon.com/saml"
        ));
        assert!(is_aws_endpoint("https://signin.amazonaws.cn/saml"));
        assert!(!is_aws_endpoint("http://signin.aws.amazon.com/saml"));
        assert!(!is_aws_endpoint(
            "https://evil.com/.signin.aws.amazon.com/saml"
        ));
        assert!(!is_aws_endpoint("https://signin.aws.amazon.com/saml/x"));
        assert!(is_aws_audience("urn:amazon:webservices"));
        assert!(!is_aws_audience("urn:amazon:webservices:other"));
    }
}
