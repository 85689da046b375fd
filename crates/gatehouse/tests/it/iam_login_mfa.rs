//! Console passwords and virtual MFA devices through the AWS SDK: login profiles, the
//! account password policy, ChangePassword, TOTP devices (create, enable with two
//! consecutive codes, resync, deactivate, list, tags, delete) and the conflicts they
//! cause on DeleteUser.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{AssignmentStatusType, Tag};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::support::credentials::{account_of, user_with_key};
use super::support::server::Server;

const GOOD: &str = "Str0ng-Passw0rd!";

#[tokio::test]
async fn login_profiles_follow_the_password_policy() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let alice_keys = user_with_key(&iam, "alice").await;
    let alice = server.iam(&alice_keys);

    // AWS's default policy: 8 characters of three kinds.
    let err = iam
        .create_login_profile()
        .user_name("alice")
        .password("short")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PasswordPolicyViolation"), "{err:?}");
    let err = iam
        .create_login_profile()
        .user_name("alice")
        .password("onlylowercase")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PasswordPolicyViolation"));
    let err = iam
        .create_login_profile()
        .user_name("nobody")
        .password(GOOD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    let created = iam
        .create_login_profile()
        .user_name("ALICE")
        .password(GOOD)
        .password_reset_required(true)
        .send()
        .await
        .unwrap();
    let profile = created.login_profile().unwrap();
    assert_eq!(profile.user_name(), "alice");
    assert!(profile.password_reset_required());
    let err = iam
        .create_login_profile()
        .user_name("alice")
        .password(GOOD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let got = iam
        .get_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(got.login_profile().unwrap().password_reset_required());

    // A user cannot manage login profiles without a policy that allows it.
    let err = alice
        .create_login_profile()
        .password(GOOD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // No custom policy yet.
    let err = iam.get_account_password_policy().send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam
        .delete_account_password_policy()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam
        .update_account_password_policy()
        .minimum_password_length(5)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));

    iam.update_account_password_policy()
        .minimum_password_length(12)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .password_reuse_prevention(2)
        .send()
        .await
        .unwrap();
    let policy = iam.get_account_password_policy().send().await.unwrap();
    let policy = policy.password_policy().unwrap();
    assert_eq!(policy.minimum_password_length(), Some(12));
    assert_eq!(policy.password_reuse_prevention(), Some(2));
    assert!(!policy.allow_users_to_change_password());
    assert!(!policy.expire_passwords());

    for weak in [
        "Sh0rt-pass",
        "no-upper-case-1",
        "NO-LOWER-CASE-1",
        "No-Numbers-Here",
        "NoSymbols12345",
    ] {
        let err = iam
            .update_login_profile()
            .user_name("alice")
            .password(weak)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("PasswordPolicyViolation"), "{weak}");
    }
    // The current password cannot be set again under reuse prevention.
    let err = iam
        .update_login_profile()
        .user_name("alice")
        .password(GOOD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PasswordPolicyViolation"));

    // ChangePassword: denied without a grant while AllowUsersToChangePassword is off.
    let err = alice
        .change_password()
        .old_password(GOOD)
        .new_password("An0ther-Passw0rd!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    iam.update_account_password_policy()
        .minimum_password_length(12)
        .require_numbers(true)
        .password_reuse_prevention(2)
        .allow_users_to_change_password(true)
        .send()
        .await
        .unwrap();
    let err = alice
        .change_password()
        .old_password("Wrong-Passw0rd!")
        .new_password("An0ther-Passw0rd!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = alice
        .change_password()
        .old_password(GOOD)
        .new_password(GOOD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PasswordPolicyViolation"));
    let err = alice
        .change_password()
        .old_password(GOOD)
        .new_password("too-short-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PasswordPolicyViolation"));
    alice
        .change_password()
        .old_password(GOOD)
        .new_password("An0ther-Passw0rd!")
        .send()
        .await
        .unwrap();
    // The old password no longer works; the new one does; the reset flag is cleared.
    let err = alice
        .change_password()
        .old_password(GOOD)
        .new_password("Th1rd-Passw0rd!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let got = iam
        .get_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(!got.login_profile().unwrap().password_reset_required());
    // Two passwords are remembered: going back to the first is refused.
    let err = alice
        .change_password()
        .old_password("An0ther-Passw0rd!")
        .new_password(GOOD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PasswordPolicyViolation"));
    // An explicit deny still wins over AllowUsersToChangePassword.
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("no-password-change")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ChangePassword","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let err = alice
        .change_password()
        .old_password("An0ther-Passw0rd!")
        .new_password("Th1rd-Passw0rd!!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err.message().unwrap().contains("explicit deny"), "{err:?}");
    iam.delete_user_policy()
        .user_name("alice")
        .policy_name("no-password-change")
        .send()
        .await
        .unwrap();

    // The root user has no login profile to change.
    let err = iam
        .change_password()
        .old_password(GOOD)
        .new_password("An0ther-Passw0rd!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidUserType"));

    // A user with a login profile cannot be deleted.
    iam.delete_access_key()
        .user_name("alice")
        .access_key_id(&alice_keys.id)
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    assert!(err.message().unwrap().contains("login profile"));
    iam.delete_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let err = iam
        .get_login_profile()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.delete_user().user_name("alice").send().await.unwrap();
    iam.delete_account_password_policy().send().await.unwrap();
    let err = iam.get_account_password_policy().send().await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

/// The TOTP code of a base32 seed for a time step (RFC 6238, SHA-1, 6 digits), computed
/// independently of the server's code.
pub fn totp(seed_base32: &str, step: u64) -> String {
    let seed = data_encoding::BASE32_NOPAD
        .decode(seed_base32.as_bytes())
        .unwrap();
    let mut mac = Hmac::<Sha1>::new_from_slice(&seed).unwrap();
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes(digest[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

pub fn now_step() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 30
}

#[tokio::test]
async fn virtual_mfa_device_lifecycle() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;
    iam.create_user().user_name("alice").send().await.unwrap();

    let created = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-phone")
        .path("/people/")
        .tags(Tag::builder().key("owner").value("alice").build().unwrap())
        .send()
        .await
        .unwrap();
    let device = created.virtual_mfa_device().unwrap();
    let serial = device.serial_number().to_owned();
    assert_eq!(
        serial,
        format!("arn:aws:iam::{account}:mfa/people/alice-phone")
    );
    let seed = String::from_utf8(device.base32_string_seed().unwrap().as_ref().to_vec()).unwrap();
    assert_eq!(seed.len(), 64);
    assert!(data_encoding::BASE32_NOPAD.decode(seed.as_bytes()).is_ok());
    let png = device.qr_code_png().unwrap().as_ref();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let err = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("ALICE-PHONE")
        .path("/people/")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));

    let unassigned = iam
        .list_virtual_mfa_devices()
        .assignment_status(AssignmentStatusType::Unassigned)
        .send()
        .await
        .unwrap();
    assert_eq!(unassigned.virtual_mfa_devices().len(), 1);
    assert!(unassigned.virtual_mfa_devices()[0]
        .base32_string_seed()
        .is_none());
    let assigned = iam
        .list_virtual_mfa_devices()
        .assignment_status(AssignmentStatusType::Assigned)
        .send()
        .await
        .unwrap();
    assert!(assigned.virtual_mfa_devices().is_empty());

    // Wrong codes, codes in the wrong order, and codes of an unknown device are refused.
    let step = now_step();
    let (first, second) = (totp(&seed, step - 1), totp(&seed, step));
    let err = iam
        .enable_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1(&second)
        .authentication_code2(&first)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidAuthenticationCode"), "{err:?}");
    let err = iam
        .enable_mfa_device()
        .user_name("alice")
        .serial_number(format!("arn:aws:iam::{account}:mfa/nothing"))
        .authentication_code1(&first)
        .authentication_code2(&second)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1(&first)
        .authentication_code2(&second)
        .send()
        .await
        .unwrap();
    let err = iam
        .enable_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1(&first)
        .authentication_code2(&second)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));

    let listed = iam
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.mfa_devices().len(), 1);
    assert_eq!(listed.mfa_devices()[0].serial_number(), serial);
    assert_eq!(listed.mfa_devices()[0].user_name(), "alice");
    let assigned = iam
        .list_virtual_mfa_devices()
        .assignment_status(AssignmentStatusType::Assigned)
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.virtual_mfa_devices().len(), 1);
    assert_eq!(
        assigned.virtual_mfa_devices()[0]
            .user()
            .unwrap()
            .user_name(),
        "alice"
    );
    assert!(assigned.virtual_mfa_devices()[0].enable_date().is_some());

    // Resync: reused codes are refused, later consecutive codes accepted.
    let err = iam
        .resync_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1(&first)
        .authentication_code2(&second)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidAuthenticationCode"));
    iam.resync_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1(totp(&seed, step + 2))
        .authentication_code2(totp(&seed, step + 3))
        .send()
        .await
        .unwrap();

    // Tags on the device.
    iam.tag_mfa_device()
        .serial_number(&serial)
        .tags(Tag::builder().key("kind").value("phone").build().unwrap())
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_mfa_device_tags()
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 2);
    iam.untag_mfa_device()
        .serial_number(&serial)
        .tag_keys("OWNER")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_mfa_device_tags()
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].key(), "kind");

    // Assigned devices block deleting the device and the user.
    let err = iam
        .delete_virtual_mfa_device()
        .serial_number(&serial)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    let err = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    assert!(err.message().unwrap().contains("MFA"));

    iam.deactivate_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    let err = iam
        .deactivate_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    let listed = iam
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(listed.mfa_devices().is_empty());
    iam.delete_user().user_name("alice").send().await.unwrap();
    iam.delete_virtual_mfa_device()
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    let err = iam
        .delete_virtual_mfa_device()
        .serial_number(&serial)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    // The seed is sealed at rest: it appears nowhere in the data directory.
    let raw = data_encoding::BASE32_NOPAD.decode(seed.as_bytes()).unwrap();
    for entry in std::fs::read_dir(&server.data_dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(raw.len()).any(|w| w == raw.as_slice()));
        assert!(!bytes.windows(seed.len()).any(|w| w == seed.as_bytes()));
    }
}

#[tokio::test]
async fn a_user_manages_only_its_own_mfa_device_through_its_policy() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let bob_keys = user_with_key(&iam, "bob").await;
    iam.create_user().user_name("carol").send().await.unwrap();
    iam.put_user_policy()
        .user_name("bob")
        .policy_name("own-mfa")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"iam:CreateVirtualMFADevice","Resource":"arn:aws:iam::*:mfa/${aws:username}"},
            {"Effect":"Allow","Action":["iam:EnableMFADevice","iam:ListMFADevices"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#)
        .send()
        .await
        .unwrap();
    let bob = server.iam(&bob_keys);
    // Policies apply at once within the account (views are invalidated on change).
    let created = bob
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("bob")
        .send()
        .await
        .unwrap();
    let device = created.virtual_mfa_device().unwrap();
    let seed = String::from_utf8(device.base32_string_seed().unwrap().as_ref().to_vec()).unwrap();
    let err = bob
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let step = now_step();
    let err = bob
        .enable_mfa_device()
        .user_name("carol")
        .serial_number(device.serial_number())
        .authentication_code1(totp(&seed, step - 1))
        .authentication_code2(totp(&seed, step))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    bob.enable_mfa_device()
        .user_name("bob")
        .serial_number(device.serial_number())
        .authentication_code1(totp(&seed, step - 1))
        .authentication_code2(totp(&seed, step))
        .send()
        .await
        .unwrap();
    let mine = bob.list_mfa_devices().send().await.unwrap();
    assert_eq!(mine.mfa_devices().len(), 1);
}
