//! The account alias (`Create/Delete/ListAccountAliases`): at most one per account (a new
//! one replaces the old), unique across all accounts.

use wire::iam::{errors, ListAccountAliasesResponse};
use wire::ServiceError;

use crate::store::{StoreError, Tx};

use crate::request::RequestContext;

/// The model's pattern, which its generated checks cannot apply (it uses a look-ahead).
const PATTERN: &str = "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$";

/// Whether `alias` matches [`PATTERN`]: lower-case letters, digits and single hyphens,
/// starting and ending with a letter or digit, 3 to 63 characters.
fn valid(alias: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let length = alias.chars().count();
    (3..=63).contains(&length)
        && alias.chars().all(|c| alnum(c) || c == '-')
        && alias.chars().next().is_some_and(alnum)
        && alias.chars().last().is_some_and(alnum)
        && !alias.contains("--")
}

fn check(alias: &str) -> Result<(), ServiceError> {
    if valid(alias) {
        Ok(())
    } else {
        Err(ServiceError::validation(format!(
            "1 validation error detected: Value '{alias}' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: {PATTERN}"
        )))
    }
}

pub(super) async fn handle_create(
    tx: &mut Tx,
    context: &RequestContext,
    alias: &str,
) -> Result<(), ServiceError> {
    check(alias)?;
    let account = context.principal.account.to_string();
    let current = tx.account_alias(&account).await?;
    if current.as_deref() == Some(alias) {
        return Ok(());
    }
    if let Some(current) = current {
        tx.delete_account_alias(&account, &current).await?;
    }
    match tx.insert_account_alias(&account, alias).await {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "The account alias {alias} already exists."
        ))),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    alias: &str,
) -> Result<(), ServiceError> {
    check(alias)?;
    let account = context.principal.account.to_string();
    if tx.delete_account_alias(&account, alias).await? {
        Ok(())
    } else {
        Err(errors::no_such_entity(format!(
            "The account alias {alias} cannot be found."
        )))
    }
}

pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<ListAccountAliasesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let alias = tx.account_alias(&account).await?;
    Ok(ListAccountAliasesResponse {
        account_aliases: alias.into_iter().collect(),
        is_truncated: Some(false),
        marker: None,
    })
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn aliases_follow_the_model_pattern() {
        for good in ["abc", "my-company", "a1-b2-c3", &"a".repeat(63)] {
            assert!(valid(good), "{good}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "Upper",
            "under_score",
            &"a".repeat(64),
        ] {
            assert!(!valid(bad), "{bad}");
        }
    }
}
