//! The JSON-lines entry points: decisions, errors with pointers, the cache, reports.

use super::*;

/// Runs `line` through both the plain function and a cached evaluator; both must agree.
fn check(evaluator: &mut LineEvaluator, line: &str, expected: &str) {
    let plain = evaluate_line(line);
    let cached = evaluator.evaluate_line(line);
    assert_eq!(plain, cached, "{line}");
    assert!(
        plain.starts_with(expected),
        "{line}\n=> {plain}\nwant prefix {expected}"
    );
}

const BOB: &str = r#""principal":{"arn":"arn:aws:iam::111111111111:user/bob"}"#;

#[test]
fn lines_and_errors() {
    let mut ev = LineEvaluator::new();
    let allow =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
    let line = format!(r#"{{{BOB},"action":"s3:GetObject","policies":{{"identity":[{allow}]}}}}"#);
    check(
        &mut ev,
        &line,
        r#"{"decision":"Allow","policy_type":"identity""#,
    );
    check(&mut ev, &line, r#"{"decision":"Allow""#);
    // The same text at another place or of another kind is compiled again.
    let line2 = format!(
        r#"{{{BOB},"action":"iam:GetUser","policies":{{"identity":[{allow}],"boundary":{allow}}}}}"#
    );
    check(
        &mut ev,
        &line2,
        r#"{"decision":"ImplicitDeny","policy_type":"identity""#,
    );
    // Documents as strings and with ids.
    let quoted = format!("{allow:?}");
    let line3 = format!(
        r#"{{{BOB},"action":"s3:GetObject","policies":{{"identity":[{{"id":"arn:aws:iam::aws:policy/S3","document":{quoted}}}]}}}}"#
    );
    check(&mut ev, &line3, r#"{"decision":"Allow""#);
    assert!(evaluate_line(&line3).contains(r#""policy":"arn:aws:iam::aws:policy/S3""#));

    check(
        &mut ev,
        "{",
        r#"{"error":{"pointer":"","message":"invalid JSON"#,
    );
    check(
        &mut ev,
        r#"{"action":"s3:GetObject"}"#,
        r#"{"error":{"pointer":"","message":"missing `principal`"#,
    );
    check(
        &mut ev,
        &format!(r#"{{{BOB},"action":"s3:x","colour":1}}"#),
        r#"{"error":{"pointer":"/colour""#,
    );
    check(
        &mut ev,
        &format!(r#"{{{BOB},"action":"s3:x","context":{{"k":{{}}}}}}"#),
        r#"{"error":{"pointer":"/context/k""#,
    );
    let bad_policy =
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#;
    check(
        &mut ev,
        &format!(r#"{{{BOB},"action":"s3:x","policies":{{"identity":[{allow},{bad_policy}]}}}}"#),
        r#"{"error":{"pointer":"/policies/identity/1","message":"invalid identity policy `identity/1`: 1:"#,
    );
    check(
        &mut ev,
        &format!(
            r#"{{{BOB},"action":"s3:x","policies":{{"scp":[[{allow}],[{{"id":"p-1","document":{bad_policy}}}]]}}}}"#
        ),
        r#"{"error":{"pointer":"/policies/scp/1/0/document""#,
    );
}

#[test]
fn validate_reports() {
    let report = validate_report(
        "{\n \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Principal\": \"*\"}\n}",
        PolicyKind::Identity,
    );
    assert_eq!(
        report,
        r#"{"valid":false,"kind":"identity","problems":[{"code":"MalformedPolicyDocument","message":"Policy document should not specify a principal.","detail":"identity policies cannot name principals","pointer":"/Statement/Principal","line":2,"column":83}]}"#
    );
    assert_eq!(
        validate_report(
            r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ec2.amazonaws.com"}}}"#,
            PolicyKind::Trust
        ),
        r#"{"valid":true,"kind":"trust","problems":[]}"#
    );
    assert_eq!(validate("[]", PolicyKind::Resource).len(), 1);
}
