//! `gatehouse oidc set-keys <provider-arn> <jwks-file>`: the signing keys Gatehouse checks
//! web identity tokens with. AWS fetches an OIDC provider's keys from its discovery
//! document; Gatehouse never reaches out to the network, so the operator gives them (a
//! JSON Web Key Set, as the provider publishes at its `jwks_uri`).

use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::store::Store;

/// Which provider, which keys, in which store.
#[derive(Debug, clap::Args)]
pub struct SetKeys {
    /// The provider's ARN, `arn:<partition>:iam::<account>:oidc-provider/<host/path>`.
    pub provider_arn: String,
    /// A JSON Web Key Set file (`{"keys":[…]}`); `-` reads standard input.
    pub jwks: PathBuf,
    /// The server's data directory.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "gatehouse-data")]
    pub data_dir: PathBuf,
    /// Database URL, when not the data directory's SQLite file.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL")]
    pub database: Option<String>,
}

/// `gatehouse oidc …`.
#[derive(Debug, clap::Subcommand)]
pub enum OidcCommand {
    /// Set the signing keys of an IAM OIDC provider.
    SetKeys(SetKeys),
}

/// Splits an OIDC provider ARN into its account and URL.
fn parse_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, service, region) = (parts.next()?, parts.next()?, parts.next()?);
    let (account, resource) = (parts.next()?, parts.next()?);
    let url = resource.strip_prefix("oidc-provider/")?;
    (service == "iam" && region.is_empty() && account.len() == 12 && !url.is_empty())
        .then_some((account, url))
}

/// Runs the command.
pub async fn run(command: OidcCommand) -> anyhow::Result<()> {
    let OidcCommand::SetKeys(args) = command;
    let Some((account, url)) = parse_arn(&args.provider_arn) else {
        bail!("`{}` is not an OIDC provider ARN", args.provider_arn);
    };
    let text = if args.jwks.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(&args.jwks)
            .with_context(|| format!("reading {}", args.jwks.display()))?
    };
    let keys: jsonwebtoken::jwk::JwkSet =
        serde_json::from_str(&text).context("the file is not a JSON Web Key Set")?;
    if keys.keys.is_empty() {
        bail!("the key set holds no key");
    }
    for key in &keys.keys {
        jsonwebtoken::DecodingKey::from_jwk(key)
            .with_context(|| format!("key {:?} is not usable", key.common.key_id))?;
    }
    let url_db = crate::config::database_url(&args.data_dir, args.database.as_deref());
    let store = Store::open(&url_db).await.context("opening the database")?;
    let mut tx = store.begin().await?;
    // Stored re-serialized: only the key set, nothing else the file may hold.
    let canonical = serde_json::to_string(&keys)?;
    if !tx.set_oidc_provider_keys(account, url, &canonical).await? {
        bail!("no OIDC provider {} exists", args.provider_arn);
    }
    tx.commit().await?;
    println!(
        "{}: {} signing key(s) set",
        args.provider_arn,
        keys.keys.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_arns_split_into_account_and_url() {
        assert_eq!(
            parse_arn("arn:aws:iam::123456789012:oidc-provider/token.example.com/tenant"),
            Some(("123456789012", "token.example.com/tenant"))
        );
        assert_eq!(parse_arn("arn:aws:iam::123456789012:saml-provider/x"), None);
        assert_eq!(parse_arn("arn:aws:iam::12345:oidc-provider/x"), None);
        assert_eq!(parse_arn("not an arn"), None);
    }
}
