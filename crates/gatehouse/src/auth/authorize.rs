//! Authorization: the decision for one action on one resource by one principal, and
//! AWS's `AccessDenied` message when the answer is no.
//!
//! Today's rules are AWS's for principals without policies: the root user may do
//! anything in its own account, `sts:GetCallerIdentity` is never denied, and everything
//! else is implicitly denied because no identity-based policy allows it.

use wire::ServiceError;

use super::Principal;

/// What a request wants to do: the IAM action and the resource ARN it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Service-prefixed action, e.g. `iam:CreateUser`.
    pub action: &'static str,
    /// The resource's ARN, or `*` for actions without a resource.
    pub resource: String,
}

impl Access {
    /// An action on a resource.
    pub fn new(action: &'static str, resource: impl Into<String>) -> Self {
        Self {
            action,
            resource: resource.into(),
        }
    }
}

/// Actions AWS allows every authenticated caller, whatever the policies say.
const ALWAYS_ALLOWED: &[&str] = &["sts:GetCallerIdentity"];

/// Decides `access` for `principal`; `Err` carries AWS's `AccessDenied` error.
pub fn authorize(principal: &Principal, access: &Access) -> Result<(), ServiceError> {
    if ALWAYS_ALLOWED.contains(&access.action) {
        return Ok(());
    }
    // The root user may do anything to its own account's resources and to resources
    // that belong to no account (`*`); identity policies do not apply to it.
    if principal.is_root() {
        match resource_account(&access.resource) {
            None => return Ok(()),
            Some(account) if account == principal.account.to_string() => return Ok(()),
            Some(_) => {}
        }
    }
    Err(ServiceError::new(
        "AccessDenied",
        403,
        format!(
            "User: {} is not authorized to perform: {} on resource: {} because no identity-based policy allows the {} action",
            principal.arn(),
            access.action,
            access.resource,
            access.action
        ),
    ))
}

/// The account field of an ARN (`arn:partition:service:region:account:…`).
fn resource_account(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::PrincipalKind;
    use crate::model::{AccountId, Partition};

    fn principal(kind: PrincipalKind) -> Principal {
        Principal {
            account: AccountId::parse("123456789012").unwrap(),
            partition: Partition::AWS,
            kind,
            access_key_id: "AKIAEXAMPLE".into(),
        }
    }

    fn bob() -> Principal {
        principal(PrincipalKind::User {
            name: "bob".into(),
            id: "AIDAEXAMPLE".into(),
            path: "/".into(),
        })
    }

    #[test]
    fn root_may_act_in_its_own_account_only() {
        let root = principal(PrincipalKind::Root);
        assert!(authorize(
            &root,
            &Access::new("iam:CreateUser", "arn:aws:iam::123456789012:user/x")
        )
        .is_ok());
        assert!(authorize(
            &root,
            &Access::new("iam:CreateUser", "arn:aws:iam::210987654321:user/x")
        )
        .is_err());
        assert!(authorize(&root, &Access::new("sts:GetAccessKeyInfo", "*")).is_ok());
    }

    #[test]
    fn users_without_policies_are_implicitly_denied_with_aws_message() {
        let err = authorize(
            &bob(),
            &Access::new("iam:CreateUser", "arn:aws:iam::123456789012:user/x"),
        )
        .unwrap_err();
        assert_eq!(err.code, "AccessDenied");
        assert_eq!(err.status, 403);
        assert_eq!(
            err.message,
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: \
             arn:aws:iam::123456789012:user/x because no identity-based policy allows the iam:CreateUser action"
        );
    }

    #[test]
    fn get_caller_identity_is_never_denied() {
        assert!(authorize(&bob(), &Access::new("sts:GetCallerIdentity", "*")).is_ok());
    }
}
