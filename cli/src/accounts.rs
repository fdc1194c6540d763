//! `presently account add | list | test | remove`.

use presently_core::config::Account;
use presently_core::providers::zulip::{read_zuliprc, ZulipSettings, API_KEY};
use presently_core::providers::{AccountSettings, Identity};
use presently_core::Error;
use secrecy::SecretString;
use serde_json::json;
use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use crate::args::{AccountCommand, AddAccount, AddRocketChat, AddZulip};
use crate::output::print_json;
use crate::{config_file, open_session};
use presently_core::error::{AccountLabel, ProviderError};
use presently_core::providers::rocketchat::{self, Credentials, Login, RocketChatSettings};
use presently_core::providers::Service;

pub async fn run(command: AccountCommand, json: bool) -> Result<ExitCode, Error> {
    match command {
        AccountCommand::Add(AddAccount::Zulip(args)) => add_zulip(args, json).await,
        AccountCommand::Add(AddAccount::RocketChat(args)) => add_rocketchat(args, json).await,
        AccountCommand::Add(AddAccount::Zoom(args)) => crate::zoom::add(args, json).await,
        AccountCommand::Signin { id, browser } => {
            crate::zoom::sign_in_again(&id, browser, json).await
        }
        AccountCommand::List => list(json),
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

async fn add_zulip(args: AddZulip, json: bool) -> Result<ExitCode, Error> {
    let (site, email, key) = match &args.zuliprc {
        Some(path) => {
            let rc = read_zuliprc(path)?;
            (
                args.site.clone().or(rc.site),
                args.email.clone().unwrap_or(rc.email),
                rc.key,
            )
        }
        None => {
            let email = args
                .email
                .clone()
                .ok_or_else(|| Error::invalid("give --email (or --zuliprc FILE)"))?;
            let key = read_secret(&format!("Zulip API key for {email}: "))?;
            (args.site.clone(), email, key)
        }
    };
    let site = site.ok_or_else(|| Error::invalid("give --site URL (the zuliprc has no site=)"))?;
    let account = Account {
        id: args.id.clone(),
        settings: AccountSettings::Zulip(ZulipSettings { site, email }),
    };
    let identity = open_session()?
        .add_account(account, vec![(API_KEY, key)])
        .await?;
    print_identity(&args.id, &identity, "added", json);
    Ok(ExitCode::SUCCESS)
}

async fn add_rocketchat(args: AddRocketChat, json: bool) -> Result<ExitCode, Error> {
    let mut session = open_session()?;
    let (credentials, user, signed_in) = match (&args.user_id, args.token_stdin) {
        (Some(user_id), true) => {
            let token = read_secret("Personal access token: ")?;
            let credentials = Credentials {
                auth_token: token,
                user_id: user_id.clone(),
            };
            (
                credentials,
                args.user.clone().unwrap_or_else(|| user_id.clone()),
                false,
            )
        }
        _ => {
            let user = args.user.clone().ok_or_else(|| {
                Error::invalid(
                    "give --user NAME (password on stdin), or --user-id UID --token-stdin",
                )
            })?;
            let password = read_secret(&format!("Rocket.Chat password for {user}: "))?;
            let http = presently_core::http::client(session.timeout())?;
            let client = rocketchat::client_for(&args.server, http, session.timeout())
                .map_err(|e| Error::invalid(e.to_string()))?;
            let label = AccountLabel {
                service: Service::RocketChat,
                id: args.id.clone(),
            };
            let signed_in = client.login(&user, &password, args.code.as_deref()).await;
            let credentials = match signed_in.map_err(|e| e.for_account(label.clone()))? {
                Login::SignedIn(credentials) => credentials,
                Login::NeedsCode { method } => {
                    let code = ask_code(&method, args.code.is_some())?;
                    match client
                        .login(&user, &password, Some(&code))
                        .await
                        .map_err(|e| e.for_account(label.clone()))?
                    {
                        Login::SignedIn(credentials) => credentials,
                        Login::NeedsCode { .. } => {
                            return Err(ProviderError::AuthRejected {
                                reason: "the second-factor code was not accepted".into(),
                            }
                            .for_account(label))
                        }
                    }
                }
            };
            (credentials, user, true)
        }
    };
    let account = Account {
        id: args.id.clone(),
        settings: AccountSettings::RocketChat(RocketChatSettings {
            server: args.server.clone(),
            user,
            signed_in,
            custom_statuses: Default::default(),
        }),
    };
    let identity = session
        .add_account(account, rocketchat::secrets_of(&credentials))
        .await?;
    print_identity(&args.id, &identity, "added", json);
    Ok(ExitCode::SUCCESS)
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
                    value["error"] = json!(e.to_string());
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

/// Asks for the second factor on a terminal; elsewhere says how to give it.
fn ask_code(method: &str, already_given: bool) -> Result<String, Error> {
    let source = if method == "email" {
        "the code Rocket.Chat just sent by e-mail"
    } else {
        "the code from your authenticator app"
    };
    if already_given || !std::io::stdin().is_terminal() {
        return Err(Error::invalid(format!(
            "the server asks for a second factor ({method}); run again with --code and {source}"
        )));
    }
    let code = rpassword::prompt_password(format!("Enter {source}: "))
        .map_err(|e| Error::invalid(format!("cannot read the code: {e}")))?;
    Ok(code.trim().to_owned())
}

/// Reads a secret: without echo on a terminal, else the first line of stdin.
pub fn read_secret(prompt: &str) -> Result<SecretString, Error> {
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

pub fn print_identity(id: &str, identity: &Identity, verb: &str, json: bool) {
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
            println!(
                "{:<12} {:<8} {}",
                account.id,
                account.service().display_name(),
                account.settings.describe()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
