//! How a Rocket.Chat account gets its credentials: a password sign-in (`POST /api/v1/login`)
//! with the second factor the server asks for, by authenticator app or e-mail, or a personal
//! access token with its user id. Only the login token and user id are kept; a password never.
//! Sources: <https://developer.rocket.chat/apidocs/login-with-username-and-password>,
//! <https://docs.rocket.chat/docs/two-factor-authentication>.

use secrecy::SecretString;

use super::{client_for, secrets_of, Credentials, Login, RocketChatSettings};
use crate::error::{AccountLabel, Error, ProviderError, Result};
use crate::providers::{AccountSettings, Connect, ObtainCredentials, Obtained, SignInPrompt};

/// What a face collected to add a Rocket.Chat account.
pub enum NewCredentials {
    /// User name (or e-mail) and password; `code` is a second-factor code known up front.
    Password {
        server: String,
        user: String,
        password: SecretString,
        code: Option<String>,
    },
    /// A personal access token and the user id it belongs to (Account → Personal Access Tokens).
    PersonalToken {
        server: String,
        /// For listings; the user id when not given.
        user: Option<String>,
        user_id: String,
        token: SecretString,
    },
}

impl ObtainCredentials for NewCredentials {
    async fn obtain(
        self,
        label: &AccountLabel,
        with: &Connect,
        prompt: &dyn SignInPrompt,
    ) -> Result<Obtained> {
        let (server, user, credentials, signed_in) = match self {
            NewCredentials::PersonalToken {
                server,
                user,
                user_id,
                token,
            } => {
                let user = user.unwrap_or_else(|| user_id.clone());
                let credentials = Credentials {
                    auth_token: token,
                    user_id,
                };
                (server, user, credentials, false)
            }
            NewCredentials::Password {
                server,
                user,
                password,
                code,
            } => {
                let credentials = sign_in(&server, &user, &password, code, with, prompt)
                    .await
                    .map_err(|e| match e {
                        SignInError::Provider(e) => e.for_account(label.clone()),
                        SignInError::Face(e) => e,
                    })?;
                (server, user, credentials, true)
            }
        };
        Ok(Obtained {
            settings: AccountSettings::RocketChat(RocketChatSettings {
                server: server.trim().to_owned(),
                user,
                signed_in,
                custom_statuses: Default::default(),
            }),
            secrets: secrets_of(&credentials),
        })
    }
}

enum SignInError {
    Provider(ProviderError),
    /// The face could not give a code (no terminal, cancelled).
    Face(Error),
}

/// The password sign-in as a small state machine: sign in; when the server asks for a
/// second factor, ask the face for the code (by the server's method) and sign in once more.
async fn sign_in(
    server: &str,
    user: &str,
    password: &SecretString,
    mut code: Option<String>,
    with: &Connect,
    prompt: &dyn SignInPrompt,
) -> std::result::Result<Credentials, SignInError> {
    let client =
        client_for(server, with.http.clone(), with.timeout).map_err(SignInError::Provider)?;
    let mut asked = false;
    loop {
        match client
            .login(user, password, code.as_deref())
            .await
            .map_err(SignInError::Provider)?
        {
            Login::SignedIn(credentials) => return Ok(credentials),
            Login::NeedsCode { .. } if asked => {
                return Err(SignInError::Provider(ProviderError::AuthRejected {
                    reason: "the second-factor code was not accepted".into(),
                }))
            }
            Login::NeedsCode { method } => {
                asked = true;
                code = Some(prompt.code(&method).await.map_err(SignInError::Face)?);
            }
        }
    }
}
