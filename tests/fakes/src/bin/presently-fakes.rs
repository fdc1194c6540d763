//! `presently-fakes`: runs a fake Zulip (default config) for Python GUI tests and demo mode.
//!
//! Prints one JSON line to stdout, `{"zulip": "http://127.0.0.1:PORT", "zulip_users": [..]}`,
//! then serves until stdin closes, SIGTERM or SIGINT.
//!
//! Flags: `--zulip-port N` (default 0: a free port), `--ignore-stdin` (keep running when
//! stdin closes, e.g. when started detached).

use std::io::{Read, Write};
use std::process::ExitCode;

use presently_fakes::zulip::{FakeZulip, ZulipFakeConfig};

struct Args {
    zulip_port: u16,
    ignore_stdin: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        zulip_port: 0,
        ignore_stdin: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--zulip-port" => {
                let value = it.next().ok_or("--zulip-port needs a value")?;
                args.zulip_port = value
                    .parse()
                    .map_err(|_| format!("bad --zulip-port: {value}"))?;
            }
            "--ignore-stdin" => args.ignore_stdin = true,
            "-h" | "--help" => {
                return Err("usage: presently-fakes [--zulip-port N] [--ignore-stdin]".to_owned());
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
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
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", zulip.describe())
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
    drop(zulip);
    ExitCode::SUCCESS
}
