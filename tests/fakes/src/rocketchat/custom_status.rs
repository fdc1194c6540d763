//! `custom-user-status.list/create/update/delete` (`v1/custom-user-status.ts`,
//! `insertOrUpdateUserStatus.ts`, `deleteCustomUserStatus.ts`).
//!
//! Without `manage-user-status` the methods throw `new Meteor.Error('not_authorized')` (no
//! reason, no details). The REST catch turns that into `API.v1.failure(e.message, e.error)`,
//! and a reason-less Meteor error's message is `[not_authorized]`, so the answer is HTTP 400
//! `{"success":false,"error":"[not_authorized]","errorType":"not_authorized"}` (not 401/403).

use axum::response::Response;
use serde_json::Value;

use super::config::{RcUser, PERM_MANAGE_USER_STATUS};
use super::endpoints::expected_string;
use super::error::RcError;
use super::params::{truthy, Params};
use super::reply::{self, now_js_date, obj, J};
use super::state::{CustomRecord, State};

const VALID_STATUS_TYPES: [&str; 4] = ["online", "away", "busy", "offline"];
/// `API_Default_Count` and `API_Upper_Count_Limit`.
const DEFAULT_COUNT: usize = 50;
const UPPER_COUNT_LIMIT: usize = 100;

fn record_json(record: &CustomRecord) -> J {
    obj([
        ("_id", J::from(record.id.clone())),
        ("name", J::from(record.name.clone())),
        ("statusType", J::from(record.status_type.clone())),
        ("_updatedAt", J::from(record.updated_at.clone())),
    ])
}

/// `check(bodyParams, {required..: String, optional..: Match.Maybe(String)})`: an exact object.
/// APPROXIMATE: keys are checked in alphabetical order (the server goes in body order).
fn check_exact(params: &Params, required: &[&str], optional: &[&str]) -> Result<(), RcError> {
    for (key, value) in &params.body {
        let is_required = required.contains(&key.as_str());
        if !is_required && !optional.contains(&key.as_str()) {
            return Err(RcError::Match(format!("Unknown key in field {key}")));
        }
        let ok = match value {
            Value::String(_) => true,
            Value::Null => !is_required,
            _ => false,
        };
        if !ok {
            return Err(RcError::Match(format!(
                "{} in field {key}",
                expected_string(value)
            )));
        }
    }
    if let Some(missing) = required.iter().find(|k| !params.body.contains_key(**k)) {
        return Err(RcError::Match(format!("Missing key '{missing}'")));
    }
    Ok(())
}

fn not_authorized() -> RcError {
    RcError::Meteor {
        error: "not_authorized",
        reason: None,
        details: None,
    }
}

/// `insertOrUpdateUserStatus`'s checks, in its order.
fn validate(
    state: &State,
    caller: &RcUser,
    id: Option<&str>,
    name: &str,
    status_type: Option<&str>,
) -> Result<(), RcError> {
    if !caller.can(PERM_MANAGE_USER_STATUS) {
        return Err(not_authorized());
    }
    if name.trim().is_empty() {
        return Err(RcError::meteor_with(
            "error-the-field-is-required",
            "The field Name is required",
            obj([
                ("method", J::from("insertOrUpdateUserStatus")),
                ("field", J::from("Name")),
            ]),
        ));
    }
    if name.contains(['>', '<', '&', '"', '\'']) {
        return Err(RcError::meteor_with(
            "error-input-is-not-a-valid-field",
            format!("{name} is not a valid name"),
            obj([
                ("method", J::from("insertOrUpdateUserStatus")),
                ("input", J::from(name)),
                ("field", J::from("Name")),
            ]),
        ));
    }
    if state
        .custom
        .iter()
        .any(|c| c.name == name && Some(c.id.as_str()) != id)
    {
        return Err(RcError::meteor_with(
            "Custom_User_Status_Error_Name_Already_In_Use",
            "The custom user status name is already in use",
            RcError::method_details("insertOrUpdateUserStatus"),
        ));
    }
    if let Some(status_type) = status_type.filter(|t| !t.is_empty()) {
        if !VALID_STATUS_TYPES.contains(&status_type) {
            return Err(RcError::meteor_with(
                "error-input-is-not-a-valid-field",
                format!("{status_type} is not a valid status type"),
                obj([
                    ("method", J::from("insertOrUpdateUserStatus")),
                    ("input", J::from(status_type)),
                    ("field", J::from("StatusType")),
                ]),
            ));
        }
    }
    Ok(())
}

/// `POST /api/v1/custom-user-status.create` `{"name", "statusType"}`.
pub(crate) fn create(
    state: &mut State,
    caller: &RcUser,
    params: &Params,
) -> Result<Response, RcError> {
    check_exact(params, &["name"], &["statusType"])?;
    let name = params.body_str("name").unwrap_or_default().to_owned();
    // `statusType || ''`
    let status_type = params.body_str("statusType").unwrap_or_default().to_owned();
    validate(state, caller, None, &name, Some(&status_type))?;
    let id = state.insert_custom(&name, &status_type);
    let record = state.custom_by_id(&id).cloned().ok_or_else(|| {
        RcError::meteor(
            "error-creating-custom-user-status",
            "Error creating custom user status",
        )
    })?;
    Ok(reply::success(vec![(
        "customUserStatus".into(),
        record_json(&record),
    )]))
}

/// `POST /api/v1/custom-user-status.update` `{"_id", "name", "statusType"}`. The id is looked
/// up before the permission check, so an unknown id answers "No custom user status found"
/// even without `manage-user-status`. Without `statusType` the type stays as it was (the
/// method only writes it when it differs from the absent `previousStatusType`).
pub(crate) fn update(
    state: &mut State,
    caller: &RcUser,
    params: &Params,
) -> Result<Response, RcError> {
    check_exact(params, &["_id", "name"], &["statusType"])?;
    let id = params.body_str("_id").unwrap_or_default().to_owned();
    let name = params.body_str("name").unwrap_or_default().to_owned();
    if state.custom_by_id(&id).is_none() {
        return Err(RcError::Failure(format!(
            "No custom user status found with the id of \"{id}\"."
        )));
    }
    let status_type = params.body.get("statusType");
    validate(
        state,
        caller,
        Some(&id),
        &name,
        status_type.and_then(Value::as_str),
    )?;
    let updated_at = now_js_date();
    let record = state
        .custom
        .iter_mut()
        .find(|c| c.id == id)
        .ok_or_else(|| {
            RcError::meteor(
                "error-updating-custom-user-status",
                "Error updating custom user status",
            )
        })?;
    record.name = name;
    match status_type {
        Some(Value::String(t)) => record.status_type.clone_from(t),
        // APPROXIMATE: the server stores `null`; the fake stores "".
        Some(Value::Null) => record.status_type.clear(),
        _ => {}
    }
    record.updated_at = updated_at;
    let record = record.clone();
    Ok(reply::success(vec![(
        "customUserStatus".into(),
        record_json(&record),
    )]))
}

/// `POST /api/v1/custom-user-status.delete` `{"customUserStatusId"}`.
pub(crate) fn delete(
    state: &mut State,
    caller: &RcUser,
    params: &Params,
) -> Result<Response, RcError> {
    let id = params.body.get("customUserStatusId");
    if !truthy(id) {
        return Err(RcError::Failure(
            "The \"customUserStatusId\" params is required!".into(),
        ));
    }
    if !caller.can(PERM_MANAGE_USER_STATUS) {
        return Err(not_authorized());
    }
    let id = id.and_then(Value::as_str).unwrap_or_default();
    let before = state.custom.len();
    state.custom.retain(|c| c.id != id);
    if state.custom.len() == before {
        return Err(RcError::meteor_with(
            "Custom_User_Status_Error_Invalid_User_Status",
            "Invalid user status",
            RcError::method_details("deleteCustomUserStatus"),
        ));
    }
    Ok(reply::ok())
}

/// ajv's message for a query field that must be a number.
fn number_param(params: &Params, name: &str) -> Result<Option<f64>, RcError> {
    match params.query(name) {
        None => Ok(None),
        Some(raw) => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && !raw.trim().is_empty())
            .map(Some)
            .ok_or_else(|| RcError::meteor("invalid-params", "must be number")),
    }
}

/// `GET /api/v1/custom-user-status.list[?count=&offset=&sort=&name=&_id=]`: sorted by name
/// unless `sort={"name":-1}` / `{"statusType":1}` …; `name` matches case-insensitively
/// anywhere in the name; `count` defaults to 50, at most 100, `0` for all
/// (`API_Allow_Infinite_Count`).
pub(crate) fn list(state: &State, params: &Params) -> Result<Response, RcError> {
    const ALLOWED: [&str; 6] = ["count", "offset", "sort", "name", "_id", "query"];
    if params
        .query
        .iter()
        .any(|(k, _)| !ALLOWED.contains(&k.as_str()))
    {
        return Err(RcError::meteor(
            "invalid-params",
            "must NOT have additional properties",
        ));
    }
    let count = number_param(params, "count")?;
    let offset = number_param(params, "offset")?;
    let offset = offset.map_or(0, |o| o.max(0.0) as usize);
    let count = match count.map(|c| c as i64) {
        None => DEFAULT_COUNT,
        Some(0) => usize::MAX,
        Some(c) if c < 0 => DEFAULT_COUNT,
        Some(c) => usize::try_from(c)
            .unwrap_or(UPPER_COUNT_LIMIT)
            .min(UPPER_COUNT_LIMIT),
    };
    let mut all = state.custom_sorted();
    if let Some(sort) = params.query("sort") {
        let parsed: Option<serde_json::Map<String, Value>> = serde_json::from_str(sort).ok();
        let Some(spec) = parsed else {
            return Err(RcError::meteor(
                "error-invalid-sort",
                format!("Invalid sort parameter provided \"{sort}\""),
            ));
        };
        // Stable sorts applied from the last key to the first.
        for (key, dir) in spec.iter().rev() {
            let descending = dir.as_i64() == Some(-1);
            let field = |c: &CustomRecord| match key.as_str() {
                "statusType" => c.status_type.clone(),
                "_id" => c.id.clone(),
                _ => c.name.clone(),
            };
            all.sort_by(|a, b| {
                let order = field(a).cmp(&field(b));
                if descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
    }
    if let Some(name) = params.query("name").filter(|n| !n.is_empty()) {
        let needle = name.to_lowercase();
        all.retain(|c| c.name.to_lowercase().contains(&needle));
    }
    if let Some(id) = params.query("_id").filter(|i| !i.is_empty()) {
        all.retain(|c| c.id == id);
    }
    let total = all.len();
    let page: Vec<J> = all
        .iter()
        .skip(offset)
        .take(count)
        .map(record_json)
        .collect();
    let count = page.len();
    Ok(reply::success(vec![
        ("statuses".into(), J::A(page)),
        ("count".into(), J::from(count)),
        ("offset".into(), J::from(offset)),
        ("total".into(), J::from(total)),
    ]))
}
