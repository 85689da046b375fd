//! Permissions through IAM policies, decided by the policy engine: managed and inline
//! policies on users and groups, explicit denies, permissions boundaries, versions, and
//! no privilege escalation without the permissions AWS would require.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::support::credentials::{account_of, user_with_key};
use super::support::policies::{decoded, ALLOW_ALL};
use super::support::server::Server;

const TEAM_ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"ManageTeam","Effect":"Allow","Action":["iam:CreateUser","iam:GetUser","iam:DeleteUser"],"Resource":"arn:aws:iam::*:user/team/*"},
  {"Sid":"List","Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;

#[tokio::test]
async fn managed_and_inline_policies_grant_and_deny() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    let bob_keys = user_with_key(&root, "bob").await;
    let bob = server.iam(&bob_keys);

    // Nothing is allowed without a policy.
    let err = bob.list_users().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    let created = root
        .create_policy()
        .policy_name("TeamAdmin")
        .path("/teams/")
        .policy_document(TEAM_ADMIN)
        .description("manage the team's users")
        .send()
        .await
        .unwrap();
    let policy = created.policy().unwrap();
    let policy_arn = policy.arn().unwrap().to_owned();
    assert_eq!(
        policy_arn,
        format!("arn:aws:iam::{account}:policy/teams/TeamAdmin")
    );
    assert!(policy.policy_id().unwrap().starts_with("ANPA"));
    assert_eq!(policy.default_version_id(), Some("v1"));
    root.attach_user_policy()
        .user_name("bob")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();

    // Allowed inside /team/, denied elsewhere: the resource ARN carries the path.
    bob.create_user()
        .user_name("carol")
        .path("/team/")
        .send()
        .await
        .unwrap();
    bob.list_users().send().await.unwrap();
    let err = bob
        .create_user()
        .user_name("dave")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err
        .message()
        .unwrap()
        .contains("because no identity-based policy allows the iam:CreateUser action"));

    // An inline explicit deny wins over the managed allow.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}"#;
    root.put_user_policy()
        .user_name("bob")
        .policy_name("NoDeletes")
        .policy_document(deny)
        .send()
        .await
        .unwrap();
    let err = bob
        .delete_user()
        .user_name("carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message()
            .unwrap()
            .contains("with an explicit deny in an identity-based policy"),
        "{err:?}"
    );
    let listed = root
        .list_user_policies()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.policy_names(), ["NoDeletes"]);
    let got = root
        .get_user_policy()
        .user_name("bob")
        .policy_name("NoDeletes")
        .send()
        .await
        .unwrap();
    assert_eq!(decoded(got.policy_document()), deny);
    root.delete_user_policy()
        .user_name("bob")
        .policy_name("NoDeletes")
        .send()
        .await
        .unwrap();
    bob.delete_user().user_name("carol").send().await.unwrap();

    // A user with attachments cannot be deleted until they are detached.
    let err = root
        .delete_user()
        .user_name("bob")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    let attached = root
        .list_attached_user_policies()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some(policy_arn.as_str())
    );
    let err = root
        .delete_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    root.detach_user_policy()
        .user_name("bob")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    let err = bob.list_users().send().await.unwrap_err();
    assert_eq!(
        err.code(),
        Some("AccessDenied"),
        "detaching revokes at once"
    );
    root.delete_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn groups_boundaries_and_aws_managed_policies() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let eve_keys = user_with_key(&root, "eve").await;
    let eve = server.iam(&eve_keys);

    root.create_group()
        .group_name("Readers")
        .send()
        .await
        .unwrap();
    root.attach_group_policy()
        .group_name("Readers")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(
        eve.list_groups().send().await.unwrap_err().code(),
        Some("AccessDenied")
    );
    root.add_user_to_group()
        .group_name("Readers")
        .user_name("eve")
        .send()
        .await
        .unwrap();
    let groups = eve.list_groups().send().await.unwrap();
    assert_eq!(groups.groups()[0].group_name(), "Readers");
    let group = eve.get_group().group_name("Readers").send().await.unwrap();
    assert_eq!(group.users()[0].user_name(), "eve");
    assert_eq!(
        eve.create_user()
            .user_name("x")
            .send()
            .await
            .unwrap_err()
            .code(),
        Some("AccessDenied")
    );
    let err = root
        .delete_group()
        .group_name("Readers")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    root.remove_user_from_group()
        .group_name("Readers")
        .user_name("eve")
        .send()
        .await
        .unwrap();
    assert_eq!(
        eve.list_groups().send().await.unwrap_err().code(),
        Some("AccessDenied")
    );

    // AWS managed policies are listed and readable.
    let aws = root
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Aws)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = aws
        .policies()
        .iter()
        .filter_map(|p| p.policy_name())
        .collect();
    for expected in [
        "AdministratorAccess",
        "IAMReadOnlyAccess",
        "AWSOrganizationsFullAccess",
        "ReadOnlyAccess",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let version = root
        .get_policy_version()
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .version_id("v1")
        .send()
        .await
        .unwrap();
    assert!(version
        .policy_version()
        .unwrap()
        .document()
        .unwrap()
        .contains("%22Action%22"));

    // A permissions boundary caps what AdministratorAccess grants.
    root.attach_user_policy()
        .user_name("eve")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    eve.create_user()
        .user_name("made-by-eve")
        .send()
        .await
        .unwrap();
    root.put_user_permissions_boundary()
        .user_name("eve")
        .permissions_boundary("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let err = eve
        .create_user()
        .user_name("second")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message()
            .unwrap()
            .contains("because no permissions boundary allows"),
        "{err:?}"
    );
    eve.list_users().send().await.unwrap();
    let err = root
        .put_user_permissions_boundary()
        .user_name("eve")
        .permissions_boundary("arn:aws:iam::aws:policy/NoSuchPolicy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    root.delete_user_permissions_boundary()
        .user_name("eve")
        .send()
        .await
        .unwrap();
    eve.create_user().user_name("second").send().await.unwrap();
}

#[tokio::test]
async fn no_escalation_without_the_permissions_aws_requires() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    let mallory_keys = user_with_key(&root, "mallory").await;
    let mallory = server.iam(&mallory_keys);
    let own_keys = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys"],"Resource":"arn:aws:iam::{account}:user/${{aws:username}}"}}]}}"#
    );
    root.put_user_policy()
        .user_name("mallory")
        .policy_name("OwnKeys")
        .policy_document(own_keys)
        .send()
        .await
        .unwrap();
    mallory.list_access_keys().send().await.unwrap();
    let err = mallory
        .list_access_keys()
        .user_name("root-ish")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    for attempt in [
        mallory
            .attach_user_policy()
            .user_name("mallory")
            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.code().map(str::to_owned)),
        mallory
            .put_user_policy()
            .user_name("mallory")
            .policy_name("Everything")
            .policy_document(ALLOW_ALL)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.code().map(str::to_owned)),
        mallory
            .delete_user_permissions_boundary()
            .user_name("mallory")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.code().map(str::to_owned)),
        mallory
            .create_access_key()
            .user_name("someone-else")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.code().map(str::to_owned)),
    ] {
        assert_eq!(attempt.unwrap_err().as_deref(), Some("AccessDenied"));
    }
}

#[tokio::test]
async fn policy_versions_and_validation() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let doc = |action: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
        )
    };
    let arn = root
        .create_policy()
        .policy_name("Versioned")
        .policy_document(doc("iam:GetUser"))
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let err = root
        .create_policy()
        .policy_name("VERSIONED")
        .policy_document(doc("iam:GetUser"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    for i in 2..=5 {
        let v = root
            .create_policy_version()
            .policy_arn(&arn)
            .policy_document(doc("iam:ListUsers"))
            .set_as_default(i == 3)
            .send()
            .await
            .unwrap();
        assert_eq!(
            v.policy_version().unwrap().version_id(),
            Some(format!("v{i}").as_str())
        );
    }
    let err = root
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(doc("iam:ListUsers"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("LimitExceeded"));
    let policy = root.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(policy.policy().unwrap().default_version_id(), Some("v3"));
    let err = root
        .delete_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    root.delete_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    root.set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v5")
        .send()
        .await
        .unwrap();
    let versions = root
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = versions
        .versions()
        .iter()
        .filter_map(|v| v.version_id())
        .collect();
    assert_eq!(ids, ["v5", "v4", "v3", "v2"]);

    let with_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
    let err = root
        .create_policy()
        .policy_name("Bad")
        .policy_document(with_principal)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedPolicyDocument"));
    let err = root
        .create_policy()
        .policy_name("Bad")
        .policy_document("{")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedPolicyDocument"));
    let err = root
        .get_policy()
        .policy_arn(arn.replace("Versioned", "Missing"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}
