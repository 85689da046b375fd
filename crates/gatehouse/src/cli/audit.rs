//! `gatehouse audit tail`: the newest audit events, read from the store directly (it may
//! run while the server runs). One line per event, oldest first; `--json` for one JSON
//! object per line.

use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use crate::store::{AuditFilter, AuditRecord, Store};

/// The `audit` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Show the newest audit events.
    Tail(TailArgs),
}

/// Which events, from which store.
#[derive(Debug, clap::Args)]
pub struct TailArgs {
    /// Only this account's events.
    #[arg(long)]
    account: Option<String>,
    /// Only this principal's events (its ARN).
    #[arg(long)]
    principal: Option<String>,
    /// Only events since this time: RFC 3339 (`2026-01-02T03:04:05Z`) or an age such as
    /// `90s`, `15m`, `2h`, `1d`.
    #[arg(long, value_parser = parse_since)]
    since: Option<i64>,
    /// At most this many events (the newest).
    #[arg(long, short = 'n', default_value_t = 100)]
    limit: u32,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
    /// The server's data directory.
    #[arg(long, env = "GATEHOUSE_DATA_DIR", default_value = "gatehouse-data")]
    data_dir: PathBuf,
    /// Database URL, when not the data directory's SQLite file.
    #[arg(long, env = "GATEHOUSE_DATABASE_URL")]
    database: Option<String>,
}

/// Runs an `audit` subcommand.
pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Tail(args) = command;
    let url = crate::config::database_url(&args.data_dir, args.database.as_deref());
    let store = Store::open(&url).await.context("opening the database")?;
    let filter = AuditFilter {
        account_id: args.account,
        principal_arn: args.principal,
        since: args.since,
        limit: i64::from(args.limit),
    };
    let events = store
        .audit_events(&filter)
        .await
        .context("reading audit events")?;
    for event in &events {
        if args.json {
            println!("{}", to_json(event));
        } else {
            println!("{}", to_line(event));
        }
    }
    Ok(())
}

fn time_text(millis: i64) -> String {
    crate::store::from_millis(millis)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| millis.to_string())
}

fn to_line(event: &AuditRecord) -> String {
    let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    format!(
        "{} {} {}:{} principal={} account={} action={} resource={} decision={} decided_by={} status={} error={} source_ip={} request_id={}",
        time_text(event.event_time),
        if event.read_only { "read " } else { "write" },
        event.service,
        event.operation,
        dash(&event.principal_arn),
        dash(&event.account_id),
        dash(&event.action),
        dash(&event.resource),
        dash(&event.decision),
        dash(&event.decided_by),
        event.status,
        dash(&event.error_code),
        event.source_ip,
        event.event_id,
    )
}

fn to_json(event: &AuditRecord) -> serde_json::Value {
    json!({
        "eventId": event.event_id,
        "eventTime": time_text(event.event_time),
        "eventSource": event.service,
        "eventName": event.operation,
        "readOnly": event.read_only,
        "accountId": event.account_id,
        "principalArn": event.principal_arn,
        "accessKeyId": event.access_key_id,
        "action": event.action,
        "resource": event.resource,
        "sourceIPAddress": event.source_ip,
        "userAgent": event.user_agent,
        "awsRegion": event.region,
        "decision": event.decision,
        "decidedBy": event.decided_by,
        "status": event.status,
        "errorCode": event.error_code,
    })
}

/// Reads `--since`: an RFC 3339 time or an age (`30s`, `15m`, `2h`, `7d`) before now.
fn parse_since(text: &str) -> Result<i64, String> {
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
            .map_err(|_| format!("`{text}` is out of range"));
    }
    let split = text.len().saturating_sub(1);
    let (number, unit) = (text.get(..split), text.get(split..));
    let seconds_per = match unit {
        Some("s") => 1,
        Some("m") => 60,
        Some("h") => 3600,
        Some("d") => 86_400,
        _ => {
            return Err(format!(
                "`{text}` is neither an RFC 3339 time nor an age like `15m`"
            ))
        }
    };
    let count: i64 = number
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("`{text}` is neither an RFC 3339 time nor an age like `15m`"))?;
    let age = count
        .checked_mul(seconds_per * 1000)
        .ok_or_else(|| format!("`{text}` is too long ago"))?;
    Ok(crate::store::now_millis().saturating_sub(age))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected_age_millis: Option<i64>) {
        let now = crate::store::now_millis();
        match (parse_since(text), expected_age_millis) {
            (Ok(at), Some(age)) => assert!((now - at - age).abs() < 5_000, "{text}: {at}"),
            (Err(_), None) => {}
            (got, want) => panic!("{text}: got {got:?}, want age {want:?}"),
        }
    }

    #[test]
    fn since_takes_ages_and_times() {
        check("90s", Some(90_000));
        check("15m", Some(900_000));
        check("2h", Some(7_200_000));
        check("1d", Some(86_400_000));
        check("soon", None);
        check("5y", None);
        check("", None);
        assert_eq!(parse_since("1970-01-01T00:00:01Z"), Ok(1000));
    }
}
