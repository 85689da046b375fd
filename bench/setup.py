"""Builds the state a load benchmark needs, through the public API (botocore).

usage:
  setup.py root-creds DATA_DIR OUT.json
      the bootstrap root key, as sign.py reads credentials
  setup.py reader ENDPOINT ROOT.json OUT.json
      an IAM user `bench-reader` with AWS's IAMReadOnlyAccess and an access key
  setup.py org ENDPOINT ROOT.json OUT_DIR
      an organization (all features, SCPs enabled), a chain of 5 nested OUs with an SCP
      attached at each level, and two member accounts: `shallow` under the root and `deep`
      in the fifth OU. Writes OUT_DIR/shallow.json and OUT_DIR/deep.json: session
      credentials of OrganizationAccountAccessRole in each.
  setup.py grow ENDPOINT ROOT.json COUNT
      COUNT more member accounts, spread over the root and the OUs (8 threads)
"""
import concurrent.futures
import configparser
import json
import sys
import threading
import time

import botocore.session


def client(service, endpoint, creds):
    return botocore.session.get_session().create_client(
        service, region_name="us-east-1", endpoint_url=endpoint,
        aws_access_key_id=creds["key"], aws_secret_access_key=creds["secret"],
        aws_session_token=creds.get("token"))


def save(path, creds):
    with open(path, "w") as f:
        json.dump(creds, f)


def load(path):
    with open(path) as f:
        return json.load(f)


def root_creds(data_dir, out):
    cfg = configparser.ConfigParser()
    cfg.read("%s/root-credentials" % data_dir)
    save(out, {"key": cfg["default"]["aws_access_key_id"],
               "secret": cfg["default"]["aws_secret_access_key"]})


def reader(endpoint, root, out):
    iam = client("iam", endpoint, load(root))
    iam.create_user(UserName="bench-reader")
    iam.attach_user_policy(UserName="bench-reader",
                           PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    key = iam.create_access_key(UserName="bench-reader")["AccessKey"]
    save(out, {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]})


SCP = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "iam:DeleteRole"],
     "Resource": "*"},
    {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
]})


def create_account(orgs, name, parent, root_id):
    status = orgs.create_account(Email="%s@bench.example" % name, AccountName=name)
    request_id = status["CreateAccountStatus"]["Id"]
    while True:
        status = orgs.describe_create_account_status(CreateAccountRequestId=request_id)
        state = status["CreateAccountStatus"]["State"]
        if state == "SUCCEEDED":
            break
        if state == "FAILED":
            raise SystemExit("CreateAccount failed: %s" % status)
        time.sleep(0.01)
    account = status["CreateAccountStatus"]["AccountId"]
    if parent != root_id:
        orgs.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=parent)
    return account


def role_session(endpoint, caller, account):
    sts = client("sts", endpoint, caller)
    got = sts.assume_role(RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account,
                          RoleSessionName="bench", DurationSeconds=3600)["Credentials"]
    return {"key": got["AccessKeyId"], "secret": got["SecretAccessKey"],
            "token": got["SessionToken"]}


def parents(orgs):
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    chain = [root_id]
    while True:
        units = orgs.list_organizational_units_for_parent(ParentId=chain[-1])
        units = [u for u in units["OrganizationalUnits"] if u["Name"].startswith("level-")]
        if not units:
            return chain
        chain.append(units[0]["Id"])


def org(endpoint, root_path, out_dir):
    root = load(root_path)
    orgs = client("organizations", endpoint, root)
    # Root users may not assume roles: an administrator of the management account does.
    iam = client("iam", endpoint, root)
    iam.create_user(UserName="bench-admin")
    iam.attach_user_policy(UserName="bench-admin",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="bench-admin")["AccessKey"]
    admin = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    parent = root_id
    for level in range(1, 6):
        unit = orgs.create_organizational_unit(ParentId=parent, Name="level-%d" % level)
        parent = unit["OrganizationalUnit"]["Id"]
        policy = orgs.create_policy(Name="guard-%d" % level, Description="bench",
                                    Type="SERVICE_CONTROL_POLICY", Content=SCP)
        orgs.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=parent)
    shallow = create_account(orgs, "shallow", root_id, root_id)
    deep = create_account(orgs, "deep", parent, root_id)
    save("%s/shallow.json" % out_dir, role_session(endpoint, admin, shallow))
    save("%s/deep.json" % out_dir, role_session(endpoint, admin, deep))


def grow(endpoint, root_path, count):
    root = load(root_path)
    chain = parents(client("organizations", endpoint, root))
    prefix = "filler-%d" % int(time.time())
    local = threading.local()

    def one(i):
        # botocore clients are not shared across threads: one per worker thread.
        if not hasattr(local, "orgs"):
            local.orgs = client("organizations", endpoint, root)
        create_account(local.orgs, "%s-%d" % (prefix, i), chain[i % len(chain)], chain[0])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))


def main():
    command, args = sys.argv[1], sys.argv[2:]
    {"root-creds": root_creds, "reader": reader, "org": org,
     "grow": lambda e, r, n: grow(e, r, int(n))}[command](*args)


if __name__ == "__main__":
    main()
