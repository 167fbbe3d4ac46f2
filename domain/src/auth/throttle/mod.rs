//! Rate limits on the authentication endpoints: online password guessing is hopelessly slow,
//! and nobody can lock a user out, because sign-in attempts count per account *and* client
//! address: an attacker exhausts only their own allowance.

//!
//! The counters live in this process (one instance), or in Redis (`MUBLOG_REDIS_URL`), where
//! every instance shares them.

mod memory;
mod shared_store;

use crate::DomainError;
pub use shared_store::{forget_counters, StoreError};
use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

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

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// A burst of `burst` attempts, refilling evenly over `period`.
pub(crate) struct Limit {
    /// Part of the shared store's keys.
    name: &'static str,
    burst: u32,
    period: Duration,
}

const SIGN_IN: Limit = Limit { name: "sign_in", burst: SIGN_IN_ATTEMPTS_PER_MINUTE, period: MINUTE };
const SIGN_IN_PER_ADDRESS: Limit =
    Limit { name: "sign_in_per_address", burst: SIGN_INS_PER_ADDRESS_PER_MINUTE, period: MINUTE };
const REGISTER: Limit = Limit { name: "register", burst: REGISTRATIONS_PER_HOUR, period: HOUR };
const RESEND: Limit = Limit { name: "resend", burst: RESENDS_PER_HOUR, period: HOUR };
const FORGOT: Limit = Limit { name: "forgot", burst: FORGOTS_PER_HOUR, period: HOUR };
const RESET: Limit = Limit { name: "reset", burst: RESETS_PER_HOUR, period: HOUR };
const LIMITS: [&Limit; 6] = [&SIGN_IN, &SIGN_IN_PER_ADDRESS, &REGISTER, &RESEND, &FORGOT, &RESET];

/// Where the counters are kept.
enum Counters {
    /// One set per limit, in the order of [`LIMITS`].
    InProcess(Vec<memory::InProcess>),
    Shared(shared_store::Redis),
}

pub struct Throttles {
    counters: Counters,
}

impl Default for Throttles {
    /// Counters in this process.
    fn default() -> Self {
        Throttles {
            counters: Counters::InProcess(LIMITS.iter().map(|limit| memory::InProcess::new(limit)).collect()),
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
    /// Counters in Redis at `url`, under keys starting with `prefix`.
    pub async fn shared(url: &str, prefix: &str) -> Result<Self, StoreError> {
        Ok(Throttles { counters: Counters::Shared(shared_store::Redis::connect(url, prefix).await?) })
    }

    async fn check(&self, limit: &Limit, key: &str) -> Result<(), DomainError> {
        let counted = match &self.counters {
            Counters::InProcess(all) => {
                let index = LIMITS.iter().position(|l| std::ptr::eq(*l, limit)).expect("a listed limit");
                all[index].check(key)
            }
            Counters::Shared(redis) => redis.check(limit, key).await.map_err(|e| {
                // Refused rather than let through: without its counters, a limit is no limit.
                tracing::error!(error = %e, limit = limit.name, "rate limit unavailable");
                DomainError::Busy { retry_after: 1 }
            })?,
        };
        // Rounded up: a client that waits as told must not be refused again.
        counted.map_err(|wait| DomainError::RateLimited {
            retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
        })
    }

    pub async fn sign_in(&self, email: &str, client: Option<IpAddr>) -> Result<(), DomainError> {
        let address = client_key(client);
        self.check(&SIGN_IN_PER_ADDRESS, &address).await?;
        self.check(&SIGN_IN, &format!("{email} {address}")).await
    }

    pub async fn register(&self, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.check(&REGISTER, &client_key(client)).await
    }

    pub async fn resend(&self, user: shared::UserId) -> Result<(), DomainError> {
        self.check(&RESEND, &user.to_string()).await
    }

    pub async fn forgot(&self, email: &str, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.check(&FORGOT, &client_key(client)).await?;
        self.check(&FORGOT, &format!("email {email}")).await
    }

    pub async fn reset(&self, client: Option<IpAddr>) -> Result<(), DomainError> {
        self.check(&RESET, &client_key(client)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Throttles of both kinds: in process, and in the Redis `MUBLOG_TEST_REDIS` names (a
    /// local one by default) under a prefix of their own, whose keys go with the guard. Each
    /// rule must hold in both.
    async fn both() -> ([Throttles; 2], Forget) {
        let url = std::env::var("MUBLOG_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let prefix = format!("mublog-test-{:016x}", rand::random::<u64>());
        let shared = Throttles::shared(&url, &prefix)
            .await
            .unwrap_or_else(|e| panic!("no Redis at {url} ({e}): ./scripts/test starts one"));
        ([Throttles::default(), shared], Forget { url, prefix })
    }

    /// Deletes a test's Redis keys, pass or fail.
    struct Forget {
        url: String,
        prefix: String,
    }

    impl Drop for Forget {
        fn drop(&mut self) {
            forget_counters(&self.url, &self.prefix).unwrap();
        }
    }

    /// `client` has just used up its registrations.
    async fn use_up_registrations(throttles: &Throttles, client: IpAddr) {
        for _ in 0..REGISTRATIONS_PER_HOUR {
            throttles.register(Some(client)).await.unwrap();
        }
    }

    fn limited(outcome: Result<(), DomainError>) -> bool {
        matches!(outcome, Err(DomainError::RateLimited { retry_after }) if retry_after >= 1)
    }

    #[tokio::test]
    async fn an_attacker_exhausts_only_their_own_allowance() {
        let (both, _forget) = both().await;
        for throttles in both {
            let attacker = Some("203.0.113.9".parse().unwrap());
            let owner = Some("198.51.100.7".parse().unwrap());
            for _ in 0..SIGN_IN_ATTEMPTS_PER_MINUTE {
                throttles.sign_in("a@example.com", attacker).await.unwrap();
            }
            assert!(limited(throttles.sign_in("a@example.com", attacker).await));
            throttles.sign_in("a@example.com", owner).await.unwrap();
            throttles.sign_in("b@example.com", attacker).await.unwrap();
        }
    }

    #[tokio::test]
    async fn registrations_are_limited_per_address() {
        let (both, _forget) = both().await;
        for throttles in both {
            let client = "203.0.113.9".parse().unwrap();
            use_up_registrations(&throttles, client).await;
            assert!(limited(throttles.register(Some(client)).await));
            throttles.register(Some("203.0.113.10".parse().unwrap())).await.unwrap();
        }
    }

    #[tokio::test]
    async fn one_address_cannot_spray_many_accounts() {
        let (both, _forget) = both().await;
        for throttles in both {
            let sprayer = Some("203.0.113.9".parse().unwrap());
            for n in 0..SIGN_INS_PER_ADDRESS_PER_MINUTE {
                throttles.sign_in(&format!("user{n}@example.com"), sprayer).await.unwrap();
            }
            assert!(limited(throttles.sign_in("one-more@example.com", sprayer).await));
            throttles.sign_in("one-more@example.com", Some("203.0.113.10".parse().unwrap())).await.unwrap();
        }
    }

    #[tokio::test]
    async fn ipv6_clients_count_per_64_and_mapped_v4_as_v4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(Some(a)), "2001:db8:1:2::/64");
        assert_eq!(client_key(Some(a)), client_key(Some(b)));
        assert_ne!(client_key(Some(a)), client_key(Some(other)));
        assert_eq!(client_key(Some("::ffff:192.0.2.1".parse().unwrap())), "192.0.2.1");
        let (both, _forget) = both().await;
        for throttles in both {
            use_up_registrations(&throttles, a).await;
            assert!(limited(throttles.register(Some(b)).await), "another address of the same /64");
            throttles.register(Some(other)).await.unwrap();
        }
    }

    /// The allowance refills evenly: the wait Redis names is the refill interval, and after it
    /// one more attempt is allowed, not a whole burst.
    #[tokio::test]
    async fn the_allowance_refills_one_attempt_at_a_time() {
        let (both, _forget) = both().await;
        for throttles in both {
            let client = Some("203.0.113.9".parse().unwrap());
            for _ in 0..SIGN_INS_PER_ADDRESS_PER_MINUTE {
                throttles.sign_in(&format!("{}@example.com", rand::random::<u32>()), client).await.unwrap();
            }
            let Err(DomainError::RateLimited { retry_after }) =
                throttles.sign_in("x@example.com", client).await
            else {
                panic!("the burst is used up")
            };
            assert_eq!(retry_after, 60 / u64::from(SIGN_INS_PER_ADDRESS_PER_MINUTE), "one refill away");
        }
    }

    /// A flood of 100,000 distinct addresses leaves the in-process limiter's memory bounded,
    /// and the key that was being hammered is still refused afterwards. (Redis expires each
    /// key once its allowance is full again.)
    #[tokio::test]
    async fn memory_stays_bounded_under_a_flood_of_distinct_keys() {
        let attacker_ip = "198.51.100.1".parse().unwrap();
        let attacker = Some(attacker_ip);
        let throttles = Throttles::default();
        use_up_registrations(&throttles, attacker_ip).await;
        for n in 0..100_000u32 {
            let ip = IpAddr::from((0x0a00_0000u32 + n).to_be_bytes());
            let _ = throttles.register(Some(ip)).await;
            if n % 1_000 == 0 {
                assert!(limited(throttles.register(attacker).await), "forgotten after {n} keys");
            }
        }
        let Counters::InProcess(all) = &throttles.counters else { unreachable!() };
        let tracked = all[2].states.len();
        assert!(tracked <= memory::MAX_TRACKED + memory::MAX_TRACKED / 10, "{tracked} keys tracked");
        assert!(limited(throttles.register(attacker).await));
    }
}
