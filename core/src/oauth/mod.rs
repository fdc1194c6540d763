//! OAuth 2.0 pieces every browser sign-in shares (Zoom, Slack): the tokens as the keyring
//! keeps them, PKCE, the loopback redirect listener and the keeper that renews tokens.
//! What differs per service (its endpoints, its error words) stays in its provider folder.

mod keeper;
mod loopback;
mod tokens;

pub(crate) use keeper::{TokenEndpoint, TokenKeeper};
pub(crate) use loopback::{sign_in_with_browser, CodeGrant, Redirect};
pub(crate) use tokens::TokenSet;
