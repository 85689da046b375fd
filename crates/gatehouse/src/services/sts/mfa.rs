//! MFA codes presented to STS (`SerialNumber` + `TokenCode` on `GetSessionToken` and
//! `AssumeRole`): checked against the caller's enabled MFA device by IAM's
//! `mfa::verify_code`, which also records the code so it is never accepted twice.

use wire::ServiceError;

use crate::app::App;
use crate::auth::{Principal, PrincipalKind};
use crate::services::iam::mfa::verify_code;
use crate::store::Tx;

/// Checks an MFA code for `caller`; the proof time (now) when one was given and is
/// right, `None` when the request carries none. The caller must commit `tx` for the
/// code to count as used.
pub(super) async fn prove(
    app: &App,
    tx: &mut Tx,
    caller: &Principal,
    serial_number: Option<&str>,
    token_code: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    let (serial, code) = match (serial_number, token_code) {
        (None, None) => return Ok(None),
        (Some(serial), Some(code)) => (serial, code),
        (Some(_), None) | (None, Some(_)) => {
            return Err(ServiceError::validation(
                "SerialNumber and TokenCode must be given together",
            ))
        }
    };
    let failed = || {
        ServiceError::new(
            "AccessDenied",
            403,
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        )
    };
    // Only IAM users hold the virtual MFA devices Gatehouse serves.
    let PrincipalKind::User { name, .. } = &caller.kind else {
        return Err(failed());
    };
    let account = caller.account.to_string();
    if verify_code(app, tx, &account, name, serial, code).await? {
        Ok(Some(time::OffsetDateTime::now_utc().unix_timestamp()))
    } else {
        Err(failed())
    }
}
