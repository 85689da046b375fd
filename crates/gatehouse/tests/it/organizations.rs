//! Organizations through the AWS SDK for Rust against the real binary: the organization,
//! its OU tree, member accounts (with the account quota and a Service Quotas increase),
//! policies and their attachments, and what member accounts and IAM users may not do.
//! Dev mode lets a 12-digit key id act as the root of a member account.

use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::{
    ChildType, CreateAccountFailureReason, CreateAccountState, PolicyType, PolicyTypeStatus,
};

use super::support::credentials::{account_of, dev_root, user_with_key, Keys};
use super::support::organizations::{create_account, create_member, create_organization, root_id};
use super::support::server::Server;

fn is_lower_alnum(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[tokio::test]
async fn organization_units_accounts_and_account_quota() {
    let server = Server::start(&[
        "--dev",
        "--default-account-quota",
        "4",
        "--quota-auto-approve-max",
        "6",
    ]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
    let account = account_of(&server, &root).await;

    let err = orgs.describe_organization().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AWSOrganizationsNotInUseException"));

    let created = orgs.create_organization().send().await.unwrap();
    let org = created.organization().unwrap();
    let org_id = org.id().unwrap().to_owned();
    assert!(org_id.starts_with("o-") && org_id.len() == 12 && is_lower_alnum(&org_id[2..]));
    assert_eq!(
        org.arn(),
        Some(format!("arn:aws:organizations::{account}:organization/{org_id}").as_str())
    );
    assert_eq!(org.master_account_id(), Some(account.as_str()));
    assert_eq!(org.feature_set().map(|f| f.as_str()), Some("ALL"));
    let err = orgs.create_organization().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AlreadyInOrganizationException"));

    let roots = orgs.list_roots().send().await.unwrap();
    assert_eq!(roots.roots().len(), 1);
    let root_id = roots.roots()[0].id().unwrap().to_owned();
    assert!(root_id.starts_with("r-") && root_id.len() == 6, "{root_id}");
    assert_eq!(
        roots.roots()[0].arn(),
        Some(format!("arn:aws:organizations::{account}:root/{org_id}/{root_id}").as_str())
    );

    // OUs nest five levels deep, no more; names are unique among siblings.
    let mut parent = root_id.clone();
    let mut chain = Vec::new();
    for depth in 1..=5 {
        let ou = orgs
            .create_organizational_unit()
            .parent_id(&parent)
            .name(format!("level{depth}"))
            .send()
            .await
            .unwrap();
        let ou = ou.organizational_unit().unwrap();
        let id = ou.id().unwrap().to_owned();
        assert!(id.starts_with(&format!("ou-{}-", &root_id[2..])), "{id}");
        assert_eq!(id.len(), 16);
        chain.push(id.clone());
        parent = id;
    }
    let err = orgs
        .create_organizational_unit()
        .parent_id(&parent)
        .name("level6")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    match err {
        aws_sdk_organizations::operation::create_organizational_unit::CreateOrganizationalUnitError::ConstraintViolationException(e) => {
            assert_eq!(e.reason().map(|r| r.as_str()), Some("OU_DEPTH_LIMIT_EXCEEDED"));
        }
        other => panic!("{other:?}"),
    }
    let err = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("LEVEL1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DuplicateOrganizationalUnitException"));
    let err = orgs
        .create_organizational_unit()
        .parent_id(format!("ou-{}-zzzzzzzz", &root_id[2..]))
        .name("orphan")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ParentNotFoundException"));
    let eng = chain[0].clone();
    let described = orgs
        .describe_organizational_unit()
        .organizational_unit_id(&chain[1])
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.organizational_unit().unwrap().arn(),
        Some(format!("arn:aws:organizations::{account}:ou/{org_id}/{}", chain[1]).as_str())
    );
    let renamed = orgs
        .update_organizational_unit()
        .organizational_unit_id(&eng)
        .name("engineering")
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.organizational_unit().unwrap().name(),
        Some("engineering")
    );
    let children = orgs
        .list_children()
        .parent_id(&root_id)
        .child_type(ChildType::OrganizationalUnit)
        .send()
        .await
        .unwrap();
    assert_eq!(children.children().len(), 1);
    assert_eq!(children.children()[0].id(), Some(eng.as_str()));

    // Accounts: the quota of 4 counts the management account.
    let mut members = Vec::new();
    for n in 1..=3 {
        let status =
            create_account(&orgs, &format!("member{n}"), &format!("m{n}@example.com")).await;
        assert_eq!(status.state(), Some(&CreateAccountState::Succeeded));
        let id = status.account_id().unwrap().to_owned();
        assert_eq!(id.len(), 12);
        members.push(id);
    }
    let duplicate = create_account(&orgs, "again", "M1@example.com").await;
    assert_eq!(duplicate.state(), Some(&CreateAccountState::Failed));
    assert_eq!(
        duplicate.failure_reason(),
        Some(&CreateAccountFailureReason::EmailAlreadyExists)
    );
    let over = create_account(&orgs, "member4", "m4@example.com").await;
    assert_eq!(over.state(), Some(&CreateAccountState::Failed));
    assert_eq!(
        over.failure_reason(),
        Some(&CreateAccountFailureReason::AccountLimitExceeded)
    );
    assert_eq!(over.account_id(), None);

    let quotas = server.quotas(&root);
    let quota = quotas
        .get_service_quota()
        .service_code("organizations")
        .quota_code("L-29A0C5DF")
        .send()
        .await
        .unwrap();
    assert_eq!(quota.quota().unwrap().value(), Some(4.0));
    let asked = quotas
        .request_service_quota_increase()
        .service_code("organizations")
        .quota_code("L-E619E033")
        .desired_value(6.0)
        .send()
        .await
        .unwrap();
    let asked = asked.requested_quota().unwrap();
    assert_eq!(asked.status().map(|s| s.as_str()), Some("APPROVED"));
    for code in ["L-29A0C5DF", "L-E619E033"] {
        let quota = quotas
            .get_service_quota()
            .service_code("organizations")
            .quota_code(code)
            .send()
            .await
            .unwrap();
        assert_eq!(quota.quota().unwrap().value(), Some(6.0), "{code}");
        assert_eq!(quota.quota().unwrap().quota_code(), Some(code));
    }
    let listed = quotas
        .list_service_quotas()
        .service_code("organizations")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.quotas().len(), 1);
    assert_eq!(listed.quotas()[0].quota_code(), Some("L-29A0C5DF"));

    let fourth = create_account(&orgs, "member4", "m4@example.com").await;
    assert_eq!(fourth.state(), Some(&CreateAccountState::Succeeded));
    members.push(fourth.account_id().unwrap().to_owned());

    let statuses = orgs
        .list_create_account_status()
        .states(CreateAccountState::Failed)
        .send()
        .await
        .unwrap();
    assert_eq!(statuses.create_account_statuses().len(), 2);

    // Pagination: five accounts, two per page.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = orgs
            .list_accounts()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.accounts().len() <= 2);
        seen.extend(page.accounts().iter().map(|a| a.id().unwrap().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5);
    assert!(seen.contains(&account));
    let err = orgs
        .list_accounts()
        .next_token("not-a-token")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));

    let described = orgs
        .describe_account()
        .account_id(&members[0])
        .send()
        .await
        .unwrap();
    let described = described.account().unwrap();
    assert_eq!(described.email(), Some("m1@example.com"));
    assert_eq!(described.name(), Some("member1"));
    assert_eq!(described.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(
        described.joined_method().map(|s| s.as_str()),
        Some("CREATED")
    );
    assert_eq!(
        described.arn(),
        Some(
            format!(
                "arn:aws:organizations::{account}:account/{org_id}/{}",
                members[0]
            )
            .as_str()
        )
    );
    let err = orgs
        .describe_account()
        .account_id("999999999999")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccountNotFoundException"));

    // Moving accounts.
    orgs.move_account()
        .account_id(&members[0])
        .source_parent_id(&root_id)
        .destination_parent_id(&eng)
        .send()
        .await
        .unwrap();
    let under = orgs
        .list_accounts_for_parent()
        .parent_id(&eng)
        .send()
        .await
        .unwrap();
    assert_eq!(under.accounts().len(), 1);
    assert_eq!(under.accounts()[0].id(), Some(members[0].as_str()));
    let parents = orgs
        .list_parents()
        .child_id(&members[0])
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(eng.as_str()));
    assert_eq!(
        parents.parents()[0].r#type().map(|t| t.as_str()),
        Some("ORGANIZATIONAL_UNIT")
    );
    let parents = orgs.list_parents().child_id(&eng).send().await.unwrap();
    assert_eq!(parents.parents()[0].id(), Some(root_id.as_str()));
    let err = orgs
        .list_parents()
        .child_id("111111111119")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ChildNotFoundException"));
    let err = orgs
        .move_account()
        .account_id(&members[0])
        .source_parent_id(&eng)
        .destination_parent_id(&eng)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DuplicateAccountException"));
    let err = orgs
        .move_account()
        .account_id(&members[1])
        .source_parent_id(&eng)
        .destination_parent_id(&chain[1])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SourceParentNotFoundException"));
    let err = orgs
        .move_account()
        .account_id(&members[1])
        .source_parent_id(&root_id)
        .destination_parent_id(format!("ou-{}-zzzzzzzz", &root_id[2..]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DestinationParentNotFoundException"));
    let err = orgs
        .delete_organizational_unit()
        .organizational_unit_id(&eng)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("OrganizationalUnitNotEmptyException"));
    let accounts_under_root = orgs
        .list_children()
        .parent_id(&root_id)
        .child_type(ChildType::Account)
        .send()
        .await
        .unwrap();
    assert_eq!(accounts_under_root.children().len(), 4);

    // A member account's root sees its organization but may not manage it.
    let member = server.organizations(&dev_root(&members[1]));
    let seen_org = member.describe_organization().send().await.unwrap();
    assert_eq!(seen_org.organization().unwrap().id(), Some(org_id.as_str()));
    let err = member.list_accounts().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = member
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("mine")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let err = member.create_organization().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AlreadyInOrganizationException"));

    // Closing, removing, leaving.
    orgs.close_account()
        .account_id(&members[2])
        .send()
        .await
        .unwrap();
    let closed = orgs
        .describe_account()
        .account_id(&members[2])
        .send()
        .await
        .unwrap();
    assert_eq!(
        closed.account().unwrap().status().map(|s| s.as_str()),
        Some("SUSPENDED")
    );
    let err = orgs
        .close_account()
        .account_id(&members[2])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccountAlreadyClosedException"));
    let err = orgs
        .remove_account_from_organization()
        .account_id(&account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MasterCannotLeaveOrganizationException"));
    orgs.remove_account_from_organization()
        .account_id(&members[3])
        .send()
        .await
        .unwrap();
    let err = orgs
        .describe_account()
        .account_id(&members[3])
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccountNotFoundException"));
    member.leave_organization().send().await.unwrap();
    let err = member.describe_organization().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AWSOrganizationsNotInUseException"));
    // Standalone again, it may start an organization of its own.
    let own = member.create_organization().send().await.unwrap();
    assert_ne!(own.organization().unwrap().id(), Some(org_id.as_str()));
    assert_eq!(
        own.organization().unwrap().master_account_id(),
        Some(members[1].as_str())
    );

    let err = orgs.delete_organization().send().await.unwrap_err();
    assert_eq!(err.code(), Some("OrganizationNotEmptyException"));
    for id in [&members[0], &members[2]] {
        orgs.remove_account_from_organization()
            .account_id(id)
            .send()
            .await
            .unwrap();
    }
    orgs.delete_organization().send().await.unwrap();
    let err = orgs.list_roots().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AWSOrganizationsNotInUseException"));
}

#[tokio::test]
async fn policies_attach_detach_and_policy_types() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
    let account = account_of(&server, &root).await;
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
    let root_id = root_id(&orgs).await;
    assert!(orgs.list_roots().send().await.unwrap().roots()[0]
        .policy_types()
        .is_empty());

    let deny_s3 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    let created = orgs
        .create_policy()
        .name("no-s3")
        .description("denies S3")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(deny_s3)
        .send()
        .await
        .unwrap();
    let summary = created.policy().unwrap().policy_summary().unwrap();
    let policy_id = summary.id().unwrap().to_owned();
    assert!(
        policy_id.starts_with("p-") && policy_id.len() == 10,
        "{policy_id}"
    );
    assert_eq!(
        summary.arn(),
        Some(
            format!(
                "arn:aws:organizations::{account}:policy/{org_id}/service_control_policy/{policy_id}"
            )
            .as_str()
        )
    );
    assert!(!summary.aws_managed());
    let err = orgs
        .create_policy()
        .name("no-s3")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(deny_s3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DuplicatePolicyException"));
    let err = orgs
        .create_policy()
        .name("broken")
        .description("")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedPolicyDocumentException"));
    let err = orgs
        .attach_policy()
        .policy_id(&policy_id)
        .target_id(&root_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PolicyTypeNotEnabledException"));

    // Enabling SCPs attaches FullAWSAccess everywhere, as AWS does.
    let ou_before = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("before")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let enabled = orgs
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let types = enabled.root().unwrap().policy_types();
    assert_eq!(types.len(), 1);
    assert_eq!(types[0].status(), Some(&PolicyTypeStatus::Enabled));
    let err = orgs
        .enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PolicyTypeAlreadyEnabledException"));
    let err = orgs
        .enable_policy_type()
        .root_id("r-zzzz")
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RootNotFoundException"));
    let ou_after = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("after")
        .send()
        .await
        .unwrap()
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let member = create_member(&orgs, "member", "member@example.com").await;
    for target in [&root_id, &ou_before, &ou_after, &member, &account] {
        let attached = orgs
            .list_policies_for_target()
            .target_id(target)
            .filter(PolicyType::ServiceControlPolicy)
            .send()
            .await
            .unwrap();
        assert_eq!(attached.policies().len(), 1, "{target}");
        assert_eq!(attached.policies()[0].id(), Some("p-FullAWSAccess"));
        assert_eq!(
            attached.policies()[0].arn(),
            Some("arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess")
        );
        assert!(attached.policies()[0].aws_managed());
    }

    orgs.attach_policy()
        .policy_id(&policy_id)
        .target_id(&ou_after)
        .send()
        .await
        .unwrap();
    let err = orgs
        .attach_policy()
        .policy_id(&policy_id)
        .target_id(&ou_after)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DuplicatePolicyAttachmentException"));
    let err = orgs
        .attach_policy()
        .policy_id(&policy_id)
        .target_id("123456789012")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("TargetNotFoundException"));
    let targets = orgs
        .list_targets_for_policy()
        .policy_id(&policy_id)
        .send()
        .await
        .unwrap();
    assert_eq!(targets.targets().len(), 1);
    assert_eq!(targets.targets()[0].target_id(), Some(ou_after.as_str()));
    assert_eq!(targets.targets()[0].name(), Some("after"));
    assert_eq!(
        targets.targets()[0].r#type().map(|t| t.as_str()),
        Some("ORGANIZATIONAL_UNIT")
    );
    let err = orgs
        .detach_policy()
        .policy_id(&policy_id)
        .target_id(&ou_before)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PolicyNotAttachedException"));
    let err = orgs
        .detach_policy()
        .policy_id("p-FullAWSAccess")
        .target_id(&member)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    match err {
        aws_sdk_organizations::operation::detach_policy::DetachPolicyError::ConstraintViolationException(e) => {
            assert_eq!(
                e.reason().map(|r| r.as_str()),
                Some("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
            );
        }
        other => panic!("{other:?}"),
    }
    let err = orgs
        .delete_policy()
        .policy_id(&policy_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PolicyInUseException"));
    let err = orgs
        .update_policy()
        .policy_id("p-FullAWSAccess")
        .name("mine-now")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInputException"));
    let updated = orgs
        .update_policy()
        .policy_id(&policy_id)
        .description("denies all of S3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated
            .policy()
            .unwrap()
            .policy_summary()
            .unwrap()
            .description(),
        Some("denies all of S3")
    );
    assert_eq!(updated.policy().unwrap().content(), Some(deny_s3));
    orgs.detach_policy()
        .policy_id(&policy_id)
        .target_id(&ou_after)
        .send()
        .await
        .unwrap();
    orgs.delete_policy()
        .policy_id(&policy_id)
        .send()
        .await
        .unwrap();
    let err = orgs
        .describe_policy()
        .policy_id(&policy_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PolicyNotFoundException"));

    // Other policy types, and tags.
    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    let tag_policy = orgs
        .create_policy()
        .name("cost-center")
        .description("")
        .r#type(PolicyType::TagPolicy)
        .content(r#"{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}"#)
        .send()
        .await
        .unwrap();
    let tag_policy_id = tag_policy
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    orgs.attach_policy()
        .policy_id(&tag_policy_id)
        .target_id(&member)
        .send()
        .await
        .unwrap();
    let listed = orgs
        .list_policies()
        .filter(PolicyType::TagPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.policies().len(), 1);
    let scps = orgs
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(scps.policies().len(), 1);
    orgs.tag_resource()
        .resource_id(&ou_before)
        .tags(
            aws_sdk_organizations::types::Tag::builder()
                .key("team")
                .value("core")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let tags = orgs
        .list_tags_for_resource()
        .resource_id(&ou_before)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].value(), "core");

    // Disabling SCPs detaches them all.
    let disabled = orgs
        .disable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.root().unwrap().policy_types().len(), 1);
    let attached = orgs
        .list_policies_for_target()
        .target_id(&member)
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    assert!(attached.policies().is_empty());
    let err = orgs
        .disable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PolicyTypeNotEnabledException"));

    // An IAM user of the management account without policies is denied.
    let iam = server.iam(&root);
    let ops = server.organizations(&user_with_key(&iam, "ops").await);
    let err = ops.list_accounts().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert!(
        err.message()
            .unwrap()
            .contains("organizations:ListAccounts"),
        "{:?}",
        err.message()
    );
}

#[tokio::test]
async fn invitations_are_accepted_declined_and_canceled() {
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
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
    // Dev mode creates these standalone accounts on their first request.
    let (invited, canceled, declining) = ("222222222222", "333333333333", "444444444444");
    for id in [invited, canceled, declining] {
        server
            .sts(&dev_root(id))
            .get_caller_identity()
            .send()
            .await
            .unwrap();
    }
    let party = |id: &str| {
        aws_sdk_organizations::types::HandshakeParty::builder()
            .id(id)
            .r#type(aws_sdk_organizations::types::HandshakePartyType::Account)
            .build()
            .unwrap()
    };
    let handshake = orgs
        .invite_account_to_organization()
        .target(party(invited))
        .notes("welcome")
        .send()
        .await
        .unwrap();
    let handshake = handshake.handshake().unwrap();
    let handshake_id = handshake.id().unwrap().to_owned();
    assert!(handshake_id.starts_with("h-"), "{handshake_id}");
    assert_eq!(handshake.state().map(|s| s.as_str()), Some("OPEN"));
    assert_eq!(handshake.parties().len(), 2);
    let err = orgs
        .invite_account_to_organization()
        .target(party(invited))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DuplicateHandshakeException"));

    let guest = server.organizations(&dev_root(invited));
    let pending = guest.list_handshakes_for_account().send().await.unwrap();
    assert_eq!(pending.handshakes().len(), 1);
    assert_eq!(pending.handshakes()[0].id(), Some(handshake_id.as_str()));
    let accepted = guest
        .accept_handshake()
        .handshake_id(&handshake_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        accepted.handshake().unwrap().state().map(|s| s.as_str()),
        Some("ACCEPTED")
    );
    let err = guest
        .accept_handshake()
        .handshake_id(&handshake_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("HandshakeAlreadyInStateException"));
    let joined = guest.describe_organization().send().await.unwrap();
    assert_eq!(joined.organization().unwrap().id(), Some(org_id.as_str()));
    let described = orgs
        .describe_account()
        .account_id(invited)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described
            .account()
            .unwrap()
            .joined_method()
            .map(|m| m.as_str()),
        Some("INVITED")
    );

    let to_cancel = orgs
        .invite_account_to_organization()
        .target(party(canceled))
        .send()
        .await
        .unwrap()
        .handshake()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    // Only the two parties see a handshake.
    let err = guest
        .describe_handshake()
        .handshake_id(&to_cancel)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("HandshakeNotFoundException"));
    orgs.cancel_handshake()
        .handshake_id(&to_cancel)
        .send()
        .await
        .unwrap();
    let err = server
        .organizations(&dev_root(canceled))
        .accept_handshake()
        .handshake_id(&to_cancel)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidHandshakeTransitionException"));

    let to_decline = orgs
        .invite_account_to_organization()
        .target(party(declining))
        .send()
        .await
        .unwrap()
        .handshake()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let declined = server
        .organizations(&dev_root(declining))
        .decline_handshake()
        .handshake_id(&to_decline)
        .send()
        .await
        .unwrap();
    assert_eq!(
        declined.handshake().unwrap().state().map(|s| s.as_str()),
        Some("DECLINED")
    );
    let all = orgs
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap();
    let states: Vec<_> = all
        .handshakes()
        .iter()
        .map(|h| h.state().unwrap().as_str().to_owned())
        .collect();
    assert_eq!(states, ["ACCEPTED", "CANCELED", "DECLINED"]);
    let accounts = orgs.list_accounts().send().await.unwrap();
    assert_eq!(accounts.accounts().len(), 2);
}

#[tokio::test]
async fn trusted_access_and_delegated_administrators() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "security", "security@example.com").await;
    let principal = "guardduty.amazonaws.com";
    let err = orgs
        .register_delegated_administrator()
        .account_id(&member)
        .service_principal(principal)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ConstraintViolationException"));
    orgs.enable_aws_service_access()
        .service_principal(principal)
        .send()
        .await
        .unwrap();
    let enabled = orgs
        .list_aws_service_access_for_organization()
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.enabled_service_principals().len(), 1);
    assert_eq!(
        enabled.enabled_service_principals()[0].service_principal(),
        Some(principal)
    );
    orgs.register_delegated_administrator()
        .account_id(&member)
        .service_principal(principal)
        .send()
        .await
        .unwrap();
    let err = orgs
        .register_delegated_administrator()
        .account_id(&member)
        .service_principal(principal)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccountAlreadyRegisteredException"));
    let admins = orgs.list_delegated_administrators().send().await.unwrap();
    assert_eq!(admins.delegated_administrators().len(), 1);
    assert_eq!(
        admins.delegated_administrators()[0].id(),
        Some(member.as_str())
    );
    let services = orgs
        .list_delegated_services_for_account()
        .account_id(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(
        services.delegated_services()[0].service_principal(),
        Some(principal)
    );
    orgs.deregister_delegated_administrator()
        .account_id(&member)
        .service_principal(principal)
        .send()
        .await
        .unwrap();
    let err = orgs
        .list_delegated_services_for_account()
        .account_id(&member)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccountNotRegisteredException"));
    orgs.disable_aws_service_access()
        .service_principal(principal)
        .send()
        .await
        .unwrap();
    assert!(orgs
        .list_aws_service_access_for_organization()
        .send()
        .await
        .unwrap()
        .enabled_service_principals()
        .is_empty());
}

#[tokio::test]
async fn organization_account_access_role_administers_new_accounts() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
    let iam = server.iam(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "development", "dev@example.com").await;

    // An administrator of the management account, allowed to assume the access role.
    let ops = user_with_key(&iam, "ops").await;
    iam.put_user_policy()
        .user_name("ops")
        .policy_name("AssumeAccessRoles")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}]}"#)
        .send()
        .await
        .unwrap();
    let role_arn = format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole");
    let assumed = server
        .sts(&ops)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("ops")
        .send()
        .await
        .unwrap();
    let creds = assumed.credentials().unwrap();
    let keys = Keys::from(creds);

    // Inside the member account, with administrator access: create an IAM user there.
    let member_iam = server.iam_with_token(&keys, creds.session_token());
    member_iam
        .create_user()
        .user_name("developer")
        .send()
        .await
        .unwrap();
    let who = server
        .sts_with_token(&keys, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(who.account(), Some(member.as_str()));
    let listed = member_iam.list_users().send().await.unwrap();
    assert_eq!(listed.users().len(), 1);
    // The user exists in the member account only.
    let err = iam
        .get_user()
        .user_name("developer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    // A role of that name in an account outside the organization is not assumable.
    let err = server
        .sts(&ops)
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/OrganizationAccountAccessRole")
        .role_session_name("ops")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn service_control_policies_bind_member_accounts_even_their_root() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    let root_id = create_organization(&orgs).await;
    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let production = create_account(&orgs, "production", "prod@example.com").await;
    let production = production.account_id().unwrap().to_owned();
    let prod_root = server.iam(&dev_root(&production));

    // FullAWSAccess alone: the member's root may act.
    prod_root
        .create_user()
        .user_name("before")
        .send()
        .await
        .unwrap();

    let guard = orgs
        .create_policy()
        .name("NoNewUsers")
        .description("production guardrail")
        .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:CreateUser","organizations:LeaveOrganization"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let policy_id = guard
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    orgs.attach_policy()
        .policy_id(&policy_id)
        .target_id(&production)
        .send()
        .await
        .unwrap();

    let err = prod_root
        .create_user()
        .user_name("after")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );
    let message = aws_sdk_iam::error::ProvideErrorMetadata::message(&err)
        .unwrap()
        .to_owned();
    assert!(
        message.contains("explicit deny in a service control policy"),
        "{message}"
    );
    prod_root.list_users().send().await.unwrap();

    // The management account is exempt from SCPs.
    server
        .iam(&management)
        .create_user()
        .user_name("still-fine")
        .send()
        .await
        .unwrap();

    // Detaching the guardrail lifts the deny at once.
    orgs.detach_policy()
        .policy_id(&policy_id)
        .target_id(&production)
        .send()
        .await
        .unwrap();
    prod_root
        .create_user()
        .user_name("after")
        .send()
        .await
        .unwrap();
}

/// An invitation nobody answered in time reads EXPIRED and no longer stands in the way:
/// it holds no place under the account quota, and inviting the same account again is no
/// duplicate.
#[tokio::test]
async fn expired_invitations_block_nothing() {
    let server = Server::start(&["--dev", "--default-account-quota", "2"]);
    let orgs = server.organizations(&server.root_keys());
    orgs.create_organization().send().await.unwrap();
    let (invited, other) = ("555555555555", "666666666666");
    for id in [invited, other] {
        server
            .sts(&dev_root(id))
            .get_caller_identity()
            .send()
            .await
            .unwrap();
    }
    let party = |id: &str| {
        aws_sdk_organizations::types::HandshakeParty::builder()
            .id(id)
            .r#type(aws_sdk_organizations::types::HandshakePartyType::Account)
            .build()
            .unwrap()
    };
    let invite = |id: &str| {
        orgs.invite_account_to_organization()
            .target(party(id))
            .send()
    };
    let first = invite(invited).await.unwrap();
    let first_id = first.handshake().unwrap().id().unwrap().to_owned();
    let err = invite(invited).await.unwrap_err();
    assert_eq!(err.code(), Some("DuplicateHandshakeException"));
    // The management account and one open invitation fill the quota of 2.
    let err = invite(other).await.unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));

    // Fifteen days pass for this invitation: its expiry is moved into the past.
    let url = format!(
        "sqlite://{}",
        server.data_dir.join("gatehouse.db").display()
    );
    let mut db = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("UPDATE org_handshakes SET expires_at = 1 WHERE handshake_id = ?")
        .bind(&first_id)
        .execute(&mut db)
        .await
        .unwrap();

    let described = orgs
        .describe_handshake()
        .handshake_id(&first_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.handshake().unwrap().state().map(|s| s.as_str()),
        Some("EXPIRED")
    );
    // Its place under the quota is free again…
    invite(other).await.unwrap();
    // …and inviting the same account is no duplicate (the quota is what stops it now).
    let err = invite(invited).await.unwrap_err();
    assert_eq!(err.code(), Some("HandshakeConstraintViolationException"));
    assert!(
        err.message()
            .unwrap()
            .contains("maximum number of accounts"),
        "{:?}",
        err.message()
    );
}
