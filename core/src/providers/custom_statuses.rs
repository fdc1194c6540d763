//! Optional capability: a server's list of custom statuses that an admin publishes the
//! presets to (Rocket.Chat's "custom user status"). Planning and sending are the service's;
//! the session remembers which statuses Presently created, in the account's settings.

use async_trait::async_trait;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::error::ProviderError;
use crate::preset::Preset;

#[async_trait]
pub trait CustomStatuses: Send + Sync {
    /// What to send so the server matches `presets`; `known` maps preset ids to the server
    /// ids of statuses Presently created earlier. Reads the server's list.
    async fn plan(
        &self,
        presets: &[Preset],
        known: &BTreeMap<String, String>,
    ) -> Result<Vec<SyncChange>, ProviderError>;

    /// Sends one change; returns the server id a create made. A short rate limit is waited
    /// out once: an admin's sync is a batch.
    async fn send(&self, change: &SyncChange) -> Result<Option<String>, ProviderError>;
}

/// One change to the server's custom statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SyncChange {
    Create {
        preset: String,
        name: String,
        status_type: String,
    },
    Update {
        preset: String,
        id: String,
        name: String,
        status_type: String,
    },
    Delete {
        preset: String,
        id: String,
        name: String,
    },
    /// A status with this name exists but Presently did not make it, so it is left alone.
    Foreign {
        preset: String,
        id: String,
        name: String,
    },
}

impl std::fmt::Display for SyncChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncChange::Create {
                name, status_type, ..
            } => write!(f, "create \"{name}\" ({status_type})"),
            SyncChange::Update {
                name, status_type, ..
            } => write!(f, "update \"{name}\" ({status_type})"),
            SyncChange::Delete { name, .. } => write!(f, "delete \"{name}\" (its preset is gone)"),
            SyncChange::Foreign { name, .. } => write!(
                f,
                "leave \"{name}\" alone: it exists on the server but Presently did not create it"
            ),
        }
    }
}

impl SyncChange {
    /// The server id this change leaves behind for its preset once it succeeded, given
    /// what a create returned.
    pub(crate) fn resulting_id(&self, created: Option<&String>) -> Option<String> {
        match self {
            SyncChange::Create { .. } => created.cloned(),
            SyncChange::Update { id, .. } => Some(id.clone()),
            _ => None,
        }
    }
}
