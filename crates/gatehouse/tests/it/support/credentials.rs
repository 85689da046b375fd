//! Who the tests act as: access key pairs (`Keys`), the root key a server wrote at its
//! first start, dev mode's account roots and IAM users made with a key. It makes keys
//! through the API only; clients are built in `clients`.

use std::path::Path;

use super::server::Server;

/// An access key pair.
#[derive(Clone, Debug)]
pub struct Keys {
    pub id: String,
    pub secret: String,
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
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    Keys {
        id: key.access_key_id().to_owned(),
        secret: key.secret_access_key().to_owned(),
    }
}
