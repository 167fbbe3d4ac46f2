//! `mublog check --deploy`: what Django's `check --deploy` does for a settings module, for
//! mublog's environment. Each insecure setting prints its ID and why; any finding fails.

use crate::config::{serves_https, strong_secret};
use domain::auth::djaodjin::MIN_SECRET_LEN;

pub struct Finding {
    pub id: &'static str,
    pub message: &'static str,
}

/// Checks the settings `lookup` sees (the process environment, or a map in tests).
/// The refresh cookie is always `Secure`, `HttpOnly` and `SameSite=Strict`, so there is no
/// setting to get wrong there.
pub fn check(lookup: impl Fn(&str) -> Option<String>) -> Vec<Finding> {
    let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let mut findings = Vec::new();
    let mut flag = |failed: bool, id, message| {
        if failed {
            findings.push(Finding { id, message });
        }
    };
    flag(
        var("MUBLOG_ENV").as_deref() != Some("production"),
        "mublog.W001",
        "MUBLOG_ENV is not `production`: demo seeding and development defaults are on.",
    );
    flag(
        !var("MUBLOG_JWT_SECRET").is_some_and(|s| strong_secret(&s)),
        "mublog.W002",
        "MUBLOG_JWT_SECRET is unset (a generated development key) or shorter than 32 bytes.",
    );
    flag(
        !serves_https(var("MUBLOG_PUBLIC_URL").as_deref()),
        "mublog.W003",
        "MUBLOG_PUBLIC_URL is not an https:// address, so Strict-Transport-Security is not sent.",
    );
    flag(
        var("MUBLOG_ALLOWED_HOSTS").is_none(),
        "mublog.W004",
        "MUBLOG_ALLOWED_HOSTS is empty: requests for any Host header are served.",
    );
    flag(
        var("MUBLOG_SMTP_URL").is_none(),
        "mublog.W005",
        "MUBLOG_SMTP_URL is unset: no email can be delivered.",
    );
    // PostgreSQL is how mublog runs on several instances; each must then see the others.
    let postgres = var("DATABASE_URL").is_some_and(|url| url.starts_with("postgres"));
    flag(
        postgres && var("MUBLOG_REDIS_URL").is_none(),
        "mublog.W006",
        "DATABASE_URL is PostgreSQL but MUBLOG_REDIS_URL is unset: each instance keeps its own rate limits.",
    );
    flag(
        postgres && var("MUBLOG_S3_URL").is_none(),
        "mublog.W007",
        "DATABASE_URL is PostgreSQL but MUBLOG_S3_URL is unset: pictures stay on the disk of the instance that took them.",
    );
    // Behind the DjaoDjin proxy, the proxy enforces its access rules (plans, paths) before a
    // request arrives: a client that reaches mublog directly skips them.
    let proxied = var("MUBLOG_SESSION_PROXY").is_some_and(|p| p != "off");
    flag(
        proxied && var("MUBLOG_DJAODJIN_SECRET").is_none_or(|s| s.len() < MIN_SECRET_LEN || !s.is_ascii()),
        "mublog.W008",
        "MUBLOG_SESSION_PROXY is on but MUBLOG_DJAODJIN_SECRET is unset, short or not ASCII: mublog will not start.",
    );
    let listen = var("LEPTOS_SITE_ADDR").and_then(|a| a.parse::<std::net::SocketAddr>().ok());
    flag(
        proxied && !listen.is_some_and(|addr| addr.ip().is_loopback()),
        "mublog.W009",
        "MUBLOG_SESSION_PROXY is on and LEPTOS_SITE_ADDR is not a loopback address: clients that reach mublog \
         without the proxy skip its access rules. Listen on 127.0.0.1, or let only the proxy reach the port.",
    );
    flag(
        var("MUBLOG_MOCKUP_SESSIONS").is_some(),
        "mublog.W010",
        "MUBLOG_MOCKUP_SESSIONS is set: anyone could sign in as any of its sessions (production refuses to start).",
    );
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn ids(vars: &[(&str, &str)]) -> Vec<&'static str> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        check(|name| vars.get(name).map(|v| v.to_string())).into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn an_empty_environment_fails_every_check() {
        assert_eq!(ids(&[]), ["mublog.W001", "mublog.W002", "mublog.W003", "mublog.W004", "mublog.W005"]);
    }

    #[test]
    fn a_production_environment_passes() {
        let good = [
            ("MUBLOG_ENV", "production"),
            ("MUBLOG_JWT_SECRET", "a-long-random-production-signing-key-0123"),
            ("MUBLOG_PUBLIC_URL", "https://mublog.example"),
            ("MUBLOG_ALLOWED_HOSTS", "mublog.example"),
            ("MUBLOG_SMTP_URL", "smtps://user:pass@mail.example"),
        ];
        assert!(ids(&good).is_empty());
        let mut short_key = good;
        short_key[1] = ("MUBLOG_JWT_SECRET", "short");
        assert_eq!(ids(&short_key), ["mublog.W002"]);
        let mut plain_http = good;
        plain_http[2] = ("MUBLOG_PUBLIC_URL", "http://mublog.example");
        assert_eq!(ids(&plain_http), ["mublog.W003"]);
        let cluster = |extra: &[(&'static str, &'static str)]| {
            let mut vars = good.to_vec();
            vars.push(("DATABASE_URL", "postgres://mublog@db.internal/mublog"));
            vars.extend_from_slice(extra);
            ids(&vars)
        };
        assert_eq!(cluster(&[]), ["mublog.W006", "mublog.W007"], "alone, each instance keeps its own");
        let shared =
            [("MUBLOG_REDIS_URL", "redis://cache.internal"), ("MUBLOG_S3_URL", "https://s3.example/b")];
        assert!(cluster(&shared).is_empty());
        let proxied = |extra: &[(&'static str, &'static str)]| {
            let mut vars = good.to_vec();
            vars.push(("MUBLOG_SESSION_PROXY", "djaodjin"));
            vars.extend_from_slice(extra);
            ids(&vars)
        };
        assert_eq!(proxied(&[]), ["mublog.W008", "mublog.W009"]);
        let secret = ("MUBLOG_DJAODJIN_SECRET", "a secret shared with the proxy, 40 chars");
        assert_eq!(proxied(&[secret, ("MUBLOG_DJAODJIN_SECRET", "short")]), ["mublog.W008", "mublog.W009"]);
        assert_eq!(proxied(&[secret, ("LEPTOS_SITE_ADDR", "0.0.0.0:3000")]), ["mublog.W009"]);
        assert!(proxied(&[secret, ("LEPTOS_SITE_ADDR", "127.0.0.1:3000")]).is_empty());
        let mockups = ("MUBLOG_MOCKUP_SESSIONS", "mockups.json");
        assert_eq!(proxied(&[secret, ("LEPTOS_SITE_ADDR", "127.0.0.1:3000"), mockups]), ["mublog.W010"]);
    }
}
