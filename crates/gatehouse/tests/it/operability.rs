//! Running Gatehouse in production: metrics, request logs, audit events, configuration
//! layers, TLS, limits and graceful shutdown, against the real binary.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::support::certificates::ca_and_leaf;
use super::support::credentials::{account_of, user_with_key, Keys};
use super::support::requests::{get, xml_code, RawRequest};
use super::support::server::{gatehouse, Server};

/// `name{labels} value` lines of a Prometheus text exposition, keyed by `name{labels}`.
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            Some((key.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the series named `name` whose labels include every `label="value"` given.
fn series(metrics: &BTreeMap<String, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    metrics
        .iter()
        .filter(|(key, _)| {
            key.split('{').next() == Some(name)
                && labels
                    .iter()
                    .all(|(label, value)| key.contains(&format!("{label}=\"{value}\"")))
        })
        .map(|(_, value)| *value)
        .sum()
}

#[tokio::test]
async fn metrics_count_known_calls_on_the_admin_listener() {
    let server = Server::start(&["--admin-listen", "127.0.0.1:0"]);
    let admin = server.admin_endpoint.clone().unwrap();
    let root = server.root_keys();
    let sts = server.sts(&root);
    for _ in 0..3 {
        sts.get_caller_identity().send().await.unwrap();
    }
    let iam = server.iam(&root);
    let bob = user_with_key(&iam, "bob").await;
    let denied = server.iam(&bob).list_users().send().await.unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    let forged = Keys {
        id: bob.id.clone(),
        secret: "not-the-secret-of-this-key-at-all".to_owned(),
    };
    let refused = server
        .sts(&forged)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("SignatureDoesNotMatch"));

    let (status, text) = get(&format!("{admin}/metrics")).await;
    assert_eq!(status, 200, "{text}");
    let metrics = parse_metrics(&text);
    let calls = [("service", "sts"), ("operation", "GetCallerIdentity")];
    assert_eq!(
        series(
            &metrics,
            "gatehouse_requests_total",
            &[calls[0], calls[1], ("status", "200")]
        ),
        3.0,
        "{text}"
    );
    assert_eq!(
        series(
            &metrics,
            "gatehouse_request_duration_seconds_count",
            &[calls[0], calls[1], ("status", "200")]
        ),
        3.0
    );
    assert_eq!(
        series(
            &metrics,
            "gatehouse_requests_total",
            &[
                ("service", "iam"),
                ("operation", "ListUsers"),
                ("status", "403")
            ]
        ),
        1.0
    );
    assert_eq!(
        series(
            &metrics,
            "gatehouse_authorization_decisions_total",
            &[("outcome", "ImplicitDeny"), ("policy_type", "identity")]
        ),
        1.0
    );
    // CreateUser and CreateAccessKey by the root user.
    assert_eq!(
        series(
            &metrics,
            "gatehouse_authorization_decisions_total",
            &[("outcome", "Allow"), ("policy_type", "root")]
        ),
        2.0
    );
    assert_eq!(
        series(
            &metrics,
            "gatehouse_authentication_failures_total",
            &[("reason", "SignatureDoesNotMatch")]
        ),
        1.0
    );
    assert!(
        series(
            &metrics,
            "gatehouse_store_duration_seconds_count",
            &[("operation", "commit")]
        ) >= 2.0
    );
    assert!(
        metrics.contains_key("gatehouse_store_pool_connections"),
        "{text}"
    );

    let (status, body) = get(&format!("{admin}/health/ready")).await;
    assert_eq!((status, body.as_str()), (200, "ready"));
    // The API listener does not expose the admin endpoints once they have their own.
    let (status, body) = get(&server.url("/metrics")).await;
    assert_ne!(status, 200);
    assert!(!body.contains("gatehouse_requests_total"));
}

fn audit_tail(server: &Server, extra: &[&str]) -> Vec<serde_json::Value> {
    let output = server
        .command(&["audit", "tail", "--json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn event<'a>(events: &'a [serde_json::Value], operation: &str) -> &'a serde_json::Value {
    events
        .iter()
        .find(|event| event["eventName"] == operation)
        .unwrap_or_else(|| panic!("no {operation} event in {events:#?}"))
}

#[tokio::test]
async fn audit_events_of_allowed_and_denied_calls() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let carol = user_with_key(&iam, "carol").await;
    let carol_arn = format!("arn:aws:iam::{account}:user/carol");
    let denied = server
        .iam(&carol)
        .create_user()
        .user_name("mallory")
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    iam.get_user().user_name("carol").send().await.unwrap();
    iam.create_user().user_name("dave").send().await.unwrap();

    // The mutation's event committed with it: it survives a SIGKILL right after the
    // acknowledgement, before any batch of read events was due.
    let server = server.restart();
    let events = audit_tail(&server, &[]);
    let created = events
        .iter()
        .find(|e| {
            e["eventName"] == "CreateUser"
                && e["resource"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(":user/dave"))
        })
        .unwrap_or_else(|| panic!("CreateUser dave not recorded: {events:#?}"));
    assert_eq!(created["decision"], "Allow");
    assert_eq!(created["decidedBy"], "root");
    assert_eq!(
        created["principalArn"],
        format!("arn:aws:iam::{account}:root")
    );
    assert_eq!(created["accountId"], account.as_str());
    assert_eq!(created["action"], "iam:CreateUser");
    assert_eq!(created["readOnly"], false);
    assert_eq!(created["status"], 200);
    assert_eq!(created["sourceIPAddress"], "127.0.0.1");
    assert_eq!(created["accessKeyId"], root.id.as_str());

    // Reads and denials are written in batches within about a second.
    let root = server.root_keys();
    let iam = server.iam(&root);
    iam.get_user().user_name("dave").send().await.unwrap();
    let denied = server
        .iam(&carol)
        .delete_user()
        .user_name("dave")
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    // A request refused by authentication is recorded too, with the key it claimed.
    let forged = Keys {
        id: carol.id.clone(),
        secret: "forged-secret-forged-secret-forged-secret".to_owned(),
    };
    let refused = server.iam(&forged).list_users().send().await.unwrap_err();
    assert_eq!(refused.code(), Some("SignatureDoesNotMatch"));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let everything = audit_tail(&server, &[]);
    let unauthenticated = everything
        .iter()
        .find(|e| e["errorCode"] == "SignatureDoesNotMatch")
        .unwrap_or_else(|| panic!("refused request not recorded: {everything:#?}"));
    assert_eq!(unauthenticated["eventName"], "ListUsers");
    assert_eq!(unauthenticated["eventSource"], "iam");
    assert_eq!(unauthenticated["accessKeyId"], carol.id.as_str());
    assert!(unauthenticated["principalArn"].is_null());
    assert!(unauthenticated["decision"].is_null());
    let events = audit_tail(&server, &["--principal", &carol_arn]);
    assert!(events
        .iter()
        .all(|e| e["principalArn"] == carol_arn.as_str()));
    let refused = event(&events, "DeleteUser");
    assert_eq!(refused["decision"], "ImplicitDeny");
    assert_eq!(refused["decidedBy"], "identity");
    assert_eq!(refused["errorCode"], "AccessDenied");
    assert_eq!(refused["status"], 403);
    assert_eq!(refused["action"], "iam:DeleteUser");
    assert_eq!(
        refused["resource"],
        format!("arn:aws:iam::{account}:user/dave")
    );
    let read = audit_tail(&server, &["--account", &account, "--since", "10m"]);
    let get_user = read
        .iter()
        .find(|e| {
            e["eventName"] == "GetUser"
                && e["resource"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(":user/dave"))
        })
        .unwrap_or_else(|| panic!("GetUser not recorded: {read:#?}"));
    assert_eq!(get_user["readOnly"], true);
    assert_eq!(get_user["decision"], "Allow");
    assert!(audit_tail(&server, &["--account", "999999999999"]).is_empty());
    assert!(audit_tail(&server, &["--since", "2999-01-01T00:00:00Z"]).is_empty());
}

fn config_show(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = gatehouse();
    command.args(["config", "show"]).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("GATEHOUSE_") {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn setting<'a>(shown: &'a str, key: &str) -> &'a str {
    shown
        .lines()
        .find(|line| line.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in {shown}"))
}

#[test]
fn config_layers_flags_over_env_over_file_over_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gatehouse.toml");
    let master = "S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2U=";
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:9999\"\nregion = \"eu-west-3\"\nmax-body-bytes = 4096\nrequest-timeout-secs = 7\nmaster-key = \"{master}\"\nallowed-region = [\"eu-west-3\", \"us-east-1\"]\ndatabase = \"postgres://app:hunter2@db/gh\"\n"
        ),
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let output = config_show(
        &["--config", path, "--region", "ap-south-1"],
        &[
            ("GATEHOUSE_MAX_BODY_BYTES", "2048"),
            ("GATEHOUSE_REGION", "sa-east-1"),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let shown = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        setting(&shown, "region"),
        "region = ap-south-1    # flag --region"
    );
    assert_eq!(
        setting(&shown, "max-body-bytes"),
        "max-body-bytes = 2048    # env GATEHOUSE_MAX_BODY_BYTES"
    );
    assert_eq!(
        setting(&shown, "listen"),
        "listen = 127.0.0.1:9999    # config file"
    );
    assert_eq!(
        setting(&shown, "request-timeout-secs"),
        "request-timeout-secs = 7    # config file"
    );
    assert_eq!(
        setting(&shown, "allowed-region"),
        "allowed-region = eu-west-3,us-east-1    # config file"
    );
    assert_eq!(
        setting(&shown, "data-dir"),
        "data-dir = gatehouse-data    # default"
    );
    assert_eq!(
        setting(&shown, "master-key"),
        "master-key = (redacted)    # config file"
    );
    assert!(setting(&shown, "database").contains("postgres://app:(redacted)@db/gh"));
    assert!(
        !shown.contains(master) && !shown.contains("hunter2"),
        "{shown}"
    );

    // Invalid values fail naming the setting; unknown settings are refused.
    for (text, named) in [
        ("max-body-bytes = \"lots\"\n", "max-body-bytes"),
        ("listen = \"nowhere\"\n", "listen"),
        ("request-timeout-secs = 0\n", "request-timeout-secs"),
        ("log-format = \"xml\"\n", "log-format"),
        ("listne = \"127.0.0.1:1\"\n", "listne"),
        ("listen = [\n", "gatehouse.toml"),
    ] {
        std::fs::write(&file, text).unwrap();
        let output = config_show(&["--config", path], &[]);
        assert!(!output.status.success(), "{text} was accepted");
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(error.contains(named), "{text}: {error}");
        assert!(!error.contains("panicked"), "{error}");
    }
    // And `serve` refuses to start on them.
    std::fs::write(&file, "max-body-bytes = -1\n").unwrap();
    let output = gatehouse()
        .args(["serve", "--config", path, "--data-dir"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("max-body-bytes"));
}

#[tokio::test]
async fn tls_with_a_generated_ca_and_reload_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let (first_ca, first) = ca_and_leaf("first", &["127.0.0.1", "localhost"]);
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, &first.cert).unwrap();
    std::fs::write(&key, &first.key).unwrap();
    let server = Server::start(&[
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ]);
    assert!(
        server.endpoint.starts_with("https://"),
        "{}",
        server.endpoint
    );
    let root = server.root_keys();
    let who = server
        .sts_trusting(&root, &first_ca)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(who.arn().unwrap().ends_with(":root"));

    // A client that does not trust the CA is refused by its own TLS check.
    let (other_ca, other) = ca_and_leaf("other", &["127.0.0.1", "localhost"]);
    assert!(server
        .sts_trusting(&root, &other_ca)
        .get_caller_identity()
        .send()
        .await
        .is_err());

    // New certificate on disk + SIGHUP: new connections get it.
    std::fs::write(&cert, &other.cert).unwrap();
    std::fs::write(&key, &other.key).unwrap();
    server.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let fresh = server.sts_trusting(&root, &other_ca);
        if fresh.get_caller_identity().send().await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "certificate not reloaded: {}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(server
        .sts_trusting(&root, &first_ca)
        .get_caller_identity()
        .send()
        .await
        .is_err());

    // A broken file on reload keeps the certificate in force.
    std::fs::write(&key, "not a key").unwrap();
    server.signal("HUP");
    tokio::time::sleep(Duration::from_millis(300)).await;
    server
        .sts_trusting(&root, &other_ca)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(server.log().contains("TLS reload failed"));
}

/// Sends raw bytes on a fresh connection and returns what came back before `wait`.
fn raw_exchange(endpoint: &str, parts: &[(&[u8], Duration)], wait: Duration) -> String {
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    for (bytes, pause) in parts {
        stream.write_all(bytes).unwrap();
        std::thread::sleep(*pause);
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn limits_answer_with_aws_shaped_errors() {
    let server = Server::start(&[
        "--max-header-bytes",
        "2048",
        "--request-timeout-secs",
        "1",
        "--max-concurrent-requests",
        "1",
    ]);
    let endpoint = server.endpoint.clone();
    // Headers over the limit: 413 with an AWS error document.
    let big = format!(
        "POST / HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\ncontent-length: 0\r\n\r\n",
        "a".repeat(3000)
    );
    let answer = tokio::task::spawn_blocking({
        let endpoint = endpoint.clone();
        move || {
            raw_exchange(
                &endpoint,
                &[(big.as_bytes(), Duration::ZERO)],
                Duration::from_secs(3),
            )
        }
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("<Code>RequestHeaderSectionTooLarge</Code>"),
        "{answer}"
    );

    // A body that never arrives: RequestTimeout after the request timeout. While it
    // waits it holds the only request slot, so a second request is throttled.
    let slow = tokio::task::spawn_blocking({
        let endpoint = endpoint.clone();
        move || {
            raw_exchange(
                &endpoint,
                &[(
                    b"POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nAction=",
                    Duration::ZERO,
                )],
                Duration::from_secs(4),
            )
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = RawRequest::query(
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &server.root_keys(),
    )
    .send(&endpoint)
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(xml_code(&body), "Throttling");
    let answer = slow.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<Code>RequestTimeout</Code>"), "{answer}");
    // The slot is free again.
    let (status, body) = RawRequest::query(
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &server.root_keys(),
    )
    .send(&endpoint)
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_write_load_keeps_every_acknowledged_user() {
    let mut server = Server::start(&["--request-log", "false"]);
    let root = server.root_keys();
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let iam = server.iam(&root);
        let acknowledged = acknowledged.clone();
        writers.push(tokio::spawn(async move {
            for n in 0..10_000 {
                let name = format!("load-{writer}-{n}");
                match iam.create_user().user_name(&name).send().await {
                    Ok(_) => {
                        acknowledged.lock().unwrap().insert(name);
                    }
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.signal("TERM");
    let status = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)));
    assert!(status.success(), "exit status {status:?}: {}", server.log());
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "too little load: {}",
        acknowledged.len()
    );

    let server = server.restart();
    let iam = server.iam(&server.root_keys());
    let mut present = BTreeSet::new();
    let mut marker = None;
    loop {
        let page = iam
            .list_users()
            .set_marker(marker.clone())
            .max_items(1000)
            .send()
            .await
            .unwrap();
        present.extend(page.users().iter().map(|u| u.user_name().to_owned()));
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    let lost: Vec<_> = acknowledged.difference(&present).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
}

#[tokio::test]
async fn request_logs_carry_the_decision_and_never_a_secret() {
    let master = "c2VjcmV0LW1hc3Rlci1rZXktZm9yLWxvZy10ZXN0cyE=";
    let mut server = Server::start(&["--log-format", "json", "--master-key", master]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let erin = user_with_key(&iam, "erin").await;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/erin"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("Auditor")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    let session = server
        .sts(&erin)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/Auditor"))
        .role_session_name("s1")
        .send()
        .await
        .unwrap();
    let credentials = session.credentials().unwrap();
    let session_keys = Keys::from(credentials);
    let token = credentials.session_token().to_owned();
    server
        .sts_with_token(&session_keys, &token)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let denied = server
        .iam_with_token(&session_keys, &token)
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));
    let wrong = Keys {
        id: erin.id.clone(),
        // The real secret with its last character changed.
        secret: format!(
            "{}{}",
            &erin.secret[..erin.secret.len() - 1],
            if erin.secret.ends_with('x') { 'y' } else { 'x' }
        ),
    };
    let _ = server.sts(&wrong).get_caller_identity().send().await;

    server.signal("TERM");
    server.wait_exit(Duration::from_secs(30));
    let log = server.log();
    for secret in [
        root.secret.as_str(),
        erin.secret.as_str(),
        session_keys.secret.as_str(),
        token.as_str(),
        master,
        wrong.secret.as_str(),
    ] {
        assert!(!log.contains(secret), "a secret appears in the log:\n{log}");
    }
    // Every line is JSON; each request has one event with its decision.
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let requests: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["target"] == "gatehouse::request")
        .collect();
    let denial = requests
        .iter()
        .find(|e| e["operation"] == "ListUsers")
        .unwrap_or_else(|| panic!("no ListUsers event: {log}"));
    assert_eq!(denial["decision"], "ImplicitDeny");
    assert_eq!(denial["decided_by"], "identity");
    assert_eq!(denial["status"], 403);
    assert_eq!(denial["account"], account.as_str());
    assert_eq!(
        denial["principal"],
        format!("arn:aws:sts::{account}:assumed-role/Auditor/s1")
    );
    assert!(denial["request_id"]
        .as_str()
        .is_some_and(|id| id.len() == 36));
    assert!(denial["latency_us"].as_u64().is_some());
    let caller = requests
        .iter()
        .find(|e| e["operation"] == "GetCallerIdentity" && e["status"] == 200)
        .unwrap();
    assert_eq!(caller["service"], "sts");
    assert_eq!(caller["decision"], "Allow");
    let refused = requests
        .iter()
        .find(|e| e["error"] == "SignatureDoesNotMatch")
        .unwrap_or_else(|| panic!("no refused request: {log}"));
    assert_eq!(refused["status"], 403);
}

/// Over HTTP/2 (cleartext, prior knowledge) a connection advertises
/// `--max-requests-per-connection` as its stream limit and holds to it: with two requests
/// waiting for their bodies, a third on the same connection is not served until one of
/// them ends, while a request on another connection is.
#[tokio::test]
async fn http2_caps_the_requests_in_flight_per_connection() {
    let server = Server::start(&["--max-requests-per-connection", "2"]);
    let address = server.endpoint.trim_start_matches("http://").to_owned();
    let connect = || async {
        let tcp = tokio::net::TcpStream::connect(&address).await.unwrap();
        let (client, connection) = h2::client::handshake(tcp).await.unwrap();
        let connection = tokio::spawn(async move {
            let _ = connection.await;
        });
        (client, connection)
    };
    let get = |path: &str| {
        http::Request::get(format!("http://{address}{path}"))
            .body(())
            .unwrap()
    };
    let (client, _driver) = connect().await;
    let mut client = client.ready().await.unwrap();

    // A signed call works over HTTP/2 like over HTTP/1.1.
    let signed = RawRequest::query(
        "sts",
        "Action=GetCallerIdentity&Version=2011-06-15",
        &server.root_keys(),
    )
    .to_http(&server.endpoint);
    let (parts, body) = signed.into_parts();
    let (response, mut stream) = client
        .send_request(http::Request::from_parts(parts, ()), false)
        .unwrap();
    stream
        .send_data(axum::body::Bytes::from(body), true)
        .unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();
    let mut text = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.unwrap();
        let _ = body.flow_control().release_capacity(chunk.len());
        text.extend_from_slice(&chunk);
    }
    assert!(
        String::from_utf8_lossy(&text).contains("<Arn>arn:aws:iam::"),
        "{}",
        String::from_utf8_lossy(&text)
    );

    // Two requests whose bodies have not arrived hold both streams.
    let mut held = Vec::new();
    for _ in 0..2 {
        let request = http::Request::post(format!("http://{address}/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", "100")
            .body(())
            .unwrap();
        client = client.ready().await.unwrap();
        let (response, mut stream) = client.send_request(request, false).unwrap();
        stream
            .send_data(axum::body::Bytes::from_static(b"Action="), false)
            .unwrap();
        held.push((response, stream));
    }
    client = client.ready().await.unwrap();
    let (third, _) = client.send_request(get("/health/live"), true).unwrap();
    tokio::pin!(third);
    assert!(
        tokio::time::timeout(Duration::from_millis(700), &mut third)
            .await
            .is_err(),
        "a third request was served while two were in flight on the connection"
    );
    // Another connection is not limited by this one.
    let (other, _other_driver) = connect().await;
    let mut other = other.ready().await.unwrap();
    let (response, _) = other.send_request(get("/health/live"), true).unwrap();
    assert_eq!(response.await.unwrap().status(), 200);
    // Ending one held request frees a stream for the third.
    let (first, mut stream) = held.remove(0);
    stream.send_reset(h2::Reason::CANCEL);
    drop(first);
    let response = tokio::time::timeout(Duration::from_secs(5), &mut third)
        .await
        .expect("the third request is served once a stream is free")
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// While another process holds SQLite's write lock past the busy timeout, the audit batch
/// fails; its events are kept and written once the lock is gone: none is lost.
#[tokio::test]
async fn audit_events_outlast_a_locked_database() {
    use aws_sdk_sts::operation::RequestId;

    let server = Server::start(&[]);
    let root = server.root_keys();
    let sts = server.sts(&root);
    sts.get_caller_identity().send().await.unwrap();
    let url = format!(
        "sqlite://{}",
        server.data_dir.join("gatehouse.db").display()
    );
    let mut holder = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let answer = sts.get_caller_identity().send().await.unwrap();
        ids.push(answer.request_id().unwrap().to_owned());
    }
    // A batch fails once a flush has waited out the busy timeout (5 s); other writers on
    // the server's one connection may wait first, so poll rather than guess.
    let failures = async {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, text) = get(&server.url("/metrics")).await;
            let failures = text
                .lines()
                .find_map(|line| line.strip_prefix("gatehouse_audit_write_failures_total "))
                .and_then(|value| value.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            if failures >= 1.0 || Instant::now() > deadline {
                return failures;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    .await;
    assert!(failures >= 1.0, "no audit batch failed while locked");
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();

    // Kept and retried: every event arrives once the lock is gone.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let events = audit_tail(&server, &["-n", "1000"]);
        let recorded: BTreeSet<&str> = events
            .iter()
            .filter_map(|event| event["eventId"].as_str())
            .collect();
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !recorded.contains(id.as_str()))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "events lost: {missing:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
