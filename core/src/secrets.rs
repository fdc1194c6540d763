//! Credentials live only in the OS keyring. Nothing here ever prints a secret value:
//! values travel as [`SecretString`], whose `Debug` is a placeholder.

use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::error::SecretError;

pub use secrecy::ExposeSecret;

mod read_ahead;
pub use read_ahead::ReadAhead;
pub(crate) use read_ahead::ReadAheadStore;

/// Keyring "service" for real accounts; the demo uses its own so the two never mix.
pub const SERVICE: &str = "presently";
pub const SERVICE_ENV: &str = "PRESENTLY_KEYRING_SERVICE";

/// Names one secret of one account, e.g. account "work", secret "api_key".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    pub account: String,
    pub name: &'static str,
}

impl SecretKey {
    pub fn new(account: &str, name: &'static str) -> Self {
        SecretKey {
            account: account.to_owned(),
            name,
        }
    }

    fn user(&self) -> String {
        format!("{}:{}", self.account, self.name)
    }
}

pub trait SecretStore: Send + Sync + std::fmt::Debug {
    fn set(&self, key: &SecretKey, value: &SecretString) -> Result<(), SecretError>;
    /// `Ok(None)` when there is no such entry.
    fn get(&self, key: &SecretKey) -> Result<Option<SecretString>, SecretError>;
    /// Deleting a missing entry is not an error.
    fn delete(&self, key: &SecretKey) -> Result<(), SecretError>;
    /// Every secret under this store's service, read in one batch, for connecting many
    /// accounts at once (see [`ReadAheadStore`]); `None` when this store cannot, and its
    /// secrets are then read one at a time.
    fn read_all(&self) -> Option<ReadAhead> {
        None
    }
}

/// The platform keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug)]
pub struct KeyringStore {
    service: String,
}

static DEFAULT_STORE: OnceLock<Result<(), SecretError>> = OnceLock::new();
/// How many times this process connected again after the Secret Service went away.
static RECONNECTS: AtomicU64 = AtomicU64::new(0);
static RECONNECTING: Mutex<()> = Mutex::new(());

impl KeyringStore {
    /// Connects to the keyring under `$PRESENTLY_KEYRING_SERVICE`, else "presently".
    pub fn open() -> Result<Self, SecretError> {
        let store = Self::opening();
        store.wait_open()?;
        Ok(store)
    }

    pub fn open_service(service: &str) -> Result<Self, SecretError> {
        Self::ready()?;
        Ok(KeyringStore {
            service: service.to_owned(),
        })
    }

    /// The store for `$PRESENTLY_KEYRING_SERVICE` (else "presently"), connecting to the keyring
    /// (a D-Bus connection and an encrypted session: about 10 ms, mostly waiting on the
    /// keyring daemon) on a thread of its own, so a command reads its config and loads the
    /// system's certificates meanwhile. [`Self::wait_open`] says whether it connected; every
    /// read and write waits for it too. Connecting is tried once per process.
    pub fn opening() -> Self {
        if DEFAULT_STORE.get().is_none() {
            std::thread::spawn(Self::ready);
        }
        KeyringStore {
            service: std::env::var(SERVICE_ENV)
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| SERVICE.to_owned()),
        }
    }

    /// Waits for the connection [`Self::opening`] started.
    ///
    /// # Errors
    /// [`SecretError::Unavailable`] when there is no keyring to connect to.
    pub fn wait_open(&self) -> Result<(), SecretError> {
        Self::ready()
    }

    /// Connects once per process; later calls (and calls while a connection is being made)
    /// get the first one's outcome.
    fn ready() -> Result<(), SecretError> {
        DEFAULT_STORE
            .get_or_init(|| {
                let started = std::time::Instant::now();
                let opened = install_platform_store();
                tracing::debug!("keyring connected in {:?}", started.elapsed());
                opened
            })
            .clone()
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring_core::Entry, SecretError> {
        Self::ready()?;
        keyring_core::Entry::new(&self.service, &key.user()).map_err(|e| describe(key, e))
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn install_platform_store() -> Result<(), SecretError> {
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| SecretError::Unavailable(e.to_string()))?;
    keyring_core::set_default_store(store);
    Ok(())
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn install_platform_store() -> Result<(), SecretError> {
    Err(SecretError::Unavailable(
        "this build only supports the Secret Service keyring".into(),
    ))
}

fn describe(key: &SecretKey, error: keyring_core::Error) -> SecretError {
    use keyring_core::Error as K;
    match error {
        K::NoStorageAccess(cause) => SecretError::Unavailable(format!(
            "cannot open the keyring, is it locked or missing? ({cause})"
        )),
        K::PlatformFailure(cause) => SecretError::Unavailable(cause.to_string()),
        other => SecretError::Refused {
            entry: key.user(),
            reason: other.to_string(),
        },
    }
}

impl KeyringStore {
    /// Runs one keyring operation; when the Secret Service went away under it (the daemon
    /// ended, and D-Bus or systemd started it again, so this process's encrypted session is
    /// gone), connects again and tries once more. gnome-keyring-daemon has been seen to end
    /// on an assertion when a client disconnects mid-call (a process killed while it reads a
    /// secret), which would otherwise leave a long-running tray app unable to read any secret
    /// until restarted. Every operation here is idempotent, so the second try is safe.
    fn attempt<T>(
        &self,
        key: &SecretKey,
        op: impl Fn(&keyring_core::Entry) -> Result<T, keyring_core::Error>,
    ) -> Result<Result<T, keyring_core::Error>, SecretError> {
        let seen = RECONNECTS.load(Ordering::SeqCst);
        match op(&self.entry(key)?) {
            Err(error) if service_went_away(&error) => {
                tracing::warn!("the keyring service went away ({error}); connecting again");
                reconnect(seen)?;
                Ok(op(&self.entry(key)?))
            }
            other => Ok(other),
        }
    }
}

/// True for the errors a client sees when the Secret Service daemon it had a session with
/// ended: the call was never answered, or the session or the service is unknown now.
fn service_went_away(error: &keyring_core::Error) -> bool {
    let text = match error {
        keyring_core::Error::PlatformFailure(cause)
        | keyring_core::Error::NoStorageAccess(cause) => cause.to_string(),
        _ => return false,
    };
    [
        "org.freedesktop.DBus.Error.NoReply",
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.Secret.Error.NoSession",
    ]
    .iter()
    .any(|name| text.contains(name))
}

/// Connects again, once for all the threads that saw the service go away at the same time.
fn reconnect(seen: u64) -> Result<(), SecretError> {
    let _one_at_a_time = RECONNECTING.lock().unwrap_or_else(|p| p.into_inner());
    if RECONNECTS.load(Ordering::SeqCst) != seen {
        return Ok(());
    }
    install_platform_store()?;
    RECONNECTS.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

impl SecretStore for KeyringStore {
    fn set(&self, key: &SecretKey, value: &SecretString) -> Result<(), SecretError> {
        self.attempt(key, |entry| entry.set_password(value.expose_secret()))?
            .map_err(|e| describe(key, e))
    }

    fn get(&self, key: &SecretKey) -> Result<Option<SecretString>, SecretError> {
        match self.attempt(key, keyring_core::Entry::get_password)? {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(key, e)),
        }
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        match self.attempt(key, keyring_core::Entry::delete_credential)? {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(key, e)),
        }
    }

    fn read_all(&self) -> Option<ReadAhead> {
        Self::ready().ok()?;
        let started = std::time::Instant::now();
        match read_all_items(&self.service) {
            Ok(ahead) => {
                tracing::debug!(
                    "{} keyring items read in one batch in {:?}",
                    ahead.found.len(),
                    started.elapsed()
                );
                Some(ahead)
            }
            Err(error) => {
                tracing::debug!("reading the keyring in one batch failed ({error}); one at a time");
                None
            }
        }
    }
}

/// Every item under `service` with the attributes keyring-core gives its entries
/// (`service`, `username`), found with one `SearchItems` and read with pipelined calls over
/// a connection and encrypted session of its own (keyring-core's is behind its lock).
/// `Err` when any item is locked (keyring-core's own read then asks for it to be unlocked)
/// or the keyring cannot be reached.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn read_all_items(service: &str) -> Result<ReadAhead, secret_service::Error> {
    use secret_service::{EncryptionType, SecretService};
    futures::executor::block_on(async {
        let keyring = SecretService::connect(EncryptionType::Dh).await?;
        let search = keyring
            .search_items(HashMap::from([("service", service)]))
            .await?;
        if !search.locked.is_empty() {
            return Err(secret_service::Error::Locked);
        }
        let reads = search.unlocked.iter().map(|item| async move {
            let (attributes, secret) =
                futures::future::join(item.get_attributes(), item.get_secret()).await;
            Ok::<_, secret_service::Error>((attributes?, secret?))
        });
        let mut ahead = ReadAhead::default();
        for read in futures::future::join_all(reads).await {
            let (attributes, secret) = read?;
            if let Some(user) = attributes.get("username") {
                let text = String::from_utf8(secret).ok().map(SecretString::from);
                ahead.add(user.clone(), text);
            }
        }
        Ok(ahead)
    })
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn read_all_items(_service: &str) -> Result<ReadAhead, SecretError> {
    Err(SecretError::Unavailable(
        "this build only supports the Secret Service keyring".into(),
    ))
}

/// Keeps secrets in memory; for unit tests only.
#[derive(Debug, Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<SecretKey, SecretString>>,
}

impl MemoryStore {
    fn values(&self) -> std::sync::MutexGuard<'_, HashMap<SecretKey, SecretString>> {
        self.values.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, key: &SecretKey, value: &SecretString) -> Result<(), SecretError> {
        self.values().insert(key.clone(), value.clone());
        Ok(())
    }

    fn get(&self, key: &SecretKey) -> Result<Option<SecretString>, SecretError> {
        Ok(self.values().get(key).cloned())
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        self.values().remove(key);
        Ok(())
    }

    fn read_all(&self) -> Option<ReadAhead> {
        let mut ahead = ReadAhead::default();
        for (key, value) in self.values().iter() {
            ahead.add(key.user(), Some(value.clone()));
        }
        Some(ahead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trip_and_debug_hides_values() {
        let store = MemoryStore::default();
        let key = SecretKey::new("work", "api_key");
        store
            .set(&key, &SecretString::from("hunter2-secret".to_owned()))
            .expect("set");
        let value = store.get(&key).expect("get").expect("present");
        assert_eq!(value.expose_secret(), "hunter2-secret");
        assert!(!format!("{value:?} {store:?}").contains("hunter2"));
        store.delete(&key).expect("delete");
        assert!(store.get(&key).expect("get").is_none());
        store.delete(&key).expect("deleting twice is fine");
    }

    /// Runs against the real Secret Service; CI runs it inside a D-Bus session with gnome-keyring.
    #[test]
    #[ignore = "needs an unlocked Secret Service (run by scripts/test.sh)"]
    fn real_keyring_stores_reads_and_deletes() {
        let store = KeyringStore::open_service("presently-test").expect("keyring");
        let key = SecretKey::new("keyring-test", "api_key");
        let secret = SecretString::from("s3cr3t-token-for-test".to_owned());
        store.set(&key, &secret).expect("set");
        let back = store.get(&key).expect("get").expect("stored");
        assert_eq!(back.expose_secret(), "s3cr3t-token-for-test");
        store.delete(&key).expect("delete");
        assert!(store.get(&key).expect("get after delete").is_none());
    }

    /// The batch read finds exactly the entries keyring-core wrote under its service, with
    /// their values, and nothing of another service.
    #[test]
    #[ignore = "needs an unlocked Secret Service (run by scripts/test.sh)"]
    fn real_keyring_reads_a_service_in_one_batch() {
        let service = format!("presently-test-batch-{}", std::process::id());
        let store = KeyringStore::open_service(&service).expect("keyring");
        let other = KeyringStore::open_service(&format!("{service}-other")).expect("keyring");
        let keys: Vec<_> = (0..12)
            .map(|i| SecretKey::new(&format!("acct{i}"), "api_key"))
            .collect();
        for (i, key) in keys.iter().enumerate() {
            let value = SecretString::from(format!("batch-secret-{i}"));
            store.set(key, &value).expect("set");
        }
        let elsewhere = SecretString::from("of-another-service".to_owned());
        other.set(&keys[0], &elsewhere).expect("set");

        let ahead = store.read_all().expect("read in one batch");
        assert!(ahead.unsure.is_empty());
        assert_eq!(ahead.found.len(), keys.len());
        for (i, key) in keys.iter().enumerate() {
            let value = ahead.found.get(&key.user()).expect("found");
            assert_eq!(value.expose_secret(), &format!("batch-secret-{i}"));
        }
        for key in &keys {
            store.delete(key).expect("delete");
        }
        other.delete(&keys[0]).expect("delete");
        let ahead = store.read_all().expect("read in one batch");
        assert!(ahead.found.is_empty());
    }

    /// The Secret Service ends under a running process (killed here; gnome-keyring-daemon
    /// has also been seen to end by itself) and D-Bus starts it again: the next read
    /// connects again instead of failing for the rest of the process's life.
    #[test]
    #[ignore = "needs tests/with-keyring.sh, whose bus starts the daemon again"]
    fn a_restarted_keyring_daemon_is_connected_to_again() {
        let store = KeyringStore::open_service("presently-test").expect("keyring");
        let key = SecretKey::new("restart-test", "api_key");
        let secret = SecretString::from("kept-across-restarts".to_owned());
        store.set(&key, &secret).expect("set");
        let owner = std::process::Command::new("gdbus")
            .args([
                "call",
                "--session",
                "--dest",
                "org.freedesktop.DBus",
                "--object-path",
                "/org/freedesktop/DBus",
                "--method",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                "org.freedesktop.secrets",
            ])
            .output()
            .expect("gdbus");
        let said = String::from_utf8_lossy(&owner.stdout);
        // "(uint32 1234,)"
        let pid: String = said
            .split("uint32")
            .nth(1)
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert!(!pid.is_empty(), "the daemon's pid: {said}");
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        // Gone once /proc no longer has it (a zombie until its parent reaps it counts as gone).
        let gone = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |stat| stat.contains(") Z "))
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !gone() {
            assert!(
                std::time::Instant::now() < deadline,
                "the daemon did not end"
            );
            std::thread::yield_now();
        }
        let back = store
            .get(&key)
            .expect("read after the restart")
            .expect("kept");
        assert_eq!(back.expose_secret(), "kept-across-restarts");
        store.delete(&key).expect("delete");
    }
}
