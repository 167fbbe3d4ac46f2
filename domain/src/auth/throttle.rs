//! Limits password attempts per account, so guessing a password online is hopelessly slow.

use crate::DomainError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

/// Attempts allowed per email per minute (a burst of this many, refilling evenly).
pub const SIGN_IN_ATTEMPTS_PER_MINUTE: u32 = 10;
/// Forget idle keys once this many are tracked, so cycling through emails cannot grow memory.
const MAX_TRACKED: usize = 10_000;

pub struct SignInThrottle {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        let per_minute = NonZeroU32::new(SIGN_IN_ATTEMPTS_PER_MINUTE).expect("non-zero constant");
        SignInThrottle { limiter: RateLimiter::keyed(Quota::per_minute(per_minute)) }
    }
}

impl SignInThrottle {
    pub fn check(&self, email: &str) -> Result<(), DomainError> {
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&email.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            DomainError::RateLimited { retry_after: wait.as_secs().max(1) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_attempt_in_a_minute_waits() {
        let throttle = SignInThrottle::default();
        for _ in 0..SIGN_IN_ATTEMPTS_PER_MINUTE {
            throttle.check("a@example.com").unwrap();
        }
        assert!(matches!(throttle.check("a@example.com"), Err(DomainError::RateLimited { .. })));
        // Other accounts are unaffected.
        throttle.check("b@example.com").unwrap();
    }
}
