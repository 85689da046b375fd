//! STS GetSessionToken, GetFederationToken and transitive session tags, through the AWS
//! SDK for Rust against the real binary.

use aws_sdk_sts::error::ProvideErrorMetadata;

use super::support::credentials::{account_of, seconds_left, user_with_key, Keys};
use super::support::policies::ASSUME_ANY_ROLE;
use super::support::server::Server;

#[tokio::test]
async fn session_tokens_act_as_their_user_within_sts_limits() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let dev = user_with_key(&iam, "dev").await;
    iam.attach_user_policy()
        .user_name("dev")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();

    let token = server
        .sts(&dev)
        .get_session_token()
        .duration_seconds(7200)
        .send()
        .await
        .unwrap();
    let creds = token.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    let left = seconds_left(creds);
    assert!((7000..=7200).contains(&left), "{left}");
    let session = Keys::from(creds);
    let who = server
        .sts_with_token(&session, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert!(who.arn().unwrap().ends_with(":user/dev"), "{who:?}");

    // Without an MFA code, no IAM call, whatever the user's policies say.
    let err = server
        .iam_with_token(&session, creds.session_token())
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );
    // No STS call but AssumeRole and GetCallerIdentity, and no session from a session.
    let err = server
        .sts_with_token(&session, creds.session_token())
        .get_access_key_info()
        .access_key_id(&dev.id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = server
        .sts_with_token(&session, creds.session_token())
        .get_session_token()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // Organizations calls go through the user's own policies.
    let orgs = server.organizations_with_token(&session, creds.session_token());
    let err = orgs.describe_organization().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_organizations::error::ProvideErrorMetadata::code(&err),
        Some("AWSOrganizationsNotInUseException")
    );

    // The root user's sessions last an hour at most.
    let token = server
        .sts(&root)
        .get_session_token()
        .duration_seconds(7200)
        .send()
        .await
        .unwrap();
    let left = seconds_left(token.credentials().unwrap());
    assert!((3400..=3600).contains(&left), "{left}");

    // An MFA code needs its serial number, and a device the caller has enabled.
    let err = server
        .sts(&dev)
        .get_session_token()
        .token_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));

    // Out-of-range durations are refused by the model's constraints.
    let err = server
        .sts(&dev)
        .get_session_token()
        .duration_seconds(600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));
}

#[tokio::test]
async fn federated_users_get_the_intersection_of_user_and_session_policy() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    server
        .organizations(&root)
        .create_organization()
        .send()
        .await
        .unwrap();
    let broker = user_with_key(&iam, "broker").await;
    let account = account_of(&server, &root).await;

    // Without sts:GetFederationToken the broker may not federate anyone.
    let err = server
        .sts(&broker)
        .get_federation_token()
        .name("carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    iam.put_user_policy()
        .user_name("broker")
        .policy_name("broker")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"},
            {"Effect":"Allow","Action":["organizations:Describe*","iam:*"],"Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();

    let session_policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:DescribeOrganization","organizations:ListAccounts","iam:ListUsers"],"Resource":"*"}]}"#;
    let federated = server
        .sts(&broker)
        .get_federation_token()
        .name("carol")
        .policy(session_policy)
        .send()
        .await
        .unwrap();
    let user = federated.federated_user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{account}:federated-user/carol")
    );
    assert_eq!(user.federated_user_id(), format!("{account}:carol"));
    #[allow(deprecated)]
    let packed = federated.packed_policy_size().unwrap();
    assert!(packed > 0, "{packed}");
    let creds = federated.credentials().unwrap();
    let carol = Keys::from(creds);
    let who = server
        .sts_with_token(&carol, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(who.arn(), Some(user.arn()));
    assert_eq!(who.user_id(), Some(user.federated_user_id()));

    let orgs = server.organizations_with_token(&carol, creds.session_token());
    // Allowed by both the broker's policy and the session policy.
    orgs.describe_organization().send().await.unwrap();
    // The session allows ListAccounts, the broker does not: denied.
    let err = orgs.list_accounts().send().await.unwrap_err();
    assert_eq!(
        aws_sdk_organizations::error::ProvideErrorMetadata::code(&err),
        Some("AccessDeniedException")
    );
    // Federated users call no IAM operation at all.
    let err = server
        .iam_with_token(&carol, creds.session_token())
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );

    // Without a session policy the federated user may do nothing.
    let bare = server
        .sts(&broker)
        .get_federation_token()
        .name("dave")
        .send()
        .await
        .unwrap();
    let creds = bare.credentials().unwrap();
    let err = server
        .organizations_with_token(&Keys::from(creds), creds.session_token())
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_organizations::error::ProvideErrorMetadata::code(&err),
        Some("AccessDeniedException")
    );

    // Bad session policies are refused with STS's errors.
    let err = server
        .sts(&broker)
        .get_federation_token()
        .name("erin")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"x","Principal":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedPolicyDocument"));
}

#[tokio::test]
async fn transitive_session_tags_follow_role_chains() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let alice = user_with_key(&iam, "alice").await;
    let first_trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/alice"}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
    );
    iam.create_role()
        .role_name("First")
        .assume_role_policy_document(first_trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("First")
        .policy_name("chain")
        .policy_document(ASSUME_ANY_ROLE)
        .send()
        .await
        .unwrap();
    // The second role may list roles only in sessions tagged project=apollo.
    let second_trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
    );
    iam.create_role()
        .role_name("Second")
        .assume_role_policy_document(second_trust)
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("Second")
        .policy_name("tagged")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/project":"apollo"}}}]}"#,
        )
        .send()
        .await
        .unwrap();

    let tag = |key: &str, value: &str| {
        aws_sdk_sts::types::Tag::builder()
            .key(key)
            .value(value)
            .build()
            .unwrap()
    };
    let hop = |tags: Vec<aws_sdk_sts::types::Tag>, transitive: Vec<String>| {
        let sts = server.sts(&alice);
        let role = format!("arn:aws:iam::{account}:role/First");
        async move {
            sts.assume_role()
                .role_arn(role)
                .role_session_name("first")
                .set_tags(Some(tags))
                .set_transitive_tag_keys(Some(transitive))
                .send()
                .await
                .unwrap()
        }
    };
    let second = format!("arn:aws:iam::{account}:role/Second");

    let second_session = |creds: aws_sdk_sts::types::Credentials| {
        let sts = server.sts_with_token(&Keys::from(&creds), creds.session_token());
        let second = second.clone();
        async move {
            let assumed = sts
                .assume_role()
                .role_arn(second)
                .role_session_name("second")
                .send()
                .await
                .unwrap();
            assert!(assumed
                .assumed_role_user()
                .unwrap()
                .arn()
                .ends_with(":assumed-role/Second/second"));
            assumed.credentials().unwrap().clone()
        }
    };

    // Tagged but not transitive: the tag does not reach the second hop.
    let plain = hop(vec![tag("project", "apollo")], vec![]).await;
    let creds = second_session(plain.credentials().unwrap().clone()).await;
    let err = server
        .iam_with_token(&Keys::from(&creds), creds.session_token())
        .list_roles()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );

    // Transitive: it does.
    let carried = hop(vec![tag("project", "apollo")], vec!["project".to_owned()]).await;
    let first = carried.credentials().unwrap().clone();
    let creds = second_session(first.clone()).await;
    server
        .iam_with_token(&Keys::from(&creds), creds.session_token())
        .list_roles()
        .send()
        .await
        .unwrap();
    // And the chained session cannot redefine it.
    let err = server
        .sts_with_token(&Keys::from(&first), first.session_token())
        .assume_role()
        .role_arn(&second)
        .role_session_name("second")
        .tags(tag("project", "gemini"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));

    // Transitive keys must be among the request's tags.
    let err = server
        .sts(&alice)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/First"))
        .role_session_name("first")
        .transitive_tag_keys("project")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));
}

#[tokio::test]
async fn mfa_codes_unlock_iam_for_session_tokens_and_mfa_only_roles() {
    use super::iam_login_mfa::{now_step, totp};
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let dev = user_with_key(&iam, "dev").await;
    iam.attach_user_policy()
        .user_name("dev")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("dev-phone")
        .send()
        .await
        .unwrap();
    let device = device.virtual_mfa_device().unwrap();
    let serial = device.serial_number().to_owned();
    let seed = String::from_utf8(device.base32_string_seed().unwrap().as_ref().to_vec()).unwrap();
    let step = now_step();
    iam.enable_mfa_device()
        .user_name("dev")
        .serial_number(&serial)
        .authentication_code1(totp(&seed, step - 1))
        .authentication_code2(totp(&seed, step))
        .send()
        .await
        .unwrap();
    // A role only MFA-authenticated sessions may assume.
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/dev"}},"Action":"sts:AssumeRole","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}]}}"#
    );
    iam.create_role()
        .role_name("Guarded")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    let role_arn = format!("arn:aws:iam::{account}:role/Guarded");
    let err = server
        .sts(&dev)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("no-mfa")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // A wrong code, or a code of someone else's serial, is refused.
    let err = server
        .sts(&dev)
        .get_session_token()
        .serial_number(&serial)
        .token_code("000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    let code = totp(&seed, step + 1);
    let token = server
        .sts(&dev)
        .get_session_token()
        .serial_number(&serial)
        .token_code(&code)
        .send()
        .await
        .unwrap();
    let creds = token.credentials().unwrap();
    let session = Keys::from(creds);
    // With MFA proved, IAM calls go through the user's policies.
    server
        .iam_with_token(&session, creds.session_token())
        .list_users()
        .send()
        .await
        .unwrap();
    // The same code is never accepted twice.
    let err = server
        .sts(&dev)
        .get_session_token()
        .serial_number(&serial)
        .token_code(&code)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    // The MFA session may assume the guarded role, and its session carries MFA on.
    let assumed = server
        .sts_with_token(&session, creds.session_token())
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("with-mfa")
        .send()
        .await
        .unwrap();
    assert!(assumed
        .assumed_role_user()
        .unwrap()
        .arn()
        .ends_with(":assumed-role/Guarded/with-mfa"));
}
