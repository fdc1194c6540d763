//! Faults of the connection and of the answer, through a small fault proxy in front of each
//! fake (`presently_fakes::fault_proxy`), for each of the three services: a reset before or
//! after the server acted, an answer cut off, an answer trickling in, a redirect of every
//! code, server errors, 2xx answers that are not the service saying success, a 429 without
//! a time. Each case asserts what the user sees (a failure, in words, exit 1) and what the
//! server received. Real processes, the real keyring.
//! Run with `bash tests/with-keyring.sh cargo test -p presently-cli --test faults_cli`.

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::*;
use presently_fakes::fault_proxy::{FaultProxy, ProxyFault};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::zoom::{FakeZoom, ZoomFakeConfig};

/// One account behind a fault proxy, and where its status change goes.
struct Behind {
    cli: Cli,
    proxy: FaultProxy,
    method: &'static str,
    path: &'static str,
    /// Whether the server holds the change now (read from the fake's own state).
    changed: Box<dyn Fn() -> bool>,
}

fn zulip_behind(name: &str) -> Behind {
    let zulip = fake();
    let cli = Cli::new(name);
    cli.add_alice(&zulip);
    let proxy = FaultProxy::start(&zulip.url()).expect("proxy");
    cli.edit_config(&zulip.url(), &proxy.url());
    Behind {
        cli,
        proxy,
        method: "POST",
        path: "/users/me/status",
        changed: Box::new(move || zulip.status_of(ALICE_ID).status_text == "Lunch"),
    }
}

fn rocketchat_behind(name: &str) -> Behind {
    let rocketchat = FakeRocketChat::start(RcFakeConfig::default()).expect("fake Rocket.Chat");
    let cli = Cli::new(name);
    cli.add_rocketchat_alice(&rocketchat, "rc");
    let proxy = FaultProxy::start(&rocketchat.url()).expect("proxy");
    cli.edit_config(&rocketchat.url(), &proxy.url());
    Behind {
        cli,
        proxy,
        method: "POST",
        path: "/users.setStatus",
        changed: Box::new(move || {
            rocketchat
                .status_of("aliceid0000000001")
                .message
                .contains("Lunch")
        }),
    }
}

fn zoom_behind(name: &str) -> Behind {
    let zoom = FakeZoom::start(ZoomFakeConfig::default()).expect("fake Zoom");
    let cli = Cli::new(name);
    cli.add_zoom_alice(&zoom, "zoom");
    let api = zoom.api_base();
    // Only the API goes through the proxy; the sign-in endpoint stays direct.
    let proxy = FaultProxy::start(&zoom.url()).expect("proxy");
    cli.edit_config(
        &format!("api_base = \"{api}\""),
        &format!(
            "api_base = \"{}{}\"",
            proxy.url(),
            api.trim_start_matches(&zoom.url())
        ),
    );
    Behind {
        cli,
        proxy,
        method: "PUT",
        path: "/presence_status",
        changed: Box::new(move || zoom.presence_of("alice@example.com").status == "Away"),
    }
}

type Service = (&'static str, fn(&str) -> Behind);
const SERVICES: [Service; 3] = [
    ("zulip", zulip_behind),
    ("rocketchat", rocketchat_behind),
    ("zoom", zoom_behind),
];

/// Sets Lunch through `fault` on each service; returns, per service, the output, whether
/// the request reached the server, and whether the server holds Lunch now.
fn through(
    case: &str,
    fault: &ProxyFault,
    timeout: Option<u64>,
) -> Vec<(&'static str, Out, bool, bool)> {
    SERVICES
        .iter()
        .map(|(service, behind)| {
            // Each test its own config and keyring names: they run at once.
            let behind = behind(&format!("fault-{case}-{service}"));
            if let Some(seconds) = timeout {
                behind.cli.set_timeout(seconds);
            }
            behind.proxy.arm(behind.method, behind.path, fault.clone());
            let out = behind.cli.run(&["set", "lunch", "--no-wait"]);
            let reached = behind
                .proxy
                .forwarded()
                .iter()
                .any(|line| line.starts_with(behind.method) && line.contains(behind.path));
            (*service, out, reached, (behind.changed)())
        })
        .collect()
}

#[track_caller]
fn failed_saying(service: &str, out: &Out, words: &[&str]) {
    println!(
        "{service}: {}",
        out.stdout.lines().nth(1).unwrap_or_default()
    );
    out.code(1);
    assert!(
        out.stdout.contains("Lunch set on 0 of 1 account"),
        "{service}: not a failure\n{}",
        out.all()
    );
    for word in words {
        assert!(
            out.all().contains(word),
            "{service}: {word:?} not said\n{}",
            out.all()
        );
    }
}

#[test]
fn a_reset_before_the_server_sees_the_request_changes_nothing_and_says_so() {
    for (service, out, reached, changed) in through("reset-before", &ProxyFault::ResetBefore, None)
    {
        // Presently cannot tell this from a reset after the server acted: it says so.
        failed_saying(
            service,
            &out,
            &[
                "the connection broke before the server's answer came",
                "may or may not have changed",
            ],
        );
        assert!(!reached && !changed, "{service}");
    }
}

#[test]
fn a_reset_after_the_server_acted_is_a_failure_not_a_success() {
    for (service, out, reached, changed) in through("reset-after", &ProxyFault::ResetAfter, None) {
        failed_saying(
            service,
            &out,
            &["the connection broke", "may or may not have changed"],
        );
        assert!(reached && changed, "{service}: the server took it");
    }
}

#[test]
fn an_answer_cut_off_is_a_failure() {
    for (service, out, reached, _) in through("cut", &ProxyFault::Truncate, None) {
        failed_saying(
            service,
            &out,
            &["the connection broke before the server's answer came"],
        );
        assert!(reached, "{service}");
        out.never_says("✓");
    }
}

#[test]
fn an_answer_trickling_in_ends_at_the_timeout() {
    let trickle = ProxyFault::Trickle {
        every: Duration::from_millis(200),
    };
    for (service, out, reached, _) in through("trickle", &trickle, Some(2)) {
        failed_saying(service, &out, &["no answer within 2 s"]);
        assert!(reached, "{service}");
        assert!(
            out.elapsed < Duration::from_secs(10),
            "{service}: {:?}",
            out.elapsed
        );
    }
}

#[test]
fn a_redirect_of_any_code_is_reported_never_followed() {
    // Where the redirects point: nothing may arrive there.
    let elsewhere = TcpListener::bind("127.0.0.1:0").expect("bind");
    elsewhere.set_nonblocking(true).expect("nonblocking");
    let location = format!("http://{}/stolen", elsewhere.local_addr().expect("addr"));
    for status in [301, 302, 303, 307, 308] {
        let redirect = ProxyFault::Redirect {
            status,
            location: location.clone(),
        };
        for (service, out, reached, changed) in through("redirect", &redirect, None) {
            failed_saying(
                service,
                &out,
                &["redirects to", "does not follow redirects"],
            );
            assert!(!reached && !changed, "{service} {status}");
        }
    }
    assert!(elsewhere.accept().is_err(), "a redirect was followed");
}

#[test]
fn server_errors_and_answers_that_are_not_success_are_failures() {
    let html = |status: u16, body: &str| ProxyFault::Answer {
        status,
        content_type: "text/html".into(),
        body: body.into(),
    };
    let json = |status: u16, body: &str| ProxyFault::Answer {
        status,
        content_type: "application/json".into(),
        body: body.into(),
    };
    for fault in [
        html(502, "<html>Bad Gateway</html>"),
        html(503, "<html>Service Unavailable</html>"),
        html(504, "<html>Gateway Timeout</html>"),
        html(200, "<html>Welcome to nginx!</html>"),
        json(200, ""),
        json(200, "null"),
        json(200, "[]"),
        json(200, "{}"),
        json(429, "{}"),
    ] {
        for (service, out, _, _) in through("answer", &fault, None) {
            // Zoom's success is a 204 with no body: a 200 of anything is not it.
            failed_saying(service, &out, &[]);
            out.never_says("✓");
            println!(
                "{service} {fault:?}: {}",
                out.stdout.lines().nth(1).unwrap_or_default()
            );
        }
    }
}
