//! Virtual MFA devices (TOTP, RFC 6238): create (seed and QR code returned once), enable
//! for a user with two consecutive codes, resync, deactivate, list, delete, tags. Seeds
//! are sealed under the master key at rest. [`verify_code`] is what STS calls to check a
//! user's current code (`GetSessionToken`/`AssumeRole` with `SerialNumber`/`TokenCode`).

use data_encoding::BASE32_NOPAD;
use rand::RngCore;
use wire::iam::{
    errors, AssignmentStatusType, CreateVirtualMFADeviceRequest, CreateVirtualMFADeviceResponse,
    GetMFADeviceResponse, ListMFADevicesResponse, ListVirtualMFADevicesRequest,
    ListVirtualMFADevicesResponse, MFADevice, VirtualMFADevice,
};
use wire::ServiceError;
use zeroize::Zeroizing;

use crate::app::App;
use crate::auth::totp;
use crate::model::arn;
use crate::store::{from_millis, name_key, now_millis, MfaDeviceRecord, StoreError, Tx};

use super::pagination;
use super::tags::{merge_tags, tags_to_wire};
use super::users::{find_user, user_to_wire};
use crate::request::RequestContext;

/// Seed length in bytes (64 base32 characters, as AWS's seeds).
const SEED_BYTES: usize = 40;
/// AWS's quota of MFA devices per user.
const DEVICES_PER_USER: usize = 8;
/// Steps back from now the first of two enabling codes may be (users wait for the
/// second code, and may be slow).
const ENABLE_WINDOW: i64 = 4;
/// Steps either side of now a resync may find the device's clock.
const RESYNC_WINDOW: i64 = 20;
/// Steps either side of now a sign-in code may be (clock drift).
const VERIFY_WINDOW: i64 = 1;
/// QR code: pixels per module and modules of quiet zone.
const QR_SCALE: usize = 4;
const QR_QUIET: usize = 4;

fn no_device(serial: &str) -> ServiceError {
    errors::no_such_entity(format!(
        "VirtualMFADevice with serial number {serial} doesn't exist."
    ))
}

fn invalid_code(serial: &str) -> ServiceError {
    errors::invalid_authentication_code(format!(
        "Authentication code for device {serial} is not valid."
    ))
}

/// The device of that serial number in the caller's account, or `NoSuchEntity`.
async fn find_device(
    tx: &mut Tx,
    context: &RequestContext,
    serial: &str,
) -> Result<MfaDeviceRecord, ServiceError> {
    let account = context.principal.account.to_string();
    tx.mfa_device(&account, serial)
        .await?
        .ok_or_else(|| no_device(serial))
}

/// The device's seed in clear (only in memory).
fn open_seed(app: &App, device: &MfaDeviceRecord) -> Result<Zeroizing<Vec<u8>>, ServiceError> {
    app.master_key()
        .open(device.serial_number.as_bytes(), &device.seed_sealed)
        .map_err(crate::app::internal)
}

/// The current TOTP time step.
fn current_step() -> i64 {
    totp::step_at(time::OffsetDateTime::now_utc().unix_timestamp())
}

/// The first step `s` in `window` after `last_step` whose codes are `first` at `s` and
/// `second` at `s + 1`.
fn consecutive(
    seed: &[u8],
    window: std::ops::RangeInclusive<i64>,
    last_step: i64,
    first: &str,
    second: &str,
) -> Option<i64> {
    window
        .filter(|step| *step > last_step)
        .find(|step| totp::matches(seed, *step, first) && totp::matches(seed, step + 1, second))
}

/// A QR code of `text` as a grayscale PNG.
fn qr_png(text: &str) -> Result<Vec<u8>, String> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|err| err.to_string())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QR_QUIET) * QR_SCALE;
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (row, col) = (index / modules + QR_QUIET, index % modules + QR_QUIET);
        for dy in 0..QR_SCALE {
            let start = (row * QR_SCALE + dy) * side + col * QR_SCALE;
            if let Some(span) = pixels.get_mut(start..start + QR_SCALE) {
                span.fill(0);
            }
        }
    }
    let side = u32::try_from(side).map_err(|err| err.to_string())?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|err| err.to_string())?;
    writer
        .write_image_data(&pixels)
        .map_err(|err| err.to_string())?;
    writer.finish().map_err(|err| err.to_string())?;
    Ok(out)
}

pub(super) async fn handle_create(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateVirtualMFADeviceRequest,
) -> Result<CreateVirtualMFADeviceResponse, ServiceError> {
    let principal = &context.principal;
    let account = principal.account.to_string();
    let path = input.path.unwrap_or_else(|| "/".to_owned());
    let serial_number = arn::iam_entity(
        principal.partition,
        principal.account,
        "mfa",
        &path,
        &input.virtual_mfa_device_name,
    );
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags.unwrap_or_default())?;
    let mut seed = Zeroizing::new(vec![0u8; SEED_BYTES]);
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let base32 = Zeroizing::new(BASE32_NOPAD.encode(&seed));
    let record = MfaDeviceRecord {
        account_id: account.clone(),
        serial_number: serial_number.clone(),
        name: input.virtual_mfa_device_name.clone(),
        path,
        seed_sealed: app.master_key().seal(serial_number.as_bytes(), &seed),
        user_key: None,
        enabled_at: None,
        last_step: 0,
        tags,
        created_at: now_millis(),
    };
    match tx.insert_mfa_device(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => {
            return Err(errors::entity_already_exists(
                "MFADevice entity at the same path and name already exists.",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    let issuer = tx.account_alias(&account).await?.unwrap_or(account);
    let label = format!("{}@{issuer}", input.virtual_mfa_device_name);
    let uri = format!(
        "otpauth://totp/{}?secret={}",
        percent_encoding::utf8_percent_encode(&label, percent_encoding::NON_ALPHANUMERIC),
        base32.as_str()
    );
    let png = qr_png(&uri).map_err(crate::app::internal)?;
    Ok(CreateVirtualMFADeviceResponse {
        virtual_mfa_device: VirtualMFADevice {
            serial_number,
            base32_string_seed: Some(base32.as_bytes().to_vec()),
            qr_code_png: Some(png),
            tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
            ..VirtualMFADevice::default()
        },
    })
}

pub(super) async fn handle_enable(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, serial): (&str, &str),
    (first, second): (&str, &str),
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    let mut device = find_device(tx, context, serial).await?;
    if device.user_key.is_some() {
        return Err(errors::entity_already_exists(
            "MFA Device is already in use.",
        ));
    }
    let held = tx.mfa_devices_of_user(&account, &user.user_name).await?;
    if held.len() >= DEVICES_PER_USER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for MFADevicesPerUser: {DEVICES_PER_USER}"
        )));
    }
    let seed = open_seed(app, &device)?;
    let now = current_step();
    let step = consecutive(
        &seed,
        now - ENABLE_WINDOW..=now,
        device.last_step,
        first,
        second,
    )
    .ok_or_else(|| invalid_code(serial))?;
    device.user_key = Some(name_key(&user.user_name));
    device.enabled_at = Some(now_millis());
    device.last_step = step + 1;
    tx.update_mfa_device(&device).await?;
    Ok(())
}

/// The device, which must be assigned to that user (`NoSuchEntity` otherwise).
async fn assigned_device(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: &str,
    serial: &str,
) -> Result<MfaDeviceRecord, ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    let device = tx
        .mfa_device(&account, serial)
        .await?
        .filter(|device| device.user_key.as_deref() == Some(name_key(&user.user_name).as_str()));
    device.ok_or_else(|| {
        errors::no_such_entity(format!(
            "MFA Device with serial number {serial} does not exist for user {}.",
            user.user_name
        ))
    })
}

pub(super) async fn handle_resync(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    (user_name, serial): (&str, &str),
    (first, second): (&str, &str),
) -> Result<(), ServiceError> {
    let mut device = assigned_device(tx, context, user_name, serial).await?;
    let seed = open_seed(app, &device)?;
    let now = current_step();
    let step = consecutive(
        &seed,
        now - RESYNC_WINDOW..=now + RESYNC_WINDOW,
        device.last_step,
        first,
        second,
    )
    .ok_or_else(|| invalid_code(serial))?;
    device.last_step = step + 1;
    tx.update_mfa_device(&device).await?;
    Ok(())
}

pub(super) async fn handle_deactivate(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
    serial: &str,
) -> Result<(), ServiceError> {
    let Some(user_name) = user_name.or_else(|| context.principal.user_name()) else {
        return Err(no_device(serial));
    };
    let mut device = assigned_device(tx, context, user_name, serial).await?;
    device.user_key = None;
    device.enabled_at = None;
    tx.update_mfa_device(&device).await?;
    Ok(())
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
    serial: &str,
) -> Result<GetMFADeviceResponse, ServiceError> {
    let Some(user_name) = user_name.or_else(|| context.principal.user_name()) else {
        return Err(no_device(serial));
    };
    let device = assigned_device(tx, context, user_name, serial).await?;
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    Ok(GetMFADeviceResponse {
        user_name: Some(user.user_name),
        serial_number: device.serial_number,
        enable_date: device.enabled_at.map(from_millis),
        certifications: None,
    })
}

pub(super) async fn handle_list_for_user(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: Option<&str>,
) -> Result<ListMFADevicesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let mut listed = Vec::new();
    // The root user (no name given) holds no virtual devices in Gatehouse.
    if let Some(name) = user_name.or_else(|| context.principal.user_name()) {
        let user = find_user(tx, &account, name).await?;
        for device in tx.mfa_devices_of_user(&account, &user.user_name).await? {
            listed.push(MFADevice {
                user_name: user.user_name.clone(),
                serial_number: device.serial_number,
                enable_date: from_millis(device.enabled_at.unwrap_or(device.created_at)),
            });
        }
    }
    Ok(ListMFADevicesResponse {
        mfa_devices: listed,
        is_truncated: Some(false),
        marker: None,
    })
}

pub(super) async fn handle_list_virtual(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListVirtualMFADevicesRequest,
) -> Result<ListVirtualMFADevicesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let limit = pagination::page_size(input.max_items);
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let assigned = match input.assignment_status {
        Some(AssignmentStatusType::Assigned) => Some(true),
        Some(AssignmentStatusType::Unassigned) => Some(false),
        _ => None,
    };
    let rows = tx
        .list_mfa_devices(&account, assigned, after.as_deref(), limit + 1)
        .await?;
    let (page, truncated, marker) =
        pagination::split(rows, limit, |device| device.serial_number.clone());
    let mut devices = Vec::with_capacity(page.len());
    for device in page {
        let user = match &device.user_key {
            Some(key) => tx
                .user(&account, key)
                .await?
                .map(|user| user_to_wire(context, &user)),
            None => None,
        };
        devices.push(VirtualMFADevice {
            serial_number: device.serial_number,
            user,
            enable_date: device.enabled_at.map(from_millis),
            tags: (!device.tags.is_empty()).then(|| tags_to_wire(&device.tags)),
            ..VirtualMFADevice::default()
        });
    }
    Ok(ListVirtualMFADevicesResponse {
        virtual_mfa_devices: devices,
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    serial: &str,
) -> Result<(), ServiceError> {
    let device = find_device(tx, context, serial).await?;
    if device.user_key.is_some() {
        return Err(errors::delete_conflict(
            "MFA VirtualDevice in use. Must deactivate first.",
        ));
    }
    tx.delete_mfa_device(&device.account_id, &device.serial_number)
        .await?;
    Ok(())
}

/// Applies a change to a device's tags and writes it back.
/// The tags of the MFA device `serial`, read without writing anything.
pub(super) async fn tags(
    tx: &mut Tx,
    context: &RequestContext,
    serial: &str,
) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(find_device(tx, context, serial).await?.tags)
}

pub(super) async fn update_tags(
    tx: &mut Tx,
    context: &RequestContext,
    serial: &str,
    change: impl FnOnce(&mut Vec<(String, String)>) -> Result<(), ServiceError>,
) -> Result<Vec<(String, String)>, ServiceError> {
    let mut device = find_device(tx, context, serial).await?;
    change(&mut device.tags)?;
    tx.update_mfa_device(&device).await?;
    Ok(device.tags)
}

/// Checks a code from the MFA device `serial` assigned to `user_name` in `account`, as STS
/// does for `GetSessionToken`/`AssumeRole` with `SerialNumber` and `TokenCode`: the code
/// must be the device's for the current time step (±1 step of clock drift) and for a
/// step later than any code accepted before, so a code is accepted at most once. An
/// accepted code is recorded in `tx` (commit it with the request). `Ok(false)` for an
/// unknown device, a device not assigned to that user, or a wrong or reused code.
pub(crate) async fn verify_code(
    app: &App,
    tx: &mut Tx,
    account: &str,
    user_name: &str,
    serial: &str,
    code: &str,
) -> Result<bool, ServiceError> {
    let Some(device) = tx.mfa_device(account, serial).await? else {
        return Ok(false);
    };
    if device.user_key.as_deref() != Some(name_key(user_name).as_str()) {
        return Ok(false);
    }
    let seed = open_seed(app, &device)?;
    let now = current_step();
    let Some(step) = totp::find_step(
        &seed,
        (now - VERIFY_WINDOW..=now + VERIFY_WINDOW).filter(|step| *step > device.last_step),
        code,
    ) else {
        return Ok(false);
    };
    tx.advance_mfa_step(account, serial, step)
        .await
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_codes_are_png_images() {
        let png = qr_png("otpauth://totp/dev@123456789012?secret=ABCDEFGH").unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(png.as_slice());
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert!(info.width >= 21 * QR_SCALE as u32);
    }

    #[test]
    fn enabling_needs_two_consecutive_codes_after_the_last_accepted_step() {
        let seed = b"seed-for-the-test";
        let (first, second) = (totp::code(seed, 100), totp::code(seed, 101));
        assert_eq!(consecutive(seed, 96..=100, 0, &first, &second), Some(100));
        assert_eq!(consecutive(seed, 96..=100, 0, &second, &first), None);
        assert_eq!(consecutive(seed, 96..=100, 100, &first, &second), None);
        assert_eq!(consecutive(seed, 90..=95, 0, &first, &second), None);
    }
}
