//! Password hashing with argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane),
//! behind one gate per app (so one per process in production): at most one hash per core runs
//! at a time, a bounded queue waits, and anything beyond is refused at once, so a flood of
//! sign-ins cannot start hundreds of 19 MiB hashes.

use crate::DomainError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::OnceLock;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes waiting for a core, per core, before new ones are refused with "busy".
const QUEUED_PER_CORE: usize = 32;
/// What a refused hash tells the client to wait.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// Bounds CPU-heavy work: `running` at a time, at most `queued` more waiting, the rest
/// refused at once.
pub struct Gate {
    running: tokio::sync::Semaphore,
    admitted: tokio::sync::Semaphore,
}

impl Gate {
    pub(crate) fn new(running: usize, queued: usize) -> Self {
        Gate {
            running: tokio::sync::Semaphore::new(running),
            admitted: tokio::sync::Semaphore::new(running + queued),
        }
    }

    /// One hash per core at a time, a queue of [`QUEUED_PER_CORE`] per core.
    pub(crate) fn per_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Gate::new(cores, cores * QUEUED_PER_CORE)
    }

    /// Runs `work` on the blocking pool once a core is free; refuses at once when the queue
    /// is full. A caller that gives up (a dropped request) leaves the queue with its permits.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, DomainError> {
        let Ok(_admitted) = self.admitted.try_acquire() else {
            tracing::warn!("password hashing saturated; request refused");
            return Err(DomainError::Busy { retry_after: BUSY_RETRY_AFTER_SECS });
        };
        let _running = self.running.acquire().await.map_err(|e| DomainError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| DomainError::Internal(e.to_string()))
    }
}

/// Hashes off the async runtime: a hash takes tens of milliseconds of CPU.
pub async fn hash(gate: &Gate, password: String) -> Result<String, DomainError> {
    gate.run(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("hashing failed: {e}")))
    })
    .await?
}

/// Verifies in constant time (inside argon2). `None` for an unknown account still spends the
/// time of one verification, so response timing does not reveal which emails exist.
pub async fn verify(gate: &Gate, password: String, stored: Option<String>) -> Result<bool, DomainError> {
    gate.run(move || {
        let (stored, known) = match stored {
            Some(s) if s != crate::store::UNUSABLE_PASSWORD => (s, true),
            _ => (dummy_hash().to_owned(), false),
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| DomainError::Internal(format!("stored hash unreadable: {e}")))?;
        let matches = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(known && matches)
    })
    .await?
}

/// The password policy (OWASP ASVS 5): length only, no composition rules, and not one of the
/// most common passwords. The password is checked exactly as typed.
pub fn check_policy(password: &str) -> Result<(), shared::FieldError> {
    shared::validate::password(password)?;
    if is_common(password) {
        return Err(shared::FieldError::new(
            "password",
            "This password is among the most common ones. Choose another.",
        ));
    }
    Ok(())
}

/// Whether `password` is on the shipped list of common passwords (compared case-insensitively,
/// so `Password1` fares no better than `password1`).
pub fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let common = COMMON.get_or_init(|| {
        include_str!("../../data/common-passwords.txt").lines().filter(|l| !l.starts_with('#')).collect()
    });
    common.contains(password.to_lowercase().as_str())
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"no account has this password", &salt)
            .expect("hashing a constant cannot fail")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_known() {
        for common in ["password", "12345678", "Baseball", "iloveyou1"] {
            assert!(is_common(common), "{common}");
        }
        assert!(!is_common("correct horse battery"));
    }

    /// 500 callers at once: never more than the permits run, the queue is bounded, and the
    /// rest are refused as busy instead of piling up.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_gate_bounds_work_in_flight_and_refuses_the_overflow() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let gate = Arc::new(Gate::new(2, 16));
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let calls = (0..500).map(|_| {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            tokio::spawn(async move {
                gate.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            })
        });
        let mut results = Vec::new();
        for call in calls.collect::<Vec<_>>() {
            results.push(call.await.unwrap());
        }
        let done = results.iter().filter(|r| r.is_ok()).count();
        let busy = results.iter().filter(|r| matches!(r, Err(DomainError::Busy { .. }))).count();
        assert_eq!(done + busy, 500);
        assert!(peak.load(Ordering::SeqCst) <= 2, "peak {}", peak.load(Ordering::SeqCst));
        assert!((18..500).contains(&done) && busy > 0, "done {done}, busy {busy}");
        // Once the flood has passed, the gate admits again.
        gate.run(|| ()).await.unwrap();
    }

    #[tokio::test]
    async fn hash_is_argon2id_with_owasp_parameters() {
        let gate = Gate::per_core();
        let h = hash(&gate, "correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&gate, "correct horse".into(), Some(h.clone())).await.unwrap());
        assert!(!verify(&gate, "wrong horse".into(), Some(h)).await.unwrap());
        assert!(!verify(&gate, "correct horse".into(), None).await.unwrap());
    }
}
