//! Helpers for driving the real `presently` binary against the fakes (Zulip, Rocket.Chat, Zoom)
//! and the real keyring.
//!
//! Every [`Cli`] has its own config dir and its own keyring service name, so tests run in
//! parallel without seeing each other, and deletes its keyring entries when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use presently_core::secrets::{ExposeSecret, KeyringStore, SecretKey, SecretStore};
use presently_fakes::zulip::{FakeZulip, RecordedRequest, ZulipFakeConfig};
use secrecy::SecretString;
use serde_json::Value;

pub const ALICE_EMAIL: &str = "alice@example.com";
pub const ALICE_KEY: &str = "aliceKEY0123456789abcdef01234567";
pub const ALICE_ID: u64 = 8;
pub const BOB_EMAIL: &str = "bob@example.com";
pub const BOB_KEY: &str = "bobKEY0123456789abcdef0123456789";
pub const BOB_ID: u64 = 9;
pub const BOT_EMAIL: &str = "bot@example.com";
pub const BOT_KEY: &str = "botKEY0123456789abcdef0123456789";
/// Well formed (32 letters and digits) but nobody's key.
pub const WRONG_KEY: &str = "wrongKEY0123456789abcdef01234567";

pub const OWN_STATUS: &str = "/api/v1/users/me/status";
/// `PATCH` here changes visibility (`presence_enabled`).
pub const SETTINGS: &str = "/api/v1/settings";

/// Every account id the tests use; their keyring entries are deleted on drop.
const ACCOUNT_IDS: &[&str] = &[
    "alice", "bob", "bot", "carol", "rc", "team", "pat", "zoom", "staff",
];

/// Every secret name the providers keep, per account.
const SECRET_NAMES: &[&str] = &[
    "api_key",
    "auth_token",
    "user_id",
    "client_secret",
    "tokens",
];

/// A command longer than this is a hang in the product, reported as a failure.
const WATCHDOG: Duration = Duration::from_secs(30);

pub fn fake() -> FakeZulip {
    FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip starts")
}

pub fn fake_with(f: impl FnOnce(&mut ZulipFakeConfig)) -> FakeZulip {
    let mut config = ZulipFakeConfig::default();
    f(&mut config);
    FakeZulip::start(config).expect("fake Zulip starts")
}

/// Requests the fake received for `method path`, oldest first.
pub fn requests_to(fake: &FakeZulip, method: &str, path: &str) -> Vec<RecordedRequest> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .collect()
}

/// The value of one form field of a recorded request.
pub fn field<'a>(request: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    request
        .form
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Out {
    /// stdout and stderr together, for wording checks.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn says(&self, words: &str) -> &Self {
        assert!(
            self.all().contains(words),
            "expected {words:?} in the output\n--- stdout\n{}--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn never_says(&self, words: &str) -> &Self {
        assert!(
            !self.all().contains(words),
            "{words:?} must not appear in the output\n--- stdout\n{}--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The first line of stdout (the summary of `set` and `clear`).
    pub fn first_line(&self) -> &str {
        self.stdout.lines().next().unwrap_or_default()
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// One user's `presently`: a private config dir and keyring service.
pub struct Cli {
    dir: tempfile::TempDir,
    service: String,
    keyring: KeyringStore,
}

impl Cli {
    /// `name` makes the keyring service unique: "presently-test-<name>".
    pub fn new(name: &str) -> Cli {
        assert!(
            std::env::var_os("PRESENTLY_PRIVATE_BUS").is_some(),
            "these tests use the real OS keyring; run them through \
             `bash tests/with-keyring.sh cargo test -p presently-cli` so they get a private, \
             unlocked gnome-keyring and never touch your own"
        );
        let dir = tempfile::Builder::new()
            .prefix(&format!("presently-cli-{name}-"))
            .tempdir()
            .expect("temp config dir");
        let service = format!("presently-test-{name}");
        let keyring = KeyringStore::open_service(&service).expect("the private keyring is up");
        let cli = Cli {
            dir,
            service,
            keyring,
        };
        cli.forget_secrets();
        cli
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.config_path()).expect("config.toml readable")
    }

    /// Replaces `from` by `to` in config.toml, as a user editing it would.
    #[track_caller]
    pub fn edit_config(&self, from: &str, to: &str) {
        let text = self.config_text();
        assert!(text.contains(from), "{from:?} not in config.toml:\n{text}");
        std::fs::write(self.config_path(), text.replacen(from, to, 1)).expect("write config");
    }

    /// Sets `[settings] timeout_seconds`.
    pub fn set_timeout(&self, seconds: u64) {
        self.edit_config(
            "timeout_seconds = 10",
            &format!("timeout_seconds = {seconds}"),
        );
    }

    /// The binary with this user's environment; stdin is empty unless given.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_presently"));
        command
            .args(args)
            .env("PRESENTLY_CONFIG_DIR", self.dir.path())
            .env("PRESENTLY_KEYRING_SERVICE", &self.service)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `args` at the most verbose logging there is, twice: with `-vvv`, then with
    /// `RUST_LOG=trace`; returns everything both printed (output and log), for checks that
    /// no secret ever appears in them.
    pub fn run_loudest(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut all = String::new();
        for loud in [true, false] {
            let mut args = args.to_vec();
            if loud {
                args.insert(0, "-vvv");
            }
            let mut command = self.command(&args);
            if !loud {
                // Also directives aimed past the cap on the libraries that see secrets.
                command.env(
                    "RUST_LOG",
                    "trace,zbus::connection=trace,hyper_util=trace,reqwest::connect=trace,[span]=trace",
                );
            }
            if stdin.is_some() {
                command.stdin(Stdio::piped());
            }
            let out = run(command, stdin);
            all.push_str(&out.all());
        }
        all
    }

    pub fn run(&self, args: &[&str]) -> Out {
        run(self.command(args), None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Out {
        let mut command = self.command(args);
        command.stdin(Stdio::piped());
        run(command, Some(stdin))
    }

    /// Starts the binary in the background, feeding `stdin`, so the test can read its
    /// output while it runs (e.g. a sign-in address) and act on it.
    pub fn spawn_with_stdin(&self, args: &[&str], stdin: &str) -> Running {
        let mut command = self.command(args);
        command.stdin(Stdio::piped());
        Running::start(command, Some(stdin))
    }

    /// Like [`Cli::spawn_with_stdin`] with an empty stdin.
    pub fn spawn(&self, args: &[&str]) -> Running {
        Running::start(self.command(args), None)
    }

    /// `account add zulip <id> --site <fake> --email <email>` with the key on stdin.
    pub fn add(&self, fake: &FakeZulip, id: &str, email: &str, key: &str) -> Out {
        self.run_with_stdin(
            &[
                "account",
                "add",
                "zulip",
                id,
                "--site",
                &fake.url(),
                "--email",
                email,
            ],
            &format!("{key}\n"),
        )
    }

    /// Alice's Rocket.Chat account `id` on `fake`, signed in with her password.
    #[track_caller]
    pub fn add_rocketchat_alice(
        &self,
        fake: &presently_fakes::rocketchat::FakeRocketChat,
        id: &str,
    ) {
        let url = fake.url();
        let args = [
            "account",
            "add",
            "rocketchat",
            id,
            "--server",
            &url,
            "--user",
            "alice",
        ];
        self.run_with_stdin(&args, "alice-password\n").code(0);
    }

    /// Alice's Zoom account `id` on `fake`, through the Server-to-Server app.
    #[track_caller]
    pub fn add_zoom_alice(&self, fake: &presently_fakes::zoom::FakeZoom, id: &str) {
        use presently_fakes::zoom::{S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET};
        let (api, auth) = (fake.api_base(), fake.auth_base());
        let args = [
            "account",
            "add",
            "zoom",
            id,
            "--server-to-server",
            "--account-id",
            "acct-0001",
            "--client-id",
            S2S_APP_CLIENT_ID,
            "--user",
            "alice@example.com",
            "--api-base",
            &api,
            "--auth-base",
            &auth,
        ];
        self.run_with_stdin(&args, &format!("{S2S_APP_CLIENT_SECRET}\n"))
            .code(0);
    }

    #[track_caller]
    pub fn add_alice(&self, fake: &FakeZulip) {
        self.add(fake, "alice", ALICE_EMAIL, ALICE_KEY)
            .code(0)
            .says("signed in as Alice Admin");
    }

    #[track_caller]
    pub fn add_bob(&self, fake: &FakeZulip) {
        self.add(fake, "bob", BOB_EMAIL, BOB_KEY)
            .code(0)
            .says("signed in as Bob Member");
    }

    /// The stored secret of an account, read from the real keyring.
    pub fn secret(&self, account: &str) -> Option<String> {
        self.keyring
            .get(&SecretKey::new(account, "api_key"))
            .expect("keyring readable")
            .map(|s| s.expose_secret().to_owned())
    }

    pub fn store_secret(&self, account: &str, value: &str) {
        self.keyring
            .set(
                &SecretKey::new(account, "api_key"),
                &SecretString::from(value.to_owned()),
            )
            .expect("keyring writable");
    }

    /// Account ids in config.toml, as `account list --json` reports them.
    #[track_caller]
    pub fn account_ids(&self) -> Vec<String> {
        let out = self.run(&["--json", "account", "list"]);
        out.code(0);
        out.json()["accounts"]
            .as_array()
            .expect("accounts array")
            .iter()
            .map(|a| a["id"].as_str().expect("id").to_owned())
            .collect()
    }

    /// Files under the config dir whose bytes contain `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![self.dir.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("list config dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::read(&path)
                    .map(|bytes| String::from_utf8_lossy(&bytes).contains(needle))
                    .unwrap_or(false)
                {
                    found.push(path);
                }
            }
        }
        found
    }

    /// One named keyring entry of an account (e.g. Rocket.Chat's "auth_token").
    pub fn secret_named(&self, account: &str, name: &'static str) -> Option<String> {
        self.keyring
            .get(&SecretKey::new(account, name))
            .expect("keyring readable")
            .map(|s| s.expose_secret().to_owned())
    }

    /// Whether the keyring holds this entry of an account.
    pub fn has_secret(&self, account: &str, name: &'static str) -> bool {
        self.secret_named(account, name).is_some()
    }

    fn forget_secrets(&self) {
        for id in ACCOUNT_IDS {
            for name in SECRET_NAMES {
                let _ = self.keyring.delete(&SecretKey::new(id, name));
            }
        }
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        self.forget_secrets();
    }
}

/// Runs to completion, feeding `stdin`; fails the test if it outlives [`WATCHDOG`].
pub fn run(mut command: Command, stdin: Option<&str>) -> Out {
    let started = Instant::now();
    let mut child = command.spawn().expect("presently starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin piped");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = match finished.recv_timeout(WATCHDOG) {
        Ok(output) => output.expect("presently runs"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("presently {command:?} did not finish within {WATCHDOG:?}");
        }
    };
    Out {
        // A signal leaves no code; -1 never matches an expected one.
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// A `presently` running in the background: its stdout arrives line by line and stderr is
/// collected as it comes; it is killed if the test ends (or panics) before it does.
pub struct Running {
    child: Child,
    command: String,
    lines: mpsc::Receiver<String>,
    stdout: Arc<Mutex<String>>,
    stdout_reader: Option<JoinHandle<()>>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
    started: Instant,
    finished: bool,
}

impl Running {
    fn start(mut command: Command, stdin: Option<&str>) -> Running {
        let started = Instant::now();
        let mut child = command.spawn().expect("presently starts");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin piped");
            pipe.write_all(input.as_bytes()).expect("write stdin");
            // Dropping the pipe closes stdin: the secret is one line, then end of input.
        }
        let stdout = Arc::new(Mutex::new(String::new()));
        let (send, lines) = mpsc::channel();
        let pipe = child.stdout.take().expect("stdout piped");
        let collected = Arc::clone(&stdout);
        let stdout_reader = std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut all = collected.lock().expect("stdout lock");
                all.push_str(&line);
                all.push('\n');
                drop(all);
                let _ = send.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err_pipe = child.stderr.take().expect("stderr piped");
        let collected = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines() {
                let Ok(line) = line else { break };
                let mut all = collected.lock().expect("stderr lock");
                all.push_str(&line);
                all.push('\n');
            }
        });
        Running {
            child,
            command: format!("{command:?}"),
            lines,
            stdout,
            stdout_reader: Some(stdout_reader),
            stderr,
            stderr_reader: Some(stderr_reader),
            started,
            finished: false,
        }
    }

    /// The next line of stdout that satisfies `wanted`, waiting at most [`WATCHDOG`].
    #[track_caller]
    pub fn line_where(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WATCHDOG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(_) => {
                    let out = self.finish_now();
                    panic!(
                        "{} never printed {what}\n--- stdout\n{}--- stderr\n{}",
                        self.command, out.stdout, out.stderr
                    );
                }
            }
        }
    }

    /// The stdout line right after the first one containing `marker`.
    #[track_caller]
    pub fn line_after(&mut self, marker: &str) -> String {
        self.line_where(&format!("{marker:?}"), |line| line.contains(marker));
        self.line_where(&format!("a line after {marker:?}"), |_| true)
    }

    /// Waits (at most [`WATCHDOG`]) until stderr contains `words`.
    #[track_caller]
    pub fn wait_for_stderr(&mut self, words: &str) {
        let deadline = Instant::now() + WATCHDOG;
        while !self.stderr.lock().expect("stderr lock").contains(words) {
            if Instant::now() >= deadline || !self.is_running() {
                let out = self.finish_now();
                // It may have said it just before ending, after the last look.
                if out.stderr.contains(words) {
                    return;
                }
                panic!(
                    "{} never said {words:?} on stderr\n--- stdout\n{}--- stderr\n{}",
                    self.command, out.stdout, out.stderr
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// The process id, e.g. to send it a signal.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end (at most [`WATCHDOG`]) and returns what it did.
    #[track_caller]
    pub fn finish(self) -> Out {
        self.finish_within(WATCHDOG)
    }

    /// Waits at most `limit` for the process to end and returns what it did.
    #[track_caller]
    pub fn finish_within(mut self, limit: Duration) -> Out {
        let deadline = Instant::now() + limit;
        while self.is_running() {
            if Instant::now() >= deadline {
                let out = self.finish_now();
                panic!(
                    "{} did not finish within {limit:?}\n--- stdout\n{}--- stderr\n{}",
                    self.command, out.stdout, out.stderr
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.finish_now()
    }

    /// Kills the process if it still runs and collects its output.
    fn finish_now(&mut self) -> Out {
        if !self.finished {
            let _ = self.child.kill();
        }
        let status = self.child.wait().expect("wait");
        self.finished = true;
        if let Some(reader) = self.stdout_reader.take() {
            let _ = reader.join();
        }
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let stderr = self.stderr.lock().expect("stderr lock").clone();
        Out {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.lock().expect("stdout lock").clone(),
            stderr,
            elapsed: self.started.elapsed(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Fails if `text` holds one of `secrets`, or any request's authorization header.
#[track_caller]
pub fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(
            !text.contains(secret),
            "a secret appeared in the output or the log:\n{text}"
        );
    }
    assert!(
        !text.to_lowercase().contains("authorization"),
        "an authorization header appeared in the output or the log:\n{text}"
    );
}
