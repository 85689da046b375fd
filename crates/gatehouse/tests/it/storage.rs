//! Durable, private state: restarts (even `kill -9`) keep everything acknowledged,
//! secrets never appear in the database in clear, files are private, and the same
//! server runs on PostgreSQL.

use super::support::credentials::user_with_key;
use super::support::server::Server;

#[tokio::test]
async fn state_survives_kill_and_secrets_are_sealed() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let user = user_with_key(&iam, "durable").await;

    // SIGKILL right after the acknowledgement, then start again.
    let server = server.restart();
    assert_eq!(
        server.root_keys().id,
        root.id,
        "first-start bootstrap must not run twice"
    );
    let who = server
        .sts(&user)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(who.arn().unwrap().ends_with(":user/durable"));

    // Neither secret is stored in clear anywhere in the data dir's database files.
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("gatehouse.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for secret in [&user.secret, &root.secret] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "secret found in clear in {name}"
            );
        }
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["master.key", "root-credentials"] {
            let mode = std::fs::metadata(server.data_dir.join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{file} must be private");
        }
    }

    // Nor in anything the server logged.
    let log = server.stop();
    assert!(log.contains("gatehouse listening"), "{log}");
    for secret in [&user.secret, &root.secret] {
        assert!(!log.contains(secret.as_str()), "secret in the server log");
    }
}

#[tokio::test]
async fn the_server_runs_on_postgres() {
    let Ok(base) = std::env::var("GATEHOUSE_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: PostgreSQL server test (set GATEHOUSE_TEST_POSTGRES_URL to run it)");
        return;
    };
    let name = format!("gatehouse_it_{}", std::process::id());
    let admin = std::process::Command::new("psql")
        .arg(&base)
        .arg("-c")
        .arg(format!("DROP DATABASE IF EXISTS {name}; "))
        .status();
    let _ = admin;
    let status = std::process::Command::new("psql")
        .arg(&base)
        .arg("-c")
        .arg(format!("CREATE DATABASE {name}"))
        .status()
        .unwrap();
    assert!(status.success());
    let (prefix, _) = base.rsplit_once('/').unwrap();
    let url = format!("{prefix}/{name}");
    let server = Server::start(&["--database", &url]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    iam.create_user().user_name("pg-user").send().await.unwrap();
    let server = server.restart();
    let iam = server.iam(&root);
    let user = iam.get_user().user_name("PG-USER").send().await.unwrap();
    assert_eq!(user.user().unwrap().user_name(), "pg-user");
    // The database holds the sealed secret only.
    let dump = std::process::Command::new("psql")
        .arg(&url)
        .arg("-At")
        .arg("-c")
        .arg("SELECT encode(secret_sealed, 'escape') FROM access_keys")
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(!dump.is_empty());
    assert!(!dump.contains(&root.secret));
}
