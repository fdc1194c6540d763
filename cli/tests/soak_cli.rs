//! Soak: hundreds of `presently set` runs at random moments from several processes at once,
//! across ten accounts on ten servers of the three services, with random faults injected
//! into the servers and random SIGKILLs. Then a last wave of overlapping changes; at the end
//! every account shows the newest change asked for, `state.json` agrees with every server,
//! and no Zoom user got two changes inside a minute. Prints its figures.
//!
//! `PRESENTLY_SOAK_CHANGES` (default 1000) and `PRESENTLY_SOAK_SEED` (default: the time) set
//! its size and its dice; a failure prints the seed to run it again. It runs on its own
//! (`scripts/test.sh`, a few minutes), not beside the other tests: `bash tests/with-keyring.sh
//! cargo test -p presently-cli --test soak_cli -- --ignored --nocapture`.

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::*;
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::zoom::{FakeZoom, ZoomFakeConfig};
use presently_fakes::zulip::{Fault, ZulipFakeConfig};
use serde_json::Value;

/// xorshift64*: the soak's dice, reproducible from the seed it prints.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const PRESETS: [&str; 5] = ["available", "focus", "lunch", "meeting", "brb"];
/// The last wave's presets: each shows a different text.
const LAST_WAVE: [(&str, &str); 3] = [
    ("lunch", "Lunch"),
    ("focus", "Focus"),
    ("brb", "Be right back"),
];

struct Servers {
    zulip: Vec<presently_fakes::zulip::FakeZulip>,
    rocketchat: Vec<FakeRocketChat>,
    zoom: Vec<FakeZoom>,
}

impl Servers {
    /// A random fault for the next request to one of the chat servers.
    fn inject_random(&self, dice: &mut Dice) {
        let fault = match dice.below(4) {
            0 => Fault::Late {
                seconds: dice.below(300) as f64 / 1000.0,
            },
            1 => Fault::ServerError,
            2 => Fault::Garbage,
            _ => Fault::RateLimit {
                retry_after_secs: 0.2,
            },
        };
        let servers = (self.zulip.len() + self.rocketchat.len()) as u64;
        let which = dice.below(servers) as usize;
        match self.zulip.get(which) {
            Some(zulip) => zulip.inject(fault),
            None => self.rocketchat[which - self.zulip.len()].inject(fault),
        }
    }
}

fn add_accounts(cli: &Cli, servers: &Servers) {
    for (i, zulip) in servers.zulip.iter().enumerate() {
        cli.add(zulip, &format!("zulip{i}"), ALICE_EMAIL, ALICE_KEY)
            .code(0);
    }
    for (i, rocketchat) in servers.rocketchat.iter().enumerate() {
        cli.add_rocketchat_alice(rocketchat, &format!("rc{i}"));
    }
    for (i, zoom) in servers.zoom.iter().enumerate() {
        cli.add_zoom_alice(zoom, &format!("zoom{i}"));
    }
}

fn state(cli: &Cli) -> Value {
    let text = std::fs::read_to_string(cli.dir().join("state.json")).expect("state.json");
    serde_json::from_str(&text).expect("state.json is JSON")
}

#[test]
#[ignore = "minutes long: scripts/test.sh runs it on its own"]
fn many_changes_from_many_processes_end_on_the_newest_everywhere() {
    let changes: usize = std::env::var("PRESENTLY_SOAK_CHANGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::var("PRESENTLY_SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    println!("soak: {changes} changes, PRESENTLY_SOAK_SEED={seed}");
    let mut dice = Dice(seed);
    let roomy = |limit: &mut u32| *limit = 1_000_000;
    let servers = Servers {
        zulip: (0..4)
            .map(|_| {
                let mut config = ZulipFakeConfig::default();
                roomy(&mut config.rate_limit_per_minute);
                presently_fakes::zulip::FakeZulip::start(config).expect("fake Zulip")
            })
            .collect(),
        rocketchat: (0..3)
            .map(|_| {
                let mut config = RcFakeConfig::default();
                roomy(&mut config.rate_limit_per_minute);
                FakeRocketChat::start(config).expect("fake Rocket.Chat")
            })
            .collect(),
        zoom: (0..3)
            .map(|_| FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom"))
            .collect(),
    };
    let cli = Cli::new("soak");
    add_accounts(&cli, &servers);

    // Random changes from four processes at a time; some are killed mid-way.
    let started = Instant::now();
    let (mut killed, mut faults, mut finished) = (0, 0, 0);
    let mut running: Vec<(Child, Option<Instant>)> = Vec::new();
    for _ in 0..changes {
        while running.len() >= 4 {
            running.retain_mut(|(child, kill_at)| {
                if kill_at.is_some_and(|at| Instant::now() >= at) {
                    let _ = child.kill();
                    *kill_at = None;
                    killed += 1;
                }
                match child.try_wait() {
                    Ok(Some(_)) => {
                        finished += 1;
                        false
                    }
                    _ => true,
                }
            });
            std::thread::sleep(Duration::from_millis(2));
        }
        if dice.chance(20) {
            servers.inject_random(&mut dice);
            faults += 1;
        }
        let preset = PRESETS[dice.below(PRESETS.len() as u64) as usize];
        let child = cli
            .command(&["set", preset, "--no-wait"])
            .spawn()
            .expect("presently starts");
        let kill_at = dice
            .chance(10)
            .then(|| Instant::now() + Duration::from_millis(dice.below(150)));
        running.push((child, kill_at));
    }
    for (mut child, _) in running {
        let _ = child.wait();
        finished += 1;
    }
    let random_phase = started.elapsed();

    // The last wave: three changes at once, some answers held back; each says its number.
    // A random fault the random phase left unused would fail the wave's change on its server.
    for zulip in &servers.zulip {
        zulip.clear_faults();
    }
    for rocketchat in &servers.rocketchat {
        rocketchat.clear_faults();
    }
    for zulip in &servers.zulip {
        if dice.chance(50) {
            zulip.inject_on(
                "POST",
                OWN_STATUS,
                Fault::Late {
                    seconds: dice.below(400) as f64 / 1000.0,
                },
            );
        }
    }
    let wave: Vec<_> = LAST_WAVE
        .iter()
        .map(|(preset, _)| cli.spawn(&["--json", "set", preset]))
        .collect();
    let results: Vec<Value> = wave
        .into_iter()
        .map(|run| run.finish_within(Duration::from_secs(180)).json())
        .collect();
    let numbers: Vec<u64> = results
        .iter()
        .map(|r| {
            r["change"]
                .as_u64()
                .unwrap_or_else(|| panic!("each change has its number: {r}"))
        })
        .collect();
    let newest = (0..LAST_WAVE.len())
        .max_by_key(|&i| numbers[i])
        .expect("a last wave");
    let (preset, text) = LAST_WAVE[newest];
    let seeded = format!(
        "PRESENTLY_SOAK_SEED={seed}; the last wave said {}",
        serde_json::to_string(&results).unwrap_or_default()
    );

    // Every server shows the newest change; state.json records it on every account.
    for (i, zulip) in servers.zulip.iter().enumerate() {
        assert_eq!(
            zulip.status_of(ALICE_ID).status_text,
            text,
            "zulip{i} ({seeded})"
        );
    }
    for (i, rocketchat) in servers.rocketchat.iter().enumerate() {
        let shown = rocketchat.status_of("aliceid0000000001").message;
        assert!(
            shown.contains(text),
            "rc{i} shows {shown:?}, not {text} ({seeded})"
        );
    }
    let zoom_status = if preset == "focus" {
        "Do_Not_Disturb"
    } else {
        "Away"
    };
    for (i, zoom) in servers.zoom.iter().enumerate() {
        assert_eq!(
            zoom.presence_of("alice@example.com").status,
            zoom_status,
            "zoom{i} ({seeded})"
        );
    }
    let recorded = state(&cli);
    for (id, entry) in recorded["accounts"].as_object().expect("accounts") {
        assert_eq!(entry["preset_id"], preset, "{id} in state.json ({seeded})");
        assert_eq!(recorded["applied"][id], numbers[newest], "{id} ({seeded})");
    }
    assert_eq!(recorded["accounts"].as_object().map(|a| a.len()), Some(10));
    // No Zoom user ever got two changes inside a minute (the fakes' clocks do not move).
    let mut zoom_changes = 0;
    for (i, zoom) in servers.zoom.iter().enumerate() {
        let puts: Vec<_> = zoom
            .requests()
            .into_iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with("/presence_status"))
            .collect();
        assert!(
            puts.iter().all(|r| r.status != Some(429)),
            "zoom{i}: a change inside the minute ({seeded})"
        );
        zoom_changes += puts.len();
    }
    let requests: usize = servers
        .zulip
        .iter()
        .map(|z| z.requests().len())
        .sum::<usize>()
        + servers
            .rocketchat
            .iter()
            .map(|r| r.requests().len())
            .sum::<usize>();
    println!(
        "soak figures: {changes} changes by {finished} processes in {:.1} s ({:.0} ms each on \
         4 at once), {killed} killed, {faults} faults; {requests} requests to the 7 chat \
         servers, {zoom_changes} Zoom changes; the last wave ({:?}) took {:.1} s and ended on \
         {preset} everywhere",
        random_phase.as_secs_f64(),
        random_phase.as_millis() as f64 * 4.0 / changes as f64,
        numbers,
        (started.elapsed() - random_phase).as_secs_f64(),
    );
}
