//! Organizations as the tests set them up: an organization with all features, its root,
//! and member accounts created the way AWS creates them (a request that completes later).
//! Only the Organizations API is used; accounts are then reached through
//! `credentials::dev_root` on servers run with `--dev`.

/// Creates an organization (all features) managed by `orgs`'s account; returns its root's id.
pub async fn create_organization(orgs: &aws_sdk_organizations::Client) -> String {
    orgs.create_organization().send().await.unwrap();
    root_id(orgs).await
}

/// The id of the root of `orgs`'s organization.
pub async fn root_id(orgs: &aws_sdk_organizations::Client) -> String {
    orgs.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned()
}

/// Asks for a member account and returns the request's status once it completed (the
/// first answer is always `IN_PROGRESS`, as on AWS).
pub async fn create_account(
    orgs: &aws_sdk_organizations::Client,
    name: &str,
    email: &str,
) -> aws_sdk_organizations::types::CreateAccountStatus {
    let started = orgs
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .unwrap();
    let started = started.create_account_status().unwrap();
    assert_eq!(
        started.state(),
        Some(&aws_sdk_organizations::types::CreateAccountState::InProgress)
    );
    let id = started.id().unwrap();
    assert!(id.starts_with("car-") && id.len() == 36, "{id}");
    orgs.describe_create_account_status()
        .create_account_request_id(id)
        .send()
        .await
        .unwrap()
        .create_account_status()
        .unwrap()
        .clone()
}

/// Creates a member account that must succeed and returns its id.
pub async fn create_member(
    orgs: &aws_sdk_organizations::Client,
    name: &str,
    email: &str,
) -> String {
    create_account(orgs, name, email)
        .await
        .account_id()
        .unwrap()
        .to_owned()
}
