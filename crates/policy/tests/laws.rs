//! Engine laws, checked on generated policies and requests:
//! - an applicable explicit deny is never overridden;
//! - adding an `Allow` statement never turns an allow into a deny;
//! - an SCP deny binds member accounts and never the management account;
//! - `NotAction`/`NotResource`/`NotPrincipal` are the complements they claim;
//! - parse → print → parse gives the same document;
//! - a combined policy decides like the list it was made of.
#![expect(
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers fail by panicking"
)]

use policy::{
    evaluate, CompiledPolicy, DecisionEffect, EvaluationInput, PolicyDocument, PolicyKind,
    PolicyType, Principal, PrincipalKind, Request,
};
use proptest::prelude::*;

const ACCOUNT: &str = "111111111111";
const ACTIONS: [&str; 6] = [
    "s3:GetObject",
    "s3:PutObject",
    "iam:CreateUser",
    "iam:GetUser",
    "ec2:RunInstances",
    "sqs:SendMessage",
];
const ACTION_PATTERNS: [&str; 9] = [
    "s3:*",
    "s3:Get*",
    "iam:*",
    "iam:?etUser",
    "ec2:Run*",
    "*",
    "sqs:SendMessage",
    "IAM:createuser",
    "*:Get*",
];
const RESOURCES: [&str; 4] = [
    "arn:aws:s3:::b/k",
    "arn:aws:iam::111111111111:user/x",
    "arn:aws:sqs:us-east-1:111111111111:q",
    "*",
];
const RESOURCE_PATTERNS: [&str; 6] = [
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:iam::*:user/*",
    "arn:aws:sqs:*:111111111111:*",
    "arn:aws:s3:::other/*",
    "arn:aws:*",
];

fn statement_json(
    effect: &str,
    actions: &[usize],
    resources: &[usize],
    negate_action: bool,
    negate_resource: bool,
) -> String {
    let list = |items: Vec<&str>| {
        format!(
            "[{}]",
            items
                .iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let a = list(
        actions
            .iter()
            .map(|i| ACTION_PATTERNS[i % ACTION_PATTERNS.len()])
            .collect(),
    );
    let r = list(
        resources
            .iter()
            .map(|i| RESOURCE_PATTERNS[i % RESOURCE_PATTERNS.len()])
            .collect(),
    );
    format!(
        r#"{{"Effect":"{effect}","{}":{a},"{}":{r}}}"#,
        if negate_action { "NotAction" } else { "Action" },
        if negate_resource {
            "NotResource"
        } else {
            "Resource"
        }
    )
}

fn arb_statement() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("Allow"), Just("Deny")],
        prop::collection::vec(0usize..100, 1..3),
        prop::collection::vec(0usize..100, 1..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(e, a, r, na, nr)| {
            statement_json(e, &a, &r, na && a.len() == 1, nr && r.len() == 1)
        })
}

fn arb_policy_text() -> impl Strategy<Value = String> {
    prop::collection::vec(arb_statement(), 1..4).prop_map(|s| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            s.join(",")
        )
    })
}

fn compile(id: &str, text: &str, kind: PolicyKind) -> CompiledPolicy {
    CompiledPolicy::parse(id, text, kind).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[derive(Debug, Clone)]
struct Setup {
    identity: Vec<String>,
    boundary: Option<String>,
    session: Vec<String>,
    scp: Vec<Vec<String>>,
    action: usize,
    resource: usize,
    management: bool,
}

fn arb_setup() -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(arb_policy_text(), 0..4),
        prop::option::of(arb_policy_text()),
        prop::collection::vec(arb_policy_text(), 0..2),
        prop::collection::vec(prop::collection::vec(arb_policy_text(), 1..3), 0..3),
        0usize..ACTIONS.len(),
        0usize..RESOURCES.len(),
        any::<bool>(),
    )
        .prop_map(
            |(identity, boundary, session, scp, action, resource, management)| Setup {
                identity,
                boundary,
                session,
                scp,
                action,
                resource,
                management,
            },
        )
}

struct Compiled {
    identity: Vec<CompiledPolicy>,
    boundary: Option<CompiledPolicy>,
    session: Vec<CompiledPolicy>,
    scp: Vec<Vec<CompiledPolicy>>,
}

fn compile_setup(s: &Setup) -> Compiled {
    Compiled {
        identity: s
            .identity
            .iter()
            .enumerate()
            .map(|(i, t)| compile(&format!("i{i}"), t, PolicyKind::Identity))
            .collect(),
        boundary: s
            .boundary
            .as_ref()
            .map(|t| compile("b", t, PolicyKind::PermissionsBoundary)),
        session: s
            .session
            .iter()
            .map(|t| compile("s", t, PolicyKind::Session))
            .collect(),
        scp: s
            .scp
            .iter()
            .map(|level| {
                level
                    .iter()
                    .map(|t| compile("scp", t, PolicyKind::ServiceControl))
                    .collect()
            })
            .collect(),
    }
}

fn request(s: &Setup) -> Request {
    let bob = Principal::new(
        PrincipalKind::User,
        "arn:aws:iam::111111111111:user/bob",
        ACCOUNT,
    );
    Request::new(bob, ACTIONS[s.action], RESOURCES[s.resource]).with_resource_account(ACCOUNT)
}

fn decide(c: &Compiled, s: &Setup) -> (DecisionEffect, Option<PolicyType>) {
    let input = EvaluationInput {
        identity: &c.identity,
        boundary: c.boundary.as_ref(),
        session: &c.session,
        scp_levels: &c.scp,
        principal_in_management_account: s.management,
        ..Default::default()
    };
    let d = evaluate(&input, &request(s));
    (d.effect, d.policy_type)
}

fn deny_statement(s: &Setup) -> String {
    format!(
        r#"{{"Effect":"Deny","Action":"{}","Resource":"*"}}"#,
        ACTIONS[s.action]
    )
}

fn deny_for(s: &Setup) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":{}}}"#,
        deny_statement(s)
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn explicit_deny_is_never_overridden(mut s in arb_setup(), place in 0usize..4) {
        let deny = deny_for(&s);
        let statement = deny_statement(&s);
        match place {
            0 => s.identity.push(deny),
            1 => match &mut s.boundary {
                Some(b) => *b = b.replacen("\"Statement\":[", &format!("\"Statement\":[{},", statement), 1),
                None => s.boundary = Some(deny),
            },
            2 => s.session.push(deny),
            _ => {
                s.management = false;
                s.scp.push(vec![deny]);
            }
        }
        let (effect, _) = decide(&compile_setup(&s), &s);
        prop_assert_eq!(effect, DecisionEffect::ExplicitDeny);
    }

    #[test]
    fn adding_an_allow_keeps_an_allow(s in arb_setup(), extra in arb_policy_text(), place in 0usize..2) {
        let before = decide(&compile_setup(&s), &s).0;
        let allow_only = extra.replace("\"Deny\"", "\"Allow\"");
        let mut t = s.clone();
        match place {
            0 => t.identity.push(allow_only),
            _ => {
                if let Some(level) = t.scp.first_mut() {
                    level.push(allow_only);
                } else {
                    t.identity.push(allow_only);
                }
            }
        }
        let after = decide(&compile_setup(&t), &t).0;
        if before == DecisionEffect::Allow {
            prop_assert_eq!(after, DecisionEffect::Allow);
        }
    }

    #[test]
    fn combined_policy_evaluates_like_the_list(s in arb_setup(), all_matches in any::<bool>()) {
        let c = compile_setup(&s);
        let combined = [CompiledPolicy::combine("view", PolicyKind::Identity, &c.identity)];
        let run = |identity: &[CompiledPolicy]| {
            let input = EvaluationInput {
                identity,
                boundary: c.boundary.as_ref(),
                session: &c.session,
                scp_levels: &c.scp,
                principal_in_management_account: s.management,
                all_matches,
                ..Default::default()
            };
            let d = evaluate(&input, &request(&s));
            let statements: Vec<(String, usize)> =
                d.statements.iter().map(|m| (m.policy_id().to_owned(), m.index)).collect();
            (d.effect, d.policy_type, statements)
        };
        prop_assert_eq!(run(&c.identity), run(&combined));
    }

    #[test]
    fn scp_deny_binds_members_not_the_management_account(mut s in arb_setup(), management in any::<bool>()) {
        s.management = management;
        s.scp.push(vec![deny_for(&s)]);
        let (effect, ptype) = decide(&compile_setup(&s), &s);
        if management {
            prop_assert_ne!(ptype, Some(PolicyType::ServiceControl));
        } else {
            prop_assert_eq!((effect, ptype), (DecisionEffect::ExplicitDeny, Some(PolicyType::ServiceControl)));
        }
    }

    #[test]
    fn not_elements_are_complements(
        patterns in prop::collection::vec(0usize..100, 1..4),
        action in 0usize..ACTIONS.len(),
        resource in 0usize..RESOURCES.len(),
        on_resource in any::<bool>(),
    ) {
        let allowed = |negate: bool| {
            let statement = if on_resource {
                statement_json("Allow", &[5], &patterns, false, negate)
            } else {
                statement_json("Allow", &patterns, &[0], negate, false)
            };
            let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
            let identity = [compile("p", &text, PolicyKind::Identity)];
            let s = Setup { identity: vec![], boundary: None, session: vec![], scp: vec![], action, resource, management: false };
            let input = EvaluationInput { identity: &identity, ..Default::default() };
            evaluate(&input, &request(&s)).is_allowed()
        };
        prop_assert_ne!(allowed(false), allowed(true));
    }

    #[test]
    fn not_principal_is_the_complement(who in 0usize..4, named in prop::collection::vec(0usize..4, 1..3)) {
        let principals = [
            ("arn:aws:iam::111111111111:user/bob", PrincipalKind::User, None),
            ("arn:aws:iam::111111111111:user/eve", PrincipalKind::User, None),
            ("arn:aws:sts::111111111111:assumed-role/R/s", PrincipalKind::AssumedRole, Some("arn:aws:iam::111111111111:role/R")),
            ("arn:aws:iam::111111111111:root", PrincipalKind::Root, None),
        ];
        let names: Vec<String> = named.iter().map(|i| format!("\"{}\"", principals[*i].0)).collect();
        let allowed = |negate: bool| {
            let text = format!(
                r#"{{"Statement":{{"Effect":"Allow","{}":{{"AWS":[{}]}},"Action":"s3:GetObject","Resource":"*"}}}}"#,
                if negate { "NotPrincipal" } else { "Principal" },
                names.join(",")
            );
            let resource = compile("r", &text, PolicyKind::Resource);
            let (arn, kind, underlying) = principals[who];
            let mut p = Principal::new(kind, arn, "222222222222");
            p.underlying_arn = underlying.map(str::to_owned);
            // Cross-account with an identity allow, so the resource policy alone decides.
            let identity = [compile("i", r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#, PolicyKind::Identity)];
            let input = EvaluationInput { identity: &identity, resource: Some(&resource), ..Default::default() };
            let r = Request::new(p, "s3:GetObject", "arn:aws:s3:::b/k").with_resource_account("333333333333");
            evaluate(&input, &r).is_allowed()
        };
        prop_assert_ne!(allowed(false), allowed(true));
    }
}

fn arb_document() -> impl Strategy<Value = String> {
    let string_or_list = |items: Vec<String>, as_list: bool| {
        if items.len() == 1 && !as_list {
            format!("\"{}\"", items[0])
        } else {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
    };
    let statement = (
        prop::option::of("[A-Za-z0-9]{1,8}"),
        any::<bool>(),
        prop::collection::vec("[a-z0-9]{1,6}:[A-Za-z*?]{1,8}", 1..3),
        any::<bool>(),
        prop::collection::vec(prop_oneof![Just("*".to_owned()), "arn:aws:s3:::[a-z/*${}:]{0,12}"], 1..3),
        any::<bool>(),
        prop::option::of((
            prop_oneof![Just("StringEquals"), Just("ForAnyValue:StringLike"), Just("NumericLessThanIfExists"), Just("Bool"), Just("IpAddress")],
            "[a-z]{1,5}:[A-Za-z/]{1,8}",
            prop::collection::vec(prop_oneof!["[a-z0-9 ]{0,6}".prop_map(|s| format!("\"{s}\"")), (0u32..1000).prop_map(|n| n.to_string()), any::<bool>().prop_map(|b| b.to_string())], 1..3),
        )),
        prop::option::of(prop_oneof![Just("\"*\"".to_owned()), "[0-9]{12}".prop_map(|a| format!("{{\"AWS\":[\"{a}\",\"arn:aws:iam::{a}:role/r\"],\"Service\":\"ec2.amazonaws.com\"}}"))]),
        any::<bool>(),
    )
        .prop_map(move |(sid, allow, actions, al, resources, rl, condition, principal, not)| {
            let mut parts = Vec::new();
            if let Some(sid) = sid {
                parts.push(format!("\"Sid\":\"{sid}\""));
            }
            parts.push(format!("\"Effect\":\"{}\"", if allow { "Allow" } else { "Deny" }));
            if let Some(p) = principal {
                parts.push(format!("\"{}\":{p}", if not { "NotPrincipal" } else { "Principal" }));
            }
            parts.push(format!("\"{}\":{}", if not { "NotAction" } else { "Action" }, string_or_list(actions, al)));
            parts.push(format!("\"{}\":{}", if not { "NotResource" } else { "Resource" }, string_or_list(resources, rl)));
            if let Some((op, key, values)) = condition {
                let v = if values.len() == 1 { values[0].clone() } else { format!("[{}]", values.join(",")) };
                parts.push(format!("\"Condition\":{{\"{op}\":{{\"{key}\":{v}}}}}"));
            }
            format!("{{{}}}", parts.join(","))
        });
    (
        prop::collection::vec(statement, 1..4),
        any::<bool>(),
        prop::option::of("[a-z0-9-]{0,8}"),
    )
        .prop_map(|(statements, as_list, id)| {
            let statement = if statements.len() == 1 && !as_list {
                statements[0].clone()
            } else {
                format!("[{}]", statements.join(","))
            };
            let id = id.map(|i| format!("\"Id\":\"{i}\",")).unwrap_or_default();
            format!("{{\"Version\":\"2012-10-17\",{id}\"Statement\":{statement}}}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn parse_print_parse_is_identity(text in arb_document()) {
        // Some generated documents are invalid (duplicate Sids, bad vendors): skip those.
        if let Ok(doc) = PolicyDocument::parse(&text, PolicyKind::Resource) {
            let printed = doc.to_json();
            let again = PolicyDocument::parse(&printed, PolicyKind::Resource);
            prop_assert_eq!(again.as_ref(), Ok(&doc), "{}", printed);
            prop_assert_eq!(again.map(|d| d.to_json()), Ok(printed));
        }
    }
}
