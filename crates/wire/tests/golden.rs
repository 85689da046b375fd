//! Whole response bodies and error documents compared with files in `tests/golden/`.
//! Refresh them with `GATEHOUSE_BLESS=1 cargo test -p wire --test golden` and review the
//! diff; never edit them by hand. Cases are seeded from the models' `examples-1.json`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use time::macros::datetime;
use wire::query::QueryParams;
use wire::{iam, organizations as orgs, service_quotas as quotas, sts};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("GATEHOUSE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no golden file {name}: run `GATEHOUSE_BLESS=1 cargo test -p wire --test golden`")
    });
    assert_eq!(
        actual, expected,
        "{name} differs from its golden file; if the change is intended, rerun with GATEHOUSE_BLESS=1 and review the diff"
    );
}

fn iam_request(form: &str) -> iam::Operation {
    iam::Operation::from_query(&QueryParams::parse(form.as_bytes()).unwrap()).unwrap()
}

fn iam_error(form: &str) -> wire::ServiceError {
    iam::Operation::from_query(&QueryParams::parse(form.as_bytes()).unwrap()).unwrap_err()
}

#[test]
fn iam_create_user() {
    // examples-1.json, CreateUser: "To create an IAM user".
    assert_eq!(
        iam_request("Action=CreateUser&Version=2010-05-08&UserName=Bob"),
        iam::Operation::CreateUser(iam::CreateUserRequest {
            user_name: "Bob".into(),
            ..Default::default()
        })
    );
    let out = iam::Output::CreateUser(iam::CreateUserResponse {
        user: Some(iam::User {
            arn: "arn:aws:iam::123456789012:user/Bob".into(),
            create_date: datetime!(2013-06-08 03:20:41.270 UTC),
            path: "/".into(),
            user_id: "AKIAIOSFODNN7EXAMPLE".into(),
            user_name: "Bob".into(),
            ..Default::default()
        }),
    });
    golden(
        "iam/create_user.xml",
        &out.to_query_xml("7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"),
    );
}

#[test]
fn iam_get_account_summary() {
    // examples-1.json, GetAccountSummary (a map output), abridged.
    assert_eq!(
        iam_request("Action=GetAccountSummary&Version=2010-05-08"),
        iam::Operation::GetAccountSummary
    );
    let summary: BTreeMap<String, i32> = [
        ("AccessKeysPerUserQuota", 2),
        ("AccountMFAEnabled", 0),
        ("Groups", 15),
        ("Users", 27),
        ("UsersQuota", 5000),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let out = iam::Output::GetAccountSummary(iam::GetAccountSummaryResponse {
        summary_map: Some(summary),
    });
    golden(
        "iam/get_account_summary.xml",
        &out.to_query_xml("req-summary"),
    );
}

#[test]
fn iam_list_access_keys() {
    // examples-1.json, ListAccessKeys: "To list the access key IDs for an IAM user".
    assert_eq!(
        iam_request("Action=ListAccessKeys&Version=2010-05-08&UserName=Alice"),
        iam::Operation::ListAccessKeys(iam::ListAccessKeysRequest {
            user_name: Some("Alice".into()),
            ..Default::default()
        })
    );
    let key = |id: &str, created| iam::AccessKeyMetadata {
        access_key_id: Some(id.into()),
        create_date: Some(created),
        status: Some(iam::StatusType::Active),
        user_name: Some("Alice".into()),
    };
    let out = iam::Output::ListAccessKeys(iam::ListAccessKeysResponse {
        access_key_metadata: vec![
            key("AKIA111111111EXAMPLE", datetime!(2016-12-01 22:19:58 UTC)),
            key("AKIA222222222EXAMPLE", datetime!(2016-12-01 22:20:01 UTC)),
        ],
        is_truncated: Some(false),
        marker: None,
    });
    golden("iam/list_access_keys.xml", &out.to_query_xml("req-keys"));
}

#[test]
fn iam_create_access_key() {
    // examples-1.json, CreateAccessKey: "To create an access key for an IAM user".
    let out = iam::Output::CreateAccessKey(iam::CreateAccessKeyResponse {
        access_key: iam::AccessKey {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            create_date: Some(datetime!(2015-03-09 18:39:23.411 UTC)),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY".into(),
            status: iam::StatusType::Active,
            user_name: "Bob".into(),
        },
    });
    golden("iam/create_access_key.xml", &out.to_query_xml("req-key"));
}

#[test]
fn iam_errors() {
    let err = iam::errors::no_such_entity("The user with name Bob cannot be found.");
    golden(
        "iam/error_no_such_entity.xml",
        &iam::query_error_xml(&err, "req-err"),
    );
    let err = iam_error("Action=CreateUser&Version=2010-05-08&UserName=b%26b&Path=nope");
    golden(
        "iam/error_validation.xml",
        &iam::query_error_xml(&err, "req-val"),
    );
    let err = iam_error("Action=NoSuchThing&Version=2010-05-08");
    golden(
        "iam/error_invalid_action.xml",
        &iam::query_error_xml(&err, "req-act"),
    );
}

#[test]
fn sts_assume_role() {
    // examples-1.json, AssumeRole: "To assume a role", sent as the AWS CLI sends it.
    let form = "Action=AssumeRole&Version=2011-06-15&ExternalId=123ABC\
        &Policy=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22Stmt1%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AListAllMyBuckets%22%2C%22Resource%22%3A%22*%22%7D%5D%7D\
        &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=testAssumeRoleSession\
        &Tags.member.1.Key=Project&Tags.member.1.Value=Unicorn&Tags.member.2.Key=Team&Tags.member.2.Value=Automation\
        &Tags.member.3.Key=Cost-Center&Tags.member.3.Value=12345\
        &TransitiveTagKeys.member.1=Project&TransitiveTagKeys.member.2=Cost-Center";
    let op = sts::Operation::from_query(&QueryParams::parse(form.as_bytes()).unwrap()).unwrap();
    golden("sts/assume_role_request.txt", &format!("{op:#?}\n"));
    let out = sts::Output::AssumeRole(sts::AssumeRoleResponse {
        assumed_role_user: Some(sts::AssumedRoleUser {
            arn: "arn:aws:sts::123456789012:assumed-role/demo/Bob".into(),
            assumed_role_id: "ARO123EXAMPLE123:Bob".into(),
        }),
        credentials: Some(sts::Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            expiration: datetime!(2011-07-15 23:28:33.359 UTC),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY".into(),
            session_token: "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==".into(),
        }),
        packed_policy_size: Some(8),
        source_identity: None,
    });
    golden("sts/assume_role.xml", &out.to_query_xml("req-assume"));
}

#[test]
fn sts_get_caller_identity() {
    let out = sts::Output::GetCallerIdentity(sts::GetCallerIdentityResponse {
        account: Some("123456789012".into()),
        arn: Some("arn:aws:iam::123456789012:user/Alice".into()),
        user_id: Some("AKIAI44QH8DHBEXAMPLE".into()),
    });
    golden("sts/get_caller_identity.xml", &out.to_query_xml("req-who"));
    let err = sts::errors::expired_token_exception(
        "The security token included in the request is expired",
    );
    golden(
        "sts/error_expired_token.xml",
        &sts::query_error_xml(&err, "req-exp"),
    );
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap() + "\n"
}

#[test]
fn organizations_create_account() {
    // examples-1.json, CreateAccount: "To create a new account that is automatically part of the organization".
    let op = orgs::Operation::from_json(
        "CreateAccount",
        br#"{"AccountName":"Production Account","Email":"susan@example.com"}"#,
    )
    .unwrap();
    golden(
        "organizations/create_account_request.txt",
        &format!("{op:#?}\n"),
    );
    let out = orgs::Output::CreateAccount(orgs::CreateAccountResponse {
        create_account_status: Some(orgs::CreateAccountStatus {
            id: Some("car-examplecreateaccountrequestid111".into()),
            state: Some(orgs::CreateAccountState::InProgress),
            ..Default::default()
        }),
    });
    golden("organizations/create_account.json", &text(out.to_json()));
}

#[test]
fn organizations_describe_and_list() {
    // examples-1.json, DescribeOrganization and ListAccounts (first two accounts).
    let out = orgs::Output::DescribeOrganization(orgs::DescribeOrganizationResponse {
        organization: Some(orgs::Organization {
            arn: Some("arn:aws:organizations::111111111111:organization/o-exampleorgid".into()),
            available_policy_types: Some(vec![orgs::PolicyTypeSummary {
                status: Some(orgs::PolicyTypeStatus::Enabled),
                type_: Some(orgs::PolicyType::ServiceControlPolicy),
            }]),
            feature_set: Some(orgs::OrganizationFeatureSet::All),
            id: Some("o-exampleorgid".into()),
            master_account_arn: Some(
                "arn:aws:organizations::111111111111:account/o-exampleorgid/111111111111".into(),
            ),
            master_account_email: Some("bill@example.com".into()),
            ..Default::default()
        }),
    });
    golden(
        "organizations/describe_organization.json",
        &text(out.to_json()),
    );
    let account = |id: &str, email: &str, name: &str, joined| orgs::Account {
        arn: Some(format!(
            "arn:aws:organizations::111111111111:account/o-exampleorgid/{id}"
        )),
        email: Some(email.into()),
        id: Some(id.into()),
        joined_method: Some(orgs::AccountJoinedMethod::Invited),
        joined_timestamp: Some(joined),
        name: Some(name.into()),
        status: Some(orgs::AccountStatus::Active),
        ..Default::default()
    };
    let out = orgs::Output::ListAccounts(orgs::ListAccountsResponse {
        accounts: Some(vec![
            account(
                "111111111111",
                "bill@example.com",
                "Master Account",
                datetime!(2016-12-15 19:30:15 UTC),
            ),
            account(
                "222222222222",
                "alice@example.com",
                "Developer Account",
                datetime!(2016-12-15 21:02:21 UTC),
            ),
        ]),
        next_token: None,
    });
    golden("organizations/list_accounts.json", &text(out.to_json()));
}

#[test]
fn organizations_errors() {
    let err =
        orgs::errors::account_not_found_exception("You specified an account that doesn't exist.");
    golden(
        "organizations/error_account_not_found.json",
        &text(orgs::json_error_body(&err)),
    );
    let err = orgs::Operation::from_json("CreateAccount", br#"{"Email":"nope","AccountName":""}"#)
        .unwrap_err();
    assert_eq!(err.status, 400);
    golden(
        "organizations/error_validation.json",
        &text(orgs::json_error_body(&err)),
    );
    let err = orgs::Operation::from_json("ListAccounts", br#"{"MaxResults":"ten"}"#).unwrap_err();
    golden(
        "organizations/error_serialization.json",
        &text(orgs::json_error_body(&err)),
    );
}

#[test]
fn service_quotas_get_service_quota() {
    let op = quotas::Operation::from_json(
        "GetServiceQuota",
        br#"{"ServiceCode":"iam","QuotaCode":"L-F4A5425F"}"#,
    )
    .unwrap();
    golden(
        "service_quotas/get_service_quota_request.txt",
        &format!("{op:#?}\n"),
    );
    let out = quotas::Output::GetServiceQuota(quotas::GetServiceQuotaResponse {
        quota: Some(quotas::ServiceQuota {
            service_code: Some("iam".into()),
            service_name: Some("AWS Identity and Access Management (IAM)".into()),
            quota_arn: Some("arn:aws:servicequotas:::iam/L-F4A5425F".into()),
            quota_code: Some("L-F4A5425F".into()),
            quota_name: Some("Users per account".into()),
            value: Some(5000.0),
            unit: Some("None".into()),
            adjustable: Some(true),
            global_quota: Some(true),
            ..Default::default()
        }),
    });
    golden(
        "service_quotas/get_service_quota.json",
        &text(out.to_json()),
    );
}
