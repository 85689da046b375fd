#!/usr/bin/env bash
# AWS CLI alone builds the recommended multi-account structure, then checks what it
# promises: development, testing, staging and production accounts under a management
# account; a guardrail SCP on production; IAM users made inside development through
# OrganizationAccountAccessRole; isolation between accounts; the account quota at 4 and
# an operator-approved increase.
#
# Needs GATEHOUSE_ENDPOINT, AWS_SHARED_CREDENTIALS_FILE (the server's root credentials),
# GATEHOUSE_BIN and GATEHOUSE_DATA_DIR (for `gatehouse quota approve`). The server runs
# with --dev --default-account-quota 4: dev mode lets the 12-digit key id of a member
# account act as that account's root, standing in for a root password reset.
set -euo pipefail
: "${GATEHOUSE_ENDPOINT:?}" "${GATEHOUSE_BIN:?}" "${GATEHOUSE_DATA_DIR:?}"
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER="" AWS_ENDPOINT_URL="$GATEHOUSE_ENDPOINT"
fail() { echo "walkthrough: FAILED: $*" >&2; exit 1; }
# Runs a command that must fail with the given error code.
must_fail() {
  local code=$1 out
  shift
  if out=$("$@" 2>&1); then fail "expected $code from: $*"; fi
  [[ "$out" == *"$code"* ]] || fail "expected $code from: $*; got: $out"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$AWS_SHARED_CREDENTIALS_FILE" "$work/credentials"
export AWS_SHARED_CREDENTIALS_FILE="$work/credentials" AWS_CONFIG_FILE="$work/config"
: >"$AWS_CONFIG_FILE"

# 1. The organization and its OUs.
management=$(aws sts get-caller-identity --query Account --output text)
org=$(aws organizations create-organization --feature-set ALL --query Organization.Id --output text)
root=$(aws organizations list-roots --query 'Roots[0].Id' --output text)
workloads=$(aws organizations create-organizational-unit --parent-id "$root" --name Workloads \
  --query OrganizationalUnit.Id --output text)
nonprod=$(aws organizations create-organizational-unit --parent-id "$workloads" --name NonProd \
  --query OrganizationalUnit.Id --output text)
prod=$(aws organizations create-organizational-unit --parent-id "$workloads" --name Prod \
  --query OrganizationalUnit.Id --output text)

# 2. Accounts. The quota is 4, the management account included.
new_account() { # name -> request id
  aws organizations create-account --account-name "$1" --email "$1@example.com" \
    --query CreateAccountStatus.Id --output text
}
account_of() { # request id -> account id, once SUCCEEDED
  read -r state id reason < <(aws organizations describe-create-account-status \
    --create-account-request-id "$1" --query 'CreateAccountStatus.[State,AccountId,FailureReason]' --output text)
  [[ "$state" == SUCCEEDED ]] || fail "account request $1: $state $reason"
  echo "$id"
}
development=$(account_of "$(new_account development)")
testing=$(account_of "$(new_account testing)")
staging=$(account_of "$(new_account staging)")
for account in "$development" "$testing" "$staging"; do
  aws organizations move-account --account-id "$account" --source-parent-id "$root" --destination-parent-id "$nonprod"
done
request=$(new_account production)
reason=$(aws organizations describe-create-account-status --create-account-request-id "$request" \
  --query CreateAccountStatus.FailureReason --output text)
[[ "$reason" == ACCOUNT_LIMIT_EXCEEDED ]] || fail "fifth account at quota 4: $reason"
# (d) an increase, approved by the operator, lets the fifth account in.
read -r increase status < <(aws service-quotas request-service-quota-increase --service-code organizations \
  --quota-code L-29A0C5DF --desired-value 5 --query 'RequestedQuota.[Id,Status]' --output text)
[[ "$status" == PENDING ]] || fail "increase without auto-approval: $status"
"$GATEHOUSE_BIN" quota approve "$increase" --data-dir "$GATEHOUSE_DATA_DIR" >/dev/null
status=$(aws service-quotas get-requested-service-quota-change --request-id "$increase" \
  --query RequestedQuota.Status --output text)
[[ "$status" == APPROVED ]] || fail "increase after approval: $status"
production=$(account_of "$(new_account production)")
aws organizations move-account --account-id "$production" --source-parent-id "$root" --destination-parent-id "$prod"
[[ "$(aws organizations list-accounts --query 'length(Accounts)' --output text)" == 5 ]] || fail "five accounts"

# 3. A guardrail on production: no deleting roles, no leaving the organization.
aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY >/dev/null
guardrail=$(aws organizations create-policy --name ProductionGuardrail --type SERVICE_CONTROL_POLICY \
  --description "production may not delete roles or leave" \
  --content '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:DeleteRole","organizations:LeaveOrganization"],"Resource":"*"}]}' \
  --query Policy.PolicySummary.Id --output text)
aws organizations attach-policy --policy-id "$guardrail" --target-id "$prod"

# 4. An administrator of the management account, and role profiles into the members.
aws iam create-user --user-name ops >/dev/null
aws iam attach-user-policy --user-name ops --policy-arn arn:aws:iam::aws:policy/AdministratorAccess
read -r key secret < <(aws iam create-access-key --user-name ops \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
printf '\n[ops]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key" "$secret" >>"$AWS_SHARED_CREDENTIALS_FILE"
for pair in "dev:$development" "prod:$production"; do
  printf '[profile %s-admin]\nrole_arn = arn:aws:iam::%s:role/OrganizationAccountAccessRole\nsource_profile = ops\n' \
    "${pair%%:*}" "${pair#*:}" >>"$AWS_CONFIG_FILE"
done
[[ "$(aws --profile dev-admin sts get-caller-identity --query Account --output text)" == "$development" ]] \
  || fail "dev-admin is not in development"

# IAM users inside development, made through the access role.
aws --profile dev-admin iam create-group --group-name developers >/dev/null
aws --profile dev-admin iam attach-group-policy --group-name developers \
  --policy-arn arn:aws:iam::aws:policy/PowerUserAccess
aws --profile dev-admin iam create-user --user-name alice >/dev/null
aws --profile dev-admin iam add-user-to-group --group-name developers --user-name alice
read -r key secret < <(aws --profile dev-admin iam create-access-key --user-name alice \
  --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
printf '\n[alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$key" "$secret" >>"$AWS_SHARED_CREDENTIALS_FILE"
[[ "$(aws --profile alice sts get-caller-identity --query Arn --output text)" == "arn:aws:iam::$development:user/alice" ]] \
  || fail "alice's identity"
aws --profile alice iam list-roles >/dev/null
must_fail AccessDenied aws --profile alice iam create-user --user-name mallory
# The user exists in development only.
must_fail NoSuchEntity aws iam get-user --user-name alice
must_fail NoSuchEntity aws --profile prod-admin iam get-user --user-name alice

# (a) a development user can neither see nor touch production.
aws --profile prod-admin iam create-role --role-name App \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
must_fail AccessDenied aws --profile alice sts assume-role \
  --role-arn "arn:aws:iam::$production:role/OrganizationAccountAccessRole" --role-session-name peek
[[ "$(aws --profile alice iam list-roles --query "Roles[?RoleName=='App'] | length(@)" --output text)" == 0 ]] \
  || fail "development sees production's role"

# (b) even production's root cannot do what the SCP denies.
printf '\n[prod-root]\naws_access_key_id = %s\naws_secret_access_key = dev-mode\n' "$production" >>"$AWS_SHARED_CREDENTIALS_FILE"
[[ "$(aws --profile prod-root sts get-caller-identity --query Arn --output text)" == "arn:aws:iam::$production:root" ]] \
  || fail "production root identity"
must_fail AccessDenied aws --profile prod-root iam delete-role --role-name App
must_fail AccessDenied aws --profile prod-admin iam delete-role --role-name App
must_fail AccessDeniedException aws --profile prod-root organizations leave-organization
aws --profile prod-root iam list-roles >/dev/null
# The guardrail binds production only: staging's root may delete its roles.
printf '\n[staging-root]\naws_access_key_id = %s\naws_secret_access_key = dev-mode\n' "$staging" >>"$AWS_SHARED_CREDENTIALS_FILE"
aws --profile staging-root iam create-role --role-name Temp \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
aws --profile staging-root iam delete-role --role-name Temp

# (c) the management account is exempt from SCPs, and keeps central control.
aws iam create-role --role-name Temp \
  --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null
aws iam delete-role --role-name Temp
aws organizations detach-policy --policy-id "$guardrail" --target-id "$prod"
aws --profile prod-admin iam delete-role --role-name App
[[ "$(aws organizations describe-organization --query Organization.MasterAccountId --output text)" == "$management" ]] \
  || fail "management account"
[[ "$org" =~ ^o- ]] || fail "organization id: $org"
echo "walkthrough: ok"
