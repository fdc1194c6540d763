//! The command line. These spellings are a public interface: keep them stable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "presently",
    version,
    about = "Set your status on every chat and meeting account at once",
    after_help = "Exit codes: 0 every account succeeded, 1 an account failed, 2 usage or config error.\n\
                  Without a command, starts the tray app."
)]
pub struct Cli {
    /// Print machine-readable JSON instead of sentences.
    #[arg(long, global = true)]
    pub json: bool,

    /// Say what happens on stderr: -v each step, -vv and -vvv more detail (RUST_LOG works
    /// too). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, test and remove accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// List presets.
    #[command(subcommand)]
    Preset(PresetCommand),
    /// Apply a preset, or a one-off status, to your accounts.
    Set(SetArgs),
    /// Clear the status on your accounts.
    Clear {
        #[command(flatten)]
        target: TargetArgs,
        #[command(flatten)]
        pacing: PacingArgs,
    },
    /// Show what each account displays now, read back from its server.
    Status(TargetArgs),
    /// Show how a preset will look on each account, without sending anything.
    Preview { preset: String },
    /// Publish the presets as a Rocket.Chat server's custom statuses (admins).
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Start the tray app.
    Tray,
    /// Start the tray app against local stand-ins of every service, with throwaway accounts.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account; its credentials are verified with the server first.
    Add {
        /// What to call the account in messages, the tray and the window ("Work chat");
        /// its id when not given.
        #[arg(long, global = true)]
        label: Option<String>,
        #[command(subcommand)]
        service: AddAccount,
    },
    List,
    /// Give an account another name in messages, the tray and the window; without LABEL,
    /// it is shown by its id again. The id, secrets and overrides stay.
    Rename {
        id: String,
        label: Option<String>,
    },
    /// Check an account's stored credentials against its server.
    Test {
        id: String,
    },
    /// Remove an account and delete its keyring entries.
    Remove {
        id: String,
    },
    /// Sign an account in again, keeping its id, preset overrides and custom statuses:
    /// Zoom through the browser; Zulip with a new API key (stdin) or --zuliprc; Rocket.Chat
    /// with the password (stdin, --code for a second factor) or --user-id and --token-stdin;
    /// Mattermost with the password (stdin, --code for MFA); Slack through the browser, or
    /// with a new user token (stdin) for an account added with a pasted one.
    Signin {
        id: String,
        #[command(flatten)]
        browser: BrowserArgs,
        /// Rocket.Chat and Mattermost: the second-factor code, when the server asks for one.
        #[arg(long)]
        code: Option<String>,
        /// Rocket.Chat: the user id shown beside a new personal access token.
        #[arg(long = "user-id", requires = "token_stdin")]
        user_id: Option<String>,
        /// Rocket.Chat: read a new personal access token from stdin.
        #[arg(long = "token-stdin", requires = "user_id")]
        token_stdin: bool,
        /// Zulip: take the new API key from a zuliprc file.
        #[arg(long)]
        zuliprc: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AddAccount {
    /// A Zulip account: the API key is read from stdin, or taken from --zuliprc.
    Zulip(AddZulip),
    /// A Rocket.Chat account: sign in with a password (read from stdin or prompted), or
    /// give a personal access token with --user-id and --token-stdin.
    #[command(name = "rocketchat")]
    RocketChat(AddRocketChat),
    /// A Zoom account (presence only). Sign in through the browser with your own Zoom
    /// OAuth app, or use an admin's Server-to-Server app with --server-to-server. The
    /// client secret is read from stdin.
    Zoom(AddZoom),
    /// A Mattermost account: a personal access token read from stdin (--token-stdin), or
    /// sign in with --user and a password (read from stdin or prompted; --code for MFA).
    Mattermost(AddMattermost),
    /// A Matrix account: sign in with --user and a password (read from stdin or prompted),
    /// or give an access token on stdin (--token-stdin). The homeserver is found from the
    /// user id's domain unless --homeserver is given.
    Matrix(AddMatrix),
    /// A Slack account (one workspace): sign in through the browser with your own Slack app
    /// (--client-id; PKCE on, no client secret), or paste a user token (xoxp-…) on stdin
    /// with --token-stdin.
    Slack(AddSlack),
}

#[derive(Debug, Args)]
pub struct AddSlack {
    /// A short name for the account, e.g. "acme".
    pub id: String,
    /// The Slack app's client id (Basic Information → App Credentials), for the browser
    /// sign-in.
    #[arg(long = "client-id", conflicts_with = "token_stdin")]
    pub client_id: Option<String>,
    /// Read a user token (xoxp-…, OAuth & Permissions → User OAuth Token) from stdin.
    #[arg(long = "token-stdin")]
    pub token_stdin: bool,
    /// The loopback port Slack redirects to; register http://localhost:PORT/slack/callback
    /// as the app's redirect URL.
    #[arg(long = "redirect-port", default_value_t = presently_core::providers::slack::DEFAULT_REDIRECT_PORT)]
    pub redirect_port: u16,
    /// Another Slack address (default https://slack.com; GovSlack: https://slack-gov.com).
    #[arg(long, value_name = "URL")]
    pub base: Option<String>,
    #[command(flatten)]
    pub browser: BrowserArgs,
}

#[derive(Debug, Args)]
pub struct AddMatrix {
    /// A short name for the account, e.g. "matrix".
    pub id: String,
    /// The full user id, e.g. @alice:example.org (or the user name with --homeserver).
    #[arg(long)]
    pub user: Option<String>,
    /// The homeserver's address, e.g. https://matrix.example.org; found from the user id's
    /// domain (/.well-known/matrix/client) when not given.
    #[arg(long)]
    pub homeserver: Option<String>,
    /// Read an access token from stdin instead of signing in (Element: Settings → Help &
    /// About → Access token).
    #[arg(long = "token-stdin")]
    pub token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct AddMattermost {
    /// A short name for the account, e.g. "team".
    pub id: String,
    /// The server URL, e.g. https://chat.example.com.
    #[arg(long)]
    pub server: String,
    /// E-mail or user name to sign in with.
    #[arg(long, conflicts_with = "token_stdin")]
    pub user: Option<String>,
    /// The MFA code, when the account has multi-factor authentication.
    #[arg(long)]
    pub code: Option<String>,
    /// Read a personal access token from stdin instead of signing in (Profile → Security →
    /// Personal Access Tokens; the server must allow them).
    #[arg(long = "token-stdin")]
    pub token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct AddZoom {
    /// A short name for the account, e.g. "zoom".
    pub id: String,
    /// The OAuth app's client id (Zoom App Marketplace → your app → App Credentials).
    #[arg(long = "client-id")]
    pub client_id: String,
    /// Use a Server-to-Server OAuth app (admins): no browser, presence of any user of the account.
    #[arg(long = "server-to-server", requires = "account_id")]
    pub server_to_server: bool,
    /// The Zoom account id of the Server-to-Server app.
    #[arg(long = "account-id", requires = "server_to_server")]
    pub account_id: Option<String>,
    /// Server-to-Server: whose presence the account changes, by Zoom user id or e-mail
    /// (default: the app's owner).
    #[arg(long, requires = "server_to_server")]
    pub user: Option<String>,
    /// The loopback port Zoom redirects to; register http://127.0.0.1:PORT/oauth/callback
    /// as the app's redirect URL.
    #[arg(long = "redirect-port", default_value_t = presently_core::providers::zoom::DEFAULT_REDIRECT_PORT)]
    pub redirect_port: u16,
    /// Another Zoom API endpoint (default https://api.zoom.us/v2).
    #[arg(long = "api-base", value_name = "URL")]
    pub api_base: Option<String>,
    /// Another Zoom sign-in endpoint (default https://zoom.us).
    #[arg(long = "auth-base", value_name = "URL")]
    pub auth_base: Option<String>,
    #[command(flatten)]
    pub browser: BrowserArgs,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct BrowserArgs {
    /// Only print the sign-in address; open it yourself.
    #[arg(long = "no-browser")]
    pub no_browser: bool,
}

#[derive(Debug, Args)]
pub struct AddRocketChat {
    /// A short name for the account, e.g. "team".
    pub id: String,
    /// The workspace URL, e.g. https://chat.example.com.
    #[arg(long)]
    pub server: String,
    /// User name or e-mail to sign in with.
    #[arg(long)]
    pub user: Option<String>,
    /// The second-factor code (authenticator app or e-mail), when the server asks for one.
    #[arg(long)]
    pub code: Option<String>,
    /// With --token-stdin: the user id shown beside the personal access token.
    #[arg(long = "user-id", requires = "token_stdin")]
    pub user_id: Option<String>,
    /// Read a personal access token from stdin instead of signing in.
    #[arg(long = "token-stdin", requires = "user_id")]
    pub token_stdin: bool,
}

#[derive(Debug, Args)]
pub struct AddZulip {
    /// A short name for the account, e.g. "work".
    pub id: String,
    /// The organization URL, e.g. https://chat.example.org.
    #[arg(long)]
    pub site: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Read site, e-mail and API key from a zuliprc file (Zulip: "Download zuliprc").
    #[arg(long)]
    pub zuliprc: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Create, update and delete the custom statuses Presently manages on this server.
    #[command(name = "rocketchat")]
    RocketChat {
        id: String,
        /// Only print what would change.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PresetCommand {
    List,
}

#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// Only these accounts (repeatable); default all.
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
    /// Someone else's status, by their user id on the service (admins).
    #[arg(long, value_name = "USER_ID")]
    pub user: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The preset to apply (id or name); the options below override its fields.
    pub preset: Option<String>,
    #[arg(long)]
    pub text: Option<String>,
    /// An emoji like 🍔 or a name like :palm_tree: ("" for none).
    #[arg(long)]
    pub emoji: Option<String>,
    /// available, away, busy, dnd or offline.
    #[arg(long)]
    pub availability: Option<String>,
    /// How long it lasts: 30m, 1h, 1h 30m.
    #[arg(long = "for", value_name = "DURATION", conflicts_with = "until")]
    pub duration: Option<String>,
    /// When it ends, in local time: 17:00, "tomorrow 09:00", 2026-12-24 (through that day),
    /// "2026-12-24 17:00", today, "this week".
    #[arg(long, value_name = "END")]
    pub until: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub pacing: PacingArgs,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct PacingArgs {
    /// When a service takes one change a minute (Zoom) and its minute is not up, exit 1
    /// naming the time instead of waiting (with the tray app running, it sends it then).
    #[arg(long = "no-wait")]
    pub no_wait: bool,
}
