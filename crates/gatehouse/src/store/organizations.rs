//! Organizations: the organization, its root and OUs (`org_units`), its member accounts
//! (`org_accounts`) and `CreateAccount` requests. Policies, attachments and tags live in
//! `organizations/policies.rs`. Every query is scoped by organization id, except the
//! lookups that find the organization an account belongs to, and the email check
//! `CreateAccount` makes across all accounts (emails are unique deployment-wide, as AWS's).

mod handshakes;
mod policies;
mod service_access;
mod transfers;

use sqlx::any::AnyRow;

use super::{column, map_error, AccountRecord, StoreError, Tx};

pub use handshakes::HandshakeRecord;
pub use policies::{OrgPolicyRecord, OrgPosition};
pub use transfers::TransferRecord;

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// `o-…`.
    pub org_id: String,
    /// The management account.
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
    /// The organization's one root, `r-…`.
    pub root_id: String,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
}

/// A root (no parent, depth 0) or an organizational unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    /// The owning organization.
    pub org_id: String,
    /// `r-…` or `ou-…`.
    pub unit_id: String,
    /// The parent root or OU; `None` for the root.
    pub parent_id: Option<String>,
    /// Name as given (`Root` for the root).
    pub name: String,
    /// 0 for the root, 1 for OUs directly under it, and so on.
    pub depth: i64,
    /// Creation time, milliseconds since the epoch.
    pub created_at: i64,
}

/// An account's membership in an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// The organization.
    pub org_id: String,
    /// The account.
    pub account_id: String,
    /// The root or OU it sits under.
    pub parent_id: String,
    /// `CREATED` or `INVITED`.
    pub joined_method: String,
    /// When it joined, milliseconds since the epoch.
    pub joined_at: i64,
    /// The role `CreateAccount` was asked to create for the management account
    /// (`OrganizationAccountAccessRole` by default); `None` for invited accounts.
    pub access_role_name: Option<String>,
}

/// A `CreateAccount` request and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateAccountRequestRecord {
    /// The organization.
    pub org_id: String,
    /// `car-…`.
    pub request_id: String,
    /// The requested account name.
    pub account_name: String,
    /// `IN_PROGRESS`, `SUCCEEDED` or `FAILED`.
    pub state: String,
    /// Why it failed, e.g. `EMAIL_ALREADY_EXISTS`.
    pub failure_reason: Option<String>,
    /// The new account, once it exists.
    pub account_id: Option<String>,
    /// When it was asked for, milliseconds since the epoch.
    pub requested_at: i64,
    /// When it finished.
    pub completed_at: Option<i64>,
}

const ORG_COLUMNS: &str =
    "o.org_id, o.management_account_id, o.feature_set, o.root_id, o.created_at";
const UNIT_COLUMNS: &str = "org_id, unit_id, parent_id, name, depth, created_at";
const MEMBER_COLUMNS: &str = "m.org_id, m.account_id, m.parent_id, m.joined_method, m.joined_at, \
     m.access_role_name, a.name, a.email, a.status, a.created_at";
const REQUEST_COLUMNS: &str =
    "org_id, request_id, account_name, state, failure_reason, account_id, \
     requested_at, completed_at";

fn org_from_row(row: &AnyRow) -> Result<OrganizationRecord, StoreError> {
    Ok(OrganizationRecord {
        org_id: column(row, "org_id")?,
        management_account_id: column(row, "management_account_id")?,
        feature_set: column(row, "feature_set")?,
        root_id: column(row, "root_id")?,
        created_at: column(row, "created_at")?,
    })
}

fn unit_from_row(row: &AnyRow) -> Result<UnitRecord, StoreError> {
    Ok(UnitRecord {
        org_id: column(row, "org_id")?,
        unit_id: column(row, "unit_id")?,
        parent_id: column(row, "parent_id")?,
        name: column(row, "name")?,
        depth: column(row, "depth")?,
        created_at: column(row, "created_at")?,
    })
}

/// A membership with the account row it belongs to.
fn member_from_row(row: &AnyRow) -> Result<(MemberRecord, AccountRecord), StoreError> {
    use sqlx::Row;
    let get_string = |index: usize| -> Result<String, StoreError> {
        row.try_get::<String, _>(index)
            .map_err(|error| StoreError::Corrupt(format!("column {index}: {error}")))
    };
    let member = MemberRecord {
        org_id: get_string(0)?,
        account_id: get_string(1)?,
        parent_id: get_string(2)?,
        joined_method: get_string(3)?,
        joined_at: row
            .try_get::<i64, _>(4)
            .map_err(|error| StoreError::Corrupt(format!("joined_at: {error}")))?,
        access_role_name: row
            .try_get::<Option<String>, _>(5)
            .map_err(|error| StoreError::Corrupt(format!("access_role_name: {error}")))?,
    };
    let account = AccountRecord {
        account_id: member.account_id.clone(),
        name: get_string(6)?,
        email: get_string(7)?,
        status: get_string(8)?,
        created_at: row
            .try_get::<i64, _>(9)
            .map_err(|error| StoreError::Corrupt(format!("created_at: {error}")))?,
    };
    Ok((member, account))
}

fn request_from_row(row: &AnyRow) -> Result<CreateAccountRequestRecord, StoreError> {
    Ok(CreateAccountRequestRecord {
        org_id: column(row, "org_id")?,
        request_id: column(row, "request_id")?,
        account_name: column(row, "account_name")?,
        state: column(row, "state")?,
        failure_reason: column(row, "failure_reason")?,
        account_id: column(row, "account_id")?,
        requested_at: column(row, "requested_at")?,
        completed_at: column(row, "completed_at")?,
    })
}

impl Tx {
    /// Creates an organization and its root; the management account joins it under the
    /// root (as `INVITED`, which is how AWS reports the management account).
    pub async fn insert_organization(
        &mut self,
        org: &OrganizationRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO organizations (org_id, management_account_id, feature_set, root_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&org.org_id)
        .bind(&org.management_account_id)
        .bind(&org.feature_set)
        .bind(&org.root_id)
        .bind(org.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        self.insert_unit(&UnitRecord {
            org_id: org.org_id.clone(),
            unit_id: org.root_id.clone(),
            parent_id: None,
            name: "Root".to_owned(),
            depth: 0,
            created_at: org.created_at,
        })
        .await?;
        self.insert_member(&MemberRecord {
            org_id: org.org_id.clone(),
            account_id: org.management_account_id.clone(),
            parent_id: org.root_id.clone(),
            joined_method: "INVITED".to_owned(),
            joined_at: org.created_at,
            access_role_name: None,
        })
        .await
    }

    /// An organization by id.
    pub async fn organization(
        &mut self,
        org_id: &str,
    ) -> Result<Option<OrganizationRecord>, StoreError> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations o WHERE o.org_id = $1");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    /// The organization an account belongs to, if any.
    pub async fn organization_of_account(
        &mut self,
        account_id: &str,
    ) -> Result<Option<OrganizationRecord>, StoreError> {
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organizations o JOIN org_accounts m ON m.org_id = o.org_id \
             WHERE m.account_id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(org_from_row).transpose()
    }

    /// Deletes an organization and everything that belongs to it (units, memberships,
    /// requests, policies, attachments, tags). Accounts themselves stay.
    pub async fn delete_organization(&mut self, org_id: &str) -> Result<(), StoreError> {
        for table in [
            "iam_org_features",
            "org_resource_policies",
            "org_delegated_admins",
            "org_service_access",
            "org_handshakes",
            "org_tags",
            "org_policy_attachments",
            "org_policy_types",
            "org_policies",
            "org_create_account_requests",
            "org_accounts",
            "org_units",
            "organizations",
        ] {
            self.exec(&format!("DELETE FROM {table} WHERE org_id = $1"), &[org_id])
                .await?;
        }
        Ok(())
    }

    /// Inserts a root or OU; [`StoreError::Duplicate`] when its parent already has a
    /// child of that name (compared without case).
    pub async fn insert_unit(&mut self, unit: &UnitRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_units (org_id, unit_id, parent_id, name, name_key, depth, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&unit.org_id)
        .bind(&unit.unit_id)
        .bind(&unit.parent_id)
        .bind(&unit.name)
        .bind(unit.name.to_lowercase())
        .bind(unit.depth)
        .bind(unit.created_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// A root or OU of the organization.
    pub async fn unit(
        &mut self,
        org_id: &str,
        unit_id: &str,
    ) -> Result<Option<UnitRecord>, StoreError> {
        let sql =
            format!("SELECT {UNIT_COLUMNS} FROM org_units WHERE org_id = $1 AND unit_id = $2");
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(unit_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(unit_from_row).transpose()
    }

    /// Every root and OU of the organization, oldest first.
    pub async fn units(&mut self, org_id: &str) -> Result<Vec<UnitRecord>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM org_units WHERE org_id = $1 ORDER BY created_at, unit_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// The OUs directly under a root or OU, oldest first.
    pub async fn child_units(
        &mut self,
        org_id: &str,
        parent_id: &str,
    ) -> Result<Vec<UnitRecord>, StoreError> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM org_units WHERE org_id = $1 AND parent_id = $2 \
             ORDER BY created_at, unit_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(parent_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// Renames an OU; [`StoreError::Duplicate`] when a sibling has that name.
    pub async fn rename_unit(
        &mut self,
        org_id: &str,
        unit_id: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        let key = name.to_lowercase();
        self.exec(
            "UPDATE org_units SET name = $3, name_key = $4 WHERE org_id = $1 AND unit_id = $2",
            &[org_id, unit_id, name, &key],
        )
        .await
        .map(|_| ())
    }

    /// Deletes an OU (its tags and attachments too); false when there was none.
    pub async fn delete_unit(&mut self, org_id: &str, unit_id: &str) -> Result<bool, StoreError> {
        self.delete_target_rows(org_id, unit_id).await?;
        let touched = self
            .exec(
                "DELETE FROM org_units WHERE org_id = $1 AND unit_id = $2",
                &[org_id, unit_id],
            )
            .await?;
        Ok(touched > 0)
    }

    /// Adds an account to an organization; [`StoreError::Duplicate`] if it belongs to one.
    pub async fn insert_member(&mut self, member: &MemberRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_accounts (org_id, account_id, parent_id, joined_method, joined_at, access_role_name) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&member.org_id)
        .bind(&member.account_id)
        .bind(&member.parent_id)
        .bind(&member.joined_method)
        .bind(member.joined_at)
        .bind(&member.access_role_name)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// A member account of the organization, with its account row.
    pub async fn member(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> Result<Option<(MemberRecord, AccountRecord)>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM org_accounts m JOIN accounts a ON a.account_id = m.account_id \
             WHERE m.org_id = $1 AND m.account_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(account_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(member_from_row).transpose()
    }

    /// The organization's accounts, in the order they joined; only those directly
    /// under `parent_id` when it is given.
    pub async fn members(
        &mut self,
        org_id: &str,
        parent_id: Option<&str>,
    ) -> Result<Vec<(MemberRecord, AccountRecord)>, StoreError> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM org_accounts m JOIN accounts a ON a.account_id = m.account_id \
             WHERE m.org_id = $1 AND ($2 = '' OR m.parent_id = $2) ORDER BY m.joined_at, m.account_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .bind(parent_id.unwrap_or(""))
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(member_from_row).collect()
    }

    /// Moves a member under another root or OU.
    pub async fn move_member(
        &mut self,
        org_id: &str,
        account_id: &str,
        parent_id: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE org_accounts SET parent_id = $3 WHERE org_id = $1 AND account_id = $2",
            &[org_id, account_id, parent_id],
        )
        .await
        .map(|_| ())
    }

    /// Removes an account from the organization (with its tags and attachments there).
    pub async fn delete_member(
        &mut self,
        org_id: &str,
        account_id: &str,
    ) -> Result<(), StoreError> {
        self.delete_target_rows(org_id, account_id).await?;
        self.exec(
            "DELETE FROM org_delegated_admins WHERE org_id = $1 AND account_id = $2",
            &[org_id, account_id],
        )
        .await?;
        self.exec(
            "DELETE FROM org_accounts WHERE org_id = $1 AND account_id = $2",
            &[org_id, account_id],
        )
        .await
        .map(|_| ())
    }

    /// The account whose root user has this email (compared without case), in any
    /// account: emails identify root users deployment-wide.
    pub async fn account_by_email(&mut self, email: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT account_id FROM accounts WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref()
            .map(|row| column::<String>(row, "account_id"))
            .transpose()
    }

    /// Sets an organization's feature set (`ALL` after the all-features migration).
    pub async fn set_feature_set(
        &mut self,
        org_id: &str,
        feature_set: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE organizations SET feature_set = $2 WHERE org_id = $1",
            &[org_id, feature_set],
        )
        .await
        .map(|_| ())
    }

    /// Sets an account's status (`ACTIVE`, `SUSPENDED`).
    pub async fn set_account_status(
        &mut self,
        account_id: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE accounts SET status = $2 WHERE account_id = $1",
            &[account_id, status],
        )
        .await
        .map(|_| ())
    }

    /// Records a `CreateAccount` request.
    pub async fn insert_create_account_request(
        &mut self,
        request: &CreateAccountRequestRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_create_account_requests (org_id, request_id, account_name, state, \
             failure_reason, account_id, requested_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&request.org_id)
        .bind(&request.request_id)
        .bind(&request.account_name)
        .bind(&request.state)
        .bind(&request.failure_reason)
        .bind(&request.account_id)
        .bind(request.requested_at)
        .bind(request.completed_at)
        .execute(self.conn())
        .await
        .map_err(map_error)?;
        Ok(())
    }

    /// One `CreateAccount` request of the organization.
    pub async fn create_account_request(
        &mut self,
        org_id: &str,
        request_id: &str,
    ) -> Result<Option<CreateAccountRequestRecord>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM org_create_account_requests WHERE org_id = $1 AND request_id = $2"
        );
        let row = sqlx::query(&sql)
            .bind(org_id)
            .bind(request_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(request_from_row).transpose()
    }

    /// The organization's `CreateAccount` requests, oldest first.
    pub async fn create_account_requests(
        &mut self,
        org_id: &str,
    ) -> Result<Vec<CreateAccountRequestRecord>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM org_create_account_requests WHERE org_id = $1 \
             ORDER BY requested_at, request_id"
        );
        let rows = sqlx::query(&sql)
            .bind(org_id)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(request_from_row).collect()
    }
}
