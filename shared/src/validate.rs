//! Input rules, run in the browser for instant feedback and again on the server, which decides.

use crate::FieldError;
use std::str::FromStr;

pub const POST_MAX_CHARS: usize = 280;
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Long enough for passphrases, short enough that hashing cannot be used to burn CPU.
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const DISPLAY_NAME_MAX_CHARS: usize = 40;
pub const SEARCH_MAX_CHARS: usize = 100;

/// Searches go through trigram indexes, which need three characters to look anything up.
pub const SEARCH_MIN_CHARS: usize = 3;

/// A search term: trimmed; blank means "no search".
pub fn search(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(q) = raw.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    match q.chars().count() {
        n if n < SEARCH_MIN_CHARS => {
            Err(FieldError::new("q", format!("Type at least {SEARCH_MIN_CHARS} characters to search.")))
        }
        n if n > SEARCH_MAX_CHARS => {
            Err(FieldError::new("q", format!("Search for at most {SEARCH_MAX_CHARS} characters.")))
        }
        // A NUL would end the full-text query early (SQLite answered "unterminated string").
        _ if q.chars().any(char::is_control) => Err(FieldError::new("q", "Use printable characters only.")),
        _ => Ok(Some(q.to_owned())),
    }
}

/// A post body is trimmed and must keep 1 to 280 characters, printable but for line breaks and
/// tabs. (A NUL would also cut the text short for SQLite's `length()`.)
pub fn post_body(raw: &str) -> Result<String, FieldError> {
    let body = raw.trim();
    let len = body.chars().count();
    if len == 0 {
        return Err(FieldError::new("body", "Write something first."));
    }
    if len > POST_MAX_CHARS {
        return Err(FieldError::new(
            "body",
            format!("Posts are at most {POST_MAX_CHARS} characters; this one has {len}."),
        ));
    }
    if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new("body", "Use printable characters, line breaks and tabs only."));
    }
    Ok(body.to_owned())
}

/// Emails are compared case-insensitively, so they are stored lower-cased.
pub fn email(raw: &str) -> Result<String, FieldError> {
    let email = raw.trim().to_lowercase();
    match email_address::EmailAddress::from_str(&email) {
        Ok(_) if email.len() <= 254 && email.contains('.') => Ok(email),
        _ => Err(FieldError::new("email", "Enter a valid email address.")),
    }
}

pub fn password(raw: &str) -> Result<(), FieldError> {
    let len = raw.chars().count();
    if len < PASSWORD_MIN_CHARS {
        return Err(FieldError::new("password", format!("Use at least {PASSWORD_MIN_CHARS} characters.")));
    }
    if len > PASSWORD_MAX_CHARS {
        return Err(FieldError::new("password", format!("Use at most {PASSWORD_MAX_CHARS} characters.")));
    }
    Ok(())
}

/// The name shown on posts: given, or taken from the email's local part.
pub fn display_name(given: Option<&str>, email: &str) -> Result<String, FieldError> {
    let name = match given.map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => email.split('@').next().unwrap_or_default().to_owned(),
    };
    if name.chars().count() > DISPLAY_NAME_MAX_CHARS {
        return Err(FieldError::new(
            "display_name",
            format!("Use at most {DISPLAY_NAME_MAX_CHARS} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("display_name", "Use printable characters only."));
    }
    Ok(name)
}

pub const HANDLE_MIN_CHARS: usize = 3;
pub const HANDLE_MAX_CHARS: usize = 30;
pub const PERSON_NAME_MAX_CHARS: usize = 50;

/// A handle: 3–30 lower-case ASCII letters, digits or `_`, starting with a letter, so it is
/// URL-safe and never reads as a numeric id. Given in any case; stored lower-cased.
pub fn handle(raw: &str) -> Result<String, FieldError> {
    let handle = raw.trim().to_ascii_lowercase();
    let len = handle.chars().count();
    if !(HANDLE_MIN_CHARS..=HANDLE_MAX_CHARS).contains(&len) {
        return Err(FieldError::new(
            "handle",
            format!("Use {HANDLE_MIN_CHARS} to {HANDLE_MAX_CHARS} characters."),
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    if !handle.starts_with(|c: char| c.is_ascii_lowercase()) || !handle.chars().all(allowed) {
        return Err(FieldError::new("handle", "Use letters, digits and _ only, starting with a letter."));
    }
    Ok(handle)
}

/// A first or last name: trimmed, printable, at most 50 characters; may be empty.
pub fn person_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.chars().count() > PERSON_NAME_MAX_CHARS {
        return Err(FieldError::new(field, format!("Use at most {PERSON_NAME_MAX_CHARS} characters.")));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(field, "Use printable characters only."));
    }
    Ok(name.to_owned())
}

/// The rules above as the patterns the OpenAPI document gives each field (ECMA-262 regexes),
/// so a client can check a value before sending it. White space is spelled out as the
/// characters `str::trim` removes (Unicode's White_Space), since regex dialects disagree on
/// what `\s` means; control characters likewise.
pub mod patterns {
    use super::*;

    const SPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
    const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
    /// Control characters but line breaks and tabs.
    const CONTROL_BUT_LINES: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";

    /// Text of `min..=max` characters once trimmed (`min` 0 or 1: at least one, unless
    /// `empty_ok`), none of them in `refused` (a class body); empty or white space alone too
    /// if `empty_ok`.
    fn trimmed(min: usize, max: usize, refused: &str, empty_ok: bool) -> String {
        let edge = format!("[^{SPACE}{CONTROL}]");
        let inner = format!("[^{refused}]");
        let text = if min <= 1 {
            format!("{edge}({inner}{{0,{}}}{edge})?", max - 2)
        } else {
            format!("{edge}{inner}{{{},{}}}{edge}", min - 2, max - 2)
        };
        let text = if empty_ok { format!("({text})?") } else { text };
        format!("^[{SPACE}]*{text}[{SPACE}]*$")
    }

    /// [`search`]: empty is no search.
    pub fn search() -> String {
        trimmed(SEARCH_MIN_CHARS, SEARCH_MAX_CHARS, CONTROL, true)
    }

    /// [`post_body`].
    pub fn post_body() -> String {
        trimmed(1, POST_MAX_CHARS, CONTROL_BUT_LINES, false)
    }

    /// [`display_name`] as given: empty means the email's local part.
    pub fn display_name() -> String {
        trimmed(0, DISPLAY_NAME_MAX_CHARS, CONTROL, true)
    }

    /// [`person_name`].
    pub fn person_name() -> String {
        trimmed(0, PERSON_NAME_MAX_CHARS, CONTROL, true)
    }

    /// [`handle`], in any case.
    pub fn handle() -> String {
        format!(
            "^[{SPACE}]*[A-Za-z][A-Za-z0-9_]{{{},{}}}[{SPACE}]*$",
            HANDLE_MIN_CHARS - 1,
            HANDLE_MAX_CHARS - 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_body_is_trimmed_and_bounded() {
        assert_eq!(post_body("  hi  ").unwrap(), "hi");
        assert!(post_body("   \n ").is_err());
        assert!(post_body(&"é".repeat(280)).is_ok());
        assert!(post_body(&"é".repeat(281)).is_err());
        // Surrounding whitespace does not count against the limit.
        assert!(post_body(&format!("  {}  ", "a".repeat(280))).is_ok());
        assert!(post_body("two\nlines\tand a tab").is_ok());
        assert!(post_body("\0hi").is_err());
    }

    #[test]
    fn email_is_normalised() {
        assert_eq!(email(" Alice@Example.COM ").unwrap(), "alice@example.com");
        for bad in ["", "alice", "alice@", "@example.com", "a b@example.com", "alice@localhost"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_length() {
        assert!(password("short").is_err());
        assert!(password("long enough").is_ok());
        assert!(password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn handles_are_url_safe_and_never_numeric() {
        assert_eq!(handle(" Ada_99 ").unwrap(), "ada_99");
        for bad in ["ab", "42", "9lives", "ada lovelace", "ada-l", "ädä", &"a".repeat(31)] {
            assert!(handle(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn person_names_are_bounded() {
        assert_eq!(person_name("first_name", "  Ada ").unwrap(), "Ada");
        assert_eq!(person_name("first_name", "").unwrap(), "");
        assert!(person_name("last_name", &"x".repeat(51)).is_err());
        assert!(person_name("last_name", "a\u{7}b").is_err());
    }

    #[test]
    fn display_name_defaults_to_local_part() {
        assert_eq!(display_name(None, "bob@example.com").unwrap(), "bob");
        assert_eq!(display_name(Some("  "), "bob@example.com").unwrap(), "bob");
        assert_eq!(display_name(Some(" Bob B. "), "bob@example.com").unwrap(), "Bob B.");
        assert!(display_name(Some(&"x".repeat(41)), "b@example.com").is_err());
    }
}
