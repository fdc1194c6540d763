//! Zoom in the core, against the fake Zoom over real HTTP: changes inside Zoom's minute are
//! coalesced and sent at their turn (with a manual clock), and two processes renewing the
//! same single-use refresh token at once both end up with working tokens.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use presently_core::clock::{Clock, ManualClock};
use presently_core::config::Account;
use presently_core::dispatch::WhenPaced;
use presently_core::error::ProviderError;
use presently_core::providers::zoom::{
    signin::SignIn, OAuthClient, TokenSet, ZoomAuth, ZoomSettings, CLIENT_SECRET, TOKENS,
};
use presently_core::providers::{self, AccountSettings, Target};
use presently_core::secrets::{ExposeSecret, MemoryStore, SecretKey, SecretStore};
use presently_core::session::{Request, Session};
use presently_fakes::zoom::{
    FakeZoom, ZoomFakeConfig, ALICE_ID, S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET,
    USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET,
};
use secrecy::SecretString;

const TIMEOUT: Duration = Duration::from_secs(10);

fn secret(value: &str) -> SecretString {
    SecretString::from(value.to_owned())
}

fn settings(fake: &FakeZoom, auth: ZoomAuth, client_id: &str) -> ZoomSettings {
    let mut settings = ZoomSettings::new(auth, client_id);
    settings.api_base = fake.api_base();
    settings.auth_base = fake.auth_base();
    settings
}

/// Signs alice in through the authorization-code flow, playing the browser.
async fn sign_in(fake: &FakeZoom) -> TokenSet {
    let http = presently_core::http::client(TIMEOUT).expect("client");
    let oauth = OAuthClient::new(
        http.clone(),
        &settings(fake, ZoomAuth::User, USER_APP_CLIENT_ID),
        secret(USER_APP_CLIENT_SECRET),
        TIMEOUT,
    )
    .expect("oauth");
    let (sign_in, url) = SignIn::begin(oauth, 0).await.expect("listening");
    fake.add_redirect_url(USER_APP_CLIENT_ID, sign_in.redirect_uri());
    let browser = async {
        let consent = http.get(url.clone()).send().await.expect("authorize");
        assert_eq!(consent.status(), 302, "the consent page redirects back");
        let back = consent.headers()["location"]
            .to_str()
            .expect("ascii")
            .to_owned();
        http.get(back).send().await.expect("loopback");
    };
    let (tokens, ()) = tokio::join!(sign_in.finish(TIMEOUT), browser);
    tokens.expect("signed in")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_inside_the_minute_wait_and_only_the_newest_is_sent() {
    let fake = FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom");
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let store = Arc::new(MemoryStore::default());
    let mut session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let mut zoom = settings(&fake, ZoomAuth::ServerToServer, S2S_APP_CLIENT_ID);
    let oauth = OAuthClient::new(
        presently_core::http::client(TIMEOUT).expect("client"),
        &zoom,
        secret(S2S_APP_CLIENT_SECRET),
        TIMEOUT,
    )
    .expect("oauth");
    let tokens = oauth.account_credentials("acct-0001").await.expect("token");
    zoom.account_id = Some("acct-0001".into());
    zoom.user = Some("alice@example.com".into());
    let account = Account {
        id: "zoom".into(),
        settings: AccountSettings::Zoom(zoom),
    };
    session
        .add_account(
            account,
            vec![
                (CLIENT_SECRET, secret(S2S_APP_CLIENT_SECRET)),
                (TOKENS, tokens.to_secret()),
            ],
        )
        .await
        .expect("added");
    let preset = |id: &str| Request {
        preset: Some(id.into()),
        ..Request::default()
    };

    let lunch = session.apply(&preset("lunch")).await.expect("lunch");
    assert_eq!(lunch.summary.title, "Lunch set on 1 of 1 account");
    for later in ["focus", "brb"] {
        let report = session.apply(&preset(later)).await.expect("queued");
        assert!(report.all_succeeded(), "a wait is not a failure");
        assert!(report.outcomes[0].pending_until.is_some());
        assert!(
            report.summary.title.ends_with("(1 pending)"),
            "{}",
            report.summary.title
        );
    }
    assert_eq!(
        fake.presence_updates(ALICE_ID).len(),
        1,
        "one change a minute"
    );
    let waiting = session.pending().expect("pending");
    assert_eq!(waiting.len(), 1, "only the newest wish is kept");
    assert_eq!(waiting[0].status.label, "Be right back");
    assert!(session.send_due().await.expect("nothing due").is_empty());

    clock.advance(chrono::Duration::seconds(60));
    fake.advance_clock(Duration::from_secs(60));
    let sent = session.send_due().await.expect("sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1.summary.title,
        "Be right back set on 1 of 1 account"
    );
    assert_eq!(
        fake.presence_updates(ALICE_ID),
        vec![("Away".to_owned(), None), ("Away".to_owned(), None)],
        "Lunch, then Be right back; Focus never went out"
    );
    assert!(session.pending().expect("pending").is_empty());

    // Refusing instead of queueing names the moment it could go out.
    session.set_when_paced(WhenPaced::Refuse);
    let refused = session.apply(&preset("focus")).await.expect("report");
    match &refused.outcomes[0].result {
        Err(ProviderError::Paced { at }) => {
            assert_eq!(*at, clock.now() + chrono::Duration::seconds(60))
        }
        other => panic!("expected a paced refusal, got {other:?}"),
    }
    assert!(session.pending().expect("pending").is_empty());

    // The account's own user named another way is the same Zoom user: the same turn.
    let same_person = Request {
        preset: Some("focus".into()),
        accounts: vec!["zoom".into()],
        target: Target::User("Alice@Example.com".into()),
        ..Request::default()
    };
    let refused = session.apply(&same_person).await.expect("report");
    assert!(
        matches!(refused.outcomes[0].result, Err(ProviderError::Paced { .. })),
        "{:?}",
        refused.outcomes[0].result
    );
    // Someone else has a turn of their own.
    let someone_else = Request {
        target: Target::User("bob@example.com".into()),
        ..same_person
    };
    let sent = session.apply(&someone_else).await.expect("report");
    assert!(sent.all_succeeded(), "{:?}", sent.outcomes[0].result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_renewing_at_once_both_keep_working_tokens() {
    let fake = FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom");
    let tokens = sign_in(&fake).await;
    let first_refresh = tokens.refresh_token.clone().expect("a refresh token");
    // One keyring, two processes: each has its own provider and token cache.
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    store
        .set(
            &SecretKey::new("zoom", CLIENT_SECRET),
            &secret(USER_APP_CLIENT_SECRET),
        )
        .expect("secret");
    store
        .set(&SecretKey::new("zoom", TOKENS), &tokens.to_secret())
        .expect("tokens");
    let account = Account {
        id: "zoom".into(),
        settings: AccountSettings::Zoom(settings(&fake, ZoomAuth::User, USER_APP_CLIENT_ID)),
    };
    let http = presently_core::http::client(TIMEOUT).expect("client");
    let app = providers::connect(&account, &store, http.clone(), TIMEOUT).expect("app");
    let cli = providers::connect(&account, &store, http, TIMEOUT).expect("cli");
    app.verify().await.expect("works");
    cli.verify().await.expect("works");

    fake.expire_tokens();
    let (a, b) = tokio::join!(app.read_status(&Target::Me), cli.read_status(&Target::Me));
    a.expect("the app renewed or adopted the new tokens");
    b.expect("the CLI renewed or adopted the new tokens");
    let stored = TokenSet::from_secret(
        &store
            .get(&SecretKey::new("zoom", TOKENS))
            .expect("read")
            .expect("present"),
    )
    .expect("parses");
    let rotated = stored.refresh_token.expect("a refresh token");
    assert_ne!(
        rotated.expose_secret(),
        first_refresh.expose_secret(),
        "rotated"
    );
    assert!(!stored.sign_in_needed);

    // When Zoom ends the sign-in for good, the account says so once and stops trying.
    fake.expire_tokens();
    fake.revoke_refresh_tokens();
    let ended = app
        .read_status(&Target::Me)
        .await
        .expect_err("sign-in ended");
    assert!(
        matches!(ended, ProviderError::SignInAgain { .. }),
        "{ended}"
    );
    assert!(
        ended.to_string().contains("presently account signin zoom"),
        "{ended}"
    );
    assert!(
        cli.sign_in_needed(),
        "every process sees it from the keyring"
    );
    let token_calls = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count();
    let again = cli.read_status(&Target::Me).await.expect_err("still ended");
    assert!(matches!(again, ProviderError::SignInAgain { .. }));
    let token_calls_after = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count();
    assert_eq!(
        token_calls, token_calls_after,
        "no new attempt until the user signs in"
    );
}
