#!/usr/bin/env bash
# AWS CLI smoke test: the quick tour of README.md, checked. Needs GATEHOUSE_ENDPOINT and
# AWS_SHARED_CREDENTIALS_FILE pointing at a server's root credentials.
set -euo pipefail
: "${GATEHOUSE_ENDPOINT:?}"
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
aws() { command aws --endpoint-url "$GATEHOUSE_ENDPOINT" "$@"; }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

account=$(aws sts get-caller-identity --query Account --output text)
[[ "$account" =~ ^[0-9]{12}$ ]] || fail "account id: $account"
[[ "$(aws sts get-caller-identity --query Arn --output text)" == "arn:aws:iam::$account:root" ]] || fail "root arn"

aws iam create-user --user-name deployer --path /ci/ >/dev/null
[[ "$(aws iam get-user --user-name deployer --query User.Arn --output text)" == "arn:aws:iam::$account:user/ci/deployer" ]] || fail "user arn"
read -r key_id secret < <(aws iam create-access-key --user-name deployer \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
[[ "$key_id" == AKIA* ]] || fail "key id $key_id"
[[ "$(aws iam list-users --query 'length(Users)' --output text)" == "1" ]] || fail "list-users"

arn=$(AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret aws sts get-caller-identity --query Arn --output text)
[[ "$arn" == "arn:aws:iam::$account:user/ci/deployer" ]] || fail "user identity: $arn"

# A role profile in ~/.aws/config: the CLI itself assumes the role through Gatehouse.
aws iam create-role --role-name SmokeRole --assume-role-policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$account:user/ci/deployer\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
aws iam attach-role-policy --role-name SmokeRole --policy-arn arn:aws:iam::aws:policy/IAMReadOnlyAccess
profiles=$(mktemp -d)
printf '[deployer]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key_id" "$secret" >"$profiles/credentials"
printf '[profile assumed]\nrole_arn = arn:aws:iam::%s:role/SmokeRole\nsource_profile = deployer\nregion = us-east-1\n' "$account" >"$profiles/config"
role_arn=$(AWS_CONFIG_FILE="$profiles/config" AWS_SHARED_CREDENTIALS_FILE="$profiles/credentials" \
  AWS_ENDPOINT_URL="$GATEHOUSE_ENDPOINT" command aws --profile assumed sts get-caller-identity --query Arn --output text)
[[ "$role_arn" == "arn:aws:sts::$account:assumed-role/SmokeRole/"* ]] || fail "role profile identity: $role_arn"
rm -rf "$profiles"
aws iam detach-role-policy --role-name SmokeRole --policy-arn arn:aws:iam::aws:policy/IAMReadOnlyAccess
aws iam delete-role --role-name SmokeRole

if out=$(AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret aws iam create-user --user-name intruder 2>&1); then
  fail "deployer could create a user"
fi
[[ "$out" == *AccessDenied* ]] || fail "expected AccessDenied, got: $out"

aws iam update-access-key --user-name deployer --access-key-id "$key_id" --status Inactive
if out=$(AWS_ACCESS_KEY_ID=$key_id AWS_SECRET_ACCESS_KEY=$secret aws sts get-caller-identity 2>&1); then
  fail "inactive key accepted"
fi
[[ "$out" == *InvalidClientTokenId* ]] || fail "expected InvalidClientTokenId, got: $out"

# Console password, virtual MFA device (codes computed from the seed) and an instance profile.
aws iam create-user --user-name console >/dev/null
aws iam update-account-password-policy --minimum-password-length 12 --require-numbers
if out=$(aws iam create-login-profile --user-name console --password short-1 2>&1); then fail "weak password accepted"; fi
[[ "$out" == *PasswordPolicyViolation* ]] || fail "expected PasswordPolicyViolation, got: $out"
aws iam create-login-profile --user-name console --password 'Console-Passw0rd' --password-reset-required >/dev/null
[[ "$(aws iam get-login-profile --user-name console --query LoginProfile.PasswordResetRequired --output text)" == "True" ]] || fail "login profile"
mfa_dir=$(mktemp -d)
serial=$(aws iam create-virtual-mfa-device --virtual-mfa-device-name console-phone \
  --outfile "$mfa_dir/seed.txt" --bootstrap-method Base32StringSeed --query VirtualMFADevice.SerialNumber --output text)
[[ "$serial" == "arn:aws:iam::$account:mfa/console-phone" ]] || fail "mfa serial $serial"
aws iam create-virtual-mfa-device --virtual-mfa-device-name console-qr \
  --outfile "$mfa_dir/qr.png" --bootstrap-method QRCodePNG >/dev/null
[[ "$(head -c 4 "$mfa_dir/qr.png" | tail -c 3)" == "PNG" ]] || fail "QR code is not a PNG"
# TOTP codes (RFC 6238) of the seed for the current 30-second step plus each offset.
cat >"$mfa_dir/totp.py" <<'PY'
import base64, hashlib, hmac, struct, sys, time
seed = base64.b32decode(open(sys.argv[1]).read().strip())
def code(step):
    digest = hmac.new(seed, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000)
now = int(time.time()) // 30
print(" ".join(code(now + int(delta)) for delta in sys.argv[2:]))
PY
read -r code1 code2 < <(python3 "$mfa_dir/totp.py" "$mfa_dir/seed.txt" -1 0)
aws iam enable-mfa-device --user-name console --serial-number "$serial" \
  --authentication-code1 "$code1" --authentication-code2 "$code2"
[[ "$(aws iam list-mfa-devices --user-name console --query 'MFADevices[0].SerialNumber' --output text)" == "$serial" ]] || fail "list-mfa-devices"

# A role profile with mfa_serial: the CLI asks for the code (read from stdin here) and
# assumes a role whose trust policy requires MFA.
aws iam create-role --role-name MfaRole --assume-role-policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$account:user/console\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}]}" >/dev/null
read -r console_key console_secret < <(aws iam create-access-key --user-name console \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
printf '[console]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$console_key" "$console_secret" >"$mfa_dir/credentials"
printf '[profile mfa-role]\nrole_arn = arn:aws:iam::%s:role/MfaRole\nsource_profile = console\nmfa_serial = %s\nregion = us-east-1\n' \
  "$account" "$serial" >"$mfa_dir/config"
printf '[profile no-mfa]\nrole_arn = arn:aws:iam::%s:role/MfaRole\nsource_profile = console\nregion = us-east-1\n' \
  "$account" >>"$mfa_dir/config"
profile_aws() {
  AWS_CONFIG_FILE="$mfa_dir/config" AWS_SHARED_CREDENTIALS_FILE="$mfa_dir/credentials" \
    AWS_ENDPOINT_URL="$GATEHOUSE_ENDPOINT" command aws "$@"
}
if out=$(profile_aws --profile no-mfa sts get-caller-identity 2>&1); then fail "assumed an MFA-only role without MFA"; fi
[[ "$out" == *AccessDenied* ]] || fail "expected AccessDenied without MFA, got: $out"
read -r code3 < <(python3 "$mfa_dir/totp.py" "$mfa_dir/seed.txt" 1)
mfa_arn=$(echo "$code3" | profile_aws --profile mfa-role sts get-caller-identity --query Arn --output text 2>/dev/null)
[[ "$mfa_arn" == "arn:aws:sts::$account:assumed-role/MfaRole/"* ]] || fail "mfa_serial profile identity: $mfa_arn"
aws iam delete-access-key --user-name console --access-key-id "$console_key"
aws iam delete-role --role-name MfaRole
if out=$(aws iam delete-user --user-name console 2>&1); then fail "deleted a user with MFA"; fi
[[ "$out" == *DeleteConflict* ]] || fail "expected DeleteConflict, got: $out"
aws iam deactivate-mfa-device --user-name console --serial-number "$serial"
aws iam delete-virtual-mfa-device --serial-number "$serial"
aws iam delete-virtual-mfa-device --serial-number "arn:aws:iam::$account:mfa/console-qr"
aws iam delete-login-profile --user-name console
aws iam delete-user --user-name console
aws iam delete-account-password-policy
rm -rf "$mfa_dir"
aws iam create-instance-profile --instance-profile-name smoke-profile >/dev/null
aws iam create-role --role-name SmokeEc2 --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
aws iam add-role-to-instance-profile --instance-profile-name smoke-profile --role-name SmokeEc2
[[ "$(aws iam get-instance-profile --instance-profile-name smoke-profile --query 'InstanceProfile.Roles[0].RoleName' --output text)" == "SmokeEc2" ]] || fail "instance profile role"
if out=$(aws iam delete-role --role-name SmokeEc2 2>&1); then fail "deleted a role in an instance profile"; fi
[[ "$out" == *DeleteConflict* ]] || fail "expected DeleteConflict, got: $out"
aws iam remove-role-from-instance-profile --instance-profile-name smoke-profile --role-name SmokeEc2
aws iam delete-instance-profile --instance-profile-name smoke-profile
aws iam delete-role --role-name SmokeEc2

if out=$(aws iam delete-user --user-name deployer 2>&1); then fail "deleted a user with keys"; fi
[[ "$out" == *DeleteConflict* ]] || fail "expected DeleteConflict, got: $out"
aws iam delete-access-key --user-name deployer --access-key-id "$key_id"
aws iam delete-user --user-name deployer
[[ "$(aws iam list-users --query 'length(Users)' --output text)" == "0" ]] || fail "user not deleted"
# The policy simulator: decisions as AWS names them, the deciding statement, context keys.
sim_policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}},{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}'
decisions=$(aws iam simulate-custom-policy --policy-input-list "$sim_policy" \
  --action-names iam:PassRole iam:DeleteUser iam:GetUser \
  --context-entries ContextKeyName=iam:PassedToService,ContextKeyValues=ec2.amazonaws.com,ContextKeyType=string \
  --query 'EvaluationResults[].EvalDecision' --output text)
[[ "$decisions" == $'allowed\texplicitDeny\timplicitDeny' ]] || fail "simulate-custom-policy decisions: $decisions"
[[ "$(aws iam simulate-custom-policy --policy-input-list "$sim_policy" --action-names iam:DeleteUser \
  --query 'EvaluationResults[0].MatchedStatements[0].[SourcePolicyId,StartPosition.Line,StartPosition.Column]' \
  --output text)" == $'PolicyInputList.1\t1\t169' ]] || fail "simulate-custom-policy matched statement"
[[ "$(aws iam simulate-custom-policy --policy-input-list "$sim_policy" --action-names iam:PassRole \
  --query 'EvaluationResults[0].[EvalDecision,MissingContextValues[0]]' --output text)" == $'implicitDeny\tiam:PassedToService' ]] \
  || fail "simulate-custom-policy missing context"
[[ "$(aws iam simulate-custom-policy --policy-input-list "$sim_policy" --action-names iam:DeleteUser \
  --resource-arns "arn:aws:iam::$account:user/a" "arn:aws:iam::$account:user/b" \
  --query 'EvaluationResults[].ResourceSpecificResults[0].[EvalResourceName,EvalResourceDecision]' \
  --output text)" == "arn:aws:iam::$account:user/a"$'\t'"explicitDeny"$'\n'"arn:aws:iam::$account:user/b"$'\t'"explicitDeny" ]] \
  || fail "simulate-custom-policy resource-specific results"
[[ "$(aws iam get-context-keys-for-custom-policy --policy-input-list "$sim_policy" \
  --query 'ContextKeyNames[0]' --output text)" == "iam:PassedToService" ]] || fail "context keys"
# Outbound web identity federation: the issuer, and a JWT naming the caller.
if out=$(aws iam get-outbound-web-identity-federation-info 2>&1); then fail "info before enabling"; fi
[[ "$out" == *FeatureDisabled* ]] || fail "expected FeatureDisabled, got: $out"
issuer=$(aws iam enable-outbound-web-identity-federation --query IssuerIdentifier --output text)
[[ "$issuer" == "$GATEHOUSE_ENDPOINT/oidc/$account" ]] || fail "issuer: $issuer"
[[ "$(aws iam get-outbound-web-identity-federation-info --query JwtVendingEnabled --output text)" == "True" ]] \
  || fail "federation info"
jwt=$(aws sts get-web-identity-token --audience urn:example:api --signing-algorithm ES384 \
  --query WebIdentityToken --output text)
payload=$(cut -d. -f2 <<<"$jwt" | tr '_-' '/+')
while (( ${#payload} % 4 )); do payload="$payload="; done
claims=$(base64 -d <<<"$payload")
[[ "$claims" == *"\"sub\":\"arn:aws:iam::$account:root\""* ]] || fail "token claims: $claims"
aws iam disable-outbound-web-identity-federation
if out=$(aws sts get-web-identity-token --audience x --signing-algorithm ES384 2>&1); then fail "token while disabled"; fi
[[ "$out" == *OutboundWebIdentityFederationDisabledException* ]] || fail "expected disabled, got: $out"
echo "smoke: ok"
