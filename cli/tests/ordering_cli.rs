//! Changes to one account from several `presently` processes at once end on the newest one
//! asked for, on the server and in `state.json`; an expiry never ends a status it did not
//! set. Real processes, a fake Zulip on 127.0.0.1 that answers late on demand, the real
//! keyring. Run with `bash tests/with-keyring.sh cargo test -p presently-cli`.

mod common;

use chrono::Utc;
use common::*;
use presently_fakes::zulip::{FakeZulip, Fault};
use serde_json::Value;

fn state(cli: &Cli) -> Value {
    let text = std::fs::read_to_string(cli.dir().join("state.json")).expect("state.json");
    serde_json::from_str(&text).expect("state.json is JSON")
}

/// Waits until the fake has received (not necessarily answered) `count` requests to
/// `method` `path`: the fake's own record is the only signal it gives.
fn wait_for_requests(zulip: &FakeZulip, method: &str, path: &str, count: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while requests_to(zulip, method, path).len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "{method} {path} never reached the fake"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn overlapping_sets_end_on_the_newest_on_the_server_and_in_the_state() {
    let zulip = fake();
    let cli = Cli::new("order-overlap");
    cli.add_alice(&zulip);
    // Lunch (one hour) is asked for first; its answer comes back two seconds late. Focus
    // (two hours) is asked for while Lunch is still on its way.
    zulip.inject_on("POST", OWN_STATUS, Fault::Late { seconds: 2.0 });
    let lunch = cli.spawn(&["set", "lunch"]);
    wait_for_requests(&zulip, "POST", OWN_STATUS, 1);
    let focus = cli.run(&["set", "focus"]);
    focus.code(0);
    lunch.finish().code(0);

    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Focus");
    let recorded = &state(&cli)["accounts"]["alice"];
    assert_eq!(recorded["label"], "Focus", "{recorded}");
    let ends: chrono::DateTime<Utc> = recorded["expires_at"]
        .as_str()
        .expect("Focus ends")
        .parse()
        .expect("RFC 3339");
    assert!(ends > Utc::now() + chrono::Duration::minutes(90), "{ends}");
    // Each went out once, Lunch first: Focus waited for Lunch's answer.
    let posts = requests_to(&zulip, "POST", OWN_STATUS);
    let texts: Vec<_> = posts.iter().map(|p| field(p, "status_text")).collect();
    assert_eq!(texts, [Some("Lunch"), Some("Focus")]);
}

#[test]
fn an_expiry_never_ends_a_status_set_while_it_was_deciding() {
    let zulip = fake();
    let cli = Cli::new("order-expiry");
    cli.add_alice(&zulip);
    cli.run(&["set", "lunch"]).code(0);
    // Lunch has run out.
    let mut recorded = state(&cli);
    recorded["accounts"]["alice"]["expires_at"] =
        Value::from((Utc::now() - chrono::Duration::seconds(5)).to_rfc3339());
    std::fs::write(
        cli.dir().join("state.json"),
        serde_json::to_vec_pretty(&recorded).expect("JSON"),
    )
    .expect("write state.json");
    // The expiry reads the account first (it still shows Lunch), and that answer is slow;
    // meanwhile Focus is set from another terminal.
    let read = format!("/api/v1/users/{ALICE_ID}/status");
    zulip.inject_on("GET", &read, Fault::Late { seconds: 2.0 });
    let reads = requests_to(&zulip, "GET", &read).len();
    let expiry = cli.spawn(&["status"]);
    wait_for_requests(&zulip, "GET", &read, reads + 1);
    cli.run(&["set", "focus"]).code(0);
    expiry.finish();

    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Focus");
    assert_eq!(state(&cli)["accounts"]["alice"]["label"], "Focus");
    let texts: Vec<_> = requests_to(&zulip, "POST", OWN_STATUS)
        .iter()
        .map(|p| field(p, "status_text").map(str::to_owned))
        .collect();
    assert_eq!(
        texts,
        [Some("Lunch".to_owned()), Some("Focus".to_owned())],
        "nothing cleared Focus"
    );
}
