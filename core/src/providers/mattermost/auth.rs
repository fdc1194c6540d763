//! How a Mattermost account gets its credentials: a personal access token (Profile →
//! Security → Personal Access Tokens, where the server allows them), or a password sign-in
//! (`POST /api/v4/users/login`) with the MFA code when the user has one. Only the token is
//! kept; a password never. Sources: <https://developers.mattermost.com/api-documentation/#/#authentication>,
//! <https://docs.mattermost.com/developer/personal-access-tokens.html>.

use secrecy::SecretString;

use super::client::Login;
use super::{client_for, MattermostSettings, TOKEN};
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::providers::{AccountSettings, Connect, ObtainCredentials, Obtained, SignInPrompt};

/// What a face collected to add a Mattermost account.
pub enum NewCredentials {
    /// E-mail or user name and password; `code` is an MFA code known up front.
    Password {
        server: String,
        login_id: String,
        password: SecretString,
        code: Option<String>,
    },
    /// A personal access token; whose it is, the server says.
    PersonalToken { server: String, token: SecretString },
}

impl ObtainCredentials for NewCredentials {
    async fn obtain(
        self,
        label: &AccountLabel,
        with: &Connect,
        prompt: &dyn SignInPrompt,
    ) -> Result<Obtained> {
        let (server, user, user_id, token, signed_in) = match self {
            NewCredentials::PersonalToken { server, token } => {
                (server, String::new(), String::new(), token, false)
            }
            NewCredentials::Password {
                server,
                login_id,
                password,
                code,
            } => {
                let (token, me) = sign_in(&server, &login_id, &password, code, with, prompt)
                    .await
                    .map_err(|e| match e {
                        SignInError::Provider(e) => e.for_account(label.clone()),
                        SignInError::Face(e) => e,
                    })?;
                (server, me.username, me.id, token, true)
            }
        };
        Ok(Obtained {
            settings: AccountSettings::Mattermost(MattermostSettings {
                server: server.trim().to_owned(),
                user,
                user_id,
                signed_in,
            }),
            secrets: vec![(TOKEN, token)],
        })
    }
}

enum SignInError {
    Provider(ProviderError),
    /// The face could not give a code (no terminal, cancelled).
    Face(Error),
}

/// Sign in; when the server asks for the MFA code, ask the face and sign in once more.
async fn sign_in(
    server: &str,
    login_id: &str,
    password: &SecretString,
    mut code: Option<String>,
    with: &Connect,
    prompt: &dyn SignInPrompt,
) -> std::result::Result<(SecretString, super::client::Me), SignInError> {
    let client =
        client_for(server, with.http.clone(), with.timeout).map_err(SignInError::Provider)?;
    loop {
        match client
            .login(login_id, password, code.as_deref())
            .await
            .map_err(SignInError::Provider)?
        {
            Login::SignedIn { token, me } => return Ok((token, me)),
            Login::NeedsCode if code.is_some() => {
                return Err(SignInError::Provider(ProviderError::AuthRejected {
                    reason: "the MFA code was not accepted".into(),
                }))
            }
            Login::NeedsCode => {
                code = Some(prompt.code("totp").await.map_err(SignInError::Face)?);
            }
        }
    }
}
