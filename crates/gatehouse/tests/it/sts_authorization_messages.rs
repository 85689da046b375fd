//! Encoded authorization failure messages (`--encode-authorization-messages`) and
//! `DecodeAuthorizationMessage`: what a denial carries, who may open it, and that
//! garbage, altered messages and other accounts' messages are refused.

use aws_sdk_sts::error::ProvideErrorMetadata;

use super::support::credentials::{dev_root, user_with_key};
use super::support::server::Server;

const MARKER: &str = "Encoded authorization failure message: ";

fn encoded_part(message: &str) -> String {
    message
        .split_once(MARKER)
        .unwrap_or_else(|| panic!("no encoded message in {message}"))
        .1
        .to_owned()
}

#[tokio::test]
async fn denials_carry_messages_only_their_account_may_decode() {
    let server = Server::start(&["--dev", "--encode-authorization-messages", "true"]);
    let root = dev_root("111122223333");
    let iam = server.iam(&root);
    let bob = user_with_key(&iam, "bob").await;

    let err = server
        .iam(&bob)
        .create_user()
        .user_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let message = err.message().unwrap().to_owned();
    // AWS's plain message stays in front.
    assert!(
        message.starts_with("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/x because no identity-based policy allows the iam:CreateUser action. "),
        "{message}"
    );
    let encoded = encoded_part(&message);

    // Decoding is itself an action bob must be allowed.
    let sts = server.sts(&bob);
    let err = sts
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err.message().unwrap().contains(MARKER));
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("decode")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Sid":"Decode","Effect":"Allow","Action":"sts:DecodeAuthorizationMessage","Resource":"*"},{"Sid":"NoRoles","Effect":"Deny","Action":"iam:DeleteRole","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let decoded = sts
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(decoded.decoded_message().unwrap()).unwrap();
    assert_eq!(json["allowed"], false);
    assert_eq!(json["explicitDeny"], false);
    assert_eq!(json["context"]["action"], "iam:CreateUser");
    assert_eq!(
        json["context"]["resource"],
        "arn:aws:iam::111122223333:user/x"
    );
    assert_eq!(
        json["context"]["principal"]["arn"],
        "arn:aws:iam::111122223333:user/bob"
    );
    assert!(json["context"]["principal"]["id"]
        .as_str()
        .unwrap()
        .starts_with("AIDA"));
    let conditions = json["context"]["conditions"]["items"].as_array().unwrap();
    assert!(conditions
        .iter()
        .any(|item| item["key"] == "aws:username" && item["values"]["items"][0]["value"] == "bob"));

    // An explicit deny names its statement.
    let err = server
        .iam(&bob)
        .delete_role()
        .role_name("anything")
        .send()
        .await
        .unwrap_err();
    let decoded = sts
        .decode_authorization_message()
        .encoded_message(encoded_part(err.message().unwrap()))
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(decoded.decoded_message().unwrap()).unwrap();
    assert_eq!(json["explicitDeny"], true);
    assert_eq!(
        json["matchedStatements"]["items"][0]["statementId"],
        "NoRoles"
    );
    assert_eq!(json["matchedStatements"]["items"][0]["effect"], "DENY");

    // Garbage, an altered message and another account's caller are all refused alike.
    let mut altered = encoded.clone().into_bytes();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
    for (caller, text) in [
        (server.sts(&bob), "not a message".to_owned()),
        (server.sts(&bob), String::from_utf8(altered).unwrap()),
        (server.sts(&dev_root("444455556666")), encoded.clone()),
    ] {
        let err = caller
            .decode_authorization_message()
            .encoded_message(text)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidAuthorizationMessageException"));
    }

    // Off (the default): AWS's plain message, nothing appended.
    let plain = Server::start(&["--dev"]);
    let iam = plain.iam(&dev_root("111122223333"));
    let bob = user_with_key(&iam, "bob").await;
    let err = plain
        .iam(&bob)
        .create_user()
        .user_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        Some("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111122223333:user/x because no identity-based policy allows the iam:CreateUser action")
    );
}
