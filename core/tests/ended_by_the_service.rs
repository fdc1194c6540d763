//! A service that ends a timed status by itself (Rocket.Chat 8.6+ with `expiresAt`) shows
//! nothing once it has: that is Presently's status ending on time, not someone changing it
//! by hand, so what was there before still comes back.

use std::sync::Arc;

use chrono::Utc;
use presently_core::clock::ManualClock;
use presently_core::secrets::MemoryStore;
use presently_core::session::{Request, Session};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig, RcStatus};

mod common;

#[tokio::test]
async fn a_status_the_service_ended_on_time_is_still_presentlys() {
    let config = RcFakeConfig {
        version: "8.6.0".to_owned(),
        ..RcFakeConfig::default()
    };
    let user = config.users[0].clone();
    let rc = FakeRocketChat::start(config).expect("fake Rocket.Chat");
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let session = Session::open(dir.path(), Arc::new(MemoryStore::default()), clock.clone())
        .expect("session");
    common::add_rocketchat(&session, "team", &rc, &user).await;
    let commuting = RcStatus {
        message: "🚗 Commuting".into(),
        status: "busy".into(),
    };
    rc.set_status(&user.user_id, commuting.clone());

    let lunch = Request {
        preset: Some("lunch".into()),
        ..Request::default()
    };
    session.apply(&lunch).await.expect("lunch");
    assert_eq!(rc.status_of(&user.user_id).message, "🍔 Lunch");
    // The server's own end comes first: its presence engine gives back the status, and
    // the text is gone.
    rc.set_status(&user.user_id, RcStatus::default());
    clock.advance(chrono::Duration::minutes(61));
    let report = session.expire_if_due().await.expect("expire").expect("due");
    assert!(report.left_alone.is_empty(), "{report:?}");
    assert_eq!(
        report.summary.title,
        "What was there before set on 1 of 1 account"
    );
    assert_eq!(rc.status_of(&user.user_id), commuting);
}
