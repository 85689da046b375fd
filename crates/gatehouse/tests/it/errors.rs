//! Bad input gets AWS's answer: status, code and message, never a crash.

use std::time::{Duration, SystemTime};

use super::support::credentials::Keys;
use super::support::requests::{xml_code, RawRequest};
use super::support::server::Server;

#[tokio::test]
async fn authentication_failures_have_aws_codes() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let body = "Action=GetCallerIdentity&Version=2011-06-15";

    let unsigned = RawRequest {
        keys: None,
        ..RawRequest::query("sts", body, &root)
    };
    let (status, text) = unsigned.send(&server.endpoint).await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "MissingAuthenticationToken"),
        "{text}"
    );
    assert!(text.contains("<RequestId>"), "{text}");

    let wrong_secret = Keys {
        id: root.id.clone(),
        secret: "x".repeat(40),
    };
    let (status, text) = RawRequest::query("sts", body, &wrong_secret)
        .send(&server.endpoint)
        .await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );

    let unknown = Keys {
        id: "AKIAIOSFODNN7EXAMPLE".into(),
        secret: root.secret.clone(),
    };
    let (status, text) = RawRequest::query("sts", body, &unknown)
        .send(&server.endpoint)
        .await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (403, "InvalidClientTokenId"),
        "{text}"
    );

    let old = RawRequest {
        time: SystemTime::now() - Duration::from_secs(20 * 60),
        ..RawRequest::query("sts", body, &root)
    };
    let (status, text) = old.send(&server.endpoint).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("Signature expired"), "{text}");

    let (status, text) = RawRequest::query("sts", body, &root)
        .send(&server.endpoint)
        .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<GetCallerIdentityResult>"), "{text}");
}

#[tokio::test]
async fn malformed_and_unknown_requests_are_refused_cleanly() {
    let server = Server::start(&["--max-body-bytes", "4096"]);
    let root = server.root_keys();

    let (status, text) = RawRequest::query("iam", "Action=FlyToTheMoon&Version=2010-05-08", &root)
        .send(&server.endpoint)
        .await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (400, "InvalidAction"),
        "{text}"
    );

    let (status, text) = RawRequest::query(
        "iam",
        "Action=CreateUser&Version=2010-05-08&UserName=a%ZZ",
        &root,
    )
    .send(&server.endpoint)
    .await;
    assert_eq!(status, 400, "{text}");

    let (status, text) = RawRequest::query("iam", "Action=CreateUser&Version=2010-05-08", &root)
        .send(&server.endpoint)
        .await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (400, "ValidationError"),
        "{text}"
    );
    assert!(
        text.contains("Value null at &apos;userName&apos;")
            || text.contains("Value null at 'userName'"),
        "{text}"
    );

    let long = format!(
        "Action=CreateUser&Version=2010-05-08&UserName={}",
        "a".repeat(65)
    );
    let (status, text) = RawRequest::query("iam", &long, &root)
        .send(&server.endpoint)
        .await;
    assert_eq!(
        (status, xml_code(&text).as_str()),
        (400, "ValidationError"),
        "{text}"
    );
    assert!(
        text.contains("Member must have length less than or equal to 64"),
        "{text}"
    );

    let huge = format!(
        "Action=CreateUser&Version=2010-05-08&UserName=a&Path={}",
        "b".repeat(5000)
    );
    let (status, _) = RawRequest::query("iam", &huge, &root)
        .send(&server.endpoint)
        .await;
    assert_eq!(status, 413);

    // In the model but not served yet: 501 naming the operation. Every operation of
    // IAM, STS and Organizations is served now; a Service Quotas one shows the answer.
    let json = RawRequest::json(
        "servicequotas",
        "ServiceQuotasV20190624.GetAssociationForServiceQuotaTemplate",
        "{}",
        &root,
    );
    let (status, text) = json.send(&server.endpoint).await;
    assert_eq!(status, 501, "{text}");
    assert!(
        text.contains("\"__type\":\"NotImplemented\"")
            && text.contains("GetAssociationForServiceQuotaTemplate"),
        "{text}"
    );

    // Garbage JSON is a serialization error, not a crash.
    let bad = RawRequest {
        body: b"{not json".to_vec(),
        ..json
    };
    let (status, text) = bad.send(&server.endpoint).await;
    assert_eq!(status, 400, "{text}");

    // The server is still healthy after all of that.
    server
        .sts(&root)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
}
