//! The Web API methods the fake serves, each with the scope a user token needs, its rate
//! tier, and whether a bot token may call it. Scopes and tiers from the method pages
//! (<https://docs.slack.dev/reference/methods/users.profile.set>,
//! <https://docs.slack.dev/reference/methods/users.getPresence/>,
//! <https://docs.slack.dev/reference/methods/dnd.setSnooze>,
//! <https://docs.slack.dev/reference/methods/emoji.list/>); tier sizes from
//! <https://docs.slack.dev/apis/web-api/rate-limits>.

/// A rate tier: calls per method, per workspace, per app, per minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tier {
    Tier2,
    Tier3,
    Tier4,
    /// `auth.test`'s "special" limit. Slack publishes no number; the fake allows 600 a
    /// minute (a choice: generous, as Slack describes it, yet reachable by a test).
    Special,
}

impl Tier {
    pub(crate) fn per_minute(self) -> usize {
        match self {
            Tier::Tier2 => 20,
            Tier::Tier3 => 50,
            Tier::Tier4 => 100,
            Tier::Special => 600,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    pub name: &'static str,
    /// The user scope needed; `None` for `auth.test`, `auth.revoke` and `oauth.v2.access`.
    pub scope: Option<&'static str>,
    pub tier: Tier,
    /// Bot tokens get `not_allowed_token_type` (a status belongs to a person).
    pub user_token_only: bool,
}

const fn spec(name: &'static str, scope: Option<&'static str>, tier: Tier, user: bool) -> Spec {
    Spec {
        name,
        scope,
        tier,
        user_token_only: user,
    }
}

pub(crate) const ACCESS: &str = "oauth.v2.access";

const METHODS: [Spec; 11] = [
    spec("auth.test", None, Tier::Special, false),
    spec("auth.revoke", None, Tier::Tier3, false),
    spec(
        "users.profile.set",
        Some("users.profile:write"),
        Tier::Tier3,
        true,
    ),
    spec(
        "users.profile.get",
        Some("users.profile:read"),
        Tier::Tier4,
        false,
    ),
    spec("users.setPresence", Some("users:write"), Tier::Tier2, true),
    spec("users.getPresence", Some("users:read"), Tier::Tier3, false),
    spec("dnd.setSnooze", Some("dnd:write"), Tier::Tier2, true),
    spec("dnd.endSnooze", Some("dnd:write"), Tier::Tier2, true),
    spec("dnd.info", Some("dnd:read"), Tier::Tier3, false),
    spec("emoji.list", Some("emoji:read"), Tier::Tier2, false),
    spec(ACCESS, None, Tier::Tier4, false),
];

pub(crate) fn lookup(name: &str) -> Option<Spec> {
    METHODS.iter().copied().find(|m| m.name == name)
}
