//! "Last accessed" data through the AWS SDK: `RoleLastUsed` after a role session's calls,
//! service last accessed reports for a user, group, role and policy, and the
//! Organizations access report — all made of the audit events the server wrote in
//! batches (at most a second late), so each test polls until the data arrives.

use std::time::{Duration, Instant};

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::operation::get_service_last_accessed_details::GetServiceLastAccessedDetailsOutput;
use aws_sdk_iam::types::{
    AccessAdvisorUsageGranularityType, JobStatusType, PolicyOwnerEntityType, SortKeyType,
};

use super::support::credentials::{account_of, dev_root, user_with_key, Keys};
use super::support::organizations::{create_member, root_id};
use super::support::server::Server;

/// Generates a report for `arn` and reads it back until `ready` holds (the audit events
/// it is made of reach the store within about a second).
async fn report_when(
    iam: &aws_sdk_iam::Client,
    arn: &str,
    granularity: AccessAdvisorUsageGranularityType,
    ready: impl Fn(&GetServiceLastAccessedDetailsOutput) -> bool,
) -> (String, GetServiceLastAccessedDetailsOutput) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let job = iam
            .generate_service_last_accessed_details()
            .arn(arn)
            .granularity(granularity.clone())
            .send()
            .await
            .unwrap();
        let job_id = job.job_id().unwrap().to_owned();
        assert_eq!(job_id.len(), 36, "{job_id}");
        let report = iam
            .get_service_last_accessed_details()
            .job_id(&job_id)
            .send()
            .await
            .unwrap();
        if ready(&report) {
            return (job_id, report);
        }
        assert!(Instant::now() < deadline, "report never ready: {report:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn service<'a>(
    report: &'a GetServiceLastAccessedDetailsOutput,
    namespace: &str,
) -> &'a aws_sdk_iam::types::ServiceLastAccessed {
    report
        .services_last_accessed()
        .iter()
        .find(|s| s.service_namespace() == namespace)
        .unwrap_or_else(|| panic!("no {namespace} in {report:?}"))
}

#[tokio::test]
async fn service_last_accessed_reports_and_role_last_used() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let alice_arn = format!("arn:aws:iam::{account}:user/alice");
    let role_arn = format!("arn:aws:iam::{account}:role/Reader");

    // alice may list IAM, read S3 (never used) and assume the role; her group may
    // describe the organization.
    let alice = user_with_key(&iam, "alice").await;
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("work")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","s3:GetObject","sts:AssumeRole"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.put_group_policy()
        .group_name("devs")
        .policy_name("org")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:Describe*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{alice_arn}"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    iam.create_role()
        .role_name("Reader")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("Reader")
        .policy_name("read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();

    // A role never used has an empty RoleLastUsed.
    let fresh = iam.get_role().role_name("Reader").send().await.unwrap();
    let last = fresh.role().unwrap().role_last_used().unwrap();
    assert!(last.last_used_date().is_none() && last.region().is_none());

    // alice works: IAM, STS, and Organizations (no organization: denied by the service,
    // still an authenticated attempt).
    let alice_iam = server.iam(&alice);
    alice_iam.list_users().send().await.unwrap();
    server
        .sts(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let err = server
        .organizations(&alice)
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    assert!(err.code().is_some(), "{err:?}");
    let assumed = server
        .sts(&alice)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("s1")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let session = Keys::from(credentials);
    let before_session = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    server
        .iam_with_token(&session, credentials.session_token())
        .list_roles()
        .send()
        .await
        .unwrap();

    // RoleLastUsed: the session's use, with its region.
    let got = iam.get_role().role_name("Reader").send().await.unwrap();
    let last = got.role().unwrap().role_last_used().unwrap();
    let used = last.last_used_date().expect("role used");
    assert!(
        used.secs() >= i64::try_from(before_session).unwrap() - 1,
        "{used:?}"
    );
    assert_eq!(last.region(), Some("us-east-1"));
    // ListRoles does not carry RoleLastUsed, as on AWS.
    let listed = iam.list_roles().send().await.unwrap();
    assert!(listed.roles().iter().all(|r| r.role_last_used().is_none()));

    // The user's report, at action level: every service its policies grant, with the
    // attempts made.
    let (alice_job, report) = report_when(
        &iam,
        &alice_arn,
        AccessAdvisorUsageGranularityType::ActionLevel,
        |report| {
            report.services_last_accessed().iter().any(|s| {
                s.service_namespace() == "organizations" && s.last_authenticated().is_some()
            })
        },
    )
    .await;
    assert_eq!(report.job_status(), &JobStatusType::Completed);
    assert_eq!(
        report.job_type(),
        Some(&AccessAdvisorUsageGranularityType::ActionLevel)
    );
    let namespaces: Vec<&str> = report
        .services_last_accessed()
        .iter()
        .map(|s| s.service_namespace())
        .collect();
    assert_eq!(namespaces, ["iam", "organizations", "s3", "sts"]);
    let iam_use = service(&report, "iam");
    assert_eq!(iam_use.service_name(), "AWS Identity and Access Management");
    assert_eq!(
        iam_use.last_authenticated_entity(),
        Some(alice_arn.as_str())
    );
    assert_eq!(iam_use.last_authenticated_region(), Some("us-east-1"));
    assert_eq!(iam_use.total_authenticated_entities(), Some(1));
    let actions: Vec<&str> = iam_use
        .tracked_actions_last_accessed()
        .iter()
        .filter_map(|a| a.action_name())
        .collect();
    assert!(actions.contains(&"ListUsers"), "{actions:?}");
    let sts_actions: Vec<&str> = service(&report, "sts")
        .tracked_actions_last_accessed()
        .iter()
        .filter_map(|a| a.action_name())
        .collect();
    assert!(
        sts_actions.contains(&"AssumeRole") && sts_actions.contains(&"GetCallerIdentity"),
        "{sts_actions:?}"
    );
    let s3 = service(&report, "s3");
    assert_eq!(s3.service_name(), "Amazon S3");
    assert!(s3.last_authenticated().is_none() && s3.last_authenticated_entity().is_none());
    assert_eq!(s3.total_authenticated_entities(), Some(0));

    // Pages of two.
    let first = iam
        .get_service_last_accessed_details()
        .job_id(&alice_job)
        .max_items(2)
        .send()
        .await
        .unwrap();
    assert!(first.is_truncated());
    assert_eq!(first.services_last_accessed().len(), 2);
    let second = iam
        .get_service_last_accessed_details()
        .job_id(&alice_job)
        .max_items(2)
        .marker(first.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert!(!second.is_truncated());
    assert_eq!(second.services_last_accessed()[0].service_namespace(), "s3");

    // The role's report: its sessions' use, service level (no tracked actions).
    let (_, report) = report_when(
        &iam,
        &role_arn,
        AccessAdvisorUsageGranularityType::ServiceLevel,
        |report| service(report, "iam").last_authenticated().is_some(),
    )
    .await;
    assert_eq!(report.services_last_accessed().len(), 1);
    let iam_use = service(&report, "iam");
    assert_eq!(iam_use.last_authenticated_entity(), Some(role_arn.as_str()));
    assert!(iam_use.tracked_actions_last_accessed().is_empty());

    // The group's report: its members' use of what the group grants.
    let (group_job, report) = report_when(
        &iam,
        &format!("arn:aws:iam::{account}:group/devs"),
        AccessAdvisorUsageGranularityType::ServiceLevel,
        |report| {
            service(report, "organizations")
                .last_authenticated()
                .is_some()
        },
    )
    .await;
    assert_eq!(report.services_last_accessed().len(), 1);
    assert_eq!(
        service(&report, "organizations").last_authenticated_entity(),
        Some(alice_arn.as_str())
    );
    let entities = iam
        .get_service_last_accessed_details_with_entities()
        .job_id(&group_job)
        .service_namespace("organizations")
        .send()
        .await
        .unwrap();
    let details = entities.entity_details_list();
    assert_eq!(details.len(), 1);
    let info = details[0].entity_info().unwrap();
    assert_eq!(
        (info.arn(), info.name(), info.r#type()),
        (alice_arn.as_str(), "alice", &PolicyOwnerEntityType::User)
    );
    assert!(info.id().starts_with("AIDA"));
    assert!(details[0].last_authenticated().is_some());

    // A managed policy attached to alice and the role: both used IAM, the role last.
    let policy = iam
        .create_policy()
        .policy_name("ListAll")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let policy_arn = policy.policy().unwrap().arn().unwrap().to_owned();
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("Reader")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    let (policy_job, report) = report_when(
        &iam,
        &policy_arn,
        AccessAdvisorUsageGranularityType::ServiceLevel,
        |report| service(report, "iam").total_authenticated_entities() == Some(2),
    )
    .await;
    assert_eq!(
        service(&report, "iam").last_authenticated_entity(),
        Some(role_arn.as_str())
    );
    let entities = iam
        .get_service_last_accessed_details_with_entities()
        .job_id(&policy_job)
        .service_namespace("iam")
        .send()
        .await
        .unwrap();
    let arns: Vec<&str> = entities
        .entity_details_list()
        .iter()
        .map(|d| d.entity_info().unwrap().arn())
        .collect();
    assert_eq!(arns, [role_arn.as_str(), alice_arn.as_str()]);

    // Errors: unknown entity, unknown job, another caller's job, no permission.
    let err = iam
        .generate_service_last_accessed_details()
        .arn(format!("arn:aws:iam::{account}:user/nobody"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err:?}");
    let err = iam
        .get_service_last_accessed_details()
        .job_id("00000000-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    let bob = user_with_key(&iam, "bob").await;
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("read-reports")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetServiceLastAccessedDetails","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let bob_iam = server.iam(&bob);
    let err = bob_iam
        .get_service_last_accessed_details()
        .job_id(&alice_job)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    let err = bob_iam
        .generate_service_last_accessed_details()
        .arn(&alice_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");

    // RoleLastUsed is durable: after a restart (nothing left in memory) it is still there.
    let server = server.restart();
    let iam = server.iam(&server.root_keys());
    let got = iam.get_role().role_name("Reader").send().await.unwrap();
    let after = got.role().unwrap().role_last_used().unwrap();
    assert_eq!(after.last_used_date().map(|d| d.secs()), Some(used.secs()));
    assert_eq!(after.region(), Some("us-east-1"));
}

#[tokio::test]
async fn organizations_access_report() {
    use aws_sdk_organizations::types::PolicyType;
    let server = Server::start(&["--dev"]);
    let root = server.root_keys();
    let orgs = server.organizations(&root);
    let iam = server.iam(&root);
    let organization = orgs.create_organization().send().await.unwrap();
    let org_id = organization
        .organization()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let management = organization
        .organization()
        .unwrap()
        .master_account_id()
        .unwrap()
        .to_owned();
    let root_id = root_id(&orgs).await;

    // SCPs must be enabled first.
    let err = iam
        .generate_organizations_access_report()
        .entity_path(format!("{org_id}/{root_id}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();

    let ou = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Workloads")
        .send()
        .await
        .unwrap();
    let ou_id = ou.organizational_unit().unwrap().id().unwrap().to_owned();
    let member = create_member(&orgs, "member", "member@example.com").await;
    orgs.move_account()
        .account_id(&member)
        .source_parent_id(&root_id)
        .destination_parent_id(&ou_id)
        .send()
        .await
        .unwrap();
    // The OU allows IAM and STS only (FullAWSAccess detached).
    let scp = orgs
        .create_policy()
        .name("iam-sts")
        .description("IAM and STS")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let scp_id = scp
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    orgs.attach_policy()
        .policy_id(&scp_id)
        .target_id(&ou_id)
        .send()
        .await
        .unwrap();
    orgs.detach_policy()
        .policy_id("p-FullAWSAccess")
        .target_id(&ou_id)
        .send()
        .await
        .unwrap();

    // The member's root user works in IAM and STS.
    let member_keys = dev_root(&member);
    server.iam(&member_keys).list_users().send().await.unwrap();
    server
        .sts(&member_keys)
        .get_caller_identity()
        .send()
        .await
        .unwrap();

    let ou_path = format!("{org_id}/{root_id}/{ou_id}");
    let member_path = format!("{ou_path}/{member}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let (job_id, report) = loop {
        let job = iam
            .generate_organizations_access_report()
            .entity_path(&ou_path)
            .send()
            .await
            .unwrap();
        let job_id = job.job_id().unwrap().to_owned();
        let report = iam
            .get_organizations_access_report()
            .job_id(&job_id)
            .send()
            .await
            .unwrap();
        if report.number_of_services_not_accessed() == Some(0) {
            break (job_id, report);
        }
        assert!(Instant::now() < deadline, "never accessed: {report:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(report.job_status(), &JobStatusType::Completed);
    assert_eq!(report.number_of_services_accessible(), Some(2));
    let details = report.access_details();
    let namespaces: Vec<&str> = details.iter().map(|d| d.service_namespace()).collect();
    assert_eq!(namespaces, ["iam", "sts"]);
    for detail in details {
        assert_eq!(detail.entity_path(), Some(member_path.as_str()));
        assert_eq!(detail.region(), Some("us-east-1"));
        assert_eq!(detail.total_authenticated_entities(), Some(1));
        assert!(detail.last_authenticated_time().is_some());
    }
    // STS was used last: first when sorted by time, newest first.
    let sorted = iam
        .get_organizations_access_report()
        .job_id(&job_id)
        .sort_key(SortKeyType::LastAuthenticatedTimeDescending)
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert_eq!(sorted.access_details()[0].service_namespace(), "sts");
    assert!(sorted.is_truncated());

    // The management account: every service Gatehouse serves, its own activity only.
    let job = iam
        .generate_organizations_access_report()
        .entity_path(format!("{org_id}/{root_id}/{management}"))
        .send()
        .await
        .unwrap();
    let report = iam
        .get_organizations_access_report()
        .job_id(job.job_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(report.number_of_services_accessible(), Some(4));
    let orgs_detail = report
        .access_details()
        .iter()
        .find(|d| d.service_namespace() == "organizations")
        .unwrap();
    assert_eq!(
        orgs_detail.entity_path(),
        Some(format!("{org_id}/{root_id}/{management}").as_str())
    );

    // One SCP given: the services it allows.
    let job = iam
        .generate_organizations_access_report()
        .entity_path(format!("{org_id}/{root_id}"))
        .organizations_policy_id(&scp_id)
        .send()
        .await
        .unwrap();
    let report = iam
        .get_organizations_access_report()
        .job_id(job.job_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(report.number_of_services_accessible(), Some(2));

    // Errors: a path outside the organization, an unknown job, a member account.
    let err = iam
        .generate_organizations_access_report()
        .entity_path(format!("{org_id}/{root_id}/ou-zzzz-zzzzzzzz"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    let err = iam
        .get_organizations_access_report()
        .job_id("00000000-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err:?}");
    let err = server
        .iam(&member_keys)
        .generate_organizations_access_report()
        .entity_path(&ou_path)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
}
