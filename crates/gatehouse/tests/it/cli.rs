//! The unmodified AWS CLI against the server (`tests/cli/smoke.sh`,
//! `tests/cli/organizations.sh`). CI installs the CLI when it is absent; elsewhere the
//! test says loudly that it was skipped.

use std::process::Command;

use super::support::server::Server;

#[test]
fn aws_cli_smoke_script_passes() {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("SKIPPED: AWS CLI smoke test (the `aws` command is not installed)");
        return;
    }
    let server = Server::start(&[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/smoke.sh");
    let output = Command::new("bash")
        .arg(script)
        .env("GATEHOUSE_ENDPOINT", &server.endpoint)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            server.data_dir.join("root-credentials"),
        )
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "smoke.sh failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("smoke: ok"), "{stdout}");
}

#[test]
fn aws_cli_organizations_script_passes() {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("SKIPPED: AWS CLI organizations test (the `aws` command is not installed)");
        return;
    }
    let server = Server::start(&[
        "--default-account-quota",
        "2",
        "--quota-auto-approve-max",
        "5",
    ]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/organizations.sh");
    let output = Command::new("bash")
        .arg(script)
        .env("GATEHOUSE_ENDPOINT", &server.endpoint)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            server.data_dir.join("root-credentials"),
        )
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "organizations.sh failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("organizations: ok"), "{stdout}");
}

#[test]
fn aws_cli_builds_and_checks_the_recommended_account_structure() {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("SKIPPED: AWS CLI walkthrough test (the `aws` command is not installed)");
        return;
    }
    let server = Server::start(&["--dev", "--default-account-quota", "4"]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/walkthrough.sh");
    let output = Command::new("bash")
        .arg(script)
        .env("GATEHOUSE_ENDPOINT", &server.endpoint)
        .env("GATEHOUSE_BIN", env!("CARGO_BIN_EXE_gatehouse"))
        .env("GATEHOUSE_DATA_DIR", &server.data_dir)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            server.data_dir.join("root-credentials"),
        )
        .env_remove("GATEHOUSE_DATABASE_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "walkthrough.sh failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("walkthrough: ok"), "{stdout}");
}
