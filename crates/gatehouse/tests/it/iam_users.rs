//! The issue's core flow through the AWS SDK for Rust: the root creates a user and a
//! key, the user sees itself, is denied what it has no policy for, and a deactivated key
//! stops working.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::support::credentials::{new_key, Keys};
use super::support::server::Server;

#[tokio::test]
async fn root_user_and_access_key_lifecycle() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let root_iam = server.iam(&root);

    let me = server
        .sts(&root)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let account = me.account().unwrap().to_owned();
    assert_eq!(account.len(), 12);
    assert_eq!(me.arn().unwrap(), format!("arn:aws:iam::{account}:root"));
    assert_eq!(me.user_id().unwrap(), account);

    let created = root_iam
        .create_user()
        .user_name("alice")
        .path("/engineering/")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("core")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let user = created.user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:iam::{account}:user/engineering/alice")
    );
    assert!(user.user_id().starts_with("AIDA"));
    assert_eq!(user.tags()[0].key(), "team");

    // Names are unique regardless of case.
    let err = root_iam
        .create_user()
        .user_name("ALICE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));

    let key = root_iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    assert!(key.access_key_id().starts_with("AKIA"));
    assert_eq!(key.secret_access_key().len(), 40);
    let alice = Keys::from(key);

    // The key encodes its account.
    let info = server
        .sts(&root)
        .get_access_key_info()
        .access_key_id(&alice.id)
        .send()
        .await
        .unwrap();
    assert_eq!(info.account(), Some(account.as_str()));

    let who = server
        .sts(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        who.arn().unwrap(),
        format!("arn:aws:iam::{account}:user/engineering/alice")
    );
    assert_eq!(who.user_id().unwrap(), user.user_id());

    // No policy grants alice anything.
    let err = server
        .iam(&alice)
        .create_user()
        .user_name("mallory")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message().unwrap().contains(&format!(
            "User: arn:aws:iam::{account}:user/engineering/alice is not authorized to perform: iam:CreateUser"
        )),
        "{err:?}"
    );
    let err = server
        .iam(&alice)
        .list_access_keys()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // GetUser without a name is the caller; for root, the root identity.
    let got = root_iam.get_user().user_name("alice").send().await.unwrap();
    assert_eq!(got.user().unwrap().path(), "/engineering/");
    let got = root_iam.get_user().send().await.unwrap();
    assert_eq!(
        got.user().unwrap().arn(),
        format!("arn:aws:iam::{account}:root")
    );
    let err = root_iam
        .get_user()
        .user_name("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // Last use is recorded for the service the key was used with.
    let last = root_iam
        .get_access_key_last_used()
        .access_key_id(&alice.id)
        .send()
        .await
        .unwrap();
    assert_eq!(last.user_name(), Some("alice"));
    let used = last.access_key_last_used().unwrap();
    assert!(used.last_used_date().is_some());
    assert_eq!(used.region(), "us-east-1");

    // Two keys at most.
    root_iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let err = root_iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
    let listed = root_iam
        .list_access_keys()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.access_key_metadata().len(), 2);

    // A deactivated key is refused at authentication; reactivated, it works again.
    root_iam
        .update_access_key()
        .user_name("alice")
        .access_key_id(&alice.id)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let err = server
        .sts(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    root_iam
        .update_access_key()
        .user_name("alice")
        .access_key_id(&alice.id)
        .status(aws_sdk_iam::types::StatusType::Active)
        .send()
        .await
        .unwrap();
    server
        .sts(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap();

    // A user with keys cannot be deleted; without them it can.
    let err = root_iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    for key in listed.access_key_metadata() {
        root_iam
            .delete_access_key()
            .user_name("alice")
            .access_key_id(key.access_key_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    let err = server
        .sts(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    root_iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let err = root_iam
        .get_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn list_users_pages_with_markers_and_path_prefixes() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    for (name, path) in [
        ("u1", "/"),
        ("u2", "/a/"),
        ("u3", "/a/b/"),
        ("u4", "/"),
        ("u5", "/a/"),
    ] {
        iam.create_user()
            .user_name(name)
            .path(path)
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut marker = None;
    let mut pages = 0;
    loop {
        let page = iam
            .list_users()
            .max_items(2)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.users().len() <= 2);
        names.extend(page.users().iter().map(|u| u.user_name().to_owned()));
        if !page.is_truncated() {
            assert!(page.marker().is_none());
            break;
        }
        marker = page.marker().map(str::to_owned);
        assert!(marker.is_some());
    }
    assert_eq!(pages, 3);
    assert_eq!(names, ["u1", "u2", "u3", "u4", "u5"]);

    let under_a = iam.list_users().path_prefix("/a/").send().await.unwrap();
    let names: Vec<_> = under_a.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(names, ["u2", "u3", "u5"]);

    // The SDK's paginator drives the same markers.
    let all: Vec<_> = iam
        .list_users()
        .max_items(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn renaming_users_and_groups_carries_everything_along() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let created = iam
        .create_user()
        .user_name("alice")
        .path("/a/")
        .send()
        .await
        .unwrap();
    let user_id = created.user().unwrap().user_id().to_owned();
    let alice = new_key(&iam, "alice").await;
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("self")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("bob").send().await.unwrap();

    let err = iam
        .update_user()
        .user_name("alice")
        .new_user_name("BOB")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let err = iam
        .update_user()
        .user_name("nobody")
        .new_user_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    iam.update_user()
        .user_name("alice")
        .new_user_name("alicia")
        .new_path("/b/")
        .send()
        .await
        .unwrap();
    let err = iam.get_user().user_name("alice").send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let got = iam.get_user().user_name("alicia").send().await.unwrap();
    let got = got.user().unwrap();
    assert_eq!((got.path(), got.user_id()), ("/b/", user_id.as_str()));
    // Keys, groups and policies followed the user, and the key now speaks for alicia.
    let keys = iam
        .list_access_keys()
        .user_name("alicia")
        .send()
        .await
        .unwrap();
    assert_eq!(keys.access_key_metadata().len(), 1);
    let groups = iam
        .list_groups_for_user()
        .user_name("alicia")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups()[0].group_name(), "devs");
    let inline = iam
        .list_user_policies()
        .user_name("alicia")
        .send()
        .await
        .unwrap();
    assert_eq!(inline.policy_names(), ["self"]);
    let who = server
        .sts(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(who.arn().unwrap().ends_with(":user/b/alicia"), "{who:?}");
    // Its group's policy still applies to it.
    server.iam(&alice).list_roles().send().await.unwrap();

    iam.update_group()
        .group_name("devs")
        .new_group_name("developers")
        .send()
        .await
        .unwrap();
    let group = iam
        .get_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    assert_eq!(group.users()[0].user_name(), "alicia");
    let attached = iam
        .list_attached_group_policies()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    assert_eq!(attached.attached_policies().len(), 1);
    let err = iam.get_group().group_name("devs").send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // Moving a user needs the permission on where it goes too.
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("mover")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UpdateUser","Resource":"arn:aws:iam::*:user/b/*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let bob = server.iam(&new_key(&iam, "bob").await);
    let err = bob
        .update_user()
        .user_name("alicia")
        .new_path("/c/")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    bob.update_user()
        .user_name("alicia")
        .new_user_name("alicia2")
        .send()
        .await
        .unwrap();
}
