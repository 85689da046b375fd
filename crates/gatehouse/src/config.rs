//! `gatehouse serve` settings, from three layers: flags, then `GATEHOUSE_…` environment
//! variables, then an optional TOML file (`--config`), then built-in defaults. The file's
//! keys are the flags' long names (`listen = "0.0.0.0:4580"`, `max-body-bytes = 1048576`);
//! its values go through the same parsers as flags, so an invalid value fails at start
//! naming the setting, and an unknown key is an error rather than silently ignored.
//! `gatehouse config show` prints the result and where each value came from.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::parser::ValueSource;
use clap::ArgMatches;

use crate::model::AccountId;

/// Settings of the server, as parsed from the command line, environment and file.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// TOML file with settings (keys are the long flag names); flags and environment
    /// variables win over it.
    #[arg(long, env = "GATEHOUSE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Directory for the database, the master key and the root credentials file.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "gatehouse-data")]
    pub data_dir: PathBuf,

    /// Address to listen on. Loopback by default; expose it deliberately.
    #[arg(long, env = "GATEHOUSE_LISTEN", default_value = "127.0.0.1:4580")]
    pub listen: SocketAddr,

    /// Separate address for `/health/*` and `/metrics`; when unset they are served on
    /// `--listen` too.
    #[arg(long, env = "GATEHOUSE_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,

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

    /// TLS certificate chain (PEM). With `--tls-key`, the server speaks HTTPS only;
    /// both files are read again on SIGHUP.
    #[arg(long, env = "GATEHOUSE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "GATEHOUSE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

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

    /// Log line format: `human` or `json`.
    #[arg(long, env = "GATEHOUSE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    /// One log event per request (request id, operation, principal, decision, status,
    /// latency).
    #[arg(long, env = "GATEHOUSE_REQUEST_LOG", default_value_t = true, action = clap::ArgAction::Set)]
    pub request_log: bool,

    /// Prometheus metrics at `/metrics`.
    #[arg(long, env = "GATEHOUSE_METRICS", default_value_t = true, action = clap::ArgAction::Set)]
    pub metrics: bool,

    /// Audit events of every API call in the store (`gatehouse audit tail`).
    #[arg(long, env = "GATEHOUSE_AUDIT", default_value_t = true, action = clap::ArgAction::Set)]
    pub audit: bool,

    /// Adds an encoded authorization failure message (decoded by
    /// `sts:DecodeAuthorizationMessage`) to every `AccessDenied`. AWS writes plain messages
    /// for IAM, STS and Organizations, so this is off by default.
    #[arg(long, env = "GATEHOUSE_ENCODE_AUTHORIZATION_MESSAGES", default_value_t = false, action = clap::ArgAction::Set)]
    pub encode_authorization_messages: bool,

    /// Largest request body accepted, in bytes; larger ones get 413.
    #[arg(long, env = "GATEHOUSE_MAX_BODY_BYTES", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_body_bytes: u64,

    /// Largest request header section accepted, in bytes; larger ones get 413.
    #[arg(long, env = "GATEHOUSE_MAX_HEADER_BYTES", default_value_t = 16 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=1024 * 1024))]
    pub max_header_bytes: u64,

    /// Seconds a request may take, from its headers to its response
    /// (`RequestTimeout` beyond).
    #[arg(long, env = "GATEHOUSE_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Seconds a connection may take to send a request's headers, and stay idle between
    /// requests, before it is closed.
    #[arg(long, env = "GATEHOUSE_CONNECTION_TIMEOUT_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub connection_timeout_secs: u64,

    /// Requests served at once by the whole server; beyond it `Throttling`.
    #[arg(long, env = "GATEHOUSE_MAX_CONCURRENT_REQUESTS", default_value_t = 4096,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_concurrent_requests: u64,

    /// Requests one connection may have in flight at once. HTTP/2 connections advertise
    /// it as their stream limit (clients queue beyond it); HTTP/1.1 serves one request at
    /// a time per connection whatever this says.
    #[arg(long, env = "GATEHOUSE_MAX_REQUESTS_PER_CONNECTION", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_requests_per_connection: u32,

    /// Seconds to let in-flight requests finish after SIGTERM before exiting.
    #[arg(long, env = "GATEHOUSE_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,

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

    /// The URL clients reach Gatehouse at (`https://iam.example.com`): the base of each
    /// account's outbound web identity federation issuer (`<url>/oidc/<account>`).
    /// Default: the scheme and address the API listens on.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Dev mode's default account id.
    #[arg(long, env = "GATEHOUSE_DEV_ACCOUNT_ID", default_value = "000000000000", value_parser = parse_account_id)]
    pub dev_account_id: AccountId,
}

/// A public URL: `http://` or `https://`, a host, no query; kept without a final `/`.
fn parse_public_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("`{text}` is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(['?', '#', ' ']) {
        return Err(format!("`{text}` is not a URL with a host and no query"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per line.
    Json,
}

/// The database URL: the one given, else the data directory's SQLite file. The server
/// and the offline commands (`quota`, `audit`, `oidc`) open the same store this way.
pub fn database_url(data_dir: &std::path::Path, database: Option<&str>) -> String {
    database.map_or_else(
        || format!("sqlite://{}", data_dir.join("gatehouse.db").display()),
        str::to_owned,
    )
}

impl ServeConfig {
    /// The database URL in force.
    pub fn database_url(&self) -> String {
        database_url(&self.data_dir, self.database.as_deref())
    }

    /// `--request-timeout-secs` as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// `--connection-timeout-secs` as a duration.
    pub fn connection_timeout(&self) -> Duration {
        Duration::from_secs(self.connection_timeout_secs)
    }

    /// `--max-body-bytes` as a size in memory.
    pub fn max_body(&self) -> usize {
        usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX)
    }

    /// `--max-header-bytes` as a size in memory.
    pub fn max_header(&self) -> usize {
        usize::try_from(self.max_header_bytes).unwrap_or(usize::MAX)
    }
}

fn parse_account_id(text: &str) -> Result<AccountId, String> {
    AccountId::parse(text).ok_or_else(|| format!("`{text}` is not a 12-digit account id"))
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// A `GATEHOUSE_…` environment variable.
    Env,
    /// The `--config` file.
    File,
    /// The built-in default.
    Default,
    /// Not set anywhere.
    Unset,
}

/// A parsed command line, with what `gatehouse config show` needs to explain it.
pub struct Parsed<C> {
    /// The parsed command.
    pub value: C,
    /// The (sub)command holding the serve settings, and its final matches.
    settings: Option<(clap::Command, ArgMatches)>,
    /// Argument ids whose value came from the file.
    file_keys: BTreeSet<String>,
}

/// Parses the command line of `C`, filling settings the flags and environment left
/// unset from the `--config` file of the (sub)command that has one.
pub fn parse<C: clap::Parser>(args: Vec<OsString>) -> anyhow::Result<Parsed<C>> {
    let command = C::command();
    let matches = command
        .clone()
        .try_get_matches_from(&args)
        .unwrap_or_else(|e| e.exit());
    let path = with_config_arg(&command, &matches)
        .and_then(|(_, sub_matches)| sub_matches.get_one::<PathBuf>("config").cloned());
    let Some(path) = path else {
        let settings = with_config_arg(&command, &matches).map(|(c, m)| (c.clone(), m.clone()));
        return Ok(Parsed {
            value: C::from_arg_matches(&matches)?,
            settings,
            file_keys: BTreeSet::new(),
        });
    };
    let Some((sub_command, sub_matches)) = with_config_arg(&command, &matches) else {
        bail!("no settings to read a config file for");
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the config file {}", path.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("in the config file {}", path.display()))?;
    let mut extra = Vec::new();
    let mut file_keys = BTreeSet::new();
    for (key, value) in &table {
        let Some(arg) = sub_command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(key.as_str()) && key != "config")
        else {
            bail!(
                "in the config file {}: unknown setting `{key}` (settings are the long flag names of `gatehouse serve`)",
                path.display()
            );
        };
        let id = arg.get_id().as_str();
        if matches!(
            sub_matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue;
        }
        let values = match value {
            toml::Value::Array(items) => items.iter().map(scalar).collect::<Option<Vec<_>>>(),
            other => scalar(other).map(|v| vec![v]),
        };
        let Some(values) = values else {
            bail!(
                "in the config file {}: setting `{key}` must be a string, number or boolean",
                path.display()
            );
        };
        for value in values {
            extra.push(OsString::from(format!("--{key}={value}")));
        }
        file_keys.insert(id.to_owned());
    }
    let mut all = args;
    all.extend(extra);
    let matches = C::command()
        .try_get_matches_from(&all)
        .map_err(|error| anyhow::anyhow!("{}", error.render()))
        .with_context(|| format!("in the config file {}", path.display()))?;
    let settings = with_config_arg(&command, &matches).map(|(c, m)| (c.clone(), m.clone()));
    Ok(Parsed {
        value: C::from_arg_matches(&matches)?,
        settings,
        file_keys,
    })
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The deepest (sub)command with a `--config` argument, and its matches.
fn with_config_arg<'a>(
    command: &'a clap::Command,
    matches: &'a ArgMatches,
) -> Option<(&'a clap::Command, &'a ArgMatches)> {
    if command.get_arguments().any(|arg| arg.get_id() == "config") {
        return Some((command, matches));
    }
    let (name, sub_matches) = matches.subcommand()?;
    let sub_command = command.find_subcommand(name)?;
    with_config_arg(sub_command, sub_matches)
}

impl<C> Parsed<C> {
    /// Every setting with its value and where it came from, secrets redacted: the text
    /// of `gatehouse config show`.
    pub fn describe(&self) -> String {
        let Some((command, matches)) = &self.settings else {
            return String::new();
        };
        let mut out = String::new();
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            let Some(long) = arg.get_long() else { continue };
            if id == "help" || id == "version" {
                continue;
            }
            let source = if self.file_keys.contains(id) {
                Source::File
            } else {
                match matches.value_source(id) {
                    Some(ValueSource::CommandLine) => Source::Flag,
                    Some(ValueSource::EnvVariable) => Source::Env,
                    Some(ValueSource::DefaultValue) => Source::Default,
                    _ => Source::Unset,
                }
            };
            let values: Vec<String> = matches
                .get_raw(id)
                .map(|raw| raw.map(|v| v.to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            let value = if values.is_empty() {
                "(unset)".to_owned()
            } else if id == "master_key" {
                "(redacted)".to_owned()
            } else if id == "database" {
                values
                    .iter()
                    .map(|v| redact_url(v))
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                values.join(",")
            };
            let origin = match source {
                Source::Flag => format!("flag --{long}"),
                Source::Env => format!(
                    "env {}",
                    arg.get_env()
                        .map(|e| e.to_string_lossy())
                        .unwrap_or_default()
                ),
                Source::File => "config file".to_owned(),
                Source::Default => "default".to_owned(),
                Source::Unset => "unset".to_owned(),
            };
            out.push_str(&format!("{long} = {value}    # {origin}\n"));
        }
        out
    }
}

/// A database URL with any password replaced.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:(redacted)@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, expected: &str) {
        assert_eq!(redact_url(url), expected);
    }

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        check(
            "postgres://app:s3cret@db:5432/gh",
            "postgres://app:(redacted)@db:5432/gh",
        );
        check("postgres://app@db/gh", "postgres://app@db/gh");
        check("sqlite://data/gatehouse.db", "sqlite://data/gatehouse.db");
    }
}
