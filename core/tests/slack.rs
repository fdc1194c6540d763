//! Slack through a session, as every face uses it, against its faithful fake on 127.0.0.1:
//! the browser sign-in (PKCE, no client secret) with rotating tokens, what a preset sends,
//! emoji by name, do not disturb, and Slack's per-person limit on profile changes.
//! (What every service must do is in conformance.rs.)

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use presently_core::clock::ManualClock;
use presently_core::error::ErrorKind;
use presently_core::providers::{slack, NewCredentials, Target, Unattended};
use presently_core::secrets::{ExposeSecret, MemoryStore, SecretKey, SecretStore};
use presently_core::session::{Request, Session};
use presently_fakes::slack::{FakeSlack, SlackFakeConfig};
use secrecy::SecretString;

mod common;
use common::SlackBrowser;

const ID: &str = "acme";

fn preset(id: &str) -> Request {
    Request {
        preset: Some(id.to_owned()),
        ..Request::default()
    }
}

fn session(dir: &tempfile::TempDir, store: Arc<MemoryStore>) -> Session {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    Session::open(dir.path(), store, clock).expect("session")
}

/// The account's tokens as the keyring keeps them (one JSON secret).
fn stored_tokens(store: &MemoryStore) -> serde_json::Value {
    let secret = store
        .get(&SecretKey::new(ID, slack::TOKENS))
        .expect("readable")
        .expect("stored");
    serde_json::from_str(secret.expose_secret()).expect("json")
}

async fn add_with_token(
    session: &Session,
    fake: &FakeSlack,
    token: &str,
) -> presently_core::Result<()> {
    let credentials = slack::NewCredentials::Token {
        base: fake.url(),
        token: SecretString::from(token.to_owned()),
    };
    session
        .add_account(ID, None, NewCredentials::Slack(credentials), &Unattended)
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_with_pkce_then_rotated_tokens_renew_themselves() {
    let config = SlackFakeConfig::default();
    let app = config
        .apps
        .iter()
        .find(|a| a.pkce && a.token_rotation)
        .expect("a PKCE app with token rotation")
        .clone();
    let user = config.users[0].id.clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(MemoryStore::default());
    let session = session(&dir, store.clone());
    let credentials = slack::NewCredentials::Browser {
        base: fake.url(),
        client_id: app.client_id.clone(),
        redirect_port: 0,
    };
    let identity = session
        .add_account(ID, None, NewCredentials::Slack(credentials), &SlackBrowser)
        .await
        .expect("signed in through the browser");
    assert_eq!(identity.user_id, user);
    let first = stored_tokens(&store);
    let first_refresh = first["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();
    assert!(
        first["expires_at"].is_string(),
        "rotating tokens end: {first}"
    );
    // The app's secret never left this computer: it never had it.
    let config_text = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    assert!(config_text.contains(&app.client_id), "{config_text}");
    assert!(!config_text.contains(&app.client_secret));

    let report = session.apply(&preset("lunch")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    let profile = fake.profile_of(&user);
    assert_eq!(
        (profile.status_text.as_str(), profile.status_emoji.as_str()),
        ("Lunch", ":hamburger:")
    );
    assert!(
        profile.status_expiration > Utc::now().timestamp(),
        "Slack ends it: {profile:?}"
    );
    assert_eq!(fake.presence_of(&user), "away");

    // Twelve hours on, Slack says token_expired: renewed once, the change goes through,
    // and the spent refresh token is replaced in the keyring.
    fake.expire_access_tokens();
    let report = session.apply(&preset("available")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.presence_of(&user), "auto");
    let renewed = stored_tokens(&store);
    assert_ne!(
        renewed["refresh_token"].as_str(),
        Some(first_refresh.as_str())
    );
    assert_ne!(renewed["access_token"], first["access_token"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_token_is_refused_before_anything_is_sent() {
    let fake = FakeSlack::start(SlackFakeConfig::default()).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    let error = add_with_token(&session, &fake, "xoxb-1234-5678-abcdef")
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("User OAuth Token"), "{error}");
    assert!(fake.requests().is_empty(), "nothing reached Slack");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emoji_go_by_name_and_custom_ones_are_checked_first() {
    let config = SlackFakeConfig::default();
    let (user, token, _) = config.tokens[0].clone();
    let custom = config
        .custom_emoji
        .keys()
        .next()
        .expect("a custom emoji")
        .clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    add_with_token(&session, &fake, &token)
        .await
        .expect("added");

    let with = |emoji: &str| Request {
        text: Some("Out".into()),
        emoji: Some(emoji.into()),
        availability: Some(presently_core::preset::Availability::Available),
        ..Request::default()
    };
    let report = session.apply(&with("🌴")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.profile_of(&user).status_emoji, ":palm_tree:");

    let report = session
        .apply(&with(&format!(":{custom}:")))
        .await
        .expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.profile_of(&user).status_emoji, format!(":{custom}:"));
    let shown = session
        .read_statuses(&[ID.to_owned()], &Target::Me)
        .await
        .expect("read");
    let shown = shown[0].1.as_ref().expect("read back");
    assert_eq!(shown.emoji.as_deref(), Some(format!(":{custom}:").as_str()));

    // A name the workspace does not have is refused before users.profile.set is sent.
    let writes = fake.profile_writes(&user);
    let report = session
        .apply(&with(":no_such_emoji_here:"))
        .await
        .expect("a report");
    let error = report.outcomes[0].result.as_ref().expect_err("refused");
    assert!(
        error.to_string().contains("no emoji :no_such_emoji_here:"),
        "{error}"
    );
    assert_eq!(fake.profile_writes(&user), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn do_not_disturb_is_a_snooze_slack_ends_and_available_ends_it() {
    let config = SlackFakeConfig::default();
    let (user, token, _) = config.tokens[0].clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    add_with_token(&session, &fake, &token)
        .await
        .expect("added");

    // Focus: do not disturb for two hours.
    let report = session.apply(&preset("focus")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    let end = fake.snooze_end_of(&user).expect("snoozed");
    let wanted = Utc::now().timestamp() + 120 * 60;
    assert!(
        (end - wanted).abs() <= 61,
        "ends in two hours: {end} vs {wanted}"
    );
    let shown = session
        .read_statuses(&[ID.to_owned()], &Target::Me)
        .await
        .expect("read");
    assert_eq!(
        shown[0].1.as_ref().expect("read").availability.as_deref(),
        Some("do not disturb")
    );

    // Away leaves a snooze alone (it may be the user's own; Slack ends Presently's at its
    // end); available ends it.
    let report = session.apply(&preset("lunch")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.snooze_end_of(&user), Some(end));
    let report = session.clear(&[], &Target::Me).await.expect("cleared");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.snooze_end_of(&user), None);
    // Clearing again, with no snooze running, is no failure.
    let report = session.clear(&[], &Target::Me).await.expect("cleared");
    assert!(report.all_succeeded(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eleventh_status_change_in_a_minute_waits_for_slack_and_says_when() {
    let config = SlackFakeConfig::default();
    let (user, token, _) = config.tokens[0].clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    add_with_token(&session, &fake, &token)
        .await
        .expect("added");
    for n in 0..10 {
        let text = Request {
            text: Some(format!("Change {n}")),
            ..Request::default()
        };
        let report = session.apply(&text).await.expect("applied");
        assert!(report.all_succeeded(), "change {n}: {report:?}");
    }
    let report = session
        .apply(&Request {
            text: Some("One too many".into()),
            ..Request::default()
        })
        .await
        .expect("a report");
    let error = report.outcomes[0]
        .result
        .as_ref()
        .expect_err("rate limited");
    let shown = error.report(Some(&report.outcomes[0].account));
    assert_eq!(shown.kind, ErrorKind::RateLimited, "{}", shown.message);
    assert!(
        shown.retry_at.is_some_and(|at| at > Utc::now()),
        "{shown:?}"
    );
    assert_eq!(
        fake.profile_writes(&user),
        10,
        "never more than Slack's limit"
    );
    assert_eq!(fake.profile_of(&user).status_text, "Change 9");
    // A minute later Slack takes changes again.
    fake.advance_clock(Duration::from_secs(61));
    let report = session
        .apply(&Request {
            text: Some("Later".into()),
            ..Request::default()
        })
        .await
        .expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_status_whose_text_slack_ended_still_gets_its_away_ended() {
    let config = SlackFakeConfig::default();
    let (user, token, _) = config.tokens[0].clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let session = Session::open(dir.path(), Arc::new(MemoryStore::default()), clock.clone())
        .expect("session");
    add_with_token(&session, &fake, &token)
        .await
        .expect("added");
    let lunch = Request {
        duration: Some(Duration::from_secs(30)),
        ..preset("lunch")
    };
    let report = session.apply(&lunch).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    // Slack clears the text at status_expiration by itself; away has no end there.
    fake.advance_clock(Duration::from_secs(31));
    assert_eq!(fake.profile_of(&user).status_text, "");
    assert_eq!(fake.presence_of(&user), "away");
    clock.advance(chrono::Duration::seconds(31));
    let report = session.expire_if_due().await.expect("expire").expect("due");
    assert!(
        report.left_alone.is_empty(),
        "not a change by hand: {report:?}"
    );
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.presence_of(&user), "auto", "Presently ended the away");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_slack_signed_out_signs_in_again_through_the_browser() {
    let config = SlackFakeConfig::default();
    let user = config.users[0].id.clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    let credentials = slack::NewCredentials::Browser {
        base: fake.url(),
        client_id: presently_fakes::slack::DESKTOP_CLIENT_ID.to_owned(),
        redirect_port: 0,
    };
    session
        .add_account(ID, None, NewCredentials::Slack(credentials), &SlackBrowser)
        .await
        .expect("signed in");
    // The app was removed from the workspace: every token of the user is dead.
    fake.revoke_tokens(&user);
    // Lunch reads the account first (to put it back at its end): that read finds the
    // sign-in ended, and the account is reported as needing one, not as a failure.
    let report = session.apply(&preset("lunch")).await.expect("a report");
    let kind = match report.outcomes.first() {
        Some(outcome) => {
            let error = outcome.result.as_ref().expect_err("refused");
            error.report(Some(&outcome.account)).kind
        }
        None => {
            assert_eq!(report.needs_sign_in.len(), 1, "{report:?}");
            ErrorKind::SignInNeeded
        }
    };
    assert_eq!(kind, ErrorKind::SignInNeeded, "{report:?}");
    // Known now: the next change leaves the account out and sends Slack nothing.
    let before = fake.requests().len();
    let report = session.apply(&preset("focus")).await.expect("a report");
    assert!(report.outcomes.is_empty(), "{report:?}");
    assert_eq!(fake.requests().len(), before);

    // The browser is signed in as Bob now: his token must not become Alice's account.
    fake.set_browser_user(presently_fakes::slack::BOB_ID);
    let error = session
        .sign_in_again(ID, None, &SlackBrowser)
        .await
        .expect_err("another person");
    assert!(error.to_string().contains("signed in as bob"), "{error}");
    fake.set_browser_user(&user);
    session
        .sign_in_again(ID, None, &SlackBrowser)
        .await
        .expect("signed in again through the browser");
    let report = session.apply(&preset("lunch")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(fake.profile_of(&user).status_text, "Lunch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_status_changes_nothing_else() {
    let config = SlackFakeConfig::default();
    let (user, token, _) = config.tokens[0].clone();
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    add_with_token(&session, &fake, &token)
        .await
        .expect("added");
    fake.inject_on(
        "POST",
        "/api/users.profile.set",
        presently_fakes::slack::Fault::ServerError,
    );
    let report = session.apply(&preset("lunch")).await.expect("a report");
    assert!(report.outcomes[0].result.is_err(), "{report:?}");
    assert_eq!(
        fake.presence_of(&user),
        "auto",
        "no away without its status"
    );
    let sent: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|r| r.api_method().map(str::to_owned))
        .collect();
    assert!(!sent.iter().any(|m| m == "users.setPresence"), "{sent:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_dnd_read_still_reads_the_status_back() {
    let mut config = SlackFakeConfig::default();
    let (user, _, scopes) = config.tokens[0].clone();
    let narrow = "xoxp-1000000001-1000000002-1000000099-narrowscopes0000000000000000".to_owned();
    let scopes = scopes.into_iter().filter(|s| s != "dnd:read").collect();
    config.tokens.push((user.clone(), narrow.clone(), scopes));
    let fake = FakeSlack::start(config).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let session = session(&dir, Arc::new(MemoryStore::default()));
    add_with_token(&session, &fake, &narrow)
        .await
        .expect("added");
    let report = session.apply(&preset("lunch")).await.expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
    let shown = session
        .read_statuses(&[ID.to_owned()], &Target::Me)
        .await
        .expect("read");
    let shown = shown[0].1.as_ref().expect("read back without dnd:read");
    assert_eq!(shown.text, "Lunch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_browser_account_revokes_its_token() {
    let fake = FakeSlack::start(SlackFakeConfig::default()).expect("fake Slack");
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(MemoryStore::default());
    let session = session(&dir, store.clone());
    let credentials = slack::NewCredentials::Browser {
        base: fake.url(),
        client_id: presently_fakes::slack::DESKTOP_CLIENT_ID.to_owned(),
        redirect_port: 0,
    };
    session
        .add_account(ID, None, NewCredentials::Slack(credentials), &SlackBrowser)
        .await
        .expect("signed in");
    let token = stored_tokens(&store)["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    session.remove_account(ID).await.expect("removed");
    let revoked = fake
        .requests()
        .iter()
        .any(|r| r.api_method() == Some("auth.revoke"));
    assert!(revoked, "auth.revoke was called");
    let answer: serde_json::Value = auth_test_with(&fake.url(), &token).await;
    assert_eq!(answer["ok"], false, "{answer}");
}

async fn auth_test_with(base: &str, token: &str) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{base}/api/auth.test"))
        .bearer_auth(token)
        .send()
        .await
        .expect("auth.test")
        .json()
        .await
        .expect("json")
}
