//! Matrix against a real Synapse (tests/matrix/synapse.py): the homeserver found from the
//! user id through `/.well-known/matrix/client`, an access token whose user the server
//! names, a homeserver with presence switched off said plainly, and a password login's
//! device signed out when the account is removed. The conformance suite covers the rest.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use presently_core::clock::ManualClock;
use presently_core::providers::{matrix, AccountSettings, NewCredentials, Unattended};
use presently_core::secrets::{MemoryStore, SecretKey, SecretStore};
use presently_core::session::{Request, Session};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;
use common::synapse::{password, OtherClient};

fn session(dir: &tempfile::TempDir) -> (Session, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::default());
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let session = Session::open(dir.path(), store.clone(), clock).expect("session");
    (session, store)
}

/// A web server on 127.0.0.1 that answers every request with `/.well-known/matrix/client`
/// naming the homeserver in `base_url` (set once Synapse runs), as a domain's own site does.
async fn well_known(base_url: Arc<Mutex<String>>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let base_url = base_url.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let authorized = String::from_utf8_lossy(&request)
                    .to_ascii_lowercase()
                    .contains("authorization:");
                assert!(!authorized, "credentials went to the domain's web server");
                let url = base_url.lock().map(|u| u.clone()).unwrap_or_default();
                let body = serde_json::json!({"m.homeserver": {"base_url": url}}).to_string();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_homeserver_is_found_from_the_user_id_and_a_token_names_its_user() {
    let base_url = Arc::new(Mutex::new(String::new()));
    let port = well_known(base_url.clone()).await;
    let server_name = format!("127.0.0.1:{port}");
    let Some(synapse) = common::synapse::start(&["--server-name", &server_name]) else {
        return;
    };
    *base_url.lock().expect("lock") = synapse.url.clone();
    let dir = tempfile::tempdir().expect("dir");
    let (session, _) = session(&dir);
    let alice = synapse.user_id("alice");
    let identity = session
        .add_account(
            "mx",
            None,
            NewCredentials::Matrix(matrix::NewCredentials::Password {
                homeserver: None,
                user: alice.clone(),
                password: SecretString::from(password("alice")),
            }),
            &Unattended,
        )
        .await
        .expect("signed in through discovery");
    assert_eq!(identity.user_id, alice);
    assert!(
        identity.server.starts_with("Matrix homeserver (spec v1."),
        "{}",
        identity.server
    );
    let config = session.config();
    let Some(AccountSettings::Matrix(settings)) = config.account("mx").map(|a| &a.settings) else {
        panic!("a Matrix account");
    };
    assert_eq!(
        settings.homeserver, synapse.url,
        "the homeserver the domain named"
    );

    // An access token from another client: its user is whoever the server says.
    let token = synapse.login("bob");
    let identity = session
        .add_account(
            "mx-bob",
            None,
            NewCredentials::Matrix(matrix::NewCredentials::AccessToken {
                homeserver: None,
                user_id: Some(synapse.user_id("bob")),
                token: SecretString::from(token),
            }),
            &Unattended,
        )
        .await
        .expect("a token");
    assert_eq!(identity.user_id, synapse.user_id("bob"));
    let report = session
        .apply(&Request {
            preset: Some("lunch".into()),
            ..Request::default()
        })
        .await
        .expect("applied");
    assert!(report.all_succeeded(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_homeserver_with_presence_switched_off_is_said_plainly() {
    let Some(synapse) = common::synapse::start(&["--presence", "off"]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (session, _) = session(&dir);
    session
        .add_account(
            "mx",
            None,
            NewCredentials::Matrix(matrix::NewCredentials::Password {
                homeserver: Some(synapse.url.clone()),
                user: "alice".into(),
                password: SecretString::from(password("alice")),
            }),
            &Unattended,
        )
        .await
        .expect("signing in works without presence");
    let report = session
        .apply(&Request {
            preset: Some("lunch".into()),
            ..Request::default()
        })
        .await
        .expect("a report");
    let error = report.outcomes[0]
        .result
        .as_ref()
        .expect_err("nothing was kept");
    let shown = error.report(Some(&report.outcomes[0].account)).message;
    assert!(shown.starts_with("Matrix (mx): "), "{shown}");
    assert!(shown.contains("presence is switched off"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_password_account_signs_its_device_out() {
    let Some(synapse) = common::synapse::start(&[]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let (session, store) = session(&dir);
    session
        .add_account(
            "mx",
            None,
            NewCredentials::Matrix(matrix::NewCredentials::Password {
                homeserver: Some(synapse.url.clone()),
                user: synapse.user_id("alice"),
                password: SecretString::from(password("alice")),
            }),
            &Unattended,
        )
        .await
        .expect("signed in");
    let token = store
        .get(&SecretKey::new("mx", matrix::ACCESS_TOKEN))
        .expect("the keyring answers")
        .expect("a token");
    let whoami = |token: &str| {
        ureq::get(&format!("{}/_matrix/client/v3/account/whoami", synapse.url))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
            .map(|r| r.status())
            .unwrap_or_else(|e| match e {
                ureq::Error::Status(status, _) => status,
                other => panic!("{other}"),
            })
    };
    assert_eq!(whoami(token.expose_secret()), 200);
    session.remove_account("mx").await.expect("removed");
    assert_eq!(
        whoami(token.expose_secret()),
        401,
        "the device was signed out"
    );
}
