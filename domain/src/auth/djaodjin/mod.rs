//! Sessions made by the DjaoDjin session proxy, read as its Python package, djaodjin-deployutils,
//! reads them. The proxy signs users in and forwards each request with their session, either as
//! a JWT in `Authorization: Bearer` (HS256 by default, with `exp`) or as an encrypted cookie
//! (see `cookie`). The secret is shared with the proxy.

mod cookie;
mod session;
mod users;

pub use session::{Profile, ProxySession, Site, Subscription, MANAGER};
pub use users::ProxyPowers;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};

/// Where the proxy puts the session. Each mode falls back to the other carrier, as
/// deployutils' middleware does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// `Authorization: Bearer <jwt>`, then a JWT in the session cookie.
    Jwt,
    /// The encrypted session cookie, then a JWT in `Authorization`.
    Cookie,
}

/// Why the proxy settings cannot be used; said at start-up.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProxySettingsError {
    #[error("the DjaoDjin secret must be at least {MIN_SECRET_LEN} characters")]
    ShortSecret,
    /// deployutils drops non-ASCII characters from the secret before deriving the cookie key,
    /// so such a secret would not be the one the operator wrote.
    #[error("the DjaoDjin secret must be ASCII")]
    NonAsciiSecret,
    #[error("unsupported JWT algorithm {0:?}: use HS256, HS384 or HS512")]
    Algorithm(String),
}

pub const MIN_SECRET_LEN: usize = 32;
/// Browsers keep cookies up to 4 KB; a session carrier twice that is not the proxy's.
const MAX_CARRIER_LEN: usize = 8 * 1024;
/// How long a JWT made for a mockup session lasts: deployutils' `prepare` sets two hours.
const MOCKUP_JWT_SECS: i64 = 2 * 3600;

/// Reads the proxy's sessions; made once from the settings.
#[derive(Clone)]
pub struct ProxySessions {
    secret: SecretString,
    mode: ProxyMode,
    cookie_name: String,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for ProxySessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySessions")
            .field("mode", &self.mode)
            .field("cookie_name", &self.cookie_name)
            .field("algorithm", &self.validation.algorithms)
            .finish_non_exhaustive()
    }
}

impl ProxySessions {
    /// `algorithm` is deployutils' `JWT_ALGORITHM`; only the HMAC ones fit a shared secret.
    pub fn new(
        secret: &str,
        mode: ProxyMode,
        cookie_name: &str,
        algorithm: &str,
    ) -> Result<Self, ProxySettingsError> {
        if !secret.is_ascii() {
            return Err(ProxySettingsError::NonAsciiSecret);
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(ProxySettingsError::ShortSecret);
        }
        let algorithm = match algorithm {
            "HS256" => Algorithm::HS256,
            "HS384" => Algorithm::HS384,
            "HS512" => Algorithm::HS512,
            other => return Err(ProxySettingsError::Algorithm(other.to_owned())),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp"]);
        Ok(ProxySessions {
            secret: secret.into(),
            mode,
            cookie_name: cookie_name.to_owned(),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        })
    }

    pub fn cookie_name(&self) -> &str {
        &self.cookie_name
    }

    /// The session a request carries: its `Authorization` header's value and its session
    /// cookie's value. `None` when there is none, and equally for one that cannot be read
    /// (wrong key, altered, expired, `alg: none`, malformed, too long): the caller must answer
    /// both alike, since with CBC and no MAC "is this well-formed" is itself an oracle.
    pub fn session(&self, authorization: Option<&str>, cookie: Option<&str>) -> Option<ProxySession> {
        let bearer = authorization.and_then(super::bearer_token);
        let read_jwt = |token: Option<&str>| token.and_then(|t| self.read_jwt(t));
        match self.mode {
            ProxyMode::Jwt => read_jwt(bearer).or_else(|| read_jwt(cookie.map(unquote))),
            ProxyMode::Cookie => cookie.and_then(|c| self.read_cookie(c)).or_else(|| read_jwt(bearer)),
        }
    }

    fn read_jwt(&self, token: &str) -> Option<ProxySession> {
        if token.len() > MAX_CARRIER_LEN {
            return None;
        }
        jsonwebtoken::decode::<ProxySession>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }

    fn read_cookie(&self, value: &str) -> Option<ProxySession> {
        if value.len() > MAX_CARRIER_LEN {
            return None;
        }
        let plain = cookie::open(unquote(value), self.secret.expose_secret().as_bytes())?;
        // The whole text must be UTF-8, as for the package's `json.loads`: serde_json checks only
        // the strings it keeps, so an altered block inside a dropped value would pass otherwise.
        serde_json::from_str(std::str::from_utf8(&plain).ok()?).ok()
    }

    /// The session cookie's value for `session` (a JSON object), made as the proxy makes it in
    /// this mode (a JWT expiring in two hours, or the encrypted JSON): for mockup sign-ins.
    pub fn cookie_value_for(&self, session: &serde_json::Map<String, serde_json::Value>) -> String {
        let secret = self.secret.expose_secret().as_bytes();
        match self.mode {
            ProxyMode::Cookie => {
                cookie::seal(serde_json::Value::from(session.clone()).to_string().as_bytes(), secret)
            }
            ProxyMode::Jwt => {
                let mut claims = session.clone();
                claims.insert("exp".into(), (crate::now() + MOCKUP_JWT_SECS).into());
                let header = Header::new(self.validation.algorithms[0]);
                // Serialising a JSON object and signing it with an HMAC key cannot fail.
                jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret))
                    .expect("an HMAC signature of a JSON object")
            }
        }
    }
}

/// Django sends a cookie value double-quoted when it holds characters such as `/` and `=`.
fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a shared secret of forty characters, ok!";

    fn sessions(mode: ProxyMode) -> ProxySessions {
        ProxySessions::new(SECRET, mode, "sessionid", "HS256").unwrap()
    }

    fn jwt(claims: serde_json::Value, secret: &str) -> String {
        let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
    }

    #[test]
    fn each_mode_reads_its_carrier_first_then_the_other() {
        let exp = crate::now() + 60;
        let ada = jwt(serde_json::json!({"username": "ada", "exp": exp}), SECRET);
        let bob = cookie::seal(br#"{"username": "bob"}"#, SECRET.as_bytes());
        let name = |s: Option<ProxySession>| s.map(|s| s.username);
        let bearer = format!("Bearer {ada}");

        let jwt_mode = sessions(ProxyMode::Jwt);
        assert_eq!(name(jwt_mode.session(Some(&bearer), Some(&bob))), Some("ada".into()));
        assert_eq!(name(jwt_mode.session(None, Some(&ada))), Some("ada".into()), "a JWT in the cookie");
        assert_eq!(name(jwt_mode.session(None, Some(&bob))), None, "no encrypted cookie in JWT mode");

        let cookie_mode = sessions(ProxyMode::Cookie);
        assert_eq!(name(cookie_mode.session(Some(&bearer), Some(&bob))), Some("bob".into()));
        assert_eq!(name(cookie_mode.session(Some(&bearer), Some("junk"))), Some("ada".into()));
        assert_eq!(
            name(cookie_mode.session(None, Some(&format!("\"{bob}\"")))),
            Some("bob".into()),
            "quoted"
        );
        assert_eq!(cookie_mode.session(None, None), None);
    }

    #[test]
    fn a_cookie_that_is_not_utf8_is_refused_even_inside_a_dropped_value() {
        // What one altered ciphertext block makes of a value mublog does not keep.
        let mut plain = br#"{"username": "ada", "api_key": "0123456789abcdef"}"#.to_vec();
        let at = plain.len() - 10;
        plain[at] = 0xff;
        let sealed = cookie::seal(&plain, SECRET.as_bytes());
        assert_eq!(sessions(ProxyMode::Cookie).session(None, Some(&sealed)), None);
    }

    #[test]
    fn unusable_settings_are_refused() {
        use ProxySettingsError as E;
        let new =
            |secret: &str, alg: &str| ProxySessions::new(secret, ProxyMode::Jwt, "sessionid", alg).err();
        assert_eq!(new("short", "HS256"), Some(E::ShortSecret));
        assert_eq!(new(&"é".repeat(40), "HS256"), Some(E::NonAsciiSecret));
        assert_eq!(new(SECRET, "RS256"), Some(E::Algorithm("RS256".into())));
        assert_eq!(new(SECRET, "none"), Some(E::Algorithm("none".into())));
        assert!(new(SECRET, "HS512").is_none());
    }
}
