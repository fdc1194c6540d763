//! The real Synapse of the Matrix tests (`presently_fakes::synapse`), and what another
//! Matrix client of the same user does to it. Without Synapse installed the Matrix tests say
//! so and pass, unless `PRESENTLY_REQUIRE_SYNAPSE` is set (scripts/test.sh sets it).

pub use presently_fakes::synapse::{password, Synapse};

/// Starts one (see `Synapse::start`); `None` when none is installed and none is required.
pub fn start(args: &[&str]) -> Option<Synapse> {
    match Synapse::start(args) {
        Ok(Some(synapse)) => Some(synapse),
        Ok(None) => {
            assert!(
                std::env::var_os("PRESENTLY_REQUIRE_SYNAPSE").is_none(),
                "Synapse is required (PRESENTLY_REQUIRE_SYNAPSE) but not installed: run scripts/setup.sh"
            );
            eprintln!("SKIPPED: no Synapse installed (scripts/setup.sh installs it)");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

/// What the user's own Matrix app does, over plain HTTP to the test's Synapse.
pub trait OtherClient {
    /// Signs `user` in and returns the access token.
    fn login(&self, user: &str) -> String;
    /// Sets `user`'s presence and message.
    fn set_presence(&self, token: &str, user: &str, presence: &str, message: &str);
    /// Ends every device of `user` (`POST /logout/all`), Presently's too.
    fn log_out_everywhere(&self, user: &str);
}

impl OtherClient for Synapse {
    /// Signs `user` in from another client (as the user's own Matrix app would) and
    /// returns its access token.
    fn login(&self, user: &str) -> String {
        let body = serde_json::json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password(user),
        });
        let answer = ureq::post(&format!("{}/_matrix/client/v3/login", self.url))
            .send_string(&body.to_string())
            .expect("another client signs in");
        let value: serde_json::Value =
            serde_json::from_str(&answer.into_string().expect("a body")).expect("JSON");
        value["access_token"].as_str().expect("a token").to_owned()
    }

    /// Sets `user`'s presence from another client.
    fn set_presence(&self, token: &str, user: &str, presence: &str, message: &str) {
        let body = serde_json::json!({"presence": presence, "status_msg": message});
        ureq::put(&format!(
            "{}/_matrix/client/v3/presence/{}/status",
            self.url,
            self.user_id(user)
        ))
        .set("Authorization", &format!("Bearer {token}"))
        .send_string(&body.to_string())
        .expect("presence set from another client");
    }

    /// Ends every device of `user` (`POST /logout/all`), Presently's too.
    fn log_out_everywhere(&self, user: &str) {
        let token = self.login(user);
        ureq::post(&format!("{}/_matrix/client/v3/logout/all", self.url))
            .set("Authorization", &format!("Bearer {token}"))
            .send_string("{}")
            .expect("logged out everywhere");
    }
}
