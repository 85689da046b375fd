//! ARNs that Gatehouse produces. The partition comes from the region in the request's
//! credential scope, so an `aws-cn` client sees `arn:aws-cn:…` ARNs.

use std::fmt;

use super::AccountId;

/// An AWS partition name (`aws`, `aws-cn`, `aws-us-gov`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Partition(&'static str);

impl Partition {
    /// The commercial partition.
    pub const AWS: Partition = Partition("aws");

    /// The partition a region belongs to.
    pub fn for_region(region: &str) -> Self {
        Self(sigv4::partition_for_region(region))
    }
}

impl Default for Partition {
    fn default() -> Self {
        Self::AWS
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `arn:<partition>:iam::<account>:root`.
pub fn root(partition: Partition, account: AccountId) -> String {
    format!("arn:{partition}:iam::{account}:root")
}

/// `arn:<partition>:iam::<account>:<kind>/<path-without-leading-slash><name>`, e.g. a user.
pub fn iam_entity(
    partition: Partition,
    account: AccountId,
    kind: &str,
    path: &str,
    name: &str,
) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("arn:{partition}:iam::{account}:{kind}/{path}{name}")
}

/// Splits an IAM resource ARN `arn:<partition>:iam::<account>:<kind>/<path><name>` into
/// account, path (`/` or `/a/b/`) and name; `None` for anything else or an empty name.
pub fn parse_iam_resource<'a>(arn: &'a str, kind: &str) -> Option<(&'a str, String, &'a str)> {
    let mut fields = arn.splitn(6, ':');
    let (prefix, _partition, service, region, account, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if prefix != "arn" || service != "iam" || !region.is_empty() {
        return None;
    }
    let rest = resource.strip_prefix(kind)?.strip_prefix('/')?;
    let (path, name) = match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), rest),
    };
    (!name.is_empty()).then_some((account, path, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_arns_include_the_path() {
        let account = AccountId::parse("123456789012").unwrap();
        assert_eq!(
            iam_entity(Partition::AWS, account, "user", "/", "bob"),
            "arn:aws:iam::123456789012:user/bob"
        );
        assert_eq!(
            iam_entity(
                Partition::for_region("cn-north-1"),
                account,
                "user",
                "/dev/",
                "bob"
            ),
            "arn:aws-cn:iam::123456789012:user/dev/bob"
        );
        assert_eq!(
            root(Partition::AWS, account),
            "arn:aws:iam::123456789012:root"
        );
    }
}
