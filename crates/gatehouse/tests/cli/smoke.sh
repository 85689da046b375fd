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
echo "smoke: ok"
