//! Evaluation tables, many taken from the IAM user guide's evaluation-logic, SCP,
//! permissions-boundary and session-policy pages with the answers the guide gives.

use super::*;
use crate::compile::CompiledPolicy;
use crate::decision::access_denied_message;
use crate::json;
use crate::kind::PolicyKind;
use crate::offline::evaluate_json;
use crate::request::Principal;

/// Evaluates a JSON request line; `expected` is `Decision` or `Decision:policy_type`.
fn check(line: &str, expected: &str) {
    let out = evaluate_json(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    let node = json::parse(&out).unwrap();
    let decision = node
        .value
        .get("decision")
        .and_then(|n| n.value.as_str())
        .unwrap()
        .to_owned();
    let got = match node.value.get("policy_type").and_then(|n| n.value.as_str()) {
        Some(t) if decision != "Allow" || expected.contains(':') => format!("{decision}:{t}"),
        _ => decision,
    };
    assert_eq!(got, expected, "{line}\n=> {out}");
}

const BOB: &str = r#""principal":{"arn":"arn:aws:iam::111111111111:user/bob","kind":"user","account":"111111111111"}"#;
const ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}}}"#
    )
}

fn deny(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"No","Effect":"Deny","Action":"{action}","Resource":"{resource}"}}}}"#
    )
}

fn line(principal: &str, action: &str, resource: &str, rest: &str) -> String {
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(",{rest}")
    };
    format!(r#"{{{principal},"action":"{action}","resource":"{resource}"{rest}}}"#)
}

const USER_X: &str = "arn:aws:iam::111111111111:user/x";

#[test]
fn identity_policies() {
    let create = |policies: &str| {
        line(
            BOB,
            "iam:CreateUser",
            USER_X,
            &format!(r#""policies":{{{policies}}}"#),
        )
    };
    check(&create(""), "ImplicitDeny:identity");
    check(
        &create(&format!(r#""identity":[{}]"#, allow("iam:CreateUser", "*"))),
        "Allow:identity",
    );
    check(
        &create(&format!(r#""identity":[{}]"#, allow("IAM:createuser", "*"))),
        "Allow",
    );
    check(
        &create(&format!(
            r#""identity":[{}]"#,
            allow("iam:Create*", "arn:aws:iam::111111111111:user/*")
        )),
        "Allow",
    );
    check(
        &create(&format!(r#""identity":[{}]"#, allow("iam:Create?ser", "*"))),
        "Allow",
    );
    check(
        &create(&format!(r#""identity":[{}]"#, allow("iam:Get*", "*"))),
        "ImplicitDeny:identity",
    );
    check(
        &create(&format!(
            r#""identity":[{}]"#,
            allow("iam:*", "arn:aws:iam::222222222222:user/*")
        )),
        "ImplicitDeny:identity",
    );
    check(
        &create(&format!(r#""identity":[{ALL},{}]"#, deny("iam:*", "*"))),
        "ExplicitDeny:identity",
    );
    // NotAction: everything except IAM.
    let not_iam = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#;
    check(
        &create(&format!(r#""identity":[{not_iam}]"#)),
        "ImplicitDeny:identity",
    );
    check(
        &line(
            BOB,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!(r#""policies":{{"identity":[{not_iam}]}}"#),
        ),
        "Allow",
    );
    // NotResource: deny everything outside one bucket.
    let fence = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::home","arn:aws:s3:::home/*"]}]}"#;
    check(
        &line(
            BOB,
            "s3:GetObject",
            "arn:aws:s3:::home/k",
            &format!(r#""policies":{{"identity":[{fence}]}}"#),
        ),
        "Allow",
    );
    check(
        &line(
            BOB,
            "s3:GetObject",
            "arn:aws:s3:::other/k",
            &format!(r#""policies":{{"identity":[{fence}]}}"#),
        ),
        "ExplicitDeny:identity",
    );
}

#[test]
fn policy_variables() {
    let home = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#;
    let get = |resource: &str, policy: &str| {
        line(
            BOB,
            "s3:GetObject",
            resource,
            &format!(r#""policies":{{"identity":[{policy}]}}"#),
        )
    };
    check(&get("arn:aws:s3:::home/bob/notes", home), "Allow");
    check(
        &get("arn:aws:s3:::home/alice/notes", home),
        "ImplicitDeny:identity",
    );
    // Version 2008-10-17 reads `${...}` literally.
    let old = home.replace("2012-10-17", "2008-10-17");
    check(
        &get("arn:aws:s3:::home/bob/notes", &old),
        "ImplicitDeny:identity",
    );
    check(
        &get("arn:aws:s3:::home/${aws:username}/notes", &old),
        "Allow",
    );
    // A missing variable voids the statement, even a Deny.
    let tagged = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::${aws:PrincipalTag/team}/*"}]}"#;
    check(&get("arn:aws:s3:::red/k", tagged), "Allow");
    let red_bob = BOB.replace(r#""kind":"user""#, r#""kind":"user","tags":{"team":"red"}"#);
    check(
        &line(
            &red_bob,
            "s3:GetObject",
            "arn:aws:s3:::red/k",
            &format!(r#""policies":{{"identity":[{tagged}]}}"#),
        ),
        "ExplicitDeny:identity",
    );
    // `${*}` is a literal star.
    let star = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"}}"#;
    check(&get("arn:aws:s3:::b/*", star), "Allow");
    check(&get("arn:aws:s3:::b/x", star), "ImplicitDeny:identity");
    // Defaults.
    let default = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*"}}"#;
    check(&get("arn:aws:s3:::b/none/x", default), "Allow");
}

#[test]
fn conditions_in_statements() {
    let mfa = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}}"#;
    let req = |ctx: &str| {
        line(
            BOB,
            "iam:ListUsers",
            "*",
            &format!(r#""context":{ctx},"policies":{{"identity":[{mfa}]}}"#),
        )
    };
    check(
        &req(r#"{"aws:MultiFactorAuthPresent":true,"aws:SourceIp":"203.0.113.9"}"#),
        "Allow",
    );
    check(
        &req(r#"{"aws:MultiFactorAuthPresent":false,"aws:SourceIp":"203.0.113.9"}"#),
        "ImplicitDeny:identity",
    );
    check(
        &req(r#"{"aws:MultiFactorAuthPresent":true,"aws:SourceIp":"198.51.100.9"}"#),
        "ImplicitDeny:identity",
    );
    check(
        &req(r#"{"aws:SourceIp":"203.0.113.9"}"#),
        "ImplicitDeny:identity",
    );
    // The guide's "deny unless MFA" pattern with BoolIfExists.
    let deny_no_mfa = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;
    let req = |ctx: &str| {
        line(
            BOB,
            "ec2:StopInstances",
            "*",
            &format!(r#""context":{ctx},"policies":{{"identity":[{deny_no_mfa}]}}"#),
        )
    };
    check(&req("{}"), "ExplicitDeny:identity");
    check(
        &req(r#"{"aws:MultiFactorAuthPresent":"false"}"#),
        "ExplicitDeny:identity",
    );
    check(&req(r#"{"aws:MultiFactorAuthPresent":"true"}"#), "Allow");
    // Tag-based access with a principal tag variable in a condition value.
    let abac = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}}"#;
    let red_bob = BOB.replace(r#""kind":"user""#, r#""kind":"user","tags":{"team":"red"}"#);
    let req = |who: &str, tag: &str| {
        line(
            who,
            "ec2:StartInstances",
            "*",
            &format!(
                r#""context":{{"aws:ResourceTag/team":"{tag}"}},"policies":{{"identity":[{abac}]}}"#
            ),
        )
    };
    check(&req(&red_bob, "red"), "Allow");
    check(&req(&red_bob, "blue"), "ImplicitDeny:identity");
    check(&req(BOB, "red"), "ImplicitDeny:identity");
}

#[test]
fn boundaries_and_sessions() {
    // The guide's example: identity policy allows S3 and IAM, the boundary only S3.
    let both = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"}}"#;
    let s3 = allow("s3:*", "*");
    let req = |action: &str| {
        line(
            BOB,
            action,
            "*",
            &format!(r#""policies":{{"identity":[{both}],"boundary":{s3}}}"#),
        )
    };
    check(&req("s3:ListBucket"), "Allow");
    check(&req("iam:CreateUser"), "ImplicitDeny:boundary");
    // The boundary grants nothing on its own.
    check(
        &line(
            BOB,
            "s3:ListBucket",
            "*",
            &format!(r#""policies":{{"boundary":{s3}}}"#),
        ),
        "ImplicitDeny:identity",
    );
    let deny_s3 = deny("s3:DeleteBucket", "*");
    check(
        &line(
            BOB,
            "s3:DeleteBucket",
            "*",
            &format!(r#""policies":{{"identity":[{ALL}],"boundary":{deny_s3}}}"#),
        ),
        "ExplicitDeny:boundary",
    );
    // Session policies limit a role session.
    let session =
        r#""principal":{"arn":"arn:aws:sts::111111111111:assumed-role/R/s","kind":"assumed-role"}"#;
    let req = |action: &str| {
        line(
            session,
            action,
            "*",
            &format!(r#""policies":{{"identity":[{both}],"session":[{s3}]}}"#),
        )
    };
    check(&req("s3:ListBucket"), "Allow");
    check(&req("iam:ListUsers"), "ImplicitDeny:session");
}

#[test]
fn organizations() {
    let s3_only = allow("s3:*", "*");
    let ec2_s3 = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:*","s3:*"],"Resource":"*"}}"#;
    // The guide's inheritance example: root allows all, the OU EC2 and S3, the account S3.
    let levels = format!(r#""scp":[[{ALL}],[{ec2_s3}],[{s3_only}]]"#);
    let req = |action: &str, extra: &str| {
        line(
            BOB,
            action,
            "*",
            &format!(r#""policies":{{"identity":[{ALL}],{levels}}}{extra}"#),
        )
    };
    check(&req("s3:GetObject", ""), "Allow");
    check(&req("ec2:RunInstances", ""), "ImplicitDeny:scp");
    check(&req("iam:CreateUser", ""), "ImplicitDeny:scp");
    // The management account is exempt.
    check(
        &req("iam:CreateUser", r#","management_account":true"#),
        "Allow",
    );
    // A deny at any level wins; the root user of a member account is bound too.
    let deny_root = format!(r#""scp":[[{ALL},{}]]"#, deny("s3:DeleteBucket", "*"));
    let root = r#""principal":{"arn":"arn:aws:iam::111111111111:root"}"#;
    check(
        &line(
            root,
            "s3:DeleteBucket",
            "*",
            &format!(r#""policies":{{{deny_root}}}"#),
        ),
        "ExplicitDeny:scp",
    );
    check(
        &line(
            root,
            "s3:GetObject",
            "*",
            &format!(r#""policies":{{{deny_root}}}"#),
        ),
        "Allow",
    );
    check(
        &line(
            root,
            "s3:DeleteBucket",
            "*",
            &format!(r#""policies":{{{deny_root}}},"management_account":true"#),
        ),
        "Allow",
    );
    // Service-linked roles are exempt from SCPs.
    let slr = r#""principal":{"arn":"arn:aws:sts::111111111111:assumed-role/AWSServiceRoleForX/s","kind":"assumed-role","service_linked":true}"#;
    check(
        &line(
            slr,
            "s3:DeleteBucket",
            "*",
            &format!(r#""policies":{{"identity":[{ALL}],{deny_root}}}"#),
        ),
        "Allow",
    );
    // An empty level allows nothing.
    check(
        &line(
            BOB,
            "s3:GetObject",
            "*",
            &format!(r#""policies":{{"identity":[{ALL}],"scp":[[{ALL}],[]]}}"#),
        ),
        "ImplicitDeny:scp",
    );
    // RCPs: resources in member accounts; the data perimeter example.
    let perimeter = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-good"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}}"#;
    let rcp_full = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#;
    let outsider = r#""principal":{"arn":"arn:aws:iam::999999999999:user/eve","org_id":"o-bad"}"#;
    let insider = r#""principal":{"arn":"arn:aws:iam::999999999999:user/ann","org_id":"o-good"}"#;
    let bucket_policy = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    let req = |who: &str, extra: &str| {
        line(
            who,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!(
                r#""resource_account":"111111111111","policies":{{"identity":[{ALL}],"resource":{bucket_policy},"rcp":[[{rcp_full},{perimeter}]]}}{extra}"#
            ),
        )
    };
    check(&req(outsider, ""), "ExplicitDeny:rcp");
    check(&req(insider, ""), "Allow");
    check(
        &req(outsider, r#","resource_in_management_account":true"#),
        "Allow",
    );
}

#[test]
fn resource_policies() {
    let bucket = |principal: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Sid":"Grant","Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}}}"#
        )
    };
    let get = |who: &str, extra_policies: &str, resource_account: &str| {
        line(
            who,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &format!(r#""resource_account":"{resource_account}","policies":{{{extra_policies}}}"#),
        )
    };
    let to_bob = bucket(r#"{"AWS":"arn:aws:iam::111111111111:user/bob"}"#);
    // Same account: a grant to the user ARN is enough, even past a boundary.
    check(
        &get(BOB, &format!(r#""resource":{to_bob}"#), "111111111111"),
        "Allow:resource",
    );
    check(
        &get(
            BOB,
            &format!(r#""resource":{to_bob},"boundary":{}"#, allow("ec2:*", "*")),
            "111111111111",
        ),
        "Allow:resource",
    );
    // A grant to the account needs the identity side too.
    let to_account = bucket(r#"{"AWS":"arn:aws:iam::111111111111:root"}"#);
    check(
        &get(BOB, &format!(r#""resource":{to_account}"#), "111111111111"),
        "ImplicitDeny:identity",
    );
    check(
        &get(
            BOB,
            &format!(r#""resource":{to_account},"identity":[{ALL}]"#),
            "111111111111",
        ),
        "Allow:identity",
    );
    // Role sessions: a grant to the role ARN is limited by the boundary and session policy,
    // a grant to the session ARN is not.
    let session = r#""principal":{"arn":"arn:aws:sts::111111111111:assumed-role/R/s","kind":"assumed-role","underlying_arn":"arn:aws:iam::111111111111:role/R"}"#;
    let to_role = bucket(r#"{"AWS":"arn:aws:iam::111111111111:role/R"}"#);
    let to_session = bucket(r#"{"AWS":"arn:aws:sts::111111111111:assumed-role/R/s"}"#);
    let ec2 = allow("ec2:*", "*");
    check(
        &get(session, &format!(r#""resource":{to_role}"#), "111111111111"),
        "Allow:resource",
    );
    check(
        &get(
            session,
            &format!(r#""resource":{to_role},"boundary":{ec2}"#),
            "111111111111",
        ),
        "ImplicitDeny:boundary",
    );
    check(
        &get(
            session,
            &format!(r#""resource":{to_role},"session":[{ec2}]"#),
            "111111111111",
        ),
        "ImplicitDeny:session",
    );
    check(
        &get(
            session,
            &format!(r#""resource":{to_session},"boundary":{ec2},"session":[{ec2}]"#),
            "111111111111",
        ),
        "Allow:resource",
    );
    // Explicit deny in the resource policy wins over the identity allow.
    let deny_all = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#;
    check(
        &get(
            BOB,
            &format!(r#""resource":{deny_all},"identity":[{ALL}]"#),
            "111111111111",
        ),
        "ExplicitDeny:resource",
    );
    // Cross-account: both sides must allow.
    let to_other = bucket(r#"{"AWS":"111111111111"}"#);
    check(
        &get(BOB, &format!(r#""identity":[{ALL}]"#), "222222222222"),
        "ImplicitDeny:resource",
    );
    check(
        &get(BOB, &format!(r#""resource":{to_other}"#), "222222222222"),
        "ImplicitDeny:identity",
    );
    check(
        &get(
            BOB,
            &format!(r#""resource":{to_other},"identity":[{ALL}]"#),
            "222222222222",
        ),
        "Allow",
    );
    check(
        &get(
            BOB,
            &format!(r#""resource":{to_bob},"identity":[{ALL}],"boundary":{ec2}"#),
            "222222222222",
        ),
        "ImplicitDeny:boundary",
    );
    // Service principals: only the resource policy counts.
    let service = r#""principal":{"arn":"cloudtrail.amazonaws.com","kind":"service"}"#;
    let to_service = bucket(r#"{"Service":"cloudtrail.amazonaws.com"}"#);
    check(
        &get(
            service,
            &format!(r#""resource":{to_service}"#),
            "111111111111",
        ),
        "Allow:resource",
    );
    check(
        &get(service, &format!(r#""resource":{to_bob}"#), "111111111111"),
        "ImplicitDeny:resource",
    );
    // Public grants.
    check(
        &get(
            BOB,
            &format!(r#""resource":{}"#, bucket(r#""*""#)),
            "111111111111",
        ),
        "Allow:resource",
    );
    // NotPrincipal with Deny: everyone except bob is denied.
    let not_bob = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/bob"},"Action":"s3:*","Resource":"*"},{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
    check(
        &get(BOB, &format!(r#""resource":{not_bob}"#), "111111111111"),
        "Allow",
    );
    let eve = r#""principal":{"arn":"arn:aws:iam::111111111111:user/eve"}"#;
    check(
        &get(eve, &format!(r#""resource":{not_bob}"#), "111111111111"),
        "ExplicitDeny:resource",
    );
}

#[test]
fn trust_policies() {
    let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/Ci","Federated":"accounts.google.com"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}}"#;
    let assume = |who: &str, action: &str, extra: &str| {
        line(
            who,
            action,
            "arn:aws:iam::111111111111:role/Target",
            &format!(r#""resource_account":"111111111111","policies":{{"trust":{trust}{extra}}}"#),
        )
    };
    let ci = r#""principal":{"arn":"arn:aws:sts::222222222222:assumed-role/Ci/run","underlying_arn":"arn:aws:iam::222222222222:role/Ci"}"#;
    check(
        &assume(
            ci,
            "sts:AssumeRole",
            &format!(r#","identity":[{}]"#, allow("sts:AssumeRole", "*")),
        ),
        "Allow",
    );
    check(&assume(ci, "sts:AssumeRole", ""), "ImplicitDeny:identity");
    // Same account: the trust policy is still the one door. An identity grant alone does
    // not open it; a trust naming the account needs the identity grant too.
    check(
        &assume(BOB, "sts:AssumeRole", &format!(r#","identity":[{ALL}]"#)),
        "ImplicitDeny:resource",
    );
    let account_trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}"#;
    let by_account = |extra: &str| {
        line(
            BOB,
            "sts:AssumeRole",
            "arn:aws:iam::111111111111:role/Target",
            &format!(
                r#""resource_account":"111111111111","policies":{{"trust":{account_trust}{extra}}}"#
            ),
        )
    };
    check(&by_account(""), "ImplicitDeny:identity");
    check(
        &by_account(&format!(
            r#","identity":[{}]"#,
            allow("sts:AssumeRole", "*")
        )),
        "Allow",
    );
    let google = r#""principal":{"arn":"accounts.google.com","kind":"federated"}"#;
    check(
        &assume(google, "sts:AssumeRoleWithWebIdentity", ""),
        "Allow",
    );
}

#[test]
fn api_decisions_and_messages() {
    let identity = [
        CompiledPolicy::parse(
            "arn:aws:iam::aws:policy/ReadOnly",
            &allow("iam:Get*", "*"),
            PolicyKind::Identity,
        )
        .unwrap(),
        CompiledPolicy::parse(
            "user/bob/inline/guard",
            &deny("iam:DeleteUser", "*"),
            PolicyKind::Identity,
        )
        .unwrap(),
    ];
    let scp = vec![vec![CompiledPolicy::parse(
        "p-full",
        ALL,
        PolicyKind::ServiceControl,
    )
    .unwrap()]];
    let input = EvaluationInput {
        identity: &identity,
        scp_levels: &scp,
        ..Default::default()
    };
    let bob = Principal::new(
        PrincipalKind::User,
        "arn:aws:iam::123456789012:user/bob",
        "123456789012",
    );
    let request =
        |action: &str| Request::new(bob.clone(), action, "arn:aws:iam::123456789012:user/x");

    let r = request("iam:CreateUser");
    let d = evaluate(&input, &r);
    assert_eq!(
        access_denied_message(&d, &r).unwrap(),
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no identity-based policy allows the iam:CreateUser action"
    );
    let r = request("iam:DeleteUser");
    let d = evaluate(&input, &r);
    assert_eq!(d.effect, DecisionEffect::ExplicitDeny);
    assert_eq!(
        (
            d.statements[0].policy_id(),
            d.statements[0].index,
            d.statements[0].sid()
        ),
        ("user/bob/inline/guard", 0, Some("No"))
    );
    assert!(access_denied_message(&d, &r)
        .unwrap()
        .ends_with("with an explicit deny in an identity-based policy"));
    let r = request("iam:GetUser");
    let d = evaluate(&input, &r);
    assert!(d.is_allowed());
    let ids: Vec<_> = d
        .statements
        .iter()
        .map(|s| (s.policy_type, s.policy_id()))
        .collect();
    assert_eq!(
        ids,
        vec![
            (PolicyType::ServiceControl, "p-full"),
            (PolicyType::Identity, "arn:aws:iam::aws:policy/ReadOnly")
        ]
    );
    assert_eq!(access_denied_message(&d, &r), None);

    let scp = vec![vec![CompiledPolicy::parse(
        "p-s3",
        &allow("s3:*", "*"),
        PolicyKind::ServiceControl,
    )
    .unwrap()]];
    let input = EvaluationInput {
        identity: &identity,
        scp_levels: &scp,
        ..Default::default()
    };
    let r = request("iam:GetUser");
    assert!(access_denied_message(&evaluate(&input, &r), &r)
        .unwrap()
        .ends_with("because no service control policy allows the iam:GetUser action"));

    // The simulator mode reports every matching statement.
    let input = EvaluationInput {
        identity: &identity,
        all_matches: true,
        ..Default::default()
    };
    let both = [
        CompiledPolicy::parse("a", ALL, PolicyKind::Identity).unwrap(),
        CompiledPolicy::parse("b", &deny("iam:*", "*"), PolicyKind::Identity).unwrap(),
    ];
    let input2 = EvaluationInput {
        identity: &both,
        ..input
    };
    let d = evaluate(&input2, &request("iam:DeleteUser"));
    assert_eq!(d.effect, DecisionEffect::ExplicitDeny);
    assert_eq!(d.statements.len(), 2);
}

#[test]
fn index_with_many_services() {
    let statements: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"Effect":"Allow","Action":["svc{i}:Get*","svc{i}:List*"],"Resource":"*"}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let many = [CompiledPolicy::parse("many", &text, PolicyKind::Identity).unwrap()];
    let input = EvaluationInput {
        identity: &many,
        ..Default::default()
    };
    let bob = Principal::new(
        PrincipalKind::User,
        "arn:aws:iam::123456789012:user/bob",
        "123456789012",
    );
    for i in [0, 17, 39] {
        let d = evaluate(
            &input,
            &Request::new(bob.clone(), format!("SVC{i}:GetThing"), "*"),
        );
        assert!(d.is_allowed(), "svc{i}");
        assert_eq!(d.statements[0].index, i);
    }
    let d = evaluate(&input, &Request::new(bob, "svc40:GetThing", "*"));
    assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
}

/// The index's resource gate (the common head of a statement's resource patterns) never
/// turns away a resource one of the patterns matches, also when the heads part in the
/// middle of a multi-byte character, and still turns away the others.
#[test]
fn resource_gate_keeps_every_pattern_of_a_statement() {
    let statement = |resources: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"s3:GetObject","Resource":{resources}}}}}"#
        )
    };
    let get = |resource: &str, policy: &str| {
        line(
            BOB,
            "s3:GetObject",
            resource,
            &format!(r#""policies":{{"identity":[{policy}]}}"#),
        )
    };
    let cases = [
        (
            r#"["arn:aws:s3:::alpha/*","arn:aws:s3:::beta/*"]"#,
            "arn:aws:s3:::beta/x",
            "Allow",
        ),
        (
            r#"["arn:aws:s3:::alpha/*","arn:aws:s3:::beta/*"]"#,
            "arn:aws:s3:::alpha/x",
            "Allow",
        ),
        (
            r#"["arn:aws:s3:::alpha/*","arn:aws:s3:::beta/*"]"#,
            "arn:aws:s3:::gamma/x",
            "ImplicitDeny:identity",
        ),
        // é and è share their first UTF-8 byte.
        (
            r#"["arn:aws:s3:::é/*","arn:aws:s3:::è/*"]"#,
            "arn:aws:s3:::è/x",
            "Allow",
        ),
        (
            r#"["arn:aws:s3:::é/*","arn:aws:s3:::è/*"]"#,
            "arn:aws:s3:::e/x",
            "ImplicitDeny:identity",
        ),
        (
            r#"["arn:aws:s3:::${aws:username}/*","arn:aws:s3:::shared/*"]"#,
            "arn:aws:s3:::bob/x",
            "Allow",
        ),
        (r#""arn:aws:s3:::*/bob""#, "arn:aws:s3:::any/bob", "Allow"),
        (
            r#""arn:aws:s3:::bucket-one-with-a-long-name/x""#,
            "arn:aws:s3:::bucket-one-with-a-long-name/x",
            "Allow",
        ),
        (
            r#""arn:aws:s3:::bucket-one-with-a-long-name/x""#,
            "arn:aws:s3:::bucket-one-with-a-long-namE/x",
            "ImplicitDeny:identity",
        ),
        (
            r#""arn:aws:s3:::short""#,
            "arn:aws:s3:::sho",
            "ImplicitDeny:identity",
        ),
    ];
    for (resources, resource, expected) in cases {
        check(&get(resource, &statement(resources)), expected);
    }
}
