//! RFC 7636 PKCE: the challenge sent to `/oauth/authorize` and its check against the
//! `code_verifier` sent to `/oauth/token`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// `code_challenge_method`; Zoom's default (parameter absent) is `plain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    S256,
    Plain,
}

impl Method {
    /// `None` for anything but `S256` and `plain` (exact spelling, as RFC 7636 names them).
    pub(crate) fn parse(raw: Option<&str>) -> Option<Method> {
        match raw {
            None => Some(Method::Plain),
            Some("S256") => Some(Method::S256),
            Some("plain") => Some(Method::Plain),
            Some(_) => None,
        }
    }
}

/// A challenge remembered with its authorization code.
#[derive(Clone, Debug)]
pub(crate) struct Challenge {
    pub value: String,
    pub method: Method,
}

impl Challenge {
    /// S256: `BASE64URL-NOPAD(SHA256(verifier)) == challenge`; plain: equal strings.
    pub(crate) fn verifies(&self, verifier: &str) -> bool {
        match self.method {
            Method::Plain => verifier == self.value,
            Method::S256 => s256(verifier) == self.value,
        }
    }
}

/// The S256 challenge of `verifier`: `BASE64URL-NOPAD(SHA256(verifier))` (RFC 7636).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
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
