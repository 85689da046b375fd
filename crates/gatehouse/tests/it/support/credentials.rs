//! Who the tests act as: access key pairs (`Keys`), the root key a server wrote at its
//! first start, dev mode's account roots, IAM users made with a key (and an inline
//! policy), the keys of STS sessions, and the account a key belongs to. It makes keys
//! through the API only; clients are built in `clients`.

use std::path::Path;

use super::server::Server;

/// An access key pair. Temporary credentials also need their session token, which the
/// `*_with_token` clients take beside the keys.
#[derive(Clone, Debug)]
pub struct Keys {
    pub id: String,
    pub secret: String,
}

impl From<&aws_sdk_iam::types::AccessKey> for Keys {
    /// The pair of a key IAM's `CreateAccessKey` returned.
    fn from(key: &aws_sdk_iam::types::AccessKey) -> Self {
        Self {
            id: key.access_key_id().to_owned(),
            secret: key.secret_access_key().to_owned(),
        }
    }
}

impl From<&aws_sdk_sts::types::Credentials> for Keys {
    /// The pair of an STS session (its token is not part of it).
    fn from(credentials: &aws_sdk_sts::types::Credentials) -> Self {
        Self {
            id: credentials.access_key_id().to_owned(),
            secret: credentials.secret_access_key().to_owned(),
        }
    }
}

impl Server {
    /// The root key from the credentials file written at first start.
    pub fn root_keys(&self) -> Keys {
        read_credentials_file(&self.data_dir.join("root-credentials"))
    }
}

/// Reads `aws_access_key_id` / `aws_secret_access_key` from a shared-credentials file.
fn read_credentials_file(path: &Path) -> Keys {
    let text = std::fs::read_to_string(path).unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|rest| rest.trim_start().trim_start_matches('=').trim().to_owned())
            .unwrap()
    };
    Keys {
        id: value("aws_access_key_id"),
        secret: value("aws_secret_access_key"),
    }
}

/// The root of an account through dev mode's 12-digit key ids (servers run with `--dev`).
pub fn dev_root(account: &str) -> Keys {
    Keys {
        id: account.to_owned(),
        secret: "dev-mode-ignores-this".to_owned(),
    }
}

/// Creates an IAM user with one access key and returns the key.
pub async fn user_with_key(iam: &aws_sdk_iam::Client, name: &str) -> Keys {
    iam.create_user().user_name(name).send().await.unwrap();
    new_key(iam, name).await
}

/// Creates an IAM user with `policy` as its inline policy `inline`, then one access key,
/// and returns the key.
pub async fn user_with_policy(iam: &aws_sdk_iam::Client, name: &str, policy: &str) -> Keys {
    iam.create_user().user_name(name).send().await.unwrap();
    iam.put_user_policy()
        .user_name(name)
        .policy_name("inline")
        .policy_document(policy)
        .send()
        .await
        .unwrap();
    new_key(iam, name).await
}

/// A new access key of the existing IAM user `name`.
pub async fn new_key(iam: &aws_sdk_iam::Client, name: &str) -> Keys {
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    Keys::from(key.access_key().unwrap())
}

/// The account `keys` belong to, as `GetCallerIdentity` names it.
pub async fn account_of(server: &Server, keys: &Keys) -> String {
    server
        .sts(keys)
        .get_caller_identity()
        .send()
        .await
        .unwrap()
        .account
        .unwrap()
}

/// Seconds until temporary credentials expire.
pub fn seconds_left(credentials: &aws_sdk_sts::types::Credentials) -> i64 {
    credentials.expiration().secs() - time::OffsetDateTime::now_utc().unix_timestamp()
}
