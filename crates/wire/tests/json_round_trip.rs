//! awsJson1.1 services end to end: request bodies as SDKs send them in, typed operations
//! out; typed outputs in, response bodies out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

use wire::organizations::{self as orgs, Operation, Output};
use wire::service_quotas as quotas;

fn check_error(op: &str, body: &str, code: &str, message: &str) {
    let err = Operation::from_json(op, body.as_bytes()).unwrap_err();
    assert_eq!(
        (err.code.as_ref(), err.message.as_str()),
        (code, message),
        "{body}"
    );
}

#[test]
fn create_account_decodes() {
    let op = Operation::from_json(
        "CreateAccount",
        br#"{"Email":"a@example.com","AccountName":"dev","IamUserAccessToBilling":"ALLOW","Tags":[{"Key":"k","Value":"v"}],"Extra":1}"#,
    )
    .unwrap();
    assert_eq!(
        op,
        Operation::CreateAccount(orgs::CreateAccountRequest {
            email: "a@example.com".into(),
            account_name: "dev".into(),
            role_name: None,
            iam_user_access_to_billing: Some(orgs::IAMUserAccessToBilling::Allow),
            tags: Some(vec![orgs::Tag {
                key: "k".into(),
                value: "v".into()
            }]),
        })
    );
}

#[test]
fn bodies_and_operations() {
    assert_eq!(
        Operation::from_json("DescribeOrganization", b"").unwrap(),
        Operation::DescribeOrganization
    );
    assert_eq!(
        Operation::from_json("ListRoots", b"{}").unwrap(),
        Operation::ListRoots(orgs::ListRootsRequest::default())
    );
    let err = Operation::from_json("Nope", b"{}").unwrap_err();
    assert_eq!(err.code, "UnknownOperationException");
    let err = Operation::from_json("ListRoots", b"{").unwrap_err();
    assert_eq!(err.code, "SerializationException");
    let err = Operation::from_json("ListRoots", br#"{"MaxResults":"x"}"#).unwrap_err();
    assert_eq!(err.code, "SerializationException");
}

#[test]
fn validation_messages() {
    check_error(
        "CreateAccount",
        r#"{"AccountName":"dev"}"#,
        "ValidationException",
        "1 validation error detected: Value null at 'email' failed to satisfy constraint: Member must not be null",
    );
    check_error(
        "ListRoots",
        r#"{"MaxResults":0}"#,
        "ValidationException",
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    check_error(
        "DescribeAccount",
        r#"{"AccountId":"12"}"#,
        "ValidationException",
        "1 validation error detected: Value '12' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$",
    );
}

#[test]
fn create_account_status_encodes() {
    let out = Output::CreateAccount(orgs::CreateAccountResponse {
        create_account_status: Some(orgs::CreateAccountStatus {
            id: Some("car-exampleaaaaaaaaaaa".into()),
            account_name: Some("dev".into()),
            state: Some(orgs::CreateAccountState::InProgress),
            requested_timestamp: Some(time::macros::datetime!(2024-05-01 12:00:00.5 UTC)),
            ..Default::default()
        }),
    });
    assert_eq!(
        String::from_utf8(out.to_json()).unwrap(),
        r#"{"CreateAccountStatus":{"Id":"car-exampleaaaaaaaaaaa","AccountName":"dev","State":"IN_PROGRESS","RequestedTimestamp":1714564800.5}}"#
    );
    assert_eq!(Output::DeleteOrganization.to_json(), b"{}");
    assert_eq!(
        String::from_utf8(orgs::json_error_body(
            &orgs::errors::account_not_found_exception(
                "You specified an account that doesn't exist."
            )
        ))
        .unwrap(),
        r#"{"__type":"AccountNotFoundException","Message":"You specified an account that doesn't exist."}"#
    );
}

#[test]
fn service_quotas_round_trip() {
    let op = quotas::Operation::from_json(
        "GetServiceQuota",
        br#"{"ServiceCode":"iam","QuotaCode":"L-F4A5425F"}"#,
    )
    .unwrap();
    assert_eq!(op.name(), "GetServiceQuota");
    let out = quotas::Output::GetServiceQuota(quotas::GetServiceQuotaResponse {
        quota: Some(quotas::ServiceQuota {
            service_code: Some("iam".into()),
            value: Some(5000.0),
            adjustable: Some(true),
            ..Default::default()
        }),
    });
    assert_eq!(
        String::from_utf8(out.to_json()).unwrap(),
        r#"{"Quota":{"ServiceCode":"iam","Value":5000,"Adjustable":true}}"#
    );
    assert_eq!(quotas::TARGET_PREFIX, "ServiceQuotasV20190624");
    assert_eq!(quotas::SIGNING_NAME, "servicequotas");
}
