//! The policy simulator over the SDK: `SimulatePrincipalPolicy` on a user's real policies
//! (inline, managed, its groups', its boundary), `SimulateCustomPolicy` with context
//! entries, resource policies and pagination, `GetContextKeysFor*Policy`, and their errors
//! and authorization.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{
    ContextEntry, ContextKeyTypeEnum, EvaluationResult, PolicyEvaluationDecisionType as Decision,
    PolicySourceType,
};

use super::support::credentials::{account_of, dev_root, user_with_key};
use super::support::organizations::{create_member, create_organization};
use super::support::policies::EC2_TRUST;
use super::support::server::Server;

const S3_READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}"#;

/// Two statements on separate lines, so positions are checked across lines.
const IAM_MIXED: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"iam:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"iam:DeleteUser\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";

fn result<'a>(results: &'a [EvaluationResult], action: &str) -> &'a EvaluationResult {
    results
        .iter()
        .find(|r| r.eval_action_name() == action)
        .unwrap_or_else(|| panic!("no result for {action} in {results:?}"))
}

#[tokio::test]
async fn simulate_principal_policy_uses_the_users_real_policies() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    root.create_user().user_name("dev").send().await.unwrap();
    root.put_user_policy()
        .user_name("dev")
        .policy_name("s3-read")
        .policy_document(S3_READ)
        .send()
        .await
        .unwrap();
    root.create_group()
        .group_name("admins")
        .send()
        .await
        .unwrap();
    root.add_user_to_group()
        .group_name("admins")
        .user_name("dev")
        .send()
        .await
        .unwrap();
    root.attach_group_policy()
        .group_name("admins")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    root.create_policy()
        .policy_name("NoDelete")
        .policy_document(IAM_MIXED)
        .send()
        .await
        .unwrap();
    root.attach_user_policy()
        .user_name("dev")
        .policy_arn(format!("arn:aws:iam::{account}:policy/NoDelete"))
        .send()
        .await
        .unwrap();

    let user_arn = format!("arn:aws:iam::{account}:user/dev");
    let out = root
        .simulate_principal_policy()
        .policy_source_arn(&user_arn)
        .action_names("s3:GetObject")
        .action_names("iam:DeleteUser")
        .action_names("iam:ListUsers")
        .action_names("sts:AssumeRole")
        .send()
        .await
        .unwrap();
    let results = out.evaluation_results();
    assert_eq!(results.len(), 4);
    assert!(!out.is_truncated());

    let read = result(results, "s3:GetObject");
    assert_eq!(read.eval_decision(), &Decision::Allowed);
    assert_eq!(read.eval_resource_name(), Some("*"));
    let matched = read.matched_statements();
    assert_eq!(matched.len(), 1, "{matched:?}");
    assert_eq!(matched[0].source_policy_id(), Some("s3-read"));
    assert_eq!(
        matched[0].source_policy_type(),
        Some(&PolicySourceType::User)
    );
    let start = matched[0].start_position().unwrap();
    assert_eq!((start.line(), start.column()), (1, 38));
    let end = matched[0].end_position().unwrap();
    assert_eq!((end.line(), end.column()), (1, 125));

    // An explicit deny wins and is the only statement reported, with its lines.
    let delete = result(results, "iam:DeleteUser");
    assert_eq!(delete.eval_decision(), &Decision::ExplicitDeny);
    let matched = delete.matched_statements();
    assert_eq!(matched.len(), 1, "{matched:?}");
    assert_eq!(matched[0].source_policy_id(), Some("NoDelete"));
    assert_eq!(
        matched[0].source_policy_type(),
        Some(&PolicySourceType::UserManaged)
    );
    let (start, end) = (
        matched[0].start_position().unwrap(),
        matched[0].end_position().unwrap(),
    );
    assert_eq!((start.line(), start.column()), (5, 5));
    assert_eq!((end.line(), end.column()), (9, 5));

    // Allowed by two policies: both allow statements are reported, the group's AWS
    // managed one among them.
    let list = result(results, "iam:ListUsers");
    assert_eq!(list.eval_decision(), &Decision::Allowed);
    let sources: Vec<(Option<&str>, Option<&PolicySourceType>)> = list
        .matched_statements()
        .iter()
        .map(|s| (s.source_policy_id(), s.source_policy_type()))
        .collect();
    assert!(
        sources.contains(&(
            Some("IAMReadOnlyAccess"),
            Some(&PolicySourceType::AwsManaged)
        )),
        "{sources:?}"
    );
    assert!(
        sources.contains(&(Some("NoDelete"), Some(&PolicySourceType::UserManaged))),
        "{sources:?}"
    );

    let assume = result(results, "sts:AssumeRole");
    assert_eq!(assume.eval_decision(), &Decision::ImplicitDeny);
    assert!(assume.matched_statements().is_empty());

    // A boundary set on the user narrows the simulation, and is reported as such.
    root.put_user_permissions_boundary()
        .user_name("dev")
        .permissions_boundary("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let out = root
        .simulate_principal_policy()
        .policy_source_arn(&user_arn)
        .action_names("s3:GetObject")
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap();
    let read = result(out.evaluation_results(), "s3:GetObject");
    assert_eq!(read.eval_decision(), &Decision::ImplicitDeny);
    assert!(!read
        .permissions_boundary_decision_detail()
        .unwrap()
        .allowed_by_permissions_boundary());
    let get = result(out.evaluation_results(), "iam:GetUser");
    assert_eq!(get.eval_decision(), &Decision::Allowed);
    assert!(get
        .permissions_boundary_decision_detail()
        .unwrap()
        .allowed_by_permissions_boundary());

    // A boundary given in the request replaces the user's.
    let out = root
        .simulate_principal_policy()
        .policy_source_arn(&user_arn)
        .action_names("s3:GetObject")
        .permissions_boundary_policy_input_list(S3_READ)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::Allowed
    );

    // Extra policies in PolicyInputList join the user's, named by their position.
    let out = root
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:group/admins"))
        .action_names("iam:CreateUser")
        .policy_input_list(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"}}"#,
        )
        .send()
        .await
        .unwrap();
    let create = &out.evaluation_results()[0];
    assert_eq!(create.eval_decision(), &Decision::Allowed);
    assert_eq!(
        create.matched_statements()[0].source_policy_id(),
        Some("PolicyInputList.1")
    );
    assert_eq!(
        create.matched_statements()[0].source_policy_type(),
        Some(&PolicySourceType::None)
    );
}

#[tokio::test]
async fn simulate_principal_policy_errors_and_authorization() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;

    let err = root
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:user/ghost"))
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err:?}");
    let err = root
        .simulate_principal_policy()
        .policy_source_arn("arn:aws:iam::210987654321:user/ghost")
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    // Another account's principal: authorized (and refused) before anything is looked up.
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    let err = root
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:policy/x"))
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");

    // The caller needs iam:SimulatePrincipalPolicy on the principal's ARN.
    let keys = user_with_key(&root, "auditor").await;
    root.create_user().user_name("target").send().await.unwrap();
    root.put_user_policy()
        .user_name("auditor")
        .policy_name("simulate-target")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:SimulatePrincipalPolicy","Resource":"arn:aws:iam::{account}:user/target"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let auditor = server.iam(&keys);
    auditor
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:user/target"))
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap();
    let err = auditor
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:user/auditor"))
        .action_names("iam:GetUser")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    assert!(
        err.message()
            .unwrap()
            .contains("iam:SimulatePrincipalPolicy"),
        "{err:?}"
    );
    let err = auditor
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
}

fn entry(name: &str, kind: ContextKeyTypeEnum, values: &[&str]) -> ContextEntry {
    let mut builder = ContextEntry::builder()
        .context_key_name(name)
        .context_key_type(kind);
    for value in values {
        builder = builder.context_key_values(*value);
    }
    builder.build()
}

const CONDITIONAL: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*",
   "Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}},
  {"Sid":"FromOffice","Effect":"Allow","Action":"s3:GetObject","Resource":"*",
   "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
                "NumericLessThan":{"s3:max-keys":"10"},
                "Bool":{"aws:MultiFactorAuthPresent":"true"},
                "DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}},
  {"Sid":"Tagged","Effect":"Allow","Action":"iam:TagUser","Resource":"*",
   "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","cost"]}}}]}"#;

#[tokio::test]
async fn simulate_custom_policy_with_context_entries() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());

    // Without context, conditions fail and the keys they need are reported missing.
    let out = root
        .simulate_custom_policy()
        .policy_input_list(CONDITIONAL)
        .action_names("iam:PassRole")
        .send()
        .await
        .unwrap();
    let pass = &out.evaluation_results()[0];
    assert_eq!(pass.eval_decision(), &Decision::ImplicitDeny);
    assert_eq!(pass.missing_context_values(), ["iam:PassedToService"]);

    // iam:PassedToService is evaluable like any key.
    let out = root
        .simulate_custom_policy()
        .policy_input_list(CONDITIONAL)
        .action_names("iam:PassRole")
        .context_entries(entry(
            "iam:PassedToService",
            ContextKeyTypeEnum::String,
            &["ec2.amazonaws.com"],
        ))
        .send()
        .await
        .unwrap();
    let pass = &out.evaluation_results()[0];
    assert_eq!(pass.eval_decision(), &Decision::Allowed);
    assert!(pass.missing_context_values().is_empty());
    assert_eq!(
        pass.matched_statements()[0].source_policy_id(),
        Some("PolicyInputList.1")
    );
    let out = root
        .simulate_custom_policy()
        .policy_input_list(CONDITIONAL)
        .action_names("iam:PassRole")
        .context_entries(entry(
            "iam:PassedToService",
            ContextKeyTypeEnum::String,
            &["lambda.amazonaws.com"],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::ImplicitDeny
    );

    // Typed entries: ip, numeric, boolean, date all reach their operators.
    let typed = |ip: &'static str, keys: &'static str| {
        root.simulate_custom_policy()
            .policy_input_list(CONDITIONAL)
            .action_names("s3:GetObject")
            .context_entries(entry("aws:SourceIp", ContextKeyTypeEnum::Ip, &[ip]))
            .context_entries(entry("s3:max-keys", ContextKeyTypeEnum::Numeric, &[keys]))
            .context_entries(entry(
                "aws:MultiFactorAuthPresent",
                ContextKeyTypeEnum::Boolean,
                &["true"],
            ))
            .context_entries(entry(
                "aws:CurrentTime",
                ContextKeyTypeEnum::Date,
                &["2024-05-01T12:00:00Z"],
            ))
            .send()
    };
    let out = typed("10.1.2.3", "5").await.unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::Allowed
    );
    let out = typed("192.168.1.1", "5").await.unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::ImplicitDeny
    );
    let out = typed("10.1.2.3", "50").await.unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::ImplicitDeny
    );
    let err = typed("10.1.2", "5").await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    let err = typed("10.1.2.3", "five").await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");

    // Policy variables come from the simulated caller, or are reported missing.
    let own_keys = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;
    let out = root
        .simulate_custom_policy()
        .policy_input_list(own_keys)
        .action_names("iam:CreateAccessKey")
        .resource_arns("arn:aws:iam::123456789012:user/carol")
        .send()
        .await
        .unwrap();
    let own = &out.evaluation_results()[0];
    assert_eq!(own.eval_decision(), &Decision::ImplicitDeny);
    assert_eq!(
        own.resource_specific_results()[0].missing_context_values(),
        ["aws:username"]
    );
    let out = root
        .simulate_custom_policy()
        .policy_input_list(own_keys)
        .action_names("iam:CreateAccessKey")
        .resource_arns("arn:aws:iam::123456789012:user/carol")
        .caller_arn("arn:aws:iam::123456789012:user/carol")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::Allowed
    );

    // List keys: every value must be allowed for ForAllValues.
    let tagged = |values: &'static [&'static str]| {
        root.simulate_custom_policy()
            .policy_input_list(CONDITIONAL)
            .action_names("iam:TagUser")
            .context_entries(entry("aws:TagKeys", ContextKeyTypeEnum::StringList, values))
            .send()
    };
    let out = tagged(&["team", "cost"]).await.unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::Allowed
    );
    let out = tagged(&["team", "owner"]).await.unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::ImplicitDeny
    );
}

#[tokio::test]
async fn simulate_custom_policy_resources_resource_policies_and_pages() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    let caller = format!("arn:aws:iam::{account}:user/alice");
    let bucket_policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Alice","Effect":"Allow","Principal":{{"AWS":"{caller}"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/*"}}]}}"#
    );

    // Named resources: one result per action and resource, each with its resource result.
    let out = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::shared/a.txt")
        .resource_arns("arn:aws:s3:::private/b.txt")
        .resource_policy(&bucket_policy)
        .caller_arn(&caller)
        .send()
        .await
        .unwrap();
    let results = out.evaluation_results();
    assert_eq!(results.len(), 4);
    let put_shared = results
        .iter()
        .find(|r| {
            r.eval_action_name() == "s3:PutObject"
                && r.eval_resource_name() == Some("arn:aws:s3:::shared/a.txt")
        })
        .unwrap();
    assert_eq!(put_shared.eval_decision(), &Decision::Allowed);
    assert_eq!(
        put_shared.matched_statements()[0].source_policy_type(),
        Some(&PolicySourceType::Resource)
    );
    assert_eq!(
        put_shared.matched_statements()[0].source_policy_id(),
        Some("ResourcePolicy")
    );
    let specific = put_shared.resource_specific_results();
    assert_eq!(specific.len(), 1);
    assert_eq!(
        specific[0].eval_resource_name(),
        "arn:aws:s3:::shared/a.txt"
    );
    assert_eq!(specific[0].eval_resource_decision(), &Decision::Allowed);
    let put_private = results
        .iter()
        .find(|r| {
            r.eval_action_name() == "s3:PutObject"
                && r.eval_resource_name() == Some("arn:aws:s3:::private/b.txt")
        })
        .unwrap();
    assert_eq!(put_private.eval_decision(), &Decision::ImplicitDeny);

    // Across accounts, both sides must allow; EvalDecisionDetails tells each side.
    let out = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .resource_arns("arn:aws:s3:::shared/a.txt")
        .resource_policy(&bucket_policy)
        .resource_owner("arn:aws:iam::210987654321:root")
        .caller_arn(&caller)
        .send()
        .await
        .unwrap();
    let get = &out.evaluation_results()[0];
    assert_eq!(get.eval_decision(), &Decision::ImplicitDeny);
    let details = get.eval_decision_details().unwrap();
    assert_eq!(details.get("IAM Policy"), Some(&Decision::Allowed));
    assert_eq!(
        details.get("Resource Policy"),
        Some(&Decision::ImplicitDeny)
    );

    // A resource policy needs a caller.
    let err = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .resource_policy(&bucket_policy)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    // Only users may be callers.
    let err = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .caller_arn(format!("arn:aws:iam::{account}:role/r"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    // Malformed policies and wildcard actions are invalid input.
    let err = root
        .simulate_custom_policy()
        .policy_input_list("{not json")
        .action_names("s3:GetObject")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    let err = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:*")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
    let err = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .permissions_boundary_policy_input_list(S3_READ)
        .permissions_boundary_policy_input_list(S3_READ)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");

    // Pages: five actions two at a time, each result once, in order.
    let actions = [
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "iam:GetUser",
        "sts:AssumeRole",
    ];
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = root
            .simulate_custom_policy()
            .policy_input_list(S3_READ)
            .max_items(2)
            .set_marker(marker.clone());
        for action in actions {
            request = request.action_names(action);
        }
        let out = request.send().await.unwrap();
        pages += 1;
        assert!(out.evaluation_results().len() <= 2);
        seen.extend(
            out.evaluation_results()
                .iter()
                .map(|r| r.eval_action_name().to_owned()),
        );
        if !out.is_truncated() {
            assert_eq!(out.marker(), None);
            break;
        }
        marker = out.marker().map(str::to_owned);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, actions);
    let err = root
        .simulate_custom_policy()
        .policy_input_list(S3_READ)
        .action_names("s3:GetObject")
        .marker("bm90LWEtbnVtYmVy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");
}

#[tokio::test]
async fn context_keys_of_principal_and_custom_policies() {
    let server = Server::start(&[]);
    let root = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    let out = root
        .get_context_keys_for_custom_policy()
        .policy_input_list(CONDITIONAL)
        .policy_input_list(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"AWS:SourceIp":"1.2.3.4","aws:RequestedRegion":"us-east-1"}}}}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.context_key_names(),
        [
            "iam:PassedToService",
            "aws:SourceIp",
            "s3:max-keys",
            "aws:MultiFactorAuthPresent",
            "aws:CurrentTime",
            "aws:TagKeys",
            "aws:RequestedRegion"
        ]
    );
    // Policy variables are context keys too, as AWS lists them.
    let out = root
        .get_context_keys_for_custom_policy()
        .policy_input_list(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.context_key_names(), ["aws:username", "aws:CurrentTime"]);
    let err = root
        .get_context_keys_for_custom_policy()
        .policy_input_list("[]")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidInput"), "{err:?}");

    root.create_role()
        .role_name("builder")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .unwrap();
    root.put_role_policy()
        .role_name("builder")
        .policy_name("pass")
        .policy_document(CONDITIONAL)
        .send()
        .await
        .unwrap();
    let out = root
        .get_context_keys_for_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:role/builder"))
        .policy_input_list(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"home/"}}}}"#,
        )
        .send()
        .await
        .unwrap();
    let names = out.context_key_names();
    assert!(
        names.contains(&"iam:PassedToService".to_owned()),
        "{names:?}"
    );
    assert!(names.contains(&"s3:prefix".to_owned()), "{names:?}");
    assert_eq!(names.len(), 7, "{names:?}");
    let err = root
        .get_context_keys_for_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{account}:role/nobody"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err:?}");
}

#[tokio::test]
async fn simulate_principal_policy_reports_service_control_policies() {
    use aws_sdk_organizations::types::PolicyType;
    let server = Server::start(&["--dev"]);
    let orgs = server.organizations(&server.root_keys());
    let root_id = create_organization(&orgs).await;
    orgs.enable_policy_type()
        .root_id(&root_id)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let member = create_member(&orgs, "member", "member@example.com").await;
    // Dev mode: a 12-digit key id is that account's root.
    let member_root = server.iam(&dev_root(&member));
    member_root
        .create_user()
        .user_name("dev")
        .send()
        .await
        .unwrap();
    member_root
        .attach_user_policy()
        .user_name("dev")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let guard = orgs
        .create_policy()
        .name("NoNewUsers")
        .description("guardrail")
        .r#type(PolicyType::ServiceControlPolicy)
        .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    orgs.attach_policy()
        .policy_id(
            guard
                .policy()
                .unwrap()
                .policy_summary()
                .unwrap()
                .id()
                .unwrap(),
        )
        .target_id(&member)
        .send()
        .await
        .unwrap();

    let out = member_root
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{member}:user/dev"))
        .action_names("iam:CreateUser")
        .action_names("iam:ListUsers")
        .send()
        .await
        .unwrap();
    let create = result(out.evaluation_results(), "iam:CreateUser");
    assert_eq!(create.eval_decision(), &Decision::ExplicitDeny);
    assert!(!create
        .organizations_decision_detail()
        .unwrap()
        .allowed_by_organizations());
    let list = result(out.evaluation_results(), "iam:ListUsers");
    assert_eq!(list.eval_decision(), &Decision::Allowed);
    assert!(list
        .organizations_decision_detail()
        .unwrap()
        .allowed_by_organizations());
    assert_eq!(
        list.matched_statements()[0].source_policy_id(),
        Some("AdministratorAccess")
    );

    // Custom policies stand alone: no account's SCPs.
    let out = member_root
        .simulate_custom_policy()
        .policy_input_list(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
        .action_names("iam:CreateUser")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.evaluation_results()[0].eval_decision(),
        &Decision::Allowed
    );
    assert!(out.evaluation_results()[0]
        .organizations_decision_detail()
        .is_none());
}
