//! Timed statuses end on time, across restarts, and retry what failed: a real [`Session`]
//! with a [`ManualClock`], an in-memory secret store and real HTTP to fake Zulip servers.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use presently_core::clock::ManualClock;
use presently_core::config::ConfigFile;
use presently_core::error::ProviderError;
use presently_core::preset::Availability;
use presently_core::providers::{zulip, NewCredentials, Target, Unattended};
use presently_core::secrets::MemoryStore;
use presently_core::session::{Request, Session};
use presently_fakes::zulip::{FakeZulip, UserStatus, ZulipFakeConfig};
use secrecy::SecretString;

const ALICE: (&str, &str, u64) = ("alice@example.com", "aliceKEY0123456789abcdef01234567", 8);
const BOB: (&str, &str, u64) = ("bob@example.com", "bobKEY0123456789abcdef0123456789", 9);
const OWN_STATUS: &str = "/api/v1/users/me/status";

fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

/// One user's Presently: a config dir, a secret store and a clock that moves when told.
struct World {
    dir: tempfile::TempDir,
    secrets: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    start: DateTime<Utc>,
}

impl World {
    fn new() -> World {
        let start = Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .single()
            .expect("a valid time");
        World {
            dir: tempfile::tempdir().expect("temp config dir"),
            secrets: Arc::new(MemoryStore::default()),
            clock: Arc::new(ManualClock::new(start)),
            start,
        }
    }

    /// A fresh session on the same dir, store and clock, as after a restart.
    fn open(&self) -> Session {
        Session::open(self.dir.path(), self.secrets.clone(), self.clock.clone())
            .expect("session opens")
    }

    fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    fn edit_config(&self, edit: impl FnOnce(&mut presently_core::config::Config)) {
        let file = ConfigFile::in_dir(self.dir.path());
        let mut config = file.load_or_create().expect("config loads");
        edit(&mut config);
        file.save(&config).expect("config saves");
    }
}

fn fake() -> FakeZulip {
    FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip starts")
}

async fn add(session: &Session, id: &str, zulip: &FakeZulip, (email, key, _): (&str, &str, u64)) {
    let credentials = zulip::NewCredentials::ApiKey {
        site: zulip.url(),
        email: email.to_owned(),
        api_key: SecretString::from(key.to_owned()),
    };
    session
        .add_account(id, None, NewCredentials::Zulip(credentials), &Unattended)
        .await
        .expect("account added");
}

fn preset(id: &str) -> Request {
    Request {
        preset: Some(id.to_owned()),
        ..Request::default()
    }
}

/// Status POSTs the fake received, by whom (the e-mail of the Basic auth).
fn status_posts(zulip: &FakeZulip, by: &str) -> usize {
    zulip
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == OWN_STATUS)
        .filter(|r| r.auth_email.as_deref() == Some(by))
        .count()
}

/// Lunch is set for an hour; then the user sets "🚗 Commuting" in Zulip's own app. When the
/// hour is over, Presently reads the account back, sees it is no longer its status, and
/// leaves it alone, saying so once; an account still showing Lunch is cleared as usual.
#[tokio::test]
async fn an_expiry_never_ends_a_status_changed_elsewhere() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;
    add(&session, "bob", &zulip, BOB).await;
    session.apply(&preset("lunch")).await.expect("apply");

    let commuting = UserStatus {
        status_text: "Commuting".into(),
        emoji_name: "car".into(),
        emoji_code: "1f697".into(),
        reaction_type: "unicode_emoji".into(),
        away: false,
    };
    zulip.set_status(ALICE.2, commuting.clone());
    world.advance(minutes(61));
    // A new process, as after a restart: what was sent is kept in state.json.
    let session = world.open();
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("due after 61 minutes");
    assert_eq!(
        zulip.status_of(ALICE.2),
        commuting,
        "the user's own status stays"
    );
    assert_eq!(
        zulip.status_of(BOB.2).status_text,
        "",
        "Presently's Lunch ends"
    );
    let left: Vec<&str> = report.left_alone.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(left, ["alice"]);
    assert!(
        report
            .summary
            .body
            .contains("Zulip (alice): changed elsewhere, left as is"),
        "{:?}",
        report.summary
    );
    assert_eq!(report.summary.title, "Status cleared on 1 of 1 account");
    assert_eq!(
        status_posts(&zulip, ALICE.0),
        1,
        "nothing more sent to alice"
    );
    // Said once: nothing is due any more.
    assert_eq!(session.next_due().expect("state"), None);
    assert!(session.expire_if_due().await.expect("expire").is_none());
}

#[tokio::test]
async fn lunch_ends_after_an_hour_and_not_before() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;

    let report = session.apply(&preset("lunch")).await.expect("apply");
    assert!(report.all_succeeded(), "{:?}", report.summary);
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(60))
    );
    let active = session.active().expect("state").expect("lunch is active");
    assert_eq!(active.preset_id.as_deref(), Some("lunch"));
    assert_eq!(active.label, "Lunch");
    assert_eq!(active.accounts, vec!["alice".to_owned()]);
    assert_eq!(active.set_at, world.start);
    assert_eq!(zulip.status_of(ALICE.2).status_text, "Lunch");

    world.advance(minutes(59));
    assert!(session.expire_if_due().await.expect("expire").is_none());
    assert_eq!(zulip.status_of(ALICE.2).status_text, "Lunch");
    assert_eq!(status_posts(&zulip, ALICE.0), 1, "nothing sent early");

    world.advance(minutes(2));
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("due after 61 minutes");
    assert!(report.all_succeeded(), "{:?}", report.summary);
    assert_eq!(report.summary.title, "Status cleared on 1 of 1 account");
    let status = zulip.status_of(ALICE.2);
    assert_eq!(status.status_text, "");
    assert_eq!(status.emoji_name, "");
    assert_eq!(session.active().expect("state"), None);
    assert_eq!(session.next_due().expect("state"), None);

    // Ended once, not again.
    world.advance(minutes(60));
    assert!(session.expire_if_due().await.expect("expire").is_none());
    assert_eq!(status_posts(&zulip, ALICE.0), 2);
}

#[tokio::test]
async fn a_timed_status_survives_a_restart() {
    let zulip = fake();
    let world = World::new();
    {
        let session = world.open();
        add(&session, "alice", &zulip, ALICE).await;
        let report = session.apply(&preset("brb")).await.expect("apply");
        assert!(report.all_succeeded(), "{:?}", report.summary);
    }
    assert_eq!(zulip.status_of(ALICE.2).status_text, "Be right back");
    assert!(world.dir.path().join("state.json").exists());

    world.advance(minutes(16));
    let session = world.open();
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(15))
    );
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("due after the restart");
    assert!(report.all_succeeded(), "{:?}", report.summary);
    assert_eq!(zulip.status_of(ALICE.2).status_text, "");
    drop(session);

    assert_eq!(world.open().active().expect("state"), None);
}

#[tokio::test]
async fn restore_preset_is_applied_when_a_status_ends() {
    let zulip = fake();
    let world = World::new();
    {
        let session = world.open();
        add(&session, "alice", &zulip, ALICE).await;
    }
    world.edit_config(|c| c.settings.restore_preset = Some("available".into()));
    let session = world.open();

    let lunch_invisible = Request {
        availability: Some(Availability::AppearOffline),
        ..preset("lunch")
    };
    let report = session.apply(&lunch_invisible).await.expect("apply");
    assert!(report.all_succeeded(), "{:?}", report.summary);
    assert!(!zulip.presence_enabled(ALICE.2));

    world.advance(minutes(61));
    let report = session.expire_if_due().await.expect("expire").expect("due");
    assert!(report.all_succeeded(), "{:?}", report.summary);
    assert_eq!(report.summary.title, "Available set on 1 of 1 account");
    let active = session
        .active()
        .expect("state")
        .expect("available is active");
    assert_eq!(active.preset_id.as_deref(), Some("available"));
    assert_eq!(active.label, "Available");
    assert_eq!(active.accounts, vec!["alice".to_owned()]);
    assert_eq!(active.expires_at, None);
    assert_eq!(active.set_at, world.start + minutes(61));
    assert_eq!(zulip.status_of(ALICE.2).status_text, "");
    assert_eq!(zulip.status_of(ALICE.2).emoji_name, "");
    assert!(zulip.presence_enabled(ALICE.2), "visible again");

    world.advance(minutes(600));
    assert!(session.expire_if_due().await.expect("expire").is_none());
}

#[tokio::test]
async fn a_failing_account_stays_due_and_is_retried() {
    let zulip_a = fake();
    let zulip_b = fake();
    let world = World::new();
    let session = {
        let session = world.open();
        add(&session, "alice", &zulip_a, ALICE).await;
        add(&session, "bob", &zulip_b, BOB).await;
        session
    };
    let report = session.apply(&preset("lunch")).await.expect("apply");
    assert_eq!(report.summary.title, "Lunch set on 2 of 2 accounts");

    world.advance(minutes(61));
    let port: u16 = zulip_b
        .url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the URL");
    drop(zulip_b);

    let report = session.expire_if_due().await.expect("expire").expect("due");
    assert_eq!(report.summary.title, "Status cleared on 1 of 2 accounts");
    let bob = report
        .outcomes
        .iter()
        .find(|o| o.account.id == "bob")
        .expect("bob's outcome");
    assert!(
        // A kept-alive connection to the stopped server may break as the request goes
        // out: Presently cannot tell that from one broken after the server acted.
        matches!(
            bob.result,
            Err(ProviderError::Unreachable(_) | ProviderError::Interrupted(_))
        ),
        "{:?}",
        bob.result
    );
    assert_eq!(zulip_a.status_of(ALICE.2).status_text, "");
    let active = session.active().expect("state").expect("bob is still due");
    assert_eq!(active.accounts, vec!["bob".to_owned()]);
    assert_eq!(active.preset_id.as_deref(), Some("lunch"));
    assert_eq!(active.expires_at, Some(world.start + minutes(60)));
    assert!(active.is_due(world.start + minutes(61)));
    let alice_posts = status_posts(&zulip_a, ALICE.0);

    // Still down: tried again, still due.
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("still due");
    assert_eq!(report.outcomes.len(), 1, "only bob is retried");
    assert!(!report.all_succeeded());

    // Bob's server is back (with the status it kept).
    let zulip_b = FakeZulip::start_on_port(ZulipFakeConfig::default(), port)
        .expect("fake Zulip restarts on its port");
    zulip_b.set_status(
        BOB.2,
        UserStatus {
            status_text: "Lunch".into(),
            emoji_name: "hamburger".into(),
            emoji_code: "1f354".into(),
            reaction_type: "unicode_emoji".into(),
            away: false,
        },
    );
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("still due");
    assert_eq!(report.summary.title, "Status cleared on 1 of 1 account");
    assert_eq!(zulip_b.status_of(BOB.2).status_text, "");
    assert_eq!(zulip_b.status_of(BOB.2).emoji_name, "");
    assert_eq!(session.active().expect("state"), None);
    assert_eq!(
        status_posts(&zulip_a, ALICE.0),
        alice_posts,
        "alice was done already"
    );
}

#[tokio::test]
async fn a_duration_given_with_the_request_wins() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;

    // `presently set --text "Heads down" --for 30m`
    let one_off = Request {
        text: Some("Heads down".into()),
        duration: Some(Duration::from_secs(30 * 60)),
        ..Request::default()
    };
    session.apply(&one_off).await.expect("apply");
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(30))
    );
    assert_eq!(zulip.status_of(ALICE.2).status_text, "Heads down");

    // `presently set lunch --for 30m`: shorter than lunch's own hour.
    let short_lunch = Request {
        duration: Some(Duration::from_secs(30 * 60)),
        ..preset("lunch")
    };
    world.advance(minutes(5));
    session.apply(&short_lunch).await.expect("apply");
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(35))
    );
    world.advance(minutes(29));
    assert!(session.expire_if_due().await.expect("expire").is_none());
    // Due at the very minute it ends.
    world.advance(minutes(1));
    assert!(session.expire_if_due().await.expect("expire").is_some());
    assert_eq!(zulip.status_of(ALICE.2).status_text, "");
}

#[tokio::test]
async fn a_new_status_or_a_clear_cancels_the_pending_end() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;

    session.apply(&preset("lunch")).await.expect("apply");
    session.apply(&preset("meeting")).await.expect("apply");
    assert_eq!(session.next_due().expect("state"), None);
    world.advance(minutes(120));
    assert!(session.expire_if_due().await.expect("expire").is_none());
    assert_eq!(zulip.status_of(ALICE.2).status_text, "In a meeting");

    session.apply(&preset("brb")).await.expect("apply");
    let report = session.clear(&[], &Target::Me).await.expect("clear");
    assert!(report.all_succeeded());
    assert_eq!(session.active().expect("state"), None);
    let posts = status_posts(&zulip, ALICE.0);
    world.advance(minutes(60));
    assert!(session.expire_if_due().await.expect("expire").is_none());
    assert_eq!(status_posts(&zulip, ALICE.0), posts);
}

#[tokio::test]
async fn setting_someone_elses_status_leaves_the_own_expiry_alone() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;
    session.apply(&preset("lunch")).await.expect("apply");

    let for_bob = Request {
        text: Some("Out sick".into()),
        accounts: vec!["alice".into()],
        target: Target::User(BOB.2.to_string()),
        ..Request::default()
    };
    // A user id means a different person on each server, and Presently does not end
    // other users' statuses: both are refused before anything is sent.
    let everywhere = Request {
        accounts: vec![],
        ..for_bob.clone()
    };
    let err = session
        .apply(&everywhere)
        .await
        .expect_err("needs one account");
    assert!(err.to_string().contains("exactly one --account"), "{err}");
    let timed = Request {
        duration: Some(Duration::from_secs(10 * 60)),
        ..for_bob.clone()
    };
    let err = session
        .apply(&timed)
        .await
        .expect_err("no --for with --user");
    assert!(
        err.to_string()
            .contains("--for and --until cannot be used with --user"),
        "{err}"
    );
    assert_eq!(zulip.status_of(BOB.2).status_text, "");

    let report = session.apply(&for_bob).await.expect("apply");
    assert!(report.all_succeeded(), "{:?}", report.summary);
    assert_eq!(zulip.status_of(BOB.2).status_text, "Out sick");
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(60))
    );
}

#[tokio::test]
async fn an_ending_status_leaves_other_accounts_alone() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;
    add(&session, "bob", &zulip, BOB).await;
    // Bob set his own status in Zulip's web app.
    let commuting = UserStatus {
        status_text: "Commuting".into(),
        emoji_name: "car".into(),
        emoji_code: "1f697".into(),
        reaction_type: "unicode_emoji".into(),
        away: false,
    };
    zulip.set_status(BOB.2, commuting.clone());

    let alice_only = Request {
        accounts: vec!["alice".into()],
        ..preset("lunch")
    };
    session.apply(&alice_only).await.expect("apply");
    world.advance(minutes(61));
    let report = session.expire_if_due().await.expect("expire").expect("due");
    assert_eq!(report.summary.title, "Status cleared on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE.2).status_text, "");
    assert_eq!(zulip.status_of(BOB.2), commuting);

    // The account it was set on is removed before it ends: nothing else may be cleared.
    session.apply(&alice_only).await.expect("apply");
    session.remove_account("alice").await.expect("remove");
    world.advance(minutes(61));
    let ended = session.expire_if_due().await.expect("expire");
    assert!(
        ended.as_ref().is_none_or(|r| r.outcomes.is_empty()),
        "{:?}",
        ended.map(|r| r.summary)
    );
    assert_eq!(zulip.status_of(BOB.2), commuting);
    assert_eq!(status_posts(&zulip, BOB.0), 0);
    assert_eq!(
        session.active().expect("state"),
        None,
        "nothing is left to end"
    );
}

#[tokio::test]
async fn statuses_set_on_different_accounts_each_end_on_time() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;
    add(&session, "bob", &zulip, BOB).await;

    let focus_on_bob = Request {
        accounts: vec!["bob".into()],
        ..preset("focus")
    };
    assert!(session
        .apply(&focus_on_bob)
        .await
        .expect("focus")
        .all_succeeded());
    world.advance(minutes(10));
    let lunch_on_alice = Request {
        accounts: vec!["alice".into()],
        ..preset("lunch")
    };
    assert!(session
        .apply(&lunch_on_alice)
        .await
        .expect("lunch")
        .all_succeeded());
    // Lunch (set later) is what the tray shows, but bob's Focus deadline is kept too.
    assert_eq!(
        session.active().expect("state").map(|a| a.label),
        Some("Lunch".to_owned())
    );
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(70))
    );

    world.advance(minutes(61)); // 71 min after start: lunch is over, focus (2 h) is not
    let ended = session
        .expire_if_due()
        .await
        .expect("expiry")
        .expect("lunch ended");
    assert_eq!(ended.outcomes.len(), 1);
    assert_eq!(zulip.status_of(ALICE.2).status_text, "");
    assert_eq!(zulip.status_of(BOB.2).status_text, "Focus");
    assert_eq!(
        session.next_due().expect("state"),
        Some(world.start + minutes(120))
    );

    world.advance(minutes(50)); // 121 min: focus is over too
    session
        .expire_if_due()
        .await
        .expect("expiry")
        .expect("focus ended");
    assert_eq!(zulip.status_of(BOB.2).status_text, "");
    assert_eq!(session.next_due().expect("state"), None);
}

#[tokio::test]
async fn going_back_to_what_was_there_before() {
    let zulip = fake();
    let world = World::new();
    // The default: no setting needed.
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;

    // In a meeting (lasting), then Be right back (15 min), then Lunch (1 h) over it.
    session.apply(&preset("meeting")).await.expect("meeting");
    session.apply(&preset("brb")).await.expect("brb");
    world.advance(minutes(5));
    session.apply(&preset("lunch")).await.expect("lunch");
    world.advance(minutes(61));
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("lunch ended");
    assert_eq!(report.summary.title, "In a meeting set on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE.2).status_text, "In a meeting");
    let active = session.active().expect("state").expect("in effect");
    assert_eq!(active.preset_id.as_deref(), Some("meeting"));
    assert_eq!(
        session.next_due().expect("state"),
        None,
        "the meeting lasts"
    );

    // With nothing before, the status is cleared.
    session.clear(&[], &Target::Me).await.expect("cleared");
    session.apply(&preset("brb")).await.expect("brb");
    world.advance(minutes(16));
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("brb ended");
    assert_eq!(report.summary.title, "Status cleared on 1 of 1 account");
}

/// A status the user set by hand ("🚗 Commuting") is read when a timed preset is set over
/// it, kept in state.json, and put back when the preset ends, even after a restart. Then
/// it is the user's own again: nothing more is due. With "clear" chosen instead, the
/// status is cleared and nothing is read first.
#[tokio::test]
async fn a_timed_status_gives_back_the_one_set_by_hand() {
    let zulip = fake();
    let world = World::new();
    let session = world.open();
    add(&session, "alice", &zulip, ALICE).await;
    let commuting = UserStatus {
        status_text: "Commuting".into(),
        emoji_name: "car".into(),
        emoji_code: "1f697".into(),
        reaction_type: "unicode_emoji".into(),
        away: false,
    };
    zulip.set_status(ALICE.2, commuting.clone());

    session.apply(&preset("lunch")).await.expect("lunch");
    assert_eq!(zulip.status_of(ALICE.2).status_text, "Lunch");
    world.advance(minutes(61));
    let session = world.open();
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("lunch ended");
    assert_eq!(
        report.summary.title,
        "What was there before set on 1 of 1 account"
    );
    let status = zulip.status_of(ALICE.2);
    assert_eq!(
        (
            status.status_text.as_str(),
            status.emoji_name.as_str(),
            status.emoji_code.as_str()
        ),
        ("Commuting", "car", "1f697")
    );
    assert_eq!(session.next_due().expect("state"), None);
    assert_eq!(session.active().expect("state"), None);

    // "Clear it" chosen: no read before, cleared at the end.
    world.edit_config(|config| config.settings.restore_previous = false);
    let session = world.open();
    let reads = |zulip: &FakeZulip| {
        zulip
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/status"))
            .count()
    };
    let before = reads(&zulip);
    session.apply(&preset("lunch")).await.expect("lunch");
    assert_eq!(
        reads(&zulip),
        before,
        "nothing read when clearing is the choice"
    );
    world.advance(minutes(61));
    let report = session
        .expire_if_due()
        .await
        .expect("expire")
        .expect("lunch ended");
    assert_eq!(report.summary.title, "Status cleared on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE.2).status_text, "");
}
