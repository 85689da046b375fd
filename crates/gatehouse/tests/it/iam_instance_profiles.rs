//! Instance profiles, tags on users and policies, and the account alias through the AWS
//! SDK: lifecycles, pagination, the one-role limit, DeleteConflict, the 50-tag quota.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::Tag;

use super::support::credentials::{account_of, dev_root, user_with_key};
use super::support::organizations::create_member;
use super::support::policies::EC2_TRUST;
use super::support::server::Server;

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().unwrap()
}

#[tokio::test]
async fn instance_profile_lifecycle() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;

    let created = iam
        .create_instance_profile()
        .instance_profile_name("web")
        .path("/app/")
        .tags(tag("tier", "front"))
        .send()
        .await
        .unwrap();
    let profile = created.instance_profile().unwrap();
    assert_eq!(
        profile.arn(),
        format!("arn:aws:iam::{account}:instance-profile/app/web")
    );
    assert!(profile.instance_profile_id().starts_with("AIPA"));
    assert!(profile.roles().is_empty());
    let err = iam
        .create_instance_profile()
        .instance_profile_name("WEB")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let err = iam
        .get_instance_profile()
        .instance_profile_name("nothing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    iam.create_role()
        .role_name("WebRole")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("OtherRole")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .unwrap();
    let err = iam
        .add_role_to_instance_profile()
        .instance_profile_name("web")
        .role_name("Missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.add_role_to_instance_profile()
        .instance_profile_name("web")
        .role_name("WebRole")
        .send()
        .await
        .unwrap();
    let err = iam
        .add_role_to_instance_profile()
        .instance_profile_name("web")
        .role_name("OtherRole")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
    // The account's authorization details list the role's instance profile.
    let details = iam
        .get_account_authorization_details()
        .filter(aws_sdk_iam::types::EntityType::Role)
        .send()
        .await
        .unwrap();
    let web_role = details
        .role_detail_list()
        .iter()
        .find(|role| role.role_name() == Some("WebRole"))
        .unwrap();
    let profiles: Vec<&str> = web_role
        .instance_profile_list()
        .iter()
        .map(|profile| profile.instance_profile_name())
        .collect();
    assert_eq!(profiles, ["web"]);
    let got = iam
        .get_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    let roles = got.instance_profile().unwrap().roles();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role_name(), "WebRole");
    let for_role = iam
        .list_instance_profiles_for_role()
        .role_name("WebRole")
        .send()
        .await
        .unwrap();
    assert_eq!(for_role.instance_profiles().len(), 1);
    assert_eq!(
        for_role.instance_profiles()[0].instance_profile_name(),
        "web"
    );
    let for_other = iam
        .list_instance_profiles_for_role()
        .role_name("OtherRole")
        .send()
        .await
        .unwrap();
    assert!(for_other.instance_profiles().is_empty());

    // A role in an instance profile, and a profile holding a role, cannot be deleted.
    let err = iam
        .delete_role()
        .role_name("WebRole")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    let err = iam
        .delete_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    iam.remove_role_from_instance_profile()
        .instance_profile_name("web")
        .role_name("WebRole")
        .send()
        .await
        .unwrap();
    let err = iam
        .remove_role_from_instance_profile()
        .instance_profile_name("web")
        .role_name("WebRole")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.delete_role().role_name("WebRole").send().await.unwrap();

    // Tags.
    iam.tag_instance_profile()
        .instance_profile_name("web")
        .tags(tag("env", "prod"))
        .tags(tag("TIER", "back"))
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_instance_profile_tags()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    let mut pairs: Vec<(String, String)> = tags
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("env".to_owned(), "prod".to_owned()),
            ("tier".to_owned(), "back".to_owned())
        ]
    );
    iam.untag_instance_profile()
        .instance_profile_name("web")
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let many: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"), "v")).collect();
    let err = iam
        .tag_instance_profile()
        .instance_profile_name("web")
        .set_tags(Some(many))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));

    // Pages and path prefixes.
    for name in ["a1", "a2", "a3"] {
        iam.create_instance_profile()
            .instance_profile_name(name)
            .path("/batch/")
            .send()
            .await
            .unwrap();
    }
    let first = iam
        .list_instance_profiles()
        .max_items(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.instance_profiles().len(), 2);
    assert!(first.is_truncated());
    let rest = iam
        .list_instance_profiles()
        .max_items(2)
        .marker(first.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.instance_profiles().len(), 2);
    assert!(!rest.is_truncated());
    let batch = iam
        .list_instance_profiles()
        .path_prefix("/batch/")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = batch
        .instance_profiles()
        .iter()
        .map(|p| p.instance_profile_name())
        .collect();
    assert_eq!(names, ["a1", "a2", "a3"]);

    iam.delete_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

#[tokio::test]
async fn users_and_policies_carry_tags() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    iam.create_user()
        .user_name("dave")
        .tags(tag("team", "blue"))
        .send()
        .await
        .unwrap();
    iam.tag_user()
        .user_name("dave")
        .tags(tag("TEAM", "red"))
        .tags(tag("site", "paris"))
        .send()
        .await
        .unwrap();
    let tags = iam.list_user_tags().user_name("dave").send().await.unwrap();
    assert_eq!(tags.tags().len(), 2);
    let first = iam
        .list_user_tags()
        .user_name("dave")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.tags().len(), 1);
    assert!(first.is_truncated());
    let second = iam
        .list_user_tags()
        .user_name("dave")
        .max_items(1)
        .marker(first.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.tags().len(), 1);
    assert!(!second.is_truncated());
    assert_ne!(first.tags()[0].key(), second.tags()[0].key());
    assert!(tags
        .tags()
        .iter()
        .any(|t| t.key() == "team" && t.value() == "red"));
    let user = iam.get_user().user_name("dave").send().await.unwrap();
    assert_eq!(user.user().unwrap().tags().len(), 2);
    iam.untag_user()
        .user_name("dave")
        .tag_keys("site")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    let tags = iam.list_user_tags().user_name("dave").send().await.unwrap();
    assert_eq!(tags.tags().len(), 1);
    let err = iam
        .tag_user()
        .user_name("dave")
        .tags(tag("dup", "1"))
        .tags(tag("DUP", "2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    let err = iam
        .list_user_tags()
        .user_name("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    let created = iam
        .create_policy()
        .policy_name("tagged")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let arn = created.policy().unwrap().arn().unwrap().to_owned();
    iam.tag_policy()
        .policy_arn(&arn)
        .tags(tag("owner", "sec"))
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_policy_tags()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].value(), "sec");
    iam.untag_policy()
        .policy_arn(&arn)
        .tag_keys("owner")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_policy_tags()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().is_empty());
    let err = iam
        .tag_policy()
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // Tag conditions apply: a user allowed to tag only with team=blue.
    let tagger_keys = user_with_key(&iam, "tagger").await;
    iam.put_user_policy()
        .user_name("tagger")
        .policy_name("blue-only")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}}]}"#)
        .send()
        .await
        .unwrap();
    let tagger = server.iam(&tagger_keys);
    tagger
        .tag_user()
        .user_name("dave")
        .tags(tag("team", "blue"))
        .send()
        .await
        .unwrap();
    let err = tagger
        .tag_user()
        .user_name("dave")
        .tags(tag("team", "green"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn account_alias_is_unique_and_single() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let listed = iam.list_account_aliases().send().await.unwrap();
    assert!(listed.account_aliases().is_empty());
    for bad in ["ab", "Upper-case", "double--hyphen", "-leading"] {
        let err = iam
            .create_account_alias()
            .account_alias(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("ValidationError"), "{bad}");
    }
    iam.create_account_alias()
        .account_alias("example-corp")
        .send()
        .await
        .unwrap();
    // A second alias replaces the first: one per account.
    iam.create_account_alias()
        .account_alias("example-corp-2")
        .send()
        .await
        .unwrap();
    let listed = iam.list_account_aliases().send().await.unwrap();
    assert_eq!(listed.account_aliases(), ["example-corp-2"]);
    let err = iam
        .delete_account_alias()
        .account_alias("example-corp")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.delete_account_alias()
        .account_alias("example-corp-2")
        .send()
        .await
        .unwrap();
    let listed = iam.list_account_aliases().send().await.unwrap();
    assert!(listed.account_aliases().is_empty());
}

#[tokio::test]
async fn entities_and_aliases_are_isolated_between_accounts() {
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "other", "other@example.com").await;
    let a = server.iam(&root);
    // Dev mode: a 12-digit key id acts as that account's root.
    let b = server.iam(&dev_root(&member));

    for iam in [&a, &b] {
        iam.create_user().user_name("alice").send().await.unwrap();
        iam.create_login_profile()
            .user_name("alice")
            .password("Str0ng-Passw0rd!")
            .send()
            .await
            .unwrap();
        iam.create_instance_profile()
            .instance_profile_name("web")
            .send()
            .await
            .unwrap();
        iam.create_virtual_mfa_device()
            .virtual_mfa_device_name("phone")
            .send()
            .await
            .unwrap();
        iam.create_open_id_connect_provider()
            .url("https://token.example.com")
            .send()
            .await
            .unwrap();
    }
    let devices = b.list_virtual_mfa_devices().send().await.unwrap();
    assert_eq!(devices.virtual_mfa_devices().len(), 1);
    assert!(devices.virtual_mfa_devices()[0]
        .serial_number()
        .contains(&member));

    // A's entities are not B's to touch: another account's ARNs are denied.
    a.delete_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    b.get_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let a_account = account_of(&server, &root).await;
    let err = b
        .delete_virtual_mfa_device()
        .serial_number(format!("arn:aws:iam::{a_account}:mfa/phone"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let still = a.list_virtual_mfa_devices().send().await.unwrap();
    assert_eq!(still.virtual_mfa_devices().len(), 1);
    let err = b
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(format!(
            "arn:aws:iam::{a_account}:oidc-provider/token.example.com"
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // An alias is unique across accounts.
    a.create_account_alias()
        .account_alias("shared-name")
        .send()
        .await
        .unwrap();
    let err = b
        .create_account_alias()
        .account_alias("shared-name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let listed = b.list_account_aliases().send().await.unwrap();
    assert!(listed.account_aliases().is_empty());
}
