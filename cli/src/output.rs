//! Printing results as sentences or as JSON. Secrets never reach this module.

use presently_core::dispatch::Outcome;
use presently_core::session::Report;
use serde_json::{json, Value};

/// One account's result: `ok`, notes or the error in core's one shape
/// ([`presently_core::error::ErrorReport`]), and when a waiting change goes out.
pub fn outcome_json(outcome: &Outcome) -> Value {
    let mut value = json!({
        "account": outcome.account.id,
        "service": outcome.account.service.key(),
        "ok": outcome.succeeded(),
    });
    if let Some(at) = outcome.pending_until {
        value["pending_until"] = json!(at.to_rfc3339());
    }
    match &outcome.result {
        Ok(notes) => value["notes"] = json!(notes),
        Err(e) => value["error"] = json!(e.report(Some(&outcome.account))),
    }
    value
}

pub fn report_json(report: &Report, expires_at: Option<String>) -> Value {
    json!({
        "label": report.label,
        "ok": report.all_succeeded(),
        "summary": report.summary.title,
        "accounts": report.outcomes.iter().map(outcome_json).collect::<Vec<_>>(),
        "skipped": report.skipped,
        "needs_sign_in": report.needs_sign_in.iter().map(|l| &l.id).collect::<Vec<_>>(),
        "left_alone": report.left_alone.iter().map(|l| &l.id).collect::<Vec<_>>(),
        "expires_at": expires_at,
        "change": report.change,
    })
}

pub fn print_report(report: &Report, expires: Option<String>) {
    println!("{}", report.summary.title);
    for outcome in &report.outcomes {
        match &outcome.result {
            Ok(notes) if notes.is_empty() => println!("  ✓ {}", outcome.account),
            Ok(notes) => println!("  ✓ {} ({})", outcome.account, notes.join("; ")),
            Err(e) => println!("  ✗ {}: {e}", outcome.account),
        }
    }
    for id in &report.skipped {
        println!("  – {id}: skipped by the preset");
    }
    for label in &report.left_alone {
        println!("  – {label}: changed elsewhere, left as is");
    }
    for label in &report.needs_sign_in {
        println!(
            "  – {label}: left out until you sign in again (`presently account signin {}`)",
            label.id
        );
    }
    if let Some(expires) = expires {
        println!("{expires}");
    }
}

pub fn print_json(value: &Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("presently: cannot print JSON: {e}"),
    }
}
