//! What several core test files share: a browser played against the fake Zoom, and a
//! Rocket.Chat account signed in on its fake. Each test binary uses only some of it.
#![allow(dead_code)]

pub mod synapse;

use async_trait::async_trait;
use presently_core::providers::{Service, SignInPrompt};
use presently_fakes::zoom::{FakeZoom, USER_APP_CLIENT_ID};

/// Plays the browser of a Zoom sign-in: registers the redirect, opens the consent page and
/// follows its redirect back to Presently's listener.
pub struct Browser<'a> {
    pub fake: &'a FakeZoom,
}

#[async_trait]
impl SignInPrompt for Browser<'_> {
    async fn code(&self, method: &str) -> presently_core::Result<String> {
        panic!("Zoom asks for no code ({method})")
    }

    async fn open_browser(
        &self,
        service: Service,
        url: &url::Url,
        redirect_uri: &str,
    ) -> presently_core::Result<()> {
        assert_eq!(service, Service::Zoom);
        self.fake.add_redirect_url(USER_APP_CLIENT_ID, redirect_uri);
        let url = url.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let consent = http.get(url).send().await.expect("authorize");
            assert_eq!(consent.status(), 302, "the consent page redirects back");
            let back = consent.headers()["location"]
                .to_str()
                .expect("ascii")
                .to_owned();
            http.get(back).send().await.expect("loopback");
        });
        Ok(())
    }
}

/// Adds the fake Rocket.Chat's `user` as account `id`, signing in with their password.
pub async fn add_rocketchat(
    session: &presently_core::session::Session,
    id: &str,
    rc: &presently_fakes::rocketchat::FakeRocketChat,
    user: &presently_fakes::rocketchat::RcUser,
) {
    let credentials = presently_core::providers::rocketchat::NewCredentials::Password {
        server: rc.url(),
        user: user.username.clone(),
        password: secrecy::SecretString::from(user.password.clone()),
        code: None,
    };
    session
        .add_account(
            id,
            None,
            presently_core::providers::NewCredentials::RocketChat(credentials),
            &presently_core::providers::Unattended,
        )
        .await
        .expect("Rocket.Chat account added");
}

/// Plays the browser of a Slack sign-in: opens the consent page (the fake's browser user
/// approves) and follows its redirect back to Presently's listener.
pub struct SlackBrowser;

#[async_trait]
impl SignInPrompt for SlackBrowser {
    async fn code(&self, method: &str) -> presently_core::Result<String> {
        panic!("Slack asks for no code ({method})")
    }

    async fn open_browser(
        &self,
        service: Service,
        url: &url::Url,
        _redirect_uri: &str,
    ) -> presently_core::Result<()> {
        assert_eq!(service, Service::Slack);
        let url = url.clone();
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let consent = http.get(url).send().await.expect("authorize");
            assert_eq!(consent.status(), 302, "the consent page redirects back");
            let back = consent.headers()["location"]
                .to_str()
                .expect("ascii")
                .to_owned();
            http.get(back).send().await.expect("loopback");
        });
        Ok(())
    }
}
