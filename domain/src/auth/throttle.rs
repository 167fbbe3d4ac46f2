//! Rate limits on the authentication endpoints: online password guessing is hopelessly slow,
//! and nobody can lock a user out, because sign-in attempts count per account *and* client
//! address: an attacker exhausts only their own allowance.

use crate::DomainError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// Sign-in attempts per account and client address per minute (a burst, refilling evenly).
pub const SIGN_IN_ATTEMPTS_PER_MINUTE: u32 = 10;
/// Accounts one client address may create per hour.
pub const REGISTRATIONS_PER_HOUR: u32 = 10;
/// Verification emails one account may ask for again per hour.
pub const RESENDS_PER_HOUR: u32 = 3;
/// "Forgot password" requests per hour, per client address and per email address (so nobody
/// can flood a mailbox from many addresses either).
pub const FORGOTS_PER_HOUR: u32 = 5;
/// Password-reset submissions per client address per hour.
pub const RESETS_PER_HOUR: u32 = 10;
/// Forget idle keys once this many are tracked, so cycling through keys cannot grow memory.
const MAX_TRACKED: usize = 10_000;

struct Throttle(DefaultKeyedRateLimiter<String>);

impl Throttle {
    fn new(quota: Quota) -> Self {
        Throttle(RateLimiter::keyed(quota))
    }

    fn check(&self, key: String) -> Result<(), DomainError> {
        if self.0.len() > MAX_TRACKED {
            self.0.retain_recent();
        }
        self.0.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            DomainError::RateLimited { retry_after: wait.as_secs().max(1) }
        })
    }
}

pub struct Throttles {
    sign_in: Throttle,
    register: Throttle,
    resend: Throttle,
    forgot: Throttle,
    reset: Throttle,
}

impl Default for Throttles {
    fn default() -> Self {
        let n = |n| NonZeroU32::new(n).expect("non-zero constant");
        let hourly = |per_hour| Throttle::new(Quota::per_hour(n(per_hour)));
        Throttles {
            sign_in: Throttle::new(Quota::per_minute(n(SIGN_IN_ATTEMPTS_PER_MINUTE))),
            register: hourly(REGISTRATIONS_PER_HOUR),
            resend: hourly(RESENDS_PER_HOUR),
            forgot: hourly(FORGOTS_PER_HOUR),
            reset: hourly(RESETS_PER_HOUR),
        }
    }
}

/// The client address as a key part; callers that cannot tell share one allowance.
fn client_key(client: Option<IpAddr>) -> String {
    client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

impl Throttles {
    pub fn sign_in(&self, email: &str, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.sign_in.check(format!("{email} {}", client_key(client)))
    }

    pub fn register(&self, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.register.check(client_key(client))
    }

    pub fn resend(&self, user: shared::UserId) -> Result<(), DomainError> {
        self.resend.check(user.to_string())
    }

    pub fn forgot(&self, email: &str, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.forgot.check(client_key(client))?;
        self.forgot.check(format!("email {email}"))
    }

    pub fn reset(&self, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.reset.check(client_key(client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attacker_exhausts_only_their_own_allowance() {
        let throttles = Throttles::default();
        let attacker = Some("203.0.113.9".parse().unwrap());
        let owner = Some("198.51.100.7".parse().unwrap());
        for _ in 0..SIGN_IN_ATTEMPTS_PER_MINUTE {
            throttles.sign_in("a@example.com", attacker).unwrap();
        }
        assert!(matches!(throttles.sign_in("a@example.com", attacker), Err(DomainError::RateLimited { .. })));
        throttles.sign_in("a@example.com", owner).unwrap();
        throttles.sign_in("b@example.com", attacker).unwrap();
    }

    #[test]
    fn registrations_are_limited_per_address() {
        let throttles = Throttles::default();
        let client = Some("203.0.113.9".parse().unwrap());
        for _ in 0..REGISTRATIONS_PER_HOUR {
            throttles.register(client).unwrap();
        }
        assert!(throttles.register(client).is_err());
        throttles.register(Some("203.0.113.10".parse().unwrap())).unwrap();
    }
}
