//! Delegation requests through the AWS SDK for Rust: a partner account (the management
//! account here) asks a customer (a member account, reached as its root through dev mode)
//! for access limited by a policy template; the customer associates, updates, accepts and
//! sends the token; the partner finds the token among its notifications (`gatehouse
//! delegation notifications`) and trades it with STS for credentials that can do only
//! what both the approver and the template allow.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{
    DelegationPermission, PermissionCheckResultType, PermissionCheckStatusType, PolicyParameter,
    PolicyParameterTypeEnum, StateType, SummaryStateType,
};

use super::support::credentials::{
    account_of, dev_root, seconds_left, user_with_key, user_with_policy, Keys,
};
use super::support::organizations::create_member;
use super::support::policies::ALLOW_ALL;
use super::support::server::Server;

const TEMPLATE: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles"],"Resource":"*"},{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/{{UserName}}"},{"Effect":"Allow","Action":"iam:ListUserTags","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"{{Teams}}"}}}]}"#;

fn channel(account: &str) -> String {
    format!("arn:aws:sns:us-east-1:{account}:partner-updates")
}

fn permissions(template_arn: &str) -> DelegationPermission {
    DelegationPermission::builder()
        .policy_template_arn(template_arn)
        .parameters(
            PolicyParameter::builder()
                .name("Teams")
                .values("red")
                .values("blue")
                .r#type(PolicyParameterTypeEnum::StringList)
                .build(),
        )
        .parameters(
            PolicyParameter::builder()
                .name("UserName")
                .values("approver")
                .r#type(PolicyParameterTypeEnum::String)
                .build(),
        )
        .build()
}

/// The partner account, its template, the customer account: (partner id, template ARN,
/// customer id).
async fn setup(server: &Server) -> (String, String, String) {
    let partner = server.root_keys();
    let partner_id = account_of(server, &partner).await;
    let orgs = server.organizations(&partner);
    orgs.create_organization().send().await.unwrap();
    let customer = create_member(&orgs, "customer", "customer@example.com").await;
    let template = server
        .iam(&partner)
        .create_policy()
        .policy_name("PartnerTemplate")
        .policy_document(TEMPLATE)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    (partner_id, template, customer)
}

async fn create(
    iam: &aws_sdk_iam::Client,
    template: &str,
    owner: Option<&str>,
    workflow: &str,
    partner_id: &str,
) -> Result<String, aws_sdk_iam::error::SdkError<impl ProvideErrorMetadata + std::fmt::Debug>> {
    iam.create_delegation_request()
        .set_owner_account_id(owner.map(str::to_owned))
        .description("Read-only review of users and roles")
        .request_message("Ticket 42")
        .permissions(permissions(template))
        .requestor_workflow_id(workflow)
        .notification_channel(channel(partner_id))
        .session_duration(3600)
        .send()
        .await
        .map(|out| out.delegation_request_id.unwrap())
}

async fn state(iam: &aws_sdk_iam::Client, id: &str) -> StateType {
    iam.get_delegation_request()
        .delegation_request_id(id)
        .send()
        .await
        .unwrap()
        .delegation_request
        .unwrap()
        .state
        .unwrap()
}

/// The exchange token the partner's channel received for `id`.
fn sent_token(server: &Server, partner_id: &str, id: &str) -> String {
    let out = server
        .command(&["delegation", "notifications", partner_id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|line: &serde_json::Value| line["delegationRequestId"] == id)
        .collect();
    // One message per change: associated, pending approval, accepted, finalized.
    let states: Vec<&str> = lines
        .iter()
        .map(|line| line["message"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["ASSIGNED", "PENDING_APPROVAL", "ACCEPTED", "FINALIZED"],
        "{text}"
    );
    assert!(lines
        .iter()
        .all(|line| line["channel"] == channel(partner_id)));
    lines[3]["message"]["exchangeToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn delegation_requests_go_from_creation_to_delegated_credentials() {
    let server = Server::start(&["--dev"]);
    let (partner_id, template, customer) = setup(&server).await;
    let partner = server.iam(&server.root_keys());
    let customer_root = server.iam(&dev_root(&customer));
    let approver_keys = user_with_policy(&customer_root, "approver", ALLOW_ALL).await;
    let approver = server.iam(&approver_keys);
    let approver_arn = format!("arn:aws:iam::{customer}:user/approver");

    // Create: validated, unique per workflow id, filled in from the template.
    let id = create(
        &partner,
        &template,
        Some(&customer),
        "workflow-0001",
        &partner_id,
    )
    .await
    .unwrap();
    assert!(id.len() >= 16, "{id}");
    let err = create(
        &partner,
        &template,
        Some(&customer),
        "workflow-0001",
        &partner_id,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let err = partner
        .create_delegation_request()
        .description("d")
        .permissions(permissions(&template))
        .requestor_workflow_id("workflow-0002")
        .notification_channel("arn:aws:sqs:us-east-1:123456789012:queue")
        .session_duration(3600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    assert!(err.message().unwrap().contains("SNS topic"), "{err:?}");
    let err = partner
        .create_delegation_request()
        .description("d")
        .permissions(
            DelegationPermission::builder()
                .policy_template_arn(&template)
                .build(),
        )
        .requestor_workflow_id("workflow-0003")
        .notification_channel(channel(&partner_id))
        .session_duration(3600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    assert!(err.message().unwrap().contains("{{UserName}}"), "{err:?}");
    let err = partner
        .create_delegation_request()
        .description("d")
        .permissions(permissions(&template))
        .requestor_workflow_id("workflow-0004")
        .notification_channel(channel(&partner_id))
        .session_duration(60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"), "{err:?}");

    let created = partner
        .get_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap()
        .delegation_request
        .unwrap();
    assert_eq!(created.state, Some(StateType::Unassigned));
    assert_eq!(created.requestor_id.as_deref(), Some(partner_id.as_str()));
    assert_eq!(created.owner_account_id.as_deref(), Some(customer.as_str()));
    assert_eq!(created.session_duration, Some(3600));
    let policy: serde_json::Value =
        serde_json::from_str(created.permission_policy.as_deref().unwrap()).unwrap();
    assert_eq!(
        policy["Statement"][2]["Condition"]["StringEquals"]["aws:ResourceTag/team"],
        serde_json::json!(["red", "blue"])
    );
    assert_eq!(
        policy["Statement"][1]["Resource"],
        "arn:aws:iam::*:user/approver"
    );
    assert!(created.expiration_time.is_some() && created.owner_id.is_none());

    // Addressed to the customer but not yet associated: not listed there, and invisible
    // to a third account.
    let listed = approver.list_delegation_requests().send().await.unwrap();
    assert!(listed.delegation_requests().is_empty());
    let orgs = server.organizations(&server.root_keys());
    let stranger = create_member(&orgs, "stranger", "stranger@example.com").await;
    let err = server
        .iam(&dev_root(&stranger))
        .associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // Associate, then the wrong order is refused, then update and accept.
    approver
        .associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    let assigned = approver
        .get_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap()
        .delegation_request
        .unwrap();
    assert_eq!(assigned.state, Some(StateType::Assigned));
    assert_eq!(assigned.owner_id.as_deref(), Some(approver_arn.as_str()));
    let err = approver
        .associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    let err = approver
        .send_delegation_token()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    assert!(err.message().unwrap().contains("ASSIGNED"), "{err:?}");
    let err = partner
        .accept_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("NoSuchEntity"),
        "only the owner account moves it"
    );
    approver
        .update_delegation_request()
        .delegation_request_id(&id)
        .notes("please approve")
        .send()
        .await
        .unwrap();
    let checked = approver
        .get_delegation_request()
        .delegation_request_id(&id)
        .delegation_permission_check(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        checked.permission_check_status,
        Some(PermissionCheckStatusType::Complete)
    );
    assert_eq!(
        checked.permission_check_result,
        Some(PermissionCheckResultType::Allowed)
    );
    let pending = checked.delegation_request.unwrap();
    assert_eq!(pending.state, Some(StateType::PendingApproval));
    assert_eq!(pending.notes.as_deref(), Some("please approve"));
    approver
        .accept_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    let accepted = approver
        .get_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap()
        .delegation_request
        .unwrap();
    assert_eq!(accepted.state, Some(StateType::Accepted));
    assert_eq!(accepted.approver_id.as_deref(), Some(approver_arn.as_str()));

    // The summary describes the request from its own data.
    let summary = approver
        .get_human_readable_summary()
        .entity_arn(format!("arn:aws:iam::{customer}:delegation-request/{id}"))
        .locale("en-US")
        .send()
        .await
        .unwrap();
    assert_eq!(summary.summary_state, Some(SummaryStateType::Available));
    assert_eq!(summary.locale.as_deref(), Some("en-US"));
    let text = summary.summary_content.unwrap();
    for expected in [
        "Read-only review of users and roles",
        "State: ACCEPTED",
        "for 1 hour",
        "Allows iam:ListUsers and iam:ListRoles on every resource (statement Read).",
        "Allows iam:GetUser on arn:aws:iam::*:user/approver.",
        "Allows iam:ListUserTags on every resource, only when aws:ResourceTag/team StringEquals red or blue.",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    let other_locale = approver
        .get_human_readable_summary()
        .entity_arn(format!("arn:aws:iam::{customer}:delegation-request/{id}"))
        .locale("ja-JP")
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_locale.summary_state,
        Some(SummaryStateType::NotSupported)
    );
    let user_summary = approver
        .get_human_readable_summary()
        .entity_arn(&approver_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        user_summary.summary_state,
        Some(SummaryStateType::NotSupported),
        "only delegation requests are summarized"
    );
    // The partner's ARN for the request names the same request.
    let partner_view = partner
        .get_human_readable_summary()
        .entity_arn(format!("arn:aws:iam::{partner_id}:delegation-request/{id}"))
        .send()
        .await
        .unwrap();
    assert!(partner_view
        .summary_content
        .unwrap()
        .contains(&format!("Accepted by {approver_arn}")));
    let err = approver
        .get_human_readable_summary()
        .entity_arn("not-an-arn-at-all-really")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));

    // Send: finalized; the partner's channel has the token.
    approver
        .send_delegation_token()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(state(&partner, &id).await, StateType::Finalized);
    let err = approver
        .reject_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("InvalidInput"),
        "finalized cannot be rejected"
    );
    let token = sent_token(&server, &partner_id, &id);

    // Only the requestor trades the token; the credentials act as the approver within
    // the template.
    let err = server
        .sts(&dev_root(&stranger))
        .get_delegated_access_token()
        .trade_in_token(&token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = server
        .sts(&server.root_keys())
        .get_delegated_access_token()
        .trade_in_token("GHD1garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValue"));
    let traded = server
        .sts(&server.root_keys())
        .get_delegated_access_token()
        .trade_in_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        traded.assumed_principal.as_deref(),
        Some(approver_arn.as_str())
    );
    let credentials = traded.credentials.unwrap();
    let window = seconds_left(&credentials);
    assert!((3500..=3600).contains(&window), "{window}");
    let keys = Keys::from(&credentials);
    let delegated_sts = server.sts_with_token(&keys, &credentials.session_token);
    let me = delegated_sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.account.as_deref(), Some(customer.as_str()));
    assert_eq!(me.arn.as_deref(), Some(approver_arn.as_str()));
    let delegated = server.iam_with_token(&keys, &credentials.session_token);
    let users = delegated.list_users().send().await.unwrap();
    assert!(users.users().iter().any(|u| u.user_name() == "approver"));
    delegated
        .get_user()
        .user_name("approver")
        .send()
        .await
        .unwrap();
    let err = delegated
        .get_user()
        .user_name("someone-else")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    let err = delegated
        .create_user()
        .user_name("intruder")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("AccessDenied"),
        "the approver could, the template cannot"
    );

    // Both sides list it.
    for client in [&partner, &approver] {
        let listed = client.list_delegation_requests().send().await.unwrap();
        assert!(
            listed
                .delegation_requests()
                .iter()
                .any(|r| r.delegation_request_id() == Some(id.as_str())),
            "{listed:?}"
        );
    }
    let by_owner = approver
        .list_delegation_requests()
        .owner_id(format!("arn:aws:iam::{customer}:user/nobody"))
        .send()
        .await
        .unwrap();
    assert!(by_owner.delegation_requests().is_empty());
}

#[tokio::test]
async fn delegation_requests_need_permissions_except_for_their_owner() {
    let server = Server::start(&["--dev"]);
    let (partner_id, template, customer) = setup(&server).await;
    let partner = server.iam(&server.root_keys());
    let customer_root = server.iam(&dev_root(&customer));
    // The owner may only associate; an administrator approves.
    let owner_keys = user_with_policy(
        &customer_root,
        "owner",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AssociateDelegationRequest","Resource":"*"}]}"#,
    )
    .await;
    let owner = server.iam(&owner_keys);
    let nobody = server.iam(&user_with_key(&customer_root, "nobody").await);
    let admin = server.iam(&user_with_policy(&customer_root, "admin", ALLOW_ALL).await);

    // No owner account named: any account may associate (the partner's own users too,
    // but this one has no permission).
    let id = create(&partner, &template, None, "workflow-1001", &partner_id)
        .await
        .unwrap();
    let err = nobody
        .associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message()
            .unwrap()
            .contains("iam:AssociateDelegationRequest"),
        "{err:?}"
    );
    owner
        .associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    let owned = owner
        .get_delegation_request()
        .delegation_request_id(&id)
        .delegation_permission_check(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        owned
            .delegation_request
            .unwrap()
            .owner_account_id
            .as_deref(),
        Some(customer.as_str()),
        "associating set the owner account"
    );
    assert_eq!(
        owned.permission_check_result,
        Some(PermissionCheckResultType::Denied),
        "the owner holds none of the delegated permissions"
    );
    let err = nobody
        .get_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "not the owner, no policy");
    owner
        .update_delegation_request()
        .delegation_request_id(&id)
        .notes("for the admins")
        .send()
        .await
        .unwrap();
    let err = owner
        .accept_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(state(&admin, &id).await, StateType::PendingApproval);

    admin
        .reject_delegation_request()
        .delegation_request_id(&id)
        .notes("not now")
        .send()
        .await
        .unwrap();
    let rejected = partner
        .get_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap()
        .delegation_request
        .unwrap();
    assert_eq!(rejected.state, Some(StateType::Rejected));
    assert_eq!(rejected.rejection_reason.as_deref(), Some("not now"));
    for err in [
        admin
            .accept_delegation_request()
            .delegation_request_id(&id)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
        admin
            .update_delegation_request()
            .delegation_request_id(&id)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .meta()
            .clone(),
    ] {
        assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    }
    let err = admin
        .get_delegation_request()
        .delegation_request_id("0000000000000000nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    // A rejected request is no longer open; a requestor may keep 100 open at once.
    for n in 0..100 {
        create(
            &partner,
            &template,
            None,
            &format!("bulk-{n:04}"),
            &partner_id,
        )
        .await
        .unwrap();
    }
    let err = create(&partner, &template, None, "bulk-0100", &partner_id)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
    let page = partner
        .list_delegation_requests()
        .max_items(60)
        .send()
        .await
        .unwrap();
    assert_eq!(page.delegation_requests().len(), 60);
    assert!(page.is_truncated);
    let rest = partner
        .list_delegation_requests()
        .marker(page.marker.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.delegation_requests().len(), 41);
    assert!(!rest.is_truncated);
}

#[tokio::test]
async fn a_root_approver_delegates_no_more_than_the_template() {
    let server = Server::start(&["--dev"]);
    let (partner_id, template, customer) = setup(&server).await;
    let partner = server.iam(&server.root_keys());
    let root = server.iam(&dev_root(&customer));
    let id = create(
        &partner,
        &template,
        Some(&customer),
        "workflow-2001",
        &partner_id,
    )
    .await
    .unwrap();
    root.associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    root.accept_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    root.send_delegation_token()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    let out = server
        .command(&["delegation", "notifications", &partner_id])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let token = text
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find_map(|line| line["message"]["exchangeToken"].as_str().map(str::to_owned))
        .expect("the token was sent");
    let traded = server
        .sts(&server.root_keys())
        .get_delegated_access_token()
        .trade_in_token(&token)
        .send()
        .await
        .unwrap();
    let root_arn = format!("arn:aws:iam::{customer}:root");
    assert_eq!(traded.assumed_principal.as_deref(), Some(root_arn.as_str()));
    let credentials = traded.credentials.unwrap();
    let keys = Keys::from(&credentials);
    let delegated = server.iam_with_token(&keys, &credentials.session_token);
    delegated.list_roles().send().await.unwrap();
    // The root user may do anything; its delegated session only what the template says.
    let err = delegated
        .create_user()
        .user_name("intruder")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    let err = delegated
        .get_user()
        .user_name("someone")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
}

#[tokio::test]
async fn only_the_owner_sends_when_the_partner_asks_so() {
    let server = Server::start(&["--dev"]);
    let (partner_id, template, customer) = setup(&server).await;
    let partner = server.iam(&server.root_keys());
    let customer_root = server.iam(&dev_root(&customer));
    let owner = server.iam(
        &user_with_policy(
            &customer_root,
            "owner",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AssociateDelegationRequest","Resource":"*"}]}"#,
        )
        .await,
    );
    let admin = server.iam(&user_with_policy(&customer_root, "admin", ALLOW_ALL).await);
    let id = partner
        .create_delegation_request()
        .owner_account_id(&customer)
        .description("Owner must be present")
        .permissions(permissions(&template))
        .requestor_workflow_id("workflow-3001")
        .notification_channel(channel(&partner_id))
        .session_duration(900)
        .only_send_by_owner(true)
        .send()
        .await
        .unwrap()
        .delegation_request_id
        .unwrap();
    owner
        .associate_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    admin
        .accept_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    let err = admin
        .send_delegation_token()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err.message().unwrap().contains("only the owner"), "{err:?}");
    assert_eq!(state(&admin, &id).await, StateType::Accepted);
    // The owner has no policy for it, but it is the owner.
    owner
        .send_delegation_token()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap();
    let finalized = partner
        .get_delegation_request()
        .delegation_request_id(&id)
        .send()
        .await
        .unwrap()
        .delegation_request
        .unwrap();
    assert_eq!(finalized.state, Some(StateType::Finalized));
    assert!(finalized.only_send_by_owner);
    assert_eq!(
        finalized.approver_id.as_deref(),
        Some(format!("arn:aws:iam::{customer}:user/admin").as_str())
    );
    let window = finalized.expiration_time.unwrap().secs()
        - time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((850..=900).contains(&window), "{window}");
}
