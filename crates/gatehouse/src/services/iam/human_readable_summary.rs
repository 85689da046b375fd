//! `GetHumanReadableSummary`: a plain-English account of a delegation request (the only
//! entity type AWS summarizes): who asks, in what state, for how long, and what each
//! statement of its permission policy allows or denies, on what, under which conditions.
//! AWS writes these with a language model; Gatehouse writes them from the request's own
//! data, so they are exact but only in English (other locales answer `NOT_SUPPORTED`).

use wire::iam::{
    errors, GetHumanReadableSummaryRequest, GetHumanReadableSummaryResponse, SummaryStateType,
};
use wire::ServiceError;

use crate::store::{now_millis, DelegationRequestRecord, Tx};

use super::delegation_requests::{effective_state, find};
use crate::request::RequestContext;

/// Splits `arn:<partition>:iam::<account>:<type>/<id>` into account, type and id.
fn parse_entity_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (partition, service, region) = (parts.next()?, parts.next()?, parts.next()?);
    let (account, resource) = (parts.next()?, parts.next()?);
    if partition.is_empty() || service != "iam" || !region.is_empty() {
        return None;
    }
    let (kind, id) = resource.split_once('/')?;
    (!kind.is_empty() && !id.is_empty()).then_some((account, kind, id))
}

pub(super) async fn handle(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetHumanReadableSummaryRequest,
) -> Result<GetHumanReadableSummaryResponse, ServiceError> {
    let locale = input.locale.clone().unwrap_or_else(|| "en".to_owned());
    let (account, kind, id) = parse_entity_arn(&input.entity_arn).ok_or_else(|| {
        errors::invalid_input(format!("EntityArn {} is not an IAM ARN.", input.entity_arn))
    })?;
    if kind != "delegation-request" {
        return Ok(GetHumanReadableSummaryResponse {
            summary_content: Some(String::new()),
            locale: Some(locale),
            summary_state: Some(SummaryStateType::NotSupported),
        });
    }
    let record = find(tx, context, id).await?;
    let concerned = [
        Some(context.principal.account.to_string()),
        Some(record.requestor_account.clone()),
        record.owner_account.clone(),
    ];
    if !concerned.iter().flatten().any(|known| known == account) {
        return Err(errors::no_such_entity(format!(
            "The delegation request with id {id} cannot be found."
        )));
    }
    let english = locale.eq_ignore_ascii_case("en")
        || locale.to_ascii_lowercase().starts_with("en-")
        || locale.to_ascii_lowercase().starts_with("en_");
    if !english {
        return Ok(GetHumanReadableSummaryResponse {
            summary_content: Some(String::new()),
            locale: Some(locale),
            summary_state: Some(SummaryStateType::NotSupported),
        });
    }
    Ok(GetHumanReadableSummaryResponse {
        summary_content: Some(summarize(&record, now_millis())),
        locale: Some(locale),
        summary_state: Some(SummaryStateType::Available),
    })
}

/// The summary of a request at `now` (milliseconds).
fn summarize(record: &DelegationRequestRecord, now: i64) -> String {
    let mut lines = Vec::new();
    let requestor = match &record.requestor_name {
        Some(name) => format!("account {} ({name})", record.requestor_account),
        None => format!("account {}", record.requestor_account),
    };
    lines.push(format!(
        "Delegation request {} from {requestor}: {}",
        record.request_id,
        record.description.trim()
    ));
    if let Some(message) = record.request_message.as_deref().filter(|m| !m.is_empty()) {
        lines.push(format!("Message from the requestor: {}", message.trim()));
    }
    let state = effective_state(record, now);
    let owner = match (&record.owner_arn, &record.owner_account) {
        (Some(arn), _) => format!("owned by {arn}"),
        (None, Some(account)) => format!("addressed to account {account}, not yet associated"),
        (None, None) => "not yet associated with any account".to_owned(),
    };
    let expires = crate::store::from_millis(record.expires_at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    lines.push(format!("State: {state}, {owner}; expires {expires}."));
    if let Some(approver) = &record.approver_arn {
        lines.push(format!(
            "Accepted by {approver}: the delegated session acts as this identity."
        ));
    }
    lines.push(format!(
        "Once the token is sent, the requestor may act for {} with these permissions{}:",
        duration(record.session_duration),
        if record.only_send_by_owner {
            " (only the owner may send the token)"
        } else {
            ""
        }
    ));
    match policy::PolicyDocument::parse(&record.permission_policy, policy::PolicyKind::Session) {
        Ok(document) => {
            for statement in document.statements() {
                lines.push(format!("- {}", statement_sentence(statement)));
            }
        }
        Err(_) => lines.push("- (the permission policy no longer parses)".to_owned()),
    }
    lines.push(format!(
        "The permissions come from the policy template {}.",
        record.template_arn
    ));
    lines.join("\n")
}

/// `3600` as `1 hour`, `5400` as `1 hour 30 minutes`.
fn duration(seconds: i64) -> String {
    let (hours, minutes, rest) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    for (value, unit) in [(hours, "hour"), (minutes, "minute"), (rest, "second")] {
        match value {
            0 => {}
            1 => parts.push(format!("1 {unit}")),
            _ => parts.push(format!("{value} {unit}s")),
        }
    }
    if parts.is_empty() {
        "0 seconds".to_owned()
    } else {
        parts.join(" ")
    }
}

fn list(values: &policy::OneOrMany<String>) -> String {
    let values = values.as_slice();
    match values {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn statement_sentence(statement: &policy::Statement) -> String {
    let verb = match statement.effect {
        policy::Effect::Allow => "Allows",
        policy::Effect::Deny => "Denies",
    };
    let actions = match &statement.action {
        Some(element) if element.negated => {
            format!("every action except {}", list(&element.values))
        }
        Some(element) if element.values.iter().any(|a| a == "*") => "every action".to_owned(),
        Some(element) => list(&element.values),
        None => "no action".to_owned(),
    };
    let resources = match &statement.resource {
        Some(element) if element.negated => {
            format!("every resource except {}", list(&element.values))
        }
        Some(element) if element.values.iter().any(|r| r == "*") => "every resource".to_owned(),
        Some(element) => list(&element.values),
        None => "no resource".to_owned(),
    };
    let mut sentence = format!("{verb} {actions} on {resources}");
    let conditions: Vec<String> = statement
        .condition
        .iter()
        .flatten()
        .flat_map(|condition| {
            condition.entries.iter().map(move |(key, values)| {
                let values: Vec<&str> =
                    values.iter().map(policy::ConditionValue::as_text).collect();
                format!("{key} {} {}", condition.operator, values.join(" or "))
            })
        })
        .collect();
    if !conditions.is_empty() {
        sentence.push_str(&format!(", only when {}", conditions.join(" and ")));
    }
    if let Some(sid) = &statement.sid {
        sentence.push_str(&format!(" (statement {sid})"));
    }
    sentence.push('.');
    sentence
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(policy_text: &str, now: i64, expected: &[&str]) {
        let record = DelegationRequestRecord {
            request_id: "0123456789abcdef".into(),
            requestor_account: "111111111111".into(),
            requestor_name: Some("partner".into()),
            owner_account: Some("222222222222".into()),
            owner_arn: None,
            approver_arn: None,
            approver: None,
            state: "UNASSIGNED".into(),
            description: "Backups".into(),
            request_message: None,
            workflow_id: "wf-1".into(),
            redirect_url: None,
            notification_channel: "arn:aws:sns:us-east-1:111111111111:t".into(),
            session_duration: 5400,
            only_send_by_owner: false,
            template_arn: "arn:aws:iam::111111111111:policy/T".into(),
            parameters: "[]".into(),
            permission_policy: policy_text.into(),
            notes: None,
            rejection_reason: None,
            created_at: 0,
            updated_at: 0,
            expires_at: 10_000,
            finalized_at: None,
        };
        let text = summarize(&record, now);
        for line in expected {
            assert!(text.contains(line), "{line:?} not in:\n{text}");
        }
    }

    #[test]
    fn summaries_describe_requests_and_their_statements() {
        check(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::logs/*"},{"Effect":"Deny","NotAction":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#,
            1,
            &[
                "Delegation request 0123456789abcdef from account 111111111111 (partner): Backups",
                "State: UNASSIGNED, addressed to account 222222222222, not yet associated",
                "for 1 hour 30 minutes",
                "- Allows s3:GetObject and s3:ListBucket on arn:aws:s3:::logs/* (statement Read).",
                "- Denies every action except s3:* on every resource, only when aws:SecureTransport Bool false.",
            ],
        );
        check(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            20_000,
            &["State: EXPIRED", "- Allows every action on every resource."],
        );
    }

    #[test]
    fn entity_arns_split() {
        assert_eq!(
            parse_entity_arn("arn:aws:iam::111111111111:delegation-request/abc"),
            Some(("111111111111", "delegation-request", "abc"))
        );
        assert_eq!(parse_entity_arn("arn:aws:s3:::bucket/key"), None);
        assert_eq!(parse_entity_arn("nonsense"), None);
    }
}
