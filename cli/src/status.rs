//! `set`, `clear`, `status`, `preview` and `preset list`.

use chrono::{DateTime, Utc};
use presently_core::app_lock::app_running;
use presently_core::dispatch::{summarize, Outcome};
use presently_core::error::{local_time, local_time_precise, ProviderError};
use presently_core::preset::{format_duration, parse_duration, Availability};
use presently_core::providers::Target;
use presently_core::session::{Report, Request, Session};
use presently_core::untrusted;
use presently_core::Error;
use presently_core::WhenPaced;
use serde_json::json;
use std::process::ExitCode;

use crate::args::{PacingArgs, SetArgs, TargetArgs};
use crate::output::{print_json, print_report, report_json};
use crate::{config_file, exit_for, open_session};

fn target(args: &TargetArgs) -> Target {
    args.user.clone().map(Target::User).unwrap_or_default()
}

pub async fn set(args: SetArgs, json: bool) -> Result<ExitCode, Error> {
    let request = Request {
        preset: args.preset,
        text: args.text,
        emoji: args.emoji,
        availability: args
            .availability
            .as_deref()
            .map(Availability::parse)
            .transpose()?,
        duration: match (&args.duration, &args.until) {
            (Some(duration), _) => Some(parse_duration(duration)?),
            (None, Some(until)) => {
                Some(presently_core::until::Until::parse(until)?.lasting_from(chrono::Utc::now())?)
            }
            (None, None) => None,
        },
        accounts: args.target.accounts.clone(),
        target: target(&args.target),
    };
    let (session, app_running) = paced_session(args.pacing)?;
    let report = session.apply(&request).await?;
    let report = wait_for_turns(&session, report, app_running, json).await?;
    finish(&session, &report, &request.target, json)
}

pub async fn clear(args: TargetArgs, pacing: PacingArgs, json: bool) -> Result<ExitCode, Error> {
    let (session, app_running) = paced_session(pacing)?;
    let target = target(&args);
    let report = session.clear(&args.accounts, &target).await?;
    let report = wait_for_turns(&session, report, app_running, json).await?;
    finish(&session, &report, &target, json)
}

/// A session that queues changes a paced service cannot take yet, unless `--no-wait` was
/// given and no tray app runs to send them later. Also says whether the app runs.
fn paced_session(pacing: PacingArgs) -> Result<(Session, bool), Error> {
    let session = open_session()?;
    let app_running = app_running(session.dir());
    if pacing.no_wait && !app_running {
        return Ok((session.with_when_paced(WhenPaced::Refuse), app_running));
    }
    if app_running {
        return Ok((session, app_running));
    }
    // Without the app this process sends what must wait, so that is its own: dropped, not
    // sent by anyone, once this process is gone.
    Ok((session.waiting_here()?, app_running))
}

/// The most turns a `set` without the app waits for. Each is Zoom's minute; a change made
/// elsewhere (the user's own Zoom app) moves the turn on again.
const MOST_TURNS: usize = 3;

/// Changes left waiting for their turn: with the tray app running it sends them; without,
/// this process waits for the turn and sends them itself. What still waits when this
/// process gives up (after [`MOST_TURNS`], or on Ctrl-C) is withdrawn and reported as not
/// sent: with no app running nobody else would send it, and a stale change must not go out
/// when the app starts hours later.
async fn wait_for_turns(
    session: &Session,
    mut report: Report,
    app_running: bool,
    json: bool,
) -> Result<Report, Error> {
    let Some(turn) = latest_turn(&report) else {
        return Ok(report);
    };
    if app_running {
        if !json {
            eprintln!(
                "The Presently app sends the waiting change at {}.",
                local_time_precise(&turn)
            );
        }
        return Ok(report);
    }
    // Listening before the "waiting until" line is printed: from then on, Ctrl-C withdraws.
    let mut interrupt = Interrupt::listen()?;
    for _ in 0..MOST_TURNS {
        let Some(turn) = latest_turn(&report) else {
            break;
        };
        if !json {
            let waiting: Vec<String> = report
                .outcomes
                .iter()
                .filter(|o| o.pending_until.is_some())
                .map(|o| o.account.to_string())
                .collect();
            eprintln!(
                "{} {} one change a minute; waiting until {} to send it (--no-wait exits instead)…",
                waiting.join(", "),
                if waiting.len() == 1 { "takes" } else { "take" },
                local_time_precise(&turn)
            );
        }
        let wait = (turn - chrono::Utc::now()).to_std().unwrap_or_default();
        let interrupted = tokio::select! {
            () = tokio::time::sleep(wait) => false,
            () = interrupt.recv() => true,
        };
        if interrupted {
            give_up(session, &mut report, |_| {
                ProviderError::Local("interrupted while waiting for its turn; not sent".into())
            })?;
            break;
        }
        let sent = session.send_due().await?;
        let book = session.pending()?;
        for outcome in report.outcomes.iter_mut() {
            let Some(ours) = outcome.queued.clone() else {
                continue;
            };
            if let Some((_, report)) = sent.iter().find(|(wish, _)| wish.is(&ours)) {
                if let Some(done) = report.outcomes.first() {
                    *outcome = done.clone();
                }
            } else if let Some(still) = book.iter().find(|w| w.is(&ours)) {
                // Someone else sent first; it waits on.
                outcome.pending_until = Some(still.not_before);
            } else if let Some(newer) = book.iter().find(|w| w.account == ours.account) {
                *outcome = replaced(outcome, &newer.status.label);
            } else {
                // Another process sent it at its turn (or something newer in its place).
                *outcome = replaced(outcome, "a change from another Presently");
            }
        }
    }
    give_up(session, &mut report, |at| ProviderError::Paced {
        at,
        because: None,
    })?;
    report.summary = summarize(&report.label, &report.verb, &report.outcomes);
    Ok(report)
}

/// This change never goes out: a newer one took its place before its turn. Not a failure.
fn replaced(outcome: &Outcome, by: &str) -> Outcome {
    Outcome {
        account: outcome.account.clone(),
        result: Ok(vec![format!("replaced by {by} before its turn")]),
        pending_until: None,
        queued: None,
    }
}

/// Ctrl-C (SIGINT), a polite kill (SIGTERM) or the terminal closing (SIGHUP), registered
/// as soon as this is made.
struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl Interrupt {
    fn listen() -> Result<Self, Error> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let listen = |kind| {
                signal(kind).map_err(|e| Error::invalid(format!("cannot listen for Ctrl-C: {e}")))
            };
            Ok(Interrupt {
                signal: listen(SignalKind::interrupt())?,
                terminate: listen(SignalKind::terminate())?,
                hangup: listen(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Interrupt {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.signal.recv() => {}
            _ = self.terminate.recv() => {}
            _ = self.hangup.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn latest_turn(report: &Report) -> Option<DateTime<Utc>> {
    report.outcomes.iter().filter_map(|o| o.pending_until).max()
}

/// Withdraws this process's waiting changes (a newer wish another process made meanwhile
/// stays) and turns them into failures.
fn give_up(
    session: &Session,
    report: &mut Report,
    why: impl Fn(DateTime<Utc>) -> ProviderError,
) -> Result<(), Error> {
    for outcome in &mut report.outcomes {
        let Some(at) = outcome.pending_until.take() else {
            continue;
        };
        if let Some(wish) = outcome.queued.take() {
            session.withdraw(&wish)?;
        }
        outcome.result = Err(why(at));
    }
    Ok(())
}

/// The expiry shown is that of the user's own status, so not after changing someone else's.
fn finish(
    session: &Session,
    report: &Report,
    target: &Target,
    json: bool,
) -> Result<ExitCode, Error> {
    let expires_at = session
        .active()?
        .filter(|_| *target == Target::Me)
        .filter(|_| report.all_succeeded() || report.outcomes.iter().any(|o| o.succeeded()))
        .and_then(|a| a.expires_at);
    if json {
        print_json(&report_json(report, expires_at.map(|at| at.to_rfc3339())));
    } else {
        let until = expires_at.map(|at| format!("Presently ends it at {}.", local_time(&at)));
        print_report(report, until);
    }
    Ok(exit_for(report.all_succeeded()))
}

pub async fn show(args: TargetArgs, json: bool) -> Result<ExitCode, Error> {
    // Ending a status that ran out must not queue a change nobody would send: without the
    // app, a paced account that cannot take it yet stays due for next time.
    let (session, _) = paced_session(PacingArgs { no_wait: true })?;
    let target = target(&args);
    let expired = if target == Target::Me {
        session.expire_if_due().await?
    } else {
        None
    };
    let statuses = session.read_statuses(&args.accounts, &target).await?;
    let active = session.active()?;
    let pending = session.pending()?;
    let all_ok = statuses.iter().all(|(_, r)| r.is_ok());
    if json {
        let accounts: Vec<_> = statuses
            .iter()
            .map(|(label, result)| match result {
                Ok(shown) => json!({
                    "account": label.id, "service": label.service.key(), "ok": true,
                    "text": shown.text, "emoji": shown.emoji, "availability": shown.availability,
                }),
                Err(e) => json!({
                    "account": label.id, "service": label.service.key(), "ok": false,
                    "error": e.report(Some(label)),
                }),
            })
            .collect();
        print_json(&json!({
            "ok": all_ok,
            "accounts": accounts,
            "active": active,
            "pending": pending.iter().map(|w| json!({
                "account": w.account, "user": w.user, "label": w.status.label,
                "availability": w.status.availability.key(),
                "not_before": w.not_before.to_rfc3339(),
            })).collect::<Vec<_>>(),
            "expired_now": expired.map(|r| r.summary.title),
        }));
    } else {
        if let Some(report) = expired {
            println!("{}", report.summary.title);
        }
        for (label, result) in &statuses {
            match result {
                // Zoom has only a presence; show it rather than "no status", as the window does.
                // What a server says is shown inert (escaped control characters).
                Ok(shown) if shown.text.is_empty() && shown.emoji.is_none() => println!(
                    "{label}: {}",
                    untrusted(shown.availability.as_deref().unwrap_or("no status"))
                ),
                Ok(shown) => {
                    let emoji = shown
                        .emoji
                        .as_deref()
                        .map(|e| format!("{} ", untrusted(e)))
                        .unwrap_or_default();
                    let availability = shown
                        .availability
                        .as_deref()
                        .map(|a| format!(" ({})", untrusted(a)))
                        .unwrap_or_default();
                    println!("{label}: {emoji}{}{availability}", untrusted(&shown.text));
                }
                Err(e) => println!("{label}: {e}"),
            }
        }
        if statuses.is_empty() {
            println!("No accounts yet; add one with `presently account add zulip ID --site URL --email EMAIL`.");
        }
        for wish in &pending {
            println!(
                "Waiting for its turn: {} on {} at {} (the service takes one change a minute).",
                wish.status.label,
                wish.account,
                local_time_precise(&wish.not_before)
            );
        }
        if let Some(active) = active.filter(|_| target == Target::Me) {
            match active.expires_at {
                Some(at) => println!(
                    "Set by Presently: {}, until {}.",
                    active.label,
                    local_time(&at)
                ),
                None => println!("Set by Presently: {}.", active.label),
            }
        }
    }
    Ok(exit_for(all_ok))
}

pub async fn preview(preset: &str, json: bool) -> Result<ExitCode, Error> {
    let session = open_session()?;
    let previews = session.previews(preset).await?;
    let all_ok = previews
        .iter()
        .all(|(_, p)| p.as_ref().is_ok_and(|p| p.problem.is_none()));
    if json {
        let accounts: Vec<_> = previews
            .iter()
            .map(|(label, result)| match result {
                Ok(p) => json!({"account": label.id, "service": label.service.key(), "ok": p.problem.is_none(), "preview": p}),
                Err(e) => json!({"account": label.id, "service": label.service.key(), "ok": false, "error": e.report(Some(label))}),
            })
            .collect();
        print_json(&json!({ "ok": all_ok, "accounts": accounts }));
    } else {
        for (label, result) in &previews {
            match result {
                Ok(p) => {
                    let emoji = p
                        .emoji
                        .as_deref()
                        .map(|e| format!("{e} "))
                        .unwrap_or_default();
                    println!("{label}: {emoji}{} [{}]", p.text, p.availability);
                    for line in p.expiry.iter().chain(&p.notes).chain(&p.problem) {
                        println!("    {line}");
                    }
                }
                Err(e) => println!("{label}: {e}"),
            }
        }
    }
    Ok(exit_for(all_ok))
}

pub fn list_presets(json: bool) -> Result<ExitCode, Error> {
    let config = config_file()?.load_or_create()?;
    if json {
        let presets: Vec<_> = config
            .presets
            .iter()
            .map(|p| {
                json!({
                    "id": p.id, "name": p.name, "emoji": p.emoji, "text": p.text,
                    "availability": p.availability.key(),
                    "duration": p.duration.map(format_duration),
                    "hotkey": p.hotkey,
                })
            })
            .collect();
        print_json(&json!({ "ok": true, "presets": presets }));
    } else {
        for p in &config.presets {
            let duration = p
                .duration
                .map(|d| format!(", {}", format_duration(d)))
                .unwrap_or_default();
            let hotkey = p
                .hotkey
                .as_deref()
                .map(|h| format!(" [{h}]"))
                .unwrap_or_default();
            println!(
                "{:<12} {} ({}{duration}){hotkey}",
                p.id,
                p.title(),
                p.availability.label()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
