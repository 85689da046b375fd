//! awsQuery services end to end: form bodies as the AWS CLI sends them in, typed
//! operations out; typed outputs in, response documents out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

use wire::iam::{self, Operation, Output};
use wire::query::QueryParams;
use wire::sts;
use wire::ServiceError;

fn decode(form: &str) -> Result<Operation, ServiceError> {
    let params = QueryParams::parse(form.as_bytes())?;
    Operation::from_query(&params)
}

fn check_error(form: &str, code: &str, message: &str) {
    let err = decode(form).unwrap_err();
    assert_eq!(
        (err.code.as_ref(), err.message.as_str()),
        (code, message),
        "{form}"
    );
    assert_eq!(err.status, 400);
}

#[test]
fn create_user_decodes() {
    let op = decode(
        "Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fdev%2F\
         &Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.2.Key=k2&Tags.member.2.Value=",
    )
    .unwrap();
    assert_eq!(
        op,
        Operation::CreateUser(iam::CreateUserRequest {
            path: Some("/dev/".into()),
            user_name: "bob".into(),
            permissions_boundary: None,
            tags: Some(vec![
                iam::Tag {
                    key: "k".into(),
                    value: "v".into()
                },
                iam::Tag {
                    key: "k2".into(),
                    value: String::new()
                },
            ]),
        })
    );
    assert_eq!(op.name(), "CreateUser");
}

#[test]
fn lists_stop_at_the_first_gap_and_empty_lists_decode() {
    let op = decode(
        "Action=CreateUser&UserName=bob&Tags.member.1.Key=a&Tags.member.1.Value=1\
         &Tags.member.3.Key=c&Tags.member.3.Value=3",
    )
    .unwrap();
    let Operation::CreateUser(input) = op else {
        panic!("wrong operation")
    };
    assert_eq!(input.tags.map(|t| t.len()), Some(1));

    let op = decode("Action=CreateUser&UserName=bob&Tags=").unwrap();
    let Operation::CreateUser(input) = op else {
        panic!("wrong operation")
    };
    assert_eq!(input.tags, Some(vec![]));
}

#[test]
fn operations_without_input_and_scalars() {
    assert_eq!(
        decode("Action=GetAccountSummary&Version=2010-05-08").unwrap(),
        Operation::GetAccountSummary
    );
    let op = decode("Action=ListUsers&MaxItems=10&Marker=abc").unwrap();
    assert_eq!(
        op,
        Operation::ListUsers(iam::ListUsersRequest {
            path_prefix: None,
            marker: Some("abc".into()),
            max_items: Some(10),
        })
    );
    let op =
        decode("Action=UpdateAccessKey&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=Inactive").unwrap();
    let Operation::UpdateAccessKey(input) = op else {
        panic!("wrong operation")
    };
    assert_eq!(input.status, iam::StatusType::Inactive);
}

#[test]
fn action_errors() {
    check_error(
        "Version=2010-05-08",
        "MissingAction",
        "Could not find operation  for version 2010-05-08",
    );
    let err = decode("Action=MakeCoffee&Version=2010-05-08").unwrap_err();
    assert_eq!(err.code, "InvalidAction");
}

#[test]
fn validation_messages() {
    check_error(
        "Action=CreateUser",
        "ValidationError",
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
    );
    let long = "a".repeat(65);
    check_error(
        &format!("Action=CreateUser&UserName={long}"),
        "ValidationError",
        &format!("1 validation error detected: Value '{long}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"),
    );
    check_error(
        "Action=ListUsers&MaxItems=0",
        "ValidationError",
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    check_error(
        "Action=UpdateAccessKey&AccessKeyId=AKIAIOSFODNN7EXAMPLE&Status=On",
        "ValidationError",
        "1 validation error detected: Value 'On' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
    );
    check_error(
        "Action=CreateUser&UserName=bob&Tags.member.1.Key=k",
        "ValidationError",
        "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    );
    check_error(
        "Action=CreateUser&UserName=b%20b&Path=x",
        "ValidationError",
        "2 validation errors detected: Value 'x' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); Value 'b b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
}

#[test]
fn list_lengths_quote_scalar_lists() {
    let keys: Vec<String> = (1..=51).map(|i| format!("k{i}")).collect();
    let form: String = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("&TransitiveTagKeys.member.{}={k}", i + 1))
        .collect();
    let err = wire::sts::Operation::from_query(
        &QueryParams::parse(
            format!("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=sess{form}")
                .as_bytes(),
        )
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        format!(
            "1 validation error detected: Value '[{}]' at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50",
            keys.join(", ")
        )
    );
    check_error(
        "Action=CreateOpenIDConnectProvider&Url=https%3A%2F%2Fexample.com&ClientIDList.member.1=a&ClientIDList.member.2=",
        "ValidationError",
        "1 validation error detected: Value '' at 'clientIDList.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
}

#[test]
fn create_user_response_encodes() {
    let created = time::macros::datetime!(2024-05-01 12:00:00 UTC);
    let out = Output::CreateUser(iam::CreateUserResponse {
        user: Some(iam::User {
            path: "/".into(),
            user_name: "bob".into(),
            user_id: "AIDAEXAMPLE".into(),
            arn: "arn:aws:iam::123456789012:user/bob".into(),
            create_date: created,
            tags: Some(vec![iam::Tag {
                key: "k".into(),
                value: "a<b".into(),
            }]),
            ..Default::default()
        }),
    });
    assert_eq!(out.operation_name(), "CreateUser");
    assert_eq!(
        out.to_query_xml("req-1"),
        "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateUserResult><User>\
         <Path>/</Path><UserName>bob</UserName><UserId>AIDAEXAMPLE</UserId>\
         <Arn>arn:aws:iam::123456789012:user/bob</Arn><CreateDate>2024-05-01T12:00:00Z</CreateDate>\
         <Tags><member><Key>k</Key><Value>a&lt;b</Value></member></Tags></User></CreateUserResult>\
         <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></CreateUserResponse>"
    );
}

#[test]
fn outputs_without_shape_have_no_result() {
    assert_eq!(
        Output::DeleteUser.to_query_xml("r"),
        "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
         <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>"
    );
}

#[test]
fn errors_table() {
    let err = iam::errors::no_such_entity("The user with name bob cannot be found.");
    assert_eq!((err.code.as_ref(), err.status), ("NoSuchEntity", 404));
    assert_eq!(iam::error_status("EntityAlreadyExists"), Some(409));
    assert_eq!(iam::error_status("LimitExceeded"), Some(409));
    assert_eq!(iam::error_status("DeleteConflict"), Some(409));
    assert_eq!(iam::error_status("Nope"), None);
    assert_eq!(
        iam::errors::service_failure("x").fault,
        wire::Fault::Receiver
    );
    assert_eq!(
        iam::query_error_xml(&err, "req-2"),
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
         <Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error>\
         <RequestId>req-2</RequestId></ErrorResponse>"
    );
    assert_eq!(sts::error_status("ExpiredTokenException"), Some(400));
}

#[test]
fn sts_round_trip() {
    let op = wire::sts::Operation::from_query(
        &QueryParams::parse(
            b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr\
              &RoleSessionName=sess&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
        )
        .unwrap(),
    )
    .unwrap();
    let wire::sts::Operation::AssumeRole(input) = op else {
        panic!("wrong operation")
    };
    assert_eq!(input.duration_seconds, Some(900));
    assert_eq!(
        input.policy_arns.unwrap()[0].arn.as_deref(),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );

    let out = wire::sts::Output::GetCallerIdentity(wire::sts::GetCallerIdentityResponse {
        user_id: Some("AIDAEXAMPLE".into()),
        account: Some("123456789012".into()),
        arn: Some("arn:aws:iam::123456789012:user/bob".into()),
    });
    assert_eq!(
        out.to_query_xml("r"),
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
         <UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/bob</Arn>\
         </GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
}

#[test]
fn debug_output_redacts_sensitive_members() {
    let key = iam::AccessKey {
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY".into(),
        ..Default::default()
    };
    let shown = format!("{key:?}");
    assert!(!shown.contains("EXAMPLEKEY"), "{shown}");
    assert!(shown.contains("*** Sensitive Data Redacted ***"), "{shown}");
    let op = decode("Action=CreateLoginProfile&UserName=bob&Password=hunter2hunter2").unwrap();
    assert!(!format!("{op:?}").contains("hunter2"));
}
