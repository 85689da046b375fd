//! Decoding never panics, whatever the bytes: arbitrary forms for the awsQuery services and
//! arbitrary JSON for the awsJson1.1 services, biased towards names the models use so the
//! generated decoders are walked deeply.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

use proptest::prelude::*;
use serde_json::Value;

const QUERY_WORDS: &[&str] = &[
    "Tags",
    "member",
    "entry",
    "key",
    "value",
    "Key",
    "Value",
    "1",
    "2",
    "3",
    "0",
    "-1",
    "UserName",
    "PolicyArns",
    "arn",
    "MaxItems",
    "Path",
    "Status",
    "ContextEntries",
    "ContextKeyValues",
    "ContextKeyName",
    "ContextKeyType",
    "ActionNames",
    "ResourceArns",
    "PolicyInputList",
    "ClientIDList",
    "ThumbprintList",
    "TagKeys",
    "DurationSeconds",
    "SerialNumber",
    "PermissionsBoundary",
    "Marker",
    "Filter",
    "EntityFilter",
    "Encoding",
    "OrganizationsPolicyId",
    "RoleSessionName",
    "TransitiveTagKeys",
    "ProvidedContexts",
];

const JSON_WORDS: &[&str] = &[
    "Email",
    "AccountName",
    "Tags",
    "Key",
    "Value",
    "MaxResults",
    "NextToken",
    "Target",
    "Id",
    "Type",
    "Notes",
    "Resources",
    "Filter",
    "ActionType",
    "ParentId",
    "PolicyId",
    "TargetId",
    "Content",
    "Name",
    "Description",
    "ServiceCode",
    "QuotaCode",
    "DesiredValue",
    "ContextId",
    "AwsRegion",
    "ExclusionList",
    "RequestedTimestamp",
    "Status",
    "Arn",
    "ServicePrincipal",
    "AccountId",
    "Handshake",
    "HandshakeId",
    "IamUserAccessToBilling",
];

fn query_key() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(QUERY_WORDS), 1..6).prop_map(|w| w.join("."))
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("true".to_owned()),
        Just("2024-05-01T12:00:00Z".to_owned()),
        "-?[0-9]{1,12}",
        "[a-zA-Z0-9%+=/:._ -]{0,20}",
        any::<String>(),
    ]
}

fn form(ops: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(ops),
        prop::collection::vec((query_key(), query_value()), 0..12),
    )
        .prop_map(|(action, pairs)| {
            let mut out = format!("Action={action}");
            for (k, v) in pairs {
                out.push('&');
                out.push_str(&k);
                out.push('=');
                out.push_str(&v.replace('&', "%26"));
            }
            out.into_bytes()
        })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9@.=_-]{0,16}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(JSON_WORDS), inner), 0..6).prop_map(
                |members| Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect()
                )
            ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn iam_forms(body in form(wire::iam::OPERATION_NAMES)) {
        if let Ok(params) = wire::query::QueryParams::parse(&body) {
            let _ = wire::iam::Operation::from_query(&params);
        }
    }

    #[test]
    fn sts_forms(body in form(wire::sts::OPERATION_NAMES)) {
        if let Ok(params) = wire::query::QueryParams::parse(&body) {
            let _ = wire::sts::Operation::from_query(&params);
        }
    }

    #[test]
    fn raw_forms(body in any::<Vec<u8>>()) {
        if let Ok(params) = wire::query::QueryParams::parse(&body) {
            let _ = wire::iam::Operation::from_query(&params);
        }
    }

    #[test]
    fn organizations_json(
        op in prop::sample::select(wire::organizations::OPERATION_NAMES),
        body in json_value(),
    ) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let _ = wire::organizations::Operation::from_json(op, &bytes);
    }

    #[test]
    fn service_quotas_json(
        op in prop::sample::select(wire::service_quotas::OPERATION_NAMES),
        body in json_value(),
    ) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let _ = wire::service_quotas::Operation::from_json(op, &bytes);
    }

    #[test]
    fn raw_json(op in prop::sample::select(wire::organizations::OPERATION_NAMES), body in any::<Vec<u8>>()) {
        let _ = wire::organizations::Operation::from_json(op, &body);
    }
}
