//! IAM's other credentials through the AWS SDK: server certificates, SSH public keys,
//! signing certificates and service-specific credentials. Certificates and keys are made
//! at test time with rcgen (EC P-256, and RSA from the test-only key in tests/data).

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::Tag;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

use super::harness::{create_member, dev_root, user_with_key, Server};

/// The test-only RSA key (PKCS #8) also used by the OIDC tests.
const RSA_KEY: &str = include_str!("../data/oidc-test-key.pem");

/// A certificate (PEM) for `name` and its private key (PEM).
struct Issued {
    cert: String,
    key: String,
}

fn self_signed(name: &str, key: KeyPair) -> Issued {
    let params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    Issued {
        cert: cert.pem(),
        key: key.serialize_pem(),
    }
}

fn ec(name: &str) -> Issued {
    self_signed(name, KeyPair::generate().unwrap())
}

/// A CA certificate, and a leaf for `name` it signed.
fn ca_and_leaf(name: &str) -> (String, Issued) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} test CA"));
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![name.to_owned()])
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

async fn account_of(server: &Server, keys: &super::harness::Keys) -> String {
    server
        .sts(keys)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account
        .unwrap()
}

#[tokio::test]
async fn server_certificate_lifecycle() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let (ca, leaf) = ca_and_leaf("www.example.com");

    let uploaded = iam
        .upload_server_certificate()
        .server_certificate_name("Web")
        .path("/cloudfront/")
        .certificate_body(&leaf.cert)
        .private_key(&leaf.key)
        .certificate_chain(&ca)
        .tags(Tag::builder().key("team").value("edge").build().unwrap())
        .send()
        .await
        .unwrap();
    let meta = uploaded.server_certificate_metadata().unwrap();
    assert_eq!(
        meta.arn(),
        format!("arn:aws:iam::{account}:server-certificate/cloudfront/Web")
    );
    assert!(meta.server_certificate_id().starts_with("ASCA"));
    assert_eq!(meta.server_certificate_id().len(), 21);
    // rcgen's default validity ends in 4096.
    let expiration = meta.expiration().unwrap().secs();
    assert!(expiration > 4_000_000_000, "{expiration}");
    assert_eq!(uploaded.tags().len(), 1);

    // Names are unique regardless of case.
    let err = iam
        .upload_server_certificate()
        .server_certificate_name("WEB")
        .certificate_body(&leaf.cert)
        .private_key(&leaf.key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));

    let got = iam
        .get_server_certificate()
        .server_certificate_name("web")
        .send()
        .await
        .unwrap();
    let got = got.server_certificate().unwrap();
    assert_eq!(got.certificate_body(), leaf.cert);
    assert_eq!(got.certificate_chain(), Some(ca.as_str()));
    assert_eq!(
        got.server_certificate_metadata().unwrap().server_certificate_name(),
        "Web"
    );
    // The private key never comes back, in any field.
    let (status, body) = super::harness::RawRequest::query(
        "iam",
        "Action=GetServerCertificate&Version=2010-05-08&ServerCertificateName=Web",
        &root,
    )
    .send(&server.endpoint)
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<CertificateBody>"));
    assert!(!body.contains("PRIVATE KEY"), "{body}");

    // A second certificate elsewhere; path prefixes and pages.
    let other = ec("api.example.com");
    iam.upload_server_certificate()
        .server_certificate_name("api")
        .certificate_body(&other.cert)
        .private_key(&other.key)
        .send()
        .await
        .unwrap();
    let all = iam.list_server_certificates().send().await.unwrap();
    let names: Vec<_> = all
        .server_certificate_metadata_list()
        .iter()
        .map(|meta| meta.server_certificate_name().to_owned())
        .collect();
    assert_eq!(names, ["api", "Web"]);
    let under = iam
        .list_server_certificates()
        .path_prefix("/cloudfront/")
        .send()
        .await
        .unwrap();
    assert_eq!(under.server_certificate_metadata_list().len(), 1);
    let first = iam
        .list_server_certificates()
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(first.is_truncated());
    let second = iam
        .list_server_certificates()
        .max_items(1)
        .marker(first.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert!(!second.is_truncated());
    assert_eq!(
        second.server_certificate_metadata_list()[0].server_certificate_name(),
        "Web"
    );

    // Tags.
    iam.tag_server_certificate()
        .server_certificate_name("Web")
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_server_certificate()
        .server_certificate_name("Web")
        .tag_keys("TEAM")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_server_certificate_tags()
        .server_certificate_name("Web")
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = tags.tags().iter().map(|tag| tag.key().to_owned()).collect();
    assert_eq!(keys, ["env"]);

    // Rename and move; the old name is gone, a taken name is refused.
    let err = iam
        .update_server_certificate()
        .server_certificate_name("Web")
        .new_server_certificate_name("API")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    iam.update_server_certificate()
        .server_certificate_name("Web")
        .new_server_certificate_name("Edge")
        .new_path("/edge/")
        .send()
        .await
        .unwrap();
    let err = iam
        .get_server_certificate()
        .server_certificate_name("Web")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let moved = iam
        .get_server_certificate()
        .server_certificate_name("Edge")
        .send()
        .await
        .unwrap();
    let meta = moved
        .server_certificate()
        .unwrap()
        .server_certificate_metadata()
        .unwrap();
    assert_eq!(
        meta.arn(),
        format!("arn:aws:iam::{account}:server-certificate/edge/Edge")
    );
    assert_eq!(
        moved.server_certificate().unwrap().tags().len(),
        1,
        "tags follow a rename"
    );

    // The account summary counts them.
    let summary = iam.get_account_summary().send().await.unwrap();
    let map = summary.summary_map().unwrap();
    use aws_sdk_iam::types::SummaryKeyType as K;
    assert_eq!(map.get(&K::ServerCertificates), Some(&2));
    assert_eq!(map.get(&K::ServerCertificatesQuota), Some(&20));

    iam.delete_server_certificate()
        .server_certificate_name("edge")
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_server_certificate()
        .server_certificate_name("Edge")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // The private key is sealed at rest: no line of its PEM is in the database files.
    let key_line = other.key.lines().nth(1).unwrap().to_owned();
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("gatehouse.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(key_line.len())
                .any(|w| w == key_line.as_bytes()),
            "private key found in clear in {name}"
        );
    }
}

#[tokio::test]
async fn server_certificates_are_checked_as_aws_does() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let good = ec("good.example.com");
    let stranger = ec("stranger.example.com");
    let upload = |name: &str, body: &str, key: &str| {
        iam.upload_server_certificate()
            .server_certificate_name(name)
            .certificate_body(body)
            .private_key(key)
    };

    let err = upload("bad", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", &good.key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedCertificate"));
    assert_eq!(
        err.message(),
        Some("Unable to parse certificate. Please ensure the certificate is in PEM format.")
    );
    let err = upload("bad", &good.cert, "not a key").send().await.unwrap_err();
    assert_eq!(err.code(), Some("MalformedCertificate"));
    let err = upload("bad", &good.cert, &stranger.key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("KeyPairMismatch"));
    // An RSA key against an EC certificate does not match either.
    let err = upload("bad", &good.cert, RSA_KEY).send().await.unwrap_err();
    assert_eq!(err.code(), Some("KeyPairMismatch"));

    // An RSA certificate with its PKCS #8 key.
    let rsa = self_signed(
        "rsa.example.com",
        KeyPair::from_pem(RSA_KEY).unwrap(),
    );
    upload("rsa", &rsa.cert, RSA_KEY).send().await.unwrap();

    // An expired certificate.
    let mut params = CertificateParams::new(vec!["old.example.com".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let old_key = KeyPair::generate().unwrap();
    let old = params.self_signed(&old_key).unwrap();
    let err = upload("old", &old.pem(), &old_key.serialize_pem())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedCertificate"));

    // A chain must start with the certificate's issuer.
    let (ca, leaf) = ca_and_leaf("chained.example.com");
    let (other_ca, _) = ca_and_leaf("elsewhere.example.com");
    let err = upload("chained", &leaf.cert, &leaf.key)
        .certificate_chain(&other_ca)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedCertificate"));
    assert!(err.message().unwrap().ends_with("is: 0"), "{err:?}");
    upload("chained", &leaf.cert, &leaf.key)
        .certificate_chain(&ca)
        .send()
        .await
        .unwrap();

    // Nothing was stored by the refused uploads.
    let listed = iam.list_server_certificates().send().await.unwrap();
    assert_eq!(listed.server_certificate_metadata_list().len(), 2);

    // 20 per account.
    for index in 2..20 {
        upload(&format!("c{index}"), &good.cert, &good.key)
            .send()
            .await
            .unwrap();
    }
    let err = upload("one-too-many", &good.cert, &good.key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
}

#[tokio::test]
async fn server_certificates_are_authorized_and_isolated() {
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let cert = ec("site.example.com");
    iam.upload_server_certificate()
        .server_certificate_name("site")
        .path("/web/")
        .certificate_body(&cert.cert)
        .private_key(&cert.key)
        .send()
        .await
        .unwrap();

    // A user may read the certificates its policy names, and nothing else.
    let keys = user_with_key(&iam, "reader").await;
    iam.put_user_policy()
        .user_name("reader")
        .policy_name("certs")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:GetServerCertificate","Resource":"arn:aws:iam::{account}:server-certificate/web/*"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let reader = server.iam(&keys);
    let mut read = false;
    for _ in 0..50 {
        match reader
            .get_server_certificate()
            .server_certificate_name("site")
            .send()
            .await
        {
            Ok(_) => {
                read = true;
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    assert!(read, "the policy should allow reading /web/site");
    let err = reader
        .delete_server_certificate()
        .server_certificate_name("site")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = reader
        .upload_server_certificate()
        .server_certificate_name("mine")
        .path("/web/")
        .certificate_body(&cert.cert)
        .private_key(&cert.key)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message()
            .unwrap()
            .contains(&format!("server-certificate/web/mine")),
        "{err:?}"
    );

    // Another account sees none of them, and may use the same name.
    let orgs = server.organizations(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "other", "other@example.com").await;
    let other = server.iam(&dev_root(&member));
    assert!(other
        .list_server_certificates()
        .send()
        .await
        .unwrap()
        .server_certificate_metadata_list()
        .is_empty());
    let err = other
        .get_server_certificate()
        .server_certificate_name("site")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    other
        .upload_server_certificate()
        .server_certificate_name("site")
        .certificate_body(&cert.cert)
        .private_key(&cert.key)
        .send()
        .await
        .unwrap();
}
