//! First start: the management account, its root user's access key and the credentials
//! file that hands that key to the operator. Later starts find the account and do nothing.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::model::{ids, AccessKeyId, AccountId};
use crate::secrets::{write_private_file, MasterKey};
use crate::store::{AccessKeyRecord, AccountRecord, KeyOwner, Store};

const MANAGEMENT_ACCOUNT_KEY: &str = "management_account_id";

/// What the first start produced, or found.
pub struct Bootstrapped {
    /// The management account.
    pub management_account: AccountId,
    /// The credentials file, when it was written now.
    pub new_credentials_file: Option<PathBuf>,
}

/// The file the root access key is written to.
pub fn credentials_path(data_dir: &Path) -> PathBuf {
    data_dir.join("root-credentials")
}

/// Creates the management account and its root key unless the store already has one.
pub async fn run(
    store: &Store,
    master_key: &MasterKey,
    data_dir: &Path,
) -> anyhow::Result<Bootstrapped> {
    let mut tx = store.begin().await?;
    if let Some(existing) = tx.meta(MANAGEMENT_ACCOUNT_KEY).await? {
        let management_account = AccountId::parse(&existing)
            .with_context(|| format!("stored management account id `{existing}` is invalid"))?;
        return Ok(Bootstrapped {
            management_account,
            new_credentials_file: None,
        });
    }
    let account = AccountId::random();
    let id = account.to_string();
    tx.insert_account(&AccountRecord {
        account_id: id.clone(),
        name: "management".to_owned(),
        email: format!("root@{id}.gatehouse.invalid"),
        status: "ACTIVE".to_owned(),
        created_at: crate::store::now_millis(),
    })
    .await?;
    let key_id = AccessKeyId::generate(account, false);
    let secret = zeroize::Zeroizing::new(ids::secret_access_key());
    tx.insert_access_key(&AccessKeyRecord {
        access_key_id: key_id.to_string(),
        account_id: id.clone(),
        owner: KeyOwner::Root,
        secret_sealed: master_key.seal(key_id.as_str().as_bytes(), secret.as_bytes()),
        status: "Active".to_owned(),
        created_at: crate::store::now_millis(),
        last_used: None,
    })
    .await?;
    tx.insert_meta(MANAGEMENT_ACCOUNT_KEY, &id).await?;

    // The key reaches the operator only through this file: write it before committing,
    // under a temporary name, and move it into place once the key exists for sure.
    let path = credentials_path(data_dir);
    let staging = data_dir.join("root-credentials.partial");
    let _ = std::fs::remove_file(&staging);
    let contents = zeroize::Zeroizing::new(format!(
        "# Gatehouse: root user of the management account {id}.\n\
         # Use it to create IAM users and roles, then keep it locked away.\n\
         [default]\n\
         aws_access_key_id = {key_id}\n\
         aws_secret_access_key = {}\n",
        secret.as_str()
    ));
    write_private_file(&staging, contents.as_bytes())
        .with_context(|| format!("writing {}", staging.display()))?;
    tx.commit().await?;
    std::fs::rename(&staging, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(Bootstrapped {
        management_account: account,
        new_credentials_file: Some(path),
    })
}
