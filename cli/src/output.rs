//! Printing results as sentences or as JSON. Secrets never reach this module.

use presently_core::dispatch::Outcome;
use presently_core::error::ProviderError;
use presently_core::session::Report;
use serde_json::{json, Value};

/// A stable machine-readable name for an error category.
pub fn error_kind(error: &ProviderError) -> &'static str {
    match error {
        ProviderError::AuthRejected { .. } => "auth_rejected",
        ProviderError::Forbidden { .. } => "forbidden",
        ProviderError::NotFound { .. } => "not_found",
        ProviderError::RateLimited { .. } => "rate_limited",
        ProviderError::Rejected { .. } => "rejected",
        ProviderError::InvalidStatus(_) => "invalid_status",
        ProviderError::Unsupported(_) => "unsupported",
        ProviderError::ServerError { .. } => "server_error",
        ProviderError::Unreachable(_) => "unreachable",
        ProviderError::Timeout { .. } => "timeout",
        ProviderError::Protocol(_) => "protocol",
        ProviderError::MissingSecret => "missing_secret",
        ProviderError::Secret(_) => "keyring",
        ProviderError::SignInAgain { .. } => "sign_in_again",
        ProviderError::Paced { .. } => "paced",
        ProviderError::Local(_) => "local",
        _ => "other",
    }
}

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
        Err(e) => {
            value["error"] = json!(e.to_string());
            value["kind"] = json!(error_kind(e));
            if let ProviderError::RateLimited { retry_at: at } | ProviderError::Paced { at } = e {
                value["retry_at"] = json!(at.to_rfc3339());
            }
        }
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
        "expires_at": expires_at,
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
