//! A real Synapse homeserver (`tests/matrix/synapse.py`: generated config, SQLite,
//! 127.0.0.1 only, no federation, users registered with the shared secret), for the Matrix
//! tests and the demo: no fake stands in for what the real server does. Synapse comes from
//! PyPI into a venv of its own (scripts/setup.sh): `PRESENTLY_SYNAPSE_PYTHON` names its
//! Python, else the venv setup.sh makes is used. Stopped (and its directory removed) when
//! dropped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

#[derive(Debug)]
pub struct Synapse {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server name user ids end with ("localhost", or the one asked for).
    pub server_name: String,
}

/// The Python of the venv Synapse is installed in, if there is one.
pub fn python() -> Option<PathBuf> {
    if let Some(given) = std::env::var_os("PRESENTLY_SYNAPSE_PYTHON") {
        return Some(PathBuf::from(given)).filter(|p| p.exists());
    }
    let home = std::env::var_os("HOME")?;
    let venv = PathBuf::from(home).join(".cache/presently/synapse-venv/bin/python");
    venv.exists().then_some(venv)
}

/// The script that runs it, in this source tree.
fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../matrix/synapse.py")
}

/// The password synapse.py registers for `user` ("alice", "bob").
pub fn password(user: &str) -> String {
    format!("{user}-matrix-password")
}

impl Synapse {
    /// Starts one with `args` (synapse.py: `--presence off`, `--server-name NAME`,
    /// `--presence-limit`) and returns once it answers; `Ok(None)` when Synapse or the
    /// script is not on this machine.
    pub fn start(args: &[&str]) -> Result<Option<Synapse>, String> {
        let (Some(python), true) = (python(), script().exists()) else {
            return Ok(None);
        };
        let mut child = Command::new(python)
            .arg(script())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start synapse.py: {e}"))?;
        let stdout = child.stdout.take().ok_or("synapse.py has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("synapse.py said nothing: {e}"))?;
        let info: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("synapse.py did not start ({e}): {line:?}"))?;
        let field = |name: &str| info[name].as_str().map(str::to_owned);
        match (field("url"), field("server_name")) {
            (Some(url), Some(server_name)) => Ok(Some(Synapse {
                child,
                url,
                server_name,
            })),
            _ => Err(format!("synapse.py said {line:?}")),
        }
    }

    /// "@alice:localhost".
    pub fn user_id(&self, user: &str) -> String {
        format!("@{user}:{}", self.server_name)
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        // Closing its stdin stops Synapse and removes its directory.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
