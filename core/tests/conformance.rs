//! The provider conformance suite: every service, through the same `Session` a face uses,
//! against its faithful fake on 127.0.0.1 over real HTTP. A new service passes this before
//! anything else.
//!
//! Each service must: accept its credentials; set a preset so that reading it back shows
//! exactly what the preview promised (within what the service can show); clear it; map
//! each kind of failure (rate limit, server error, garbage, refused credentials) to its
//! error kind; never follow a redirect, so credentials reach the configured host only.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use presently_core::clock::{Clock, ManualClock};
use presently_core::error::ErrorKind;
use presently_core::providers::zoom::{ZoomAuth, ZoomSettings};
use presently_core::providers::{
    matrix, mattermost, rocketchat, slack, zoom, zulip, NewCredentials, Target, Unattended,
};
use presently_core::secrets::MemoryStore;
use presently_core::session::{Request, Session};
use presently_core::WhenPaced;
use presently_fakes::fault_proxy::{FaultProxy, ProxyFault};
use presently_fakes::mattermost::{FakeMattermost, MmFakeConfig};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig, RcStatus};
use presently_fakes::slack::{FakeSlack, SlackFakeConfig};
use presently_fakes::zoom::{FakeZoom, ZoomFakeConfig, USER_APP_CLIENT_ID, USER_APP_CLIENT_SECRET};
use presently_fakes::zulip::{FakeZulip, Fault, UserStatus, ZulipFakeConfig};
use secrecy::SecretString;

mod common;
use common::synapse::{password, OtherClient, Synapse};
use common::Browser;

const ID: &str = "acct";

/// One service under test, reached only through a session and its fake's test handles.
struct Case {
    name: &'static str,
    session: Session,
    clock: Arc<ManualClock>,
    /// Queues a fault for the fake's next API request.
    inject: Box<dyn Fn(Fault)>,
    /// Lets the service's minute pass (Zoom takes one change a minute), on both clocks.
    next_turn: Box<dyn Fn()>,
    /// Makes the stored credentials stop working, the way this service ends them.
    end_credentials: Box<dyn Fn()>,
    /// The user changes their status in the service's own app.
    change_elsewhere: Box<dyn Fn()>,
    /// The kind a change reports once the credentials stopped working.
    ended_kind: ErrorKind,
    /// A second server of the same service, and how many requests it received.
    elsewhere_url: String,
    elsewhere_requests: Box<dyn Fn() -> usize>,
}

fn world() -> (Arc<MemoryStore>, Arc<ManualClock>) {
    (
        Arc::new(MemoryStore::default()),
        Arc::new(ManualClock::new(Utc::now())),
    )
}

fn preset(id: &str) -> Request {
    Request {
        preset: Some(id.to_owned()),
        ..Request::default()
    }
}

async fn zulip_case(dir: &tempfile::TempDir) -> Case {
    let (store, clock) = world();
    let fake = Arc::new(FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip"));
    let elsewhere = Arc::new(FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip"));
    let user = ZulipFakeConfig::default().users[0].clone();
    let session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let credentials = zulip::NewCredentials::ApiKey {
        site: fake.url(),
        email: user.email.clone(),
        api_key: SecretString::from(user.api_key.clone()),
    };
    session
        .add_account(ID, None, NewCredentials::Zulip(credentials), &Unattended)
        .await
        .expect("added");
    let (inject_to, regenerate, seen) = (fake.clone(), fake.clone(), elsewhere.clone());
    let by_hand = fake.clone();
    Case {
        name: "Zulip",
        change_elsewhere: Box::new(move || {
            by_hand.set_status(
                user.user_id,
                UserStatus {
                    status_text: "Commuting".into(),
                    emoji_name: "car".into(),
                    emoji_code: "1f697".into(),
                    reaction_type: "unicode_emoji".into(),
                    away: false,
                },
            );
        }),
        session,
        clock,
        inject: Box::new(move |fault| inject_to.inject(fault)),
        next_turn: Box::new(|| {}),
        end_credentials: Box::new(move || {
            regenerate.regenerate_api_key(user.user_id, &"n".repeat(32));
        }),
        ended_kind: ErrorKind::Auth,
        elsewhere_url: elsewhere.url(),
        elsewhere_requests: Box::new(move || seen.requests().len()),
    }
}

async fn rocketchat_case(dir: &tempfile::TempDir) -> Case {
    let (store, clock) = world();
    // The suite reads the status back after every step, more often in a minute than the
    // server's default 10 calls per route allow; its 429 is checked by fault injection.
    let config = RcFakeConfig {
        rate_limit_per_minute: 0,
        ..RcFakeConfig::default()
    };
    let user = config.users[0].clone();
    let fake = Arc::new(FakeRocketChat::start(config).expect("fake Rocket.Chat"));
    let elsewhere =
        Arc::new(FakeRocketChat::start(RcFakeConfig::default()).expect("fake Rocket.Chat"));
    let session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let credentials = rocketchat::NewCredentials::Password {
        server: fake.url(),
        user: user.username.clone(),
        password: SecretString::from(user.password.clone()),
        code: None,
    };
    session
        .add_account(
            ID,
            None,
            NewCredentials::RocketChat(credentials),
            &Unattended,
        )
        .await
        .expect("added");
    let (inject_to, revoke, seen) = (fake.clone(), fake.clone(), elsewhere.clone());
    let user_id = user.user_id.clone();
    let (by_hand, own_id) = (fake.clone(), user.user_id.clone());
    Case {
        name: "Rocket.Chat",
        change_elsewhere: Box::new(move || {
            by_hand.set_status(
                &own_id,
                RcStatus {
                    message: "🚗 Commuting".into(),
                    status: "online".into(),
                },
            );
        }),
        session,
        clock,
        inject: Box::new(move |fault| inject_to.inject(fault)),
        next_turn: Box::new(|| {}),
        end_credentials: Box::new(move || revoke.revoke_tokens(&user_id)),
        ended_kind: ErrorKind::Auth,
        elsewhere_url: elsewhere.url(),
        elsewhere_requests: Box::new(move || seen.requests().len()),
    }
}

async fn zoom_case(dir: &tempfile::TempDir) -> Case {
    let (store, clock) = world();
    let fake = Arc::new(FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom"));
    let elsewhere = Arc::new(FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom"));
    // A paced service refuses, naming when, instead of queueing, so each failure is seen.
    let session = Session::open(dir.path(), store.clone(), clock.clone())
        .expect("session")
        .with_when_paced(WhenPaced::Refuse);
    let mut settings = ZoomSettings::new(ZoomAuth::User, USER_APP_CLIENT_ID);
    settings.api_base = fake.api_base();
    settings.auth_base = fake.auth_base();
    settings.redirect_port = 0;
    let credentials = zoom::NewCredentials {
        settings,
        client_secret: SecretString::from(USER_APP_CLIENT_SECRET.to_owned()),
    };
    session
        .add_account(
            ID,
            None,
            NewCredentials::Zoom(credentials),
            &Browser { fake: &fake },
        )
        .await
        .expect("signed in");
    let (inject_to, turn, end, seen) =
        (fake.clone(), fake.clone(), fake.clone(), elsewhere.clone());
    let turn_clock = clock.clone();
    let (by_hand, own_id) = (fake.clone(), ZoomFakeConfig::default().users[0].id.clone());
    Case {
        name: "Zoom",
        change_elsewhere: Box::new(move || by_hand.set_presence(&own_id, "Do_Not_Disturb")),
        session,
        clock,
        inject: Box::new(move |fault| inject_to.inject(fault)),
        next_turn: Box::new(move || {
            turn_clock.advance(chrono::Duration::seconds(61));
            turn.advance_clock(Duration::from_secs(61));
        }),
        end_credentials: Box::new(move || {
            end.expire_tokens();
            end.revoke_refresh_tokens();
        }),
        ended_kind: ErrorKind::SignInNeeded,
        elsewhere_url: elsewhere.api_base(),
        elsewhere_requests: Box::new(move || seen.requests().len()),
    }
}

async fn mattermost_case(dir: &tempfile::TempDir) -> Case {
    let (store, clock) = world();
    let config = MmFakeConfig::default();
    let user = config.users[0].clone();
    let fake = Arc::new(FakeMattermost::start(config).expect("fake Mattermost"));
    let elsewhere =
        Arc::new(FakeMattermost::start(MmFakeConfig::default()).expect("fake Mattermost"));
    let session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let credentials = mattermost::NewCredentials::Password {
        server: fake.url(),
        login_id: user.username.clone(),
        password: SecretString::from(user.password.clone()),
        code: None,
    };
    session
        .add_account(
            ID,
            None,
            NewCredentials::Mattermost(credentials),
            &Unattended,
        )
        .await
        .expect("added");
    let (inject_to, revoke, seen, by_hand) =
        (fake.clone(), fake.clone(), elsewhere.clone(), fake.clone());
    let (user_id, own_id) = (user.id.clone(), user.id.clone());
    Case {
        name: "Mattermost",
        change_elsewhere: Box::new(move || by_hand.set_by_hand(&own_id, "dnd", "car", "Commuting")),
        session,
        clock,
        inject: Box::new(move |fault| inject_to.inject(fault)),
        next_turn: Box::new(|| {}),
        end_credentials: Box::new(move || revoke.revoke_tokens(&user_id)),
        ended_kind: ErrorKind::Auth,
        elsewhere_url: elsewhere.url(),
        elsewhere_requests: Box::new(move || seen.requests().len()),
    }
}

/// Slack with a pasted user token (the browser sign-in and token rotation: core/tests/slack.rs).
async fn slack_case(dir: &tempfile::TempDir) -> Case {
    let (store, clock) = world();
    // Ten status changes a minute per person: this suite makes more; slack.rs tests the limit.
    let config = SlackFakeConfig {
        rate_limits: false,
        ..SlackFakeConfig::default()
    };
    let (user_id, token, _) = config.tokens[0].clone();
    let fake = Arc::new(FakeSlack::start(config).expect("fake Slack"));
    let elsewhere = Arc::new(FakeSlack::start(SlackFakeConfig::default()).expect("fake Slack"));
    let session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let credentials = slack::NewCredentials::Token {
        base: fake.url(),
        token: SecretString::from(token),
    };
    session
        .add_account(ID, None, NewCredentials::Slack(credentials), &Unattended)
        .await
        .expect("added");
    let (inject_to, revoke, seen, by_hand) =
        (fake.clone(), fake.clone(), elsewhere.clone(), fake.clone());
    let own_id = user_id.clone();
    Case {
        name: "Slack",
        change_elsewhere: Box::new(move || by_hand.set_by_hand(&own_id, "Commuting", ":car:", 0)),
        session,
        clock,
        inject: Box::new(move |fault| inject_to.inject(fault)),
        next_turn: Box::new(|| {}),
        end_credentials: Box::new(move || revoke.revoke_tokens(&user_id)),
        ended_kind: ErrorKind::Auth,
        elsewhere_url: elsewhere.url(),
        elsewhere_requests: Box::new(move || seen.requests().len()),
    }
}

/// Matrix against a real Synapse, behind a fault proxy (a real server makes no faults on
/// request): the faults become the answers a misbehaving homeserver or proxy would give.
async fn matrix_case(dir: &tempfile::TempDir, synapse: Synapse) -> Case {
    let (store, clock) = world();
    let synapse = Arc::new(synapse);
    let proxy = Arc::new(FaultProxy::start(&synapse.url).expect("fault proxy"));
    let elsewhere = Arc::new(FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip"));
    let session = Session::open(dir.path(), store.clone(), clock.clone()).expect("session");
    let credentials = matrix::NewCredentials::Password {
        homeserver: Some(proxy.url()),
        user: synapse.user_id("alice"),
        password: SecretString::from(password("alice")),
    };
    session
        .add_account(ID, None, NewCredentials::Matrix(credentials), &Unattended)
        .await
        .expect("added");
    let other_app = synapse.login("alice");
    let (by_hand, end, seen) = (synapse.clone(), synapse.clone(), elsewhere.clone());
    let arm = proxy.clone();
    Case {
        name: "Matrix",
        change_elsewhere: Box::new(move || {
            by_hand.set_presence(&other_app, "alice", "online", "🚗 Commuting");
        }),
        session,
        clock,
        inject: Box::new(move |fault| {
            let json = |status: u16, body: String| ProxyFault::Answer {
                status,
                content_type: "application/json".into(),
                body,
            };
            let answer = match fault {
                Fault::RateLimit { retry_after_secs } => json(
                    429,
                    format!(
                        r#"{{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":{}}}"#,
                        (retry_after_secs * 1000.0) as u64
                    ),
                ),
                Fault::ServerError => ProxyFault::Answer {
                    status: 500,
                    content_type: "text/html".into(),
                    body: "<html><body>Internal Server Error</body></html>".into(),
                },
                Fault::Garbage => ProxyFault::Answer {
                    status: 200,
                    content_type: "text/html".into(),
                    body: "<html>not json".into(),
                },
                Fault::Ok200 { body } => json(200, body),
                Fault::Redirect { location } => ProxyFault::Redirect {
                    status: 302,
                    location,
                },
                other => panic!("no Matrix answer for {other:?}"),
            };
            arm.arm("PUT", "/status", answer);
        }),
        next_turn: Box::new(|| {}),
        end_credentials: Box::new(move || end.log_out_everywhere("alice")),
        ended_kind: ErrorKind::Auth,
        elsewhere_url: elsewhere.url(),
        elsewhere_requests: Box::new(move || seen.requests().len()),
    }
}

/// An availability without how long it lasts: "Do not disturb for 120 min" (a preview) and
/// "Do not disturb until 14:30" (read back) both say "Do not disturb".
fn word(availability: &str) -> &str {
    [" for ", " until "]
        .iter()
        .filter_map(|cut| availability.find(cut))
        .min()
        .map_or(availability, |at| &availability[..at])
}

/// The one error a one-account change reported, as every face shows it.
fn error_of(case: &Case, report: &presently_core::session::Report) -> ErrorKind {
    assert_eq!(report.outcomes.len(), 1, "{}: {report:?}", case.name);
    let outcome = &report.outcomes[0];
    let error = outcome
        .result
        .as_ref()
        .expect_err(&format!("{}: a failure", case.name));
    let shown = error.report(Some(&outcome.account));
    assert_eq!(shown.account.as_deref(), Some(ID));
    assert!(
        shown
            .message
            .starts_with(&format!("{} ({ID}): ", case.name)),
        "{}",
        shown.message
    );
    shown.kind
}

async fn conforms(case: Case) {
    let name = case.name;
    let session = &case.session;
    let me = [ID.to_owned()];

    // Credentials work.
    session.test_account(ID).await.expect("the account works");

    // What is set reads back as the preview said, within what the service can show.
    for id in ["lunch", "focus"] {
        (case.next_turn)();
        let previews = session.previews(id).await.expect("preview");
        let preview = previews[0].1.as_ref().expect("a preview").clone();
        assert_eq!(preview.problem, None, "{name}: {id}");
        let report = session.apply(&preset(id)).await.expect("applied");
        assert!(report.all_succeeded(), "{name}: {id}: {report:?}");
        assert!(
            report.outcomes[0].pending_until.is_none(),
            "{name}: sent now"
        );
        let shown = session.read_statuses(&me, &Target::Me).await.expect("read");
        let shown = shown[0].1.as_ref().expect("read back");
        assert_eq!(shown.text, preview.text, "{name}: {id}: text");
        assert_eq!(shown.emoji, preview.emoji, "{name}: {id}: emoji");
        if let Some(availability) = &shown.availability {
            assert_eq!(
                word(availability),
                word(&preview.availability),
                "{name}: {id}: availability"
            );
        }
    }

    // Cleared reads back empty, and available where the service shows availability.
    (case.next_turn)();
    let report = session.clear(&[], &Target::Me).await.expect("cleared");
    assert!(report.all_succeeded(), "{name}: {report:?}");
    let shown = session.read_statuses(&me, &Target::Me).await.expect("read");
    let shown = shown[0].1.as_ref().expect("read back");
    assert_eq!((shown.text.as_str(), &shown.emoji), ("", &None), "{name}");
    let available = session.previews("available").await.expect("preview");
    let available = &available[0].1.as_ref().expect("a preview").availability;
    if let Some(availability) = &shown.availability {
        assert_eq!(word(availability), word(available), "{name}");
    }

    // A timed status ends only where the account still shows it: changed in the service's
    // own app meanwhile, it is left as it is, and said.
    for changed in [false, true] {
        (case.next_turn)();
        // Half a minute, not Lunch's hour: the rate-limit checks below use real time.
        let lunch = Request {
            duration: Some(Duration::from_secs(30)),
            ..preset("lunch")
        };
        let report = session.apply(&lunch).await.expect("applied");
        assert!(report.all_succeeded(), "{name}: {report:?}");
        if changed {
            (case.change_elsewhere)();
        }
        case.clock.advance(chrono::Duration::seconds(31));
        (case.next_turn)();
        let report = session.expire_if_due().await.expect("expire").expect("due");
        let left: Vec<&str> = report.left_alone.iter().map(|l| l.id.as_str()).collect();
        let expected: &[&str] = if changed { &[ID] } else { &[] };
        assert_eq!(
            left, expected,
            "{name}: changed elsewhere: {changed}: {report:?}"
        );
        assert!(report.all_succeeded(), "{name}: {report:?}");
        let shown = session.read_statuses(&me, &Target::Me).await.expect("read");
        let shown = shown[0].1.as_ref().expect("read back");
        if name == "Zoom" {
            // Presence only: the hand-set do-not-disturb stays, Presently's Away ends.
            let now = shown.availability.as_deref().map(word);
            let wanted = if changed {
                "Do not disturb"
            } else {
                "Available"
            };
            assert_eq!(now, Some(wanted), "{name}: {shown:?}");
        } else {
            assert_eq!(shown.text.is_empty(), !changed, "{name}: {shown:?}");
            if let (false, Some(now)) = (changed, &shown.availability) {
                // What showed before comes back, availability too (Mattermost's away has
                // no end of its own).
                assert_eq!(word(now), word(available), "{name}: {shown:?}");
            }
        }
    }

    // Each kind of failure has its kind.
    let faults = [
        (
            Fault::RateLimit {
                retry_after_secs: 120.0,
            },
            ErrorKind::RateLimited,
        ),
        (Fault::ServerError, ErrorKind::Server),
        (Fault::Garbage, ErrorKind::Server),
        // A success status is not the service saying success.
        (
            Fault::Ok200 {
                body: String::new(),
            },
            ErrorKind::Server,
        ),
        (
            Fault::Ok200 {
                body: "null".into(),
            },
            ErrorKind::Server,
        ),
        (Fault::Ok200 { body: "[]".into() }, ErrorKind::Server),
        (
            Fault::Ok200 {
                body: r#"{"success":false}"#.into(),
            },
            ErrorKind::Server,
        ),
        (
            Fault::Ok200 {
                body: r#"{"result":"error","msg":""}"#.into(),
            },
            ErrorKind::Server,
        ),
    ];
    for (fault, kind) in faults {
        (case.next_turn)();
        (case.inject)(fault.clone());
        let report = session.apply(&preset("meeting")).await.expect("a report");
        assert_eq!(error_of(&case, &report), kind, "{name}: {fault:?}");
        if let Fault::Ok200 { .. } = fault {
            let error = report.outcomes[0].result.as_ref().expect_err("a failure");
            assert!(
                error.to_string().contains("unexpected answer")
                    || error.to_string().contains("instead of 204")
                    || error.to_string().contains("not Zulip's JSON")
                    || error.to_string().contains("not Rocket.Chat's JSON")
                    || error.to_string().contains("result"),
                "{name}: {fault:?}: {error}"
            );
        }
        if kind == ErrorKind::RateLimited {
            let retry_at = report.outcomes[0]
                .result
                .as_ref()
                .err()
                .and_then(|e| e.report(None).retry_at)
                .expect("when to try again");
            assert!(retry_at > case.clock.now(), "{name}: {retry_at}");
        }
    }

    // A redirect is reported, never followed: the other host sees nothing at all.
    (case.next_turn)();
    (case.inject)(Fault::Redirect {
        location: format!("{}/somewhere", case.elsewhere_url),
    });
    let report = session.apply(&preset("meeting")).await.expect("a report");
    error_of(&case, &report);
    assert_eq!(
        (case.elsewhere_requests)(),
        0,
        "{name}: followed a redirect"
    );

    // Credentials the service no longer takes.
    (case.next_turn)();
    (case.end_credentials)();
    let report = session.apply(&preset("meeting")).await.expect("a report");
    let kind = match report.outcomes.first() {
        Some(_) => error_of(&case, &report),
        // A sign-in already known to be over is left out, not tried again.
        None if !report.needs_sign_in.is_empty() => ErrorKind::SignInNeeded,
        None => panic!("{name}: nothing happened: {report:?}"),
    };
    assert_eq!(kind, case.ended_kind, "{name}");
    let tested = session.test_account(ID).await.expect_err("refused");
    assert_eq!(tested.report().kind, case.ended_kind, "{name}: {tested}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    conforms(slack_case(&dir).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zulip_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    conforms(zulip_case(&dir).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rocketchat_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    conforms(rocketchat_case(&dir).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    conforms(zoom_case(&dir).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mattermost_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    conforms(mattermost_case(&dir).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_conforms() {
    let Some(synapse) = common::synapse::start(&[]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    conforms(matrix_case(&dir, synapse).await).await;
}
