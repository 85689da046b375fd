//! Service-linked roles, GetAccountSummary and the credential report through the AWS SDK.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{DeletionTaskStatusType, ReportStateType};

use super::support::credentials::{account_of, new_key, user_with_key};
use super::support::policies::{decoded, EC2_TRUST, S3_GET_OBJECT};
use super::support::server::Server;

#[tokio::test]
async fn service_linked_role_lifecycle() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;

    let created = iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .description("scales things")
        .send()
        .await
        .unwrap();
    let role = created.role().unwrap();
    assert_eq!(role.role_name(), "AWSServiceRoleForAutoScaling");
    assert_eq!(role.path(), "/aws-service-role/autoscaling.amazonaws.com/");
    assert_eq!(
        role.arn(),
        format!("arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling")
    );
    let trust = decoded(role.assume_role_policy_document().unwrap());
    assert!(
        trust.contains("\"Service\":\"autoscaling.amazonaws.com\""),
        "{trust}"
    );
    let err = iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    let suffixed = iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .custom_suffix("web")
        .send()
        .await
        .unwrap();
    assert_eq!(
        suffixed.role().unwrap().role_name(),
        "AWSServiceRoleForAutoScaling_web"
    );
    let err = iam
        .create_service_linked_role()
        .aws_service_name("example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    // Ordinary roles may not take the reserved path.
    let err = iam
        .create_role()
        .role_name("Sneaky")
        .path("/aws-service-role/x.amazonaws.com/")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"x.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));

    // Ordinary IAM calls may not change it.
    let name = "AWSServiceRoleForAutoScaling";
    let err = iam.delete_role().role_name(name).send().await.unwrap_err();
    assert_eq!(err.code(), Some("UnmodifiableEntity"));
    let err = iam
        .update_assume_role_policy()
        .role_name(name)
        .policy_document(&trust)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UnmodifiableEntity"));
    let err = iam
        .put_role_policy()
        .role_name(name)
        .policy_name("extra")
        .policy_document(S3_GET_OBJECT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UnmodifiableEntity"));
    let err = iam
        .attach_role_policy()
        .role_name(name)
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UnmodifiableEntity"));
    // Its description may change.
    iam.update_role_description()
        .role_name(name)
        .description("still scales")
        .send()
        .await
        .unwrap();

    // DeleteServiceLinkedRole: only for service-linked roles; a task records the result.
    iam.create_role()
        .role_name("Plain")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_service_linked_role()
        .role_name("Plain")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"));
    let err = iam
        .delete_service_linked_role()
        .role_name("Nothing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let deleted = iam
        .delete_service_linked_role()
        .role_name(name)
        .send()
        .await
        .unwrap();
    let task = deleted.deletion_task_id();
    assert!(
        task.starts_with(
            "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
        ),
        "{task}"
    );
    let status = iam
        .get_service_linked_role_deletion_status()
        .deletion_task_id(task)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), &DeletionTaskStatusType::Succeeded);
    let err = iam.get_role().role_name(name).send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam
        .get_service_linked_role_deletion_status()
        .deletion_task_id("task/aws-service-role/x.amazonaws.com/AWSServiceRoleForX/none")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

/// The summary map by AWS's key names.
async fn summary(iam: &aws_sdk_iam::Client) -> std::collections::HashMap<String, i32> {
    let response = iam.get_account_summary().send().await.unwrap();
    response
        .summary_map()
        .unwrap()
        .iter()
        .map(|(key, value)| (key.as_str().to_owned(), *value))
        .collect()
}

#[tokio::test]
async fn service_linked_roles_and_instance_profiles_are_authorized_as_aws_does() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let ops = server.iam(&user_with_key(&iam, "ops").await);
    iam.put_user_policy()
        .user_name("ops")
        .policy_name("scoped")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*",
             "Condition":{"StringEquals":{"iam:AWSServiceName":"autoscaling.amazonaws.com"}}},
            {"Effect":"Allow","Action":["iam:CreateInstanceProfile","iam:AddRoleToInstanceProfile"],"Resource":"*"},
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/Passable"}]}"#)
        .send()
        .await
        .unwrap();
    ops.create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .send()
        .await
        .unwrap();
    let err = ops
        .create_service_linked_role()
        .aws_service_name("elasticbeanstalk.amazonaws.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    let trust = EC2_TRUST;
    for name in ["Passable", "Private"] {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(trust)
            .send()
            .await
            .unwrap();
    }
    ops.create_instance_profile()
        .instance_profile_name("web")
        .send()
        .await
        .unwrap();
    let err = ops
        .add_role_to_instance_profile()
        .instance_profile_name("web")
        .role_name("Private")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err.message().unwrap().contains("iam:PassRole"), "{err:?}");
    ops.add_role_to_instance_profile()
        .instance_profile_name("web")
        .role_name("Passable")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn account_summary_counts_entities() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let before = summary(&iam).await;
    assert_eq!(before["Users"], 0);
    assert_eq!(before["UsersQuota"], 5000);
    assert_eq!(before["RolesQuota"], 1000);
    assert_eq!(before["GroupsQuota"], 300);
    assert_eq!(before["PolicySizeQuota"], 6144);
    assert_eq!(before["UserPolicySizeQuota"], 2048);
    assert_eq!(before["RolePolicySizeQuota"], 10240);
    assert_eq!(before["AccessKeysPerUserQuota"], 2);
    assert_eq!(before["AccountAccessKeysPresent"], 1);
    assert!(before.contains_key("MFADevicesInUse"));

    iam.create_user().user_name("u1").send().await.unwrap();
    iam.create_user().user_name("u2").send().await.unwrap();
    iam.create_group().group_name("g1").send().await.unwrap();
    iam.create_policy()
        .policy_name("p1")
        .policy_document(S3_GET_OBJECT)
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("u1")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.create_instance_profile()
        .instance_profile_name("ip")
        .send()
        .await
        .unwrap();
    iam.create_virtual_mfa_device()
        .virtual_mfa_device_name("d1")
        .send()
        .await
        .unwrap();
    let after = summary(&iam).await;
    assert_eq!(after["Users"], 2);
    assert_eq!(after["Groups"], 1);
    assert_eq!(after["Policies"], 1);
    assert_eq!(after["PolicyVersionsInUse"], 1);
    assert_eq!(after["InstanceProfiles"], 1);
    assert_eq!(after["MFADevices"], 1);
    assert_eq!(after["MFADevicesInUse"], 0);

    // Not visible to a user without iam:GetAccountSummary.
    let u2 = server.iam(&new_key(&iam, "u2").await);
    let err = u2.get_account_summary().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn credential_report_has_aws_columns() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let err = iam.get_credential_report().send().await.unwrap_err();
    assert_eq!(err.code(), Some("ReportNotPresent"));

    iam.create_user()
        .user_name("alice")
        .path("/staff/")
        .send()
        .await
        .unwrap();
    iam.create_login_profile()
        .user_name("alice")
        .password("Str0ng-Passw0rd!")
        .send()
        .await
        .unwrap();
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("bob").send().await.unwrap();

    let generated = iam.generate_credential_report().send().await.unwrap();
    assert_eq!(generated.state(), Some(&ReportStateType::Started));
    let again = iam.generate_credential_report().send().await.unwrap();
    assert_eq!(again.state(), Some(&ReportStateType::Complete));

    let report = iam.get_credential_report().send().await.unwrap();
    assert_eq!(report.report_format().unwrap().as_str(), "text/csv");
    assert!(report.generated_time().is_some());
    let text = String::from_utf8(report.content().unwrap().as_ref().to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,\
access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,\
access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,\
access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,\
cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
    );
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|row| row.len() == 22));
    let root = &rows[0];
    assert_eq!(root[0], "<root_account>");
    assert!(root[1].ends_with(":root"));
    assert_eq!(root[3], "not_supported");
    assert_eq!(root[8], "true", "the root key is active");
    let alice = rows.iter().find(|row| row[0] == "alice").unwrap();
    assert!(alice[1].ends_with(":user/staff/alice"));
    assert_eq!(alice[3], "true");
    assert_eq!(alice[4], "no_information");
    assert!(
        alice[5].ends_with("+00:00") && alice[5].contains('T'),
        "{}",
        alice[5]
    );
    assert_eq!(alice[6], "N/A");
    assert_eq!(alice[7], "false");
    assert_eq!(alice[8], "true");
    assert_eq!(alice[10], "N/A");
    assert_eq!(alice[13], "false");
    let bob = rows.iter().find(|row| row[0] == "bob").unwrap();
    assert_eq!(&bob[3..9], ["false", "N/A", "N/A", "N/A", "false", "false"]);
}

#[tokio::test]
async fn the_sts_token_version_preference_shows_in_the_account_summary() {
    use aws_sdk_iam::types::{GlobalEndpointTokenVersion, SummaryKeyType};
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let version =
        |summary: &aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput| {
            summary
                .summary_map()
                .and_then(|map| map.get(&SummaryKeyType::GlobalEndpointTokenVersion))
                .copied()
        };
    let before = iam.get_account_summary().send().await.unwrap();
    assert_eq!(version(&before), Some(1));
    iam.set_security_token_service_preferences()
        .global_endpoint_token_version(GlobalEndpointTokenVersion::V2Token)
        .send()
        .await
        .unwrap();
    let after = iam.get_account_summary().send().await.unwrap();
    assert_eq!(version(&after), Some(2));
}
