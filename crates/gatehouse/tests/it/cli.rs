//! The unmodified AWS CLI against the server (`tests/cli/smoke.sh`,
//! `tests/cli/organizations.sh`, `tests/cli/walkthrough.sh`). CI installs the CLI when it
//! is absent; elsewhere the test says loudly that it was skipped.

use super::support::aws_cli;
use super::support::server::Server;

#[test]
fn aws_cli_smoke_script_passes() {
    if !aws_cli::installed("AWS CLI smoke test") {
        return;
    }
    let server = Server::start(&[]);
    let mut script = aws_cli::script(&server, "smoke.sh");
    script.env("AWS_CONFIG_FILE", "/dev/null");
    aws_cli::assert_passes(script, "smoke.sh", "smoke: ok");
}

#[test]
fn aws_cli_organizations_script_passes() {
    if !aws_cli::installed("AWS CLI organizations test") {
        return;
    }
    let server = Server::start(&[
        "--default-account-quota",
        "2",
        "--quota-auto-approve-max",
        "5",
    ]);
    let mut script = aws_cli::script(&server, "organizations.sh");
    script.env("AWS_CONFIG_FILE", "/dev/null");
    aws_cli::assert_passes(script, "organizations.sh", "organizations: ok");
}

#[test]
fn aws_cli_builds_and_checks_the_recommended_account_structure() {
    if !aws_cli::installed("AWS CLI walkthrough test") {
        return;
    }
    let server = Server::start(&["--dev", "--default-account-quota", "4"]);
    let mut script = aws_cli::script(&server, "walkthrough.sh");
    script
        .env("GATEHOUSE_BIN", env!("CARGO_BIN_EXE_gatehouse"))
        .env("GATEHOUSE_DATA_DIR", &server.data_dir)
        .env_remove("GATEHOUSE_DATABASE_URL");
    aws_cli::assert_passes(script, "walkthrough.sh", "walkthrough: ok");
}
