//! `gatehouse serve` settings: flags, each with a `GATEHOUSE_…` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::model::AccountId;

/// Settings of the server, as parsed from the command line and environment.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Directory for the database, the master key and the root credentials file.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "gatehouse-data")]
    pub data_dir: PathBuf,

    /// Address to listen on. Loopback by default; expose it deliberately.
    #[arg(long, env = "GATEHOUSE_LISTEN", default_value = "127.0.0.1:4580")]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://PATH` (default: `DATA_DIR/gatehouse.db`) or `postgres://…`.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL")]
    pub database: Option<String>,

    /// Master key (32 bytes, base64) sealing secrets at rest; if unset, the key is read
    /// from (or created in) `DATA_DIR/master.key`.
    #[arg(
        long = "master-key",
        env = "GATEHOUSE_MASTER_KEY",
        hide_env_values = true
    )]
    pub master_key: Option<String>,

    /// Regions accepted in credential scopes (repeat the flag); any region when unset.
    #[arg(
        long = "allowed-region",
        env = "GATEHOUSE_ALLOWED_REGIONS",
        value_delimiter = ','
    )]
    pub allowed_regions: Option<Vec<String>>,

    /// Region written into the root credentials file's profile.
    #[arg(long, env = "GATEHOUSE_REGION", default_value = "us-east-1")]
    pub region: String,

    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "GATEHOUSE_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Dev mode: unknown access keys act as the root of a default account. Never for
    /// production; enables the reset endpoints.
    #[arg(long, env = "GATEHOUSE_DEV")]
    pub dev: bool,

    /// How many accounts an organization may hold until a Service Quotas increase
    /// (`organizations` quota `L-29A0C5DF`) raises it; the management account counts.
    #[arg(long, env = "GATEHOUSE_DEFAULT_ACCOUNT_QUOTA", default_value_t = 10)]
    pub default_account_quota: u32,

    /// Quota increase requests up to this value are approved at once; larger ones (and
    /// all of them when unset) stay `PENDING` until `gatehouse quota approve|deny`.
    #[arg(long, env = "GATEHOUSE_QUOTA_AUTO_APPROVE_MAX")]
    pub quota_auto_approve_max: Option<u32>,

    /// Dev mode's default account id.
    #[arg(long, env = "GATEHOUSE_DEV_ACCOUNT_ID", default_value = "000000000000", value_parser = parse_account_id)]
    pub dev_account_id: AccountId,
}

impl ServeConfig {
    /// The database URL in force.
    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("gatehouse.db").display()))
    }
}

fn parse_account_id(text: &str) -> Result<AccountId, String> {
    AccountId::parse(text).ok_or_else(|| format!("`{text}` is not a 12-digit account id"))
}
