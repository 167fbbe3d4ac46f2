//! Rate limits on the authentication endpoints: online password guessing is hopelessly slow,
//! and nobody can lock a user out, because sign-in attempts count per account *and* client
//! address: an attacker exhausts only their own allowance.

use crate::DomainError;
use governor::clock::{Clock, DefaultClock};
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed, StateStore};
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Sign-in attempts per account and client address per minute (a burst, refilling evenly).
pub const SIGN_IN_ATTEMPTS_PER_MINUTE: u32 = 10;
/// Sign-in attempts per client address per minute, across all accounts: one address cannot
/// spray a common password over many accounts.
pub const SIGN_INS_PER_ADDRESS_PER_MINUTE: u32 = 30;
/// Accounts one client address may create per hour.
pub const REGISTRATIONS_PER_HOUR: u32 = 10;
/// Verification emails one account may ask for again per hour.
pub const RESENDS_PER_HOUR: u32 = 3;
/// "Forgot password" requests per hour, per client address and per email address (so nobody
/// can flood a mailbox from many addresses either).
pub const FORGOTS_PER_HOUR: u32 = 5;
/// Password-reset submissions per client address per hour.
pub const RESETS_PER_HOUR: u32 = 10;
/// Keys each limiter remembers. Beyond this the cache evicts, first among keys seen once (its
/// S3-FIFO policy), so a flood of distinct addresses neither grows memory nor pushes out the
/// counters of the keys that are actually hammering.
const MAX_TRACKED: usize = 20_000;

/// Governor's GCRA over a bounded cache of per-key states.
struct BoundedStore(Arc<quick_cache::sync::Cache<String, Arc<InMemoryState>>>);

impl StateStore for BoundedStore {
    type Key = String;

    fn measure_and_replace<T, F, E>(&self, key: &String, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let state = self
            .0
            .get_or_insert_with(key, || Ok::<_, std::convert::Infallible>(Arc::default()))
            .unwrap_or_else(|never| match never {});
        state.measure_and_replace(&NotKeyed::NonKey, f)
    }
}

struct Throttle {
    limiter: RateLimiter<String, BoundedStore, DefaultClock>,
    /// The limiter's states, shared with it (to see how many keys are tracked).
    #[cfg_attr(not(test), allow(dead_code))]
    states: Arc<quick_cache::sync::Cache<String, Arc<InMemoryState>>>,
}

impl Throttle {
    fn new(quota: Quota) -> Self {
        let states = Arc::new(quick_cache::sync::Cache::new(MAX_TRACKED));
        let limiter = RateLimiter::new(quota, BoundedStore(states.clone()), DefaultClock::default());
        Throttle { limiter, states }
    }

    fn check(&self, key: String) -> Result<(), DomainError> {
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            DomainError::RateLimited { retry_after: wait.as_secs().max(1) }
        })
    }
}

pub struct Throttles {
    sign_in: Throttle,
    sign_in_per_address: Throttle,
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
            sign_in_per_address: Throttle::new(Quota::per_minute(n(SIGN_INS_PER_ADDRESS_PER_MINUTE))),
            register: hourly(REGISTRATIONS_PER_HOUR),
            resend: hourly(RESENDS_PER_HOUR),
            forgot: hourly(FORGOTS_PER_HOUR),
            reset: hourly(RESETS_PER_HOUR),
        }
    }
}

/// The client address as a key part. IPv6 clients count per /64, the block one subscriber
/// gets; callers that cannot tell share one allowance.
fn client_key(client: Option<IpAddr>) -> String {
    match client.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(ip)) => format!("{}/64", Ipv6Addr::from(u128::from(ip) & !(u128::MAX >> 64))),
        Some(IpAddr::V4(ip)) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

impl Throttles {
    pub fn sign_in(&self, email: &str, client: Option<IpAddr>) -> Result<(), DomainError> {
        let address = client_key(client);
        self.sign_in_per_address.check(address.clone())?;
        self.sign_in.check(format!("{email} {address}"))
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

    /// Throttles under which `client` has just used up its registrations.
    fn registrations_used_up(client: IpAddr) -> Throttles {
        let throttles = Throttles::default();
        for _ in 0..REGISTRATIONS_PER_HOUR {
            throttles.register(Some(client)).unwrap();
        }
        throttles
    }

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
        let client = "203.0.113.9".parse().unwrap();
        let throttles = registrations_used_up(client);
        assert!(throttles.register(Some(client)).is_err());
        throttles.register(Some("203.0.113.10".parse().unwrap())).unwrap();
    }

    #[test]
    fn one_address_cannot_spray_many_accounts() {
        let throttles = Throttles::default();
        let sprayer = Some("203.0.113.9".parse().unwrap());
        for n in 0..SIGN_INS_PER_ADDRESS_PER_MINUTE {
            throttles.sign_in(&format!("user{n}@example.com"), sprayer).unwrap();
        }
        let refused = throttles.sign_in("one-more@example.com", sprayer);
        assert!(matches!(refused, Err(DomainError::RateLimited { .. })));
        throttles.sign_in("one-more@example.com", Some("203.0.113.10".parse().unwrap())).unwrap();
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_v4_as_v4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(Some(a)), "2001:db8:1:2::/64");
        assert_eq!(client_key(Some(a)), client_key(Some(b)));
        assert_ne!(client_key(Some(a)), client_key(Some(other)));
        assert_eq!(client_key(Some("::ffff:192.0.2.1".parse().unwrap())), "192.0.2.1");
        let throttles = registrations_used_up(a);
        assert!(throttles.register(Some(b)).is_err(), "another address of the same /64");
        throttles.register(Some(other)).unwrap();
    }

    /// A flood of 100,000 distinct addresses leaves the limiter's memory bounded, and the key
    /// that was being hammered is still refused afterwards.
    #[test]
    fn memory_stays_bounded_under_a_flood_of_distinct_keys() {
        let attacker_ip = "198.51.100.1".parse().unwrap();
        let attacker = Some(attacker_ip);
        let throttles = registrations_used_up(attacker_ip);
        for n in 0..100_000u32 {
            let ip = IpAddr::from((0x0a00_0000u32 + n).to_be_bytes());
            let _ = throttles.register(Some(ip));
            if n % 1_000 == 0 {
                assert!(throttles.register(attacker).is_err(), "forgotten after {n} keys");
            }
        }
        let tracked = throttles.register.states.len();
        assert!(tracked <= MAX_TRACKED + MAX_TRACKED / 10, "{tracked} keys tracked");
        assert!(throttles.register(attacker).is_err());
    }
}
