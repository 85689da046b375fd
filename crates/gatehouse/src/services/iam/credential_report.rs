//! The credential report (`GenerateCredentialReport`/`GetCredentialReport`): one CSV row
//! per IAM user plus `<root_account>`, in AWS's columns and value formats. A report is
//! made inside the generating request; as AWS, the first call answers `STARTED`, later
//! calls within four hours `COMPLETE` without making a new one.

use wire::iam::{
    errors, GenerateCredentialReportResponse, GetCredentialReportResponse, ReportFormatType,
    ReportStateType,
};
use wire::ServiceError;

use crate::model::arn;
use crate::store::{
    from_millis, name_key, now_millis, AccessKeyRecord, KeyOwner, LoginProfileRecord,
    PasswordPolicyRecord, SigningCertificateRecord, Tx,
};

use crate::request::RequestContext;

/// The columns, in AWS's order.
const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
/// A report younger than this is returned as is (milliseconds: four hours).
const FRESH_FOR: i64 = 4 * 3600 * 1000;
/// Users read per store call while building the report.
const PAGE: i64 = 1000;
const NOT_APPLICABLE: &str = "N/A";

/// A time as the report writes it: `2024-05-01T12:00:00+00:00`.
fn timestamp(millis: i64) -> String {
    let time = from_millis(millis);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// The eight access-key columns for a principal's first two keys.
fn key_columns(keys: &[AccessKeyRecord]) -> Vec<String> {
    let mut columns = Vec::with_capacity(10);
    for index in 0..2 {
        match keys.get(index) {
            None => columns.extend(
                [
                    "false",
                    NOT_APPLICABLE,
                    NOT_APPLICABLE,
                    NOT_APPLICABLE,
                    NOT_APPLICABLE,
                ]
                .map(str::to_owned),
            ),
            Some(key) => {
                columns.push((key.status == "Active").to_string());
                columns.push(timestamp(key.created_at));
                match &key.last_used {
                    Some((at, service, region)) => {
                        columns.push(timestamp(*at));
                        columns.push(region.clone());
                        columns.push(service.clone());
                    }
                    None => columns.extend([NOT_APPLICABLE; 3].map(str::to_owned)),
                }
            }
        }
    }
    columns
}

/// The four certificate columns for a principal's first two signing certificates.
fn certificate_columns(certificates: &[SigningCertificateRecord]) -> Vec<String> {
    let mut columns = Vec::with_capacity(4);
    for index in 0..2 {
        match certificates.get(index) {
            None => columns.extend(["false", NOT_APPLICABLE].map(str::to_owned)),
            Some(certificate) => {
                columns.push((certificate.status == "Active").to_string());
                columns.push(timestamp(certificate.created_at));
            }
        }
    }
    columns
}

/// The password columns of a user: enabled, last used, last changed, next rotation.
fn password_columns(
    profile: Option<&LoginProfileRecord>,
    policy: Option<&PasswordPolicyRecord>,
) -> [String; 4] {
    match profile {
        None => ["false", NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE].map(str::to_owned),
        Some(profile) => [
            "true".to_owned(),
            // Gatehouse has no console sign-in, so a password is never used.
            "no_information".to_owned(),
            timestamp(profile.changed_at),
            match policy.filter(|policy| policy.max_age_days > 0) {
                Some(policy) => timestamp(profile.changed_at + policy.max_age_days * 86_400_000),
                None => NOT_APPLICABLE.to_owned(),
            },
        ],
    }
}

/// Builds the CSV text of the account's report.
async fn build(tx: &mut Tx, context: &RequestContext) -> Result<String, ServiceError> {
    let principal = &context.principal;
    let account = principal.account.to_string();
    let created = tx
        .account(&account)
        .await?
        .map_or(0, |record| record.created_at);
    let policy = tx.password_policy(&account).await?;
    let profiles = tx.login_profiles(&account).await?;

    let mut lines = vec![HEADER.to_owned()];
    let root_keys = tx.access_keys_of(&account, &KeyOwner::Root).await?;
    let mut root = vec![
        "<root_account>".to_owned(),
        arn::root(principal.partition, principal.account),
        timestamp(created),
        "not_supported".to_owned(),
        "no_information".to_owned(),
        "not_supported".to_owned(),
        "not_supported".to_owned(),
        "false".to_owned(),
    ];
    root.extend(key_columns(&root_keys));
    let root_certificates = tx
        .signing_certificates_of(&account, &KeyOwner::Root)
        .await?;
    root.extend(certificate_columns(&root_certificates));
    lines.push(root.join(","));

    let mut after: Option<String> = None;
    loop {
        let users = tx.list_users(&account, "/", after.as_deref(), PAGE).await?;
        let Some(last) = users.last() else { break };
        after = Some(name_key(&last.user_name));
        let full_page = i64::try_from(users.len()).unwrap_or(0) == PAGE;
        for user in users {
            let key = name_key(&user.user_name);
            let profile = profiles.iter().find(|profile| profile.user_key == key);
            let mfa = !tx
                .mfa_devices_of_user(&account, &user.user_name)
                .await?
                .is_empty();
            let keys = tx
                .access_keys_of(&account, &KeyOwner::User(user.user_name.clone()))
                .await?;
            let certificates = tx
                .signing_certificates_of(&account, &KeyOwner::User(user.user_name.clone()))
                .await?;
            let mut row = vec![
                user.user_name.clone(),
                arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "user",
                    &user.path,
                    &user.user_name,
                ),
                timestamp(user.created_at),
            ];
            row.extend(password_columns(profile, policy.as_ref()));
            row.push(mfa.to_string());
            row.extend(key_columns(&keys));
            row.extend(certificate_columns(&certificates));
            lines.push(row.join(","));
        }
        if !full_page {
            break;
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok(text)
}

pub(super) async fn handle_generate(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<GenerateCredentialReportResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let now = now_millis();
    let existing = tx.credential_report(&account).await?;
    if existing.is_some_and(|(_, generated)| now - generated < FRESH_FOR) {
        return Ok(GenerateCredentialReportResponse {
            state: Some(ReportStateType::Complete),
            description: None,
        });
    }
    let content = build(tx, context).await?;
    tx.put_credential_report(&account, &content, now).await?;
    Ok(GenerateCredentialReportResponse {
        state: Some(ReportStateType::Started),
        description: Some("No report exists. Starting a new report generation task".to_owned()),
    })
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<GetCredentialReportResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let Some((content, generated)) = tx.credential_report(&account).await? else {
        return Err(errors::report_not_present(
            "Credential report not present. Use GenerateCredentialReport to generate a report.",
        ));
    };
    if now_millis() - generated >= FRESH_FOR {
        return Err(errors::report_expired(
            "Credential report is expired. Use GenerateCredentialReport to generate a new report.",
        ));
    }
    Ok(GetCredentialReportResponse {
        content: Some(content.into_bytes()),
        report_format: Some(ReportFormatType::TextCsv),
        generated_time: Some(from_millis(generated)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_has_aws_columns_and_rows_match_it() {
        assert_eq!(HEADER.split(',').count(), 22);
        assert_eq!(key_columns(&[]).len(), 10);
        assert_eq!(8 + 10 + 4, HEADER.split(',').count());
        assert_eq!(timestamp(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(timestamp(1_700_000_000_000), "2023-11-14T22:13:20+00:00");
    }

    #[test]
    fn password_columns_follow_the_policy() {
        let profile = LoginProfileRecord {
            account_id: "1".into(),
            user_key: "u".into(),
            password_hash: String::new(),
            reset_required: false,
            history: Vec::new(),
            created_at: 0,
            changed_at: 0,
        };
        assert_eq!(password_columns(None, None)[0], "false");
        let columns = password_columns(Some(&profile), None);
        assert_eq!(columns[1], "no_information");
        assert_eq!(columns[3], "N/A");
        let policy = PasswordPolicyRecord {
            minimum_length: 8,
            require_symbols: false,
            require_numbers: false,
            require_uppercase: false,
            require_lowercase: false,
            allow_users_to_change: false,
            max_age_days: 1,
            reuse_prevention: 0,
            hard_expiry: false,
        };
        assert_eq!(
            password_columns(Some(&profile), Some(&policy))[3],
            "1970-01-02T00:00:00+00:00"
        );
    }
}
