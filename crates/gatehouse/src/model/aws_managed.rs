//! AWS managed policies Gatehouse ships (`arn:aws:iam::aws:policy/…`), with documents
//! limited to the services Gatehouse serves. They are read-only and exist in every
//! account, as on AWS.

/// One AWS managed policy.
#[derive(Debug, Clone, Copy)]
pub struct AwsManagedPolicy {
    /// Name, e.g. `AdministratorAccess`.
    pub name: &'static str,
    /// Path, e.g. `/` or `/job-function/`.
    pub path: &'static str,
    /// `ANPA…` id.
    pub id: &'static str,
    /// Description.
    pub description: &'static str,
    /// The default (and only) version's document.
    pub document: &'static str,
}

impl AwsManagedPolicy {
    /// The policy's ARN in a partition.
    pub fn arn(&self, partition: super::Partition) -> String {
        let path = self.path.strip_prefix('/').unwrap_or(self.path);
        format!("arn:{partition}:iam::aws:policy/{path}{}", self.name)
    }
}

/// Every AWS managed policy Gatehouse knows.
pub const ALL: &[AwsManagedPolicy] = &[
    AwsManagedPolicy {
        name: "AdministratorAccess",
        path: "/",
        id: "ANPAIWMBCKSKIEE64ZLYK",
        description: "Provides full access to AWS services and resources.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "PowerUserAccess",
        path: "/",
        id: "ANPAJYRXTHIB4FOVS3ZXS",
        description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions","account:GetAccountInformation"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "ReadOnlyAccess",
        path: "/",
        id: "ANPAILL3HVNFSB6DCOWYQ",
        description: "Provides read-only access to AWS services and resources.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Generate*","iam:Get*","iam:List*","iam:Simulate*","organizations:Describe*","organizations:List*","servicequotas:Get*","servicequotas:List*","sts:GetAccessKeyInfo","sts:GetCallerIdentity","sts:GetSessionToken"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMFullAccess",
        path: "/",
        id: "ANPAI7XKCFMBPM3QQRRVQ",
        description: "Provides full access to IAM via the AWS Management Console.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMReadOnlyAccess",
        path: "/",
        id: "ANPAJKSO7NDY4T57MWDSQ",
        description: "Provides read only access to IAM via the AWS Management Console.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMUserChangePassword",
        path: "/",
        id: "ANPAJ4L4MM2A7QIEB56MS",
        description: "Provides the ability for an IAM user to change their own password.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword"],"Resource":["arn:aws:iam::*:user/${aws:username}"]},{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "AWSOrganizationsFullAccess",
        path: "/",
        id: "ANPAJZXBNRCJKNLQHSB5M",
        description: "Provides full access to AWS Organizations.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:*","Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole"],"Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"organizations.amazonaws.com"}}}]}"#,
    },
    AwsManagedPolicy {
        name: "AWSOrganizationsReadOnlyAccess",
        path: "/",
        id: "ANPAJY5RQATUV77PEPVOM",
        description: "Provides read-only access to AWS Organizations.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]}"#,
    },
];

/// AWS's root task policies (`arn:aws:iam::aws:policy/root-task/…`): the only session
/// policies `sts:AssumeRoot` accepts, each limiting a root session of a member account to
/// one privileged task. They attach to nothing, so `by_arn` does not return them.
pub const ROOT_TASKS: &[AwsManagedPolicy] = &[
    AwsManagedPolicy {
        name: "IAMAuditRootUserCredentials",
        path: "/root-task/",
        id: "ANPAZKAPJZG4IAUDITRT1",
        description: "Grants access to review the root user credentials of a member account.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetAccountPasswordPolicy","iam:GetAccessKeyLastUsed","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMCreateRootUserPassword",
        path: "/root-task/",
        id: "ANPAZKAPJZG4ICREATEP2",
        description: "Grants access to create a login profile (password recovery) for the root user of a member account.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateLoginProfile","iam:GetLoginProfile","iam:GetUser"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "IAMDeleteRootUserCredentials",
        path: "/root-task/",
        id: "ANPAZKAPJZG4IDELETER3",
        description: "Grants access to delete the root user credentials of a member account.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:DeactivateMFADevice","iam:DeleteAccessKey","iam:DeleteLoginProfile","iam:DeleteSigningCertificate","iam:GetAccessKeyLastUsed","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "S3UnlockBucketPolicy",
        path: "/root-task/",
        id: "ANPAZKAPJZG4S3UNLOCK4",
        description: "Grants access to delete a misconfigured S3 bucket policy that denies all principals.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:DeleteBucketPolicy","s3:GetBucketPolicy","s3:ListAllMyBuckets"],"Resource":"*"}]}"#,
    },
    AwsManagedPolicy {
        name: "SQSUnlockQueuePolicy",
        path: "/root-task/",
        id: "ANPAZKAPJZG4SQSUNLCK5",
        description: "Grants access to delete a misconfigured SQS queue policy that denies all principals.",
        document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:GetQueueAttributes","sqs:ListQueues","sqs:SetQueueAttributes"],"Resource":"*"}]}"#,
    },
];

/// The root task policy an ARN names, in any partition.
pub fn root_task(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let name = rest.strip_prefix("iam::aws:policy/root-task/")?;
    ROOT_TASKS.iter().find(|policy| policy.name == name)
}

/// The AWS managed policy an ARN names, in any partition.
pub fn by_arn(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let resource = rest.strip_prefix("iam::aws:policy/")?;
    ALL.iter().find(|policy| {
        let path = policy.path.strip_prefix('/').unwrap_or(policy.path);
        resource.strip_prefix(path) == Some(policy.name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_is_a_valid_identity_policy() {
        for policy in ALL {
            policy::PolicyDocument::parse(policy.document, policy::PolicyKind::Identity)
                .unwrap_or_else(|err| panic!("{}: {err:?}", policy.name));
            assert_eq!(policy.id.len(), 21);
        }
    }

    #[test]
    fn root_tasks_are_session_policies_found_apart_from_attachable_ones() {
        for policy in ROOT_TASKS {
            policy::PolicyDocument::parse(policy.document, policy::PolicyKind::Session)
                .unwrap_or_else(|err| panic!("{}: {err:?}", policy.name));
            assert_eq!(policy.id.len(), 21);
            let arn = policy.arn(super::super::Partition::AWS);
            assert!(
                arn.starts_with("arn:aws:iam::aws:policy/root-task/"),
                "{arn}"
            );
            assert_eq!(root_task(&arn).map(|found| found.name), Some(policy.name));
            assert!(by_arn(&arn).is_none());
        }
        assert!(root_task("arn:aws:iam::aws:policy/AdministratorAccess").is_none());
    }

    #[test]
    fn arns_resolve_in_every_partition() {
        let admin = by_arn("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(admin.name, "AdministratorAccess");
        assert!(by_arn("arn:aws-cn:iam::aws:policy/ReadOnlyAccess").is_some());
        assert!(by_arn("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
        assert!(by_arn("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert_eq!(
            admin.arn(super::super::Partition::AWS),
            "arn:aws:iam::aws:policy/AdministratorAccess"
        );
    }
}
