#!/usr/bin/env python3
"""Writes the signed SAML responses the federation crate's tests and the server's
`tests/it/sts_saml.rs` present to AssumeRoleWithSAML.

TEST-ONLY. The keys beside this script (`test-only-*-key.pem`, self-signed, CN says
NOT-FOR-PRODUCTION) exist only to sign these fixtures; never trust them anywhere.

The signatures come from `signxml` (lxml / libxml2 canonicalization), an implementation
independent of Gatehouse's own, so the tests check Gatehouse against someone else's
XML-DSig. Run once after changing the templates (pip install signxml==5.2.0):

    python3 crates/federation/tests/data/saml/generate.py

Every assertion is valid until 2100 except `expired.xml`.
"""

import pathlib

from lxml import etree
from signxml import SignatureMethod, DigestAlgorithm, XMLSigner

HERE = pathlib.Path(__file__).parent
ACCOUNT = "111122223333"
ISSUER = "https://idp.example.test/saml"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SamlDeveloper"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/SamlAuditor"
RECIPIENT = "https://signin.aws.amazon.com/saml"
FAR = "2100-01-01T00:00:00Z"
PAST = "2020-01-01T01:00:00Z"


def response(not_on_or_after=FAR, session_name="alice@example.test", status="Success",
             extra_attributes="", recipient=RECIPIENT, audience="urn:amazon:webservices",
             name_format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"):
    return f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_resp-1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" Destination="{recipient}">
  <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{ISSUER}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:{status}"/></samlp:Status>
  <saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_assertion-1" Version="2.0" IssueInstant="2024-01-01T00:00:00Z">
    <saml:Issuer>{ISSUER}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="{name_format}">alice-0001</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{not_on_or_after}" Recipient="{recipient}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="2024-01-01T00:00:00Z" NotOnOrAfter="{not_on_or_after}">
      <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="2024-01-01T00:00:00Z" SessionIndex="_session-1">
      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
    </saml:AuthnStatement>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue xsi:type="xs:string">{ROLE},{PROVIDER}</saml:AttributeValue>
        <saml:AttributeValue xsi:type="xs:string">{PROVIDER},{OTHER_ROLE}</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue xsi:type="xs:string">{session_name}</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration">
        <saml:AttributeValue xsi:type="xs:string">1800</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department">
        <saml:AttributeValue xsi:type="xs:string">Engineering &amp; Research</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys">
        <saml:AttributeValue xsi:type="xs:string">Department</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/SourceIdentity">
        <saml:AttributeValue xsi:type="xs:string">alice</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.1" FriendlyName="eduPersonAffiliation">
        <saml:AttributeValue xsi:type="xs:string">staff</saml:AttributeValue>
        <saml:AttributeValue xsi:type="xs:string">member</saml:AttributeValue>
      </saml:Attribute>{extra_attributes}
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""


def sign(xml, *, key="idp", target="assertion", method=SignatureMethod.RSA_SHA256,
         digest=DigestAlgorithm.SHA256, prefixes=None):
    """Signs the assertion (or the whole response) with an enveloped signature."""
    root = etree.fromstring(xml.encode())
    key_pem = (HERE / f"test-only-{key}-key.pem").read_bytes()
    cert_pem = (HERE / f"test-only-{key}-cert.pem").read_bytes()
    if method == SignatureMethod.RSA_SHA1:
        # signxml refuses SHA-1 by default; some IdPs (AD FS set to SHA-1) still send it.
        XMLSigner.check_deprecated_methods = lambda self: None
    signer = XMLSigner(signature_algorithm=method, digest_algorithm=digest,
                       c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    signer.namespaces = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    if target == "assertion":
        assertion = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
        # SAML puts the signature right after the Issuer.
        placeholder = etree.Element("{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder", nsmap={"ds": "http://www.w3.org/2000/09/xmldsig#"})
        assertion.insert(1, placeholder)
        signed = signer.sign(assertion, key=key_pem, cert=cert_pem, reference_uri="_assertion-1",
                             inclusive_ns_prefixes=prefixes)
        root.replace(assertion, signed)
    else:
        placeholder = etree.Element("{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder", nsmap={"ds": "http://www.w3.org/2000/09/xmldsig#"})
        root.insert(1, placeholder)
        root = signer.sign(root, key=key_pem, cert=cert_pem, reference_uri="_resp-1",
                           inclusive_ns_prefixes=prefixes)
    return etree.tostring(root).decode()


def write(name, text):
    (HERE / name).write_text(text)


def main():
    good = sign(response())
    write("signed-assertion.xml", good)
    write("signed-response.xml", sign(response(), target="response"))
    # No fixture with an InclusiveNamespaces PrefixList: signxml 5.2 writes the list on
    # CanonicalizationMethod only but digests the reference with it too, which a verifier
    # following the XML-DSig recommendation (xmlsec1, Gatehouse) rightly refuses.
    write("signed-rsa-sha1.xml", sign(response(), method=SignatureMethod.RSA_SHA1,
                                      digest=DigestAlgorithm.SHA1))
    write("signed-transient.xml", sign(response(
        session_name="bob", name_format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient")))
    write("expired.xml", sign(response(not_on_or_after=PAST)))
    write("wrong-recipient.xml", sign(response(recipient="https://evil.example.test/saml")))
    write("wrong-audience.xml", sign(response(audience="urn:example:someone-else")))
    write("idp-rejected.xml", sign(response(status="Responder")))
    write("wrong-key.xml", sign(response(), key="other"))

    # Tampering after signing: a changed attribute value must break the digest.
    assert "Engineering &amp; Research" in good
    write("tampered-attribute.xml", good.replace("Engineering &amp; Research", "Finance"))
    # Signature wrapping: the signed assertion moves into Extensions (still verifiable by
    # its ID) and an unsigned forged assertion with another subject takes its place.
    start = good.index("<saml:Assertion")
    end = good.index("</saml:Assertion>") + len("</saml:Assertion>")
    signed_assertion = good[start:end]
    forged = response(session_name="mallory").split("<saml:Assertion", 1)[1]
    forged = "<saml:Assertion" + forged.split("</saml:Assertion>", 1)[0] + "</saml:Assertion>"
    forged = forged.replace("alice-0001", "mallory-0001").replace('ID="_assertion-1"', 'ID="_forged"')
    wrapped = (good[:start]
               + '<samlp:Extensions>' + signed_assertion + '</samlp:Extensions>'
               + forged + good[end:])
    write("wrapped-assertion.xml", wrapped)
    # The same forged assertion reusing the signed one's ID, the signature left in place.
    forged_same_id = forged.replace('ID="_forged"', 'ID="_assertion-1"')
    sig_start = signed_assertion.index("<ds:Signature")
    sig_end = signed_assertion.index("</ds:Signature>") + len("</ds:Signature>")
    signature = signed_assertion[sig_start:sig_end]
    issuer_end = forged_same_id.index("</saml:Issuer>") + len("</saml:Issuer>")
    forged_with_signature = forged_same_id[:issuer_end] + signature + forged_same_id[issuer_end:]
    write("forged-with-copied-signature.xml", good[:start] + forged_with_signature + good[end:])


if __name__ == "__main__":
    main()
