//! `presently account add zoom` and `presently account signin`: Zoom's browser sign-in
//! (authorization code with PKCE on a loopback redirect) and Server-to-Server apps.

use presently_core::config::Account;
use presently_core::error::{AccountLabel, ProviderError};
use presently_core::providers::zoom::{
    signin::SignIn, OAuthClient, TokenSet, ZoomAuth, ZoomSettings, CLIENT_SECRET, TOKENS,
};
use presently_core::providers::{AccountSettings, Service};
use presently_core::Error;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::accounts::{print_identity, read_secret};
use crate::args::{AddZoom, BrowserArgs};
use crate::open_session;

/// Zoom's authorization codes live five minutes; the user gets as long to finish.
const SIGN_IN_WAIT: Duration = Duration::from_secs(300);

fn label(id: &str) -> AccountLabel {
    AccountLabel {
        service: Service::Zoom,
        id: id.to_owned(),
    }
}

pub async fn add(args: AddZoom, json: bool) -> Result<ExitCode, Error> {
    let mut session = open_session()?;
    let auth = if args.server_to_server {
        ZoomAuth::ServerToServer
    } else {
        ZoomAuth::User
    };
    let mut settings = ZoomSettings::new(auth, &args.client_id);
    settings.account_id = args.account_id.clone();
    settings.user = args.user.clone();
    settings.redirect_port = args.redirect_port;
    if let Some(api_base) = &args.api_base {
        settings.api_base = api_base.clone();
    }
    if let Some(auth_base) = &args.auth_base {
        settings.auth_base = auth_base.clone();
    }
    settings.validate(&args.id)?;
    let secret = read_secret("Zoom app client secret: ")?;
    let http = presently_core::http::client(session.timeout())?;
    let oauth = OAuthClient::new(http, &settings, secret.clone(), session.timeout())
        .map_err(|e| e.for_account(label(&args.id)))?;
    let tokens = tokens_for(&args.id, &settings, oauth, args.browser, json).await?;
    let account = Account {
        id: args.id.clone(),
        settings: AccountSettings::Zoom(settings),
    };
    let identity = session
        .add_account(
            account,
            vec![(CLIENT_SECRET, secret), (TOKENS, tokens.to_secret())],
        )
        .await?;
    print_identity(&args.id, &identity, "added", json);
    Ok(ExitCode::SUCCESS)
}

/// Signs an existing Zoom account in again and replaces its tokens.
pub async fn sign_in_again(id: &str, browser: BrowserArgs, json: bool) -> Result<ExitCode, Error> {
    let session = open_session()?;
    let (sign_in, url) = session.begin_sign_in(id).await?;
    show_sign_in_url(&url, sign_in.redirect_uri(), browser, json);
    let identity = session.finish_sign_in(id, sign_in, SIGN_IN_WAIT).await?;
    print_identity(id, &identity, "signed in again", json);
    Ok(ExitCode::SUCCESS)
}

/// Prints the sign-in address (to stdout even with --json: a script must be able to open
/// it) and opens it in the browser unless told not to.
fn show_sign_in_url(url: &url::Url, redirect_uri: &str, browser: BrowserArgs, json: bool) {
    if json {
        crate::output::print_json(&serde_json::json!({ "sign_in_url": url.as_str() }));
    } else {
        println!("Sign in to Zoom at this address:\n{url}");
        eprintln!("Waiting for Zoom to send the browser back to {redirect_uri} …");
    }
    let _ = std::io::stdout().flush();
    if !browser.no_browser {
        if let Err(e) = webbrowser::open(url.as_str()) {
            eprintln!("Cannot open a browser ({e}); open the address yourself.");
        }
    }
}

async fn tokens_for(
    id: &str,
    settings: &ZoomSettings,
    oauth: OAuthClient,
    browser: BrowserArgs,
    json: bool,
) -> Result<TokenSet, Error> {
    let for_account = |e: ProviderError| e.for_account(label(id));
    match settings.auth {
        ZoomAuth::ServerToServer => oauth
            .account_credentials(settings.account_id.as_deref().unwrap_or_default())
            .await
            .map_err(for_account),
        ZoomAuth::User => {
            let (sign_in, url) = SignIn::begin(oauth, settings.redirect_port)
                .await
                .map_err(for_account)?;
            show_sign_in_url(&url, sign_in.redirect_uri(), browser, json);
            sign_in.finish(SIGN_IN_WAIT).await.map_err(for_account)
        }
    }
}
