//! A person's custom status as Slack keeps it in their profile — `status_text`,
//! `status_emoji` (`:name:` or `""`), `status_expiration` (Unix seconds, 0 = none) — and the
//! profile object the `users.profile.*` methods answer
//! (<https://docs.slack.dev/apis/web-api/user-presence-and-status.md>,
//! <https://docs.slack.dev/reference/methods/users.profile.set>).

use serde::{Deserialize, Serialize};

use super::config::SlackUser;
use super::reply::J;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackProfile {
    pub status_text: String,
    /// `:name:`, or `""` for none.
    pub status_emoji: String,
    /// Unix seconds; 0 = never expires.
    pub status_expiration: i64,
}

impl SlackProfile {
    /// The profile at `now`: a status whose expiration passed is gone, as Slack clears it
    /// itself.
    pub(crate) fn settled(mut self, now: i64) -> SlackProfile {
        if self.status_expiration != 0 && self.status_expiration <= now {
            self = SlackProfile::default();
        }
        self
    }
}

/// The profile object (`objs_user_profile`) in the order of Slack's example, the status
/// fields with it.
pub(crate) fn json(user: &SlackUser, profile: &SlackProfile, team_id: &str) -> J {
    let avatar = format!(
        "https://secure.gravatar.com/avatar/{}.jpg",
        user.id.to_ascii_lowercase()
    );
    let mut pairs: Vec<(&str, J)> = vec![
        ("title", J::from("")),
        ("phone", J::from("")),
        ("skype", J::from("")),
        ("real_name", J::from(user.real_name.clone())),
        ("real_name_normalized", J::from(user.real_name.clone())),
        ("display_name", J::from(user.name.clone())),
        ("display_name_normalized", J::from(user.name.clone())),
        ("fields", J::obj(Vec::<(String, J)>::new())),
        ("status_text", J::from(profile.status_text.clone())),
        ("status_emoji", J::from(profile.status_emoji.clone())),
        ("status_emoji_display_info", J::A(Vec::new())),
        ("status_expiration", J::from(profile.status_expiration)),
        ("avatar_hash", J::from("g0a1b2c3d4e5")),
        ("email", J::from(format!("{}@example.com", user.name))),
        ("first_name", J::from(first_name(&user.real_name))),
        ("last_name", J::from(last_name(&user.real_name))),
    ];
    for (key, size) in [
        ("image_24", 24),
        ("image_32", 32),
        ("image_48", 48),
        ("image_72", 72),
        ("image_192", 192),
        ("image_512", 512),
    ] {
        pairs.push((key, J::from(format!("{avatar}?s={size}"))));
    }
    pairs.push(("status_text_canonical", J::from("")));
    pairs.push(("team", J::from(team_id)));
    J::obj(pairs)
}

fn first_name(real_name: &str) -> String {
    real_name.split_whitespace().next().unwrap_or("").to_owned()
}

fn last_name(real_name: &str) -> String {
    real_name
        .split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ")
}
