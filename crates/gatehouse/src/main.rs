//! The `gatehouse` binary: `gatehouse serve` runs the server.

mod app;
mod audit;
mod auth;
mod bootstrap;
mod cli;
mod config;
mod log_format;
mod log_writer;
mod metrics;
mod model;
mod request;
mod secrets;
mod server;
mod services;
mod store;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::ServeConfig;
use crate::secrets::MasterKey;

/// Gatehouse: an AWS-compatible identity and account control plane.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeConfig),
    /// Evaluate requests or validate documents with the policy engine, offline.
    #[command(subcommand)]
    Policy(cli::policy::PolicyCommand),
    /// Decide Service Quotas increase requests that wait for the operator.
    Quota(QuotaCommand),
    /// Show the settings `gatehouse serve` would run with.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Read the audit events of API calls.
    #[command(subcommand)]
    Audit(cli::audit::AuditCommand),
    /// Configure IAM OIDC providers (their signing keys).
    #[command(subcommand)]
    Oidc(cli::oidc::OidcCommand),
    /// Read what IAM delegation requests sent to partners' notification channels.
    #[command(subcommand)]
    Delegation(cli::delegation::DelegationCommand),
}

/// `gatehouse config show [serve flags]`.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print every setting, its value (secrets redacted) and where it came from: flag,
    /// environment variable, config file or default, in that order of precedence.
    Show(ServeConfig),
}

/// `gatehouse quota approve|deny <request-id>`.
#[derive(Debug, clap::Args)]
struct QuotaCommand {
    #[command(subcommand)]
    decision: QuotaDecision,
}

#[derive(Debug, Subcommand)]
enum QuotaDecision {
    /// Apply the requested value.
    Approve(QuotaTarget),
    /// Refuse the request.
    Deny(QuotaTarget),
}

/// Which request, in which store.
#[derive(Debug, clap::Args)]
struct QuotaTarget {
    /// The request id, as `RequestServiceQuotaIncrease` returned it.
    request_id: String,
    /// The server's data directory.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "gatehouse-data")]
    data_dir: std::path::PathBuf,
    /// Database URL, when not the data directory's SQLite file.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL")]
    database: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let parsed = config::parse::<Cli>(std::env::args_os().collect())?;
    let description = parsed.describe();
    match parsed.value.command {
        Command::Policy(command) => {
            let code = cli::policy::run(command)?;
            std::process::exit(code);
        }
        Command::Config(ConfigCommand::Show(_)) => {
            print!("{description}");
            Ok(())
        }
        Command::Serve(config) => {
            let filter = tracing_subscriber::EnvFilter::try_from_env("GATEHOUSE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            // Lines are formatted on the request's thread; request lines are written in
            // batches by a background thread (see log_writer), the rest at once.
            let (writer, _flush_on_exit) = log_writer::log_writer();
            let builder = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_writer(writer);
            // Request events have a formatter of their own (see log_format).
            let format = tracing_subscriber::fmt::format();
            match config.log_format {
                config::LogFormat::Human => builder
                    .event_format(log_format::RequestLines::new(format, false))
                    .init(),
                config::LogFormat::Json => builder
                    .json()
                    .flatten_event(true)
                    .event_format(log_format::RequestLines::new(
                        format.json().flatten_event(true),
                        true,
                    ))
                    .init(),
            }
            metrics::set_enabled(config.metrics);
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the runtime")?
                .block_on(serve(config))
        }
        Command::Quota(command) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the runtime")?
            .block_on(decide_quota(command)),
        Command::Oidc(command) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the runtime")?
            .block_on(cli::oidc::run(command)),
        Command::Audit(command) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the runtime")?
            .block_on(cli::audit::run(command)),
        Command::Delegation(command) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the runtime")?
            .block_on(cli::delegation::run(command)),
    }
}

async fn decide_quota(command: QuotaCommand) -> anyhow::Result<()> {
    let (decision, target) = match command.decision {
        QuotaDecision::Approve(target) => (services::quotas::Decision::Approve, target),
        QuotaDecision::Deny(target) => (services::quotas::Decision::Deny, target),
    };
    let url = config::database_url(&target.data_dir, target.database.as_deref());
    let store = store::Store::open(&url)
        .await
        .context("opening the database")?;
    let record = services::quotas::decide(&store, &target.request_id, decision).await?;
    println!(
        "quota request {} of account {}: {} {} {} -> {}",
        record.request_id,
        record.account_id,
        record.service_code,
        record.quota_code,
        record.desired_value,
        record.status
    );
    Ok(())
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    create_private_dir(&config.data_dir)?;
    let master_key = match &config.master_key {
        Some(text) => MasterKey::from_base64(text).context("GATEHOUSE_MASTER_KEY")?,
        None => MasterKey::load_or_create(&config.data_dir.join("master.key"))?.0,
    };
    let store = store::Store::open(&config.database_url())
        .await
        .context("opening the database")?;
    let boot = bootstrap::run(&store, &master_key, &config.data_dir).await?;
    match &boot.new_credentials_file {
        Some(path) => println!(
            "created management account {}; root credentials written to {}",
            boot.management_account,
            path.display()
        ),
        None => println!(
            "management account {}; root credentials in {}",
            boot.management_account,
            bootstrap::credentials_path(&config.data_dir).display()
        ),
    }
    let app = app::App::new(store, master_key, config, boot.management_account);
    server::serve(app).await
}

/// Creates the data directory readable only by its owner.
fn create_private_dir(path: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .with_context(|| format!("creating {}", path.display()))
}
