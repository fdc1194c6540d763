//! Presets edited through the session, as the settings window does: a draft previews
//! exactly per account, an invalid one is refused naming its field and leaves the config
//! as it was, a valid one is saved into the user's own file (comments kept), and presets
//! are reordered and deleted.

use std::sync::Arc;

use presently_core::clock::SystemClock;
use presently_core::error::Error;
use presently_core::providers::{rocketchat, zulip, NewCredentials, Unattended};
use presently_core::secrets::MemoryStore;
use presently_core::session::Session;
use presently_core::until::Until;
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::zulip::{FakeZulip, ZulipFakeConfig};
use secrecy::SecretString;

async fn session_with_zulip_and_rocketchat(
    dir: &tempfile::TempDir,
    zulip: &FakeZulip,
    rc: &FakeRocketChat,
) -> Session {
    let session = Session::open(
        dir.path(),
        Arc::new(MemoryStore::default()),
        Arc::new(SystemClock),
    )
    .expect("session");
    let alice = ZulipFakeConfig::default().users[0].clone();
    let key = zulip::NewCredentials::ApiKey {
        site: zulip.url(),
        email: alice.email,
        api_key: SecretString::from(alice.api_key),
    };
    session
        .add_account("work", None, NewCredentials::Zulip(key), &Unattended)
        .await
        .expect("Zulip added");
    let password = rocketchat::NewCredentials::Password {
        server: rc.url(),
        user: "alice".into(),
        password: SecretString::from("alice-password".to_owned()),
        code: None,
    };
    session
        .add_account(
            "team",
            None,
            NewCredentials::RocketChat(password),
            &Unattended,
        )
        .await
        .expect("Rocket.Chat added");
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_preview_per_account_and_only_valid_presets_are_saved() {
    let zulip = FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip");
    let rc = FakeRocketChat::start(RcFakeConfig::default()).expect("fake Rocket.Chat");
    let dir = tempfile::tempdir().expect("dir");
    let session = session_with_zulip_and_rocketchat(&dir, &zulip, &rc).await;
    let path = session.config_path().to_owned();
    let by_hand = std::fs::read_to_string(&path).expect("config").replacen(
        "[[presets]]",
        "# my own note\n[[presets]]",
        1,
    );
    std::fs::write(&path, &by_hand).expect("a comment by hand");
    session.reload_if_changed().expect("reloaded");

    let mut draft = session.config().preset("lunch").expect("lunch").clone();
    // 61 code points: one too many for Zulip; Rocket.Chat counts "🍔 " + 61 = 64 UTF-16 units.
    draft.text = "x".repeat(61);
    let previews = session.preview_draft(&draft).await.expect("previews");
    let problem = |id: &str| {
        previews
            .iter()
            .find(|(label, _)| label.id == id)
            .and_then(|(_, p)| p.as_ref().ok())
            .map(|p| p.problem.clone())
            .expect("a preview")
    };
    assert!(
        problem("work").is_some_and(|p| p.contains("Zulip allows 60")),
        "{previews:?}"
    );
    assert_eq!(problem("team"), None);
    let refused = session
        .save_preset(Some("lunch"), draft.clone())
        .await
        .expect_err("refused");
    assert!(
        matches!(&refused, Error::InvalidField { field: "text", .. }),
        "{refused:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("config"),
        by_hand,
        "nothing invalid reaches the config"
    );

    // A valid one is saved in place; the hand-written comment stays.
    draft.text = "Out for food".into();
    draft.name = "Food".into();
    draft.duration = None;
    draft.until = Some(Until::EndOfDay);
    session
        .save_preset(Some("lunch"), draft)
        .await
        .expect("saved");
    let saved = std::fs::read_to_string(&path).expect("config");
    assert!(saved.contains("# my own note\n[[presets]]"), "{saved}");
    assert!(saved.contains("until = \"today\""), "{saved}");
    let names: Vec<String> = session
        .config()
        .presets
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names[1], "Food", "kept its place: {names:?}");

    // Two presets cannot share a hotkey.
    let mut focus = session.config().preset("focus").expect("focus").clone();
    focus.hotkey = Some("Ctrl+Alt+1".into());
    session
        .save_preset(Some("focus"), focus)
        .await
        .expect("saved");
    let mut brb = session.config().preset("brb").expect("brb").clone();
    brb.hotkey = Some("ctrl+alt+1".into());
    let clash = session
        .save_preset(Some("brb"), brb)
        .await
        .expect_err("taken");
    assert!(
        matches!(
            &clash,
            Error::InvalidField {
                field: "hotkey",
                ..
            }
        ),
        "{clash:?}"
    );

    // Reorder and delete.
    let mut ids: Vec<String> = session
        .config()
        .presets
        .iter()
        .map(|p| p.id.clone())
        .collect();
    ids.reverse();
    session.reorder_presets(&ids).expect("reordered");
    let now: Vec<String> = session
        .config()
        .presets
        .iter()
        .map(|p| p.id.clone())
        .collect();
    assert_eq!(now, ids);
    assert!(
        session.reorder_presets(&ids[1..]).is_err(),
        "every preset once"
    );
    session.delete_preset("brb").expect("deleted");
    assert!(session.config().preset("brb").is_none());
    assert!(std::fs::read_to_string(&path)
        .expect("config")
        .contains("# my own note"));
}
