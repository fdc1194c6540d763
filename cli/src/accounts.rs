//! `presently account add | list | test | signin | remove` and `presently sync`: parses what
//! the user typed into a service's credentials and hands them to core, which runs the
//! service's own sign-in.

use presently_core::providers::zoom::{ZoomAuth, ZoomSettings};
use presently_core::providers::{
    matrix, mattermost, rocketchat, slack, zoom, zulip, AccountSettings, Identity, NewCredentials,
};
use presently_core::Error;
use secrecy::SecretString;
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use crate::args::{
    AccountCommand, AddAccount, AddMatrix, AddMattermost, AddRocketChat, AddSlack, AddZoom,
    AddZulip,
};
use crate::output::print_json;
use crate::prompt::Terminal;
use crate::{config_file, open_session};

pub async fn run(command: AccountCommand, json: bool) -> Result<ExitCode, Error> {
    match command {
        AccountCommand::Add { label, service } => {
            let (id, credentials, prompt) = match service {
                AddAccount::Zulip(args) => zulip_credentials(args, json)?,
                AddAccount::RocketChat(args) => rocketchat_credentials(args, json)?,
                AddAccount::Zoom(args) => zoom_credentials(args, json)?,
                AddAccount::Mattermost(args) => mattermost_credentials(args, json)?,
                AddAccount::Matrix(args) => matrix_credentials(args, json)?,
                AddAccount::Slack(args) => slack_credentials(args, json)?,
            };
            let identity = open_session()?
                .add_account(&id, label, credentials, &prompt)
                .await?;
            print_identity(&id, &identity, "added", json);
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Signin {
            id,
            browser,
            code,
            user_id,
            token_stdin: _,
            zuliprc,
        } => {
            let prompt = Terminal {
                json,
                no_browser: browser.no_browser,
                code_given: code.is_some(),
            };
            let session = open_session()?;
            let config = session.config();
            let account = config.account(&id).ok_or_else(|| {
                Error::invalid(format!(
                    "no account called {id:?}; `presently account list` shows them"
                ))
            })?;
            let credentials = match &account.settings {
                AccountSettings::Zulip(settings) => Some(NewCredentials::Zulip(match zuliprc {
                    Some(path) => zulip::NewCredentials::Zuliprc {
                        path,
                        site: Some(settings.site.clone()),
                        email: Some(settings.email.clone()),
                    },
                    None => zulip::NewCredentials::ApiKey {
                        site: settings.site.clone(),
                        email: settings.email.clone(),
                        api_key: read_secret(&format!(
                            "New Zulip API key for {}: ",
                            settings.email
                        ))?,
                    },
                })),
                AccountSettings::RocketChat(settings) => {
                    Some(NewCredentials::RocketChat(match user_id {
                        Some(user_id) => rocketchat::NewCredentials::PersonalToken {
                            server: settings.server.clone(),
                            user: Some(settings.user.clone()),
                            user_id,
                            token: read_secret("Personal access token: ")?,
                        },
                        None => rocketchat::NewCredentials::Password {
                            server: settings.server.clone(),
                            user: settings.user.clone(),
                            password: read_secret(&format!(
                                "Rocket.Chat password for {}: ",
                                settings.user
                            ))?,
                            code,
                        },
                    }))
                }
                AccountSettings::Mattermost(settings) => Some(NewCredentials::Mattermost(
                    mattermost::NewCredentials::Password {
                        server: settings.server.clone(),
                        login_id: settings.user.clone(),
                        password: read_secret(&format!(
                            "Mattermost password for {}: ",
                            settings.user
                        ))?,
                        code,
                    },
                )),
                AccountSettings::Matrix(settings) => {
                    Some(NewCredentials::Matrix(matrix::NewCredentials::Password {
                        homeserver: Some(settings.homeserver.clone()),
                        user: settings.user_id.clone(),
                        password: read_secret(&format!(
                            "Matrix password for {}: ",
                            settings.user_id
                        ))?,
                    }))
                }
                // Zoom signs in again through the browser with the stored app secret;
                // Slack through the browser with the app's client id.
                AccountSettings::Zoom(_) => None,
                AccountSettings::Slack(settings) if settings.client_id.is_empty() => {
                    Some(NewCredentials::Slack(slack::NewCredentials::Token {
                        base: settings.base.clone(),
                        token: read_secret("New Slack user token (xoxp-…): ")?,
                    }))
                }
                AccountSettings::Slack(_) => None,
            };
            let identity = session.sign_in_again(&id, credentials, &prompt).await?;
            print_identity(&id, &identity, "signed in again", json);
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::List => list(json),
        AccountCommand::Rename { id, label } => {
            open_session()?.rename_account(&id, label.clone())?;
            if json {
                print_json(&json!({ "ok": true, "account": id, "label": label }));
            } else {
                match label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                    Some(label) => println!("{id} is now shown as {:?}.", label),
                    None => println!("{id} is shown by its id again."),
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Test { id } => {
            let identity = open_session()?.test_account(&id).await?;
            print_identity(&id, &identity, "works", json);
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Remove { id } => {
            let notes = open_session()?.remove_account(&id).await?;
            if json {
                print_json(&json!({ "ok": true, "removed": id, "notes": notes }));
            } else {
                println!("Removed account {id} and its keyring entries.");
                for note in notes {
                    println!("  {note}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn no_questions(json: bool) -> Terminal {
    Terminal {
        json,
        no_browser: true,
        code_given: false,
    }
}

fn zulip_credentials(
    args: AddZulip,
    json: bool,
) -> Result<(String, NewCredentials, Terminal), Error> {
    let credentials = match args.zuliprc {
        Some(path) => zulip::NewCredentials::Zuliprc {
            path,
            site: args.site,
            email: args.email,
        },
        None => {
            let email = args
                .email
                .ok_or_else(|| Error::invalid("give --email (or --zuliprc FILE)"))?;
            let api_key = read_secret(&format!("Zulip API key for {email}: "))?;
            zulip::NewCredentials::ApiKey {
                site: args.site.unwrap_or_default(),
                email,
                api_key,
            }
        }
    };
    Ok((
        args.id,
        NewCredentials::Zulip(credentials),
        no_questions(json),
    ))
}

fn rocketchat_credentials(
    args: AddRocketChat,
    json: bool,
) -> Result<(String, NewCredentials, Terminal), Error> {
    let prompt = Terminal {
        json,
        no_browser: true,
        code_given: args.code.is_some(),
    };
    let credentials = match (args.user_id, args.token_stdin) {
        (Some(user_id), true) => rocketchat::NewCredentials::PersonalToken {
            server: args.server,
            user: args.user,
            user_id,
            token: read_secret("Personal access token: ")?,
        },
        _ => {
            let user = args.user.ok_or_else(|| {
                Error::invalid(
                    "give --user NAME (password on stdin), or --user-id UID --token-stdin",
                )
            })?;
            let password = read_secret(&format!("Rocket.Chat password for {user}: "))?;
            rocketchat::NewCredentials::Password {
                server: args.server,
                user,
                password,
                code: args.code,
            }
        }
    };
    Ok((args.id, NewCredentials::RocketChat(credentials), prompt))
}

fn mattermost_credentials(
    args: AddMattermost,
    json: bool,
) -> Result<(String, NewCredentials, Terminal), Error> {
    let prompt = Terminal {
        json,
        no_browser: true,
        code_given: args.code.is_some(),
    };
    let credentials = if args.token_stdin {
        mattermost::NewCredentials::PersonalToken {
            server: args.server,
            token: read_secret("Mattermost personal access token: ")?,
        }
    } else {
        let login_id = args.user.ok_or_else(|| {
            Error::invalid("give --user NAME (password on stdin), or --token-stdin")
        })?;
        let password = read_secret(&format!("Mattermost password for {login_id}: "))?;
        mattermost::NewCredentials::Password {
            server: args.server,
            login_id,
            password,
            code: args.code,
        }
    };
    Ok((args.id, NewCredentials::Mattermost(credentials), prompt))
}

fn matrix_credentials(
    args: AddMatrix,
    json: bool,
) -> Result<(String, NewCredentials, Terminal), Error> {
    let credentials = if args.token_stdin {
        if args.homeserver.is_none() && args.user.is_none() {
            return Err(Error::invalid(
                "give --homeserver URL, or --user @you:example.org to find it from",
            ));
        }
        matrix::NewCredentials::AccessToken {
            homeserver: args.homeserver,
            user_id: args.user,
            token: read_secret("Matrix access token: ")?,
        }
    } else {
        let user = args.user.ok_or_else(|| {
            Error::invalid("give --user @you:example.org (password on stdin), or --token-stdin")
        })?;
        let password = read_secret(&format!("Matrix password for {user}: "))?;
        matrix::NewCredentials::Password {
            homeserver: args.homeserver,
            user,
            password,
        }
    };
    Ok((
        args.id,
        NewCredentials::Matrix(credentials),
        no_questions(json),
    ))
}

fn slack_credentials(
    args: AddSlack,
    json: bool,
) -> Result<(String, NewCredentials, Terminal), Error> {
    let base = args.base.unwrap_or_else(|| slack::SLACK_BASE.to_owned());
    let credentials = match (args.token_stdin, args.client_id) {
        (true, _) => slack::NewCredentials::Token {
            base,
            token: read_secret("Slack user token (xoxp-…): ")?,
        },
        (false, Some(client_id)) => slack::NewCredentials::Browser {
            base,
            client_id,
            redirect_port: args.redirect_port,
        },
        (false, None) => {
            return Err(Error::invalid(
                "give --client-id ID to sign in through the browser, or --token-stdin to paste a user token",
            ))
        }
    };
    let prompt = Terminal {
        json,
        no_browser: args.browser.no_browser,
        code_given: false,
    };
    Ok((args.id, NewCredentials::Slack(credentials), prompt))
}

fn zoom_credentials(
    args: AddZoom,
    json: bool,
) -> Result<(String, NewCredentials, Terminal), Error> {
    let auth = if args.server_to_server {
        ZoomAuth::ServerToServer
    } else {
        ZoomAuth::User
    };
    let mut settings = ZoomSettings::new(auth, &args.client_id);
    settings.account_id = args.account_id;
    settings.user = args.user;
    settings.redirect_port = args.redirect_port;
    if let Some(api_base) = args.api_base {
        settings.api_base = api_base;
    }
    if let Some(auth_base) = args.auth_base {
        settings.auth_base = auth_base;
    }
    // Before the secret is asked for: a typo is reported at once.
    settings.validate(&args.id)?;
    let client_secret = read_secret("Zoom app client secret: ")?;
    let prompt = Terminal {
        json,
        no_browser: args.browser.no_browser,
        code_given: false,
    };
    let credentials = zoom::NewCredentials {
        settings,
        client_secret,
    };
    Ok((args.id, NewCredentials::Zoom(credentials), prompt))
}

/// `presently sync rocketchat ID [--dry-run]`: one line per change.
pub async fn sync(id: &str, dry_run: bool, json: bool) -> Result<ExitCode, Error> {
    let results = open_session()?.sync_custom_statuses(id, dry_run).await?;
    let all_ok = results.iter().all(|(_, r)| r.is_ok());
    if json {
        let changes: Vec<_> = results
            .iter()
            .map(|(change, result)| {
                let mut value = json!(change);
                value["ok"] = json!(result.is_ok());
                if let Err(e) = result {
                    value["error"] = json!(e.report(None));
                }
                value
            })
            .collect();
        print_json(&json!({ "ok": all_ok, "dry_run": dry_run, "changes": changes }));
    } else if results.is_empty() {
        println!("Custom statuses on {id} already match the presets; nothing to change.");
    } else {
        for (change, result) in &results {
            match result {
                Ok(()) if dry_run => println!("would {change}"),
                Ok(()) => println!("{change}"),
                Err(e) => println!("✗ {change}: {e}"),
            }
        }
    }
    Ok(crate::exit_for(all_ok))
}

/// Reads a secret: without echo on a terminal, else the first line of stdin.
fn read_secret(prompt: &str) -> Result<SecretString, Error> {
    let value = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
            .map_err(|e| Error::invalid(format!("cannot read the secret: {e}")))?
    } else {
        let mut input = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut input)
            .map_err(|e| Error::invalid(format!("cannot read the secret from stdin: {e}")))?;
        input.lines().next().unwrap_or_default().to_owned()
    };
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(Error::invalid("no secret given on stdin"));
    }
    Ok(SecretString::from(value))
}

fn print_identity(id: &str, identity: &Identity, verb: &str, json: bool) {
    if json {
        print_json(&json!({ "ok": true, "account": id, "identity": identity }));
    } else {
        let admin = if identity.is_admin {
            ", administrator"
        } else {
            ""
        };
        println!(
            "Account {id} {verb}: signed in as {} (user {}{admin}) on {}.",
            identity.name, identity.user_id, identity.server
        );
    }
}

fn list(json: bool) -> Result<ExitCode, Error> {
    let config = config_file()?.load_or_create()?;
    if json {
        print_json(&json!({ "ok": true, "accounts": config.accounts }));
    } else if config.accounts.is_empty() {
        println!("No accounts yet; add one with `presently account add zulip ID --site URL --email EMAIL`.");
    } else {
        for account in &config.accounts {
            let named = match &account.label {
                Some(label) => format!(" \"{label}\""),
                None => String::new(),
            };
            println!(
                "{:<12} {:<8} {}{named}",
                account.id,
                account.service().display_name(),
                account.settings.describe()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
