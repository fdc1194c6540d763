//! Keeps the server's custom user statuses in step with the presets: creates the missing,
//! updates those Presently made whose name or type changed, deletes those Presently made
//! whose preset is gone. Statuses someone else made are never touched.
//!
//! Planning is a pure function of the presets, the remembered ids and the server's list,
//! so a second run with nothing changed plans nothing.

use std::collections::BTreeMap;

use super::client::CustomStatus;
use super::status_word;
use crate::preset::Preset;
use crate::providers::SyncChange as Change;

/// What to send so the server matches `presets`. `known` maps preset ids to the `_id`s of
/// statuses Presently created earlier.
pub(crate) fn plan(
    presets: &[Preset],
    known: &BTreeMap<String, String>,
    server: &[CustomStatus],
) -> Vec<Change> {
    let by_id: BTreeMap<&str, &CustomStatus> = server.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut changes = Vec::new();
    for preset in presets {
        let name = preset.name.trim().to_owned();
        let status_type = status_word(preset.availability).0.to_owned();
        match known.get(&preset.id).and_then(|id| by_id.get(id.as_str())) {
            Some(existing) if existing.name == name && existing.status_type == status_type => {}
            Some(existing) => changes.push(Change::Update {
                preset: preset.id.clone(),
                id: existing.id.clone(),
                name,
                status_type,
            }),
            None => match server.iter().find(|s| s.name == name) {
                // Presently made it for a preset whose id has changed since: take it over.
                Some(ours) if known.values().any(|id| id == &ours.id) => {
                    changes.push(Change::Update {
                        preset: preset.id.clone(),
                        id: ours.id.clone(),
                        name,
                        status_type,
                    })
                }
                Some(other) => changes.push(Change::Foreign {
                    preset: preset.id.clone(),
                    id: other.id.clone(),
                    name,
                }),
                None => changes.push(Change::Create {
                    preset: preset.id.clone(),
                    name,
                    status_type,
                }),
            },
        }
    }
    let taken_over: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Update { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect();
    for (preset, id) in known {
        if presets.iter().any(|p| &p.id == preset) || taken_over.contains(id) {
            continue;
        }
        if let Some(existing) = by_id.get(id.as_str()) {
            changes.push(Change::Delete {
                preset: preset.clone(),
                id: id.clone(),
                name: existing.name.clone(),
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{default_presets, Availability};

    fn status(id: &str, name: &str, kind: &str) -> CustomStatus {
        CustomStatus {
            id: id.into(),
            name: name.into(),
            status_type: kind.into(),
        }
    }

    #[test]
    fn first_run_creates_each_preset_with_its_type() {
        let changes = plan(&default_presets(), &BTreeMap::new(), &[]);
        assert_eq!(changes.len(), 7);
        assert!(changes.contains(&Change::Create {
            preset: "focus".into(),
            name: "Focus".into(),
            status_type: "busy".into(),
        }));
    }

    #[test]
    fn an_applied_plan_plans_nothing_next_time() {
        let presets = default_presets();
        let mut known = BTreeMap::new();
        let mut server = Vec::new();
        for (n, change) in plan(&presets, &known, &server).into_iter().enumerate() {
            if let Change::Create {
                preset,
                name,
                status_type,
            } = change
            {
                known.insert(preset, format!("id{n}"));
                server.push(status(&format!("id{n}"), &name, &status_type));
            }
        }
        assert_eq!(plan(&presets, &known, &server), vec![]);
    }

    #[test]
    fn a_preset_whose_id_changed_takes_its_status_over() {
        let mut presets = default_presets();
        presets.retain(|p| p.id == "vacation");
        presets[0].id = "holiday".into();
        let known = BTreeMap::from([("vacation".to_owned(), "v".to_owned())]);
        let server = [status("v", "Vacation", "away")];
        assert_eq!(
            plan(&presets, &known, &server),
            vec![Change::Update {
                preset: "holiday".into(),
                id: "v".into(),
                name: "Vacation".into(),
                status_type: "away".into()
            }]
        );
    }

    #[test]
    fn renamed_retyped_removed_and_foreign_statuses() {
        let mut presets = default_presets();
        presets.retain(|p| p.id == "lunch" || p.id == "focus" || p.id == "meeting");
        presets[0].name = "Lunch break".into();
        presets[1].availability = Availability::Away;
        let known = BTreeMap::from([
            ("lunch".to_owned(), "a".to_owned()),
            ("focus".to_owned(), "b".to_owned()),
            ("gone".to_owned(), "c".to_owned()),
        ]);
        let server = [
            status("a", "Lunch", "away"),
            status("b", "Focus", "busy"),
            status("c", "Old preset", "away"),
            status("d", "In a meeting", "busy"),
        ];
        let changes = plan(&presets, &known, &server);
        assert_eq!(
            changes,
            vec![
                Change::Update {
                    preset: "lunch".into(),
                    id: "a".into(),
                    name: "Lunch break".into(),
                    status_type: "away".into()
                },
                Change::Update {
                    preset: "focus".into(),
                    id: "b".into(),
                    name: "Focus".into(),
                    status_type: "away".into()
                },
                Change::Foreign {
                    preset: "meeting".into(),
                    id: "d".into(),
                    name: "In a meeting".into()
                },
                Change::Delete {
                    preset: "gone".into(),
                    id: "c".into(),
                    name: "Old preset".into()
                },
            ]
        );
    }
}
