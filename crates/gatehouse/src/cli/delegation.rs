//! `gatehouse delegation notifications <requestor-account>`: the messages IAM's
//! delegation requests sent to a partner's notification channel. AWS publishes them to
//! the partner's SNS topic; Gatehouse reaches no network, so they wait in the store and
//! the operator hands them on (one JSON object a line: channel, request, sequence, time,
//! message). The message of `SendDelegationToken` carries the exchange token, which only
//! the requestor account's own credentials can trade for access.

use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::store::Store;

/// Whose notifications, from which store.
#[derive(Debug, clap::Args)]
pub struct Notifications {
    /// The requestor (partner) account id.
    pub account: String,
    /// The server's data directory.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "gatehouse-data")]
    pub data_dir: PathBuf,
    /// Database URL, when not the data directory's SQLite file.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL")]
    pub database: Option<String>,
}

/// `gatehouse delegation …`.
#[derive(Debug, clap::Subcommand)]
pub enum DelegationCommand {
    /// Print the notifications sent to a requestor account's channels, oldest first.
    Notifications(Notifications),
}

/// Runs the command.
pub async fn run(command: DelegationCommand) -> anyhow::Result<()> {
    let DelegationCommand::Notifications(args) = command;
    if crate::model::AccountId::parse(&args.account).is_none() {
        bail!("`{}` is not an account id", args.account);
    }
    let url = crate::config::database_url(&args.data_dir, args.database.as_deref());
    let store = Store::open(&url).await.context("opening the database")?;
    let mut tx = store.begin().await?;
    for record in tx.delegation_notifications(&args.account).await? {
        let message: serde_json::Value =
            serde_json::from_str(&record.message).unwrap_or(serde_json::Value::Null);
        let line = serde_json::json!({
            "channel": record.channel,
            "delegationRequestId": record.request_id,
            "sequence": record.sequence,
            "time": crate::store::from_millis(record.created_at)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            "message": message,
        });
        println!("{line}");
    }
    Ok(())
}
