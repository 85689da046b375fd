//! OIDC and SAML identity providers through the AWS SDK: lifecycles, client ids,
//! thumbprints, metadata parsing, tags and errors.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::Tag;

use super::support::credentials::account_of;
use super::support::server::Server;

const THUMBPRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

fn metadata(entity: &str) -> String {
    let certificate = include_str!("../data/saml-idp-cert.b64");
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{certificate}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
<!-- padding so the document meets the model's minimum length of 1000 characters ......................................................................................................................................................................................................... -->"#
    )
}

#[tokio::test]
async fn oidc_provider_lifecycle() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;

    let created = iam
        .create_open_id_connect_provider()
        .url("https://token.example.com/tenant")
        .client_id_list("app-one")
        .client_id_list("app-one")
        .thumbprint_list(THUMBPRINT)
        .tags(Tag::builder().key("idp").value("corp").build().unwrap())
        .send()
        .await
        .unwrap();
    let arn = created.open_id_connect_provider_arn().unwrap().to_owned();
    assert_eq!(
        arn,
        format!("arn:aws:iam::{account}:oidc-provider/token.example.com/tenant")
    );
    let err = iam
        .create_open_id_connect_provider()
        .url("https://token.example.com/tenant")
        .thumbprint_list(THUMBPRINT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let err = iam
        .create_open_id_connect_provider()
        .url("http://insecure.example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    let err = iam
        .create_open_id_connect_provider()
        .url("https://other.example.com")
        .thumbprint_list("z".repeat(40))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));

    let got = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.url(), Some("token.example.com/tenant"));
    assert_eq!(got.client_id_list(), ["app-one"]);
    assert_eq!(got.thumbprint_list(), [THUMBPRINT]);
    assert_eq!(got.tags().len(), 1);

    iam.add_client_id_to_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("app-two")
        .send()
        .await
        .unwrap();
    iam.remove_client_id_from_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("app-one")
        .send()
        .await
        .unwrap();
    // Removing an absent client id is not an error.
    iam.remove_client_id_from_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("never-added")
        .send()
        .await
        .unwrap();
    let other = "a".repeat(40);
    iam.update_open_id_connect_provider_thumbprint()
        .open_id_connect_provider_arn(&arn)
        .thumbprint_list(&other)
        .send()
        .await
        .unwrap();
    let got = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.client_id_list(), ["app-two"]);
    assert_eq!(got.thumbprint_list(), [other.as_str()]);

    iam.untag_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .tag_keys("idp")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_open_id_connect_provider_tags()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().is_empty());

    let listed = iam.list_open_id_connect_providers().send().await.unwrap();
    assert_eq!(listed.open_id_connect_provider_list().len(), 1);
    assert_eq!(
        listed.open_id_connect_provider_list()[0].arn(),
        Some(arn.as_str())
    );
    let err = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(format!(
            "arn:aws:iam::{account}:oidc-provider/missing.example.com"
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn("not-an-arn-but-long-enough")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));

    iam.delete_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    // Deleting is idempotent, as AWS documents.
    iam.delete_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    let listed = iam.list_open_id_connect_providers().send().await.unwrap();
    assert!(listed.open_id_connect_provider_list().is_empty());
}

#[tokio::test]
async fn saml_provider_lifecycle() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    let document = metadata("https://idp.example.com/saml");

    let created = iam
        .create_saml_provider()
        .name("CorpIdP")
        .saml_metadata_document(&document)
        .tags(Tag::builder().key("idp").value("corp").build().unwrap())
        .send()
        .await
        .unwrap();
    let arn = created.saml_provider_arn().unwrap().to_owned();
    assert_eq!(arn, format!("arn:aws:iam::{account}:saml-provider/CorpIdP"));
    let err = iam
        .create_saml_provider()
        .name("CorpIdP")
        .saml_metadata_document(&document)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let garbage = format!("<notmetadata>{}</notmetadata>", "x".repeat(1000));
    let err = iam
        .create_saml_provider()
        .name("Broken")
        .saml_metadata_document(&garbage)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));

    let got = iam
        .get_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.saml_metadata_document(), Some(document.as_str()));
    let valid_until = got.valid_until().unwrap();
    assert!(valid_until.secs() > got.create_date().unwrap().secs());
    assert!(got.saml_provider_uuid().is_some());
    assert_eq!(got.tags().len(), 1);

    let updated_document = metadata("https://idp.example.com/saml2");
    let updated = iam
        .update_saml_provider()
        .saml_provider_arn(&arn)
        .saml_metadata_document(&updated_document)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.saml_provider_arn(), Some(arn.as_str()));
    let got = iam
        .get_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.saml_metadata_document(),
        Some(updated_document.as_str())
    );

    iam.tag_saml_provider()
        .saml_provider_arn(&arn)
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_saml_provider_tags()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 2);
    iam.untag_saml_provider()
        .saml_provider_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();

    let listed = iam.list_saml_providers().send().await.unwrap();
    assert_eq!(listed.saml_provider_list().len(), 1);
    assert_eq!(listed.saml_provider_list()[0].arn(), Some(arn.as_str()));
    assert!(listed.saml_provider_list()[0].valid_until().is_some());

    // The account summary counts providers.
    let summary = iam.get_account_summary().send().await.unwrap();
    let providers = summary
        .summary_map()
        .unwrap()
        .iter()
        .find(|(key, _)| key.as_str() == "Providers")
        .map(|(_, value)| *value);
    assert_eq!(providers, Some(1));

    iam.delete_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}
