//! The unmodified AWS CLI: whether it is installed (tests that need it say loudly that
//! they were skipped when it is not), and the scripts under `tests/cli` run against a
//! server with its root credentials file and nothing from the caller's AWS environment.

use std::process::Command;

use super::server::Server;

/// Whether the `aws` command runs; if not, prints that `what` was skipped.
pub fn installed(what: &str) -> bool {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("SKIPPED: {what} (the `aws` command is not installed)");
        return false;
    }
    true
}

/// `bash tests/cli/{name}` for `server`: its endpoint in `GATEHOUSE_ENDPOINT`, its root
/// key as the shared credentials file, no AWS profile or key from the environment.
pub fn script(server: &Server, name: &str) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(format!("{}/tests/cli/{name}", env!("CARGO_MANIFEST_DIR")))
        .env("GATEHOUSE_ENDPOINT", &server.endpoint)
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            server.data_dir.join("root-credentials"),
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
    command
}

/// Runs the script `name` and asserts that it succeeded and printed `ok_line`.
pub fn assert_passes(mut script: Command, name: &str, ok_line: &str) {
    let output = script.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{name} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains(ok_line), "{stdout}");
}
