//! A property of the per-account order (`session/order.rs`), over many random interleavings:
//! several processes (sessions on one config directory, each with its own lock files) ask
//! for changes to the same account at random moments; the server holds some answers back
//! (so responses arrive in any order); some changes are abandoned mid-way (their task is
//! dropped, as a killed process drops its locks). Then two last changes overlap. Whatever
//! happened before, the server and `state.json` end on the newest change asked for, with its
//! number, and each change that lost went out before it or not at all.
//!
//! `PRESENTLY_ORDER_CASES` (default 40) and `PRESENTLY_ORDER_SEED` set the runs; a failure
//! names its seed.

use std::sync::Arc;
use std::time::Duration;

use presently_core::clock::SystemClock;
use presently_core::providers::{zulip, NewCredentials, Unattended};
use presently_core::secrets::MemoryStore;
use presently_core::session::{Request, Session};
use presently_fakes::zulip::{FakeZulip, Fault, ZulipFakeConfig};
use secrecy::SecretString;

const EMAIL: &str = "alice@example.com";
const KEY: &str = "aliceKEY0123456789abcdef01234567";
const ALICE_ID: u64 = 8;
const OWN_STATUS: &str = "/api/v1/users/me/status";
/// Presets and the text each shows on Zulip.
const PRESETS: [(&str, &str); 4] = [
    ("lunch", "Lunch"),
    ("focus", "Focus"),
    ("brb", "Be right back"),
    ("meeting", "In a meeting"),
];

struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// Alice's Zulip account "work" on `zulip`.
async fn add_work(session: &Session, zulip: &FakeZulip) {
    let credentials = zulip::NewCredentials::ApiKey {
        site: zulip.url(),
        email: EMAIL.to_owned(),
        api_key: SecretString::from(KEY.to_owned()),
    };
    session
        .add_account(
            "work",
            None,
            NewCredentials::Zulip(credentials),
            &Unattended,
        )
        .await
        .expect("account added");
}

fn preset(id: &str) -> Request {
    Request {
        preset: Some(id.to_owned()),
        ..Request::default()
    }
}

async fn one_case(seed: u64) {
    let mut dice = Dice(seed | 1);
    let zulip = FakeZulip::start(ZulipFakeConfig {
        rate_limit_per_minute: 1_000_000,
        ..ZulipFakeConfig::default()
    })
    .expect("fake Zulip");
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(MemoryStore::default());
    let open = || Session::open(dir.path(), store.clone(), Arc::new(SystemClock)).expect("session");
    let processes: Vec<Arc<Session>> = (0..3).map(|_| Arc::new(open())).collect();
    add_work(&processes[0], &zulip).await;
    for process in &processes {
        process.reload_if_changed().expect("reload");
    }

    // Phase one: changes at random moments, answers held back, some abandoned mid-way.
    let mut tasks = Vec::new();
    for _ in 0..(3 + dice.below(5)) {
        if dice.below(2) == 0 {
            let late = dice.below(60) as f64 / 1000.0;
            zulip.inject_on("POST", OWN_STATUS, Fault::Late { seconds: late });
        }
        let process = processes[dice.below(3) as usize].clone();
        let (id, _) = PRESETS[dice.below(PRESETS.len() as u64) as usize];
        let delay = Duration::from_millis(dice.below(30));
        let abandon = (dice.below(4) == 0).then(|| Duration::from_millis(dice.below(60)));
        let task = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = process.apply(&preset(id)).await;
        });
        tasks.push((task, abandon));
    }
    for (task, abandon) in tasks {
        match abandon {
            Some(after) => {
                tokio::time::sleep(after).await;
                task.abort();
                let _ = task.await;
            }
            None => task.await.expect("a change runs"),
        }
    }

    // Phase two: two changes overlap, their answers held back in a random order.
    for _ in 0..2 {
        let late = dice.below(80) as f64 / 1000.0;
        zulip.inject_on("POST", OWN_STATUS, Fault::Late { seconds: late });
    }
    let first = PRESETS[dice.below(PRESETS.len() as u64) as usize];
    let second = PRESETS[dice.below(PRESETS.len() as u64) as usize];
    let (a, b) = (processes[1].clone(), processes[2].clone());
    let gap = Duration::from_millis(dice.below(20));
    let one = tokio::spawn(async move { a.apply(&preset(first.0)).await });
    tokio::time::sleep(gap).await;
    let two = tokio::spawn(async move { b.apply(&preset(second.0)).await });
    let one = one.await.expect("runs").expect("report");
    let two = two.await.expect("runs").expect("report");
    let (n1, n2) = (one.change.expect("numbered"), two.change.expect("numbered"));
    let newest = if n1 > n2 { first } else { second };

    let shown = zulip.status_of(ALICE_ID).status_text;
    assert_eq!(shown, newest.1, "the server, seed {seed}");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("state.json")).expect("state.json"))
            .expect("JSON");
    assert_eq!(
        state["accounts"]["work"]["preset_id"], newest.0,
        "state.json, seed {seed}: {state}"
    );
    assert_eq!(state["applied"]["work"], n1.max(n2), "seed {seed}: {state}");
    // The losing change of the last two went out before the winner, or not at all.
    let posts: Vec<String> = zulip
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == OWN_STATUS)
        .filter_map(|r| {
            r.form
                .iter()
                .find(|(k, _)| k == "status_text")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(
        posts.last().map(String::as_str),
        Some(newest.1),
        "the newest went out last, seed {seed}: {posts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_changes_end_on_the_newest_whatever_the_interleaving() {
    let cases: u64 = std::env::var("PRESENTLY_ORDER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("PRESENTLY_ORDER_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        });
    println!("ordering: {cases} cases from PRESENTLY_ORDER_SEED={seed}");
    for case in 0..cases {
        one_case(seed.wrapping_add(case.wrapping_mul(0x9e37_79b9_7f4a_7c15))).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_cut_off_mid_way_is_not_claimed_as_either_status() {
    let zulip = FakeZulip::start(ZulipFakeConfig::default()).expect("fake Zulip");
    let dir = tempfile::tempdir().expect("dir");
    let store = Arc::new(MemoryStore::default());
    let open = || Session::open(dir.path(), store.clone(), Arc::new(SystemClock)).expect("session");
    let session = Arc::new(open());
    add_work(&session, &zulip).await;
    session.apply(&preset("focus")).await.expect("focus");
    assert_eq!(
        session.active().expect("state").map(|a| a.label),
        Some("Focus".into())
    );

    // Lunch reaches the server, which takes it; the process dies before the answer.
    zulip.inject_on("POST", OWN_STATUS, Fault::Late { seconds: 5.0 });
    let posts = || {
        zulip
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == OWN_STATUS)
            .count()
    };
    let before = posts();
    let killed = {
        let session = session.clone();
        tokio::spawn(async move { session.apply(&preset("lunch")).await })
    };
    while posts() == before {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    killed.abort();
    let _ = killed.await;
    drop(session);
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");

    // The next process to look does not claim Focus (the server shows Lunch) nor Lunch
    // (its answer never came): it claims nothing for that account.
    let next = open();
    assert_eq!(next.active().expect("state"), None);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("state.json")).expect("state.json"))
            .expect("JSON");
    assert!(state.get("in_flight").is_none(), "{state}");
    // And a change made now goes out and is recorded as usual.
    next.apply(&preset("brb")).await.expect("brb");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Be right back");
    assert_eq!(
        next.active().expect("state").map(|a| a.label),
        Some("Be right back".into())
    );
}
