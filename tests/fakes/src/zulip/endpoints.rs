//! The non-status endpoints (`/server_settings`, `/users/me`, `/realm/emoji`,
//! `PATCH /settings`), the endpoint list, and helpers shared with [`super::status`].

use axum::response::{IntoResponse, Response};

use super::config::{ZulipUser, ROLE_GUEST, ROLE_OWNER};
use super::error::ApiError;
use super::json::{self, J};
use super::params::Params;
use super::state::State;
use super::status;

/// Feature level from which successful responses list unsupported parameters.
const IGNORED_PARAMETERS_FL: u32 = 167;
/// Feature level that added `realm_url` (and deprecated `realm_uri`) in `/server_settings`.
const REALM_URL_FL: u32 = 257;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    ServerSettings,
    OwnProfile,
    SetOwnStatus,
    /// `None`: an id no user can have.
    GetUserStatus(Option<u64>),
    SetUserStatus(Option<u64>),
    RealmEmoji,
    /// `POST /register`: an event queue and the initial state (here: the realm's part).
    Register,
    /// `DELETE /events`: ends an event queue.
    DeleteQueue,
    /// `presence`: whether this route reads `presence_enabled` at this feature level.
    Settings {
        presence: bool,
    },
}

/// Runs an authenticated endpoint.
pub(crate) fn call(
    state: &mut State,
    user: &ZulipUser,
    endpoint: Endpoint,
    params: &Params,
) -> Response {
    let result = match endpoint {
        Endpoint::OwnProfile => Ok(own_profile(user)),
        Endpoint::SetOwnStatus => status::set_own(state, user, params),
        Endpoint::GetUserStatus(target) => status::get(state, target),
        Endpoint::SetUserStatus(target) => status::set_other(state, user, target, params),
        Endpoint::RealmEmoji => Ok(realm_emoji(state)),
        Endpoint::Register => Ok(register(state, params)),
        Endpoint::DeleteQueue => delete_queue(state, params),
        Endpoint::Settings { presence } => settings(state, user, params, presence),
        // Unauthenticated: the dispatcher answers it before authentication.
        Endpoint::ServerSettings => Ok(super::routes::not_found()),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `@human_users_only`.
pub(crate) fn human_only(user: &ZulipUser) -> Result<(), ApiError> {
    if user.is_bot {
        return Err(ApiError::bad_request(
            "This endpoint does not accept bot requests.",
        ));
    }
    Ok(())
}

/// `json_success()` plus `ignored_parameters_unsupported` (sorted) on FL >= 167.
pub(crate) fn success_ignoring(state: &State, params: &Params, processed: &[&str]) -> Response {
    let ignored: Vec<String> = params
        .names()
        .into_iter()
        .filter(|n| !processed.contains(&n.as_str()))
        .collect();
    let mut data = Vec::new();
    if state.config.feature_level >= IGNORED_PARAMETERS_FL && !ignored.is_empty() {
        data.push((
            "ignored_parameters_unsupported".to_owned(),
            J::from(ignored),
        ));
    }
    json::success(data)
}

pub(crate) fn server_settings(state: &State, base_url: &str) -> Response {
    let config = &state.config;
    let mut data: Vec<(String, J)> = vec![
        ("zulip_version".into(), config.zulip_version.clone().into()),
        ("zulip_feature_level".into(), config.feature_level.into()),
        ("realm_uri".into(), base_url.into()),
    ];
    if config.feature_level >= REALM_URL_FL {
        data.push(("realm_url".into(), base_url.into()));
    }
    let methods = [
        "password",
        "dev",
        "email",
        "ldap",
        "remoteuser",
        "github",
        "azuread",
        "gitlab",
        "google",
    ]
    .into_iter()
    .chain(["apple", "saml", "openid connect"])
    .map(|m| (m, J::from(m == "password" || m == "email")));
    data.extend([
        ("realm_name".into(), "Fake Org".into()),
        ("authentication_methods".into(), J::obj(methods)),
        ("email_auth_enabled".into(), true.into()),
        ("push_notifications_enabled".into(), false.into()),
        ("require_email_format_usernames".into(), true.into()),
    ]);
    json::success(data)
}

fn own_profile(user: &ZulipUser) -> Response {
    json::success(vec![
        ("user_id".into(), user.user_id.into()),
        ("email".into(), user.email.clone().into()),
        ("full_name".into(), user.full_name.clone().into()),
        ("role".into(), user.role.into()),
        ("is_bot".into(), user.is_bot.into()),
        ("is_admin".into(), user.is_admin().into()),
        ("is_owner".into(), (user.role == ROLE_OWNER).into()),
        ("is_guest".into(), (user.role == ROLE_GUEST).into()),
        ("is_active".into(), user.is_active.into()),
        ("avatar_url".into(), J::V(serde_json::Value::Null)),
        ("timezone".into(), "".into()),
        ("date_joined".into(), "2024-01-01T00:00:00+00:00".into()),
        ("delivery_email".into(), user.email.clone().into()),
        ("profile_data".into(), J::obj(Vec::<(String, J)>::new())),
    ])
}

/// Feature level that added `server_emoji_data_url` to the `realm` part of `/register`.
const SERVER_EMOJI_DATA_FL: u32 = 140;
/// Where the fake serves its emoji data; real servers put a content hash in the name.
pub(crate) const EMOJI_DATA_PATH: &str = "/static/generated/emoji/emoji_api.6c3e1b2f.json";

/// `POST /register` (<https://zulip.com/api/register-queue>): a queue id, and of the initial
/// state only what the fake models: the feature level and, when `realm` is fetched,
/// `server_emoji_data_url`.
fn register(state: &mut State, params: &Params) -> Response {
    let fetched: Option<Vec<String>> = params
        .get("fetch_event_types")
        .and_then(|types| serde_json::from_str(types).ok());
    let realm = fetched.is_none_or(|types| types.iter().any(|t| t == "realm"));
    let queue_id = state.open_queue();
    let mut data: Vec<(String, J)> = vec![
        ("queue_id".into(), queue_id.into()),
        ("last_event_id".into(), J::from(-1i64)),
        (
            "zulip_version".into(),
            state.config.zulip_version.clone().into(),
        ),
        (
            "zulip_feature_level".into(),
            state.config.feature_level.into(),
        ),
    ];
    if realm && state.config.feature_level >= SERVER_EMOJI_DATA_FL {
        // A path on the site, as Zulip's static-files storage gives it (no CDN).
        data.push(("server_emoji_data_url".into(), EMOJI_DATA_PATH.into()));
    }
    json::success(data)
}

/// `DELETE /events`: `queue_id` must name an open queue.
fn delete_queue(state: &mut State, params: &Params) -> Result<Response, ApiError> {
    let queue_id = params.get("queue_id").unwrap_or_default().to_owned();
    if !state.close_queue(&queue_id) {
        let mut error = ApiError::bad_request(format!("Bad event queue ID: {queue_id}"));
        error.code = "BAD_EVENT_QUEUE_ID";
        error.data.push(("queue_id".into(), queue_id.into()));
        return Err(error);
    }
    Ok(json::success(Vec::new()))
}

fn realm_emoji(state: &State) -> Response {
    let author = state
        .config
        .users
        .first()
        .map(|u| J::from(u.user_id))
        .unwrap_or(J::V(serde_json::Value::Null));
    let emoji = state
        .config
        .realm_emoji
        .iter()
        .map(|(id, name, deactivated)| {
            let entry = J::obj([
                ("id", J::from(id.to_string())),
                ("name", name.clone().into()),
                (
                    "source_url",
                    format!("/user_avatars/1/emoji/{name}.png").into(),
                ),
                ("deactivated", (*deactivated).into()),
                ("author_id", author.clone()),
            ]);
            (id.to_string(), entry)
        });
    json::success(vec![("emoji".into(), J::obj(emoji))])
}

/// `PATCH /settings` (or `/settings/notifications`): only `presence_enabled` is modelled.
fn settings(
    state: &mut State,
    user: &ZulipUser,
    params: &Params,
    presence: bool,
) -> Result<Response, ApiError> {
    human_only(user)?;
    if !presence {
        return Ok(success_ignoring(state, params, &[]));
    }
    if let Some(enabled) = params.json_bool("presence_enabled", state.config.feature_level)? {
        state.set_presence_enabled(user.user_id, enabled);
    }
    Ok(success_ignoring(state, params, &["presence_enabled"]))
}
