//! Short-lived access tokens: HS256 JWTs that the browser keeps in memory only.

use crate::DomainError;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shared::{SessionId, UserId};

pub const ACCESS_TTL_SECS: i64 = 15 * 60;
/// Tells an access token apart from any other JWT signed with the same key.
const ACCESS_TYP: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
struct Jwt {
    sub: String,
    exp: i64,
    iat: i64,
    jti: String,
    typ: String,
    /// The sign-in (refresh family) this token was issued for.
    sid: i64,
}

/// What an access token claims on its signature alone: a user and their sign-in. Not proof
/// that the sign-in is still live; only [`Caller`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Claims {
    pub user: UserId,
    pub session: SessionId,
}

/// A signed-in, active user, proved by a valid access token of a live sign-in, or by a session
/// of the DjaoDjin proxy. Only [`crate::Mublog::caller`] and [`crate::Mublog::proxy_caller`]
/// make one (its fields are private), so a function that takes a `&Caller` cannot be reached by
/// someone who is not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    user: UserId,
    /// `None` for a user the proxy signed in: mublog holds no sign-in of theirs.
    session: Option<SessionId>,
    email_verified: bool,
    /// What the proxy's session grants, for this request only.
    pub(crate) proxy: Option<ProxyGrant>,
}

/// The powers a DjaoDjin proxy session gives its user (see `ProxyPowers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProxyGrant {
    pub staff: bool,
    pub may_post: bool,
}

impl Caller {
    pub(crate) fn new(claims: Claims, email_verified: bool) -> Self {
        Caller { user: claims.user, session: Some(claims.session), email_verified, proxy: None }
    }

    pub(crate) fn proxied(user: UserId, grant: ProxyGrant) -> Self {
        Caller { user, session: None, email_verified: true, proxy: Some(grant) }
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    /// The sign-in (refresh family) the access token was issued for; `None` behind the proxy.
    pub fn session(&self) -> Option<SessionId> {
        self.session
    }

    /// Posting also needs, behind the proxy, an active subscription to one of the plans
    /// posting is sold with (when there are such plans).
    pub fn require_poster(&self) -> Result<UserId, DomainError> {
        if self.proxy.is_some_and(|grant| !grant.may_post) {
            return Err(DomainError::PlanRequired);
        }
        self.require_verified()
    }

    /// Posting, editing and liking wait until the email address is confirmed. Known from the
    /// session check, so it costs no query.
    pub fn require_verified(&self) -> Result<UserId, DomainError> {
        if !self.email_verified {
            return Err(DomainError::EmailUnverified);
        }
        Ok(self.user)
    }
}

/// The token in an `Authorization` header's value, if it is `Bearer <token>`.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    authorization.strip_prefix("Bearer ").map(str::trim)
}

#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl AccessTokens {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        validation.leeway = 5;
        AccessTokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(&self, user: UserId, session: SessionId, now: i64) -> Result<String, DomainError> {
        let claims = Jwt {
            sid: session.0,
            sub: user.to_string(),
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            jti: uuid::Uuid::new_v4().to_string(),
            typ: ACCESS_TYP.to_owned(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| DomainError::Internal(format!("signing failed: {e}")))
    }

    /// The user a valid access token speaks for. Expired, forged or foreign tokens are
    /// `Unauthenticated`.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, DomainError> {
        let data = decode::<Jwt>(token, &self.decoding, &self.validation)
            .map_err(|_| DomainError::Unauthenticated)?;
        if data.claims.typ != ACCESS_TYP {
            return Err(DomainError::Unauthenticated);
        }
        let user = data.claims.sub.parse().map_err(|_| DomainError::Unauthenticated)?;
        Ok(Claims { user, session: SessionId(data.claims.sid) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let keys = AccessTokens::new(b"0123456789abcdef0123456789abcdef");
        let now = crate::now();
        let token = keys.issue(UserId(42), SessionId(7), now).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), Claims { user: UserId(42), session: SessionId(7) });

        let other = AccessTokens::new(b"another key, another key, another");
        assert!(other.verify(&token).is_err());

        let expired = keys.issue(UserId(42), SessionId(7), now - ACCESS_TTL_SECS - 60).unwrap();
        assert!(keys.verify(&expired).is_err());

        let wrong_typ =
            Jwt { sub: "42".into(), iat: now, exp: now + 60, jti: "x".into(), typ: "refresh".into(), sid: 7 };
        let forged = encode(&Header::new(Algorithm::HS256), &wrong_typ, &keys.encoding).unwrap();
        assert!(keys.verify(&forged).is_err());
    }
}
