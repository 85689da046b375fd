//! One behavioural suite, run against SQLite always and against PostgreSQL when
//! `GATEHOUSE_TEST_POSTGRES_URL` names a server (each run gets a fresh database there).

use super::audit_segment::seal;
use super::*;

fn account(id: &str) -> AccountRecord {
    AccountRecord {
        account_id: id.to_owned(),
        name: format!("acct-{id}"),
        email: format!("{id}@example.com"),
        status: "ACTIVE".to_owned(),
        created_at: 1_700_000_000_000,
    }
}

fn user(account_id: &str, name: &str, path: &str) -> UserRecord {
    UserRecord {
        account_id: account_id.to_owned(),
        user_name: name.to_owned(),
        user_id: format!("AIDA{}", name.to_uppercase()),
        path: path.to_owned(),
        created_at: 1_700_000_000_000,
        permissions_boundary: None,
        tags: vec![("team".to_owned(), "blue".to_owned())],
    }
}

fn key(id: &str, account_id: &str, owner: KeyOwner) -> AccessKeyRecord {
    AccessKeyRecord {
        access_key_id: id.to_owned(),
        account_id: account_id.to_owned(),
        owner,
        secret_sealed: vec![0, 1, 2, 255],
        status: "Active".to_owned(),
        created_at: 1_700_000_000_000,
        last_used: None,
    }
}

async fn suite(store: Store) {
    let (a, b) = ("111111111111", "222222222222");
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&account(a)).await.unwrap();
    tx.insert_account(&account(b)).await.unwrap();
    tx.commit().await.unwrap();

    // A duplicate account id is refused and the transaction leaves nothing behind.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_account(&account(a)).await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.account(a).await.unwrap(), Some(account(a)));
    assert_eq!(tx.account("333333333333").await.unwrap(), None);

    // Users: unique per account regardless of case, invisible from other accounts.
    tx.insert_user(&user(a, "Alice", "/")).await.unwrap();
    tx.insert_user(&user(a, "bob", "/dev/")).await.unwrap();
    tx.insert_user(&user(a, "carol", "/dev/ops/"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_user(&UserRecord {
            user_id: "AIDAOTHER".into(),
            ..user(a, "ALICE", "/")
        })
        .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.user(a, "alice").await.unwrap().unwrap().user_name,
        "Alice"
    );
    assert_eq!(
        tx.user(a, "alice").await.unwrap().unwrap().tags,
        user(a, "Alice", "/").tags
    );
    assert_eq!(tx.user(b, "alice").await.unwrap(), None);

    let names = |users: Vec<UserRecord>| users.into_iter().map(|u| u.user_name).collect::<Vec<_>>();
    assert_eq!(
        names(tx.list_users(a, "/", None, 100).await.unwrap()),
        ["Alice", "bob", "carol"]
    );
    assert_eq!(
        names(tx.list_users(a, "/dev/", None, 100).await.unwrap()),
        ["bob", "carol"]
    );
    assert_eq!(
        names(tx.list_users(a, "/", None, 2).await.unwrap()),
        ["Alice", "bob"]
    );
    assert_eq!(
        names(tx.list_users(a, "/", Some("bob"), 2).await.unwrap()),
        ["carol"]
    );
    assert!(tx.list_users(b, "/", None, 100).await.unwrap().is_empty());

    // Access keys: scoped by account for every change.
    tx.insert_access_key(&key("AKIAROOTA", a, KeyOwner::Root))
        .await
        .unwrap();
    tx.insert_access_key(&key("AKIABOB1", a, KeyOwner::User("bob".into())))
        .await
        .unwrap();
    tx.insert_access_key(&key("AKIABOB2", a, KeyOwner::User("BOB".into())))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let found = tx.access_key_by_id("AKIABOB1").await.unwrap().unwrap();
    assert_eq!(found.owner, KeyOwner::User("bob".into()));
    assert_eq!(found.secret_sealed, vec![0, 1, 2, 255]);
    assert_eq!(
        tx.access_keys_of(a, &KeyOwner::User("Bob".into()))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        tx.access_keys_of(a, &KeyOwner::Root).await.unwrap().len(),
        1
    );
    assert!(!tx
        .set_access_key_status(b, "AKIABOB1", "Inactive")
        .await
        .unwrap());
    assert!(tx
        .set_access_key_status(a, "AKIABOB1", "Inactive")
        .await
        .unwrap());
    assert!(!tx.delete_access_key(b, "AKIABOB2").await.unwrap());
    assert!(tx.delete_access_key(a, "AKIABOB2").await.unwrap());
    tx.record_key_use("AKIABOB1", 1_800_000_000_000, "iam", "us-east-1")
        .await
        .unwrap();
    tx.record_key_use("AKIABOB1", 1_700_000_000_000, "sts", "eu-west-1")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let found = tx.access_key_by_id("AKIABOB1").await.unwrap().unwrap();
    assert_eq!(found.status, "Inactive");
    assert_eq!(
        found.last_used,
        Some((1_800_000_000_000, "iam".into(), "us-east-1".into()))
    );
    assert_eq!(tx.access_key_by_id("AKIABOB2").await.unwrap(), None);

    // Who uses a managed policy: attachments by kind and name, boundaries of users and
    // roles; never another account's.
    let arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    tx.attach_policy(a, OwnerKind::User, "Alice", arn)
        .await
        .unwrap();
    tx.attach_policy(a, OwnerKind::Group, "Devs", arn)
        .await
        .unwrap();
    tx.attach_policy(b, OwnerKind::Role, "Other", arn)
        .await
        .unwrap();
    assert_eq!(
        tx.policy_attachments(a, arn).await.unwrap(),
        [
            (OwnerKind::Group, "devs".to_owned()),
            (OwnerKind::User, "alice".to_owned())
        ]
    );
    assert!(tx
        .policy_attachments(a, "arn:aws:iam::aws:policy/IAMFullAccess")
        .await
        .unwrap()
        .is_empty());
    assert!(tx.set_user_boundary(a, "bob", Some(arn)).await.unwrap());
    assert_eq!(
        tx.boundary_users(a, arn).await.unwrap(),
        [(OwnerKind::User, "bob".to_owned())]
    );
    assert!(tx.boundary_users(b, arn).await.unwrap().is_empty());

    // Rolled-back work leaves no trace.
    tx.insert_user(&user(b, "dave", "/")).await.unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.user(b, "dave").await.unwrap(), None);
    assert!(tx.delete_user(a, "CAROL").await.unwrap());
    assert!(!tx.delete_user(a, "carol").await.unwrap());
    tx.commit().await.unwrap();

    // Reset keeps the kept account and its root key only.
    store.reset(a).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.account(a).await.unwrap().is_some());
    assert!(tx.account(b).await.unwrap().is_none());
    assert!(tx.access_key_by_id("AKIAROOTA").await.unwrap().is_some());
    assert!(tx.access_key_by_id("AKIABOB1").await.unwrap().is_none());
    assert!(tx.user(a, "alice").await.unwrap().is_none());
    drop(tx);

    assert!(store.ping().await);
    assert_eq!(
        migrations::current_version(&store).await.unwrap(),
        migrations::latest_version(&store)
    );
}

/// Organizations and quotas: the OU tree, memberships, policies and attachments, the
/// SCP path of an account, tags, quota values and requests; all scoped by organization
/// or account.
async fn organizations_suite(store: Store) {
    let (mgmt, member, other) = ("444444444444", "555555555555", "666666666666");
    let mut tx = store.begin().await.unwrap();
    for id in [mgmt, member, other] {
        tx.insert_account(&account(id)).await.unwrap();
    }
    let org = OrganizationRecord {
        org_id: "o-aaaaaaaaaa".into(),
        management_account_id: mgmt.into(),
        feature_set: "ALL".into(),
        root_id: "r-aaaa".into(),
        created_at: 1_700_000_000_000,
    };
    tx.insert_organization(&org).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.organization_of_account(mgmt).await.unwrap(),
        Some(org.clone())
    );
    assert_eq!(tx.organization_of_account(member).await.unwrap(), None);
    let unit = |id: &str, parent: &str, name: &str, depth: i64| UnitRecord {
        org_id: org.org_id.clone(),
        unit_id: id.into(),
        parent_id: Some(parent.into()),
        name: name.into(),
        depth,
        created_at: 1_700_000_000_000 + depth,
    };
    tx.insert_unit(&unit("ou-aaaa-11111111", "r-aaaa", "Eng", 1))
        .await
        .unwrap();
    tx.insert_unit(&unit("ou-aaaa-22222222", "ou-aaaa-11111111", "Web", 2))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Sibling names are unique without case; the same name elsewhere is fine.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_unit(&unit("ou-aaaa-33333333", "r-aaaa", "ENG", 1))
            .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.insert_unit(&unit("ou-aaaa-33333333", "ou-aaaa-11111111", "eng", 2))
        .await
        .unwrap();
    tx.insert_member(&MemberRecord {
        org_id: org.org_id.clone(),
        account_id: member.into(),
        parent_id: "ou-aaaa-22222222".into(),
        joined_method: "CREATED".into(),
        joined_at: 1_700_000_000_001,
        access_role_name: Some("OrganizationAccountAccessRole".into()),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.units(&org.org_id).await.unwrap().len(), 4);
    assert_eq!(
        tx.child_units(&org.org_id, "ou-aaaa-11111111")
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(tx
        .unit("o-other", "ou-aaaa-11111111")
        .await
        .unwrap()
        .is_none());
    let (found, found_account) = tx.member(&org.org_id, member).await.unwrap().unwrap();
    assert_eq!(
        found.access_role_name.as_deref(),
        Some("OrganizationAccountAccessRole")
    );
    assert_eq!(found_account.email, format!("{member}@example.com"));
    assert_eq!(tx.members(&org.org_id, None).await.unwrap().len(), 2);
    assert_eq!(
        tx.members(&org.org_id, Some("r-aaaa")).await.unwrap()[0]
            .0
            .account_id,
        mgmt
    );
    assert_eq!(
        tx.account_by_email(&format!("{member}@EXAMPLE.com"))
            .await
            .unwrap()
            .as_deref(),
        Some(member)
    );

    // Policies: one name per type, attachments once per target.
    let policy = |id: &str, kind: &str, name: &str, content: &str| OrgPolicyRecord {
        org_id: org.org_id.clone(),
        policy_id: id.into(),
        policy_type: kind.into(),
        name: name.into(),
        description: String::new(),
        content: content.into(),
        aws_managed: id == "p-FullAWSAccess",
        created_at: 1_700_000_000_000,
    };
    let scp = "SERVICE_CONTROL_POLICY";
    tx.insert_org_policy(&policy("p-FullAWSAccess", scp, "FullAWSAccess", "full"))
        .await
        .unwrap();
    tx.insert_org_policy(&policy("p-11111111", scp, "deny-s3", "deny"))
        .await
        .unwrap();
    tx.insert_org_policy(&policy(
        "p-22222222",
        "RESOURCE_CONTROL_POLICY",
        "deny-s3",
        "rcp",
    ))
    .await
    .unwrap();
    tx.insert_org_policy(&policy("p-33333333", scp, "ou-only", "ou"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_org_policy(&policy("p-44444444", scp, "deny-s3", "x"))
            .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.org_policy(&org.org_id, "p-FullAWSAccess")
            .await
            .unwrap()
            .unwrap()
            .aws_managed
    );
    assert_eq!(
        tx.org_policies(&org.org_id, scp).await.unwrap()[0].policy_id,
        "p-FullAWSAccess"
    );
    tx.enable_policy_type(&org.org_id, scp).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.enable_policy_type(&org.org_id, scp).await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    for target in ["r-aaaa", "ou-aaaa-11111111", "ou-aaaa-22222222", member] {
        tx.attach_org_policy(&org.org_id, "p-FullAWSAccess", target, scp)
            .await
            .unwrap();
    }
    tx.attach_org_policy(&org.org_id, "p-11111111", member, scp)
        .await
        .unwrap();
    tx.attach_org_policy(&org.org_id, "p-33333333", "ou-aaaa-22222222", scp)
        .await
        .unwrap();
    tx.attach_org_policy(
        &org.org_id,
        "p-22222222",
        "r-aaaa",
        "RESOURCE_CONTROL_POLICY",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    // The path of the member: root -> Eng -> Web -> account; RCPs are not enabled.
    let levels = tx.policy_levels(member).await.unwrap().unwrap();
    let ids: Vec<_> = levels.iter().map(|l| l.target_id.as_str()).collect();
    assert_eq!(
        ids,
        ["r-aaaa", "ou-aaaa-11111111", "ou-aaaa-22222222", member]
    );
    assert_eq!(levels[0].scps, ["full"]);
    assert!(levels[0].rcps.is_empty());
    assert_eq!(levels[2].scps, ["full", "ou"]);
    assert_eq!(levels[3].scps, ["full", "deny"]);
    assert_eq!(tx.policy_levels(mgmt).await.unwrap(), None);
    assert_eq!(tx.policy_levels(other).await.unwrap(), None);
    tx.enable_policy_type(&org.org_id, "RESOURCE_CONTROL_POLICY")
        .await
        .unwrap();
    let levels = tx.policy_levels(member).await.unwrap().unwrap();
    assert_eq!(levels[0].rcps, ["rcp"]);
    assert_eq!(
        tx.targets_of_policy(&org.org_id, "p-FullAWSAccess")
            .await
            .unwrap()
            .len(),
        4
    );
    assert!(tx
        .detach_org_policy(&org.org_id, "p-11111111", member)
        .await
        .unwrap());
    assert!(!tx
        .detach_org_policy(&org.org_id, "p-11111111", member)
        .await
        .unwrap());
    // Disabling a type detaches its policies.
    assert!(tx.disable_policy_type(&org.org_id, scp).await.unwrap());
    assert!(tx
        .policies_of_target(&org.org_id, "r-aaaa", Some(scp))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        tx.policies_of_target(&org.org_id, "r-aaaa", None)
            .await
            .unwrap()
            .len(),
        1
    );

    // Tags: upserted by key.
    tx.put_org_tags(
        &org.org_id,
        member,
        &[("team".into(), "a".into()), ("env".into(), "prod".into())],
    )
    .await
    .unwrap();
    tx.put_org_tags(&org.org_id, member, &[("team".into(), "b".into())])
        .await
        .unwrap();
    assert_eq!(
        tx.org_tags(&org.org_id, member).await.unwrap(),
        [
            ("env".to_owned(), "prod".to_owned()),
            ("team".to_owned(), "b".to_owned())
        ]
    );
    tx.remove_org_tags(&org.org_id, member, &["env".to_owned()])
        .await
        .unwrap();
    assert_eq!(tx.org_tags(&org.org_id, member).await.unwrap().len(), 1);

    // Trusted access and delegated administrators; removal of a member ends its
    // registrations.
    tx.enable_service_access(&org.org_id, "guardduty.amazonaws.com", 7)
        .await
        .unwrap();
    tx.enable_service_access(&org.org_id, "guardduty.amazonaws.com", 8)
        .await
        .unwrap();
    assert_eq!(
        tx.service_access(&org.org_id).await.unwrap(),
        [("guardduty.amazonaws.com".to_owned(), 7)]
    );
    tx.register_delegated_admin(&org.org_id, member, "guardduty.amazonaws.com", 9)
        .await
        .unwrap();
    assert_eq!(tx.delegated_admins(&org.org_id).await.unwrap().len(), 1);
    assert!(tx.delegated_admins("o-other").await.unwrap().is_empty());

    // Moving and removing members; removal takes their tags along.
    tx.move_member(&org.org_id, member, "r-aaaa").await.unwrap();
    assert_eq!(
        tx.members(&org.org_id, Some("r-aaaa")).await.unwrap().len(),
        2
    );
    tx.delete_member(&org.org_id, member).await.unwrap();
    assert!(tx.member(&org.org_id, member).await.unwrap().is_none());
    assert!(tx.org_tags(&org.org_id, member).await.unwrap().is_empty());
    assert!(tx.delegated_admins(&org.org_id).await.unwrap().is_empty());
    tx.disable_service_access(&org.org_id, "guardduty.amazonaws.com")
        .await
        .unwrap();
    assert!(tx.service_access(&org.org_id).await.unwrap().is_empty());
    tx.set_account_status(member, "SUSPENDED").await.unwrap();
    assert_eq!(
        tx.account(member).await.unwrap().unwrap().status,
        "SUSPENDED"
    );

    // CreateAccount requests.
    let request = CreateAccountRequestRecord {
        org_id: org.org_id.clone(),
        request_id: "car-1".into(),
        account_name: "x".into(),
        state: "FAILED".into(),
        failure_reason: Some("EMAIL_ALREADY_EXISTS".into()),
        account_id: None,
        requested_at: 1,
        completed_at: Some(2),
    };
    tx.insert_create_account_request(&request).await.unwrap();
    assert_eq!(
        tx.create_account_request(&org.org_id, "car-1")
            .await
            .unwrap(),
        Some(request.clone())
    );
    assert!(tx
        .create_account_request("o-other", "car-1")
        .await
        .unwrap()
        .is_none());

    // Quotas: values per account, requests scoped by account.
    assert_eq!(
        tx.quota_value(mgmt, "organizations", "L-29A0C5DF")
            .await
            .unwrap(),
        None
    );
    tx.set_quota_value(mgmt, "organizations", "L-29A0C5DF", 12.0)
        .await
        .unwrap();
    tx.set_quota_value(mgmt, "organizations", "L-29A0C5DF", 15.0)
        .await
        .unwrap();
    assert_eq!(
        tx.quota_value(mgmt, "organizations", "L-29A0C5DF")
            .await
            .unwrap(),
        Some(15.0)
    );
    assert_eq!(
        tx.quota_value(other, "organizations", "L-29A0C5DF")
            .await
            .unwrap(),
        None
    );
    let quota_request = QuotaRequestRecord {
        request_id: "req1".into(),
        account_id: mgmt.into(),
        service_code: "organizations".into(),
        quota_code: "L-29A0C5DF".into(),
        desired_value: 20.0,
        status: "PENDING".into(),
        requester: format!("arn:aws:iam::{mgmt}:root"),
        created_at: 5,
        updated_at: 5,
    };
    tx.insert_quota_request(&quota_request).await.unwrap();
    tx.set_quota_request_status(mgmt, "req1", "APPROVED", 9)
        .await
        .unwrap();
    let stored = tx.quota_request(mgmt, "req1").await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.updated_at), ("APPROVED", 9));
    assert!(tx.quota_request(other, "req1").await.unwrap().is_none());
    assert!(tx.quota_request_by_id("req1").await.unwrap().is_some());
    assert_eq!(tx.quota_requests(mgmt).await.unwrap().len(), 1);
    tx.commit().await.unwrap();

    // Deleting the organization leaves the accounts; reset wipes the rest.
    let mut tx = store.begin().await.unwrap();
    tx.delete_organization(&org.org_id).await.unwrap();
    assert_eq!(tx.organization_of_account(mgmt).await.unwrap(), None);
    assert!(tx.account(mgmt).await.unwrap().is_some());
    tx.insert_organization(&org).await.unwrap();
    tx.commit().await.unwrap();
    store.reset("111111111111").await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.organization_of_account(mgmt).await.unwrap(), None);
    assert!(tx.quota_requests(mgmt).await.unwrap().is_empty());
}

/// Responsibility transfers between two organizations, and handshakes with a parent.
async fn transfers_suite(store: Store) {
    let (inviter, invited, stranger) = ("121212121212", "131313131313", "141414141414");
    let mut tx = store.begin().await.unwrap();
    for id in [inviter, invited, stranger] {
        tx.insert_account(&account(id)).await.unwrap();
    }
    let org = |org_id: &str, management: &str| OrganizationRecord {
        org_id: org_id.into(),
        management_account_id: management.into(),
        feature_set: "ALL".into(),
        root_id: format!("r-{}", &org_id[2..6]),
        created_at: 1_700_000_000_000,
    };
    let (inbound, outbound) = (org("o-tttttttttt", inviter), org("o-uuuuuuuuuu", invited));
    tx.insert_organization(&inbound).await.unwrap();
    tx.insert_organization(&outbound).await.unwrap();
    let handshake = |id: &str, parent: Option<&str>| HandshakeRecord {
        handshake_id: id.into(),
        org_id: inbound.org_id.clone(),
        action: "TRANSFER_RESPONSIBILITY".into(),
        target_type: "EMAIL".into(),
        target_value: "131313131313@EXAMPLE.com".into(),
        state: "OPEN".into(),
        notes: None,
        requested_at: 1_700_000_000_000,
        expires_at: 1_700_100_000_000,
        parent_handshake_id: parent.map(str::to_owned),
    };
    tx.insert_handshake(&handshake("h-transfer01", None))
        .await
        .unwrap();
    tx.insert_handshake(&handshake("h-child00001", Some("h-transfer01")))
        .await
        .unwrap();
    let transfer = TransferRecord {
        transfer_id: "rt-aaaaaaaaaa".into(),
        transfer_type: "BILLING".into(),
        name: "pay for them".into(),
        handshake_id: "h-transfer01".into(),
        inbound_org_id: inbound.org_id.clone(),
        inbound_account_id: inviter.into(),
        party_type: "EMAIL".into(),
        party_value: "131313131313@EXAMPLE.com".into(),
        outbound_org_id: None,
        outbound_account_id: None,
        status: "REQUESTED".into(),
        start_at: 1_701_388_800_000,
        end_at: None,
        created_at: 1_700_000_000_000,
    };
    tx.insert_transfer(&transfer).await.unwrap();
    tx.commit().await.unwrap();
    // A second transfer with the same id is refused (PostgreSQL then aborts the
    // transaction: drop it).
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_transfer(&transfer).await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.handshake("h-child00001")
            .await
            .unwrap()
            .unwrap()
            .parent_handshake_id,
        Some("h-transfer01".to_owned())
    );
    assert_eq!(
        tx.handshake("h-transfer01")
            .await
            .unwrap()
            .unwrap()
            .parent_handshake_id,
        None
    );
    assert_eq!(
        tx.transfer("rt-aaaaaaaaaa").await.unwrap(),
        Some(transfer.clone())
    );
    assert_eq!(tx.transfer("rt-bbbbbbbbbb").await.unwrap(), None);
    assert_eq!(
        tx.transfer_of_handshake("h-transfer01").await.unwrap(),
        Some(transfer.clone())
    );
    assert_eq!(
        tx.transfer_of_handshake("h-child00001").await.unwrap(),
        None
    );
    assert_eq!(
        tx.inbound_transfers(&inbound.org_id).await.unwrap(),
        vec![transfer.clone()]
    );
    assert!(tx
        .inbound_transfers(&outbound.org_id)
        .await
        .unwrap()
        .is_empty());
    // Before acceptance the invitation is found by the invited email, without case.
    assert_eq!(
        tx.outbound_transfers("o-uuuuuuuuuu", invited, "131313131313@example.COM")
            .await
            .unwrap(),
        vec![transfer.clone()]
    );
    assert!(tx
        .outbound_transfers("o-vvvvvvvvvv", stranger, "141414141414@example.com")
        .await
        .unwrap()
        .is_empty());
    // Accepting records the outbound side; a later status change keeps it.
    tx.set_transfer_status(
        "rt-aaaaaaaaaa",
        "ACCEPTED",
        Some((&outbound.org_id, invited)),
        None,
    )
    .await
    .unwrap();
    tx.set_transfer_status("rt-aaaaaaaaaa", "WITHDRAWN", None, Some(1_704_067_199_999))
        .await
        .unwrap();
    tx.rename_transfer("rt-aaaaaaaaaa", "renamed")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let stored = tx.transfer("rt-aaaaaaaaaa").await.unwrap().unwrap();
    assert_eq!(
        stored,
        TransferRecord {
            name: "renamed".into(),
            outbound_org_id: Some(outbound.org_id.clone()),
            outbound_account_id: Some(invited.into()),
            status: "WITHDRAWN".into(),
            end_at: Some(1_704_067_199_999),
            ..transfer.clone()
        }
    );
    // Once accepted it belongs to the organization, whatever the email says now.
    assert_eq!(
        tx.outbound_transfers("o-uuuuuuuuuu", invited, "someone-else@example.com")
            .await
            .unwrap(),
        vec![stored]
    );
    assert!(tx
        .outbound_transfers("o-vvvvvvvvvv", stranger, "131313131313@example.com")
        .await
        .unwrap()
        .is_empty());
}

fn audit_event(id: &str, at: i64, account: Option<&str>, principal: Option<&str>) -> AuditRecord {
    AuditRecord {
        event_id: id.to_owned(),
        event_time: at,
        account_id: account.map(str::to_owned),
        principal_arn: principal.map(str::to_owned),
        access_key_id: Some("AKIAEXAMPLE".to_owned()),
        service: "iam".into(),
        operation: "GetUser".into(),
        action: Some("iam:GetUser".into()),
        resource: None,
        source_ip: "127.0.0.1".to_owned(),
        user_agent: None,
        region: Some("us-east-1".to_owned()),
        read_only: true,
        decision: Some("ImplicitDeny".into()),
        decided_by: Some("identity".into()),
        status: 403,
        error_code: Some("AccessDenied".to_owned()),
    }
}

/// The uses `events` record, folded as the audit log folds them.
fn uses(events: &[AuditRecord]) -> Vec<AccessUse> {
    let mut builder = SegmentBuilder::default();
    for event in events {
        builder.note_use(&event.view());
    }
    builder.seal().unwrap().uses
}

async fn audit_suite(store: Store) {
    // Batched events in segments of 200, and more rows than one statement holds, each
    // written twice: the retry adds nothing.
    let batch: Vec<AuditRecord> = (0..450)
        .map(|n| {
            let principal = if n % 3 == 0 {
                Some("arn:aws:iam::111111111111:user/a")
            } else {
                None
            };
            audit_event(
                &format!("req-{n:04}"),
                1_000 + n,
                Some("111111111111"),
                principal,
            )
        })
        .collect();
    let (rows, batched) = batch.split_at(150);
    for _ in 0..2 {
        let mut tx = store.begin().await.unwrap();
        tx.insert_audit_events(rows).await.unwrap();
        for segment in batched.chunks(200) {
            tx.insert_audit_segment(&seal(segment).unwrap())
                .await
                .unwrap();
        }
        tx.record_access_activity(&uses(&batch)).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Text that needs escaping on its way in, and an event with every optional field empty,
    // come back exactly as written.
    let mut awkward = audit_event("other", 5_000, Some("222222222222"), None);
    awkward.user_agent =
        Some("say \"hi\"\\ tab\t line\n ünïcødé 🚀 '; DROP TABLE x; --".to_owned());
    awkward.resource = Some("arn:aws:iam::222222222222:user/${aws:username}".to_owned());
    let bare = AuditRecord {
        event_id: "bare".to_owned(),
        event_time: 1_200,
        account_id: None,
        principal_arn: None,
        access_key_id: None,
        service: "unknown".into(),
        operation: "unknown".into(),
        action: None,
        resource: None,
        source_ip: "::1".to_owned(),
        user_agent: None,
        region: None,
        read_only: false,
        decision: None,
        decided_by: None,
        status: 400,
        error_code: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_audit_events(&[awkward.clone(), bare.clone()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A rolled-back transaction leaves no event.
    let mut tx = store.begin().await.unwrap();
    tx.insert_audit_events(&[audit_event("rolled-back", 6_000, None, None)])
        .await
        .unwrap();
    tx.insert_audit_segment(&seal(&[audit_event("rolled-back-2", 6_001, None, None)]).unwrap())
        .await
        .unwrap();
    drop(tx);

    let all = AuditFilter {
        limit: 10_000,
        ..AuditFilter::default()
    };
    let events = store.audit_events(&all).await.unwrap();
    assert_eq!(events.len(), 452);
    assert_eq!(events.first().unwrap(), &batch[0]);
    assert_eq!(events.last().unwrap(), &awkward);
    assert!(events.contains(&bare));
    let newest = store
        .audit_events(&AuditFilter {
            limit: 2,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = newest.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["req-0449", "other"]);
    // The newest of one principal, across the rows (up to 149) and the segments.
    let newest_of_a = store
        .audit_events(&AuditFilter {
            principal_arn: Some("arn:aws:iam::111111111111:user/a".to_owned()),
            since: Some(1_140),
            limit: 5,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = newest_of_a.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(
        ids,
        ["req-0435", "req-0438", "req-0441", "req-0444", "req-0447"]
    );
    let oldest_of_a = store
        .audit_events(&AuditFilter {
            principal_arn: Some("arn:aws:iam::111111111111:user/a".to_owned()),
            since: Some(1_140),
            limit: 1_000,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = oldest_of_a
        .iter()
        .take(4)
        .map(|e| e.event_id.as_str())
        .collect();
    assert_eq!(ids, ["req-0141", "req-0144", "req-0147", "req-0150"]);
    assert_eq!(oldest_of_a.len(), 103);
    let by_account = AuditFilter {
        account_id: Some("222222222222".to_owned()),
        ..all.clone()
    };
    assert_eq!(store.audit_events(&by_account).await.unwrap().len(), 1);
    let by_principal = AuditFilter {
        principal_arn: Some("arn:aws:iam::111111111111:user/a".to_owned()),
        ..all.clone()
    };
    assert_eq!(store.audit_events(&by_principal).await.unwrap().len(), 150);
    for (account, expected) in [("111111111111", 150), ("222222222222", 0)] {
        let both = AuditFilter {
            account_id: Some(account.to_owned()),
            ..by_principal.clone()
        };
        assert_eq!(store.audit_events(&both).await.unwrap().len(), expected);
    }
    let since = AuditFilter {
        since: Some(1_400),
        ..all.clone()
    };
    assert_eq!(store.audit_events(&since).await.unwrap().len(), 51);
}

/// Last accessed data: role last use (never moving back), report jobs (scoped, pruned)
/// and the per-principal summaries of audit events, where a role name's `_` must not
/// act as LIKE's wildcard. Runs after `suite` (account `111111111111` exists).
async fn access_reports_suite(store: Store) {
    let a = "111111111111";
    let mut tx = store.begin().await.unwrap();
    tx.insert_role(&RoleRecord {
        account_id: a.to_owned(),
        role_name: "Ro_le".to_owned(),
        role_id: "AROAACCESSREPORTS".to_owned(),
        path: "/".to_owned(),
        trust_policy: "{}".to_owned(),
        description: None,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: Vec::new(),
        created_at: 1,
    })
    .await
    .unwrap();
    assert_eq!(
        tx.role_last_used(a, "AROAACCESSREPORTS").await.unwrap(),
        None
    );
    tx.record_role_use(a, "AROAACCESSREPORTS", 2_000, "eu-west-1")
        .await
        .unwrap();
    tx.record_role_use(a, "AROAACCESSREPORTS", 1_500, "us-east-1")
        .await
        .unwrap();
    assert_eq!(
        tx.role_last_used(a, "AROAACCESSREPORTS").await.unwrap(),
        Some((2_000, "eu-west-1".to_owned()))
    );

    let session = "arn:aws:sts::111111111111:assumed-role/Ro_le/s1";
    let lookalike = "arn:aws:sts::111111111111:assumed-role/RoXle/s1";
    let mut events = Vec::new();
    for (n, principal, region) in [
        (1, session, "us-east-1"),
        (2, session, "eu-west-1"),
        (3, lookalike, "us-east-1"),
    ] {
        let mut event = audit_event(&format!("ar-{n}"), 10_000 + n, Some(a), Some(principal));
        event.region = Some(region.to_owned());
        events.push(event);
    }
    // Folded in in two steps, the newer first: the older never replaces it.
    tx.record_access_activity(&uses(&events[1..]))
        .await
        .unwrap();
    let mut older = events.clone();
    for event in &mut older {
        event.event_time -= 5_000;
    }
    tx.record_access_activity(&uses(&older)).await.unwrap();
    tx.record_access_activity(&uses(&events[..1]))
        .await
        .unwrap();
    let mut found = tx
        .access_summaries(
            a,
            0,
            &["arn:aws:iam::111111111111:user/a".to_owned()],
            &["arn:aws:sts::111111111111:assumed-role/Ro_le/".to_owned()],
        )
        .await
        .unwrap();
    found.sort_by(|x, y| (&x.principal_arn, &x.region).cmp(&(&y.principal_arn, &y.region)));
    let seen: Vec<(&str, Option<&str>, i64)> = found
        .iter()
        .map(|s| (s.principal_arn.as_str(), s.region.as_deref(), s.at))
        .collect();
    // User `a`'s 150 events of `audit_suite` (the last at 1_000 + 447) and the session's two.
    assert_eq!(
        seen,
        [
            ("arn:aws:iam::111111111111:user/a", Some("us-east-1"), 1_447),
            (session, Some("eu-west-1"), 10_002),
            (session, Some("us-east-1"), 10_001),
        ]
    );
    assert!(found
        .iter()
        .all(|s| s.service == "iam" && s.operation == "GetUser"));
    let since = tx
        .access_summaries(
            a,
            1_440,
            &["arn:aws:iam::111111111111:user/a".to_owned()],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(since.len(), 1);
    let mut accounts = tx.account_access_summaries(a, 0).await.unwrap();
    accounts.sort();
    assert_eq!(
        accounts,
        [
            ("iam".to_owned(), Some("eu-west-1".to_owned()), 10_002),
            ("iam".to_owned(), Some("us-east-1".to_owned()), 10_003),
        ]
    );

    // Jobs: read back by account and kind; pruned by age, then beyond the newest kept.
    for (n, created) in [(1, 100), (2, 200), (3, 300)] {
        tx.insert_access_report(&AccessReportRecord {
            account_id: a.to_owned(),
            job_id: format!("job-{n}"),
            kind: "service".to_owned(),
            requester: "arn:aws:iam::111111111111:root".to_owned(),
            created_at: created,
            completed_at: created + 1,
            content: "{}".to_owned(),
        })
        .await
        .unwrap();
    }
    let job = tx
        .access_report(a, "service", "job-2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.created_at, job.completed_at), (200, 201));
    assert!(tx
        .access_report(a, "organizations", "job-2")
        .await
        .unwrap()
        .is_none());
    assert!(tx
        .access_report("222222222222", "service", "job-2")
        .await
        .unwrap()
        .is_none());
    tx.prune_access_reports(a, 150, 1).await.unwrap();
    assert!(tx
        .access_report(a, "service", "job-1")
        .await
        .unwrap()
        .is_none());
    assert!(tx
        .access_report(a, "service", "job-2")
        .await
        .unwrap()
        .is_none());
    assert!(tx
        .access_report(a, "service", "job-3")
        .await
        .unwrap()
        .is_some());
    tx.commit().await.unwrap();
}

/// Login profiles, the password policy, virtual MFA devices, instance profiles, aliases
/// and entity tags: scoped by account, with the rules the store itself enforces (one
/// login profile per user, device names unique per account, TOTP steps only moving
/// forward, aliases unique across accounts).
async fn credentials_suite(store: Store) {
    let (a, b) = ("777777777777", "888888888888");
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&account(a)).await.unwrap();
    tx.insert_account(&account(b)).await.unwrap();
    tx.insert_user(&user(a, "Erin", "/")).await.unwrap();
    tx.commit().await.unwrap();

    // Login profiles: one per user, found in any case, invisible from other accounts.
    let profile = LoginProfileRecord {
        account_id: a.to_owned(),
        user_key: "Erin".to_owned(),
        password_hash: "$argon2id$first".to_owned(),
        reset_required: true,
        history: Vec::new(),
        created_at: 1_700_000_000_000,
        changed_at: 1_700_000_000_000,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_login_profile(&profile).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_login_profile(&profile).await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mut found = tx.login_profile(a, "ERIN").await.unwrap().unwrap();
    assert_eq!(found.user_key, "erin");
    assert!(found.reset_required);
    assert_eq!(tx.login_profile(b, "erin").await.unwrap(), None);
    found.history = vec![found.password_hash.clone()];
    found.password_hash = "$argon2id$second".to_owned();
    found.reset_required = false;
    found.changed_at = 1_700_000_100_000;
    assert!(tx.update_login_profile(&found).await.unwrap());
    assert_eq!(tx.login_profile(a, "erin").await.unwrap(), Some(found));
    assert_eq!(tx.login_profiles(a).await.unwrap().len(), 1);
    assert!(tx.delete_login_profile(a, "erin").await.unwrap());
    assert!(!tx.delete_login_profile(a, "erin").await.unwrap());

    // The password policy: absent, set, replaced, removed; per account.
    assert_eq!(tx.password_policy(a).await.unwrap(), None);
    let mut policy = PasswordPolicyRecord {
        minimum_length: 12,
        require_symbols: true,
        require_numbers: false,
        require_uppercase: true,
        require_lowercase: false,
        allow_users_to_change: true,
        max_age_days: 90,
        reuse_prevention: 5,
        hard_expiry: false,
    };
    tx.put_password_policy(a, &policy).await.unwrap();
    policy.minimum_length = 14;
    tx.put_password_policy(a, &policy).await.unwrap();
    assert_eq!(tx.password_policy(a).await.unwrap(), Some(policy));
    assert_eq!(tx.password_policy(b).await.unwrap(), None);
    assert!(tx.delete_password_policy(a).await.unwrap());
    assert!(!tx.delete_password_policy(a).await.unwrap());
    tx.commit().await.unwrap();

    // MFA devices: names unique per account in any case; steps only move forward.
    let device = |name: &str| MfaDeviceRecord {
        account_id: a.to_owned(),
        serial_number: format!("arn:aws:iam::{a}:mfa/{name}"),
        name: name.to_owned(),
        path: "/".to_owned(),
        seed_sealed: vec![9, 8, 7],
        user_key: None,
        enabled_at: None,
        last_step: 0,
        tags: Vec::new(),
        created_at: 1_700_000_000_000,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_mfa_device(&device("phone")).await.unwrap();
    tx.insert_mfa_device(&device("token")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_mfa_device(&MfaDeviceRecord {
            serial_number: format!("arn:aws:iam::{a}:mfa/PHONE"),
            ..device("PHONE")
        })
        .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let serial = format!("arn:aws:iam::{a}:mfa/phone");
    let mut phone = tx.mfa_device(a, &serial).await.unwrap().unwrap();
    assert_eq!(phone.name, "phone");
    assert_eq!(phone.seed_sealed, vec![9, 8, 7]);
    assert_eq!(tx.mfa_device(b, &serial).await.unwrap(), None);
    phone.user_key = Some("Erin".to_owned());
    phone.enabled_at = Some(1_700_000_000_500);
    phone.last_step = 100;
    phone.tags = vec![("k".to_owned(), "v".to_owned())];
    assert!(tx.update_mfa_device(&phone).await.unwrap());
    let held = tx.mfa_devices_of_user(a, "erin").await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].user_key.as_deref(), Some("erin"));
    assert_eq!(held[0].tags, phone.tags);
    assert!(!tx.advance_mfa_step(a, &serial, 100).await.unwrap());
    assert!(!tx.advance_mfa_step(a, &serial, 99).await.unwrap());
    assert!(tx.advance_mfa_step(a, &serial, 101).await.unwrap());
    assert_eq!(
        tx.mfa_device(a, &serial).await.unwrap().unwrap().last_step,
        101
    );
    let assigned = tx.list_mfa_devices(a, Some(true), None, 10).await.unwrap();
    let unassigned = tx.list_mfa_devices(a, Some(false), None, 10).await.unwrap();
    let all = tx.list_mfa_devices(a, None, None, 10).await.unwrap();
    assert_eq!((assigned.len(), unassigned.len(), all.len()), (1, 1, 2));
    assert_eq!(unassigned[0].name, "token");
    let after = tx
        .list_mfa_devices(a, None, Some(&all[0].serial_number), 10)
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    assert!(tx
        .list_mfa_devices(b, None, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(tx.delete_mfa_device(a, &serial).await.unwrap());
    assert!(!tx.delete_mfa_device(a, &serial).await.unwrap());

    // Instance profiles: unique per account, found by the role they hold.
    let profile = |name: &str, path: &str| InstanceProfileRecord {
        account_id: a.to_owned(),
        profile_name: name.to_owned(),
        profile_id: format!("AIPA{}", name.to_uppercase()),
        path: path.to_owned(),
        role_key: None,
        tags: Vec::new(),
        created_at: 1_700_000_000_000,
    };
    tx.insert_instance_profile(&profile("Web", "/app/"))
        .await
        .unwrap();
    tx.insert_instance_profile(&profile("batch", "/"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_instance_profile(&InstanceProfileRecord {
            profile_id: "AIPAOTHER".into(),
            ..profile("WEB", "/")
        })
        .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mut web = tx.instance_profile(a, "web").await.unwrap().unwrap();
    assert_eq!(web.profile_name, "Web");
    web.role_key = Some("WebRole".to_owned());
    assert!(tx.update_instance_profile(&web).await.unwrap());
    let holding = tx
        .list_instance_profiles(a, "/", Some("webrole"), None, 10)
        .await
        .unwrap();
    assert_eq!(holding.len(), 1);
    assert_eq!(holding[0].role_key.as_deref(), Some("webrole"));
    let under_app = tx
        .list_instance_profiles(a, "/app/", None, None, 10)
        .await
        .unwrap();
    assert_eq!(under_app.len(), 1);
    assert_eq!(tx.count_instance_profiles(a).await.unwrap(), 2);
    assert_eq!(tx.count_instance_profiles(b).await.unwrap(), 0);
    assert!(tx.delete_instance_profile(a, "WEB").await.unwrap());
    assert!(!tx.delete_instance_profile(a, "web").await.unwrap());

    // Aliases: one per account, unique across accounts.
    tx.insert_account_alias(a, "erin-corp").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_account_alias(b, "erin-corp").await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_account_alias(a, "second-alias").await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.account_alias(a).await.unwrap().as_deref(),
        Some("erin-corp")
    );
    assert_eq!(tx.account_alias(b).await.unwrap(), None);
    assert!(!tx.delete_account_alias(b, "erin-corp").await.unwrap());
    assert!(tx.delete_account_alias(a, "erin-corp").await.unwrap());

    // Entity tags are replaced whole, per account.
    let tags = vec![
        ("a".to_owned(), "1".to_owned()),
        ("b".to_owned(), "2".to_owned()),
    ];
    assert!(tx
        .set_entity_tags(TaggedTable::User, a, "ERIN", &tags)
        .await
        .unwrap());
    assert!(!tx
        .set_entity_tags(TaggedTable::User, b, "erin", &tags)
        .await
        .unwrap());
    assert_eq!(tx.user(a, "erin").await.unwrap().unwrap().tags, tags);
    tx.commit().await.unwrap();

    // Identity providers: OIDC by URL in any case, SAML by name; per account.
    let oidc = OidcProviderRecord {
        account_id: a.to_owned(),
        url: "Token.example.com/tenant".to_owned(),
        client_ids: vec!["app".to_owned()],
        thumbprints: vec!["a".repeat(40)],
        tags: Vec::new(),
        created_at: 1_700_000_000_000,
    };
    let saml = SamlProviderRecord {
        account_id: a.to_owned(),
        name: "Corp".to_owned(),
        uuid: "uuid-1".to_owned(),
        metadata: "<EntityDescriptor/>".to_owned(),
        certificates: vec!["MIIB".to_owned()],
        valid_until: 1_900_000_000_000,
        tags: Vec::new(),
        created_at: 1_700_000_000_000,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_oidc_provider(&oidc).await.unwrap();
    tx.insert_saml_provider(&saml).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_oidc_provider(&OidcProviderRecord {
            url: "token.EXAMPLE.com/tenant".to_owned(),
            ..oidc.clone()
        })
        .await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mut found = tx
        .oidc_provider(a, "token.example.com/TENANT")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, oidc);
    assert_eq!(tx.oidc_provider(b, &oidc.url).await.unwrap(), None);
    found.client_ids.push("other".to_owned());
    found.tags = vec![("k".to_owned(), "v".to_owned())];
    assert!(tx.update_oidc_provider(&found).await.unwrap());
    assert_eq!(tx.oidc_providers(a).await.unwrap(), vec![found.clone()]);
    let mut corp = tx.saml_provider(a, "Corp").await.unwrap().unwrap();
    assert_eq!(corp, saml);
    assert_eq!(tx.saml_provider(b, "Corp").await.unwrap(), None);
    corp.metadata = "<EntityDescriptor entityID=\"x\"/>".to_owned();
    corp.valid_until = 1_950_000_000_000;
    assert!(tx.update_saml_provider(&corp).await.unwrap());
    assert_eq!(tx.saml_providers(a).await.unwrap(), vec![corp]);

    // Counts for the account summary.
    let counts = tx.iam_counts(a).await.unwrap();
    assert_eq!(counts.users, 1);
    assert_eq!(counts.providers, 2);
    assert_eq!(counts.mfa_devices, 1);
    assert_eq!(counts.mfa_devices_in_use, 0);
    assert_eq!(counts.instance_profiles, 1);
    assert_eq!(
        tx.iam_counts(b).await.unwrap(),
        reports::IamCounts::default()
    );
    assert!(tx
        .delete_oidc_provider(a, "TOKEN.example.com/tenant")
        .await
        .unwrap());
    assert!(!tx.delete_oidc_provider(a, &oidc.url).await.unwrap());
    assert!(tx.delete_saml_provider(a, "Corp").await.unwrap());
    assert!(!tx.delete_saml_provider(a, "Corp").await.unwrap());

    // Credential reports and service-linked role deletion tasks, per account.
    assert_eq!(tx.credential_report(a).await.unwrap(), None);
    tx.put_credential_report(a, "user,arn\n", 10).await.unwrap();
    tx.put_credential_report(a, "user,arn\nx,y\n", 20)
        .await
        .unwrap();
    assert_eq!(
        tx.credential_report(a).await.unwrap(),
        Some(("user,arn\nx,y\n".to_owned(), 20))
    );
    assert_eq!(tx.credential_report(b).await.unwrap(), None);
    tx.insert_deletion_task(a, "task/x", "SUCCEEDED", 5)
        .await
        .unwrap();
    assert_eq!(
        tx.deletion_task(a, "task/x").await.unwrap().as_deref(),
        Some("SUCCEEDED")
    );
    assert_eq!(tx.deletion_task(b, "task/x").await.unwrap(), None);
    tx.commit().await.unwrap();
}

fn delegation_request(
    id: &str,
    requestor: &str,
    owner: Option<&str>,
    workflow: &str,
) -> DelegationRequestRecord {
    DelegationRequestRecord {
        request_id: id.to_owned(),
        requestor_account: requestor.to_owned(),
        requestor_name: Some("partner".to_owned()),
        owner_account: owner.map(str::to_owned),
        owner_arn: None,
        approver_arn: None,
        approver: None,
        state: "UNASSIGNED".to_owned(),
        description: "d".to_owned(),
        request_message: None,
        workflow_id: workflow.to_owned(),
        redirect_url: None,
        notification_channel: format!("arn:aws:sns:us-east-1:{requestor}:t"),
        session_duration: 3600,
        only_send_by_owner: true,
        template_arn: format!("arn:aws:iam::{requestor}:policy/T"),
        parameters: "[]".to_owned(),
        permission_policy: "{}".to_owned(),
        notes: None,
        rejection_reason: None,
        created_at: 1_700_000_000_000,
        updated_at: 1_700_000_000_000,
        expires_at: 1_700_600_000_000,
        finalized_at: None,
    }
}

async fn delegation_suite(store: Store) {
    let (partner, customer, stranger) = ("151515151515", "343434343434", "565656565656");
    let mut tx = store.begin().await.unwrap();
    for id in [partner, customer, stranger] {
        tx.insert_account(&account(id)).await.unwrap();
    }
    let addressed = delegation_request("aaaaaaaaaaaaaaaa1", partner, Some(customer), "wf-1");
    let open = delegation_request("aaaaaaaaaaaaaaaa2", partner, None, "wf-2");
    tx.insert_delegation_request(&addressed).await.unwrap();
    tx.insert_delegation_request(&open).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    // Workflow ids are unique per requestor.
    assert!(matches!(
        tx.insert_delegation_request(&delegation_request(
            "aaaaaaaaaaaaaaaa3",
            partner,
            None,
            "wf-1"
        ))
        .await,
        Err(StoreError::Duplicate)
    ));
    tx.commit().await.unwrap();

    // Who sees what: the requestor both, the addressed account its own, a stranger only
    // the request that names no owner account.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.delegation_request(partner, &addressed.request_id)
            .await
            .unwrap(),
        Some(addressed.clone())
    );
    assert!(tx
        .delegation_request(customer, &addressed.request_id)
        .await
        .unwrap()
        .is_some());
    assert!(tx
        .delegation_request(stranger, &addressed.request_id)
        .await
        .unwrap()
        .is_none());
    assert!(tx
        .delegation_request(stranger, &open.request_id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        tx.count_open_delegation_requests(partner, 1_700_000_000_001)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        tx.count_open_delegation_requests(partner, 1_700_600_000_000)
            .await
            .unwrap(),
        0,
        "expired ones are not open"
    );
    // A stranger cannot change what it cannot see.
    let mut hijack = addressed.clone();
    hijack.state = "REJECTED".to_owned();
    assert!(!tx
        .update_delegation_request(stranger, &hijack)
        .await
        .unwrap());

    // Listing: the requestor lists both; the customer nothing until an identity owns one.
    let listed = tx
        .list_delegation_requests(partner, None, None, 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(tx
        .list_delegation_requests(customer, None, None, 10)
        .await
        .unwrap()
        .is_empty());
    let mut owned = addressed.clone();
    owned.owner_arn = Some(format!("arn:aws:iam::{customer}:user/alice"));
    owned.state = "ASSIGNED".to_owned();
    owned.approver = Some("{}".to_owned());
    owned.finalized_at = Some(1_700_000_100_000);
    assert!(tx
        .update_delegation_request(customer, &owned)
        .await
        .unwrap());
    let mine = tx
        .list_delegation_requests(customer, None, None, 10)
        .await
        .unwrap();
    assert_eq!(mine, vec![owned.clone()]);
    assert_eq!(
        tx.list_delegation_requests(customer, owned.owner_arn.as_deref(), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(tx
        .list_delegation_requests(
            customer,
            Some("arn:aws:iam::343434343434:user/bob"),
            None,
            10
        )
        .await
        .unwrap()
        .is_empty());
    // Pages continue after the last id.
    let page = tx
        .list_delegation_requests(partner, None, Some(&addressed.request_id), 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].request_id, open.request_id);

    // Notifications: numbered per request, read by their requestor only.
    tx.insert_delegation_notification(
        partner,
        &owned.request_id,
        &owned.notification_channel,
        "{\"a\":1}",
        5,
    )
    .await
    .unwrap();
    tx.insert_delegation_notification(
        partner,
        &owned.request_id,
        &owned.notification_channel,
        "{\"a\":2}",
        6,
    )
    .await
    .unwrap();
    let sent = tx.delegation_notifications(partner).await.unwrap();
    assert_eq!(
        sent.iter().map(|n| n.sequence).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(sent[1].message, "{\"a\":2}");
    assert!(tx
        .delegation_notifications(customer)
        .await
        .unwrap()
        .is_empty());
    tx.commit().await.unwrap();

    // Outbound federation: a switch and keys per account.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.outbound_federation(customer).await.unwrap(), None);
    tx.set_outbound_federation(customer, true, 1).await.unwrap();
    tx.set_outbound_federation(customer, false, 2)
        .await
        .unwrap();
    assert_eq!(tx.outbound_federation(customer).await.unwrap(), Some(false));
    assert_eq!(tx.outbound_federation(stranger).await.unwrap(), None);
    let key = OutboundKeyRecord {
        account_id: customer.to_owned(),
        key_id: "k1".to_owned(),
        algorithm: "ES384".to_owned(),
        public_jwk: "{}".to_owned(),
        private_key_sealed: vec![1, 2, 3],
        created_at: 1,
    };
    tx.insert_outbound_key(&key).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_outbound_key(&key).await,
        Err(StoreError::Duplicate)
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.outbound_keys(customer).await.unwrap(), vec![key]);
    assert!(tx.outbound_keys(stranger).await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn sqlite_backend_behaves() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("state.db").display());
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    suite(store.clone()).await;
    audit_suite(store.clone()).await;
    access_reports_suite(store.clone()).await;
    organizations_suite(store.clone()).await;
    transfers_suite(store.clone()).await;
    delegation_suite(store.clone()).await;
    credentials_suite(store).await;
    // Reopening runs no migration twice.
    Store::open(&url).await.unwrap();
}

#[tokio::test]
async fn postgres_backend_behaves() {
    let Some(url) = fresh_postgres_database().await else {
        return;
    };
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    suite(store.clone()).await;
    audit_suite(store.clone()).await;
    access_reports_suite(store.clone()).await;
    organizations_suite(store.clone()).await;
    transfers_suite(store.clone()).await;
    delegation_suite(store.clone()).await;
    credentials_suite(store).await;
}

/// Creates an empty database on the server named by `GATEHOUSE_TEST_POSTGRES_URL` and
/// returns its URL; prints a loud notice and returns `None` when the variable is unset.
pub(crate) async fn fresh_postgres_database() -> Option<String> {
    let Ok(base) = std::env::var("GATEHOUSE_TEST_POSTGRES_URL") else {
        eprintln!("SKIPPED: PostgreSQL store tests (set GATEHOUSE_TEST_POSTGRES_URL to run them)");
        return None;
    };
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&base).await.unwrap();
    let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (prefix, rest) = base.rsplit_once('/').unwrap();
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    Some(format!("{prefix}/{name}{query}"))
}

/// Nodes that start together on a new PostgreSQL database migrate one after the other:
/// every one opens, and each migration is recorded once.
#[tokio::test]
async fn postgres_nodes_starting_together_migrate_once() {
    let Some(url) = fresh_postgres_database().await else {
        return;
    };
    // Polled together: each node's migration waits on the lock at the database.
    let (a, b, c, d) = tokio::join!(
        Store::open(&url),
        Store::open(&url),
        Store::open(&url),
        Store::open(&url)
    );
    let stores = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
    let store = &stores[0];
    let rows = sqlx::query("SELECT COUNT(*) AS n FROM gatehouse_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        column::<i64>(&rows, "n").unwrap(),
        migrations::latest_version(store)
    );
}
