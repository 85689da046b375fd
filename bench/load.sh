#!/usr/bin/env bash
# Load benchmarks on loopback: requests signed once (bench/sign.py) and replayed by wrk.
# Each MODE prints requests/s, p99, non-2xx answers and the server's CPU time per request
# (user + system, read from /proc after the run and a 1.5 s pause for batched writes) per
# run, then the figure it is for. CPU per request is the steadier figure when other work
# shares the machine; requests/s is the one the issues state.
#   trivial        GetCallerIdentity against `gatehouse serve` and against a trivial axum
#                  server answering a fixed body, in the same run, and their ratio.
#   observability  GetCallerIdentity with the request log, metrics and audit events on (the
#                  default) against the same binary with all three off, ROUNDS times each,
#                  alternating: the cost of observability.
#   session        GetCallerIdentity signed with long-term keys against the same call signed
#                  with session credentials (GetSessionToken), ROUNDS times each.
#   authz          iam:GetUser by the root user (never authorized: root) against the same
#                  call by an IAM user allowed by AWS's IAMReadOnlyAccess: the cost of
#                  authorization in an end-to-end request.
#   create-user    durable writes: COUNT (default 4000) CreateUser calls by the AWS SDK for
#                  Rust, CONCURRENCY (default 16) in flight, then as many DeleteUser calls
#                  (crates/gatehouse/examples/create_users.rs).
#   org            iam:ListAccountAliases by a role session in a member account under the
#                  root against one 5 OUs deep (an SCP at every level), with 10 accounts in
#                  the organization and again after ORG_GROW (default 10000) more.
# Needs: wrk (apt-get install wrk), python3 with botocore. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
MODE=${MODE:-trivial}
ROUNDS=${ROUNDS:-3}
ORG_GROW=${ORG_GROW:-10000}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet --bin gatehouse --example trivial_server --example create_users
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
endpoint=http://127.0.0.1:4581

start=$(date +%s%N)
"$target/release/gatehouse" serve --data-dir "$work/data" --listen 127.0.0.1:4581 \
  --default-account-quota 20000 >"$work/gatehouse.out" 2>"$work/gatehouse.err" &
gatehouse_pid=$!
until curl -sf $endpoint/health/live >/dev/null; do sleep 0.005; done
ready=$(date +%s%N)
echo "gatehouse: first answered request $(( (ready - start) / 1000000 )) ms after start (first start, incl. bootstrap)"
python3 bench/setup.py root-creds "$work/data" "$work/root.json"

# sign CREDS PORT SERVICE BODY OUT
sign() { python3 bench/sign.py "$@"; }
# cpu PID: user + system clock ticks the process has used so far.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run URL SCRIPT PID -> "req/s p99_ms non2xx cpu_us_per_request"
run() {
  local before after rps p99 err n
  before=$(cpu "$3")
  read -r _ rps p99 err n < <(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$2" "$1" | grep RESULT)
  sleep 1.5
  after=$(cpu "$3")
  echo "$rps $p99 $err $(python3 -c "print('%.1f' % (($after - $before) * 1e6 / $(getconf CLK_TCK) / max($n, 1)))")"
}
row() { printf '%-6s %-12s %12s %10s %8s %12s\n' "$@"; }
# compare LABEL_A URL_A SCRIPT_A PID_A LABEL_B URL_B SCRIPT_B PID_B: ROUNDS alternating
# runs of each; sets a_total and b_total (sums of req/s), a_cpu and b_cpu (sums of CPU
# microseconds per request).
compare() {
  a_total=0; b_total=0; a_cpu=0; b_cpu=0
  row round "" req/s p99_ms non2xx cpu_us/req
  for round in $(seq "$ROUNDS"); do
    read -r rps p99 err us < <(run "$2" "$3" "$4")
    row "$round" "$1" "$rps" "$p99" "$err" "$us"
    a_total=$(python3 -c "print($a_total + $rps)"); a_cpu=$(python3 -c "print($a_cpu + $us)")
    read -r rps p99 err us < <(run "$6" "$7" "$8")
    row "$round" "$5" "$rps" "$p99" "$err" "$us"
    b_total=$(python3 -c "print($b_total + $rps)"); b_cpu=$(python3 -c "print($b_cpu + $us)")
  done
}
# cost WHAT: B against A, in req/s and in CPU per request.
cost() {
  python3 -c "print('$1: %.1f %% fewer req/s, %.1f %% more CPU per request' % (100.0 * (1 - $b_total / $a_total), 100.0 * ($b_cpu / $a_cpu - 1)))"
}
# accepted SCRIPT WORD: the replayed request really answers (its body holds WORD).
accepted() {
python3 - "$1" "$2" <<'PY' || { echo "signed request refused: $1" >&2; exit 1; }
import re, sys, urllib.request
script = open(sys.argv[1]).read()
headers = dict(re.findall(r'wrk.headers\["(.*?)"\] = "(.*?)"', script))
body = re.search(r'wrk.body = "(.*?)"', script).group(1).encode()
request = urllib.request.Request("http://127.0.0.1:4581/", data=body, headers=headers, method="POST")
sys.exit(0 if sys.argv[2] in urllib.request.urlopen(request).read().decode() else 1)
PY
}

identity=Action=GetCallerIdentity
sign "$work/root.json" 4581 sts "$identity" "$work/identity.lua"
accepted "$work/identity.lua" GetCallerIdentityResult

case "$MODE" in
trivial)
  "$target/release/examples/trivial_server" 127.0.0.1:4591 >/dev/null &
  trivial_pid=$!
  until curl -sf http://127.0.0.1:4591/ >/dev/null; do sleep 0.005; done
  compare gatehouse $endpoint/ "$work/identity.lua" $gatehouse_pid \
    trivial http://127.0.0.1:4591/ "$work/identity.lua" $trivial_pid
  python3 -c "print('ratio gatehouse/trivial: %.1f %% of the req/s' % (100.0 * $a_total / $b_total))"
  ;;
observability)
  # Same data dir and keys: the second server starts after the first bootstrapped.
  "$target/release/gatehouse" serve --data-dir "$work/data" --listen 127.0.0.1:4582 \
    --request-log false --metrics false --audit false >/dev/null 2>"$work/quiet.err" &
  quiet_pid=$!
  until curl -sf http://127.0.0.1:4582/health/live >/dev/null; do sleep 0.005; done
  sign "$work/root.json" 4582 sts "$identity" "$work/identity-4582.lua"
  compare off http://127.0.0.1:4582/ "$work/identity-4582.lua" $quiet_pid \
    on $endpoint/ "$work/identity.lua" $gatehouse_pid
  cost "observability (log+metrics+audit on vs off)"
  sqlite3 "$work/data/gatehouse.db" 'SELECT (SELECT COUNT(*) FROM audit_events)
    + (SELECT COALESCE(SUM(event_count), 0) FROM audit_segments)' 2>/dev/null \
    | sed 's/^/audit events written: /' || true
  ;;
session)
  python3 - "$work/root.json" "$work/session.json" <<'PY'
import json, sys
import botocore.session
root = json.load(open(sys.argv[1]))
sts = botocore.session.get_session().create_client(
    "sts", region_name="us-east-1", endpoint_url="http://127.0.0.1:4581",
    aws_access_key_id=root["key"], aws_secret_access_key=root["secret"])
got = sts.get_session_token(DurationSeconds=3600)["Credentials"]
json.dump({"key": got["AccessKeyId"], "secret": got["SecretAccessKey"],
           "token": got["SessionToken"]}, open(sys.argv[2], "w"))
PY
  sign "$work/session.json" 4581 sts "$identity" "$work/session.lua"
  compare long-term $endpoint/ "$work/identity.lua" $gatehouse_pid \
    session $endpoint/ "$work/session.lua" $gatehouse_pid
  python3 -c "print('session credentials vs long-term keys: %.1f %% of the req/s' % (100.0 * $b_total / $a_total))"
  ;;
authz)
  python3 bench/setup.py reader $endpoint "$work/root.json" "$work/reader.json"
  sign "$work/root.json" 4581 iam "Action=GetUser&UserName=bench-reader" "$work/root-get.lua"
  sign "$work/reader.json" 4581 iam "Action=GetUser&UserName=bench-reader" "$work/reader-get.lua"
  accepted "$work/root-get.lua" GetUserResult
  accepted "$work/reader-get.lua" GetUserResult
  compare root $endpoint/ "$work/root-get.lua" $gatehouse_pid \
    iam-user $endpoint/ "$work/reader-get.lua" $gatehouse_pid
  cost "authorization (allowed IAM user vs root)"
  ;;
org)
  python3 bench/setup.py org $endpoint "$work/root.json" "$work"
  python3 bench/setup.py grow $endpoint "$work/root.json" 7
  aliases=Action=ListAccountAliases
  measure() {
    sign "$work/shallow.json" 4581 iam "$aliases" "$work/shallow.lua"
    sign "$work/deep.json" 4581 iam "$aliases" "$work/deep.lua"
    accepted "$work/shallow.lua" ListAccountAliasesResult
    accepted "$work/deep.lua" ListAccountAliasesResult
    compare "root/$1" $endpoint/ "$work/shallow.lua" $gatehouse_pid \
      "5-deep/$1" $endpoint/ "$work/deep.lua" $gatehouse_pid
    cost "with $1 accounts, 5 OUs deep vs under the root"
  }
  measure 10
  small_shallow=$a_total; small_deep=$b_total; small_shallow_cpu=$a_cpu; small_deep_cpu=$b_cpu
  began=$(date +%s)
  python3 bench/setup.py grow $endpoint "$work/root.json" "$ORG_GROW"
  echo "created $ORG_GROW more accounts in $(( $(date +%s) - began )) s"
  measure $((ORG_GROW + 10))
  python3 -c "print('against 10 accounts: root %.1f %%, 5 deep %.1f %% of the req/s; root %.1f %%, 5 deep %.1f %% of the CPU per request' % (100.0 * $a_total / $small_shallow, 100.0 * $b_total / $small_deep, 100.0 * $a_cpu / $small_shallow_cpu, 100.0 * $b_cpu / $small_deep_cpu))"
  ;;
create-user)
  python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print(c['key'], c['secret'])" "$work/root.json" \
    | { read -r key secret; "$target/release/examples/create_users" $endpoint "$key" "$secret" "${COUNT:-4000}" "${CONCURRENCY:-16}"; }
  ;;
*) echo "unknown MODE=$MODE" >&2; exit 2 ;;
esac
