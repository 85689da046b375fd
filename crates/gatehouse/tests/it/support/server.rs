//! The `gatehouse` binary: a server process on loopback with its own temp data dir and
//! log (start, restart, signal, stop), and the binary's command line run on that data
//! dir. It only starts and stops processes; clients live in `clients`, keys in
//! `credentials`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// The `gatehouse` binary under test, with nothing set.
pub fn gatehouse() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gatehouse"))
}

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
    /// `GATEHOUSE_LOG`, when the test sets one (the environment's is never inherited).
    log_filter: Option<String>,
    /// Lines the server wrote to stderr are collected here when it stops.
    pub stderr_path: PathBuf,
}

impl Server {
    /// Starts a server on an ephemeral port with a fresh data dir and extra flags.
    pub fn start(extra: &[&str]) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = temp.path().join("data");
        let args = extra.iter().map(|s| (*s).to_owned()).collect();
        Self::spawn(data_dir, Some(temp), args, None)
    }

    /// [`Server::start`] with `GATEHOUSE_LOG` set to `filter` (e.g. `trace`).
    pub fn start_logging(filter: &str, extra: &[&str]) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let data_dir = temp.path().join("data");
        let args = extra.iter().map(|s| (*s).to_owned()).collect();
        Self::spawn(data_dir, Some(temp), args, Some(filter.to_owned()))
    }

    fn spawn(
        data_dir: PathBuf,
        temp: Option<tempfile::TempDir>,
        args: Vec<String>,
        log_filter: Option<String>,
    ) -> Self {
        let stderr_path = data_dir.with_extension(format!(
            "stderr-{}.log",
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(data_dir.parent().unwrap()).unwrap();
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut command = gatehouse();
        match &log_filter {
            Some(filter) => command.env("GATEHOUSE_LOG", filter),
            None => command.env_remove("GATEHOUSE_LOG"),
        };
        let mut child = command
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
            log_filter,
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
        let log_filter = self.log_filter.clone();
        Self::spawn(data_dir, temp, args, log_filter)
    }

    /// The `gatehouse` command line with `args`, on this server's data dir (and, like the
    /// server, never on a database named by the environment).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = gatehouse();
        command
            .args(args)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env_remove("GATEHOUSE_DATABASE_URL");
        command
    }

    /// The URL of `path` (which starts with `/`) on the API listener.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.endpoint)
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
