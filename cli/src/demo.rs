//! `presently demo`: the tray app against local stand-ins of every supported service,
//! with throwaway accounts, so a newcomer sees a click land everywhere without signing up.
//!
//! The stand-ins are the same fakes the tests use. Demo credentials go to the keyring under
//! their own service name, apart from real ones, and are deleted on exit with the config dir.

use presently_core::clock::SystemClock;
use presently_core::config::{Account, ConfigFile};
use presently_core::error::ProviderError;
use presently_core::paths::CONFIG_DIR_ENV;
use presently_core::providers::rocketchat::{self, Login, RocketChatSettings};
use presently_core::providers::zoom::{
    signin::SignIn, OAuthClient, ZoomAuth, ZoomSettings, CLIENT_SECRET, TOKENS,
};
use presently_core::providers::zulip::{ZulipSettings, API_KEY};
use presently_core::providers::AccountSettings;
use presently_core::secrets::{KeyringStore, SecretStore, SERVICE_ENV};
use presently_core::session::Session;
use presently_core::{Error, Result};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::zoom::{self as zoom_fake, FakeZoom, ZoomFakeConfig};
use presently_fakes::zulip::{FakeZulip, ZulipFakeConfig};
use secrecy::SecretString;
use std::process::ExitCode;
use std::sync::Arc;

pub const DEMO_KEYRING_SERVICE: &str = "presently-demo";

pub async fn run(json: bool) -> Result<ExitCode> {
    let fake_config = ZulipFakeConfig::default();
    let demo_user = fake_config
        .users
        .first()
        .cloned()
        .ok_or_else(|| Error::invalid("the Zulip stand-in has no users"))?;
    let zulip = FakeZulip::start(fake_config)
        .map_err(|e| Error::invalid(format!("cannot start the Zulip stand-in: {e}")))?;
    let dir = tempfile::Builder::new()
        .prefix("presently-demo-")
        .tempdir()
        .map_err(|e| Error::invalid(format!("cannot create a demo config dir: {e}")))?;

    let mut config = presently_core::config::Config::default();
    for (preset, key) in config.presets.iter_mut().skip(1).zip(1..=3) {
        preset.hotkey = Some(format!("Ctrl+Alt+{key}"));
    }
    ConfigFile::in_dir(dir.path()).save(&config)?;

    let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::open_service(DEMO_KEYRING_SERVICE)?);
    let mut session = Session::open(dir.path(), secrets, Arc::new(SystemClock))?;
    let account = Account {
        id: "demo-zulip".into(),
        settings: AccountSettings::Zulip(ZulipSettings {
            site: zulip.url(),
            email: demo_user.email.clone(),
        }),
    };
    session
        .add_account(
            account,
            vec![(API_KEY, SecretString::from(demo_user.api_key.clone()))],
        )
        .await?;

    // Rocket.Chat: signed in with a password, exactly as a user would.
    let rc_config = RcFakeConfig::default();
    let rc_user = rc_config
        .users
        .first()
        .cloned()
        .ok_or_else(|| Error::invalid("the Rocket.Chat stand-in has no users"))?;
    let rocketchat = FakeRocketChat::start(rc_config)
        .map_err(|e| Error::invalid(format!("cannot start the Rocket.Chat stand-in: {e}")))?;
    let client = rocketchat::client_for(
        &rocketchat.url(),
        presently_core::http::client(session.timeout())?,
        session.timeout(),
    )
    .map_err(|e| Error::invalid(e.to_string()))?;
    let password = SecretString::from(rc_user.password.clone());
    let credentials = match client.login(&rc_user.username, &password, None).await {
        Ok(Login::SignedIn(credentials)) => credentials,
        Ok(Login::NeedsCode { .. }) => {
            return Err(Error::invalid(
                "the Rocket.Chat stand-in asked for a second factor",
            ))
        }
        Err(e) => {
            return Err(Error::invalid(format!(
                "cannot sign in to the Rocket.Chat stand-in: {e}"
            )))
        }
    };
    let account = Account {
        id: "demo-rocketchat".into(),
        settings: AccountSettings::RocketChat(RocketChatSettings {
            server: rocketchat.url(),
            user: rc_user.username.clone(),
            signed_in: true,
            custom_statuses: Default::default(),
        }),
    };
    session
        .add_account(account, rocketchat::secrets_of(&credentials))
        .await?;

    let zoom = FakeZoom::start(ZoomFakeConfig::default())
        .map_err(|e| Error::invalid(format!("cannot start the Zoom stand-in: {e}")))?;
    add_zoom(&mut session, &zoom).await?;

    let description = serde_json::json!({
        "demo": {
            "config_dir": dir.path(),
            "keyring_service": DEMO_KEYRING_SERVICE,
            "zulip": zulip.url(),
            "zulip_user": demo_user.email,
            "rocketchat": rocketchat.url(),
            "rocketchat_user": rc_user.user_id,
            "zoom": zoom.url(),
            "zoom_user": zoom_fake::ALICE_ID,
        }
    });
    if json {
        println!("{description}");
    } else {
        println!(
            "Presently demo: a Zulip stand-in runs at {} (signed in as {}), a Rocket.Chat \
             stand-in at {} and a Zoom stand-in at {}.\n\
             Config for this demo: {}\n\
             Hotkeys: Ctrl+Alt+1 Lunch, Ctrl+Alt+2 Focus, Ctrl+Alt+3 In a meeting.\n\
             Quit from the tray menu or press Ctrl+C; the demo accounts are removed then.",
            zulip.url(),
            demo_user.email,
            rocketchat.url(),
            zoom.url(),
            dir.path().display()
        );
    }

    let outcome = run_tray(dir.path()).await;
    let mut cleanup = Vec::new();
    for id in ["demo-zulip", "demo-rocketchat", DEMO_ZOOM] {
        cleanup.push(session.remove_account(id).await);
    }
    drop(zulip);
    drop(rocketchat);
    drop(zoom);
    let code = outcome?;
    for removed in cleanup {
        removed?;
    }
    Ok(code)
}

const DEMO_ZOOM: &str = "demo-zoom";

/// Zoom: signed in through the real authorization-code flow with PKCE, with the demo
/// itself playing the browser that the stand-in sends back to Presently.
async fn add_zoom(session: &mut Session, zoom: &FakeZoom) -> Result<()> {
    let timeout = session.timeout();
    let http = presently_core::http::client(timeout)?;
    let secret = SecretString::from(zoom_fake::USER_APP_CLIENT_SECRET.to_owned());
    let mut settings = ZoomSettings::new(ZoomAuth::User, zoom_fake::USER_APP_CLIENT_ID);
    settings.api_base = zoom.api_base();
    settings.auth_base = zoom.auth_base();
    let stand_in = |e: ProviderError| Error::invalid(format!("Zoom stand-in: {e}"));
    let oauth =
        OAuthClient::new(http.clone(), &settings, secret.clone(), timeout).map_err(stand_in)?;
    let (sign_in, url) = SignIn::begin(oauth, 0).await.map_err(stand_in)?;
    let redirect_uri = sign_in.redirect_uri().to_owned();
    settings.redirect_port = url::Url::parse(&redirect_uri)
        .ok()
        .and_then(|u| u.port())
        .unwrap_or(settings.redirect_port);
    zoom.add_redirect_url(&settings.client_id, &redirect_uri);
    let (tokens, browsed) = tokio::join!(sign_in.finish(timeout), play_browser(&http, &url));
    browsed.map_err(stand_in)?;
    let tokens = tokens.map_err(stand_in)?;
    let account = Account {
        id: DEMO_ZOOM.into(),
        settings: AccountSettings::Zoom(settings),
    };
    session
        .add_account(
            account,
            vec![(CLIENT_SECRET, secret), (TOKENS, tokens.to_secret())],
        )
        .await?;
    Ok(())
}

/// What a browser does: opens the sign-in page and follows its redirect back to Presently.
async fn play_browser(http: &reqwest::Client, url: &url::Url) -> Result<(), ProviderError> {
    let consent = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
    let back = consent
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ProviderError::Protocol(format!(
                "the sign-in page answered HTTP {} without a redirect",
                consent.status()
            ))
        })?
        .to_owned();
    http.get(back)
        .send()
        .await
        .map_err(|e| ProviderError::Unreachable(e.to_string()))?;
    Ok(())
}

async fn run_tray(config_dir: &std::path::Path) -> Result<ExitCode> {
    let mut command = tokio::process::Command::from(crate::launch::tray_command());
    command
        .env(CONFIG_DIR_ENV, config_dir)
        .env(SERVICE_ENV, DEMO_KEYRING_SERVICE)
        .env("PRESENTLY_DEMO", "1")
        .arg("--settings")
        .kill_on_drop(true);
    let mut child = command.spawn().map_err(crate::launch::start_failed)?;
    let stopped = async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                },
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    };
    tokio::select! {
        status = child.wait() => {
            let status = status.map_err(|e| Error::invalid(format!("lost the tray app: {e}")))?;
            Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        () = stopped => {
            let _ = child.kill().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}
