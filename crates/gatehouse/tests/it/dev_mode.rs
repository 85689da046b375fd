//! `--dev`: unknown keys act as a root, issued keys keep their identity, and moto's
//! admin endpoints reset state and toggle authentication.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::support::credentials::{user_with_key, Keys};
use super::support::requests::post;
use super::support::server::Server;

fn any_key(id: &str) -> Keys {
    Keys {
        id: id.to_owned(),
        secret: "anything".to_owned(),
    }
}

#[tokio::test]
async fn unknown_keys_are_the_root_of_a_default_or_named_account() {
    let server = Server::start(&["--dev"]);
    let who = server
        .sts(&any_key("test"))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:root"));
    let who = server
        .sts(&any_key("123456789012"))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(who.account(), Some("123456789012"));

    // A key Gatehouse issued keeps its identity and its (lack of) permissions.
    let iam = server.iam(&any_key("test"));
    let dev = user_with_key(&iam, "dev").await;
    let who = server.sts(&dev).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:user/dev"));
    let err = server
        .iam(&dev)
        .create_user()
        .user_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let wrong = Keys {
        secret: "wrong".into(),
        ..dev.clone()
    };
    let err = server
        .sts(&wrong)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));

    // Accounts are isolated even in dev mode.
    let other = server.iam(&any_key("123456789012"));
    let err = other.get_user().user_name("dev").send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // moto's reset wipes the state.
    let (status, body) = post(&server.url("/moto-api/reset"), "").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let err = iam.get_user().user_name("dev").send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    // The wiped key is unknown now, so dev mode treats it as the default root again.
    let who = server.sts(&dev).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::000000000000:root"));
}

#[tokio::test]
async fn reset_auth_counts_down_then_enforces() {
    let server = Server::start(&["--dev"]);
    let (status, body) = post(&server.url("/moto-api/reset-auth"), "2").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        r#"{"PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": Infinity}"#
    );
    let sts = server.sts(&any_key("AKIAUNKNOWNKEY000000"));
    sts.get_caller_identity().send().await.unwrap();
    sts.get_caller_identity().send().await.unwrap();
    let err = sts.get_caller_identity().send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    let (_, body) = post(&server.url("/moto-api/reset-auth"), "inf").await;
    assert_eq!(body, r#"{"PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": 0}"#);
    sts.get_caller_identity().send().await.unwrap();
}

#[tokio::test]
async fn reset_endpoints_do_not_exist_outside_dev_mode() {
    let server = Server::start(&[]);
    assert_eq!(post(&server.url("/moto-api/reset"), "").await.0, 404);
    assert_eq!(post(&server.url("/_gatehouse/reset"), "").await.0, 404);
    let err = server
        .sts(&any_key("test"))
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
}
