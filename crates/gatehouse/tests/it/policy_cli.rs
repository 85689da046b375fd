//! `gatehouse policy evaluate` and `gatehouse policy validate` as a user runs them.

use std::io::Write;
use std::process::Stdio;

use super::support::server::gatehouse;

#[test]
fn evaluate_reads_json_lines_and_answers_one_line_each() {
    let lines = [
        r#"{"principal":{"arn":"arn:aws:iam::123456789012:user/bob"},"action":"iam:CreateUser","resource":"arn:aws:iam::123456789012:user/x","policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}],"scp":[[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}]]}}"#,
        r#"{"principal":{"arn":"arn:aws:iam::123456789012:user/bob"},"action":"iam:ListUsers","policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}]}}"#,
        "not json",
    ];
    let mut child = gatehouse()
        .args(["policy", "evaluate"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.join("\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let answers: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 3, "{text}");
    assert!(text.lines().next().unwrap().contains("NoUsers"), "{text}");
    assert!(
        answers[0].to_string().to_lowercase().contains("deny"),
        "{text}"
    );
    assert!(
        answers[1].to_string().to_lowercase().contains("allow"),
        "{text}"
    );
    assert!(answers[2].get("error").is_some(), "{text}");
}

#[test]
fn validate_reports_problems_and_sets_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:*","Resource":"*"}]}"#).unwrap();

    let output = gatehouse()
        .args(["policy", "validate"])
        .arg(&good)
        .args(["--kind", "identity"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], true);

    let output = gatehouse()
        .args(["policy", "validate"])
        .arg(&bad)
        .args(["--kind", "identity"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("principal"),
        "{report}"
    );

    // The same document is fine as a resource policy.
    let output = gatehouse()
        .args(["policy", "validate"])
        .arg(&bad)
        .args(["--kind", "resource"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    let output = gatehouse()
        .args(["policy", "validate"])
        .arg(&bad)
        .args(["--kind", "nonsense"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown policy kind"));
}
