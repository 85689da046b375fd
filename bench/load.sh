#!/usr/bin/env bash
# Load benchmark: GetCallerIdentity, SigV4-signed once and replayed by wrk on loopback,
# against `gatehouse serve` and against a trivial axum server answering a fixed body,
# measured in the same run. Prints requests/s and p99 for both and their ratio.
# MODE=observability instead compares gatehouse with its request log, metrics and audit
# events on (the default) against the same binary with all three off, each measured
# ROUNDS times (alternating), to give the cost of observability.
# MODE=session compares GetCallerIdentity signed with long-term keys against the same call
# signed with session credentials (GetSessionToken), on one server, ROUNDS times each:
# sessions are verified from their sealed token, without a database read.
# Needs: wrk (apt-get install wrk), python3 with botocore. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
MODE=${MODE:-trivial}
ROUNDS=${ROUNDS:-3}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet --bin gatehouse --example trivial_server
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start=$(date +%s%N)
"$target/release/gatehouse" serve --data-dir "$work/data" --listen 127.0.0.1:4581 >"$work/gatehouse.out" 2>"$work/gatehouse.err" &
until curl -sf http://127.0.0.1:4581/health/live >/dev/null; do sleep 0.005; done
ready=$(date +%s%N)
echo "gatehouse: first answered request $(( (ready - start) / 1000000 )) ms after start (first start, incl. bootstrap)"
if [ "$MODE" = observability ]; then
  # Same data dir and keys: the second server starts after the first bootstrapped.
  "$target/release/gatehouse" serve --data-dir "$work/data" --listen 127.0.0.1:4582 \
    --request-log false --metrics false --audit false >/dev/null 2>"$work/quiet.err" &
  until curl -sf http://127.0.0.1:4582/health/live >/dev/null; do sleep 0.005; done
else
  "$target/release/examples/trivial_server" 127.0.0.1:4591 >/dev/null &
  until curl -sf http://127.0.0.1:4591/ >/dev/null; do sleep 0.005; done
fi

# Sign one request with botocore and turn it into a wrk script (per port: the host is signed).
sign() {
python3 - "$work/data/root-credentials" "$2" "$1" <<'PY'
import configparser, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
cfg = configparser.ConfigParser(); cfg.read(sys.argv[1])
creds = Credentials(cfg["default"]["aws_access_key_id"], cfg["default"]["aws_secret_access_key"])
body = "Action=GetCallerIdentity&Version=2011-06-15"
req = AWSRequest(method="POST", url="http://127.0.0.1:%s/" % sys.argv[3], data=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(creds, "sts", "us-east-1").add_auth(req)
with open(sys.argv[2], "w") as out:
    out.write('wrk.method = "POST"\n')
    out.write('wrk.body = "%s"\n' % body)
    for name, value in req.headers.items():
        if name.lower() != "host":
            out.write('wrk.headers["%s"] = "%s"\n' % (name, value))
    out.write('done = function(summary, latency, requests)\n'
              '  io.write(string.format("RESULT %.0f %.3f %d\\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status))\n'
              'end\n')
PY
}
sign 4581 "$work/request.lua"
sign 4582 "$work/request-4582.lua"
if [ "$MODE" = session ]; then
python3 - "$work/data/root-credentials" "$work/request-session.lua" <<'PY'
import configparser, re, sys
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
cfg = configparser.ConfigParser(); cfg.read(sys.argv[1])
sts = botocore.session.get_session().create_client(
    "sts", region_name="us-east-1", endpoint_url="http://127.0.0.1:4581",
    aws_access_key_id=cfg["default"]["aws_access_key_id"],
    aws_secret_access_key=cfg["default"]["aws_secret_access_key"])
got = sts.get_session_token(DurationSeconds=3600)["Credentials"]
creds = Credentials(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"])
body = "Action=GetCallerIdentity&Version=2011-06-15"
req = AWSRequest(method="POST", url="http://127.0.0.1:4581/", data=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(creds, "sts", "us-east-1").add_auth(req)
with open(sys.argv[2], "w") as out:
    out.write('wrk.method = "POST"\n')
    out.write('wrk.body = "%s"\n' % body)
    for name, value in req.headers.items():
        if name.lower() != "host":
            out.write('wrk.headers["%s"] = "%s"\n' % (name, value))
    out.write('done = function(summary, latency, requests)\n'
              '  io.write(string.format("RESULT %.0f %.3f %d\\n", summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, summary.errors.status))\n'
              'end\n')
PY
fi
# The replayed request must really be accepted.
python3 - "$work/request.lua" <<'PY' || { echo "signed request refused" >&2; exit 1; }
import re, sys, urllib.request
script = open(sys.argv[1]).read()
headers = dict(re.findall(r'wrk.headers\["(.*?)"\] = "(.*?)"', script))
body = re.search(r'wrk.body = "(.*?)"', script).group(1).encode()
request = urllib.request.Request("http://127.0.0.1:4581/", data=body, headers=headers, method="POST")
answer = urllib.request.urlopen(request).read().decode()
sys.exit(0 if "GetCallerIdentityResult" in answer else 1)
PY

run() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "${2:-$work/request.lua}" "$1" | grep RESULT; }
if [ "$MODE" = observability ]; then
  on_total=0; off_total=0
  printf '%-6s %-5s %12s %10s %8s\n' round obs req/s p99_ms non2xx
  for round in $(seq "$ROUNDS"); do
    read -r _ rps p99 err < <(run http://127.0.0.1:4581/)
    printf '%-6s %-5s %12s %10s %8s\n' "$round" on "$rps" "$p99" "$err"
    on_total=$(python3 -c "print($on_total + $rps)")
    read -r _ rps p99 err < <(run http://127.0.0.1:4582/ "$work/request-4582.lua")
    printf '%-6s %-5s %12s %10s %8s\n' "$round" off "$rps" "$p99" "$err"
    off_total=$(python3 -c "print($off_total + $rps)")
  done
  python3 -c "print('observability cost (log+metrics+audit on vs off): %.1f %% fewer req/s' % (100.0 * (1 - $on_total / $off_total)))"
  sqlite3 "$work/data/gatehouse.db" 'SELECT COUNT(*) FROM audit_events' 2>/dev/null \
    | sed 's/^/audit events written: /' || true
  exit 0
fi
if [ "$MODE" = session ]; then
  long_total=0; session_total=0
  printf '%-6s %-9s %12s %10s %8s\n' round keys req/s p99_ms non2xx
  for round in $(seq "$ROUNDS"); do
    read -r _ rps p99 err < <(run http://127.0.0.1:4581/)
    printf '%-6s %-9s %12s %10s %8s\n' "$round" long-term "$rps" "$p99" "$err"
    long_total=$(python3 -c "print($long_total + $rps)")
    read -r _ rps p99 err < <(run http://127.0.0.1:4581/ "$work/request-session.lua")
    printf '%-6s %-9s %12s %10s %8s\n' "$round" session "$rps" "$p99" "$err"
    session_total=$(python3 -c "print($session_total + $rps)")
  done
  python3 -c "print('session credentials vs long-term keys: %.1f %% of the req/s' % (100.0 * $session_total / $long_total))"
  exit 0
fi
read -r _ g_rps g_p99 g_err < <(run http://127.0.0.1:4581/)
read -r _ t_rps t_p99 t_err < <(run http://127.0.0.1:4591/)
printf '%-10s %12s %10s %8s\n' server req/s p99_ms non2xx
printf '%-10s %12s %10s %8s\n' gatehouse "$g_rps" "$g_p99" "$g_err"
printf '%-10s %12s %10s %8s\n' trivial "$t_rps" "$t_p99" "$t_err"
python3 -c "print('ratio gatehouse/trivial: %.1f %%' % (100.0 * $g_rps / $t_rps))"
