//! How a Matrix account gets its credentials: a password login (`m.login.password`) or an
//! access token the user gives; the homeserver given, or found from the user id's domain
//! through `/.well-known/matrix/client` (server discovery, spec §"Server Discovery":
//! <https://spec.matrix.org/v1.15/client-server-api/#server-discovery>). Only the access
//! token is kept; a password never.

use secrecy::SecretString;
use url::Url;

use super::client::MatrixClient;
use super::{user_domain, MatrixSettings, ACCESS_TOKEN};
use crate::error::{AccountLabel, ProviderError, Result};
use crate::providers::{AccountSettings, Connect, ObtainCredentials, Obtained, SignInPrompt};

/// What a face collected to add a Matrix account.
pub enum NewCredentials {
    /// A user id ("@alice:example.org", or "alice" with a homeserver) and its password.
    Password {
        homeserver: Option<String>,
        user: String,
        password: SecretString,
    },
    /// An access token (Element: Settings → Help & About → Access token); the homeserver,
    /// or a user id to find it from.
    AccessToken {
        homeserver: Option<String>,
        user_id: Option<String>,
        token: SecretString,
    },
}

impl ObtainCredentials for NewCredentials {
    async fn obtain(
        self,
        label: &AccountLabel,
        with: &Connect,
        _prompt: &dyn SignInPrompt,
    ) -> Result<Obtained> {
        let account = |e: ProviderError| e.for_account(label.clone());
        match self {
            NewCredentials::Password {
                homeserver,
                user,
                password,
            } => {
                let user = user.trim().to_owned();
                let homeserver = homeserver_for(homeserver, Some(&user), with)
                    .await
                    .map_err(account)?;
                let client = MatrixClient::new(with.http.clone(), &homeserver, with.timeout)
                    .map_err(account)?;
                let logged_in = client.login(&user, &password).await.map_err(account)?;
                Ok(Obtained {
                    settings: AccountSettings::Matrix(MatrixSettings {
                        homeserver: homeserver.as_str().trim_end_matches('/').to_owned(),
                        user_id: logged_in.user_id,
                        signed_in: true,
                    }),
                    secrets: vec![(ACCESS_TOKEN, logged_in.access_token)],
                })
            }
            NewCredentials::AccessToken {
                homeserver,
                user_id,
                token,
            } => {
                let user_id = user_id
                    .map(|u| u.trim().to_owned())
                    .filter(|u| !u.is_empty());
                let homeserver = homeserver_for(homeserver, user_id.as_deref(), with)
                    .await
                    .map_err(account)?;
                Ok(Obtained {
                    settings: AccountSettings::Matrix(MatrixSettings {
                        homeserver: homeserver.as_str().trim_end_matches('/').to_owned(),
                        // Learned from whoami when the token is checked.
                        user_id: String::new(),
                        signed_in: false,
                    }),
                    secrets: vec![(ACCESS_TOKEN, token)],
                })
            }
        }
    }
}

/// The homeserver: the one given, else the one the user id's domain names.
async fn homeserver_for(
    given: Option<String>,
    user: Option<&str>,
    with: &Connect,
) -> std::result::Result<Url, ProviderError> {
    if let Some(given) = given.filter(|g| !g.trim().is_empty()) {
        return crate::http::provider_url(&given);
    }
    let domain = user.and_then(user_domain).ok_or_else(|| ProviderError::InvalidSetting {
        field: "homeserver",
        message: "give the homeserver's address, or the full user id (@alice:example.org) to find it from"
            .into(),
    })?;
    discover(domain, with).await
}

/// Server discovery: `GET https://<domain>/.well-known/matrix/client` (plain http only for
/// a loopback domain, as everywhere in Presently), its `m.homeserver.base_url` checked to
/// be a homeserver (`/_matrix/client/versions`); without the file, the domain itself. No
/// credentials go with these requests.
pub(crate) async fn discover(
    domain: &str,
    with: &Connect,
) -> std::result::Result<Url, ProviderError> {
    let host = domain.rsplit_once(':').map_or(domain, |(host, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            host
        } else {
            domain
        }
    });
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let scheme = if loopback { "http" } else { "https" };
    let origin = crate::http::provider_url(&format!("{scheme}://{domain}"))?;
    let well_known = origin
        .join("/.well-known/matrix/client")
        .map_err(|e| ProviderError::Protocol(format!("bad domain {domain:?}: {e}")))?;
    let request = with.http.get(well_known).timeout(with.timeout);
    let response = crate::http::send(request, with.timeout).await?;
    let base = if response.status() == reqwest::StatusCode::NOT_FOUND {
        origin
    } else if response.status().is_success() {
        let bytes = crate::http::read_capped(response, with.timeout).await?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
            ProviderError::Protocol(format!(
                "{domain}'s /.well-known/matrix/client is not JSON: {}",
                crate::http::snippet(&bytes)
            ))
        })?;
        let base_url = value["m.homeserver"]["base_url"].as_str().ok_or_else(|| {
            ProviderError::Protocol(format!(
                "{domain}'s /.well-known/matrix/client names no m.homeserver.base_url"
            ))
        })?;
        crate::http::provider_url(base_url)?
    } else {
        return Err(ProviderError::Protocol(format!(
            "{domain}'s /.well-known/matrix/client answered HTTP {}; give the homeserver's address",
            response.status().as_u16()
        )));
    };
    // The spec asks clients to check the homeserver is one.
    MatrixClient::new(with.http.clone(), &base, with.timeout)?
        .features()
        .await?;
    Ok(base)
}
