//! Zoom in the core, against the fake Zoom over real HTTP: changes inside Zoom's minute are
//! coalesced and sent at their turn (with a manual clock), and two processes renewing the
//! same single-use refresh token at once both end up with working tokens.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use presently_core::clock::{Clock, ManualClock};
use presently_core::error::ProviderError;
use presently_core::providers::zoom::{ZoomAuth, ZoomSettings, TOKENS};
use presently_core::providers::{zoom, NewCredentials, Target};
use presently_core::secrets::{ExposeSecret, MemoryStore, SecretKey, SecretStore};
use presently_core::session::{Request, Session};
use presently_core::WhenPaced;
use presently_fakes::zoom::{
    FakeZoom, ZoomFakeConfig, ALICE_ID, S2S_APP_CLIENT_ID, S2S_APP_CLIENT_SECRET,
    USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET,
};
use secrecy::SecretString;

mod common;
use common::Browser;

fn secret(value: &str) -> SecretString {
    SecretString::from(value.to_owned())
}

fn settings(fake: &FakeZoom, auth: ZoomAuth, client_id: &str) -> ZoomSettings {
    let mut settings = ZoomSettings::new(auth, client_id);
    settings.api_base = fake.api_base();
    settings.auth_base = fake.auth_base();
    settings
}

/// Alice's account "zoom", signed in through the authorization-code flow with PKCE.
async fn sign_in(fake: &FakeZoom, session: &Session) {
    let mut zoom = settings(fake, ZoomAuth::User, USER_APP_CLIENT_ID);
    zoom.redirect_port = 0;
    let credentials = zoom::NewCredentials {
        settings: zoom,
        client_secret: secret(USER_APP_CLIENT_SECRET),
    };
    session
        .add_account(
            "zoom",
            None,
            NewCredentials::Zoom(credentials),
            &Browser { fake },
        )
        .await
        .expect("signed in");
}

/// What the account "zoom" shows, read back through a session.
async fn read(session: &Session) -> Result<presently_core::providers::ShownStatus, ProviderError> {
    let mut read = session
        .read_statuses(&["zoom".to_owned()], &Target::Me)
        .await
        .expect("read");
    read.remove(0).1
}

/// The tokens as the keyring keeps them (one JSON entry).
fn stored_tokens(store: &MemoryStore) -> serde_json::Value {
    let stored = store
        .get(&SecretKey::new("zoom", TOKENS))
        .expect("read")
        .expect("present");
    serde_json::from_str(stored.expose_secret()).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_inside_the_minute_wait_and_only_the_newest_is_sent() {
    let fake = FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom");
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let store = Arc::new(MemoryStore::default());
    let open = || Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let session = open();
    let mut zoom = settings(&fake, ZoomAuth::ServerToServer, S2S_APP_CLIENT_ID);
    zoom.account_id = Some("acct-0001".into());
    zoom.user = Some("alice@example.com".into());
    let credentials = zoom::NewCredentials {
        settings: zoom,
        client_secret: secret(S2S_APP_CLIENT_SECRET),
    };
    session
        .add_account(
            "zoom",
            None,
            NewCredentials::Zoom(credentials),
            &presently_core::providers::Unattended,
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
    let session = open().with_when_paced(WhenPaced::Refuse);
    let refused = session.apply(&preset("focus")).await.expect("report");
    match &refused.outcomes[0].result {
        Err(ProviderError::Paced { at, because: None }) => {
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
    let dir = tempfile::tempdir().expect("dir");
    // One keyring and config, two processes: each has its own providers and token cache.
    let store = Arc::new(MemoryStore::default());
    let clock: Arc<dyn Clock> = Arc::new(presently_core::clock::SystemClock);
    let app = Session::open(dir.path(), store.clone(), clock.clone()).expect("app");
    sign_in(&fake, &app).await;
    let cli = Session::open(dir.path(), store.clone(), clock).expect("cli");
    let first_refresh = stored_tokens(&store)["refresh_token"].clone();
    assert!(first_refresh.is_string(), "a refresh token");
    read(&app).await.expect("works");
    read(&cli).await.expect("works");

    fake.expire_tokens();
    let (a, b) = tokio::join!(read(&app), read(&cli));
    a.expect("the app renewed or adopted the new tokens");
    b.expect("the CLI renewed or adopted the new tokens");
    let stored = stored_tokens(&store);
    assert_ne!(stored["refresh_token"], first_refresh, "rotated");
    assert_eq!(stored["sign_in_needed"], false);

    // When Zoom ends the sign-in for good, the account says so once and stops trying.
    fake.expire_tokens();
    fake.revoke_refresh_tokens();
    let ended = read(&app).await.expect_err("sign-in ended");
    assert!(
        matches!(ended, ProviderError::SignInAgain { .. }),
        "{ended}"
    );
    assert!(
        ended.to_string().contains("presently account signin zoom"),
        "{ended}"
    );
    assert_eq!(
        cli.needs_sign_in()
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>(),
        ["zoom"],
        "every process sees it from the keyring"
    );
    let token_calls = || {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/oauth/token")
            .count()
    };
    let before = token_calls();
    let again = read(&cli).await.expect_err("still ended");
    assert!(matches!(again, ProviderError::SignInAgain { .. }));
    assert_eq!(
        before,
        token_calls(),
        "no new attempt until the user signs in"
    );

    // Signing in again (the same browser flow) keeps the account and works at once,
    // also in the process that had seen the sign-in end.
    let identity = cli
        .sign_in_again("zoom", None, &Browser { fake: &fake })
        .await
        .expect("signed in again");
    assert!(identity.name.contains("Alice"), "{}", identity.name);
    assert!(app.needs_sign_in().is_empty());
    read(&app)
        .await
        .expect("the app's cached provider uses the new sign-in");
}

/// Short-lived tokens: the one from the sign-in has run out by the time the sign-in is
/// checked, so checking renews it and Zoom rotates the refresh token. The renewed pair is
/// the one kept: the account keeps working afterwards, in a new process too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_renewed_while_the_sign_in_is_checked_are_the_ones_kept() {
    let fake = FakeZoom::start(ZoomFakeConfig {
        code_grant_access_ttl: Some(chrono::Duration::zero()),
        ..ZoomFakeConfig::default()
    })
    .expect("fake Zoom");
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    sign_in(&fake, &session).await;
    let renewals = || {
        fake.requests()
            .iter()
            .filter(|r| r.path == "/oauth/token" && r.body.contains("grant_type=refresh_token"))
            .count()
    };
    assert_eq!(
        renewals(),
        1,
        "checking the sign-in renewed the expired token"
    );
    // Another process reads the keyring: the stored refresh token is the live one.
    let again = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let tested = again.test_account("zoom").await;
    assert!(tested.is_ok(), "{tested:?}");
    assert_eq!(
        renewals(),
        1,
        "the renewed access token was kept and works as stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_change_is_sent_only_while_its_process_lives() {
    let fake = FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom");
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let store = Arc::new(MemoryStore::default());
    let open = || Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let app = open();
    sign_in(&fake, &app).await;
    let preset = |id: &str| Request {
        preset: Some(id.into()),
        ..Request::default()
    };
    app.apply(&preset("lunch")).await.expect("lunch");

    for owner_alive in [true, false] {
        // A `presently set` waiting for the turn itself queues Focus as its own.
        let cli = open().waiting_here().expect("waiter");
        let queued = cli.apply(&preset("focus")).await.expect("queued");
        assert!(queued.outcomes[0].pending_until.is_some());
        if !owner_alive {
            drop(cli); // killed: its lock goes with it
        }
        clock.advance(chrono::Duration::seconds(60));
        fake.advance_clock(Duration::from_secs(60));
        let sent = app.send_due().await.expect("due");
        let updates = fake.presence_updates(ALICE_ID).len();
        if owner_alive {
            assert_eq!(sent.len(), 1, "its owner waits for it: anyone may send it");
            assert_eq!(updates, 2);
            assert_eq!(
                app.active().expect("state").map(|a| a.label),
                Some("Focus".to_owned())
            );
            // Back to Lunch for the next round.
            clock.advance(chrono::Duration::seconds(60));
            fake.advance_clock(Duration::from_secs(60));
            app.apply(&preset("lunch")).await.expect("lunch");
        } else {
            assert!(sent.is_empty(), "its owner is gone: dropped, not sent");
            assert_eq!(updates, 3, "nothing after Lunch");
            assert!(app.pending().expect("pending").is_empty());
            assert_eq!(
                app.active().expect("state").map(|a| a.label),
                Some("Lunch".to_owned()),
                "the dropped change is not the status in effect"
            );
        }
    }
}
