//! Organizations features through the AWS SDK for Rust: effective tag policies inherited
//! down the OU path, the all-features migration, the delegation policy, RCPs from
//! `RCPFullAWSAccess`, and IAM's organization features. Dev mode lets a 12-digit key id
//! act as the root of a member account.

use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::{EffectivePolicyType, PolicyType};

use super::support::credentials::{account_of, dev_root, user_with_key, user_with_policy, Keys};
use super::support::organizations::{create_member, create_organization, root_id};
use super::support::policies::ASSUME_ANY_ROLE;
use super::support::server::Server;

#[tokio::test]
async fn effective_tag_policies_merge_down_the_ou_path() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    let root_id = create_organization(&orgs).await;
    let ou = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("eng")
        .send()
        .await
        .unwrap();
    let ou = ou.organizational_unit().unwrap().id().unwrap().to_owned();
    let member = create_member(&orgs, "development", "dev@example.com").await;
    orgs.move_account()
        .account_id(&member)
        .source_parent_id(&root_id)
        .destination_parent_id(&ou)
        .send()
        .await
        .unwrap();

    let describe = |target: Option<&str>| {
        orgs.describe_effective_policy()
            .policy_type(EffectivePolicyType::TagPolicy)
            .set_target_id(target.map(str::to_owned))
            .send()
    };
    // Not enabled yet: no effective policy.
    let err = describe(Some(&member)).await.unwrap_err();
    assert_eq!(err.code(), Some("EffectivePolicyNotFoundException"));

    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let create = |name: &str, content: &str| {
        orgs.create_policy()
            .name(name)
            .description("")
            .r#type(PolicyType::TagPolicy)
            .content(content)
            .send()
    };
    let base = create(
        "costcenter",
        r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]},"tag_value":{"@@assign":["100","200"]}}}}"#,
    )
    .await
    .unwrap();
    let eng = create(
        "eng",
        r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"},"tag_value":{"@@append":["300"]}}}}"#,
    )
    .await
    .unwrap();
    let id = |created: &aws_sdk_organizations::operation::create_policy::CreatePolicyOutput| {
        created
            .policy()
            .unwrap()
            .policy_summary()
            .unwrap()
            .id()
            .unwrap()
            .to_owned()
    };
    orgs.attach_policy()
        .policy_id(id(&base))
        .target_id(&root_id)
        .send()
        .await
        .unwrap();
    orgs.attach_policy()
        .policy_id(id(&eng))
        .target_id(&ou)
        .send()
        .await
        .unwrap();

    let expected = serde_json::json!({"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200","300"]}}});
    let found = describe(Some(&member)).await.unwrap();
    let effective = found.effective_policy().unwrap();
    assert_eq!(effective.target_id(), Some(member.as_str()));
    let content: serde_json::Value =
        serde_json::from_str(effective.policy_content().unwrap()).unwrap();
    assert_eq!(content, expected);

    // The management account sits at the root: only the root's policy applies to it.
    let own = describe(None).await.unwrap();
    let content: serde_json::Value =
        serde_json::from_str(own.effective_policy().unwrap().policy_content().unwrap()).unwrap();
    assert_eq!(
        content,
        serde_json::json!({"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200"]}}})
    );

    // The member may ask about itself, not about others.
    let member_orgs = server.organizations(&dev_root(&member));
    let mine = member_orgs
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let content: serde_json::Value =
        serde_json::from_str(mine.effective_policy().unwrap().policy_content().unwrap()).unwrap();
    assert_eq!(content, expected);
    let management_id = account_of(&server, &management).await;
    let err = member_orgs
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .target_id(&management_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));

    // Roots and OUs are not targets; unknown accounts are not found; other types have none.
    let err = describe(Some(&ou)).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));
    let err = describe(Some("123456789012")).await.unwrap_err();
    assert_eq!(err.code(), Some("TargetNotFoundException"));
    let err = orgs
        .describe_effective_policy()
        .policy_type(EffectivePolicyType::BackupPolicy)
        .target_id(&member)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EffectivePolicyNotFoundException"));
}

#[tokio::test]
async fn consolidated_billing_moves_to_all_features_through_handshakes() {
    use aws_sdk_organizations::types::{
        ActionType, HandshakeFilter, HandshakeParty, HandshakePartyType, HandshakeState,
        OrganizationFeatureSet,
    };
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    orgs.create_organization()
        .feature_set(OrganizationFeatureSet::ConsolidatedBilling)
        .send()
        .await
        .unwrap();
    let root_id = root_id(&orgs).await;
    let member = create_member(&orgs, "member", "member@example.com").await;
    // Policies need all features.
    let err = orgs
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.code().is_some_and(|code| code != "InternalFailure"),
        "{err:?}"
    );

    let enabled = orgs.enable_all_features().send().await.unwrap();
    let enable = enabled.handshake().unwrap();
    assert_eq!(enable.action(), Some(&ActionType::EnableAllFeatures));
    assert_eq!(enable.state(), Some(&HandshakeState::Open));
    let enable_id = enable.id().unwrap().to_owned();
    assert!(enable.arn().unwrap().contains("/enable_all_features/"));
    let err = orgs.enable_all_features().send().await.unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));
    // No invitations while migrating.
    let err = orgs
        .invite_account_to_organization()
        .target(
            HandshakeParty::builder()
                .id("123456789012")
                .r#type(HandshakePartyType::Account)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));
    // The management account cannot finish before every member approved.
    let err = orgs
        .accept_handshake()
        .handshake_id(&enable_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidHandshakeTransitionException"));

    let member_orgs = server.organizations(&dev_root(&member));
    let listed = member_orgs
        .list_handshakes_for_account()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::ApproveAllFeatures)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(listed.handshakes().len(), 1);
    let approval = listed.handshakes()[0].id().unwrap().to_owned();
    let accepted = member_orgs
        .accept_handshake()
        .handshake_id(&approval)
        .send()
        .await
        .unwrap();
    assert_eq!(
        accepted.handshake().unwrap().state(),
        Some(&HandshakeState::Accepted)
    );

    let done = orgs
        .accept_handshake()
        .handshake_id(&enable_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.handshake().unwrap().state(),
        Some(&HandshakeState::Accepted)
    );
    let org = orgs.describe_organization().send().await.unwrap();
    assert_eq!(
        org.organization().unwrap().feature_set(),
        Some(&OrganizationFeatureSet::All)
    );
    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let err = orgs.enable_all_features().send().await.unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));
}

#[tokio::test]
async fn the_delegation_policy_opens_read_operations_to_a_member_account() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "security", "security@example.com").await;
    let member_orgs = server.organizations(&dev_root(&member));

    let err = member_orgs.list_accounts().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = orgs.describe_resource_policy().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ResourcePolicyNotFoundException"));
    let err = orgs
        .put_resource_policy()
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:List*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedPolicyDocumentException"));

    let content = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ReadOnly","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{member}:root"}},"Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}}]}}"#
    );
    let put = orgs
        .put_resource_policy()
        .content(&content)
        .tags(
            aws_sdk_organizations::types::Tag::builder()
                .key("owner")
                .value("security")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let summary = put
        .resource_policy()
        .unwrap()
        .resource_policy_summary()
        .unwrap();
    let id = summary.id().unwrap().to_owned();
    assert!(id.starts_with("rp-"), "{id}");
    assert!(summary.arn().unwrap().contains(":resourcepolicy/o-"));
    let described = orgs.describe_resource_policy().send().await.unwrap();
    assert_eq!(
        described.resource_policy().unwrap().content(),
        Some(content.as_str())
    );

    // Delegated: the member reads the organization, and nothing more.
    let listed = member_orgs.list_accounts().send().await.unwrap();
    assert_eq!(listed.accounts().len(), 2);
    member_orgs.describe_resource_policy().send().await.unwrap();
    let err = member_orgs
        .create_policy()
        .name("mine")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = member_orgs
        .create_account()
        .account_name("x")
        .email("x@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    // A member IAM user needs its own policies too: the call crosses accounts.
    let member_iam = server.iam(&dev_root(&member));
    let auditor = server.organizations(&user_with_key(&member_iam, "auditor").await);
    let err = auditor.list_accounts().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    member_iam
        .attach_user_policy()
        .user_name("auditor")
        .policy_arn("arn:aws:iam::aws:policy/AWSOrganizationsReadOnlyAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(
        auditor
            .list_accounts()
            .send()
            .await
            .unwrap()
            .accounts()
            .len(),
        2
    );

    // Updating with tags is refused; updating the content keeps the id.
    let err = orgs
        .put_resource_policy()
        .content(&content)
        .tags(
            aws_sdk_organizations::types::Tag::builder()
                .key("k")
                .value("v")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ConstraintViolationException"));

    orgs.delete_resource_policy().send().await.unwrap();
    let err = orgs.delete_resource_policy().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ResourcePolicyNotFoundException"));
    let err = member_orgs.list_accounts().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
}

#[tokio::test]
async fn resource_control_policies_start_from_rcp_full_aws_access() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    let root_id = create_organization(&orgs).await;
    let member = create_member(&orgs, "data", "data@example.com").await;
    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    for target in [&root_id, &member] {
        let attached = orgs
            .list_policies_for_target()
            .target_id(target)
            .filter(PolicyType::ResourceControlPolicy)
            .send()
            .await
            .unwrap();
        let names: Vec<&str> = attached
            .policies()
            .iter()
            .filter_map(|p| p.name())
            .collect();
        assert_eq!(names, ["RCPFullAWSAccess"], "{target}");
        assert!(attached.policies()[0].aws_managed());
    }
    let org_id = orgs
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let management_id = account_of(&server, &management).await;
    // In the member: a role trusted by an outside account and by the management account.
    let member_iam = server.iam(&dev_root(&member));
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::{management_id}:root"]}},"Action":"sts:AssumeRole"}}]}}"#
    );
    member_iam
        .create_role()
        .role_name("Shared")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    let role_arn = format!("arn:aws:iam::{member}:role/Shared");
    let outsider = user_with_policy(
        &server.iam(&dev_root("123456789012")),
        "partner",
        ASSUME_ANY_ROLE,
    )
    .await;
    let insider = user_with_policy(&server.iam(&management), "ops", ASSUME_ANY_ROLE).await;
    let assume = |keys: &Keys| {
        server
            .sts(keys)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("shared-session")
            .send()
    };
    // RCPFullAWSAccess alone changes nothing.
    assume(&outsider).await.unwrap();
    assume(&insider).await.unwrap();
    let err = orgs
        .detach_policy()
        .policy_id("p-RCPFullAWSAccess")
        .target_id(&member)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ConstraintViolationException"));

    // A data perimeter: the member's roles may be assumed from inside the organization only.
    let perimeter = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*","Condition":{{"StringNotEqualsIfExists":{{"aws:PrincipalOrgID":"{org_id}"}}}}}}]}}"#
    );
    let guard = orgs
        .create_policy()
        .name("Perimeter")
        .description("")
        .r#type(PolicyType::ResourceControlPolicy)
        .content(perimeter)
        .send()
        .await
        .unwrap();
    let guard_id = guard
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    orgs.attach_policy()
        .policy_id(&guard_id)
        .target_id(&member)
        .send()
        .await
        .unwrap();
    let err = assume(&outsider).await.unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );
    assume(&insider).await.unwrap();
    // RCPs govern the services AWS lists (STS here), not IAM's own actions.
    member_iam
        .create_user()
        .user_name("first")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn iam_organization_features_need_the_management_account_and_trusted_access() {
    use aws_sdk_iam::types::FeatureType;
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let iam = server.iam(&management);
    let err = iam.list_organizations_features().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("OrganizationNotFoundException")
    );
    let orgs = server.organizations(&management);
    let org_id = orgs
        .create_organization()
        .send()
        .await
        .unwrap()
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let err = iam.list_organizations_features().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("ServiceAccessNotEnabledException")
    );
    orgs.enable_aws_service_access()
        .service_principal("iam.amazonaws.com")
        .send()
        .await
        .unwrap();
    let listed = iam.list_organizations_features().send().await.unwrap();
    assert_eq!(listed.organization_id(), Some(org_id.as_str()));
    assert!(listed.enabled_features().is_empty());

    iam.enable_organizations_root_credentials_management()
        .send()
        .await
        .unwrap();
    let enabled = iam
        .enable_organizations_root_sessions()
        .send()
        .await
        .unwrap();
    assert_eq!(
        enabled.enabled_features(),
        [
            FeatureType::RootCredentialsManagement,
            FeatureType::RootSessions
        ]
    );
    let disabled = iam
        .disable_organizations_root_sessions()
        .send()
        .await
        .unwrap();
    assert_eq!(
        disabled.enabled_features(),
        [FeatureType::RootCredentialsManagement]
    );

    // A member account may not manage them.
    let member = create_member(&orgs, "member", "member@example.com").await;
    let err = server
        .iam(&dev_root(&member))
        .enable_organizations_root_sessions()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("AccountNotManagementOrDelegatedAdministratorException")
    );
}

#[tokio::test]
async fn invalid_effective_policies_are_listed_with_the_policies_that_clash() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    let root_id = create_organization(&orgs).await;
    let ou = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("eng")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let clashing = create_member(&orgs, "clashing", "clashing@example.com").await;
    let fine = create_member(&orgs, "fine", "fine@example.com").await;
    orgs.move_account()
        .account_id(&clashing)
        .source_parent_id(&root_id)
        .destination_parent_id(&ou)
        .send()
        .await
        .unwrap();
    let invalid = || {
        orgs.list_accounts_with_invalid_effective_policy()
            .policy_type(EffectivePolicyType::TagPolicy)
            .send()
    };
    // Not enabled: no effective policy to judge.
    let err = invalid().await.unwrap_err();
    assert_eq!(err.code(), Some("EffectivePolicyNotFoundException"));

    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let create = |name: &str, content: &str| {
        orgs.create_policy()
            .name(name)
            .description("")
            .r#type(PolicyType::TagPolicy)
            .content(content)
            .send()
    };
    let id = |created: aws_sdk_organizations::operation::create_policy::CreatePolicyOutput| {
        created
            .policy()
            .unwrap()
            .policy_summary()
            .unwrap()
            .id()
            .unwrap()
            .to_owned()
    };
    let base = id(create(
        "base",
        r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]}}}}"#,
    )
    .await
    .unwrap());
    let child = id(create(
        "child",
        r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"}}}}"#,
    )
    .await
    .unwrap());
    for (policy, target) in [(&base, &root_id), (&child, &ou)] {
        orgs.attach_policy()
            .policy_id(policy)
            .target_id(target)
            .send()
            .await
            .unwrap();
    }

    let listed = invalid().await.unwrap();
    let accounts: Vec<&str> = listed.accounts().iter().filter_map(|a| a.id()).collect();
    assert_eq!(accounts, vec![clashing.as_str()]);
    assert_eq!(listed.policy_type(), Some(&EffectivePolicyType::TagPolicy));

    let errors = |account: &str| {
        orgs.list_effective_policy_validation_errors()
            .account_id(account)
            .policy_type(EffectivePolicyType::TagPolicy)
            .send()
    };
    let report = errors(&clashing).await.unwrap();
    assert_eq!(report.account_id(), Some(clashing.as_str()));
    let path = report.path().unwrap();
    assert!(
        path.starts_with("o-") && path.ends_with(&format!("/{root_id}/{ou}/{clashing}/")),
        "{path}"
    );
    assert!(report.evaluation_timestamp().is_some());
    let found = report.effective_policy_validation_errors();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].error_code(), Some("OPERATOR_NOT_ALLOWED"));
    assert_eq!(found[0].path_to_error(), Some("tags/costcenter/tag_key"));
    assert_eq!(
        found[0].contributing_policies(),
        &[base.clone(), child.clone()]
    );
    assert!(found[0].error_message().unwrap().contains("@@assign"));
    // The account outside the OU is fine; the parent's value still holds for both.
    assert!(errors(&fine)
        .await
        .unwrap()
        .effective_policy_validation_errors()
        .is_empty());

    let err = errors("123456789012").await.unwrap_err();
    assert_eq!(err.code(), Some("AccountNotFoundException"));
    let err = orgs
        .list_effective_policy_validation_errors()
        .account_id(&clashing)
        .policy_type(EffectivePolicyType::BackupPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EffectivePolicyNotFoundException"));
    // Member accounts cannot ask.
    let member = server.organizations(&dev_root(&clashing));
    let err = member
        .list_accounts_with_invalid_effective_policy()
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = member
        .list_effective_policy_validation_errors()
        .account_id(&clashing)
        .policy_type(EffectivePolicyType::TagPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));

    // Detaching the child policy makes the account valid again.
    orgs.detach_policy()
        .policy_id(&child)
        .target_id(&ou)
        .send()
        .await
        .unwrap();
    assert!(invalid().await.unwrap().accounts().is_empty());
}

#[tokio::test]
async fn govcloud_accounts_need_a_management_account_paired_with_govcloud() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    orgs.create_organization().send().await.unwrap();
    let create = |client: &aws_sdk_organizations::Client| {
        client
            .create_gov_cloud_account()
            .email("gov@example.com")
            .account_name("gov")
    };
    // Gatehouse pairs no account with a GovCloud account: refused as AWS refuses an
    // unpaired management account, and nothing is created.
    let err = create(&orgs).send().await.unwrap_err();
    assert_eq!(err.code(), Some("ConstraintViolationException"));
    assert!(err.message().unwrap().contains("GovCloud"), "{err:?}");
    let err = create(&orgs)
        .role_name("AWSServiceRoleForGov")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));
    assert_eq!(
        orgs.list_accounts().send().await.unwrap().accounts().len(),
        1
    );
    assert!(orgs
        .list_create_account_status()
        .send()
        .await
        .unwrap()
        .create_account_statuses()
        .is_empty());
    // The operation belongs to the commercial partition.
    let gov = server.organizations_in(&management, "us-gov-west-1");
    let err = create(&gov).send().await.unwrap_err();
    assert_eq!(
        err.code(),
        Some("UnsupportedAPIEndpointException"),
        "{err:?}"
    );
    // A member account is refused before anything else.
    let member = create_member(&orgs, "member", "member@example.com").await;
    let err = create(&server.organizations(&dev_root(&member)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
}
