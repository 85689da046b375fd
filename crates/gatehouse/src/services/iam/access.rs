//! The access each IAM operation needs: the action (the operation's own, from the model,
//! unless it needs more), the target it acts on, and request condition keys. [`needs`]
//! is pure; [`access`] resolves targets into ARNs with the entity paths read in the
//! request's transaction (`/` for entities that do not exist, as AWS authorizes requests
//! about them).

use wire::iam::{Operation, Tag};
use wire::ServiceError;

use super::{delegation_requests, policies, providers, server_certificates, service_linked_roles};
use crate::auth::authorize::Access;
use crate::model::arn;
use crate::request::RequestContext;
use crate::store::{OwnerKind, Tx};

/// The delegation request an operation acts on, for the operations its owner may call
/// without a policy.
pub(super) fn owned_request(operation: &Operation) -> Option<String> {
    match operation {
        Operation::GetDelegationRequest(i) => Some(i.delegation_request_id.clone()),
        Operation::UpdateDelegationRequest(i) => Some(i.delegation_request_id.clone()),
        Operation::SendDelegationToken(i) => Some(i.delegation_request_id.clone()),
        Operation::GetHumanReadableSummary(i) => i
            .entity_arn
            .rsplit_once(":delegation-request/")
            .map(|(_, id)| id.to_owned()),
        _ => None,
    }
}

/// The Organizations actions `GenerateOrganizationsAccessReport` depends on.
const ORG_REPORT_READS: [&str; 6] = [
    "organizations:DescribePolicy",
    "organizations:ListChildren",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:ListRoots",
    "organizations:ListTargetsForPolicy",
];

/// What an operation acts on, before entity paths are looked up.
#[derive(Clone)]
enum Target {
    /// No resource (`*`).
    Star,
    /// A resource whose ARN is known from the input.
    Arn(String),
    /// A user; `None` is the caller itself (the root ARN for the root user).
    User(Option<String>),
    /// A group by name.
    Group(String),
    /// A role by name.
    Role(String),
    /// An instance profile by name.
    InstanceProfile(String),
    /// The user owning an access key of the caller's account.
    KeyOwner(String),
    /// A server certificate by name; with `renamed`, what it becomes: the new name, and
    /// the new path or else its current one.
    ServerCertificate {
        name: String,
        renamed: Option<(String, Option<String>)>,
    },
    /// What a user or group becomes when renamed or moved: the new name, and the new path
    /// or else its current one.
    Renamed {
        kind: OwnerKind,
        name: String,
        new_name: String,
        new_path: Option<String>,
    },
}

/// One action an operation needs, on one target, with request-specific condition keys.
struct Need {
    action: &'static str,
    target: Target,
    tags: Vec<(String, String)>,
    context: Vec<(String, policy::ContextValue)>,
}

impl Need {
    fn new(action: &'static str, target: Target) -> Self {
        Self {
            action,
            target,
            tags: Vec::new(),
            context: Vec::new(),
        }
    }

    fn with(mut self, key: &str, value: policy::ContextValue) -> Self {
        self.context.push((key.to_owned(), value));
        self
    }

    fn tagged(mut self, tags: &[(String, String)]) -> Self {
        self.tags = tags.to_vec();
        self
    }
}

fn tag_pairs(tags: Option<&Vec<Tag>>) -> Vec<(String, String)> {
    tags.into_iter()
        .flatten()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect()
}

/// Creating an entity: the create action on its future ARN, the tag action when tags are
/// given, and the boundary as `iam:PermissionsBoundary`.
fn creation(
    context: &RequestContext,
    (kind, create, tag): (&str, &'static str, &'static str),
    (path, name): (Option<&str>, &str),
    tags: Vec<(String, String)>,
    boundary: Option<&str>,
) -> Vec<Need> {
    let principal = &context.principal;
    let resource = arn::iam_entity(
        principal.partition,
        principal.account,
        kind,
        path.unwrap_or("/"),
        name,
    );
    let mut first = Need::new(create, Target::Arn(resource.clone())).tagged(&tags);
    if let Some(boundary) = boundary {
        first = first.with(
            "iam:PermissionsBoundary",
            policy::ContextValue::from(boundary),
        );
    }
    let mut needs = vec![first];
    if !tags.is_empty() {
        needs.push(Need::new(tag, Target::Arn(resource)).tagged(&tags));
    }
    needs
}

/// The actions and targets an operation needs, as AWS's Service Authorization Reference
/// lists them: the operations below need more than their own action on one resource
/// (a second action, request condition keys, an entity that does not exist yet); every
/// other needs its own action (`Operation::action`) on its [`target`].
fn needs(context: &RequestContext, operation: &Operation) -> Vec<Need> {
    let user = |name: &str| Target::User(Some(name.to_owned()));
    let group = |name: &str| Target::Group(name.to_owned());
    let role = |name: &str| Target::Role(name.to_owned());
    let profile = |name: &str| Target::InstanceProfile(name.to_owned());
    let certificate = |name: &str| Target::ServerCertificate {
        name: name.to_owned(),
        renamed: None,
    };
    let arn = |text: &str| Target::Arn(text.to_owned());
    let policy_arn = |text: &str| policy::ContextValue::from(text);
    let one = |action, target| vec![Need::new(action, target)];
    use Operation as Op;
    match operation {
        Op::CreateUser(i) => creation(
            context,
            ("user", "iam:CreateUser", "iam:TagUser"),
            (i.path.as_deref(), &i.user_name),
            tag_pairs(i.tags.as_ref()),
            i.permissions_boundary.as_deref(),
        ),
        // Renaming or moving needs the action on the entity as it is and as it will be.
        Op::UpdateUser(i) => vec![
            Need::new("iam:UpdateUser", user(&i.user_name)),
            Need::new(
                "iam:UpdateUser",
                Target::Renamed {
                    kind: OwnerKind::User,
                    name: i.user_name.clone(),
                    new_name: i
                        .new_user_name
                        .clone()
                        .unwrap_or_else(|| i.user_name.clone()),
                    new_path: i.new_path.clone(),
                },
            ),
        ],
        Op::PutUserPermissionsBoundary(i) => {
            vec![
                Need::new("iam:PutUserPermissionsBoundary", user(&i.user_name)).with(
                    "iam:PermissionsBoundary",
                    policy_arn(&i.permissions_boundary),
                ),
            ]
        }
        Op::AttachUserPolicy(i) => vec![Need::new("iam:AttachUserPolicy", user(&i.user_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::DetachUserPolicy(i) => vec![Need::new("iam:DetachUserPolicy", user(&i.user_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::CreateGroup(i) => {
            let principal = &context.principal;
            let path = i.path.as_deref().unwrap_or("/");
            one(
                "iam:CreateGroup",
                arn(&crate::model::arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "group",
                    path,
                    &i.group_name,
                )),
            )
        }
        Op::UpdateGroup(i) => vec![
            Need::new("iam:UpdateGroup", group(&i.group_name)),
            Need::new(
                "iam:UpdateGroup",
                Target::Renamed {
                    kind: OwnerKind::Group,
                    name: i.group_name.clone(),
                    new_name: i
                        .new_group_name
                        .clone()
                        .unwrap_or_else(|| i.group_name.clone()),
                    new_path: i.new_path.clone(),
                },
            ),
        ],
        Op::AttachGroupPolicy(i) => vec![Need::new("iam:AttachGroupPolicy", group(&i.group_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::DetachGroupPolicy(i) => vec![Need::new("iam:DetachGroupPolicy", group(&i.group_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::CreateRole(i) => creation(
            context,
            ("role", "iam:CreateRole", "iam:TagRole"),
            (i.path.as_deref(), &i.role_name),
            tag_pairs(i.tags.as_ref()),
            i.permissions_boundary.as_deref(),
        ),
        Op::PutRolePermissionsBoundary(i) => {
            vec![
                Need::new("iam:PutRolePermissionsBoundary", role(&i.role_name)).with(
                    "iam:PermissionsBoundary",
                    policy_arn(&i.permissions_boundary),
                ),
            ]
        }
        Op::TagRole(i) => {
            vec![Need::new("iam:TagRole", role(&i.role_name)).tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagRole(i) => vec![Need::new("iam:UntagRole", role(&i.role_name)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::AttachRolePolicy(i) => vec![Need::new("iam:AttachRolePolicy", role(&i.role_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::DetachRolePolicy(i) => vec![Need::new("iam:DetachRolePolicy", role(&i.role_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::CreateVirtualMFADevice(i) => creation(
            context,
            ("mfa", "iam:CreateVirtualMFADevice", "iam:TagMFADevice"),
            (i.path.as_deref(), &i.virtual_mfa_device_name),
            tag_pairs(i.tags.as_ref()),
            None,
        ),
        Op::TagMFADevice(i) => {
            vec![Need::new("iam:TagMFADevice", arn(&i.serial_number))
                .tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagMFADevice(i) => vec![Need::new("iam:UntagMFADevice", arn(&i.serial_number)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::CreateInstanceProfile(i) => creation(
            context,
            (
                "instance-profile",
                "iam:CreateInstanceProfile",
                "iam:TagInstanceProfile",
            ),
            (i.path.as_deref(), &i.instance_profile_name),
            tag_pairs(i.tags.as_ref()),
            None,
        ),
        // AWS requires the caller to be allowed to pass the role it puts in the profile.
        Op::AddRoleToInstanceProfile(i) => vec![
            Need::new(
                "iam:AddRoleToInstanceProfile",
                profile(&i.instance_profile_name),
            ),
            Need::new("iam:PassRole", role(&i.role_name)),
        ],
        Op::TagInstanceProfile(i) => {
            vec![
                Need::new("iam:TagInstanceProfile", profile(&i.instance_profile_name))
                    .tagged(&tag_pairs(Some(&i.tags))),
            ]
        }
        Op::UntagInstanceProfile(i) => vec![Need::new(
            "iam:UntagInstanceProfile",
            profile(&i.instance_profile_name),
        )
        .with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::TagUser(i) => {
            vec![Need::new("iam:TagUser", user(&i.user_name)).tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagUser(i) => vec![Need::new("iam:UntagUser", user(&i.user_name)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::TagPolicy(i) => {
            vec![Need::new("iam:TagPolicy", arn(&i.policy_arn)).tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagPolicy(i) => vec![Need::new("iam:UntagPolicy", arn(&i.policy_arn)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::CreateServiceLinkedRole(i) => {
            let path = format!(
                "{}{}/",
                service_linked_roles::PATH_PREFIX,
                i.aws_service_name
            );
            let name =
                service_linked_roles::role_name(&i.aws_service_name, i.custom_suffix.as_deref())
                    .unwrap_or_default();
            let principal = &context.principal;
            vec![Need::new(
                "iam:CreateServiceLinkedRole",
                arn(&arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "role",
                    &path,
                    &name,
                )),
            )
            .with(
                "iam:AWSServiceName",
                policy::ContextValue::from(i.aws_service_name.as_str()),
            )]
        }
        Op::GetServiceLinkedRoleDeletionStatus(i) => {
            let principal = &context.principal;
            let (path, name) = service_linked_roles::task_role(&i.deletion_task_id)
                .unwrap_or_else(|| ("/".to_owned(), String::new()));
            one(
                "iam:GetServiceLinkedRoleDeletionStatus",
                arn(&arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "role",
                    &path,
                    &name,
                )),
            )
        }
        Op::CreateOpenIDConnectProvider(i) => {
            let resource = i
                .url
                .strip_prefix("https://")
                .map(|rest| rest.trim_end_matches('/'))
                .unwrap_or(&i.url);
            let target = arn(&providers::oidc_arn(context, resource));
            let tags = tag_pairs(i.tags.as_ref());
            let mut needs =
                vec![Need::new("iam:CreateOpenIDConnectProvider", target.clone()).tagged(&tags)];
            if !tags.is_empty() {
                needs.push(Need::new("iam:TagOpenIDConnectProvider", target).tagged(&tags));
            }
            needs
        }
        Op::TagOpenIDConnectProvider(i) => vec![Need::new(
            "iam:TagOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        )
        .tagged(&tag_pairs(Some(&i.tags)))],
        Op::UntagOpenIDConnectProvider(i) => vec![Need::new(
            "iam:UntagOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        )
        .with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::CreateSAMLProvider(i) => {
            let target = arn(&providers::saml_arn(context, &i.name));
            let tags = tag_pairs(i.tags.as_ref());
            let mut needs = vec![Need::new("iam:CreateSAMLProvider", target.clone()).tagged(&tags)];
            if !tags.is_empty() {
                needs.push(Need::new("iam:TagSAMLProvider", target).tagged(&tags));
            }
            needs
        }
        Op::TagSAMLProvider(i) => vec![Need::new("iam:TagSAMLProvider", arn(&i.saml_provider_arn))
            .tagged(&tag_pairs(Some(&i.tags)))],
        Op::UntagSAMLProvider(i) => {
            vec![
                Need::new("iam:UntagSAMLProvider", arn(&i.saml_provider_arn)).with(
                    "aws:TagKeys",
                    policy::ContextValue::multi(i.tag_keys.clone()),
                ),
            ]
        }
        Op::UploadServerCertificate(i) => creation(
            context,
            (
                "server-certificate",
                "iam:UploadServerCertificate",
                "iam:TagServerCertificate",
            ),
            (i.path.as_deref(), &i.server_certificate_name),
            tag_pairs(i.tags.as_ref()),
            None,
        ),
        // Renaming or moving needs the action on the certificate as it is and as it will be.
        Op::UpdateServerCertificate(i) => vec![
            Need::new(
                "iam:UpdateServerCertificate",
                certificate(&i.server_certificate_name),
            ),
            Need::new(
                "iam:UpdateServerCertificate",
                Target::ServerCertificate {
                    name: i.server_certificate_name.clone(),
                    renamed: Some((
                        i.new_server_certificate_name
                            .clone()
                            .unwrap_or_else(|| i.server_certificate_name.clone()),
                        i.new_path.clone(),
                    )),
                },
            ),
        ],
        Op::TagServerCertificate(i) => vec![Need::new(
            "iam:TagServerCertificate",
            certificate(&i.server_certificate_name),
        )
        .tagged(&tag_pairs(Some(&i.tags)))],
        Op::UntagServerCertificate(i) => vec![Need::new(
            "iam:UntagServerCertificate",
            certificate(&i.server_certificate_name),
        )
        .with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        // Listing every user's credentials is about no one user.
        Op::ListServiceSpecificCredentials(i) if i.all_users == Some(true) => {
            one("iam:ListServiceSpecificCredentials", Target::Star)
        }
        // The report reads the organization's structure and SCPs: AWS lists these
        // Organizations actions as its dependent actions.
        Op::GenerateOrganizationsAccessReport(i) => {
            let principal = &context.principal;
            let report = format!(
                "arn:{}:iam::{}:access-report/{}",
                principal.partition, principal.account, i.entity_path
            );
            let mut first = Need::new("iam:GenerateOrganizationsAccessReport", arn(&report));
            if let Some(id) = &i.organizations_policy_id {
                first = first.with(
                    "iam:OrganizationsPolicyId",
                    policy::ContextValue::from(id.as_str()),
                );
            }
            let mut needs = vec![first];
            needs.extend(
                ORG_REPORT_READS
                    .iter()
                    .map(|action| Need::new(action, Target::Star)),
            );
            needs
        }
        _ => vec![Need::new(operation.action(), target(context, operation))],
    }
}

/// What an operation needing only its own action acts on; `*` for the operations that
/// name no resource (listing every user, the account's settings, …).
fn target(context: &RequestContext, operation: &Operation) -> Target {
    let caller = context.principal.user_name().map(str::to_owned);
    let me = |name: &Option<String>| Target::User(name.clone().or_else(|| caller.clone()));
    let user = |name: &str| Target::User(Some(name.to_owned()));
    let group = |name: &str| Target::Group(name.to_owned());
    let role = |name: &str| Target::Role(name.to_owned());
    let profile = |name: &str| Target::InstanceProfile(name.to_owned());
    let certificate = |name: &str| Target::ServerCertificate {
        name: name.to_owned(),
        renamed: None,
    };
    let arn = |text: &str| Target::Arn(text.to_owned());
    let delegation =
        |id: &str| Target::Arn(delegation_requests::request_arn(&context.principal, id));
    use Operation as Op;
    match operation {
        Op::GetUser(i) => me(&i.user_name),
        Op::DeleteUser(i) => user(&i.user_name),
        Op::DeleteUserPermissionsBoundary(i) => user(&i.user_name),
        Op::CreateAccessKey(i) => me(&i.user_name),
        Op::ListAccessKeys(i) => me(&i.user_name),
        Op::UpdateAccessKey(i) => me(&i.user_name),
        Op::DeleteAccessKey(i) => me(&i.user_name),
        Op::GetAccessKeyLastUsed(i) => Target::KeyOwner(i.access_key_id.clone()),
        Op::CreatePolicy(i) => arn(&policies::policy_arn(
            context,
            i.path.as_deref().unwrap_or("/"),
            &i.policy_name,
        )),
        Op::GetPolicy(i) => arn(&i.policy_arn),
        Op::DeletePolicy(i) => arn(&i.policy_arn),
        Op::CreatePolicyVersion(i) => arn(&i.policy_arn),
        Op::GetPolicyVersion(i) => arn(&i.policy_arn),
        Op::ListPolicyVersions(i) => arn(&i.policy_arn),
        Op::DeletePolicyVersion(i) => arn(&i.policy_arn),
        Op::SetDefaultPolicyVersion(i) => arn(&i.policy_arn),
        Op::ListAttachedUserPolicies(i) => user(&i.user_name),
        Op::PutUserPolicy(i) => user(&i.user_name),
        Op::GetUserPolicy(i) => user(&i.user_name),
        Op::ListUserPolicies(i) => user(&i.user_name),
        Op::DeleteUserPolicy(i) => user(&i.user_name),
        Op::ListGroupsForUser(i) => user(&i.user_name),
        Op::GetGroup(i) => group(&i.group_name),
        Op::DeleteGroup(i) => group(&i.group_name),
        Op::AddUserToGroup(i) => group(&i.group_name),
        Op::RemoveUserFromGroup(i) => group(&i.group_name),
        Op::ListAttachedGroupPolicies(i) => group(&i.group_name),
        Op::PutGroupPolicy(i) => group(&i.group_name),
        Op::GetGroupPolicy(i) => group(&i.group_name),
        Op::ListGroupPolicies(i) => group(&i.group_name),
        Op::DeleteGroupPolicy(i) => group(&i.group_name),
        Op::GetRole(i) => role(&i.role_name),
        Op::DeleteRole(i) => role(&i.role_name),
        Op::UpdateRole(i) => role(&i.role_name),
        Op::UpdateRoleDescription(i) => role(&i.role_name),
        Op::UpdateAssumeRolePolicy(i) => role(&i.role_name),
        Op::DeleteRolePermissionsBoundary(i) => role(&i.role_name),
        Op::ListRoleTags(i) => role(&i.role_name),
        Op::ListAttachedRolePolicies(i) => role(&i.role_name),
        Op::PutRolePolicy(i) => role(&i.role_name),
        Op::GetRolePolicy(i) => role(&i.role_name),
        Op::ListRolePolicies(i) => role(&i.role_name),
        Op::DeleteRolePolicy(i) => role(&i.role_name),
        Op::CreateLoginProfile(i) => me(&i.user_name),
        Op::GetLoginProfile(i) => me(&i.user_name),
        Op::UpdateLoginProfile(i) => user(&i.user_name),
        Op::DeleteLoginProfile(i) => me(&i.user_name),
        Op::ChangePassword(_) => me(&None),
        Op::EnableMFADevice(i) => user(&i.user_name),
        Op::ResyncMFADevice(i) => user(&i.user_name),
        Op::DeactivateMFADevice(i) => me(&i.user_name),
        Op::GetMFADevice(i) => me(&i.user_name),
        Op::ListMFADevices(i) => me(&i.user_name),
        Op::DeleteVirtualMFADevice(i) => arn(&i.serial_number),
        Op::ListMFADeviceTags(i) => arn(&i.serial_number),
        Op::GetInstanceProfile(i) => profile(&i.instance_profile_name),
        Op::DeleteInstanceProfile(i) => profile(&i.instance_profile_name),
        Op::ListInstanceProfilesForRole(i) => role(&i.role_name),
        Op::RemoveRoleFromInstanceProfile(i) => profile(&i.instance_profile_name),
        Op::ListInstanceProfileTags(i) => profile(&i.instance_profile_name),
        Op::ListUserTags(i) => user(&i.user_name),
        Op::ListPolicyTags(i) => arn(&i.policy_arn),
        Op::DeleteServiceLinkedRole(i) => role(&i.role_name),
        Op::GetOpenIDConnectProvider(i) => arn(&i.open_id_connect_provider_arn),
        Op::DeleteOpenIDConnectProvider(i) => arn(&i.open_id_connect_provider_arn),
        Op::AddClientIDToOpenIDConnectProvider(i) => arn(&i.open_id_connect_provider_arn),
        Op::RemoveClientIDFromOpenIDConnectProvider(i) => arn(&i.open_id_connect_provider_arn),
        Op::UpdateOpenIDConnectProviderThumbprint(i) => arn(&i.open_id_connect_provider_arn),
        Op::ListOpenIDConnectProviderTags(i) => arn(&i.open_id_connect_provider_arn),
        Op::GetSAMLProvider(i) => arn(&i.saml_provider_arn),
        Op::UpdateSAMLProvider(i) => arn(&i.saml_provider_arn),
        Op::DeleteSAMLProvider(i) => arn(&i.saml_provider_arn),
        Op::ListSAMLProviderTags(i) => arn(&i.saml_provider_arn),
        Op::SimulatePrincipalPolicy(i) => arn(&i.policy_source_arn),
        Op::GetContextKeysForPrincipalPolicy(i) => arn(&i.policy_source_arn),
        Op::ListEntitiesForPolicy(i) => arn(&i.policy_arn),
        Op::ListPoliciesGrantingServiceAccess(i) => arn(&i.arn),
        Op::GetServerCertificate(i) => certificate(&i.server_certificate_name),
        Op::DeleteServerCertificate(i) => certificate(&i.server_certificate_name),
        Op::ListServerCertificateTags(i) => certificate(&i.server_certificate_name),
        Op::UploadSSHPublicKey(i) => user(&i.user_name),
        Op::GetSSHPublicKey(i) => user(&i.user_name),
        Op::ListSSHPublicKeys(i) => me(&i.user_name),
        Op::UpdateSSHPublicKey(i) => user(&i.user_name),
        Op::DeleteSSHPublicKey(i) => user(&i.user_name),
        Op::UploadSigningCertificate(i) => me(&i.user_name),
        Op::ListSigningCertificates(i) => me(&i.user_name),
        Op::UpdateSigningCertificate(i) => me(&i.user_name),
        Op::DeleteSigningCertificate(i) => me(&i.user_name),
        Op::CreateServiceSpecificCredential(i) => user(&i.user_name),
        Op::ListServiceSpecificCredentials(i) => me(&i.user_name),
        Op::ResetServiceSpecificCredential(i) => me(&i.user_name),
        Op::UpdateServiceSpecificCredential(i) => me(&i.user_name),
        Op::DeleteServiceSpecificCredential(i) => me(&i.user_name),
        Op::GenerateServiceLastAccessedDetails(i) => arn(&i.arn),
        Op::GetDelegationRequest(i) => delegation(&i.delegation_request_id),
        Op::AssociateDelegationRequest(i) => delegation(&i.delegation_request_id),
        Op::UpdateDelegationRequest(i) => delegation(&i.delegation_request_id),
        Op::AcceptDelegationRequest(i) => delegation(&i.delegation_request_id),
        Op::RejectDelegationRequest(i) => delegation(&i.delegation_request_id),
        Op::SendDelegationToken(i) => delegation(&i.delegation_request_id),
        // A delegation request's summary is checked on the request as the caller's
        // account names it, whichever account the given ARN names.
        Op::GetHumanReadableSummary(i) => match i.entity_arn.rsplit_once(":delegation-request/") {
            Some((_, id)) => delegation(id),
            None => arn(&i.entity_arn),
        },
        _ => Target::Star,
    }
}

/// The accesses an operation needs, with each target's ARN resolved (entity paths are
/// read from the store, inside the request's transaction).
pub(super) async fn access(
    tx: &mut Tx,
    context: &RequestContext,
    operation: &Operation,
) -> Result<Vec<Access>, ServiceError> {
    let mut resolved = Vec::new();
    for need in needs(context, operation) {
        let mut access = match need.target {
            Target::Star => Access::new(need.action, "*"),
            Target::Arn(arn) => Access::new(need.action, arn),
            Target::User(name) => user_access(tx, context, need.action, name).await?,
            Target::Group(name) => {
                entity_access(tx, context, OwnerKind::Group, need.action, &name).await?
            }
            Target::Role(name) => {
                entity_access(tx, context, OwnerKind::Role, need.action, &name).await?
            }
            Target::Renamed {
                kind,
                name,
                new_name,
                new_path,
            } => {
                let (label, path) = entity_path(tx, context, kind, &name).await?;
                let path = new_path.or(path).unwrap_or_else(|| "/".to_owned());
                let principal = &context.principal;
                Access::new(
                    need.action,
                    arn::iam_entity(
                        principal.partition,
                        principal.account,
                        label,
                        &path,
                        &new_name,
                    ),
                )
            }
            Target::InstanceProfile(name) => {
                let principal = &context.principal;
                let path = tx
                    .instance_profile(&principal.account.to_string(), &name)
                    .await?
                    .map_or_else(|| "/".to_owned(), |profile| profile.path);
                Access::new(
                    need.action,
                    arn::iam_entity(
                        principal.partition,
                        principal.account,
                        "instance-profile",
                        &path,
                        &name,
                    ),
                )
            }
            Target::ServerCertificate { name, renamed } => {
                let principal = &context.principal;
                let current = tx
                    .server_certificate(&principal.account.to_string(), &name)
                    .await?
                    .map(|found| found.path);
                let (name, path) = match renamed {
                    Some((new_name, new_path)) => (new_name, new_path.or(current)),
                    None => (name, current),
                };
                Access::new(
                    need.action,
                    server_certificates::certificate_arn(
                        context,
                        path.as_deref().unwrap_or("/"),
                        &name,
                    ),
                )
            }
            Target::KeyOwner(key_id) => {
                let account = context.principal.account.to_string();
                let owner = tx
                    .access_key_by_id(&key_id)
                    .await?
                    .filter(|key| key.account_id == account)
                    .and_then(|key| match key.owner {
                        crate::store::KeyOwner::User(name) => Some(name),
                        crate::store::KeyOwner::Root => None,
                    });
                user_access(tx, context, need.action, owner).await?
            }
        }
        .with_request_tags(&need.tags);
        access.context.extend(need.context);
        resolved.push(access);
    }
    Ok(resolved)
}

/// Access to a user resource; `None` (the root user acting on itself) is the account's
/// root ARN.
async fn user_access(
    tx: &mut Tx,
    context: &RequestContext,
    action: &'static str,
    name: Option<String>,
) -> Result<Access, ServiceError> {
    match name {
        Some(name) => entity_access(tx, context, OwnerKind::User, action, &name).await,
        None => {
            let principal = &context.principal;
            Ok(Access::new(
                action,
                arn::root(principal.partition, principal.account),
            ))
        }
    }
}

/// Access to a user, group or role. The ARN carries the entity's path when it exists
/// (`/` otherwise, as AWS authorizes requests about entities that do not exist).
async fn entity_access(
    tx: &mut Tx,
    context: &RequestContext,
    kind: OwnerKind,
    action: &'static str,
    name: &str,
) -> Result<Access, ServiceError> {
    let principal = &context.principal;
    let (label, path) = entity_path(tx, context, kind, name).await?;
    let path = path.unwrap_or_else(|| "/".to_owned());
    Ok(Access::new(
        action,
        arn::iam_entity(principal.partition, principal.account, label, &path, name),
    ))
}

/// The ARN label of a user, group or role (`user`, …) and its path, when it exists.
async fn entity_path(
    tx: &mut Tx,
    context: &RequestContext,
    kind: OwnerKind,
    name: &str,
) -> Result<(&'static str, Option<String>), ServiceError> {
    let account = context.principal.account.to_string();
    Ok(match kind {
        OwnerKind::User => ("user", tx.user(&account, name).await?.map(|user| user.path)),
        OwnerKind::Group => (
            "group",
            tx.group(&account, name).await?.map(|group| group.path),
        ),
        OwnerKind::Role => ("role", tx.role(&account, name).await?.map(|role| role.path)),
    })
}
