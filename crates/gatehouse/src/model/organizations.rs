//! Organizations' ids and ARNs in AWS's formats: `o-…`, `r-…`, `ou-<root>-…`, `p-…`,
//! `car-…`, and the ARNs built from them. No IO here.

use rand::Rng;

use super::Partition;

/// The id of the AWS-managed policy every SCP-enabled organization starts with.
pub const FULL_AWS_ACCESS_ID: &str = "p-FullAWSAccess";

/// The document of `FullAWSAccess`.
pub const FULL_AWS_ACCESS_CONTENT: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The id of the AWS-managed policy every RCP-enabled organization starts with.
pub const RCP_FULL_AWS_ACCESS_ID: &str = "p-RCPFullAWSAccess";

/// The document of `RCPFullAWSAccess`.
pub const RCP_FULL_AWS_ACCESS_CONTENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// `n` random characters from `[a-z0-9]`.
fn lower_alnum(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| {
            let index = rng.gen_range(0..ALPHABET.len());
            ALPHABET.get(index).copied().map_or('a', char::from)
        })
        .collect()
}

/// `n` random lowercase hex digits.
fn lower_hex(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdef";
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| {
            let index = rng.gen_range(0..ALPHABET.len());
            ALPHABET.get(index).copied().map_or('0', char::from)
        })
        .collect()
}

/// A new organization id: `o-` and 10 lowercase letters or digits.
pub fn organization_id() -> String {
    format!("o-{}", lower_alnum(10))
}

/// A new root id: `r-` and 4 lowercase letters or digits.
pub fn root_id() -> String {
    format!("r-{}", lower_alnum(4))
}

/// A new OU id under the root `root_id`: `ou-<root suffix>-<8 characters>`.
pub fn organizational_unit_id(root_id: &str) -> String {
    let root = root_id.strip_prefix("r-").unwrap_or(root_id);
    format!("ou-{root}-{}", lower_alnum(8))
}

/// A new policy id: `p-` and 8 lowercase letters or digits.
pub fn policy_id() -> String {
    format!("p-{}", lower_alnum(8))
}

/// A new resource (delegation) policy id: `rp-` and 8 lowercase letters or digits.
pub fn resource_policy_id() -> String {
    format!("rp-{}", lower_alnum(8))
}

/// A new `CreateAccount` request id: `car-` and 32 hex digits.
pub fn create_account_request_id() -> String {
    format!("car-{}", lower_hex(32))
}

/// A new handshake id: `h-` and 10 lowercase letters or digits.
pub fn handshake_id() -> String {
    format!("h-{}", lower_alnum(10))
}

/// A fresh responsibility transfer id, `rt-` and 10 lowercase letters or digits.
pub fn transfer_id() -> String {
    format!("rt-{}", lower_alnum(10))
}

/// What an Organizations id names, judged by its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    /// `r-…`.
    Root,
    /// `ou-…`.
    OrganizationalUnit,
    /// 12 digits.
    Account,
    /// Anything else.
    Other,
}

/// The kind of entity an id names.
pub fn kind_of(id: &str) -> EntityKind {
    if id.starts_with("r-") {
        EntityKind::Root
    } else if id.starts_with("ou-") {
        EntityKind::OrganizationalUnit
    } else if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        EntityKind::Account
    } else {
        EntityKind::Other
    }
}

/// `arn:<p>:organizations::<mgmt>:organization/<org>`.
pub fn organization_arn(partition: Partition, management: &str, org: &str) -> String {
    format!("arn:{partition}:organizations::{management}:organization/{org}")
}

/// `arn:<p>:organizations::<mgmt>:account/<org>/<account>`.
pub fn account_arn(partition: Partition, management: &str, org: &str, account: &str) -> String {
    format!("arn:{partition}:organizations::{management}:account/{org}/{account}")
}

/// `arn:<p>:organizations::<mgmt>:root/<org>/<root>`.
pub fn root_arn(partition: Partition, management: &str, org: &str, root: &str) -> String {
    format!("arn:{partition}:organizations::{management}:root/{org}/{root}")
}

/// `arn:<p>:organizations::<mgmt>:ou/<org>/<ou>`.
pub fn ou_arn(partition: Partition, management: &str, org: &str, ou: &str) -> String {
    format!("arn:{partition}:organizations::{management}:ou/{org}/{ou}")
}

/// A policy's ARN; AWS-managed policies live in the `aws` account, outside any
/// organization: `arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`.
pub fn policy_arn(
    partition: Partition,
    management: &str,
    org: &str,
    policy_type: &str,
    policy: &str,
    aws_managed: bool,
) -> String {
    let kind = policy_type.to_lowercase();
    if aws_managed {
        format!("arn:{partition}:organizations::aws:policy/{kind}/{policy}")
    } else {
        format!("arn:{partition}:organizations::{management}:policy/{org}/{kind}/{policy}")
    }
}

/// The ARN of any target (root, OU or account) by its id.
pub fn target_arn(partition: Partition, management: &str, org: &str, id: &str) -> String {
    match kind_of(id) {
        EntityKind::Root => root_arn(partition, management, org, id),
        EntityKind::OrganizationalUnit => ou_arn(partition, management, org, id),
        EntityKind::Account | EntityKind::Other => account_arn(partition, management, org, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
        text.bytes().all(allowed)
    }

    #[test]
    fn ids_follow_aws_patterns() {
        let lower = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let org = organization_id();
        assert_eq!(org.len(), 12);
        assert!(org.starts_with("o-") && all(&org[2..], lower));
        let root = root_id();
        assert_eq!(root.len(), 6);
        let ou = organizational_unit_id(&root);
        assert!(ou.starts_with(&format!("ou-{}-", &root[2..])), "{ou}");
        assert_eq!(ou.len(), 3 + 4 + 1 + 8);
        let car = create_account_request_id();
        assert_eq!(car.len(), 36);
        assert!(all(&car[4..], |b| b.is_ascii_hexdigit()
            && !b.is_ascii_uppercase()));
        assert_eq!(policy_id().len(), 10);
        assert_eq!(kind_of(&ou), EntityKind::OrganizationalUnit);
        assert_eq!(kind_of(&root), EntityKind::Root);
        assert_eq!(kind_of("123456789012"), EntityKind::Account);
    }

    #[test]
    fn arns_match_aws() {
        assert_eq!(
            policy_arn(
                Partition::AWS,
                "111111111111",
                "o-abc",
                "SERVICE_CONTROL_POLICY",
                FULL_AWS_ACCESS_ID,
                true
            ),
            "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
        );
        assert_eq!(
            policy_arn(
                Partition::AWS,
                "111111111111",
                "o-abc",
                "TAG_POLICY",
                "p-12345678",
                false
            ),
            "arn:aws:organizations::111111111111:policy/o-abc/tag_policy/p-12345678"
        );
        assert_eq!(
            target_arn(Partition::AWS, "111111111111", "o-abc", "ou-ab12-12345678"),
            "arn:aws:organizations::111111111111:ou/o-abc/ou-ab12-12345678"
        );
    }
}
