//! Condition operator tables: every family, missing keys, set qualifiers and variables.

use super::*;
use crate::context::{Context, ContextValue};

/// Evaluates `op: {key: values}` against `context` (pairs of key and value).
fn check(
    op: &str,
    key: &str,
    values: &[&str],
    context: &[(&str, ContextValue)],
    expected: Result<bool, Unresolved>,
) {
    let operator = Operator::parse(op).unwrap_or_else(|| panic!("unknown operator {op}"));
    let values: Vec<ConditionValue> = values
        .iter()
        .map(|v| ConditionValue::String((*v).to_owned()))
        .collect();
    let condition = CompiledCondition::new(operator, key, &values, true);
    let mut ctx = Context::new();
    for (k, v) in context {
        ctx.insert(k, v.clone());
    }
    assert_eq!(
        condition.evaluate(&ctx),
        expected,
        "{op} {key} {values:?} with {context:?}"
    );
}

fn one(k: &'static str, v: &str) -> (&'static str, ContextValue) {
    (k, ContextValue::from(v))
}

fn many(k: &'static str, v: &[&str]) -> (&'static str, ContextValue) {
    (k, ContextValue::multi(v.iter().copied()))
}

#[test]
fn string_operators() {
    check(
        "StringEquals",
        "aws:username",
        &["bob", "alice"],
        &[one("aws:username", "bob")],
        Ok(true),
    );
    check(
        "StringEquals",
        "aws:username",
        &["Bob"],
        &[one("aws:username", "bob")],
        Ok(false),
    );
    check(
        "StringEquals",
        "AWS:UserName",
        &["bob"],
        &[one("aws:username", "bob")],
        Ok(true),
    );
    check(
        "StringNotEquals",
        "aws:username",
        &["bob"],
        &[one("aws:username", "bob")],
        Ok(false),
    );
    check(
        "StringNotEquals",
        "aws:username",
        &["bob"],
        &[one("aws:username", "carol")],
        Ok(true),
    );
    check(
        "StringEqualsIgnoreCase",
        "aws:username",
        &["BOB"],
        &[one("aws:username", "bob")],
        Ok(true),
    );
    check(
        "StringNotEqualsIgnoreCase",
        "aws:username",
        &["BOB"],
        &[one("aws:username", "bob")],
        Ok(false),
    );
    check(
        "StringLike",
        "s3:prefix",
        &["home/*", "pub?"],
        &[one("s3:prefix", "home/x/y")],
        Ok(true),
    );
    check(
        "StringLike",
        "s3:prefix",
        &["pub?"],
        &[one("s3:prefix", "pub")],
        Ok(false),
    );
    check(
        "StringNotLike",
        "s3:prefix",
        &["home/*"],
        &[one("s3:prefix", "etc/x")],
        Ok(true),
    );
    check(
        "StringLike",
        "s3:prefix",
        &["home/${aws:username}/*"],
        &[one("s3:prefix", "home/bob/x"), one("aws:username", "bob")],
        Ok(true),
    );
    // A value whose variable has no value matches nothing; in a negated operator it voids
    // the statement instead of matching.
    check(
        "StringLike",
        "s3:prefix",
        &["home/${aws:username}/*"],
        &[one("s3:prefix", "home/bob/x")],
        Ok(false),
    );
    check(
        "StringNotLike",
        "s3:prefix",
        &["home/${aws:username}/*"],
        &[one("s3:prefix", "home/bob/x")],
        Err(Unresolved),
    );
    check(
        "StringEquals",
        "s3:prefix",
        &["${aws:username, 'guest'}"],
        &[one("s3:prefix", "guest")],
        Ok(true),
    );
}

#[test]
fn missing_keys() {
    // Positive operators fail on a missing key; negated ones pass; IfExists passes.
    check(
        "StringEquals",
        "aws:PrincipalOrgID",
        &["o-1"],
        &[],
        Ok(false),
    );
    check(
        "StringNotEquals",
        "aws:PrincipalOrgID",
        &["o-1"],
        &[],
        Ok(true),
    );
    check(
        "StringEqualsIfExists",
        "aws:PrincipalOrgID",
        &["o-1"],
        &[],
        Ok(true),
    );
    check(
        "StringEqualsIfExists",
        "aws:PrincipalOrgID",
        &["o-1"],
        &[one("aws:PrincipalOrgID", "o-2")],
        Ok(false),
    );
    check(
        "NumericLessThanIfExists",
        "s3:max-keys",
        &["10"],
        &[],
        Ok(true),
    );
    check(
        "Bool",
        "aws:MultiFactorAuthPresent",
        &["true"],
        &[],
        Ok(false),
    );
    check(
        "BoolIfExists",
        "aws:MultiFactorAuthPresent",
        &["false"],
        &[],
        Ok(true),
    );
    check("Null", "aws:TokenIssueTime", &["true"], &[], Ok(true));
    check("Null", "aws:TokenIssueTime", &["false"], &[], Ok(false));
    check(
        "Null",
        "aws:TokenIssueTime",
        &["false"],
        &[one("aws:TokenIssueTime", "2020-01-01")],
        Ok(true),
    );
}

#[test]
fn set_operators() {
    let tags = |v: &[&str]| vec![many("aws:TagKeys", v)];
    // ForAllValues: every request value is among the policy values; true when missing/empty.
    check(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        &["a", "b"],
        &tags(&["a"]),
        Ok(true),
    );
    check(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        &["a", "b"],
        &tags(&["a", "c"]),
        Ok(false),
    );
    check(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        &["a"],
        &[],
        Ok(true),
    );
    check(
        "ForAllValues:StringEquals",
        "aws:TagKeys",
        &["a"],
        &tags(&[]),
        Ok(true),
    );
    // ForAnyValue: some request value is among the policy values; false when missing/empty.
    check(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        &["a"],
        &tags(&["x", "a"]),
        Ok(true),
    );
    check(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        &["a"],
        &tags(&["x"]),
        Ok(false),
    );
    check(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        &["a"],
        &[],
        Ok(false),
    );
    check(
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        &["a"],
        &tags(&[]),
        Ok(false),
    );
    // Negated: per request value "matches none of the policy values".
    check(
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        &["secret"],
        &tags(&["a", "b"]),
        Ok(true),
    );
    check(
        "ForAllValues:StringNotEquals",
        "aws:TagKeys",
        &["secret"],
        &tags(&["a", "secret"]),
        Ok(false),
    );
    check(
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        &["secret"],
        &tags(&["a", "secret"]),
        Ok(true),
    );
    check(
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        &["secret"],
        &tags(&["secret"]),
        Ok(false),
    );
    check(
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        &["secret"],
        &[],
        Ok(false),
    );
    check(
        "ForAllValues:StringNotLike",
        "aws:TagKeys",
        &["sec*"],
        &[],
        Ok(true),
    );
    check(
        "ForAnyValue:StringLike",
        "aws:TagKeys",
        &["env*"],
        &tags(&["x", "environment"]),
        Ok(true),
    );
    // Unqualified operators on a multi-valued key: any value for positive, none for negated.
    check(
        "StringEquals",
        "aws:TagKeys",
        &["a"],
        &tags(&["x", "a"]),
        Ok(true),
    );
    check(
        "StringNotEquals",
        "aws:TagKeys",
        &["a"],
        &tags(&["x", "a"]),
        Ok(false),
    );
}

#[test]
fn numeric_date_bool_binary() {
    let keys = |v: &str| vec![one("s3:max-keys", v)];
    check(
        "NumericEquals",
        "s3:max-keys",
        &["10"],
        &keys("10.0"),
        Ok(true),
    );
    check(
        "NumericNotEquals",
        "s3:max-keys",
        &["10"],
        &keys("11"),
        Ok(true),
    );
    check(
        "NumericLessThan",
        "s3:max-keys",
        &["10"],
        &keys("9"),
        Ok(true),
    );
    check(
        "NumericLessThan",
        "s3:max-keys",
        &["10"],
        &keys("10"),
        Ok(false),
    );
    check(
        "NumericLessThanEquals",
        "s3:max-keys",
        &["10"],
        &keys("10"),
        Ok(true),
    );
    check(
        "NumericGreaterThan",
        "s3:max-keys",
        &["10"],
        &keys("10.5"),
        Ok(true),
    );
    check(
        "NumericGreaterThanEquals",
        "s3:max-keys",
        &["10"],
        &keys("9"),
        Ok(false),
    );
    check(
        "NumericLessThan",
        "s3:max-keys",
        &["10"],
        &keys("abc"),
        Ok(false),
    );
    let now = |v: &str| vec![one("aws:CurrentTime", v)];
    check(
        "DateLessThan",
        "aws:CurrentTime",
        &["2020-01-01T00:00:00Z"],
        &now("2019-12-31T23:59:59Z"),
        Ok(true),
    );
    check(
        "DateLessThan",
        "aws:CurrentTime",
        &["1577836800"],
        &now("2020-01-01T00:00:01Z"),
        Ok(false),
    );
    check(
        "DateGreaterThanEquals",
        "aws:CurrentTime",
        &["2020-01-01"],
        &now("2020-01-01T00:00:00Z"),
        Ok(true),
    );
    check(
        "DateEquals",
        "aws:EpochTime",
        &["2020-01-01T00:00:00Z"],
        &[one("aws:EpochTime", "1577836800")],
        Ok(true),
    );
    check(
        "DateNotEquals",
        "aws:CurrentTime",
        &["2020-01-01"],
        &now("2020-01-02"),
        Ok(true),
    );
    check(
        "DateLessThanEquals",
        "aws:CurrentTime",
        &["2020-01-01T01:00:00+01:00"],
        &now("2020-01-01T00:00:00Z"),
        Ok(true),
    );
    check(
        "DateGreaterThan",
        "aws:TokenIssueTime",
        &["2020-01-01"],
        &[one("aws:TokenIssueTime", "2021-06-01T10:00:00Z")],
        Ok(true),
    );
    check(
        "Bool",
        "aws:SecureTransport",
        &["true"],
        &[one("aws:SecureTransport", "TRUE")],
        Ok(true),
    );
    check(
        "Bool",
        "aws:SecureTransport",
        &["false"],
        &[one("aws:SecureTransport", "true")],
        Ok(false),
    );
    check(
        "BinaryEquals",
        "key",
        &["QmluYXJ5VmFsdWU="],
        &[one("key", "QmluYXJ5VmFsdWU=")],
        Ok(true),
    );
    check(
        "BinaryEquals",
        "key",
        &["QmluYXJ5VmFsdWU="],
        &[one("key", "QmluYXJ5VmFsdWU")],
        Ok(true),
    );
    check(
        "BinaryEquals",
        "key",
        &["QmluYXJ5VmFsdWU="],
        &[one("key", "eA==")],
        Ok(false),
    );
}

#[test]
fn ip_and_arn() {
    let ip = |v: &str| vec![one("aws:SourceIp", v)];
    check(
        "IpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
        &ip("203.0.113.7"),
        Ok(true),
    );
    check(
        "IpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24", "2001:DB8:1234:5678::/64"],
        &ip("2001:db8:1234:5678::9"),
        Ok(true),
    );
    check(
        "IpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24"],
        &ip("198.51.100.1"),
        Ok(false),
    );
    check(
        "NotIpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24"],
        &ip("198.51.100.1"),
        Ok(true),
    );
    check(
        "NotIpAddress",
        "aws:SourceIp",
        &["203.0.113.0/24"],
        &ip("203.0.113.1"),
        Ok(false),
    );
    let src = |v: &str| vec![one("aws:SourceArn", v)];
    check(
        "ArnLike",
        "aws:SourceArn",
        &["arn:aws:sns:*:123456789012:topic-*"],
        &src("arn:aws:sns:us-east-1:123456789012:topic-a"),
        Ok(true),
    );
    check(
        "ArnEquals",
        "aws:SourceArn",
        &["arn:aws:sns:*:123456789012:topic-*"],
        &src("arn:aws:sns:us-east-1:123456789012:topic-a"),
        Ok(true),
    );
    // The wildcard in the region field does not swallow the account field.
    check(
        "ArnLike",
        "aws:SourceArn",
        &["arn:aws:sns:*:topic-a"],
        &src("arn:aws:sns:us-east-1:123456789012:topic-a"),
        Ok(false),
    );
    check(
        "ArnNotLike",
        "aws:SourceArn",
        &["arn:aws:sns:*:123456789012:*"],
        &src("arn:aws:sns:us-east-1:999999999999:t"),
        Ok(true),
    );
    check(
        "ArnNotEquals",
        "aws:SourceArn",
        &["arn:aws:sns:*:123456789012:*"],
        &src("arn:aws:sns:us-east-1:123456789012:t"),
        Ok(false),
    );
    check(
        "ArnLike",
        "aws:SourceArn",
        &["arn:aws:sns:*:123456789012:*"],
        &src("not-an-arn"),
        Ok(false),
    );
}

#[test]
fn operator_names() {
    for name in [
        "StringEquals",
        "ForAnyValue:StringLikeIfExists",
        "ForAllValues:ArnNotLike",
        "Null",
        "BinaryEqualsIfExists",
    ] {
        assert!(Operator::parse(name).is_some(), "{name}");
    }
    for name in [
        "stringequals",
        "StringEqualz",
        "ForSomeValues:StringEquals",
        "NullIfExists",
        "IfExists",
    ] {
        assert!(Operator::parse(name).is_none(), "{name}");
    }
}
