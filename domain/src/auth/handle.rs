//! The handle a new account starts with, derived from its email; the owner can change it.

use shared::validate::{HANDLE_MAX_CHARS, HANDLE_MIN_CHARS};

/// Handles to try in order: the email's local part made valid (`ada.l@…` → `ada_l`), then
/// that with random numbers appended.
pub fn candidates(email: &str) -> impl Iterator<Item = String> {
    let local = email.split('@').next().unwrap_or_default().to_ascii_lowercase();
    let mut base: String = local
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '_' })
        .take(HANDLE_MAX_CHARS - 5)
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert(0, 'u');
    }
    while base.chars().count() < HANDLE_MIN_CHARS {
        base.push('_');
    }
    let numbered = base.clone();
    std::iter::once(base).chain((0..20).map(move |_| format!("{numbered}{}", rand::random::<u16>() % 10_000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_valid_handles() {
        for email in ["ada.lovelace@example.com", "42@example.com", "a@example.com", "Ünï+tag@example.com"]
        {
            for handle in candidates(email).take(3) {
                assert_eq!(shared::validate::handle(&handle).as_deref(), Ok(handle.as_str()), "{email}");
            }
        }
        assert_eq!(candidates("ada.l@example.com").next().unwrap(), "ada_l");
    }
}
