//! The settings window's preset editor: the presets as they are, a live preview of a draft
//! on every account, save (only what every account can show, and a hotkey the system
//! takes), delete, reorder, and the emoji picker's search. All decisions are the core's.

use presently_core::emoji::EmojiChoice;
use presently_core::error::ErrorReport;
use presently_core::preset::Preset;
use tauri::{AppHandle, State};

use crate::app_state::AppState;
use crate::commands::AccountPreview;

/// The presets in their order, with every field, for the editor.
#[tauri::command]
#[specta::specta]
pub async fn presets(state: State<'_, AppState>) -> Result<Vec<Preset>, ErrorReport> {
    Ok(state.session.config().presets.clone())
}

/// What a draft will look like on each account, with what each service refuses.
#[tauri::command]
#[specta::specta]
pub async fn preview_draft(
    state: State<'_, AppState>,
    preset: Preset,
) -> Result<Vec<AccountPreview>, ErrorReport> {
    let previews = state
        .session
        .preview_draft(&preset)
        .await
        .map_err(|e| e.report())?;
    Ok(crate::commands::account_previews(previews))
}

/// Saves a preset (replacing `replacing`, or new). A hotkey the system refuses is reported
/// on the field `hotkey` and nothing is saved.
#[tauri::command]
#[specta::specta]
pub async fn save_preset(
    app: AppHandle,
    state: State<'_, AppState>,
    replacing: Option<String>,
    preset: Preset,
) -> Result<(), ErrorReport> {
    if let Some(hotkey) = &preset.hotkey {
        crate::hotkeys::check(&app, hotkey, replacing.as_deref())
            .await
            .map_err(|message| {
                presently_core::Error::InvalidField {
                    field: "hotkey",
                    message,
                }
                .report()
            })?;
    }
    state
        .session
        .save_preset(replacing.as_deref(), preset)
        .await
        .map_err(|e| e.report())?;
    crate::actions::after_presets_changed(&app).await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn delete_preset(
    app: AppHandle,
    state: State<'_, AppState>,
    preset: String,
) -> Result<(), ErrorReport> {
    state
        .session
        .delete_preset(&preset)
        .map_err(|e| e.report())?;
    crate::actions::after_presets_changed(&app).await;
    Ok(())
}

/// Orders the presets as listed (the tray menu follows).
#[tauri::command]
#[specta::specta]
pub async fn reorder_presets(
    app: AppHandle,
    state: State<'_, AppState>,
    presets: Vec<String>,
) -> Result<(), ErrorReport> {
    state
        .session
        .reorder_presets(&presets)
        .map_err(|e| e.report())?;
    crate::actions::after_presets_changed(&app).await;
    Ok(())
}

/// While the window records a shortcut, the presets' shortcuts let go of the keys.
#[tauri::command]
#[specta::specta]
pub async fn pause_hotkeys(app: AppHandle) -> Result<(), ErrorReport> {
    crate::hotkeys::pause(&app).await;
    Ok(())
}

/// After recording: the presets' shortcuts work again.
#[tauri::command]
#[specta::specta]
pub async fn resume_hotkeys(app: AppHandle) -> Result<(), ErrorReport> {
    crate::hotkeys::resume(&app);
    Ok(())
}

/// What the emoji picker offers for `query`: Unicode emoji whose name or shortcode has
/// every word of it, and the accounts' own emoji (Zulip's custom emoji) by name.
#[derive(Debug, serde::Serialize, specta::Type)]
pub struct EmojiSearch {
    pub unicode: Vec<EmojiChoice>,
    pub custom: Vec<presently_core::session::CustomEmoji>,
}

/// The emoji picker's search.
#[tauri::command]
#[specta::specta]
pub async fn search_emoji(
    state: State<'_, AppState>,
    query: String,
) -> Result<EmojiSearch, ErrorReport> {
    Ok(EmojiSearch {
        unicode: presently_core::emoji::search(&query, 48),
        custom: state.session.custom_emoji(&query, 24).await,
    })
}
