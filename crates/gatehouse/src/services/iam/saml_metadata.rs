//! Reads what Gatehouse needs from SAML 2.0 IdP metadata: the entity id, the signing
//! certificates (to verify assertions in STS later) and how long the metadata is valid
//! (`validUntil`, or else the earliest certificate expiry). Anything else in the document
//! is kept as text, untouched.

use base64::Engine;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use x509_cert::der::Decode;

/// What the metadata says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `EntityDescriptor/@entityID`.
    pub entity_id: String,
    /// The IdP's signing certificates, base64 DER as in the document (whitespace removed).
    pub certificates: Vec<String>,
    /// When the provider stops being valid.
    pub valid_until: OffsetDateTime,
}

/// Parses IdP metadata; the error says what is wrong.
pub fn parse(text: &str) -> Result<Metadata, String> {
    let document = roxmltree::Document::parse(text).map_err(|err| format!("not XML: {err}"))?;
    let root = document.root_element();
    if root.tag_name().name() != "EntityDescriptor" {
        return Err("the root element is not an EntityDescriptor".to_owned());
    }
    let entity_id = root
        .attribute("entityID")
        .filter(|id| !id.is_empty())
        .ok_or("the EntityDescriptor has no entityID")?
        .to_owned();
    let idp = root
        .descendants()
        .find(|node| node.tag_name().name() == "IDPSSODescriptor")
        .ok_or("the metadata has no IDPSSODescriptor")?;
    let mut certificates = Vec::new();
    let mut earliest_expiry: Option<OffsetDateTime> = None;
    for key in idp
        .descendants()
        .filter(|node| node.tag_name().name() == "KeyDescriptor")
        .filter(|node| node.attribute("use").is_none_or(|usage| usage == "signing"))
    {
        for cert in key
            .descendants()
            .filter(|node| node.tag_name().name() == "X509Certificate")
        {
            let text: String = cert
                .text()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(&text)
                .map_err(|_| "an X509Certificate is not base64".to_owned())?;
            let parsed = x509_cert::Certificate::from_der(&der)
                .map_err(|err| format!("an X509Certificate does not parse: {err}"))?;
            let not_after = parsed.tbs_certificate.validity.not_after.to_unix_duration();
            let expiry = OffsetDateTime::from_unix_timestamp(
                i64::try_from(not_after.as_secs()).unwrap_or(i64::MAX),
            )
            .map_err(|err| err.to_string())?;
            earliest_expiry = Some(earliest_expiry.map_or(expiry, |known| known.min(expiry)));
            certificates.push(text);
        }
    }
    if certificates.is_empty() {
        return Err("the IDPSSODescriptor has no signing certificate".to_owned());
    }
    let valid_until = match root.attribute("validUntil") {
        Some(text) => OffsetDateTime::parse(text, &Rfc3339)
            .map_err(|_| format!("validUntil `{text}` is not a date"))?,
        None => earliest_expiry.ok_or("no expiry")?,
    };
    Ok(Metadata {
        entity_id,
        certificates,
        valid_until,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A self-signed test certificate (CN=gatehouse-test-idp, valid until 2036-11-29),
    /// generated with `openssl req -x509` for these tests (its key was discarded).
    pub(crate) const CERTIFICATE: &str = include_str!("../../../tests/data/saml-idp-cert.b64");

    pub(crate) fn metadata(valid_until: Option<&str>) -> String {
        let valid = valid_until
            .map(|at| format!(r#" validUntil="{at}""#))
            .unwrap_or_default();
        format!(
            r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml"{valid}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{CERTIFICATE}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
        )
    }

    #[test]
    fn reads_entity_certificates_and_validity() {
        let parsed = parse(&metadata(None)).unwrap();
        assert_eq!(parsed.entity_id, "https://idp.example.com/saml");
        assert_eq!(parsed.certificates.len(), 1);
        assert!(!parsed.certificates[0].contains('\n'));
        assert_eq!(parsed.valid_until.year(), 2036);
        let parsed = parse(&metadata(Some("2030-05-01T00:00:00Z"))).unwrap();
        assert_eq!(parsed.valid_until.year(), 2030);
    }

    #[test]
    fn refuses_what_is_not_idp_metadata() {
        assert!(parse("not xml").is_err());
        assert!(parse("<a/>").is_err());
        assert!(parse(r#"<EntityDescriptor entityID="x"/>"#).is_err());
        let no_cert = r#"<EntityDescriptor entityID="x"><IDPSSODescriptor/></EntityDescriptor>"#;
        assert!(parse(no_cert).unwrap_err().contains("certificate"));
        let bad_cert = metadata(None).replace(CERTIFICATE.trim(), "AAAA");
        assert!(parse(&bad_cert).is_err());
        assert!(parse(&metadata(Some("someday"))).is_err());
    }
}
