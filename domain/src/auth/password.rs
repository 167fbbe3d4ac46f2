//! Password hashing with argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).

use crate::DomainError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::OnceLock;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes off the async runtime: a hash takes tens of milliseconds of CPU.
pub async fn hash(password: String) -> Result<String, DomainError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))?
}

/// Verifies in constant time (inside argon2). `None` for an unknown account still spends the
/// time of one verification, so response timing does not reveal which emails exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, DomainError> {
    tokio::task::spawn_blocking(move || {
        let (stored, known) = match stored {
            Some(s) => (s, true),
            None => (dummy_hash().to_owned(), false),
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| DomainError::Internal(format!("stored hash unreadable: {e}")))?;
        let matches = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(|e| DomainError::Internal(e.to_string()))?
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

    #[tokio::test]
    async fn hash_is_argon2id_with_owasp_parameters() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse".into(), Some(h)).await.unwrap());
        assert!(!verify("correct horse".into(), None).await.unwrap());
    }
}
