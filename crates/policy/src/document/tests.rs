//! Parsing and validation tables: accepted shapes, IAM messages with their locations,
//! size limits, duplicate keys and faithful printing.

use super::*;
use crate::error::ErrorCode;

/// Parses `text` as `kind`: `Ok(())` or the first problem's IAM message and pointer.
fn check(text: &str, kind: PolicyKind, expected: Result<(), (&str, &str)>) {
    let got = PolicyDocument::parse(text, kind);
    match (&got, expected) {
        (Ok(_), Ok(())) => {}
        (Err(e), Err((message, pointer))) => {
            let first = &e.0[0];
            assert_eq!(
                (first.message.as_str(), first.pointer.as_str()),
                (message, pointer),
                "{text}: {e}"
            );
        }
        _ => panic!("{text}: got {got:?}, want {expected:?}"),
    }
}

const ID: PolicyKind = PolicyKind::Identity;

#[test]
fn accepts_iam_shapes() {
    check(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        ID,
        Ok(()),
    );
    check(
        r#"{"Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/*"}]}"#,
        ID,
        Ok(()),
    );
    check(
        r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",1,true]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}"#,
        ID,
        Ok(()),
    );
    check(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:role/R"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#,
        PolicyKind::Trust,
        Ok(()),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#,
        PolicyKind::Resource,
        Ok(()),
    );
    check(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        PolicyKind::ServiceControl,
        Ok(()),
    );
    check(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}}}"#,
        PolicyKind::ResourceControl,
        Ok(()),
    );
}

#[test]
fn rejects_with_iam_messages() {
    check("{", ID, Err(("Syntax errors in policy.", "")));
    check(
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
        ID,
        Err((
            "Policy document should not specify a principal.",
            "/Statement/Principal",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}}"#,
        PolicyKind::Trust,
        Err(("Has prohibited field Resource", "/Statement/Resource")),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}"#,
        PolicyKind::Trust,
        Err(("Missing required field Principal", "/Statement")),
    );
    check(
        r#"{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
        ID,
        Err((
            "Statement IDs (SID) in a single policy must be unique.",
            "/Statement/1/Sid",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}}"#,
        ID,
        Err((
            "Syntax errors in policy.",
            "/Statement/Condition/StringEqualz",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*"}}"#,
        ID,
        Err(("Policy statement must contain resources.", "/Statement")),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#,
        ID,
        Err(("Policy statement must contain actions.", "/Statement")),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}"#,
        ID,
        Err((
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            "/Statement/Action",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":["s3:a","s3:b:c"],"Resource":"*"}}"#,
        ID,
        Err((
            "Actions/Condition can contain only one colon.",
            "/Statement/Action/1",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}"#,
        ID,
        Err((
            "Resource bucket must be in ARN format or \"*\".",
            "/Statement/Resource",
        )),
    );
    check(
        r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        ID,
        Err(("Syntax errors in policy.", "/Version")),
    );
    check(
        r#"{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}"#,
        ID,
        Err(("The policy failed legacy parsing", "/Statement/Effect")),
    );
    check(r#"{"Statement":{"Sid":"has space","Effect":"Allow","Action":"s3:*","Resource":"*"}}"#, ID, Err(("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", "/Statement/Sid")));
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","NotAction":"s3:x","Resource":"*"}}"#,
        ID,
        Err(("Syntax errors in policy.", "/Statement/NotAction")),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:role/x"},"Action":"sts:AssumeRole"}}"#,
        PolicyKind::Trust,
        Err((
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::*:role/x\"",
            "/Statement/Principal/AWS",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}}"#,
        ID,
        Err((
            "The policy failed legacy parsing",
            "/Statement/Condition/DateLessThan/aws:CurrentTime",
        )),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}}"#,
        ID,
        Err(("Syntax errors in policy.", "/Statement/Foo")),
    );
    check(
        r#"{"Statement":[]}"#,
        ID,
        Err(("Syntax errors in policy.", "/Statement")),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        PolicyKind::ResourceControl,
        Err(("Missing required field Principal", "/Statement")),
    );
    check(
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#,
        PolicyKind::ResourceControl,
        Err(("Syntax errors in policy.", "/Statement")),
    );
}

#[test]
fn size_limits_per_kind() {
    let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-name-long-enough/*"}"#;
    let many = |n: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            vec![statement; n].join(",")
        )
    };
    let doc = many(70); // about 6,700 characters
    let e = PolicyDocument::parse(&doc, ID).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LimitExceeded);
    assert_eq!(e.aws_message(), "Cannot exceed quota for PolicySize: 6144");
    assert!(PolicyDocument::parse(&many(60), ID).is_ok());
    // White space is not counted by IAM.
    let spaced = many(60).replace(',', " ,\n   ");
    assert!(PolicyDocument::parse(&spaced, ID).is_ok());
    assert!(PolicyDocument::parse(&many(30), PolicyKind::Session).is_err());
    assert!(PolicyDocument::parse(&many(30), PolicyKind::ServiceControl).is_ok());
    assert!(PolicyDocument::parse(&many(60), PolicyKind::ServiceControl).is_err());
}

#[test]
fn reports_every_problem_with_positions() {
    let text = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"x\", \"Resource\": \"*\"}\n  ]\n}";
    let e = PolicyDocument::parse(text, ID).unwrap_err();
    let found: Vec<_> =
        e.0.iter()
            .map(|p| (p.pointer.as_str(), p.line, p.column))
            .collect();
    assert_eq!(
        found,
        vec![
            ("/Statement/0/Principal", 3, 38),
            ("/Statement/0/Action", 3, 53)
        ]
    );
}

#[test]
fn duplicate_keys_keep_the_last() {
    let doc = PolicyDocument::parse(
        r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"},"StringEquals":{"aws:username":"b"}}}}"#,
        ID,
    )
    .unwrap();
    let conditions = doc.statements()[0].condition.as_ref().unwrap();
    assert_eq!(conditions.len(), 1);
    assert_eq!(
        conditions[0].entries[0].1,
        OneOrMany::One(ConditionValue::String("b".into()))
    );
}

#[test]
fn prints_back_faithfully() {
    for (text, kind) in [
        (
            r#"{"Version":"2012-10-17","Id":"i","Statement":{"Sid":"S","Effect":"Allow","Action":"s3:*","Resource":["*"]}}"#,
            ID,
        ),
        (
            r#"{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["123456789012"]},"NotAction":"s3:x","NotResource":"arn:aws:s3:::b","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":false}}}]}"#,
            PolicyKind::Resource,
        ),
    ] {
        let doc = PolicyDocument::parse(text, kind).unwrap();
        assert_eq!(doc.to_json(), text);
        assert_eq!(PolicyDocument::parse(&doc.to_json(), kind).unwrap(), doc);
    }
}
