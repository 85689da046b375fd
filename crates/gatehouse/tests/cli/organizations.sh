#!/usr/bin/env bash
# AWS CLI: Organizations and Service Quotas as README.md shows them, checked. Needs
# GATEHOUSE_ENDPOINT and AWS_SHARED_CREDENTIALS_FILE pointing at a server's root
# credentials; the server runs with --default-account-quota 2 --quota-auto-approve-max 5.
set -euo pipefail
: "${GATEHOUSE_ENDPOINT:?}"
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
aws() { command aws --endpoint-url "$GATEHOUSE_ENDPOINT" "$@"; }
fail() { echo "organizations: FAILED: $*" >&2; exit 1; }

account=$(aws sts get-caller-identity --query Account --output text)
org=$(aws organizations create-organization --query Organization.Id --output text)
[[ "$org" =~ ^o-[a-z0-9]{10}$ ]] || fail "organization id: $org"
[[ "$(aws organizations describe-organization --query Organization.MasterAccountId --output text)" == "$account" ]] || fail "management account"
root=$(aws organizations list-roots --query 'Roots[0].Id' --output text)
[[ "$root" =~ ^r-[a-z0-9]{4}$ ]] || fail "root id: $root"
ou=$(aws organizations create-organizational-unit --parent-id "$root" --name eng --query OrganizationalUnit.Id --output text)
[[ "$ou" == "ou-${root#r-}-"* ]] || fail "ou id: $ou"

request=$(aws organizations create-account --account-name dev --email dev@example.com --query CreateAccountStatus.Id --output text)
[[ "$request" =~ ^car-[a-f0-9]{32}$ ]] || fail "request id: $request"
read -r state member < <(aws organizations describe-create-account-status --create-account-request-id "$request" \
  --query 'CreateAccountStatus.[State,AccountId]' --output text)
[[ "$state" == SUCCEEDED && "$member" =~ ^[0-9]{12}$ ]] || fail "create account: $state $member"
aws organizations move-account --account-id "$member" --source-parent-id "$root" --destination-parent-id "$ou"
[[ "$(aws organizations list-parents --child-id "$member" --query 'Parents[0].Id' --output text)" == "$ou" ]] || fail "move"

# The quota (2, management account included) is reached.
request=$(aws organizations create-account --account-name ops --email ops@example.com --query CreateAccountStatus.Id --output text)
reason=$(aws organizations describe-create-account-status --create-account-request-id "$request" --query CreateAccountStatus.FailureReason --output text)
[[ "$reason" == ACCOUNT_LIMIT_EXCEEDED ]] || fail "quota: $reason"
status=$(aws service-quotas request-service-quota-increase --service-code organizations --quota-code L-29A0C5DF \
  --desired-value 3 --query RequestedQuota.Status --output text)
[[ "$status" == APPROVED ]] || fail "increase: $status"
value=$(aws service-quotas get-service-quota --service-code organizations --quota-code L-29A0C5DF --query Quota.Value --output text)
[[ "$value" == 3 || "$value" == 3.0 ]] || fail "quota value: $value"
request=$(aws organizations create-account --account-name ops --email ops@example.com --query CreateAccountStatus.Id --output text)
[[ "$(aws organizations describe-create-account-status --create-account-request-id "$request" --query CreateAccountStatus.State --output text)" == SUCCEEDED ]] || fail "after increase"
[[ "$(aws organizations list-accounts --query 'length(Accounts)' --output text)" == 3 ]] || fail "list-accounts"

aws organizations enable-policy-type --root-id "$root" --policy-type SERVICE_CONTROL_POLICY >/dev/null
policy=$(aws organizations create-policy --name no-s3 --type SERVICE_CONTROL_POLICY --description "deny s3" \
  --content '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}' \
  --query Policy.PolicySummary.Id --output text)
[[ "$policy" =~ ^p-[a-z0-9]{8}$ ]] || fail "policy id: $policy"
aws organizations attach-policy --policy-id "$policy" --target-id "$ou"
if out=$(aws organizations attach-policy --policy-id "$policy" --target-id "$ou" 2>&1); then fail "attached twice"; fi
[[ "$out" == *DuplicatePolicyAttachmentException* ]] || fail "expected DuplicatePolicyAttachmentException, got: $out"
names=$(aws organizations list-policies-for-target --target-id "$ou" --filter SERVICE_CONTROL_POLICY --query 'Policies[].Name' --output text)
[[ "$names" == *FullAWSAccess* && "$names" == *no-s3* ]] || fail "policies for target: $names"
if out=$(aws organizations delete-organizational-unit --organizational-unit-id "$ou" 2>&1); then fail "deleted a non-empty OU"; fi
[[ "$out" == *OrganizationalUnitNotEmptyException* ]] || fail "expected OrganizationalUnitNotEmptyException, got: $out"
# Effective tag policies: a child policy the root's policy forbids makes the member's invalid.
aws organizations enable-policy-type --root-id "$root" --policy-type TAG_POLICY >/dev/null
base=$(aws organizations create-policy --name base --type TAG_POLICY --description "" \
  --content '{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter","@@operators_allowed_for_child_policies":["@@none"]}}}}' \
  --query Policy.PolicySummary.Id --output text)
child=$(aws organizations create-policy --name child --type TAG_POLICY --description "" \
  --content '{"tags":{"cc":{"tag_key":{"@@assign":"costcenter"}}}}' --query Policy.PolicySummary.Id --output text)
aws organizations attach-policy --policy-id "$base" --target-id "$root"
aws organizations attach-policy --policy-id "$child" --target-id "$ou"
invalid=$(aws organizations list-accounts-with-invalid-effective-policy --policy-type TAG_POLICY --query 'Accounts[].Id' --output text)
[[ "$invalid" == "$member" ]] || fail "invalid effective policies: $invalid"
read -r code policies < <(aws organizations list-effective-policy-validation-errors --account-id "$member" --policy-type TAG_POLICY \
  --query 'EffectivePolicyValidationErrors[0].[ErrorCode,join(`,`,ContributingPolicies)]' --output text)
[[ "$code" == OPERATOR_NOT_ALLOWED && "$policies" == "$base,$child" ]] || fail "validation errors: $code $policies"

# GovCloud accounts need a paired management account, which Gatehouse never has.
if out=$(aws organizations create-gov-cloud-account --email gov@example.com --account-name gov 2>&1); then fail "created a GovCloud account"; fi
[[ "$out" == *ConstraintViolationException* ]] || fail "expected ConstraintViolationException, got: $out"

# A billing transfer invitation, then canceled.
start=$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m-01T00:00:00Z)
handshake=$(aws organizations invite-organization-to-transfer-responsibility --type BILLING \
  --target Id=123456789012,Type=ACCOUNT --start-timestamp "$start" --source-name "pay for them" \
  --query Handshake.Id --output text)
[[ "$handshake" =~ ^h-[a-z0-9]{10}$ ]] || fail "transfer handshake: $handshake"
read -r status name < <(aws organizations list-inbound-responsibility-transfers --type BILLING \
  --query 'ResponsibilityTransfers[0].[Status,Name]' --output text)
[[ "$status" == REQUESTED && "$name" == "pay for them" ]] || fail "inbound: $status $name"
aws organizations cancel-handshake --handshake-id "$handshake" >/dev/null
status=$(aws organizations list-inbound-responsibility-transfers --type BILLING --query 'ResponsibilityTransfers[0].Status' --output text)
[[ "$status" == CANCELED ]] || fail "canceled transfer: $status"
echo "organizations: ok"
