//! `presently demo`: the tray app against local stand-ins of every supported service,
//! with throwaway accounts, so a newcomer sees a click land everywhere without signing up.
//!
//! The stand-ins are the same fakes the tests use. Demo credentials go to the keyring under
//! their own service name, apart from real ones, and are deleted on exit with the config dir.

use async_trait::async_trait;
use presently_core::clock::SystemClock;
use presently_core::config::ConfigFile;
use presently_core::paths::CONFIG_DIR_ENV;
use presently_core::providers::zoom::{ZoomAuth, ZoomSettings};
use presently_core::providers::{
    matrix, mattermost, rocketchat, slack, zoom, zulip, NewCredentials, Service, SignInPrompt,
};
use presently_core::secrets::{KeyringStore, SecretStore, SERVICE_ENV};
use presently_core::session::Session;
use presently_core::{Error, Result};
use presently_fakes::mattermost::{FakeMattermost, MmFakeConfig};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::slack::{self as slack_fake, FakeSlack, SlackFakeConfig};
use presently_fakes::synapse::Synapse;
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
    let session = Session::open(dir.path(), secrets, Arc::new(SystemClock))?;
    let key = SecretString::from(demo_user.api_key.clone());
    let zulip_credentials = zulip::NewCredentials::ApiKey {
        site: zulip.url(),
        email: demo_user.email.clone(),
        api_key: key,
    };
    let no_browser = DemoBrowser::default();
    session
        .add_account(
            "demo-zulip",
            None,
            NewCredentials::Zulip(zulip_credentials),
            &no_browser,
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
    let rc_credentials = rocketchat::NewCredentials::Password {
        server: rocketchat.url(),
        user: rc_user.username.clone(),
        password: SecretString::from(rc_user.password.clone()),
        code: None,
    };
    session
        .add_account(
            "demo-rocketchat",
            None,
            NewCredentials::RocketChat(rc_credentials),
            &no_browser,
        )
        .await?;

    // Zoom: signed in through the real authorization-code flow with PKCE, with the demo
    // itself playing the browser that the stand-in sends back to Presently.
    let zoom = FakeZoom::start(ZoomFakeConfig::default())
        .map_err(|e| Error::invalid(format!("cannot start the Zoom stand-in: {e}")))?;
    let mut settings = ZoomSettings::new(ZoomAuth::User, zoom_fake::USER_APP_CLIENT_ID);
    settings.api_base = zoom.api_base();
    settings.auth_base = zoom.auth_base();
    settings.redirect_port = 0;
    let zoom_credentials = zoom::NewCredentials {
        settings,
        client_secret: SecretString::from(zoom_fake::USER_APP_CLIENT_SECRET.to_owned()),
    };
    let browser = DemoBrowser { zoom: Some(&zoom) };
    session
        .add_account(
            DEMO_ZOOM,
            None,
            NewCredentials::Zoom(zoom_credentials),
            &browser,
        )
        .await?;

    // Mattermost: a personal access token, as most people on a company server add it.
    let mm_config = MmFakeConfig::default();
    let mm_token = mm_config
        .personal_access_tokens
        .first()
        .cloned()
        .ok_or_else(|| Error::invalid("the Mattermost stand-in has no tokens"))?;
    let mattermost = FakeMattermost::start(mm_config)
        .map_err(|e| Error::invalid(format!("cannot start the Mattermost stand-in: {e}")))?;
    let mm_credentials = mattermost::NewCredentials::PersonalToken {
        server: mattermost.url(),
        token: SecretString::from(mm_token.1),
    };
    session
        .add_account(
            DEMO_MATTERMOST,
            None,
            NewCredentials::Mattermost(mm_credentials),
            &no_browser,
        )
        .await?;

    // Slack: signed in through the browser with PKCE (no client secret) and rotating
    // tokens, the demo playing the browser as for Zoom.
    let slack_stand_in = FakeSlack::start(SlackFakeConfig::default())
        .map_err(|e| Error::invalid(format!("cannot start the Slack stand-in: {e}")))?;
    let slack_credentials = slack::NewCredentials::Browser {
        base: slack_stand_in.url(),
        client_id: slack_fake::DESKTOP_CLIENT_ID.to_owned(),
        redirect_port: 0,
    };
    session
        .add_account(
            DEMO_SLACK,
            None,
            NewCredentials::Slack(slack_credentials),
            &DemoBrowser { zoom: None },
        )
        .await?;

    // Matrix: a real Synapse on 127.0.0.1 where scripts/setup.sh installed one (no stand-in
    // plays a Matrix homeserver); without it the demo goes on with the other four.
    let synapse = match Synapse::start(&[]) {
        Ok(Some(synapse)) => {
            let credentials = matrix::NewCredentials::Password {
                homeserver: Some(synapse.url.clone()),
                user: synapse.user_id("alice"),
                password: SecretString::from(presently_fakes::synapse::password("alice")),
            };
            session
                .add_account(
                    DEMO_MATRIX,
                    None,
                    NewCredentials::Matrix(credentials),
                    &no_browser,
                )
                .await?;
            Some(synapse)
        }
        Ok(None) => {
            eprintln!("Presently demo: no Synapse installed (scripts/setup.sh installs one), so no Matrix account.");
            None
        }
        Err(e) => {
            eprintln!(
                "Presently demo: the Matrix homeserver did not start ({e}), so no Matrix account."
            );
            None
        }
    };

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
            "mattermost": mattermost.url(),
            "mattermost_user": mm_token.0,
            "slack": slack_stand_in.url(),
            "slack_user": slack_fake::ALICE_ID,
            "matrix": synapse.as_ref().map(|s| s.url.clone()),
            "matrix_user": synapse.as_ref().map(|s| s.user_id("alice")),
        }
    });
    if json {
        println!("{description}");
    } else {
        println!(
            "Presently demo: a Zulip stand-in runs at {} (signed in as {}), a Rocket.Chat \
             stand-in at {}, a Zoom stand-in at {}, a Mattermost stand-in at {} and a Slack \
             stand-in at {}.\n\
             Config for this demo: {}\n\
             Hotkeys: Ctrl+Alt+1 Lunch, Ctrl+Alt+2 Focus, Ctrl+Alt+3 In a meeting.\n\
             Quit from the tray menu or press Ctrl+C; the demo accounts are removed then.",
            zulip.url(),
            demo_user.email,
            rocketchat.url(),
            zoom.url(),
            mattermost.url(),
            slack_stand_in.url(),
            dir.path().display()
        );
        if let Some(synapse) = &synapse {
            println!(
                "A real Matrix homeserver (Synapse) runs at {}, signed in as {}.",
                synapse.url,
                synapse.user_id("alice")
            );
        }
    }

    let outcome = run_tray(dir.path()).await;
    let mut cleanup = Vec::new();
    for id in [
        "demo-zulip",
        "demo-rocketchat",
        DEMO_ZOOM,
        DEMO_MATTERMOST,
        DEMO_SLACK,
    ] {
        cleanup.push(session.remove_account(id).await);
    }
    if synapse.is_some() {
        cleanup.push(session.remove_account(DEMO_MATRIX).await);
    }
    drop(zulip);
    drop(rocketchat);
    drop(zoom);
    drop(mattermost);
    drop(slack_stand_in);
    drop(synapse);
    let code = outcome?;
    for removed in cleanup {
        removed?;
    }
    Ok(code)
}

const DEMO_ZOOM: &str = "demo-zoom";
const DEMO_MATTERMOST: &str = "demo-mattermost";
const DEMO_SLACK: &str = "demo-slack";
const DEMO_MATRIX: &str = "demo-matrix";

/// The demo's answers to a sign-in: it plays the browser itself against the Zoom and Slack
/// stand-ins, and has no second factor to give.
#[derive(Default)]
struct DemoBrowser<'a> {
    zoom: Option<&'a FakeZoom>,
}

#[async_trait]
impl SignInPrompt for DemoBrowser<'_> {
    async fn code(&self, method: &str) -> Result<String> {
        Err(Error::invalid(format!(
            "the stand-in asked for a second factor ({method})"
        )))
    }

    async fn open_browser(
        &self,
        service: Service,
        url: &url::Url,
        redirect_uri: &str,
    ) -> Result<()> {
        match (service, &self.zoom) {
            (Service::Zoom, Some(zoom)) => {
                zoom.add_redirect_url(zoom_fake::USER_APP_CLIENT_ID, redirect_uri);
            }
            // The Slack stand-in's app has its desktop redirect registered already.
            (Service::Slack, _) => {}
            _ => return Err(Error::invalid("no browser stand-in for this sign-in")),
        }
        let name = service.display_name();
        let stand_in =
            |e: String| Error::invalid(format!("the {name} stand-in's sign-in page: {e}"));
        let http = browser().map_err(stand_in)?;
        // The consent page answers at once with the way back; following it waits for the
        // sign-in's listener, so that request runs beside it.
        let back = consent(&http, url).await.map_err(stand_in)?;
        tokio::spawn(async move {
            if let Err(e) = http.get(back).send().await {
                eprintln!("presently demo: the {name} stand-in's redirect failed: {e}");
            }
        });
        Ok(())
    }
}

/// A browser that does not follow redirects by itself and gives up after ten seconds.
fn browser() -> std::result::Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

/// Opens the sign-in page; returns where it sends the browser back to.
async fn consent(http: &reqwest::Client, url: &url::Url) -> std::result::Result<String, String> {
    let consent = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    consent
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| format!("it answered HTTP {} without a redirect", consent.status()))
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
