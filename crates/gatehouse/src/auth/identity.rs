//! The authorization view of a principal: its identity-based policies (inline and
//! attached, its own and its groups'), its permissions boundary and its tags, compiled
//! once and cached. Any IAM change in an account invalidates that account's views at
//! once on this node; entries also expire after a few seconds, which bounds how stale
//! another node's view can be.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use policy::{CompiledPolicy, PolicyKind};

use crate::model::{aws_managed, AccountId};
use crate::store::{OrgPosition, OwnerKind, StoreError, Tx};

use super::{Principal, PrincipalKind};

const TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 100_000;
/// What the root user may do in its own account, as a policy: the bound of a federated
/// user the root user made (its session policies narrow it).
const ROOT_POWERS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// What authorization needs to know about a principal.
#[derive(Debug, Default)]
pub struct IdentityView {
    /// Identity-based policies, compiled.
    pub identity: Vec<CompiledPolicy>,
    /// The permissions boundary, if one is set.
    pub boundary: Option<CompiledPolicy>,
    /// The principal's tags (`aws:PrincipalTag/…`).
    pub tags: Vec<(String, String)>,
    /// Service control policies of the principal's account, one list per level of its OU
    /// path (root first); empty outside an organization, for the management account, or
    /// when SCPs are not enabled.
    pub scp_levels: Vec<Vec<CompiledPolicy>>,
    /// Resource control policies of the principal's account, likewise.
    pub rcp_levels: Vec<Vec<CompiledPolicy>>,
    /// The organization of the principal's account and the account's path in it
    /// (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`); `None` outside an organization.
    pub organization: Option<OrgMembership>,
}

/// An account's organization, as condition keys name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMembership {
    /// `o-…`.
    pub org_id: String,
    /// `o-…/r-…/ou-…/`.
    pub path: String,
}

impl From<&OrgPosition> for OrgMembership {
    fn from(position: &OrgPosition) -> Self {
        Self {
            path: position.path(),
            org_id: position.org_id.clone(),
        }
    }
}

struct Entry {
    generation: u64,
    loaded: Instant,
    view: Arc<IdentityView>,
}

/// Cached views by account and principal.
#[derive(Default)]
pub struct PolicyCache {
    views: DashMap<(AccountId, String), Entry>,
    generations: DashMap<AccountId, AtomicU64>,
}

impl PolicyCache {
    /// Marks every view of `account` stale (call after any IAM change there).
    pub fn changed(&self, account: AccountId) {
        self.generations
            .entry(account)
            .or_default()
            .fetch_add(1, Ordering::SeqCst);
    }

    /// Forgets everything (after a reset).
    pub fn clear(&self) {
        self.views.clear();
        self.generations.clear();
    }

    fn generation(&self, account: AccountId) -> u64 {
        self.generations
            .get(&account)
            .map_or(0, |generation| generation.load(Ordering::SeqCst))
    }

    /// The view of `principal`, from the cache or loaded through `tx`.
    pub async fn view(
        &self,
        tx: &mut Tx,
        principal: &Principal,
    ) -> Result<Arc<IdentityView>, StoreError> {
        // Whose policies apply: a federated user acts within its IAM user's (or, when the
        // root user federated, within everything the root user may do).
        let (label, name) = match &principal.kind {
            PrincipalKind::Root => ("root", String::new()),
            PrincipalKind::User { name, .. } => ("user/", name.to_lowercase()),
            PrincipalKind::AssumedRole { role_name, .. } => ("role/", role_name.to_lowercase()),
            PrincipalKind::FederatedUser {
                user: Some(user), ..
            } => ("user/", user.name.to_lowercase()),
            PrincipalKind::FederatedUser { user: None, .. } => ("federated-root", String::new()),
        };
        let key = (principal.account, format!("{label}{name}"));
        let generation = self.generation(principal.account);
        if let Some(entry) = self.views.get(&key) {
            if entry.generation == generation && entry.loaded.elapsed() < TTL {
                return Ok(Arc::clone(&entry.view));
            }
        }
        let mut view = match label {
            "root" => IdentityView::default(),
            "federated-root" => IdentityView {
                identity: compile("root", ROOT_POWERS, PolicyKind::Identity)
                    .into_iter()
                    .collect(),
                ..IdentityView::default()
            },
            // A session of a deleted role (or a deleted user) is allowed nothing.
            "role/" => load(tx, principal.account, OwnerKind::Role, &name).await?,
            _ => load(tx, principal.account, OwnerKind::User, &name).await?,
        };
        let facts = organization_facts(tx, principal.account).await?;
        view.scp_levels = facts.scp_levels;
        view.rcp_levels = facts.rcp_levels;
        view.organization = facts.membership;
        let view = Arc::new(view);
        if self.views.len() >= MAX_ENTRIES {
            self.views.clear();
        }
        self.views.insert(
            key,
            Entry {
                generation,
                loaded: Instant::now(),
                view: Arc::clone(&view),
            },
        );
        Ok(view)
    }
}

/// Where an identity-based policy of a principal comes from (the policy simulator names
/// sources this way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// An inline policy of a user, group or role.
    Inline(OwnerKind),
    /// An AWS managed policy.
    AwsManaged,
    /// A customer managed policy.
    CustomerManaged,
}

/// One identity-based policy (or permissions boundary) of a principal, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    /// Inline or managed, and whose.
    pub kind: SourceKind,
    /// The inline policy's name or the managed policy's name.
    pub name: String,
    /// The id the compiled policy carries: `user/<name>/<policy>` for inline policies,
    /// the ARN for managed ones.
    pub id: String,
    /// The document text (the default version's for managed policies).
    pub document: String,
}

impl PolicySource {
    /// Compiles the source as a policy of `kind`; `None` (logged) when it no longer
    /// compiles, which grants nothing.
    pub fn compile(&self, kind: PolicyKind) -> Option<CompiledPolicy> {
        compile(&self.id, &self.document, kind)
    }
}

/// The identity-based policies and boundary of one user, group or role, as stored.
#[derive(Debug, Clone, Default)]
pub struct IdentitySources {
    /// Inline and attached policies: for a user, its own then each of its groups'.
    pub policies: Vec<PolicySource>,
    /// The permissions boundary (users and roles).
    pub boundary: Option<PolicySource>,
    /// The entity's tags (users and roles).
    pub tags: Vec<(String, String)>,
}

/// The policies of the user, group or role `name` in `account_id`; `None` when it does
/// not exist. The cached authorization view and the policy simulator both read this.
pub async fn identity_sources(
    tx: &mut Tx,
    account_id: &str,
    owner: OwnerKind,
    name: &str,
) -> Result<Option<IdentitySources>, StoreError> {
    let mut sources = IdentitySources::default();
    let boundary_arn = match owner {
        OwnerKind::User => {
            let Some(record) = tx.user(account_id, name).await? else {
                return Ok(None);
            };
            collect(
                tx,
                account_id,
                OwnerKind::User,
                &record.user_name,
                &mut sources.policies,
            )
            .await?;
            for group in tx.groups_of_user(account_id, &record.user_name).await? {
                collect(
                    tx,
                    account_id,
                    OwnerKind::Group,
                    &group.group_name,
                    &mut sources.policies,
                )
                .await?;
            }
            sources.tags = record.tags;
            record.permissions_boundary
        }
        OwnerKind::Group => {
            let Some(record) = tx.group(account_id, name).await? else {
                return Ok(None);
            };
            collect(
                tx,
                account_id,
                OwnerKind::Group,
                &record.group_name,
                &mut sources.policies,
            )
            .await?;
            None
        }
        OwnerKind::Role => {
            let Some(record) = tx.role(account_id, name).await? else {
                return Ok(None);
            };
            collect(
                tx,
                account_id,
                OwnerKind::Role,
                &record.role_name,
                &mut sources.policies,
            )
            .await?;
            sources.tags = record.tags;
            record.permissions_boundary
        }
    };
    if let Some(arn) = boundary_arn {
        sources.boundary = managed_source(tx, account_id, &arn).await?;
    }
    Ok(Some(sources))
}

async fn load(
    tx: &mut Tx,
    account: AccountId,
    owner: OwnerKind,
    name: &str,
) -> Result<IdentityView, StoreError> {
    let Some(sources) = identity_sources(tx, &account.to_string(), owner, name).await? else {
        return Ok(IdentityView::default());
    };
    Ok(IdentityView {
        identity: sources
            .policies
            .iter()
            .filter_map(|source| source.compile(PolicyKind::Identity))
            .collect(),
        boundary: sources
            .boundary
            .as_ref()
            .and_then(|source| source.compile(PolicyKind::PermissionsBoundary)),
        tags: sources.tags,
        ..IdentityView::default()
    })
}

/// What an account's organization contributes to authorization, read from one lookup of
/// its place in the organization.
#[derive(Debug, Default)]
pub struct OrganizationFacts {
    /// SCP levels, compiled (empty when SCPs are not enabled or do not apply).
    pub scp_levels: Vec<Vec<CompiledPolicy>>,
    /// RCP levels, likewise.
    pub rcp_levels: Vec<Vec<CompiledPolicy>>,
    /// The organization and the account's path in it.
    pub membership: Option<OrgMembership>,
}

/// The organization facts of an account: its SCP and RCP levels, compiled, and its
/// membership. A policy type contributes no levels at all when it is not enabled (its
/// levels would all be empty, and an empty level allows nothing).
pub async fn organization_facts(
    tx: &mut Tx,
    account: AccountId,
) -> Result<OrganizationFacts, StoreError> {
    let account_id = account.to_string();
    let Some(position) = tx.org_position(&account_id).await? else {
        return Ok(OrganizationFacts::default());
    };
    let membership = Some(OrgMembership::from(&position));
    let Some(levels) = tx.policy_levels_at(&account_id, &position).await? else {
        return Ok(OrganizationFacts {
            membership,
            ..OrganizationFacts::default()
        });
    };
    let compile_level = |texts: &[String], target: &str, kind: PolicyKind| -> Vec<CompiledPolicy> {
        texts
            .iter()
            .enumerate()
            .filter_map(|(index, text)| compile(&format!("{target}/{index}"), text, kind))
            .collect()
    };
    let scps: Vec<Vec<CompiledPolicy>> = levels
        .iter()
        .map(|level| compile_level(&level.scps, &level.target_id, PolicyKind::ServiceControl))
        .collect();
    let rcps: Vec<Vec<CompiledPolicy>> = levels
        .iter()
        .map(|level| compile_level(&level.rcps, &level.target_id, PolicyKind::ResourceControl))
        .collect();
    let enabled = |levels: &[Vec<CompiledPolicy>]| levels.iter().any(|level| !level.is_empty());
    Ok(OrganizationFacts {
        scp_levels: if enabled(&scps) { scps } else { Vec::new() },
        rcp_levels: if enabled(&rcps) { rcps } else { Vec::new() },
        membership,
    })
}

/// Adds the inline and attached policies of one identity.
async fn collect(
    tx: &mut Tx,
    account_id: &str,
    owner: OwnerKind,
    name: &str,
    out: &mut Vec<PolicySource>,
) -> Result<(), StoreError> {
    let kind = match owner {
        OwnerKind::User => "user",
        OwnerKind::Group => "group",
        OwnerKind::Role => "role",
    };
    for (policy_name, document) in tx.inline_policies(account_id, owner, name).await? {
        out.push(PolicySource {
            kind: SourceKind::Inline(owner),
            id: format!("{kind}/{name}/{policy_name}"),
            name: policy_name,
            document,
        });
    }
    for arn in tx.attached_policies(account_id, owner, name).await? {
        out.extend(managed_source(tx, account_id, &arn).await?);
    }
    Ok(())
}

/// A managed policy (AWS or customer) by ARN as a source; `None` when it does not exist.
async fn managed_source(
    tx: &mut Tx,
    account_id: &str,
    arn: &str,
) -> Result<Option<PolicySource>, StoreError> {
    let Some(document) = managed_document(tx, account_id, arn).await? else {
        return Ok(None);
    };
    let (kind, name) = match aws_managed::by_arn(arn) {
        Some(policy) => (SourceKind::AwsManaged, policy.name.to_owned()),
        None => (
            SourceKind::CustomerManaged,
            arn.rsplit('/').next().unwrap_or(arn).to_owned(),
        ),
    };
    Ok(Some(PolicySource {
        kind,
        name,
        id: arn.to_owned(),
        document,
    }))
}

/// Compiles a stored document. Documents were validated when written; one that no longer
/// parses grants nothing, which is the safe reading.
fn compile(id: &str, document: &str, kind: PolicyKind) -> Option<CompiledPolicy> {
    match CompiledPolicy::parse(id, document, kind) {
        Ok(policy) => Some(policy),
        Err(errors) => {
            tracing::warn!(
                policy = id,
                ?errors,
                "stored policy does not compile; ignored"
            );
            None
        }
    }
}

/// The default version's document of a managed policy by ARN: AWS managed, or customer
/// managed in `account_id`. `None` when no such policy exists there.
pub async fn managed_document(
    tx: &mut Tx,
    account_id: &str,
    arn: &str,
) -> Result<Option<String>, StoreError> {
    if let Some(policy) = aws_managed::by_arn(arn) {
        return Ok(Some(policy.document.to_owned()));
    }
    let Some((account, _path, name)) = parse_policy_arn(arn) else {
        return Ok(None);
    };
    if account != account_id {
        return Ok(None);
    }
    let Some(policy) = tx.managed_policy(account_id, name).await? else {
        return Ok(None);
    };
    let versions = tx.policy_versions(account_id, name).await?;
    Ok(versions
        .into_iter()
        .find(|version| version.version == policy.default_version)
        .map(|version| version.document))
}

/// Splits `arn:<partition>:iam::<account>:policy/<path><name>` into account, path and name.
pub fn parse_policy_arn(arn: &str) -> Option<(&str, String, &str)> {
    crate::model::arn::parse_iam_resource(arn, "policy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_arns_split_into_account_path_and_name() {
        assert_eq!(
            parse_policy_arn("arn:aws:iam::123456789012:policy/team/ops/Deploy"),
            Some(("123456789012", "/team/ops/".to_owned(), "Deploy"))
        );
        assert_eq!(
            parse_policy_arn("arn:aws:iam::123456789012:policy/Deploy"),
            Some(("123456789012", "/".to_owned(), "Deploy"))
        );
        assert_eq!(
            parse_policy_arn("arn:aws:iam::123456789012:user/Deploy"),
            None
        );
        assert_eq!(parse_policy_arn("arn:aws:iam::123456789012:policy/"), None);
        assert_eq!(parse_policy_arn("not an arn"), None);
    }
}
