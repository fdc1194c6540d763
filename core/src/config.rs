//! The config file: accounts (no secrets), presets and settings, as human-readable TOML.
//!
//! Written atomically (temp file, fsync, rename, fsync dir). A file that does not parse
//! is never replaced: it is copied aside as a backup and reported with its line.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::preset::{default_presets, Preset};
use crate::providers::{AccountSettings, Service};

pub const FILE_NAME: &str = "config.toml";
/// A config is a few kilobytes; anything past this is not one.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// The longest a server may take to answer (5 minutes): a bound, not a way to switch
/// timeouts off.
pub const MAX_TIMEOUT_SECONDS: u32 = 300;

const HEADER: &str = "\
# Presently configuration. Edit freely: when the app or the CLI changes something, only
# that changes here; your comments and layout stay.
#
# [[accounts]]  id, label (its name in messages, optional), service (\"zulip\"), and the
#               service's fields (zulip: site, email).
#               Secrets (API keys, tokens) are never here: they live in the OS keyring.
# [[presets]]   id, name, emoji (\"🍔\" or \":name:\"), text, availability
#               (available | away | busy | dnd | offline), duration (\"1h\", \"15m\"),
#               hotkey (\"Ctrl+Alt+1\"), and [presets.overrides.<account id>] with
#               text, emoji or skip = true.
# [settings]    when a timed status ends: what was there before (the default), or
#               restore_preset = \"<id>\", or restore_previous = false (clear it);
#               timeout_seconds per account and request; notifications = false shows
#               only failures; start_at_login = true or false; clear_hotkey =
#               \"Ctrl+Alt+0\" for Clear status.

";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    /// Stable id: the key of keyring entries, overrides and `--account`; never changes.
    pub id: String,
    /// What the account is called in messages, the tray and the window ("Work chat");
    /// the id when unset. 1–64 characters, no control characters; may be changed freely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(flatten)]
    pub settings: AccountSettings,
}

impl Account {
    pub fn service(&self) -> Service {
        self.settings.service()
    }

    pub fn label(&self) -> crate::error::AccountLabel {
        crate::error::AccountLabel {
            service: self.service(),
            id: self.id.clone(),
            name: self.label.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// When a timed status ends: this preset on every account. Wins over
    /// `restore_previous`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restore_preset: Option<String>,
    /// When a timed status ends (and no `restore_preset` is chosen): put back what each
    /// account showed before it, read from its server when the timed status was set
    /// (true, the default; cleared where there was nothing), or clear it (false).
    #[serde(skip_serializing_if = "is_true")]
    pub restore_previous: bool,
    /// Seconds each server has to answer, per account and request.
    pub timeout_seconds: u32,
    /// A desktop notification after every change; failures are always shown.
    pub notifications: bool,
    /// Start the tray app at login; unset until the person has been asked (first run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_at_login: Option<bool>,
    /// A global shortcut for "Clear status", e.g. "Ctrl+Alt+0".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_hotkey: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            restore_preset: None,
            restore_previous: true,
            timeout_seconds: 10,
            notifications: true,
            start_at_login: None,
            clear_hotkey: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub settings: Settings,
    pub accounts: Vec<Account>,
    pub presets: Vec<Preset>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            settings: Settings::default(),
            accounts: Vec::new(),
            presets: default_presets(),
        }
    }
}

impl Config {
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn preset(&self, wanted: &str) -> Option<&Preset> {
        self.presets
            .iter()
            .find(|p| p.id == wanted)
            .or_else(|| self.presets.iter().find(|p| p.matches(wanted)))
    }

    /// Checks what TOML cannot: unique ids and hotkeys, overrides naming real accounts.
    pub fn validate(&self) -> Result<()> {
        let mut ids = HashSet::new();
        for account in &self.accounts {
            check_id("account", &account.id)?;
            if !ids.insert(account.id.as_str()) {
                return Err(Error::invalid(format!(
                    "two accounts are called {:?}",
                    account.id
                )));
            }
            if let Some(label) = &account.label {
                check_label(&account.id, label)?;
            }
            account.settings.validate(&account.id)?;
        }
        let mut preset_ids = HashSet::new();
        let mut hotkeys = HashSet::new();
        if let Some(hotkey) = &self.settings.clear_hotkey {
            hotkeys.insert(hotkey.to_ascii_lowercase().replace(' ', ""));
        }
        for preset in &self.presets {
            check_id("preset", &preset.id)?;
            if preset.name.trim().is_empty() {
                return Err(Error::InvalidField {
                    field: "name",
                    message: format!("preset {:?} has a blank name", preset.id),
                });
            }
            if !preset_ids.insert(preset.id.as_str()) {
                return Err(Error::invalid(format!(
                    "two presets are called {:?}",
                    preset.id
                )));
            }
            if preset.duration.is_some() && preset.until.is_some() {
                return Err(Error::InvalidField {
                    field: "until",
                    message: format!(
                        "preset {:?} has both a duration and an end (until); keep one",
                        preset.id
                    ),
                });
            }
            if let Some(hotkey) = &preset.hotkey {
                if !hotkeys.insert(hotkey.to_ascii_lowercase().replace(' ', "")) {
                    return Err(Error::InvalidField {
                        field: "hotkey",
                        message: format!(
                            "hotkey {hotkey:?} is used twice (by presets or Clear status)"
                        ),
                    });
                }
            }
            if let Some(unknown) = preset
                .overrides
                .keys()
                .find(|id| !ids.contains(id.as_str()))
            {
                return Err(Error::invalid(format!(
                    "preset {:?} has an override for account {unknown:?}, which does not exist",
                    preset.id
                )));
            }
            for account in &self.accounts {
                preset.status_for(&account.id)?;
            }
        }
        if let Some(restore) = &self.settings.restore_preset {
            if self.preset(restore).is_none() {
                return Err(Error::invalid(format!(
                    "settings.restore_preset names {restore:?}, which is not a preset"
                )));
            }
        }
        if !(1..=MAX_TIMEOUT_SECONDS).contains(&self.settings.timeout_seconds) {
            return Err(Error::InvalidField {
                field: "timeout_seconds",
                message: format!(
                    "settings.timeout_seconds is {}; give 1 to {MAX_TIMEOUT_SECONDS} seconds",
                    self.settings.timeout_seconds
                ),
            });
        }
        Ok(())
    }
}

fn is_true(value: &bool) -> bool {
    *value
}

/// An account's label: 1–64 characters, not blank, no control characters.
pub(crate) fn check_label(id: &str, label: &str) -> Result<()> {
    let message = if label.trim().is_empty() {
        Some("is blank".to_owned())
    } else if label.chars().count() > 64 {
        Some("is longer than 64 characters".to_owned())
    } else {
        label
            .chars()
            .find(|c| c.is_control())
            .map(|c| format!("holds the control character U+{:04X}", c as u32))
    };
    match message {
        Some(message) => Err(Error::InvalidField {
            field: "label",
            message: format!("the label of account {id:?} {message}"),
        }),
        None => Ok(()),
    }
}

pub(crate) fn check_id(what: &str, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{what} id {id:?} must be 1-64 letters, digits, '-', '_' or '.'"
        )))
    }
}

/// Reads and writes `config.toml` in one directory.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    path: PathBuf,
}

impl ConfigFile {
    pub fn in_dir(dir: &Path) -> Self {
        ConfigFile {
            path: dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's modification time, to notice edits made elsewhere.
    pub fn modified(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
    }

    /// Loads the config; on first run writes the defaults so the user can edit them.
    pub fn load_or_create(&self) -> Result<Config> {
        match crate::paths::read_small_text(&self.path, MAX_CONFIG_BYTES) {
            Ok(text) => self.parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let config = Config::default();
                self.save(&config)?;
                Ok(config)
            }
            Err(source) => Err(Error::ConfigIo {
                path: self.path.clone(),
                action: "reading",
                source,
            }),
        }
    }

    fn parse(&self, text: &str) -> Result<Config> {
        let parsed = toml::from_str::<Config>(text)
            .map_err(|e| describe_toml_error(text, &e))
            .and_then(|config| {
                config
                    .validate()
                    .map(|()| config)
                    .map_err(|e| e.to_string())
            });
        parsed.map_err(|message| {
            let backup = self.keep_backup(text);
            let kept = match backup {
                Ok(path) => format!("; a copy is kept at {}", path.display()),
                Err(e) => format!("; could not keep a copy: {e}"),
            };
            Error::ConfigInvalid {
                path: self.path.clone(),
                message: format!("{message}{kept}. Fix the file; Presently will not overwrite it"),
            }
        })
    }

    /// Copies a broken file aside once per distinct content.
    fn keep_backup(&self, text: &str) -> std::io::Result<PathBuf> {
        keep_broken(&self.path, text.as_bytes())
    }

    /// Writes `config` atomically. An existing file is edited, not replaced: what did not
    /// change keeps its comments and layout (see `config_edit`).
    pub fn save(&self, config: &Config) -> Result<()> {
        config.validate()?;
        let body = toml::to_string_pretty(config)
            .map_err(|e| Error::invalid(format!("config cannot be written as TOML: {e}")))?;
        let existing = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| text.parse::<toml_edit::DocumentMut>().ok());
        let text = match (existing, body.parse::<toml_edit::DocumentMut>()) {
            (Some(mut document), Ok(wanted)) => {
                crate::config_edit::merge(&mut document, &wanted);
                document.to_string()
            }
            _ => format!("{HEADER}{body}"),
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::ConfigIo {
                path: dir.to_path_buf(),
                action: "creating the directory",
                source,
            })?;
        }
        write_atomically(&self.path, text.as_bytes()).map_err(|source| Error::ConfigIo {
            path: self.path.clone(),
            action: "writing",
            source,
        })
    }
}

fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim();
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].lines().count().max(1);
            format!("line {line}: {message}")
        }
        None => message.to_owned(),
    }
}

/// Temp file in the same directory, fsync, rename over the target, fsync the directory.
/// Copies the unreadable contents of `path` aside as `<name>.broken-<hash>`, once per
/// distinct content, and says where.
pub(crate) fn keep_broken(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let digest = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let backup = path.with_file_name(format!("{name}.broken-{digest:016x}"));
    if !backup.exists() {
        write_atomically(&backup, bytes)?;
    }
    Ok(backup)
}

pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // A file that is a symlink (dotfiles managers do this) is written through the link: the
    // new contents replace the target, atomically in the target's own directory, and the
    // link stays a link.
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::zulip::ZulipSettings;

    #[cfg(unix)]
    #[test]
    fn a_config_that_is_a_symlink_is_written_through_the_link() {
        let dir = tempfile::tempdir().expect("dir");
        let dotfiles = tempfile::tempdir().expect("dotfiles");
        let target = dotfiles.path().join("presently.toml");
        std::fs::write(&target, "# mine\n").expect("write");
        let link = dir.path().join(FILE_NAME);
        std::os::unix::fs::symlink(&target, &link).expect("link");
        let file = ConfigFile::in_dir(dir.path());
        let mut config = file.load_or_create().expect("loads");
        config.accounts.push(sample().accounts.remove(0));
        file.save(&config).expect("saves");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        let written = std::fs::read_to_string(&target).expect("target");
        assert!(
            written.contains("# mine") && written.contains("alice@example.org"),
            "{written}"
        );
    }

    fn sample() -> Config {
        let mut config = Config::default();
        config.accounts.push(Account {
            id: "work".into(),
            label: None,
            settings: AccountSettings::Zulip(ZulipSettings {
                site: "https://chat.example.org".into(),
                email: "alice@example.org".into(),
                user_id: None,
            }),
        });
        config.presets[1].hotkey = Some("Ctrl+Alt+1".into());
        config
    }

    #[test]
    fn round_trip_keeps_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ConfigFile::in_dir(dir.path());
        let config = sample();
        file.save(&config).expect("save");
        let text = std::fs::read_to_string(file.path()).expect("read");
        assert!(text.starts_with("# Presently configuration"));
        assert!(text.contains("duration = \"1h\""));
        assert!(text.contains("service = \"zulip\""));
        assert_eq!(file.load_or_create().expect("load"), config);
    }

    #[test]
    fn first_run_writes_the_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ConfigFile::in_dir(dir.path());
        let config = file.load_or_create().expect("load");
        assert_eq!(config.presets.len(), 7);
        assert!(file.path().exists());
    }

    #[test]
    fn corrupt_file_is_reported_kept_and_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ConfigFile::in_dir(dir.path());
        let broken = "[settings]\ntimeout_seconds = 10\n[[presets]\nname = \"oops\"\n";
        std::fs::write(file.path(), broken).expect("write");
        let err = file.load_or_create().expect_err("corrupt");
        let message = err.to_string();
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("a copy is kept at"), "{message}");
        assert!(err.is_usage());
        assert_eq!(std::fs::read_to_string(file.path()).expect("read"), broken);
        let backups: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".broken-"))
            .collect();
        assert_eq!(backups.len(), 1);
        assert_eq!(
            std::fs::read_to_string(backups[0].path()).expect("read"),
            broken
        );
        // A second load reports again without piling up copies.
        assert!(file.load_or_create().is_err());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
    }

    #[test]
    fn validation_catches_what_toml_cannot() {
        let mut config = sample();
        config.presets[2].hotkey = Some("ctrl+alt+1".into());
        assert!(config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("is used twice"));

        let mut config = sample();
        config.presets[0]
            .overrides
            .insert("nobody".into(), Default::default());
        assert!(config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("\"nobody\""));

        let mut config = sample();
        config.accounts.push(config.accounts[0].clone());
        assert!(config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("two accounts"));

        let mut config = sample();
        config.settings.restore_preset = Some("nap".into());
        assert!(config.validate().is_err());
    }

    #[test]
    fn unknown_keys_are_errors_not_silently_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ConfigFile::in_dir(dir.path());
        std::fs::write(file.path(), "[settings]\ntimeout_secs = 3\n").expect("write");
        let message = file.load_or_create().expect_err("unknown key").to_string();
        assert!(message.contains("timeout_secs"), "{message}");
    }
}
