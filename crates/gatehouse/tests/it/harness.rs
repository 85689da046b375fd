//! Starts the server in a temp dir and builds clients for it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;

/// A running server and what its first start printed.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub endpoint: String,
    /// `http://127.0.0.1:PORT` of `--admin-listen`, when given.
    pub admin_endpoint: Option<String>,
    /// The data directory (kept across restarts).
    pub data_dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    args: Vec<String>,
    /// Lines the server wrote to stderr are collected here when it stops.
    pub stderr_path: PathBuf,
}

/// An access key pair.
#[derive(Clone, Debug)]
pub struct Keys {
    pub id: String,
    pub secret: String,
}

impl Server {
    /// Starts a server on an ephemeral port with a fresh data dir and extra flags.
    pub fn start(extra: &[&str]) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = temp.path().join("data");
        let args = extra.iter().map(|s| (*s).to_owned()).collect();
        Self::spawn(data_dir, Some(temp), args)
    }

    fn spawn(data_dir: PathBuf, temp: Option<tempfile::TempDir>, args: Vec<String>) -> Self {
        let stderr_path = data_dir.with_extension(format!(
            "stderr-{}.log",
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(data_dir.parent().unwrap()).unwrap();
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .arg("serve")
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(&args)
            .env_remove("GATEHOUSE_MASTER_KEY")
            .env_remove("GATEHOUSE_DATABASE_URL")
            .env_remove("GATEHOUSE_DEV")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let wants_admin = args.iter().any(|arg| arg.starts_with("--admin-listen"));
        let mut endpoint = None;
        let mut admin_endpoint = None;
        while endpoint.is_none() || (wants_admin && admin_endpoint.is_none()) {
            match receiver.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if let Some(address) = line.strip_prefix("gatehouse listening on ") {
                        endpoint = Some(address.trim().to_owned());
                    }
                    if let Some(address) = line.strip_prefix("gatehouse admin listening on ") {
                        admin_endpoint = Some(address.trim().to_owned());
                    }
                }
                Err(_) => {
                    let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                    panic!("server did not start; stderr:\n{log}");
                }
            }
        }
        let endpoint = endpoint.unwrap();
        Self {
            child,
            endpoint,
            admin_endpoint,
            data_dir,
            _temp: temp,
            args,
            stderr_path,
        }
    }

    /// Kills the process (SIGKILL) and starts it again on the same data dir.
    pub fn restart(mut self) -> Self {
        let _ = self.child.kill();
        self.child.wait().unwrap();
        let temp = self._temp.take();
        let data_dir = self.data_dir.clone();
        let args = self.args.clone();
        Self::spawn(data_dir, temp, args)
    }

    /// The root key from the credentials file written at first start.
    pub fn root_keys(&self) -> Keys {
        read_credentials_file(&self.data_dir.join("root-credentials"))
    }

    /// An IAM client signing with `keys`.
    pub fn iam(&self, keys: &Keys) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// An STS client signing with `keys`.
    pub fn sts(&self, keys: &Keys) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// An IAM client signing with temporary credentials.
    pub fn iam_with_token(&self, keys: &Keys, token: &str) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(
                &keys.id,
                &keys.secret,
                Some(token.to_owned()),
                None,
                "session",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// An STS client signing with temporary credentials.
    pub fn sts_with_token(&self, keys: &Keys, token: &str) -> aws_sdk_sts::Client {
        let config = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(
                &keys.id,
                &keys.secret,
                Some(token.to_owned()),
                None,
                "session",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_sts::Client::from_conf(config)
    }

    /// An Organizations client signing with `keys`.
    pub fn organizations(&self, keys: &Keys) -> aws_sdk_organizations::Client {
        self.organizations_in(keys, "us-east-1")
    }

    /// An Organizations client signing with `keys` for `region` (and so its partition).
    pub fn organizations_in(&self, keys: &Keys, region: &str) -> aws_sdk_organizations::Client {
        let config = aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new(
                region.to_owned(),
            ))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_organizations::Client::from_conf(config)
    }

    /// An Organizations client signing with temporary credentials.
    pub fn organizations_with_token(
        &self,
        keys: &Keys,
        token: &str,
    ) -> aws_sdk_organizations::Client {
        let config = aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new(
                &keys.id,
                &keys.secret,
                Some(token.to_owned()),
                None,
                "session",
            ))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_organizations::Client::from_conf(config)
    }

    /// A Service Quotas client signing with `keys`.
    pub fn quotas(&self, keys: &Keys) -> aws_sdk_servicequotas::Client {
        let config = aws_sdk_servicequotas::Config::builder()
            .behavior_version(aws_sdk_servicequotas::config::BehaviorVersion::latest())
            .region(aws_sdk_servicequotas::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(credentials(keys))
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        aws_sdk_servicequotas::Client::from_conf(config)
    }

    /// Sends a signal (`TERM`, `HUP`, …) to the server process.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit on its own (after a signal) and returns its status.
    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "server did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Stops the server (SIGTERM, so it writes its buffered log lines; killed if it
    /// does not exit within ten seconds) and returns everything it logged.
    pub fn stop(mut self) -> String {
        self.signal("TERM");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn credentials(keys: &Keys) -> Credentials {
    Credentials::new(&keys.id, &keys.secret, None, None, "gatehouse-test")
}

/// Reads `aws_access_key_id` / `aws_secret_access_key` from a shared-credentials file.
pub fn read_credentials_file(path: &Path) -> Keys {
    let text = std::fs::read_to_string(path).unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .map(|rest| rest.trim_start().trim_start_matches('=').trim().to_owned())
            .unwrap()
    };
    Keys {
        id: value("aws_access_key_id"),
        secret: value("aws_secret_access_key"),
    }
}

/// A signed request the SDKs would never send: any service, action and body.
pub struct RawRequest<'a> {
    pub service: &'a str,
    pub target: Option<&'a str>,
    pub body: Vec<u8>,
    pub keys: Option<&'a Keys>,
    pub time: SystemTime,
}

impl<'a> RawRequest<'a> {
    /// A form-encoded awsQuery request.
    pub fn query(service: &'a str, body: &str, keys: &'a Keys) -> Self {
        Self {
            service,
            target: None,
            body: body.as_bytes().to_vec(),
            keys: Some(keys),
            time: SystemTime::now(),
        }
    }

    /// The headers to send, signed when the request has keys (`host` included).
    fn signed_headers(&self, endpoint: &str) -> Vec<(String, String)> {
        let content_type = if self.target.is_some() {
            "application/x-amz-json-1.1"
        } else {
            "application/x-www-form-urlencoded; charset=utf-8"
        };
        let host = endpoint.trim_start_matches("http://").to_owned();
        let mut headers = vec![
            ("host".to_owned(), host),
            ("content-type".to_owned(), content_type.to_owned()),
        ];
        if let Some(target) = self.target {
            headers.push(("x-amz-target".to_owned(), target.to_owned()));
        }
        if let Some(keys) = self.keys {
            use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
            let identity = credentials(keys).into();
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name(self.service)
                .time(self.time)
                .settings(SigningSettings::default())
                .build()
                .unwrap()
                .into();
            let signable = SignableRequest::new(
                "POST",
                format!("{endpoint}/"),
                headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                SignableBody::Bytes(&self.body),
            )
            .unwrap();
            let (instructions, _) = sign(signable, &params).unwrap().into_parts();
            for (name, value) in instructions.headers() {
                headers.push((name.to_owned(), value.to_owned()));
            }
        }
        headers
    }

    /// The request as an HTTP/2-style request: the host as the URI's authority (the
    /// `:authority` pseudo-header), not a header.
    pub fn to_http(&self, endpoint: &str) -> http::Request<Vec<u8>> {
        let mut request = http::Request::post(format!("{endpoint}/"));
        for (name, value) in self.signed_headers(endpoint) {
            if name != "host" {
                request = request.header(name, value);
            }
        }
        request.body(self.body.clone()).unwrap()
    }

    /// Sends it and returns the status and body text.
    pub async fn send(&self, endpoint: &str) -> (u16, String) {
        let request = reqwest::Request::try_from(self.to_http(endpoint)).unwrap();
        let response = reqwest::Client::new().execute(request).await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

/// The text of `<Code>` in an XML error.
pub fn xml_code(body: &str) -> String {
    between(body, "<Code>", "</Code>")
}

/// The text between two markers.
pub fn between(body: &str, start: &str, end: &str) -> String {
    let from = body
        .find(start)
        .map(|i| i + start.len())
        .unwrap_or_else(|| panic!("no {start} in {body}"));
    let to = body[from..].find(end).map(|i| i + from).unwrap();
    body[from..to].to_owned()
}

/// Creates an IAM user with one access key and returns the key.
pub async fn user_with_key(iam: &aws_sdk_iam::Client, name: &str) -> Keys {
    iam.create_user().user_name(name).send().await.unwrap();
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    Keys {
        id: key.access_key_id().to_owned(),
        secret: key.secret_access_key().to_owned(),
    }
}

/// The root of an account through dev mode's 12-digit key ids (servers run with `--dev`).
pub fn dev_root(account: &str) -> Keys {
    Keys {
        id: account.to_owned(),
        secret: "dev-mode-ignores-this".to_owned(),
    }
}

/// Creates an organization (all features) managed by `orgs`'s account; returns its root's id.
pub async fn create_organization(orgs: &aws_sdk_organizations::Client) -> String {
    orgs.create_organization().send().await.unwrap();
    orgs.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned()
}

/// Asks for a member account and returns the request's status once it completed (the
/// first answer is always `IN_PROGRESS`, as on AWS).
pub async fn create_account(
    orgs: &aws_sdk_organizations::Client,
    name: &str,
    email: &str,
) -> aws_sdk_organizations::types::CreateAccountStatus {
    let started = orgs
        .create_account()
        .account_name(name)
        .email(email)
        .send()
        .await
        .unwrap();
    let started = started.create_account_status().unwrap();
    assert_eq!(
        started.state(),
        Some(&aws_sdk_organizations::types::CreateAccountState::InProgress)
    );
    let id = started.id().unwrap();
    assert!(id.starts_with("car-") && id.len() == 36, "{id}");
    orgs.describe_create_account_status()
        .create_account_request_id(id)
        .send()
        .await
        .unwrap()
        .create_account_status()
        .unwrap()
        .clone()
}

/// Creates a member account that must succeed and returns its id.
pub async fn create_member(
    orgs: &aws_sdk_organizations::Client,
    name: &str,
    email: &str,
) -> String {
    create_account(orgs, name, email)
        .await
        .account_id()
        .unwrap()
        .to_owned()
}

/// Runs a python `script` that prints one `Operation<TAB>body` line per operation of
/// botocore's `model` (given the account id), and returns the bodies by operation. Prints
/// a loud SKIPPED notice and returns `None` when python3 or botocore is missing.
pub fn model_inputs(script: &str, account: &str, model: &str) -> Option<BTreeMap<String, String>> {
    let loud = |why: &str| {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED: {why}; the {model} model walk did not run\n"
        );
    };
    let Ok(out) = Command::new("python3")
        .args(["-c", script, account])
        .output()
    else {
        loud("python3 not found");
        return None;
    };
    if !out.status.success() {
        loud(&format!(
            "botocore's {model} model could not be read ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
        return None;
    }
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(op, body)| (op.to_owned(), body.to_owned()))
            .collect(),
    )
}
