//! What the settings window may call. Each command forwards to the core and maps the
//! error; types reach TypeScript through generated bindings (`ui/src/bindings.ts`).
//! No command returns a secret.

use presently_core::dispatch::Summary;
use presently_core::error::{ErrorKind, ErrorReport};
use presently_core::preset::{format_duration, Availability};
use presently_core::preview::Preview;
use presently_core::providers::{AccountSettings, Service, ShownStatus, Target};
use presently_core::state_file::Active;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::{collect_commands, collect_events, Builder};

use crate::actions::{self, Action};
use crate::app_state::AppState;

/// An error as the window shows it: core's one shape, the same as the CLI's `--json`.
pub type CommandError = ErrorReport;

/// Every command's error, in core's one shape.
fn report(e: presently_core::Error) -> CommandError {
    e.report()
}

#[derive(Debug, Serialize, Type)]
pub struct AccountView {
    pub id: String,
    /// The name the person gave it (`label` in the config), if any.
    pub label: Option<String>,
    /// What to call it: "Zulip (Work chat)", or "Zulip (work)" without a label.
    pub name: String,
    pub service: Service,
    pub service_name: String,
    /// "alice@example.org on https://chat.example.org"
    pub description: String,
    /// The non-secret settings, to fill in a "Sign in again" form.
    pub settings: AccountSettings,
    /// "Signed in", or "Sign in again: …", in words.
    pub state: String,
    /// The service ended the sign-in, or refused the credentials last time.
    pub needs_sign_in: bool,
    /// What went wrong last time, until the account next works.
    pub last_error: Option<ErrorReport>,
    /// When Presently set the status in effect on this account.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// What needs the user's eye: a sign-in to renew, a change waiting for its turn.
    pub attention: Option<String>,
}

#[derive(Debug, Serialize, Type)]
pub struct PresetView {
    pub id: String,
    pub name: String,
    pub title: String,
    pub text: String,
    pub availability: Availability,
    pub availability_label: String,
    pub duration: Option<String>,
    pub hotkey: Option<String>,
    /// Accounts this preset leaves alone.
    pub skips: Vec<String>,
}

#[derive(Debug, Serialize, Type)]
pub struct Overview {
    pub accounts: Vec<AccountView>,
    pub presets: Vec<PresetView>,
    pub active: Option<Active>,
    pub demo: bool,
    pub config_path: String,
}

#[derive(Debug, Serialize, Type)]
pub struct AccountStatus {
    pub account: String,
    pub service_name: String,
    pub shown: Option<ShownStatus>,
    pub error: Option<ErrorReport>,
}

#[derive(Debug, Serialize, Type)]
pub struct AccountPreview {
    pub account: String,
    pub service_name: String,
    pub preview: Option<Preview>,
    pub error: Option<ErrorReport>,
}

/// Accounts, presets and the status in effect.
#[tauri::command]
#[specta::specta]
async fn overview(app: AppHandle, state: State<'_, AppState>) -> Result<Overview, CommandError> {
    actions::reload_config(&app).await;
    let session = &state.session;
    let config = session.config();
    let pending = session.pending().map_err(report)?;
    let sign_ins = session.needs_sign_in();
    let attention = |id: &str| {
        if let Some(label) = sign_ins.iter().find(|l| l.id == id) {
            return Some(format!(
                "Sign in again: {} ended the sign-in",
                label.service.display_name()
            ));
        }
        pending.iter().find(|w| w.account == id).map(|w| {
            format!(
                "{} pending, sent at {}",
                w.status.label,
                presently_core::error::local_time_precise(&w.not_before)
            )
        })
    };
    let active = session.active().map_err(report)?;
    let view = |a: &presently_core::config::Account| {
        let last_error = session.last_error(&a.id);
        let ended = sign_ins.iter().any(|l| l.id == a.id);
        let refused = last_error
            .as_ref()
            .is_some_and(|e| matches!(e.kind, ErrorKind::Auth | ErrorKind::SignInNeeded));
        let state = match (&last_error, ended) {
            (_, true) => format!(
                "Sign in again: {} ended the sign-in",
                a.service().display_name()
            ),
            (Some(e), false) if refused => format!("Sign in again: {}", e.message),
            _ => "Signed in".to_owned(),
        };
        AccountView {
            id: a.id.clone(),
            label: a.label.clone(),
            name: a.label().to_string(),
            service: a.service(),
            service_name: a.service().display_name().to_owned(),
            description: a.settings.describe(),
            settings: a.settings.clone(),
            state,
            needs_sign_in: ended || refused,
            last_error,
            since: active
                .as_ref()
                .filter(|act| act.accounts.contains(&a.id))
                .map(|act| act.set_at),
            attention: attention(&a.id),
        }
    };
    Ok(Overview {
        accounts: config.accounts.iter().map(view).collect(),
        presets: config
            .presets
            .iter()
            .map(|p| PresetView {
                id: p.id.clone(),
                name: p.name.clone(),
                title: p.title(),
                text: p.text.clone(),
                availability: p.availability,
                availability_label: p.availability.label().to_owned(),
                duration: p
                    .until
                    .map(|until| until.describe())
                    .or(p.duration.map(format_duration)),
                hotkey: p.hotkey.clone(),
                skips: p
                    .overrides
                    .iter()
                    .filter(|(_, o)| o.skip)
                    .map(|(id, _)| id.clone())
                    .collect(),
            })
            .collect(),
        active,
        demo: state.demo,
        config_path: session.config_path().display().to_string(),
    })
}

/// What each account shows now, read back from its server.
/// The page drew its first picture (accounts, presets, settings): said in the events log
/// (`settings:rendered`), for tests and `scripts/bench.sh` to time opening the window.
#[tauri::command]
#[specta::specta]
fn window_rendered() {
    crate::events::log("settings:rendered");
}

#[tauri::command]
#[specta::specta]
async fn shown_statuses(state: State<'_, AppState>) -> Result<Vec<AccountStatus>, CommandError> {
    let session = &state.session;
    let statuses = session
        .read_statuses(&[], &Target::Me)
        .await
        .map_err(report)?;
    Ok(statuses
        .into_iter()
        .map(|(label, result)| AccountStatus {
            account: label.id.clone(),
            service_name: label.service.display_name().to_owned(),
            error: result.as_ref().err().map(|e| e.report(Some(&label))),
            // What a server says reaches the window inert (escaped control characters).
            shown: result.ok().map(|shown| ShownStatus {
                text: presently_core::untrusted(&shown.text),
                emoji: shown.emoji.as_deref().map(presently_core::untrusted),
                availability: shown.availability.as_deref().map(presently_core::untrusted),
            }),
        })
        .collect())
}

/// How a preset will look on each account, without sending anything.
#[tauri::command]
#[specta::specta]
async fn preview_preset(
    state: State<'_, AppState>,
    preset: String,
) -> Result<Vec<AccountPreview>, CommandError> {
    let session = &state.session;
    let previews = session.previews(&preset).await.map_err(report)?;
    Ok(account_previews(previews))
}

/// Previews as the window shows them, each error in the one shape.
pub fn account_previews(
    previews: Vec<(
        presently_core::error::AccountLabel,
        Result<Preview, presently_core::error::ProviderError>,
    )>,
) -> Vec<AccountPreview> {
    previews
        .into_iter()
        .map(|(label, result)| AccountPreview {
            account: label.id.clone(),
            service_name: label.service.display_name().to_owned(),
            error: result.as_ref().err().map(|e| e.report(Some(&label))),
            preview: result.ok(),
        })
        .collect()
}

/// Applies a preset to every account, exactly as a tray click does.
#[tauri::command]
#[specta::specta]
async fn apply_preset(app: AppHandle, preset: String) -> Result<Summary, CommandError> {
    Ok(actions::run(&app, Action::Preset(preset), "window").await)
}

#[tauri::command]
#[specta::specta]
async fn clear_status(app: AppHandle) -> Result<Summary, CommandError> {
    Ok(actions::run(&app, Action::Clear, "window").await)
}

/// One line of a sync: what was (or would be) done, and whether it worked.
#[derive(Debug, Serialize, Type)]
pub struct SyncLine {
    pub text: String,
    pub ok: bool,
}

/// Publishes the presets as a Rocket.Chat server's custom statuses (`presently sync`).
#[tauri::command]
#[specta::specta]
async fn sync_custom_statuses(
    state: State<'_, AppState>,
    account: String,
    dry_run: bool,
) -> Result<Vec<SyncLine>, CommandError> {
    let results = state
        .session
        .sync_custom_statuses(&account, dry_run)
        .await
        .map_err(report)?;
    Ok(results
        .into_iter()
        .map(|(change, result)| match result {
            Ok(()) if dry_run => SyncLine {
                text: format!("would {change}"),
                ok: true,
            },
            Ok(()) => SyncLine {
                text: change.to_string(),
                ok: true,
            },
            Err(e) => SyncLine {
                text: format!("{change}: {e}"),
                ok: false,
            },
        })
        .collect())
}

pub fn builder() -> Builder<tauri::Wry> {
    use crate::account_commands as accounts;
    use crate::preset_commands as presets;
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            overview,
            window_rendered,
            shown_statuses,
            preview_preset,
            apply_preset,
            clear_status,
            sync_custom_statuses,
            accounts::add_account,
            accounts::sign_in_account,
            accounts::rename_account,
            accounts::cancel_sign_in,
            accounts::test_account,
            accounts::remove_account,
            accounts::choose_zuliprc,
            presets::presets,
            presets::preview_draft,
            presets::save_preset,
            presets::delete_preset,
            presets::reorder_presets,
            presets::search_emoji,
            presets::pause_hotkeys,
            presets::resume_hotkeys,
            crate::general_commands::general_settings,
            crate::general_commands::save_general_settings,
        ])
        .events(collect_events![
            accounts::SignInWaiting,
            crate::watcher::ConfigChanged,
            crate::watcher::StatusChanged
        ])
}

pub fn export_bindings(path: &str) -> Result<(), String> {
    builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated by `presently-tray --export-bindings`; do not edit."),
            path,
        )
        .map_err(|e| e.to_string())
}
