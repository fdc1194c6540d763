//! An admin's sync of Rocket.Chat custom statuses waits out the server's rate limit (up to
//! a minute); a tray click or a hotkey on the same session meanwhile is served at once.

use std::sync::Arc;
use std::time::Duration;

use presently_core::clock::SystemClock;
use presently_core::secrets::MemoryStore;
use presently_core::session::{Request, Session};
use presently_fakes::rocketchat::{FakeRocketChat, Fault, RcFakeConfig};

mod common;

const CREATE: &str = "/api/v1/custom-user-status.create";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_is_served_while_a_sync_waits_out_a_rate_limit() {
    let config = RcFakeConfig::default();
    let user = config.users[0].clone();
    let rc = FakeRocketChat::start(config).expect("fake Rocket.Chat");
    let dir = tempfile::tempdir().expect("dir");
    let session = Arc::new(
        Session::open(
            dir.path(),
            Arc::new(MemoryStore::default()),
            Arc::new(SystemClock),
        )
        .expect("session"),
    );
    common::add_rocketchat(&session, "team", &rc, &user).await;

    // The first create is limited for 30 s: the sync waits it out, holding nothing a click needs.
    rc.inject_on(
        "POST",
        CREATE,
        Fault::RateLimit {
            retry_after_secs: 30.0,
        },
    );
    let syncing = tokio::spawn({
        let session = session.clone();
        async move { session.sync_custom_statuses("team", false).await }
    });
    // The fake's request log is the signal that the sync is now waiting.
    let limited = || {
        rc.requests()
            .iter()
            .any(|r| r.path == CREATE && r.status == Some(429))
    };
    let give_up = tokio::time::Instant::now() + Duration::from_secs(10);
    while !limited() {
        assert!(
            tokio::time::Instant::now() < give_up,
            "the sync never got its 429"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let click = Request {
        preset: Some("lunch".into()),
        ..Request::default()
    };
    let report = tokio::time::timeout(Duration::from_secs(5), session.apply(&click))
        .await
        .expect("the click is not queued behind the sync")
        .expect("a report");
    assert!(report.all_succeeded(), "{report:?}");
    assert_eq!(rc.status_of(&user.user_id).message, "🍔 Lunch");
    assert!(
        !syncing.is_finished(),
        "the sync is still waiting out its rate limit"
    );
    syncing.abort();
}
