//! Secrets never leave through the side doors (issue 16): with every log target at
//! `trace` and the audit log on, the operations that mint secrets run, their secrets are
//! used, and then every log line, every audit event and the metrics page are searched for
//! each secret, password, session token and MFA seed they produced.

use std::time::Duration;

use base64::Engine;

use super::support::credentials::{account_of, user_with_key, Keys};
use super::support::requests::get;
use super::support::server::Server;

#[tokio::test]
async fn secrets_never_reach_logs_audit_events_or_metrics() {
    let master = "bm8tc2VjcmV0LWluLWFueS1sb2ctb3ItYXVkaXQhISE=";
    let server = Server::start_logging("trace", &["--master-key", master]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let mut secrets: Vec<(&str, String)> = vec![
        ("root secret key", root.secret.clone()),
        ("master key", master.to_owned()),
    ];

    // CreateAccessKey.
    let dana = user_with_key(&iam, "dana").await;
    secrets.push(("access key secret", dana.secret.clone()));
    iam.attach_user_policy()
        .user_name("dana")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();

    // CreateLoginProfile and ChangePassword.
    let password = "Correct-Horse-Battery-Staple-42!";
    iam.create_login_profile()
        .user_name("dana")
        .password(password)
        .send()
        .await
        .unwrap();
    secrets.push(("console password", password.to_owned()));

    // CreateVirtualMFADevice: the seed, as text and as the QR code's PNG.
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("dana-phone")
        .send()
        .await
        .unwrap();
    let device = device.virtual_mfa_device().unwrap();
    let seed = String::from_utf8(device.base32_string_seed().unwrap().as_ref().to_vec()).unwrap();
    assert!(seed.len() >= 16, "{seed}");
    secrets.push(("MFA seed", seed.clone()));
    secrets.push((
        "MFA seed (base64)",
        base64::engine::general_purpose::STANDARD.encode(&seed),
    ));
    let png = device.qr_code_png().unwrap().as_ref();
    secrets.push((
        "MFA QR code (base64)",
        base64::engine::general_purpose::STANDARD.encode(png),
    ));

    // AssumeRole and GetSessionToken, then requests signed with their sessions.
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/dana"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("Reader")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("dana")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let assumed = server
        .sts(&dana)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/Reader"))
        .role_session_name("reader")
        .send()
        .await
        .unwrap();
    let role_credentials = assumed.credentials().unwrap().clone();
    let user_session = server.sts(&dana).get_session_token().send().await.unwrap();
    let session_credentials = user_session.credentials().unwrap().clone();
    for credentials in [&role_credentials, &session_credentials] {
        secrets.push((
            "session secret key",
            credentials.secret_access_key().to_owned(),
        ));
        secrets.push(("session token", credentials.session_token().to_owned()));
        let keys = Keys::from(credentials);
        server
            .sts_with_token(&keys, credentials.session_token())
            .get_caller_identity()
            .send()
            .await
            .unwrap();
        // Denied or allowed, the request is logged and audited.
        let _ = server
            .iam_with_token(&keys, credentials.session_token())
            .list_users()
            .send()
            .await;
    }
    // A request signed with a wrong secret (the real one, one character changed).
    let wrong = Keys {
        id: dana.id.clone(),
        secret: format!("{}A", &dana.secret[..dana.secret.len() - 1]),
    };
    let _ = server.sts(&wrong).get_caller_identity().send().await;

    let (status, metrics) = get(&server.url("/metrics")).await;
    assert_eq!(status, 200);
    // Audit events reach the store in batches at most a second late.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let audit = server
        .command(&["audit", "tail", "--json", "--limit", "1000"])
        .output()
        .unwrap();
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let audit = String::from_utf8(audit.stdout).unwrap();
    assert!(audit.contains("CreateLoginProfile"), "{audit}");
    assert!(audit.contains("AssumeRole"), "{audit}");
    let log = server.stop();
    // Trace level was on: the log is not just the request lines.
    assert!(log.lines().count() > 50, "{log}");

    let mut found = Vec::new();
    for (what, secret) in &secrets {
        for (place, text) in [("log", &log), ("audit", &audit), ("metrics", &metrics)] {
            if text.contains(secret.as_str()) {
                found.push(format!("the {what} appears in the {place}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
