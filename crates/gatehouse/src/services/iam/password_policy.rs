//! The account password policy (`Update/Get/DeleteAccountPasswordPolicy`) and the check
//! every new console password goes through: the custom policy when one is set, AWS's
//! default policy otherwise, and reuse prevention against earlier passwords.

use wire::iam::{
    errors, GetAccountPasswordPolicyResponse, PasswordPolicy, UpdateAccountPasswordPolicyRequest,
};
use wire::ServiceError;

use crate::auth::passwords;
use crate::store::{PasswordPolicyRecord, Tx};

use crate::request::RequestContext;

/// `MinimumPasswordLength` when `UpdateAccountPasswordPolicy` omits it.
const DEFAULT_MINIMUM_LENGTH: i64 = 6;
/// AWS's default policy (no custom policy set): minimum length.
const BUILTIN_MINIMUM_LENGTH: usize = 8;
/// AWS's default policy: character classes required out of four.
const BUILTIN_CLASSES: usize = 3;
/// The characters AWS counts as symbols.
const SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";

/// The policy `UpdateAccountPasswordPolicy` describes, with AWS's defaults for what it
/// omits (every call replaces the whole policy).
pub(super) fn from_request(input: &UpdateAccountPasswordPolicyRequest) -> PasswordPolicyRecord {
    PasswordPolicyRecord {
        minimum_length: input
            .minimum_password_length
            .map_or(DEFAULT_MINIMUM_LENGTH, i64::from),
        require_symbols: input.require_symbols.unwrap_or(false),
        require_numbers: input.require_numbers.unwrap_or(false),
        require_uppercase: input.require_uppercase_characters.unwrap_or(false),
        require_lowercase: input.require_lowercase_characters.unwrap_or(false),
        allow_users_to_change: input.allow_users_to_change_password.unwrap_or(false),
        max_age_days: input.max_password_age.map_or(0, i64::from),
        reuse_prevention: input.password_reuse_prevention.map_or(0, i64::from),
        hard_expiry: input.hard_expiry.unwrap_or(false),
    }
}

/// The policy as `GetAccountPasswordPolicy` returns it.
pub(super) fn to_wire(policy: &PasswordPolicyRecord) -> PasswordPolicy {
    let int = |value: i64| i32::try_from(value).unwrap_or(i32::MAX);
    PasswordPolicy {
        minimum_password_length: Some(int(policy.minimum_length)),
        require_symbols: Some(policy.require_symbols),
        require_numbers: Some(policy.require_numbers),
        require_uppercase_characters: Some(policy.require_uppercase),
        require_lowercase_characters: Some(policy.require_lowercase),
        allow_users_to_change_password: Some(policy.allow_users_to_change),
        expire_passwords: Some(policy.max_age_days > 0),
        max_password_age: (policy.max_age_days > 0).then(|| int(policy.max_age_days)),
        password_reuse_prevention: (policy.reuse_prevention > 0)
            .then(|| int(policy.reuse_prevention)),
        hard_expiry: (policy.max_age_days > 0).then_some(policy.hard_expiry),
    }
}

pub(super) async fn handle_update(
    tx: &mut Tx,
    context: &RequestContext,
    input: &UpdateAccountPasswordPolicyRequest,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    tx.put_password_policy(&account, &from_request(input))
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<GetAccountPasswordPolicyResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let policy = tx
        .password_policy(&account)
        .await?
        .ok_or_else(|| no_policy(&account))?;
    Ok(GetAccountPasswordPolicyResponse {
        password_policy: to_wire(&policy),
    })
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    if tx.delete_password_policy(&account).await? {
        Ok(())
    } else {
        Err(no_policy(&account))
    }
}

fn no_policy(account: &str) -> ServiceError {
    errors::no_such_entity(format!(
        "The Password Policy with domain name {account} cannot be found."
    ))
}

/// Checks a new password against the account's policy (AWS's default policy when none
/// is set) and, under reuse prevention, against the current and earlier passwords
/// (`previous`: PHC hashes, newest first).
pub(super) fn check(
    policy: Option<&PasswordPolicyRecord>,
    password: &str,
    account_names: &[&str],
    previous: &[&str],
) -> Result<(), ServiceError> {
    let has = |test: fn(char) -> bool| password.chars().any(test);
    let upper = has(|c| c.is_ascii_uppercase());
    let lower = has(|c| c.is_ascii_lowercase());
    let digit = has(|c| c.is_ascii_digit());
    let symbol = has(|c| SYMBOLS.contains(c));
    let violation = |text: String| Err(errors::password_policy_violation(text));
    let Some(policy) = policy else {
        if password.chars().count() < BUILTIN_MINIMUM_LENGTH {
            return violation(format!(
                "Password should have a minimum length of {BUILTIN_MINIMUM_LENGTH}"
            ));
        }
        let classes = [upper, lower, digit, symbol]
            .iter()
            .filter(|present| **present)
            .count();
        if classes < BUILTIN_CLASSES {
            return violation(
                "Password should include at least three of these character types: uppercase letters, lowercase letters, numbers and symbols"
                    .to_owned(),
            );
        }
        if account_names
            .iter()
            .any(|name| !name.is_empty() && name.eq_ignore_ascii_case(password))
        {
            return violation(
                "Password should not be identical to the account name or email address".to_owned(),
            );
        }
        return Ok(());
    };
    if i64::try_from(password.chars().count()).unwrap_or(i64::MAX) < policy.minimum_length {
        return violation(format!(
            "Password should have a minimum length of {}",
            policy.minimum_length
        ));
    }
    if policy.require_uppercase && !upper {
        return violation("Password should have at least one uppercase letter".to_owned());
    }
    if policy.require_lowercase && !lower {
        return violation("Password should have at least one lowercase letter".to_owned());
    }
    if policy.require_numbers && !digit {
        return violation("Password should have at least one number".to_owned());
    }
    if policy.require_symbols && !symbol {
        return violation("Password should have at least one symbol".to_owned());
    }
    let remembered = usize::try_from(policy.reuse_prevention).unwrap_or(0);
    if previous
        .iter()
        .take(remembered)
        .any(|hash| passwords::verify(hash, password))
    {
        return violation(
            "Policy constraint violation with password reuse prevention during password change"
                .to_owned(),
        );
    }
    Ok(())
}

/// Whether a password set at `changed_at` (milliseconds) has expired under the policy.
pub(super) fn expired(policy: Option<&PasswordPolicyRecord>, changed_at: i64, now: i64) -> bool {
    policy.is_some_and(|policy| {
        policy.max_age_days > 0 && now - changed_at > policy.max_age_days * 86_400_000
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicyRecord {
        from_request(&UpdateAccountPasswordPolicyRequest {
            minimum_password_length: Some(10),
            require_symbols: Some(true),
            require_numbers: Some(true),
            require_uppercase_characters: Some(true),
            require_lowercase_characters: Some(true),
            password_reuse_prevention: Some(2),
            ..UpdateAccountPasswordPolicyRequest::default()
        })
    }

    fn check_one(policy: Option<&PasswordPolicyRecord>, password: &str) -> Option<String> {
        check(policy, password, &["acct-name", "root@example.com"], &[])
            .err()
            .map(|err| err.message)
    }

    #[test]
    fn the_default_policy_wants_eight_characters_of_three_kinds() {
        assert!(check_one(None, "Short1!")
            .unwrap()
            .contains("minimum length of 8"));
        assert!(check_one(None, "alllowercase1").unwrap().contains("three"));
        assert_eq!(check_one(None, "Lower-and-1"), None);
        assert!(check_one(None, "Acct-Name").is_some());
    }

    #[test]
    fn a_custom_policy_checks_each_rule() {
        let policy = policy();
        let policy = Some(&policy);
        assert!(check_one(policy, "Aa1!aaaa").unwrap().contains("10"));
        assert!(check_one(policy, "aa1!aaaaaa")
            .unwrap()
            .contains("uppercase"));
        assert!(check_one(policy, "AA1!AAAAAA")
            .unwrap()
            .contains("lowercase"));
        assert!(check_one(policy, "Aa!aaaaaaa").unwrap().contains("number"));
        assert!(check_one(policy, "Aa1aaaaaaa").unwrap().contains("symbol"));
        assert_eq!(check_one(policy, "Aa1!aaaaaa"), None);
    }

    #[test]
    fn reuse_prevention_remembers_only_the_configured_number() {
        let policy = policy();
        let old = ["Aa1!first-one", "Aa1!second-one", "Aa1!third-one"];
        let hashes: Vec<String> = old.iter().map(|p| passwords::hash(p).unwrap()).collect();
        let hashes: Vec<&str> = hashes.iter().map(String::as_str).collect();
        let err = check(Some(&policy), old[0], &[], &hashes).unwrap_err();
        assert_eq!(err.code, "PasswordPolicyViolation");
        assert!(check(Some(&policy), old[1], &[], &hashes).is_err());
        assert!(check(Some(&policy), old[2], &[], &hashes).is_ok());
    }

    #[test]
    fn the_policy_reads_back_with_aws_defaults() {
        let wire = to_wire(&from_request(&UpdateAccountPasswordPolicyRequest::default()));
        assert_eq!(wire.minimum_password_length, Some(6));
        assert_eq!(wire.expire_passwords, Some(false));
        assert_eq!(wire.allow_users_to_change_password, Some(false));
        assert_eq!(wire.max_password_age, None);
    }
}
