//! Service Quotas: increases past `--quota-auto-approve-max` wait for the operator's
//! `gatehouse quota approve|deny`, which writes to the same store the server reads.

use aws_sdk_servicequotas::error::ProvideErrorMetadata;

use super::support::server::Server;

fn decide(server: &Server, decision: &str, request_id: &str) -> std::process::Output {
    server
        .command(&["quota", decision, request_id])
        .output()
        .unwrap()
}

#[tokio::test]
async fn increases_wait_for_the_operator() {
    let server = Server::start(&["--default-account-quota", "2"]);
    let root = server.root_keys();
    let quotas = server.quotas(&root);

    let default = quotas
        .get_aws_default_service_quota()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .send()
        .await
        .unwrap();
    assert_eq!(default.quota().unwrap().value(), Some(2.0));
    let err = quotas
        .get_service_quota()
        .service_code("organizations")
        .quota_code("L-00000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchResourceException"));
    let err = quotas
        .request_service_quota_increase()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .desired_value(2.0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("IllegalArgumentException"));

    let asked = quotas
        .request_service_quota_increase()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .desired_value(3.0)
        .send()
        .await
        .unwrap();
    let first = asked.requested_quota().unwrap().id().unwrap().to_owned();
    assert_eq!(
        asked
            .requested_quota()
            .unwrap()
            .status()
            .map(|s| s.as_str()),
        Some("PENDING")
    );
    let err = quotas
        .request_service_quota_increase()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .desired_value(5.0)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceAlreadyExistsException"));

    let output = decide(&server, "approve", &first);
    assert!(output.status.success(), "{output:?}");
    let change = quotas
        .get_requested_service_quota_change()
        .request_id(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(
        change
            .requested_quota()
            .unwrap()
            .status()
            .map(|s| s.as_str()),
        Some("APPROVED")
    );
    let quota = quotas
        .get_service_quota()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .send()
        .await
        .unwrap();
    assert_eq!(quota.quota().unwrap().value(), Some(3.0));
    // A decided request cannot be decided again.
    let again = decide(&server, "deny", &first);
    assert!(!again.status.success());

    let second = quotas
        .request_service_quota_increase()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .desired_value(10.0)
        .send()
        .await
        .unwrap()
        .requested_quota()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let output = decide(&server, "deny", &second);
    assert!(output.status.success(), "{output:?}");
    let quota = quotas
        .get_service_quota()
        .service_code("organizations")
        .quota_code("L-E619E033")
        .send()
        .await
        .unwrap();
    assert_eq!(quota.quota().unwrap().value(), Some(3.0));

    let history = quotas
        .list_requested_service_quota_change_history_by_quota()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .send()
        .await
        .unwrap();
    let statuses: Vec<_> = history
        .requested_quotas()
        .iter()
        .map(|r| r.status().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(statuses, ["DENIED", "APPROVED"]);
    let denied = quotas
        .list_requested_service_quota_change_history()
        .status(aws_sdk_servicequotas::types::RequestStatus::Denied)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.requested_quotas().len(), 1);
    assert_eq!(denied.requested_quotas()[0].id(), Some(second.as_str()));
}
