"""Signs one request with botocore and writes it as a wrk script.

usage: sign.py CREDS.json PORT SERVICE BODY OUT.lua
CREDS.json holds {"key": ..., "secret": ..., "token": optional}. The host is signed, so a
script is valid for one port only. The script's done() prints
"RESULT <req/s> <p99 ms> <non-2xx responses> <requests>".
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    creds_path, port, service, body, out_path = sys.argv[1:6]
    with open(creds_path) as f:
        c = json.load(f)
    creds = Credentials(c["key"], c["secret"], c.get("token"))
    version = {"sts": "2011-06-15", "iam": "2010-05-08"}[service]
    body = "%s&Version=%s" % (body, version)
    req = AWSRequest(method="POST", url="http://127.0.0.1:%s/" % port, data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(creds, service, "us-east-1").add_auth(req)
    with open(out_path, "w") as out:
        out.write('wrk.method = "POST"\n')
        out.write('wrk.body = "%s"\n' % body)
        for name, value in req.headers.items():
            if name.lower() != "host":
                out.write('wrk.headers["%s"] = "%s"\n' % (name, value))
        out.write('done = function(summary, latency, requests)\n'
                  '  io.write(string.format("RESULT %.0f %.3f %d %d\\n", '
                  'summary.requests / (summary.duration / 1e6), '
                  'latency:percentile(99) / 1000, summary.errors.status, summary.requests))\n'
                  'end\n')


if __name__ == "__main__":
    main()
