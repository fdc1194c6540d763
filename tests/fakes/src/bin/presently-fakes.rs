//! `presently-fakes`: runs a fake Zulip, a fake Rocket.Chat, a fake Zoom, a fake
//! Mattermost (default configs) and a fake Slack (one demo user, alice, with one pasted
//! user token; the default apps) for Python GUI tests and demo mode.
//!
//! Prints one JSON line to stdout, `{"zulip": "http://127.0.0.1:PORT", "zulip_users": [..],
//! "rocketchat": "http://127.0.0.1:PORT", "rocketchat_users": [..], "zoom":
//! "http://127.0.0.1:PORT", "zoom_api_base": "<zoom>/v2", "zoom_auth_base": "<zoom>",
//! "zoom_users": [..], "zoom_apps": [client ids, secrets, redirect URLs, account id],
//! "mattermost": "http://127.0.0.1:PORT", "mattermost_users": [..], "mattermost_tokens": [..],
//! "slack": "http://127.0.0.1:PORT", "slack_team": {..}, "slack_users": [..], "slack_tokens":
//! [[user, token, scopes]], "slack_apps": [..], "slack_browser_user": ".."}`, then serves until
//! stdin closes, SIGTERM or SIGINT.
//!
//! Flags: `--zulip-port N`, `--rocketchat-port N`, `--zoom-port N`, `--slack-port N` (default
//! 0: a free port),
//! `--rocketchat-rate-limit N` (calls per route and IP per minute; default 10 like the server,
//! 0 turns the limiter off), `--zoom-redirect-url URL` (repeatable: registers a redirect URL
//! on the user-managed Zoom app; more can be added at run time with
//! `POST /__fake/redirect_url`), `--latency-ms N` (every API answer held back N ms: a
//! server that far away, for benchmarks), `--ignore-stdin` (keep running when stdin closes, e.g. when
//! started detached).

use std::io::{Read, Write};
use std::process::ExitCode;

use presently_fakes::mattermost::{FakeMattermost, MmFakeConfig};
use presently_fakes::rocketchat::{FakeRocketChat, RcFakeConfig};
use presently_fakes::slack::{FakeSlack, SlackFakeConfig};
use presently_fakes::zoom::{FakeZoom, ZoomFakeConfig};
use presently_fakes::zulip::{FakeZulip, ZulipFakeConfig};

const USAGE: &str = "usage: presently-fakes [--zulip-port N] [--rocketchat-port N] \
                     [--zoom-port N] [--slack-port N] [--rocketchat-rate-limit N] \
                     [--zoom-redirect-url URL]... [--ignore-stdin] [--latency-ms N]";

struct Args {
    zulip_port: u16,
    rocketchat_port: u16,
    rocketchat_rate_limit: u32,
    zoom_port: u16,
    zoom_redirect_urls: Vec<String>,
    slack_port: u16,
    ignore_stdin: bool,
}

/// The default Slack workspace with one demo person (alice) and her one pasted user token.
fn slack_demo_config() -> SlackFakeConfig {
    let mut config = SlackFakeConfig::default();
    config.users.truncate(1);
    config.tokens.truncate(1);
    config
}

fn value<T: std::str::FromStr>(
    it: &mut impl Iterator<Item = String>,
    flag: &str,
) -> Result<T, String> {
    let value = it.next().ok_or(format!("{flag} needs a value"))?;
    value.parse().map_err(|_| format!("bad {flag}: {value}"))
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        zulip_port: 0,
        rocketchat_port: 0,
        rocketchat_rate_limit: RcFakeConfig::default().rate_limit_per_minute,
        zoom_port: 0,
        zoom_redirect_urls: Vec::new(),
        slack_port: 0,
        ignore_stdin: false,
    };
    let mut latency_ms: u64 = 0;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--zulip-port" => args.zulip_port = value(&mut it, "--zulip-port")?,
            "--rocketchat-port" => args.rocketchat_port = value(&mut it, "--rocketchat-port")?,
            "--zoom-port" => args.zoom_port = value(&mut it, "--zoom-port")?,
            "--slack-port" => args.slack_port = value(&mut it, "--slack-port")?,
            "--zoom-redirect-url" => {
                let url: String = value(&mut it, "--zoom-redirect-url")?;
                args.zoom_redirect_urls.push(url);
            }
            "--rocketchat-rate-limit" => {
                args.rocketchat_rate_limit = value(&mut it, "--rocketchat-rate-limit")?;
            }
            "--ignore-stdin" => args.ignore_stdin = true,
            "--latency-ms" => latency_ms = value(&mut it, "--latency-ms")?,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    presently_fakes::set_latency(std::time::Duration::from_millis(latency_ms));
    Ok(args)
}

/// Resolves when stdin reaches EOF (or errors); never if `ignore` is set.
async fn stdin_closed(ignore: bool) {
    if ignore {
        return std::future::pending().await;
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 4096];
        let mut stdin = std::io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let _ = rx.await;
}

#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let zulip = match FakeZulip::start_on_port(ZulipFakeConfig::default(), args.zulip_port) {
        Ok(zulip) => zulip,
        Err(err) => {
            eprintln!("presently-fakes: cannot start the fake Zulip: {err}");
            return ExitCode::FAILURE;
        }
    };
    let rocketchat_config = RcFakeConfig {
        rate_limit_per_minute: args.rocketchat_rate_limit,
        ..RcFakeConfig::default()
    };
    let rocketchat = match FakeRocketChat::start_on_port(rocketchat_config, args.rocketchat_port) {
        Ok(rocketchat) => rocketchat,
        Err(err) => {
            eprintln!("presently-fakes: cannot start the fake Rocket.Chat: {err}");
            return ExitCode::FAILURE;
        }
    };
    let zoom_config = args
        .zoom_redirect_urls
        .iter()
        .fold(ZoomFakeConfig::default(), |config, url| {
            config.with_redirect_url(url)
        });
    let zoom = match FakeZoom::start_on_port(zoom_config, args.zoom_port) {
        Ok(zoom) => zoom,
        Err(err) => {
            eprintln!("presently-fakes: cannot start the fake Zoom: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mattermost = match FakeMattermost::start(MmFakeConfig::default()) {
        Ok(mattermost) => mattermost,
        Err(err) => {
            eprintln!("presently-fakes: cannot start the fake Mattermost: {err}");
            return ExitCode::FAILURE;
        }
    };
    let slack = match FakeSlack::start_on_port(slack_demo_config(), args.slack_port) {
        Ok(slack) => slack,
        Err(err) => {
            eprintln!("presently-fakes: cannot start the fake Slack: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut line = zulip.describe();
    if let Some(all) = line.as_object_mut() {
        for more in [
            rocketchat.describe(),
            zoom.describe(),
            mattermost.describe(),
            slack.describe(),
        ] {
            if let serde_json::Value::Object(more) = more {
                all.extend(more);
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("presently-fakes: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        tokio::select! {
            _ = stdin_closed(args.ignore_stdin) => {}
            _ = terminated() => {}
        }
    });
    drop(slack);
    drop(mattermost);
    drop(zoom);
    drop(rocketchat);
    drop(zulip);
    ExitCode::SUCCESS
}
