//! Organization policies, the policy types enabled on the root, attachments to targets
//! (root, OUs, accounts), tags on any Organizations resource, and the SCP/RCP path of an
//! account that authorization evaluates.

use sqlx::any::AnyRow;

use super::super::{column, map_error, StoreError, Tx};

/// A policy as stored (customer policies and the AWS-managed `FullAWSAccess`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPolicyRecord {
    /// The organization.
    pub org_id: String,
    /// `p-…`.
    pub policy_id: String,
    /// `SERVICE_CONTROL_POLICY`, `TAG_POLICY`, …
    pub policy_type: String,
    /// Name, unique per type within the organization.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// The policy document.
    pub content: String,
    /// True for AWS-managed policies, which cannot be changed.
    pub aws_managed: bool,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
}

/// One level of an account's OU path (root, each OU, the account) and the policy
/// documents attached there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLevel {
    /// `r-…`, `ou-…` or the account id.
    pub target_id: String,
    /// Service control policies attached at this level (empty when SCPs are disabled).
    pub scps: Vec<String>,
    /// Resource control policies attached at this level (empty when RCPs are disabled).
    pub rcps: Vec<String>,
}

const POLICY_COLUMNS: &str = "p.org_id, p.policy_id, p.policy_type, p.name, p.description, \
     p.content, p.aws_managed, p.created_at";

fn policy_from_row(row: &AnyRow) -> Result<OrgPolicyRecord, StoreError> {
    Ok(OrgPolicyRecord {
        org_id: column(row, "org_id")?,
        policy_id: column(row, "policy_id")?,
        policy_type: column(row, "policy_type")?,
        name: column(row, "name")?,
        description: column(row, "description")?,
        content: column(row, "content")?,
        aws_managed: column::<i64>(row, "aws_managed")? != 0,
        created_at: column(row, "created_at")?,
    })
}

impl Tx {
    /// Inserts a policy; [`StoreError::Duplicate`] when its type already has that name.
    pub async fn insert_org_policy(&mut self, policy: &OrgPolicyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_policies (org_id, policy_id, policy_type, name, description, content, \
             aws_managed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&policy.org_id)
        .bind(&policy.policy_id)
        .bind(&policy.policy_type)
        .bind(&policy.name)
        .bind(&policy.description)
        .bind(&policy.content)
        .bind(i64::from(policy.aws_managed))
        .bind(policy.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// One policy of the organization.
    pub async fn org_policy(
        &mut self,
        org_id: &str,
        policy_id: &str,
    ) -> Result<Option<OrgPolicyRecord>, StoreError> {
        let sql = format!(
            "SELECT {POLICY_COLUMNS} FROM org_policies p WHERE p.org_id = $1 AND p.policy_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(policy_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(policy_from_row).transpose()
    }

    /// The organization's policies of one type, AWS-managed first, then by name.
    pub async fn org_policies(
        &mut self,
        org_id: &str,
        policy_type: &str,
    ) -> Result<Vec<OrgPolicyRecord>, StoreError> {
        let sql = format!(
            "SELECT {POLICY_COLUMNS} FROM org_policies p WHERE p.org_id = $1 AND p.policy_type = $2 \
             ORDER BY p.aws_managed DESC, p.name, p.policy_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(policy_type)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(policy_from_row).collect()
    }

    /// Replaces a policy's name, description and content; [`StoreError::Duplicate`] when
    /// the new name is taken.
    pub async fn update_org_policy(&mut self, policy: &OrgPolicyRecord) -> Result<(), StoreError> {
        self.exec(
            "UPDATE org_policies SET name = $3, description = $4, content = $5 \
             WHERE org_id = $1 AND policy_id = $2",
            &[
                &policy.org_id,
                &policy.policy_id,
                &policy.name,
                &policy.description,
                &policy.content,
            ],
        )
        .await
        .map(|_| ())
    }

    /// Deletes a policy and its tags.
    pub async fn delete_org_policy(
        &mut self,
        org_id: &str,
        policy_id: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM org_tags WHERE org_id = $1 AND resource_id = $2",
            &[org_id, policy_id],
        )
        .await?;
        self.exec(
            "DELETE FROM org_policies WHERE org_id = $1 AND policy_id = $2",
            &[org_id, policy_id],
        )
        .await
        .map(|_| ())
    }

    /// The policy types enabled on the organization's root, in the order enabled.
    pub async fn enabled_policy_types(&mut self, org_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT policy_type FROM org_policy_types WHERE org_id = $1 ORDER BY policy_type",
        )
        .bind(org_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(|row| column(row, "policy_type")).collect()
    }

    /// Enables a policy type; [`StoreError::Duplicate`] if it is enabled.
    pub async fn enable_policy_type(
        &mut self,
        org_id: &str,
        policy_type: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO org_policy_types (org_id, policy_type) VALUES ($1, $2)",
            &[org_id, policy_type],
        )
        .await
        .map(|_| ())
    }

    /// Disables a policy type and detaches every policy of that type; false when it
    /// was not enabled.
    pub async fn disable_policy_type(
        &mut self,
        org_id: &str,
        policy_type: &str,
    ) -> Result<bool, StoreError> {
        self.exec(
            "DELETE FROM org_policy_attachments WHERE org_id = $1 AND policy_type = $2",
            &[org_id, policy_type],
        )
        .await?;
        let touched = self
            .exec(
                "DELETE FROM org_policy_types WHERE org_id = $1 AND policy_type = $2",
                &[org_id, policy_type],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Attaches a policy to a target; [`StoreError::Duplicate`] if it is attached.
    pub async fn attach_org_policy(
        &mut self,
        org_id: &str,
        policy_id: &str,
        target_id: &str,
        policy_type: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO org_policy_attachments (org_id, policy_id, target_id, policy_type) \
             VALUES ($1, $2, $3, $4)",
            &[org_id, policy_id, target_id, policy_type],
        )
        .await
        .map(|_| ())
    }

    /// Detaches a policy from a target; false when it was not attached.
    pub async fn detach_org_policy(
        &mut self,
        org_id: &str,
        policy_id: &str,
        target_id: &str,
    ) -> Result<bool, StoreError> {
        let touched = self
            .exec(
                "DELETE FROM org_policy_attachments WHERE org_id = $1 AND policy_id = $2 AND target_id = $3",
                &[org_id, policy_id, target_id],
            )
            .await?;
        Ok(touched > 0)
    }

    /// The policies attached to a target, of one type when `policy_type` is given.
    pub async fn policies_of_target(
        &mut self,
        org_id: &str,
        target_id: &str,
        policy_type: Option<&str>,
    ) -> Result<Vec<OrgPolicyRecord>, StoreError> {
        let sql = format!(
            "SELECT {POLICY_COLUMNS} FROM org_policies p JOIN org_policy_attachments t \
             ON t.org_id = p.org_id AND t.policy_id = p.policy_id \
             WHERE t.org_id = $1 AND t.target_id = $2 AND ($3 = '' OR t.policy_type = $3) \
             ORDER BY p.aws_managed DESC, p.name, p.policy_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(target_id)
            .bind(policy_type.unwrap_or(""))
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(policy_from_row).collect()
    }

    /// The targets a policy is attached to, in id order.
    pub async fn targets_of_policy(
        &mut self,
        org_id: &str,
        policy_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT target_id FROM org_policy_attachments WHERE org_id = $1 AND policy_id = $2 \
             ORDER BY target_id",
        )
        .bind(org_id)
        .bind(policy_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(|row| column(row, "target_id")).collect()
    }

    /// Deletes the attachments and tags of a root, OU or account that goes away.
    pub(super) async fn delete_target_rows(
        &mut self,
        org_id: &str,
        target_id: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "DELETE FROM org_policy_attachments WHERE org_id = $1 AND target_id = $2",
            &[org_id, target_id],
        )
        .await?;
        self.exec(
            "DELETE FROM org_tags WHERE org_id = $1 AND resource_id = $2",
            &[org_id, target_id],
        )
        .await
        .map(|_| ())
    }

    /// Sets tags on a resource, replacing the values of keys it already has.
    pub async fn put_org_tags(
        &mut self,
        org_id: &str,
        resource_id: &str,
        tags: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (key, value) in tags {
            self.exec(
                "INSERT INTO org_tags (org_id, resource_id, tag_key, tag_value) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (org_id, resource_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
                &[org_id, resource_id, key, value],
            )
            .await?;
        }
        Ok(())
    }

    /// The tags of a resource, by key.
    pub async fn org_tags(
        &mut self,
        org_id: &str,
        resource_id: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT tag_key, tag_value FROM org_tags WHERE org_id = $1 AND resource_id = $2 ORDER BY tag_key",
        )
        .bind(org_id)
        .bind(resource_id)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|row| Ok((column(row, "tag_key")?, column(row, "tag_value")?)))
            .collect()
    }

    /// Removes tags from a resource by key.
    pub async fn remove_org_tags(
        &mut self,
        org_id: &str,
        resource_id: &str,
        keys: &[String],
    ) -> Result<(), StoreError> {
        for key in keys {
            self.exec(
                "DELETE FROM org_tags WHERE org_id = $1 AND resource_id = $2 AND tag_key = $3",
                &[org_id, resource_id, key],
            )
            .await?;
        }
        Ok(())
    }

    /// The organization's resource-based delegation policy: its id and document.
    pub async fn org_resource_policy(
        &mut self,
        org_id: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row =
            sqlx::query("SELECT policy_id, content FROM org_resource_policies WHERE org_id = $1")
                .bind(org_id)
                .fetch_optional(self.conn())
                .await?;
        row.map(|row| Ok((column(&row, "policy_id")?, column(&row, "content")?)))
            .transpose()
    }

    /// Creates or replaces the organization's delegation policy (keeping its id).
    pub async fn put_org_resource_policy(
        &mut self,
        org_id: &str,
        policy_id: &str,
        content: &str,
    ) -> Result<(), StoreError> {
        let now = super::super::now_millis();
        self.exec(
            "DELETE FROM org_resource_policies WHERE org_id = $1",
            &[org_id],
        )
        .await?;
        sqlx::query(
            "INSERT INTO org_resource_policies (org_id, policy_id, content, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(policy_id)
        .bind(content)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Deletes the delegation policy; false when there was none.
    pub async fn delete_org_resource_policy(&mut self, org_id: &str) -> Result<bool, StoreError> {
        let deleted = self
            .exec(
                "DELETE FROM org_resource_policies WHERE org_id = $1",
                &[org_id],
            )
            .await?;
        Ok(deleted > 0)
    }

    /// Where an account stands in its organization: the organization and the units from
    /// the root down to the account's parent. `None` outside any organization.
    pub async fn org_position(
        &mut self,
        account_id: &str,
    ) -> Result<Option<OrgPosition>, StoreError> {
        let Some(org) = self.organization_of_account(account_id).await? else {
            return Ok(None);
        };
        let Some((member, _)) = self.member(&org.org_id, account_id).await? else {
            return Ok(None);
        };
        // Walk up from the account's parent to the root (depth is at most 5).
        let mut units = Vec::new();
        let mut next = Some(member.parent_id);
        while let Some(unit_id) = next {
            let unit = self.unit(&org.org_id, &unit_id).await?;
            units.push(unit_id);
            next = unit.and_then(|unit| unit.parent_id);
            if units.len() > 16 {
                return Err(StoreError::Corrupt(
                    "organization tree has a cycle".to_owned(),
                ));
            }
        }
        units.reverse();
        Ok(Some(OrgPosition {
            is_management: org.management_account_id == account_id,
            org_id: org.org_id,
            units,
        }))
    }

    /// The service and resource control policies governing an account, one level per
    /// step of its OU path, root first and the account last. `None` when the account
    /// belongs to no organization or is its management account (which SCPs and RCPs
    /// never restrict). A policy type that is not enabled contributes no documents.
    /// (Authorization reads the position once and calls [`Tx::policy_levels_at`]; this
    /// composition of the two serves the store's behaviour suite.)
    #[cfg(test)]
    pub async fn policy_levels(
        &mut self,
        account_id: &str,
    ) -> Result<Option<Vec<PolicyLevel>>, StoreError> {
        match self.org_position(account_id).await? {
            Some(position) => self.policy_levels_at(account_id, &position).await,
            None => Ok(None),
        }
    }

    /// The policies attached at each step of an account's path, root first and the account
    /// last, each with its target id; of one type when `policy_type` is given.
    pub async fn policies_along(
        &mut self,
        position: &OrgPosition,
        account_id: &str,
        policy_type: Option<&str>,
    ) -> Result<Vec<(String, Vec<OrgPolicyRecord>)>, StoreError> {
        let targets = position
            .units
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(account_id));
        let mut along = Vec::with_capacity(position.units.len() + 1);
        for target_id in targets {
            let attached = self
                .policies_of_target(&position.org_id, target_id, policy_type)
                .await?;
            along.push((target_id.to_owned(), attached));
        }
        Ok(along)
    }

    /// [`Tx::policy_levels`] for an account whose position is already known.
    pub async fn policy_levels_at(
        &mut self,
        account_id: &str,
        position: &OrgPosition,
    ) -> Result<Option<Vec<PolicyLevel>>, StoreError> {
        if position.is_management {
            return Ok(None);
        }
        let enabled = self.enabled_policy_types(&position.org_id).await?;
        let scp_on = enabled.iter().any(|t| t == "SERVICE_CONTROL_POLICY");
        let rcp_on = enabled.iter().any(|t| t == "RESOURCE_CONTROL_POLICY");
        let mut levels = Vec::with_capacity(position.units.len() + 1);
        for (target_id, attached) in self.policies_along(position, account_id, None).await? {
            let of = |kind: &str, on: bool| -> Vec<String> {
                if !on {
                    return Vec::new();
                }
                attached
                    .iter()
                    .filter(|policy| policy.policy_type == kind)
                    .map(|policy| policy.content.clone())
                    .collect()
            };
            levels.push(PolicyLevel {
                scps: of("SERVICE_CONTROL_POLICY", scp_on),
                rcps: of("RESOURCE_CONTROL_POLICY", rcp_on),
                target_id,
            });
        }
        Ok(Some(levels))
    }
}

/// An account's place in its organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgPosition {
    /// `o-…`.
    pub org_id: String,
    /// Unit ids from the root (`r-…`) down to the account's parent.
    pub units: Vec<String>,
    /// True for the organization's management account.
    pub is_management: bool,
}

impl OrgPosition {
    /// The account's path as `aws:PrincipalOrgPaths` writes it: `o-…/r-…/ou-…/`.
    pub fn path(&self) -> String {
        let mut path = format!("{}/", self.org_id);
        for unit in &self.units {
            path.push_str(unit);
            path.push('/');
        }
        path
    }
}
