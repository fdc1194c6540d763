//! Reading every secret of many accounts at once, for the first status change of a process.
//!
//! keyring-core reads one secret at a time behind one lock: a search and a `GetSecret`
//! round trip to the keyring daemon each, about 1.5 ms per account, so connecting 100
//! accounts waited 150 ms on the keyring before any request went out. Here all items under
//! the store's service are found with one `SearchItems` and their attributes and secrets
//! asked for together over one D-Bus connection (the calls are pipelined, not waited for one
//! by one), on the Secret Service API's own terms:
//! <https://specifications.freedesktop.org/secret-service/latest/>.
//!
//! What was read ahead is served once per secret; a second read of the same secret (a
//! token keeper checking whether another process renewed a token, say) goes to the keyring
//! again, so nothing read here can go stale.

use secrecy::SecretString;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use super::{SecretKey, SecretStore};
use crate::error::SecretError;

/// What one batch read found: the secrets of items found exactly once and unlocked, by
/// their keyring user name (`account:name`), and the names that must be read one at a time
/// (found locked or more than once, or not text), so the keyring's own answer stands.
#[derive(Default)]
pub struct ReadAhead {
    pub(crate) found: HashMap<String, SecretString>,
    pub(crate) unsure: HashSet<String>,
}

impl ReadAhead {
    /// Adds one item's secret; a name seen twice is left to the keyring (which calls it
    /// ambiguous).
    pub(crate) fn add(&mut self, user: String, secret: Option<SecretString>) {
        if self.unsure.contains(&user) {
            return;
        }
        match secret {
            Some(secret) if !self.found.contains_key(&user) => {
                self.found.insert(user, secret);
            }
            _ => {
                self.found.remove(&user);
                self.unsure.insert(user);
            }
        }
    }
}

/// A store that answers each secret's first read from a [`ReadAhead`] until [`Self::done`],
/// and everything else (later reads, writes, deletions, names the batch was unsure of, and
/// every read after `done`) from `inner`. Providers keep the store they connected with, so
/// `done` must be called once connecting is over: a secret first read hours later (a
/// refresh token another process may have renewed since) must come from the keyring.
pub(crate) struct ReadAheadStore {
    inner: Arc<dyn SecretStore>,
    /// The batch and the names already served or changed; `None` once done.
    ahead: Mutex<Option<(ReadAhead, HashSet<String>)>>,
}

impl std::fmt::Debug for ReadAheadStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadAheadStore")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl ReadAheadStore {
    /// `inner` read ahead, when it can read in one batch.
    pub(crate) fn over(inner: &Arc<dyn SecretStore>) -> Option<Arc<Self>> {
        let ahead = inner.read_all()?;
        Some(Arc::new(ReadAheadStore {
            inner: inner.clone(),
            ahead: Mutex::new(Some((ahead, HashSet::new()))),
        }))
    }

    /// Forgets the batch: from now on every read goes to the keyring.
    pub(crate) fn done(&self) {
        *self.ahead.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Marks a secret as read or changed: from now on it is read from the keyring.
    fn spent(&self, user: String) {
        if let Some((read, spent)) = &mut *self.ahead.lock().unwrap_or_else(PoisonError::into_inner)
        {
            read.found.remove(&user);
            spent.insert(user);
        }
    }
}

impl SecretStore for ReadAheadStore {
    fn set(&self, key: &SecretKey, value: &SecretString) -> Result<(), SecretError> {
        self.spent(key.user());
        self.inner.set(key, value)
    }

    fn get(&self, key: &SecretKey) -> Result<Option<SecretString>, SecretError> {
        let user = key.user();
        let first = match &mut *self.ahead.lock().unwrap_or_else(PoisonError::into_inner) {
            // Not found by the batch's search: there is no such entry.
            Some((read, spent)) if !read.unsure.contains(&user) => {
                spent.insert(user.clone()).then(|| read.found.remove(&user))
            }
            _ => None,
        };
        match first {
            Some(value) => Ok(value),
            None => self.inner.get(key),
        }
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        self.spent(key.user());
        self.inner.delete(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::{ExposeSecret, MemoryStore};

    fn secret(value: &str) -> SecretString {
        SecretString::from(value.to_owned())
    }

    #[test]
    fn the_first_read_comes_from_the_batch_and_later_ones_from_the_store() {
        let memory: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let key = SecretKey::new("work", "api_key");
        memory.set(&key, &secret("first")).expect("set");
        let store = ReadAheadStore::over(&memory).expect("reads ahead");
        // Another process changes it after the batch read: the first read is the batch's
        // (as if it had been read a moment earlier), every later read sees the change.
        memory.set(&key, &secret("second")).expect("set");
        let first = store.get(&key).expect("get").expect("present");
        assert_eq!(first.expose_secret(), "first");
        let again = store.get(&key).expect("get").expect("present");
        assert_eq!(again.expose_secret(), "second");
    }

    #[test]
    fn once_done_every_read_goes_to_the_store() {
        let memory: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let key = SecretKey::new("work", "refresh_token");
        memory.set(&key, &secret("before")).expect("set");
        let store = ReadAheadStore::over(&memory).expect("reads ahead");
        store.done();
        // Renewed by another process after connecting, first read by this one later on.
        memory.set(&key, &secret("renewed")).expect("set");
        let back = store.get(&key).expect("get").expect("present");
        assert_eq!(back.expose_secret(), "renewed");
    }

    #[test]
    fn a_secret_missing_from_the_batch_is_absent_and_a_write_is_never_shadowed() {
        let memory: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let store = ReadAheadStore::over(&memory).expect("reads ahead");
        let key = SecretKey::new("work", "refresh_token");
        assert!(store.get(&key).expect("get").is_none());
        store.set(&key, &secret("renewed")).expect("set");
        let back = store.get(&key).expect("get").expect("written");
        assert_eq!(back.expose_secret(), "renewed");

        let other = SecretKey::new("home", "api_key");
        memory.set(&other, &secret("old")).expect("set");
        let store = ReadAheadStore::over(&memory).expect("reads ahead");
        store.set(&other, &secret("new")).expect("set");
        let back = store.get(&other).expect("get").expect("written");
        assert_eq!(back.expose_secret(), "new");
        store.delete(&other).expect("delete");
        assert!(store.get(&other).expect("get").is_none());
    }

    #[test]
    fn a_name_found_twice_or_unreadable_is_left_to_the_store() {
        let mut ahead = ReadAhead::default();
        ahead.add("work:api_key".into(), Some(secret("one")));
        ahead.add("work:api_key".into(), Some(secret("two")));
        ahead.add("home:api_key".into(), None);
        ahead.add("home:api_key".into(), Some(secret("late")));
        assert!(ahead.found.is_empty());
        assert_eq!(ahead.unsure.len(), 2);
    }
}
