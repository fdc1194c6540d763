//! RFC 7636 PKCE as a Slack app with PKCE switched on uses it: the `code_challenge` sent to
//! `/oauth/v2/authorize` and its check against the `code_verifier` sent to `oauth.v2.access`
//! (<https://docs.slack.dev/authentication/using-pkce>).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The only `code_challenge_method` the fake takes. Slack's table of accepted values was not
/// retrieved (UNCONFIRMED); `S256` is the standard one, and `plain` (or no method) is
/// refused as the stricter reading.
pub(crate) const S256: &str = "S256";

/// The S256 challenge of `verifier`: `BASE64URL-NOPAD(SHA256(verifier))` (RFC 7636).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` is the one `challenge` (S256) was made from.
pub(crate) fn verifies(challenge: &str, verifier: &str) -> bool {
    s256(verifier) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
