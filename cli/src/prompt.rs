//! How the terminal answers a service's sign-in: a second-factor code typed without echo,
//! and the browser opened on the sign-in address (printed too, for a script or a person
//! on another machine).

use async_trait::async_trait;
use presently_core::providers::{Service, SignInPrompt};
use presently_core::Error;
use std::io::{IsTerminal, Write};

pub struct Terminal {
    pub json: bool,
    /// Only print the sign-in address.
    pub no_browser: bool,
    /// A second-factor code was given with `--code` already.
    pub code_given: bool,
}

#[async_trait]
impl SignInPrompt for Terminal {
    /// Asks for the second factor on a terminal; elsewhere says how to give it.
    async fn code(&self, method: &str) -> Result<String, Error> {
        let source = if method == "email" {
            "the code Rocket.Chat just sent by e-mail"
        } else {
            "the code from your authenticator app"
        };
        if self.code_given || !std::io::stdin().is_terminal() {
            return Err(Error::invalid(format!(
                "the server asks for a second factor ({method}); run again with --code and {source}"
            )));
        }
        let code = rpassword::prompt_password(format!("Enter {source}: "))
            .map_err(|e| Error::invalid(format!("cannot read the code: {e}")))?;
        Ok(code.trim().to_owned())
    }

    /// Prints the sign-in address (to stdout even with --json: a script must be able to
    /// open it) and opens it in the browser unless told not to.
    async fn open_browser(
        &self,
        service: Service,
        url: &url::Url,
        redirect_uri: &str,
    ) -> Result<(), Error> {
        if self.json {
            crate::output::print_json(&serde_json::json!({ "sign_in_url": url.as_str() }));
        } else {
            let name = service.display_name();
            println!("Sign in to {name} at this address:\n{url}");
            eprintln!("Waiting for {name} to send the browser back to {redirect_uri} …");
        }
        let _ = std::io::stdout().flush();
        if !self.no_browser {
            if let Err(e) = webbrowser::open(url.as_str()) {
                eprintln!("Cannot open a browser ({e}); open the address yourself.");
            }
        }
        Ok(())
    }
}
