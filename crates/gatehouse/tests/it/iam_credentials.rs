//! IAM's other credentials through the AWS SDK: server certificates, SSH public keys,
//! signing certificates and service-specific credentials. Certificates and keys are made
//! at test time with rcgen (EC P-256, and RSA from the test-only key in tests/data).

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::Tag;
use rcgen::{CertificateParams, KeyPair};

use super::support::certificates::{ca_and_leaf, self_signed, Issued};
use super::support::credentials::{account_of, dev_root, user_with_key};
use super::support::organizations::create_member;
use super::support::requests::RawRequest;
use super::support::server::Server;

/// A test-only RSA key (PKCS #8).
const RSA_KEY: &str = include_str!("../data/rsa-test-key.pem");

fn ec(name: &str) -> Issued {
    self_signed(name, KeyPair::generate().unwrap())
}

#[tokio::test]
async fn server_certificate_lifecycle() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let (ca, leaf) = ca_and_leaf("www.example.com", &["www.example.com"]);

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
        got.server_certificate_metadata()
            .unwrap()
            .server_certificate_name(),
        "Web"
    );
    // The private key never comes back, in any field.
    let (status, body) = RawRequest::query(
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

    let err = upload(
        "bad",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        &good.key,
    )
    .send()
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("MalformedCertificate"));
    assert_eq!(
        err.message(),
        Some("Unable to parse certificate. Please ensure the certificate is in PEM format.")
    );
    let err = upload("bad", &good.cert, "not a key")
        .send()
        .await
        .unwrap_err();
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
    let rsa = self_signed("rsa.example.com", KeyPair::from_pem(RSA_KEY).unwrap());
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
    let (ca, leaf) = ca_and_leaf("chained.example.com", &["chained.example.com"]);
    let (other_ca, _) = ca_and_leaf("elsewhere.example.com", &["elsewhere.example.com"]);
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
            .contains("server-certificate/web/mine"),
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

const SSH_2048: &str = include_str!("../data/ssh-rsa-2048.pub");
const SSH_2048_PEM: &str = include_str!("../data/ssh-rsa-2048.pem");
const SSH_3072: &str = include_str!("../data/ssh-rsa-3072.pub");
const SSH_1024: &str = include_str!("../data/ssh-rsa-1024.pub");
const SSH_ED25519: &str = include_str!("../data/ssh-ed25519.pub");
/// `ssh-keygen -l -E md5` of the two RSA keys.
const FINGERPRINT_2048: &str = "7d:56:4d:42:10:81:fd:00:25:b6:45:6c:ac:c9:1a:f3";
const FINGERPRINT_3072: &str = "6a:d1:65:35:77:10:43:f4:05:a2:50:d7:d8:b7:fb:41";

/// The key part of an OpenSSH line (its type and base64, no comment).
fn ssh_key_part(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn ssh_public_key_lifecycle() {
    use aws_sdk_iam::types::{EncodingType, StatusType};
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    iam.create_user().user_name("Dev").send().await.unwrap();

    let uploaded = iam
        .upload_ssh_public_key()
        .user_name("dev")
        .ssh_public_key_body(SSH_2048)
        .send()
        .await
        .unwrap();
    let key = uploaded.ssh_public_key().unwrap();
    let id = key.ssh_public_key_id().to_owned();
    assert!(id.starts_with("APKA") && id.len() == 20, "{id}");
    assert_eq!(key.user_name(), "Dev");
    assert_eq!(key.fingerprint(), FINGERPRINT_2048);
    assert_eq!(key.status(), &StatusType::Active);
    assert_eq!(key.ssh_public_key_body(), ssh_key_part(SSH_2048));

    // The same key again (even as PEM) is a duplicate; PEM keys are taken.
    let err = iam
        .upload_ssh_public_key()
        .user_name("Dev")
        .ssh_public_key_body(SSH_2048_PEM)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DuplicateSSHPublicKey"));
    let second = iam
        .upload_ssh_public_key()
        .user_name("Dev")
        .ssh_public_key_body(SSH_3072)
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.ssh_public_key().unwrap().fingerprint(),
        FINGERPRINT_3072
    );

    for (body, code) in [
        (SSH_1024, "InvalidPublicKey"),
        (SSH_ED25519, "UnrecognizedPublicKeyEncoding"),
        ("not a key at all", "UnrecognizedPublicKeyEncoding"),
        ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB", "InvalidPublicKey"),
    ] {
        let err = iam
            .upload_ssh_public_key()
            .user_name("Dev")
            .ssh_public_key_body(body)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code), "{body}");
    }
    let err = iam
        .upload_ssh_public_key()
        .user_name("nobody")
        .ssh_public_key_body(SSH_2048)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // Both encodings.
    let ssh = iam
        .get_ssh_public_key()
        .user_name("Dev")
        .ssh_public_key_id(&id)
        .encoding(EncodingType::Ssh)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ssh.ssh_public_key().unwrap().ssh_public_key_body(),
        ssh_key_part(SSH_2048)
    );
    let pem = iam
        .get_ssh_public_key()
        .user_name("Dev")
        .ssh_public_key_id(&id)
        .encoding(EncodingType::Pem)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pem.ssh_public_key().unwrap().ssh_public_key_body(),
        SSH_2048_PEM
    );
    let err = iam
        .get_ssh_public_key()
        .user_name("Dev")
        .ssh_public_key_id("APKAAAAAAAAAAAAAAAAA")
        .encoding(EncodingType::Ssh)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // Status, list, pages.
    iam.update_ssh_public_key()
        .user_name("Dev")
        .ssh_public_key_id(&id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_ssh_public_keys()
        .user_name("Dev")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.ssh_public_keys().len(), 2);
    let inactive = listed
        .ssh_public_keys()
        .iter()
        .find(|key| key.ssh_public_key_id() == id)
        .unwrap();
    assert_eq!(inactive.status(), &StatusType::Inactive);
    let page = iam
        .list_ssh_public_keys()
        .user_name("Dev")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(page.is_truncated());
    let rest = iam
        .list_ssh_public_keys()
        .user_name("Dev")
        .max_items(1)
        .marker(page.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert!(!rest.is_truncated());
    assert_ne!(
        page.ssh_public_keys()[0].ssh_public_key_id(),
        rest.ssh_public_keys()[0].ssh_public_key_id()
    );

    // The user cannot be deleted while it holds keys; a renamed user keeps them.
    let err = iam.delete_user().user_name("Dev").send().await.unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    iam.update_user()
        .user_name("Dev")
        .new_user_name("Ops")
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_ssh_public_keys()
        .user_name("Ops")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.ssh_public_keys().len(), 2);
    assert_eq!(listed.ssh_public_keys()[0].user_name(), "Ops");
    for key in listed.ssh_public_keys() {
        iam.delete_ssh_public_key()
            .user_name("Ops")
            .ssh_public_key_id(key.ssh_public_key_id())
            .send()
            .await
            .unwrap();
    }
    let err = iam
        .delete_ssh_public_key()
        .user_name("Ops")
        .ssh_public_key_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.delete_user().user_name("Ops").send().await.unwrap();
}

#[tokio::test]
async fn ssh_public_keys_are_limited_authorized_and_isolated() {
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    // Five keys per user.
    iam.create_user().user_name("many").send().await.unwrap();
    let keys: Vec<&str> = [SSH_2048, SSH_3072]
        .into_iter()
        .chain(include_str!("../data/ssh-rsa-more.pub").lines())
        .collect();
    assert_eq!(keys.len(), 6);
    for key in &keys[..5] {
        iam.upload_ssh_public_key()
            .user_name("many")
            .ssh_public_key_body(*key)
            .send()
            .await
            .unwrap();
    }
    let err = iam
        .upload_ssh_public_key()
        .user_name("many")
        .ssh_public_key_body(keys[5])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));

    // A user may manage its own keys when its policy says so, and no one else's.
    let keys = user_with_key(&iam, "self").await;
    iam.put_user_policy()
        .user_name("self")
        .policy_name("own-ssh")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:UploadSSHPublicKey","iam:ListSSHPublicKeys"],"Resource":"arn:aws:iam::{account}:user/${{aws:username}}"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let me = server.iam(&keys);
    let mut uploaded = false;
    for _ in 0..50 {
        if me
            .upload_ssh_public_key()
            .user_name("self")
            .ssh_public_key_body(SSH_2048)
            .send()
            .await
            .is_ok()
        {
            uploaded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(uploaded);
    // No UserName: the caller's own keys.
    let mine = me.list_ssh_public_keys().send().await.unwrap();
    assert_eq!(mine.ssh_public_keys().len(), 1);
    let err = me
        .upload_ssh_public_key()
        .user_name("many")
        .ssh_public_key_body(SSH_2048)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err.message().unwrap().contains("iam:UploadSSHPublicKey"));

    // Another account sees neither the user nor its keys.
    let orgs = server.organizations(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "other", "other@example.com").await;
    let other = server.iam(&dev_root(&member));
    let err = other
        .list_ssh_public_keys()
        .user_name("self")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    other.create_user().user_name("self").send().await.unwrap();
    let theirs = other
        .list_ssh_public_keys()
        .user_name("self")
        .send()
        .await
        .unwrap();
    assert!(theirs.ssh_public_keys().is_empty());
    // The same key may belong to a user of another account.
    other
        .upload_ssh_public_key()
        .user_name("self")
        .ssh_public_key_body(SSH_2048)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn signing_certificate_lifecycle() {
    use aws_sdk_iam::types::StatusType;
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    iam.create_user().user_name("signer").send().await.unwrap();
    let first = ec("signer-one");
    let second = ec("signer-two");

    let uploaded = iam
        .upload_signing_certificate()
        .user_name("signer")
        .certificate_body(&first.cert)
        .send()
        .await
        .unwrap();
    let certificate = uploaded.certificate().unwrap();
    let id = certificate.certificate_id().to_owned();
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(certificate.user_name(), "signer");
    assert_eq!(certificate.status(), &StatusType::Active);
    assert_eq!(certificate.certificate_body(), first.cert);

    // The same certificate is refused for anyone in the account, the root user included.
    for user in [Some("signer"), None] {
        let err = iam
            .upload_signing_certificate()
            .set_user_name(user.map(str::to_owned))
            .certificate_body(&first.cert)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("DuplicateCertificate"));
    }
    let err = iam
        .upload_signing_certificate()
        .user_name("signer")
        .certificate_body("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedCertificate"));
    let mut params = CertificateParams::new(vec!["old".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2000, 1, 1);
    params.not_after = rcgen::date_time_ymd(2001, 1, 1);
    let expired = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
    let err = iam
        .upload_signing_certificate()
        .user_name("signer")
        .certificate_body(expired.pem())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidCertificate"));

    // Two per user.
    iam.upload_signing_certificate()
        .user_name("signer")
        .certificate_body(&second.cert)
        .send()
        .await
        .unwrap();
    let err = iam
        .upload_signing_certificate()
        .user_name("signer")
        .certificate_body(ec("signer-three").cert)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));

    iam.update_signing_certificate()
        .user_name("signer")
        .certificate_id(&id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_signing_certificates()
        .user_name("signer")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.certificates().len(), 2);
    let inactive = listed
        .certificates()
        .iter()
        .find(|c| c.certificate_id() == id)
        .unwrap();
    assert_eq!(inactive.status(), &StatusType::Inactive);

    // The credential report shows them: cert_1 inactive, cert_2 active.
    iam.generate_credential_report().send().await.unwrap();
    let report = iam.get_credential_report().send().await.unwrap();
    let text = String::from_utf8(report.content().unwrap().as_ref().to_vec()).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = text
        .lines()
        .find(|line| line.starts_with("signer,"))
        .unwrap()
        .split(',')
        .collect();
    let column = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    let mut actives = [column("cert_1_active"), column("cert_2_active")];
    actives.sort_unstable();
    assert_eq!(actives, ["false", "true"]);
    assert!(column("cert_1_last_rotated").ends_with("+00:00"));
    assert!(column("cert_2_last_rotated").ends_with("+00:00"));

    // Deleting the user waits for its certificates.
    let err = iam
        .delete_user()
        .user_name("signer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    for certificate in listed.certificates() {
        iam.delete_signing_certificate()
            .user_name("signer")
            .certificate_id(certificate.certificate_id())
            .send()
            .await
            .unwrap();
    }
    let err = iam
        .delete_signing_certificate()
        .user_name("signer")
        .certificate_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.delete_user().user_name("signer").send().await.unwrap();

    // Without UserName the root user works on its own certificates.
    let root_cert = iam
        .upload_signing_certificate()
        .certificate_body(&first.cert)
        .send()
        .await
        .unwrap();
    let listed = iam.list_signing_certificates().send().await.unwrap();
    assert_eq!(listed.certificates().len(), 1);
    assert_eq!(
        listed.certificates()[0].certificate_id(),
        root_cert.certificate().unwrap().certificate_id()
    );
    let summary = iam.get_account_summary().send().await.unwrap();
    use aws_sdk_iam::types::SummaryKeyType as K;
    let map = summary.summary_map().unwrap();
    assert_eq!(map.get(&K::AccountSigningCertificatesPresent), Some(&1));
    assert_eq!(map.get(&K::SigningCertificatesPerUserQuota), Some(&2));
}

#[tokio::test]
async fn signing_certificates_are_the_callers_own_and_isolated() {
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let keys = user_with_key(&iam, "self").await;
    iam.create_user().user_name("other").send().await.unwrap();
    iam.put_user_policy()
        .user_name("self")
        .policy_name("own-certs")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:UploadSigningCertificate","iam:ListSigningCertificates"],"Resource":"arn:aws:iam::{account}:user/${{aws:username}}"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let me = server.iam(&keys);
    let cert = ec("self-signed");
    let mut uploaded = None;
    for _ in 0..50 {
        // No UserName: the calling user's certificate.
        if let Ok(out) = me
            .upload_signing_certificate()
            .certificate_body(&cert.cert)
            .send()
            .await
        {
            uploaded = Some(out);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(uploaded.unwrap().certificate().unwrap().user_name(), "self");
    let err = me
        .upload_signing_certificate()
        .user_name("other")
        .certificate_body(ec("for-other").cert)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let listed = iam
        .list_signing_certificates()
        .user_name("self")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.certificates().len(), 1);

    // Another account: none visible, and the same certificate is not a duplicate there.
    let orgs = server.organizations(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "other", "other@example.com").await;
    let other = server.iam(&dev_root(&member));
    assert!(other
        .list_signing_certificates()
        .send()
        .await
        .unwrap()
        .certificates()
        .is_empty());
    other
        .upload_signing_certificate()
        .certificate_body(&cert.cert)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn service_specific_credential_lifecycle() {
    use aws_sdk_iam::types::StatusType;
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    iam.create_user().user_name("jane").send().await.unwrap();

    let created = iam
        .create_service_specific_credential()
        .user_name("jane")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    let credential = created.service_specific_credential().unwrap();
    let id = credential.service_specific_credential_id().to_owned();
    assert!(id.starts_with("ACCA") && id.len() == 21, "{id}");
    // This SDK's model has the user name and password required (`&str`).
    assert_eq!(credential.service_user_name(), format!("jane-at-{account}"));
    let password = credential.service_password().to_owned();
    assert_eq!(password.len(), 44);
    assert_eq!(credential.status(), &StatusType::Active);
    assert!(credential.service_credential_secret().is_none());

    let second = iam
        .create_service_specific_credential()
        .user_name("jane")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        second
            .service_specific_credential()
            .unwrap()
            .service_user_name(),
        format!("jane+1-at-{account}")
    );
    let err = iam
        .create_service_specific_credential()
        .user_name("jane")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
    // Another service has its own two.
    iam.create_service_specific_credential()
        .user_name("jane")
        .service_name("cassandra.amazonaws.com")
        .send()
        .await
        .unwrap();
    let err = iam
        .create_service_specific_credential()
        .user_name("jane")
        .service_name("s3.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NotSupportedService"));
    let err = iam
        .create_service_specific_credential()
        .user_name("jane")
        .service_name("codecommit.amazonaws.com")
        .credential_age_days(30)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    let err = iam
        .create_service_specific_credential()
        .user_name("nobody")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // A Bedrock API key: an alias and a secret, with an expiry when asked.
    let key = iam
        .create_service_specific_credential()
        .user_name("jane")
        .service_name("bedrock.amazonaws.com")
        .credential_age_days(30)
        .send()
        .await
        .unwrap();
    let key = key.service_specific_credential().unwrap();
    let alias = key.service_credential_alias().unwrap();
    assert!(alias.starts_with("BedrockAPIKey-") && alias.ends_with(&format!("-at-{account}")));
    assert!(key.service_credential_secret().unwrap().starts_with("ABSK"));
    assert!(key.service_password().is_empty());
    let lifetime = key.expiration_date().unwrap().secs() - key.create_date().secs();
    assert!(
        (30 * 86_400 - 5..=30 * 86_400 + 5).contains(&lifetime),
        "{lifetime}"
    );

    // Lists never show secrets; filters by service; all users at once.
    let listed = iam
        .list_service_specific_credentials()
        .user_name("jane")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.service_specific_credentials().len(), 4);
    let only = iam
        .list_service_specific_credentials()
        .user_name("jane")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(only.service_specific_credentials().len(), 2);
    let (status, body) = RawRequest::query(
        "iam",
        "Action=ListServiceSpecificCredentials&Version=2010-05-08&UserName=jane",
        &root,
    )
    .send(&server.endpoint)
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        !body.contains(&password) && !body.contains("ServicePassword"),
        "{body}"
    );
    iam.create_user().user_name("joe").send().await.unwrap();
    iam.create_service_specific_credential()
        .user_name("joe")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    let everyone = iam
        .list_service_specific_credentials()
        .all_users(true)
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    let mut owners: Vec<_> = everyone
        .service_specific_credentials()
        .iter()
        .map(|c| c.user_name().to_owned())
        .collect();
    owners.sort();
    assert_eq!(owners, ["jane", "jane", "joe"]);
    let err = iam
        .list_service_specific_credentials()
        .all_users(true)
        .user_name("jane")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));

    // Reset gives a new password; update changes the status.
    let reset = iam
        .reset_service_specific_credential()
        .user_name("jane")
        .service_specific_credential_id(&id)
        .send()
        .await
        .unwrap();
    let new_password = reset
        .service_specific_credential()
        .unwrap()
        .service_password();
    assert_eq!(new_password.len(), 44);
    assert_ne!(new_password, password);
    iam.update_service_specific_credential()
        .user_name("jane")
        .service_specific_credential_id(&id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_service_specific_credentials()
        .user_name("jane")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap();
    let updated = listed
        .service_specific_credentials()
        .iter()
        .find(|c| c.service_specific_credential_id() == id)
        .unwrap();
    assert_eq!(updated.status(), &StatusType::Inactive);

    // Deleting the user waits for its credentials.
    let err = iam.delete_user().user_name("joe").send().await.unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    let joes = iam
        .list_service_specific_credentials()
        .user_name("joe")
        .send()
        .await
        .unwrap();
    iam.delete_service_specific_credential()
        .user_name("joe")
        .service_specific_credential_id(
            joes.service_specific_credentials()[0].service_specific_credential_id(),
        )
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("joe").send().await.unwrap();
    let err = iam
        .delete_service_specific_credential()
        .user_name("jane")
        .service_specific_credential_id("ACCAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // The password is not in the database files, only its hash.
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("gatehouse.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(new_password.len())
                .any(|w| w == new_password.as_bytes()),
            "password found in clear in {name}"
        );
    }
}

#[tokio::test]
async fn service_specific_credentials_are_authorized_and_isolated() {
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let keys = user_with_key(&iam, "dev").await;
    iam.create_user().user_name("boss").send().await.unwrap();
    iam.put_user_policy()
        .user_name("dev")
        .policy_name("own-git")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:CreateServiceSpecificCredential","iam:ListServiceSpecificCredentials"],"Resource":"arn:aws:iam::{account}:user/${{aws:username}}"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let me = server.iam(&keys);
    let mut created = false;
    for _ in 0..50 {
        if me
            .create_service_specific_credential()
            .user_name("dev")
            .service_name("codecommit.amazonaws.com")
            .send()
            .await
            .is_ok()
        {
            created = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(created);
    let mine = me.list_service_specific_credentials().send().await.unwrap();
    assert_eq!(mine.service_specific_credentials().len(), 1);
    let err = me
        .create_service_specific_credential()
        .user_name("boss")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    // Every user's credentials is an account-wide (`*`) request.
    let err = me
        .list_service_specific_credentials()
        .all_users(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    let orgs = server.organizations(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "other", "other@example.com").await;
    let other = server.iam(&dev_root(&member));
    let everyone = other
        .list_service_specific_credentials()
        .all_users(true)
        .send()
        .await
        .unwrap();
    assert!(everyone.service_specific_credentials().is_empty());
    let err = other
        .list_service_specific_credentials()
        .user_name("dev")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}
