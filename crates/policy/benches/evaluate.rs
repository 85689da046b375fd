//! Decision latency on compiled policies and throughput of the JSON-lines entry point.
#![expect(clippy::panic, reason = "a benchmark fails by panicking on bad setup")]

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use policy::{
    evaluate, offline, CompiledPolicy, EvaluationInput, PolicyKind, Principal, PrincipalKind,
    Request,
};

const SERVICES: [&str; 5] = ["s3", "ec2", "dynamodb", "sqs", "iam"];

/// Identity policy `n`: five statements over five services, some with conditions.
fn identity_policy(n: usize) -> String {
    let statements: Vec<String> = SERVICES
        .iter()
        .enumerate()
        .map(|(i, svc)| {
            let condition = if i % 2 == 0 {
                r#","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"},"Bool":{"aws:SecureTransport":"true"}}"#
            } else {
                ""
            };
            format!(
                r#"{{"Sid":"S{n}x{i}","Effect":"Allow","Action":["{svc}:Get*","{svc}:List*","{svc}:Describe*","{svc}:Create*"],"Resource":"arn:aws:{svc}::123456789012:thing{n}/${{aws:username}}/*"{condition}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

/// A policy of `n` statements on services the request never uses.
fn irrelevant_policy(n: usize) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"Effect":"Allow","Action":["svc{i}:Get*","svc{i}:Put*"],"Resource":"arn:aws:svc{i}:::r{i}/*"}}"#))
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

const BOUNDARY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:*","ec2:*"],"Resource":"*"},{"Effect":"Deny","Action":"iam:DeleteAccountPasswordPolicy","Resource":"*"}]}"#;
const SCP_ROOT: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
const SCP_OU: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":["organizations:LeaveOrganization","iam:CreateAccessKey"],"Resource":"*"}]}"#;
const SCP_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:*","ec2:*","dynamodb:*"],"Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}"#;

fn request() -> Request {
    let mut bob = Principal::new(
        PrincipalKind::User,
        "arn:aws:iam::123456789012:user/bob",
        "123456789012",
    );
    bob.tags.push(("team".into(), "red".into()));
    Request::new(
        bob,
        "iam:CreateUser",
        "arn:aws:iam::123456789012:thing7/bob/x",
    )
    .with_resource_account("123456789012")
    .with_context("aws:SecureTransport", true)
    .with_context("aws:SourceIp", "203.0.113.9")
    .with_context("aws:CurrentTime", "2026-11-29T10:00:00Z")
}

fn compile(id: &str, text: &str, kind: PolicyKind) -> CompiledPolicy {
    match CompiledPolicy::parse(id, text, kind) {
        Ok(p) => p,
        Err(e) => panic!("{id}: {e}"),
    }
}

fn bench_decisions(c: &mut Criterion) {
    let identity: Vec<CompiledPolicy> = (0..10)
        .map(|n| compile(&format!("p{n}"), &identity_policy(n), PolicyKind::Identity))
        .collect();
    let boundary = compile("boundary", BOUNDARY, PolicyKind::PermissionsBoundary);
    let scps = vec![
        vec![compile("root", SCP_ROOT, PolicyKind::ServiceControl)],
        vec![compile("ou", SCP_OU, PolicyKind::ServiceControl)],
        vec![compile("account", SCP_ACCOUNT, PolicyKind::ServiceControl)],
    ];
    let request = request();
    let input = EvaluationInput {
        identity: &identity,
        boundary: Some(&boundary),
        scp_levels: &scps,
        ..Default::default()
    };
    assert!(evaluate(&input, &request).is_allowed());
    let mut group = c.benchmark_group("decision");
    group.bench_function("typical", |b| {
        b.iter(|| black_box(evaluate(black_box(&input), black_box(&request))))
    });

    // The server's per-principal view: the identity policies combined into one index.
    let view = [CompiledPolicy::combine(
        "view",
        PolicyKind::Identity,
        &identity,
    )];
    let input_view = EvaluationInput {
        identity: &view,
        boundary: Some(&boundary),
        scp_levels: &scps,
        ..Default::default()
    };
    assert!(evaluate(&input_view, &request).is_allowed());
    group.bench_function("typical_combined_view", |b| {
        b.iter(|| black_box(evaluate(black_box(&input_view), black_box(&request))))
    });

    // The same principal with 1,000 more statements that cannot match the action.
    let mut crowded = identity.clone();
    for n in 0..20 {
        crowded.push(compile(
            &format!("noise{n}"),
            &irrelevant_policy(50),
            PolicyKind::Identity,
        ));
    }
    let input = EvaluationInput {
        identity: &crowded,
        boundary: Some(&boundary),
        scp_levels: &scps,
        ..Default::default()
    };
    assert!(evaluate(&input, &request).is_allowed());
    group.bench_function("typical_plus_1000_irrelevant", |b| {
        b.iter(|| black_box(evaluate(black_box(&input), black_box(&request))))
    });

    // SCP levels of an account directly under the root (root, account) against one five
    // OUs deep (root, five OUs, account), each level FullAWSAccess plus a guard, as the
    // server hands them over from its cache.
    let level = |name: &str| {
        vec![
            compile(
                &format!("{name}-full"),
                SCP_ROOT,
                PolicyKind::ServiceControl,
            ),
            compile(&format!("{name}-guard"), SCP_OU, PolicyKind::ServiceControl),
        ]
    };
    for (label, depth) in [("scp_under_root", 0), ("scp_5_ous_deep", 5)] {
        let mut levels = vec![level("root")];
        levels.extend((0..depth).map(|n| level(&format!("ou{n}"))));
        levels.push(level("account"));
        let input = EvaluationInput {
            identity: &view,
            boundary: Some(&boundary),
            scp_levels: &levels,
            ..Default::default()
        };
        assert!(evaluate(&input, &request).is_allowed());
        group.bench_function(label, |b| {
            b.iter(|| black_box(evaluate(black_box(&input), black_box(&request))))
        });
    }
    group.finish();
}

/// A request line like the CLI receives: 3 identity policies, a boundary, 2 SCP levels.
fn line() -> String {
    format!(
        r#"{{"principal":{{"arn":"arn:aws:iam::123456789012:user/bob","tags":{{"team":"red"}}}},"action":"iam:CreateUser","resource":"arn:aws:iam::123456789012:thing1/bob/x","resource_account":"123456789012","context":{{"aws:SecureTransport":true,"aws:SourceIp":"203.0.113.9"}},"policies":{{"identity":[{},{},{}],"boundary":{BOUNDARY},"scp":[[{SCP_ROOT}],[{SCP_OU}]]}}}}"#,
        identity_policy(0),
        identity_policy(1),
        identity_policy(2)
    )
}

fn bench_lines(c: &mut Criterion) {
    let line = line();
    let out = offline::evaluate_line(&line);
    assert!(out.starts_with(r#"{"decision":"Allow""#), "{out}");
    let mut group = c.benchmark_group("json_lines");
    group.throughput(Throughput::Elements(1));
    group.bench_function("evaluate_line", |b| {
        b.iter(|| black_box(offline::evaluate_line(black_box(&line))))
    });
    // The same line again and again, as a stream from one account: policies compile once.
    let mut evaluator = offline::LineEvaluator::new();
    group.bench_function("line_evaluator_cached", |b| {
        b.iter(|| black_box(evaluator.evaluate_line(black_box(&line))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench_decisions, bench_lines
}
criterion_main!(benches);
