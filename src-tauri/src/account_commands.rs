//! The settings window's account forms: add an account of any service with its real
//! sign-in, test it, sign it in again, remove it. Each form becomes the service's
//! `NewCredentials` and goes to the same core calls as the CLI's; nothing here knows a
//! service's flow or keyring layout. Secrets travel only from the window to the core,
//! never back.

use presently_core::error::ErrorReport;
use presently_core::providers::zoom::{ZoomAuth, ZoomSettings};
use presently_core::providers::{
    matrix, mattermost, rocketchat, slack, zoom, zulip, Identity, NewCredentials, Service,
    SignInPrompt,
};
use presently_core::Error;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use tauri_specta::Event;

use crate::app_state::AppState;
use crate::events;

/// What an account form sends: one shape per way of signing in. Not `Debug`: it carries
/// the secret the person typed.
#[derive(Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountForm {
    /// Zulip: site, e-mail and the user's own API key.
    ZulipKey {
        site: String,
        email: String,
        api_key: String,
    },
    /// Zulip: a zuliprc file chosen with "Import zuliprc…".
    ZulipRc { path: String },
    /// Rocket.Chat: user name and password; `code` once the server asked for a second factor.
    RocketChatPassword {
        server: String,
        user: String,
        password: String,
        code: Option<String>,
    },
    /// Rocket.Chat: a personal access token and its user id.
    RocketChatToken {
        server: String,
        user_id: String,
        token: String,
    },
    /// Mattermost: e-mail or user name and password; `code` once the server asked for MFA.
    MattermostPassword {
        server: String,
        login_id: String,
        password: String,
        code: Option<String>,
    },
    /// Mattermost: a personal access token.
    MattermostToken { server: String, token: String },
    /// Matrix: a user id and password; the homeserver found from the id when not given.
    MatrixPassword {
        homeserver: Option<String>,
        user: String,
        password: String,
    },
    /// Matrix: an access token, with the homeserver or a user id to find it from.
    MatrixToken {
        homeserver: Option<String>,
        user_id: Option<String>,
        token: String,
    },
    /// Slack: sign in through the browser with the user's own Slack app (PKCE, no secret).
    SlackBrowser {
        client_id: String,
        redirect_port: Option<u16>,
        base: Option<String>,
    },
    /// Slack: a pasted user token (`xoxp-…`).
    SlackToken { token: String, base: Option<String> },
    /// Zoom: sign in through the browser with the user's own OAuth app.
    ZoomUser {
        client_id: String,
        client_secret: String,
        redirect_port: Option<u16>,
        api_base: Option<String>,
        auth_base: Option<String>,
    },
    /// Zoom: an admin's Server-to-Server app.
    ZoomServerToServer {
        client_id: String,
        client_secret: String,
        account_id: String,
        user: Option<String>,
        api_base: Option<String>,
        auth_base: Option<String>,
    },
}

fn secret(value: String) -> SecretString {
    SecretString::from(value.trim().to_owned())
}

fn zoom_settings(
    auth: ZoomAuth,
    client_id: &str,
    api_base: Option<String>,
    auth_base: Option<String>,
) -> ZoomSettings {
    let mut settings = ZoomSettings::new(auth, client_id.trim());
    if let Some(api_base) = api_base.filter(|a| !a.trim().is_empty()) {
        settings.api_base = api_base.trim().to_owned();
    }
    if let Some(auth_base) = auth_base.filter(|a| !a.trim().is_empty()) {
        settings.auth_base = auth_base.trim().to_owned();
    }
    settings
}

/// Slack's address: slack.com unless the form names another (GovSlack, a stand-in).
fn slack_base(base: Option<String>) -> String {
    base.map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| slack::SLACK_BASE.to_owned())
}

impl AccountForm {
    fn credentials(self) -> NewCredentials {
        match self {
            AccountForm::ZulipKey {
                site,
                email,
                api_key,
            } => NewCredentials::Zulip(zulip::NewCredentials::ApiKey {
                site,
                email,
                api_key: secret(api_key),
            }),
            AccountForm::ZulipRc { path } => {
                NewCredentials::Zulip(zulip::NewCredentials::Zuliprc {
                    path: path.into(),
                    site: None,
                    email: None,
                })
            }
            AccountForm::RocketChatPassword {
                server,
                user,
                password,
                code,
            } => NewCredentials::RocketChat(rocketchat::NewCredentials::Password {
                server,
                user: user.trim().to_owned(),
                password: SecretString::from(password),
                code: code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
            }),
            AccountForm::RocketChatToken {
                server,
                user_id,
                token,
            } => NewCredentials::RocketChat(rocketchat::NewCredentials::PersonalToken {
                server,
                user: None,
                user_id: user_id.trim().to_owned(),
                token: secret(token),
            }),
            AccountForm::MattermostPassword {
                server,
                login_id,
                password,
                code,
            } => NewCredentials::Mattermost(mattermost::NewCredentials::Password {
                server,
                login_id: login_id.trim().to_owned(),
                password: SecretString::from(password),
                code: code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
            }),
            AccountForm::MattermostToken { server, token } => {
                NewCredentials::Mattermost(mattermost::NewCredentials::PersonalToken {
                    server,
                    token: secret(token),
                })
            }
            AccountForm::MatrixPassword {
                homeserver,
                user,
                password,
            } => NewCredentials::Matrix(matrix::NewCredentials::Password {
                homeserver: homeserver.filter(|h| !h.trim().is_empty()),
                user: user.trim().to_owned(),
                password: SecretString::from(password),
            }),
            AccountForm::MatrixToken {
                homeserver,
                user_id,
                token,
            } => NewCredentials::Matrix(matrix::NewCredentials::AccessToken {
                homeserver: homeserver.filter(|h| !h.trim().is_empty()),
                user_id: user_id.filter(|u| !u.trim().is_empty()),
                token: secret(token),
            }),
            AccountForm::SlackBrowser {
                client_id,
                redirect_port,
                base,
            } => NewCredentials::Slack(slack::NewCredentials::Browser {
                base: slack_base(base),
                client_id: client_id.trim().to_owned(),
                redirect_port: redirect_port.unwrap_or(slack::DEFAULT_REDIRECT_PORT),
            }),
            AccountForm::SlackToken { token, base } => {
                NewCredentials::Slack(slack::NewCredentials::Token {
                    base: slack_base(base),
                    token: secret(token),
                })
            }
            AccountForm::ZoomUser {
                client_id,
                client_secret,
                redirect_port,
                api_base,
                auth_base,
            } => {
                let mut settings = zoom_settings(ZoomAuth::User, &client_id, api_base, auth_base);
                if let Some(port) = redirect_port {
                    settings.redirect_port = port;
                }
                NewCredentials::Zoom(zoom::NewCredentials {
                    settings,
                    client_secret: secret(client_secret),
                })
            }
            AccountForm::ZoomServerToServer {
                client_id,
                client_secret,
                account_id,
                user,
                api_base,
                auth_base,
            } => {
                let mut settings =
                    zoom_settings(ZoomAuth::ServerToServer, &client_id, api_base, auth_base);
                settings.account_id = Some(account_id.trim().to_owned());
                settings.user = user.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
                NewCredentials::Zoom(zoom::NewCredentials {
                    settings,
                    client_secret: secret(client_secret),
                })
            }
        }
    }
}

/// Sent to the window when a sign-in waits for the browser: the address (also opened in
/// the system browser), so the window can show it with "waiting for the browser…".
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct SignInWaiting {
    pub service_name: String,
    pub url: String,
}

/// The window's answers to a sign-in: a second factor becomes a field to fill in (the
/// form is sent again with the code); the browser opens with the address shown beside.
struct WindowPrompt<'a> {
    app: &'a AppHandle,
}

#[async_trait::async_trait]
impl SignInPrompt for WindowPrompt<'_> {
    async fn code(&self, method: &str) -> presently_core::Result<String> {
        let source = if method == "email" {
            "Rocket.Chat just sent a code by e-mail; enter it"
        } else {
            "enter the code from your authenticator app"
        };
        Err(Error::InvalidField {
            field: "code",
            message: format!("The server asks for a second factor: {source}."),
        })
    }

    async fn open_browser(
        &self,
        service: Service,
        url: &url::Url,
        _redirect_uri: &str,
    ) -> presently_core::Result<()> {
        events::log(&format!("signin:started:{}", url.host_str().unwrap_or("")));
        let waiting = SignInWaiting {
            service_name: service.display_name().to_owned(),
            url: url.to_string(),
        };
        if let Err(e) = waiting.emit(self.app) {
            events::log(&format!("signin:emit-error:{e}"));
        }
        if let Err(e) = self.app.opener().open_url(url.as_str(), None::<&str>) {
            // The window shows the address: the person can open it by hand.
            events::log(&format!("signin:no-browser:{e}"));
        }
        Ok(())
    }
}

fn cancelled() -> ErrorReport {
    Error::invalid("The sign-in was cancelled.").report()
}

/// Runs a sign-in that may wait for the person (a browser); "Cancel" ends it.
async fn cancellable(
    state: &AppState,
    sign_in: impl std::future::Future<Output = presently_core::Result<Identity>>,
) -> Result<Identity, ErrorReport> {
    tokio::select! {
        result = sign_in => result.map_err(|e| e.report()),
        () = state.cancel_sign_in.notified() => Err(cancelled()),
    }
}

/// Adds an account with the service's own sign-in, checked by its server before anything
/// is stored. A second factor comes back as an error on the field `code`.
#[tauri::command]
#[specta::specta]
pub async fn add_account(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    label: Option<String>,
    form: AccountForm,
) -> Result<Identity, ErrorReport> {
    let _running = state.in_flight.start();
    let prompt = WindowPrompt { app: &app };
    let added = cancellable(
        &state,
        state
            .session
            .add_account(id.trim(), label, form.credentials(), &prompt),
    )
    .await;
    events::log(&format!(
        "window:add-account:{}:{}",
        id.trim(),
        if added.is_ok() { "ok" } else { "failed" }
    ));
    if added.is_ok() {
        crate::actions::after_accounts_changed(&app).await;
    }
    added
}

/// Signs an account in again, keeping it: with a form (Zulip, Rocket.Chat) or, without,
/// through the service's own flow (Zoom: the browser).
#[tauri::command]
#[specta::specta]
pub async fn sign_in_account(
    app: AppHandle,
    state: State<'_, AppState>,
    account: String,
    form: Option<AccountForm>,
) -> Result<Identity, ErrorReport> {
    let _running = state.in_flight.start();
    let prompt = WindowPrompt { app: &app };
    let signed_in = cancellable(
        &state,
        state
            .session
            .sign_in_again(&account, form.map(AccountForm::credentials), &prompt),
    )
    .await;
    crate::actions::after_accounts_changed(&app).await;
    signed_in
}

/// Gives an account another name (`None` or blank: its id); nothing else changes.
#[tauri::command]
#[specta::specta]
pub async fn rename_account(
    app: AppHandle,
    state: State<'_, AppState>,
    account: String,
    label: Option<String>,
) -> Result<(), ErrorReport> {
    state
        .session
        .rename_account(&account, label)
        .map_err(|e| e.report())?;
    crate::actions::after_accounts_changed(&app).await;
    Ok(())
}

/// Ends a sign-in that waits for the browser.
#[tauri::command]
#[specta::specta]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> Result<(), ErrorReport> {
    state.cancel_sign_in.notify_waiters();
    Ok(())
}

/// Checks an account's stored credentials with its server.
#[tauri::command]
#[specta::specta]
pub async fn test_account(
    state: State<'_, AppState>,
    account: String,
) -> Result<Identity, ErrorReport> {
    state
        .session
        .test_account(&account)
        .await
        .map_err(|e| e.report())
}

/// Removes an account and its keyring entries, signing its token out where the service
/// has that. Returns notes on what could not be done.
#[tauri::command]
#[specta::specta]
pub async fn remove_account(
    app: AppHandle,
    state: State<'_, AppState>,
    account: String,
) -> Result<Vec<String>, ErrorReport> {
    let _running = state.in_flight.start();
    let removed = state
        .session
        .remove_account(&account)
        .await
        .map_err(|e| e.report());
    crate::actions::after_accounts_changed(&app).await;
    removed
}

/// The system's file chooser, for "Import zuliprc…"; `None` when nothing was chosen.
#[tauri::command]
#[specta::specta]
pub async fn choose_zuliprc(app: AppHandle) -> Result<Option<String>, ErrorReport> {
    let chosen = app
        .dialog()
        .file()
        .set_title("Import zuliprc")
        .blocking_pick_file();
    Ok(chosen
        .and_then(|path| path.into_path().ok())
        .map(|path| path.display().to_string()))
}
