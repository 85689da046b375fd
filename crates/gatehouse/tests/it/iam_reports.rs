//! Account-wide IAM reports over the SDK: `ListEntitiesForPolicy` and
//! `GetAccountAuthorizationDetails` with their filters and pages, and the pages of the
//! per-entity lists (attached and inline policies, groups of a user, policy versions,
//! access keys).

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{EntityType, PolicyUsageType};
use aws_sdk_iam::Client;

use super::support::credentials::account_of;
use super::support::policies::{decoded, ASSUME_ANY_ROLE, EC2_TRUST, S3_GET_OBJECT};
use super::support::server::Server;

const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// Users `u0`…, groups `g0`…, roles `r0`…; the even ones get ReadOnlyAccess attached,
/// user `u1` and role `r1` get it as their boundary.
async fn populate(iam: &Client, n: usize) {
    for i in 0..n {
        let path = if i % 2 == 0 { "/even/" } else { "/odd/" };
        iam.create_user()
            .user_name(format!("u{i}"))
            .path(path)
            .send()
            .await
            .unwrap();
        iam.create_group()
            .group_name(format!("g{i}"))
            .path(path)
            .send()
            .await
            .unwrap();
        iam.create_role()
            .role_name(format!("r{i}"))
            .path(path)
            .assume_role_policy_document(EC2_TRUST)
            .send()
            .await
            .unwrap();
        if i % 2 == 0 {
            iam.attach_user_policy()
                .user_name(format!("u{i}"))
                .policy_arn(READ_ONLY)
                .send()
                .await
                .unwrap();
            iam.attach_group_policy()
                .group_name(format!("g{i}"))
                .policy_arn(READ_ONLY)
                .send()
                .await
                .unwrap();
            iam.attach_role_policy()
                .role_name(format!("r{i}"))
                .policy_arn(READ_ONLY)
                .send()
                .await
                .unwrap();
        }
    }
    iam.put_user_permissions_boundary()
        .user_name("u1")
        .permissions_boundary(READ_ONLY)
        .send()
        .await
        .unwrap();
    iam.put_role_permissions_boundary()
        .role_name("r1")
        .permissions_boundary(READ_ONLY)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn list_entities_for_policy_filters_and_pages() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    populate(&iam, 4).await;

    let all = iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .send()
        .await
        .unwrap();
    let names =
        |out: &aws_sdk_iam::operation::list_entities_for_policy::ListEntitiesForPolicyOutput| {
            let mut names: Vec<String> = out
                .policy_users()
                .iter()
                .filter_map(|u| u.user_name().map(str::to_owned))
                .chain(
                    out.policy_groups()
                        .iter()
                        .filter_map(|g| g.group_name().map(str::to_owned)),
                )
                .chain(
                    out.policy_roles()
                        .iter()
                        .filter_map(|r| r.role_name().map(str::to_owned)),
                )
                .collect();
            names.sort();
            names
        };
    assert_eq!(
        names(&all),
        ["g0", "g2", "r0", "r1", "r2", "u0", "u1", "u2"]
    );
    assert!(all.policy_users()[0].user_id().unwrap().starts_with("AIDA"));
    assert!(all.policy_roles()[0].role_id().unwrap().starts_with("AROA"));
    assert!(!all.is_truncated());

    let attached_only = iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .policy_usage_filter(PolicyUsageType::PermissionsPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&attached_only), ["g0", "g2", "r0", "r2", "u0", "u2"]);
    let boundaries = iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .policy_usage_filter(PolicyUsageType::PermissionsBoundary)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&boundaries), ["r1", "u1"]);
    let roles = iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .entity_filter(EntityType::Role)
        .send()
        .await
        .unwrap();
    assert_eq!(names(&roles), ["r0", "r1", "r2"]);
    let odd = iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .path_prefix("/odd/")
        .send()
        .await
        .unwrap();
    assert_eq!(names(&odd), ["r1", "u1"]);

    // Pages of three cover everything once.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = iam
            .list_entities_for_policy()
            .policy_arn(READ_ONLY)
            .max_items(3)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        let page = names(&out);
        assert!(page.len() <= 3);
        seen.extend(page);
        if !out.is_truncated() {
            break;
        }
        marker = out.marker().map(str::to_owned);
        assert!(marker.is_some());
    }
    assert_eq!(pages, 3);
    seen.sort();
    assert_eq!(seen, names(&all));

    // The same counts on the policy itself, and the usage filter of ListPolicies.
    let policy = iam.get_policy().policy_arn(READ_ONLY).send().await.unwrap();
    let policy = policy.policy().unwrap();
    assert_eq!(policy.attachment_count(), Some(6));
    assert_eq!(policy.permissions_boundary_usage_count(), Some(2));
    let boundaries = iam
        .list_policies()
        .only_attached(true)
        .policy_usage_filter(PolicyUsageType::PermissionsBoundary)
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = boundaries
        .policies()
        .iter()
        .filter_map(|p| p.arn())
        .collect();
    assert_eq!(arns, [READ_ONLY]);
    iam.delete_user_permissions_boundary()
        .user_name("u1")
        .send()
        .await
        .unwrap();
    iam.delete_role_permissions_boundary()
        .role_name("r1")
        .send()
        .await
        .unwrap();
    let boundaries = iam
        .list_policies()
        .only_attached(true)
        .policy_usage_filter(PolicyUsageType::PermissionsBoundary)
        .send()
        .await
        .unwrap();
    assert!(boundaries.policies().is_empty());

    let err = iam
        .list_entities_for_policy()
        .policy_arn("arn:aws:iam::aws:policy/NoSuchPolicy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err:?}");
    let err = iam
        .list_entities_for_policy()
        .policy_arn(READ_ONLY)
        .marker("!!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
}

#[tokio::test]
async fn account_authorization_details_report_everything_in_pages() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    populate(&iam, 2).await;
    iam.add_user_to_group()
        .group_name("g0")
        .user_name("u0")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("u0")
        .policy_name("inline")
        .policy_document(S3_GET_OBJECT)
        .send()
        .await
        .unwrap();
    iam.tag_role()
        .role_name("r0")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("blue")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    iam.create_policy()
        .policy_name("Mine")
        .policy_document(S3_GET_OBJECT)
        .send()
        .await
        .unwrap();
    let mine = format!("arn:aws:iam::{account}:policy/Mine");
    iam.create_policy_version()
        .policy_arn(&mine)
        .policy_document(S3_GET_OBJECT.replace("s3:GetObject", "s3:PutObject"))
        .set_as_default(true)
        .send()
        .await
        .unwrap();

    let out = iam
        .get_account_authorization_details()
        .send()
        .await
        .unwrap();
    assert!(!out.is_truncated());
    let users = out.user_detail_list();
    assert_eq!(users.len(), 2);
    let u0 = users.iter().find(|u| u.user_name() == Some("u0")).unwrap();
    assert_eq!(u0.group_list(), ["g0"]);
    assert_eq!(u0.user_policy_list()[0].policy_name(), Some("inline"));
    let document = u0.user_policy_list()[0].policy_document().unwrap();
    assert!(
        !document.contains('{'),
        "documents are URL-encoded: {document}"
    );
    assert_eq!(decoded(document), S3_GET_OBJECT);
    assert_eq!(
        u0.attached_managed_policies()[0].policy_arn(),
        Some(READ_ONLY)
    );
    assert_eq!(u0.path(), Some("/even/"));
    let u1 = users.iter().find(|u| u.user_name() == Some("u1")).unwrap();
    assert_eq!(
        u1.permissions_boundary()
            .unwrap()
            .permissions_boundary_arn(),
        Some(READ_ONLY)
    );
    let groups = out.group_detail_list();
    assert_eq!(groups.len(), 2);
    let roles = out.role_detail_list();
    let r0 = roles.iter().find(|r| r.role_name() == Some("r0")).unwrap();
    assert_eq!(
        decoded(r0.assume_role_policy_document().unwrap()),
        EC2_TRUST
    );
    assert!(r0.instance_profile_list().is_empty());
    assert_eq!(r0.tags()[0].key(), "team");
    assert!(r0.role_last_used().is_some());
    let policies = out.policies();
    let local = policies
        .iter()
        .find(|p| p.policy_name() == Some("Mine"))
        .unwrap();
    assert_eq!(local.default_version_id(), Some("v2"));
    let versions = local.policy_version_list();
    assert_eq!(versions.len(), 2);
    assert!(
        versions
            .iter()
            .any(|v| v.is_default_version()
                && decoded(v.document().unwrap()).contains("s3:PutObject"))
    );
    let aws = policies
        .iter()
        .find(|p| p.arn() == Some(READ_ONLY))
        .expect("AWS managed policies in use are reported");
    assert_eq!(aws.attachment_count(), Some(3));
    assert_eq!(aws.permissions_boundary_usage_count(), Some(2));
    assert!(
        !policies
            .iter()
            .any(|p| p.arn() == Some("arn:aws:iam::aws:policy/IAMFullAccess")),
        "unused AWS managed policies are not reported"
    );

    // Filters pick entity kinds.
    let only = iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .send()
        .await
        .unwrap();
    assert!(only.user_detail_list().is_empty());
    assert!(only.group_detail_list().is_empty());
    assert_eq!(only.role_detail_list().len(), 2);
    assert_eq!(only.policies().len(), 1);

    // Pages of two across the combined list: 2 groups, 2 users, 2 roles, 2 policies.
    let mut count = 0;
    let mut pages = 0;
    let mut marker: Option<String> = None;
    loop {
        let out = iam
            .get_account_authorization_details()
            .max_items(2)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        let here = out.user_detail_list().len()
            + out.group_detail_list().len()
            + out.role_detail_list().len()
            + out.policies().len();
        assert_eq!(here, 2);
        count += here;
        if !out.is_truncated() {
            break;
        }
        marker = out.marker().map(str::to_owned);
    }
    assert_eq!((pages, count), (4, 8));
}

#[tokio::test]
async fn per_entity_lists_page_across_pages() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    iam.create_user().user_name("pat").send().await.unwrap();
    iam.create_group().group_name("grp").send().await.unwrap();
    iam.create_role()
        .role_name("rol")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .unwrap();
    let managed = [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
        "arn:aws:iam::aws:policy/IAMUserChangePassword",
    ];
    for arn in managed {
        iam.attach_user_policy()
            .user_name("pat")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
        iam.attach_group_policy()
            .group_name("grp")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
        iam.attach_role_policy()
            .role_name("rol")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    for name in ["c", "a", "b"] {
        iam.put_user_policy()
            .user_name("pat")
            .policy_name(name)
            .policy_document(S3_GET_OBJECT)
            .send()
            .await
            .unwrap();
        iam.put_group_policy()
            .group_name("grp")
            .policy_name(name)
            .policy_document(S3_GET_OBJECT)
            .send()
            .await
            .unwrap();
        iam.put_role_policy()
            .role_name("rol")
            .policy_name(name)
            .policy_document(S3_GET_OBJECT)
            .send()
            .await
            .unwrap();
    }
    for group in ["g3", "g1", "g2"] {
        iam.create_group().group_name(group).send().await.unwrap();
        iam.add_user_to_group()
            .group_name(group)
            .user_name("pat")
            .send()
            .await
            .unwrap();
    }
    iam.create_policy()
        .policy_name("Versions")
        .policy_document(S3_GET_OBJECT)
        .send()
        .await
        .unwrap();
    let versions_arn = format!("arn:aws:iam::{account}:policy/Versions");
    for _ in 0..2 {
        iam.create_policy_version()
            .policy_arn(&versions_arn)
            .policy_document(S3_GET_OBJECT)
            .send()
            .await
            .unwrap();
    }
    for _ in 0..2 {
        iam.create_access_key()
            .user_name("pat")
            .send()
            .await
            .unwrap();
    }

    // Each list, one item per page: every item once, in IAM's order, then the end.
    macro_rules! walk {
        ($call:expr, $items:ident, $item:expr) => {{
            let mut seen: Vec<String> = Vec::new();
            let mut marker: Option<String> = None;
            loop {
                let out = $call
                    .max_items(1)
                    .set_marker(marker.clone())
                    .send()
                    .await
                    .unwrap();
                let $items = &out;
                let page: Vec<String> = $item;
                assert!(page.len() <= 1, "{page:?}");
                seen.extend(page);
                if !out.is_truncated() {
                    assert!(out.marker().is_none());
                    break;
                }
                marker = out.marker().map(str::to_owned);
                assert!(seen.len() < 20, "pages never end");
            }
            seen
        }};
    }
    let mut sorted_managed: Vec<String> = managed.iter().map(|s| (*s).to_owned()).collect();
    sorted_managed.sort();
    let got = walk!(
        iam.list_attached_user_policies().user_name("pat"),
        o,
        o.attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap().to_owned())
            .collect()
    );
    assert_eq!(got, sorted_managed);
    let got = walk!(
        iam.list_attached_group_policies().group_name("grp"),
        o,
        o.attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap().to_owned())
            .collect()
    );
    assert_eq!(got, sorted_managed);
    let got = walk!(
        iam.list_attached_role_policies().role_name("rol"),
        o,
        o.attached_policies()
            .iter()
            .map(|p| p.policy_arn().unwrap().to_owned())
            .collect()
    );
    assert_eq!(got, sorted_managed);
    let got = walk!(
        iam.list_user_policies().user_name("pat"),
        o,
        o.policy_names().to_vec()
    );
    assert_eq!(got, ["a", "b", "c"]);
    let got = walk!(
        iam.list_group_policies().group_name("grp"),
        o,
        o.policy_names().to_vec()
    );
    assert_eq!(got, ["a", "b", "c"]);
    let got = walk!(
        iam.list_role_policies().role_name("rol"),
        o,
        o.policy_names().to_vec()
    );
    assert_eq!(got, ["a", "b", "c"]);
    let got = walk!(
        iam.list_groups_for_user().user_name("pat"),
        o,
        o.groups()
            .iter()
            .map(|g| g.group_name().to_owned())
            .collect()
    );
    assert_eq!(got, ["g1", "g2", "g3"]);
    let got = walk!(
        iam.list_policy_versions().policy_arn(&versions_arn),
        o,
        o.versions()
            .iter()
            .map(|v| v.version_id().unwrap().to_owned())
            .collect()
    );
    assert_eq!(got, ["v3", "v2", "v1"]);
    let got = walk!(
        iam.list_access_keys().user_name("pat"),
        o,
        o.access_key_metadata()
            .iter()
            .map(|k| k.access_key_id().unwrap().to_owned())
            .collect()
    );
    assert_eq!(got.len(), 2);
    assert!(got[0] < got[1]);

    // A marker that is not one of ours is invalid input.
    let err = iam
        .list_user_policies()
        .user_name("pat")
        .marker("%%%")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
}

#[tokio::test]
async fn policies_granting_service_access_name_managed_and_inline_sources() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    iam.create_user().user_name("dev").send().await.unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("dev")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("dev")
        .policy_name("assume")
        .policy_document(ASSUME_ANY_ROLE)
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_policies_granting_service_access()
        .arn(format!("arn:aws:iam::{account}:user/dev"))
        .service_namespaces("iam")
        .service_namespaces("sts")
        .service_namespaces("organizations")
        .send()
        .await
        .unwrap();
    let entries = listed.policies_granting_service_access();
    assert_eq!(entries.len(), 3);
    let of = |namespace: &str| {
        entries
            .iter()
            .find(|entry| entry.service_namespace() == Some(namespace))
            .unwrap()
            .policies()
            .to_vec()
    };
    let iam_policies = of("iam");
    assert_eq!(iam_policies.len(), 1);
    assert_eq!(iam_policies[0].policy_name(), "IAMReadOnlyAccess");
    assert_eq!(
        iam_policies[0].policy_arn(),
        Some("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    );
    let sts_policies = of("sts");
    assert_eq!(sts_policies.len(), 1);
    assert_eq!(sts_policies[0].policy_name(), "assume");
    assert_eq!(
        sts_policies[0].entity_type(),
        Some(&aws_sdk_iam::types::PolicyOwnerEntityType::User)
    );
    assert_eq!(sts_policies[0].entity_name(), Some("dev"));
    assert!(of("organizations").is_empty());

    let err = iam
        .list_policies_granting_service_access()
        .arn(format!("arn:aws:iam::{account}:user/ghost"))
        .service_namespaces("iam")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam
        .list_policies_granting_service_access()
        .arn("arn:aws:iam::123456789012:user/dev")
        .service_namespaces("iam")
        .send()
        .await
        .unwrap_err();
    // Another account's entity is another account's resource.
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = iam
        .list_policies_granting_service_access()
        .arn("this-is-not-an-arn-at-all")
        .service_namespaces("iam")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
}
