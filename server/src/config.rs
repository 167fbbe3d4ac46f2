//! Configuration from the environment (the contract documented in the README), optionally
//! layered over a TOML file: `MUBLOG_CONFIG=path`, or `./mublog.toml` when present. A file key
//! is the variable's name without `MUBLOG_`, lower-cased (`smtp_url`, `database_url`); the
//! environment wins over the file.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::jobs::worker::WorkerConfig;
use rand::RngCore;
use secrecy::SecretString;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// HS256 keys shorter than the hash output weaken it; production refuses them.
const MIN_SECRET_BYTES: usize = 32;
const DATA_DIR: &str = "data";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    /// Whether `MUBLOG_ENV` was set, rather than development assumed: only an explicit
    /// `development` may listen beyond loopback.
    pub environment_explicit: bool,
    pub database_url: String,
    /// Secrets are `SecretString`s: `Debug` (and so any log of the config) prints them redacted.
    pub jwt_secret: SecretString,
    pub seed_demo: bool,
    /// Origins allowed to call the public API from a browser (`MUBLOG_CORS_ORIGINS`,
    /// comma-separated). Empty: no cross-origin access.
    pub cors_origins: Vec<String>,
    /// Host names this server answers to (`MUBLOG_ALLOWED_HOSTS`, comma-separated, optionally
    /// with `:port`). Empty: any (development convenience; `check --deploy` flags it).
    pub allowed_hosts: Vec<String>,
    /// Send `Strict-Transport-Security`: production served over https (`MUBLOG_PUBLIC_URL`).
    pub hsts: bool,
    /// Where people reach the app, for links in emails (`MUBLOG_PUBLIC_URL`).
    pub public_url: String,
    /// Outgoing mail server (`MUBLOG_SMTP_URL`); unset: mail goes to `<data>/outbox`.
    pub smtp_url: Option<SecretString>,
    /// The sender of every email (`MUBLOG_MAIL_FROM`).
    pub mail_from: String,
    /// Local state: the development signing key and the mail outbox (`MUBLOG_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Where pictures are stored.
    pub media: MediaConfig,
    /// When set, `/metrics` answers only requests bearing this token (`MUBLOG_METRICS_TOKEN`).
    pub metrics_token: Option<SecretString>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`MUBLOG_TRUSTED_PROXIES`:
    /// addresses and CIDR ranges).
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// Days the request log is kept (`MUBLOG_REQUEST_LOG_DAYS`, 30).
    pub request_log_days: u32,
    /// Request-log entries that may wait for the writer before new ones are dropped.
    pub request_log_capacity: usize,
    /// How long requests in flight may run on after SIGTERM (`MUBLOG_SHUTDOWN_GRACE_SECS`, 30).
    pub shutdown_grace: std::time::Duration,
    /// How long a page rendered for anonymous readers is shared (`MUBLOG_PAGE_CACHE_MS`, 1000;
    /// 0 renders every request).
    pub page_cache: std::time::Duration,
    /// Background workers of this process (`MUBLOG_WORKERS`: how many; 0 when a separate
    /// `mublog worker` runs them).
    pub jobs: WorkerConfig,
    /// Where rate limits are counted when several instances serve one site
    /// (`MUBLOG_REDIS_URL`; unset: in this process).
    pub redis_url: Option<SecretString>,
    /// The start of every key mublog writes in Redis (`MUBLOG_REDIS_PREFIX`, `mublog`), so
    /// several sites can share one server.
    pub redis_prefix: String,
    /// Behind the DjaoDjin session proxy (`MUBLOG_SESSION_PROXY=djaodjin`); `None`: mublog's
    /// own sign-in.
    pub session_proxy: Option<std::sync::Arc<crate::session_proxy::SessionProxy>>,
}

/// Picture storage: `<data>/media` by default, or an S3-compatible bucket when
/// `MUBLOG_S3_URL` is set (with `MUBLOG_S3_ACCESS_KEY`, `MUBLOG_S3_SECRET_KEY` and optionally
/// `MUBLOG_S3_REGION`).
#[derive(Debug, Clone)]
pub enum MediaConfig {
    Local,
    S3 { url: String, region: String, access_key: String, secret_key: SecretString },
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("MUBLOG_ENV must be `development` or `production`, not `{0}`")]
    UnknownEnvironment(String),
    #[error("production needs MUBLOG_JWT_SECRET: a random string of at least {MIN_SECRET_BYTES} bytes")]
    WeakSecret,
    #[error("MUBLOG_CORS_ORIGINS: `{0}` is not an origin like https://app.example.com")]
    BadOrigin(String),
    #[error("cannot prepare {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {detail}")]
    File { path: PathBuf, detail: String },
    #[error("MUBLOG_WORKERS must be a number, not `{0}`")]
    BadWorkers(String),
    #[error("MUBLOG_S3_URL needs MUBLOG_S3_ACCESS_KEY and MUBLOG_S3_SECRET_KEY")]
    S3Credentials,
    #[error("{0}: `{1}` is not valid")]
    BadNumber(&'static str, String),
    #[error("MUBLOG_SESSION_PROXY must be `djaodjin` or unset, not `{0}`")]
    UnknownSessionProxy(String),
    #[error("MUBLOG_DJAODJIN_MODE must be `jwt` or `cookie`, not `{0}`")]
    UnknownProxyMode(String),
    #[error("MUBLOG_SESSION_PROXY=djaodjin needs MUBLOG_DJAODJIN_SECRET, the secret shared with the proxy")]
    MissingProxySecret,
    #[error("MUBLOG_MOCKUP_SESSIONS signs anyone in as anyone: development only")]
    MockupsInProduction,
    #[error("MUBLOG_MOCKUP_SESSIONS needs MUBLOG_SESSION_PROXY=djaodjin")]
    MockupsWithoutProxy,
    #[error("MUBLOG_MOCKUP_SESSIONS: {0}")]
    MockupSessions(String),
    #[error("MUBLOG_DJAODJIN_*: {0}")]
    ProxySettings(#[from] domain::auth::djaodjin::ProxySettingsError),
    #[error(
        "refusing to serve development mode (demo accounts, /dev/mail) on {0}: set MUBLOG_ENV=production, \
         or MUBLOG_ENV=development to expose development mode deliberately"
    )]
    ExposedDevelopment(std::net::SocketAddr),
}

/// Reads settings from the environment, then the optional config file.
pub fn layered_lookup() -> Result<impl Fn(&str) -> Option<String>, ConfigError> {
    let explicit = std::env::var_os("MUBLOG_CONFIG").map(PathBuf::from);
    let path = explicit.clone().or_else(|| Some(PathBuf::from("mublog.toml")).filter(|p| p.exists()));
    let file = match path {
        Some(path) => read_config_file(&path)?,
        None => HashMap::new(),
    };
    Ok(move |name: &str| std::env::var(name).ok().or_else(|| file.get(&file_key(name)).cloned()))
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// The file key of an environment variable: `MUBLOG_SMTP_URL` → `smtp_url`.
fn file_key(name: &str) -> String {
    name.strip_prefix("MUBLOG_").unwrap_or(name).to_ascii_lowercase()
}

fn read_config_file(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let error = |detail: String| ConfigError::File { path: path.to_owned(), detail };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| error(e.to_string()))?;
    table
        .into_iter()
        .map(|(key, value)| {
            let wrong = || error(format!("`{key}` must be a string, number, boolean or list of those"));
            let value = match &value {
                toml::Value::Array(items) => {
                    items.iter().map(scalar).collect::<Option<Vec<_>>>().ok_or_else(wrong)?.join(",")
                }
                other => scalar(other).ok_or_else(wrong)?,
            };
            Ok((key, value))
        })
        .collect()
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(layered_lookup()?)
    }

    /// Reads settings through `lookup` (the process environment in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let environment_explicit = var("MUBLOG_ENV").is_some();
        let environment = match var("MUBLOG_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => return Err(ConfigError::UnknownEnvironment(other.to_owned())),
        };
        let data_dir = PathBuf::from(var("MUBLOG_DATA_DIR").unwrap_or_else(|| DATA_DIR.to_owned()));
        let database_url = match var("DATABASE_URL") {
            Some(url) => url,
            None => {
                ensure_dir(&data_dir)?;
                format!("sqlite://{}/mublog.db", data_dir.display())
            }
        };
        let jwt_secret = match (var("MUBLOG_JWT_SECRET"), environment) {
            (Some(s), _) if strong_secret(&s) => s.into(),
            (_, Environment::Production) => return Err(ConfigError::WeakSecret),
            (Some(s), Environment::Development) => {
                tracing::warn!(
                    "MUBLOG_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes; production would refuse it"
                );
                s.into()
            }
            (None, Environment::Development) => dev_secret(&data_dir)?.into(),
        };
        let seed_demo =
            environment == Environment::Development && var("MUBLOG_SEED_DEMO").as_deref() != Some("0");
        let cors_origins: Vec<String> = list(var("MUBLOG_CORS_ORIGINS"))
            .into_iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect();
        if let Some(bad) = cors_origins.iter().find(|o| !is_origin(o)) {
            return Err(ConfigError::BadOrigin(bad.clone()));
        }
        let allowed_hosts = list(var("MUBLOG_ALLOWED_HOSTS"));
        let public_url = var("MUBLOG_PUBLIC_URL").unwrap_or_else(|| {
            format!("http://{}", var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into()))
        });
        let hsts = environment == Environment::Production && serves_https(Some(&public_url));
        let mut jobs = WorkerConfig::default();
        if let Some(n) = var("MUBLOG_WORKERS") {
            jobs.concurrency = n.parse().map_err(|_| ConfigError::BadWorkers(n))?;
        }
        Ok(Config {
            environment,
            environment_explicit,
            database_url,
            jwt_secret,
            seed_demo,
            cors_origins,
            allowed_hosts,
            hsts,
            public_url: public_url.trim_end_matches('/').to_owned(),
            smtp_url: var("MUBLOG_SMTP_URL").map(SecretString::from),
            mail_from: var("MUBLOG_MAIL_FROM").unwrap_or_else(|| "mublog <no-reply@mublog.localhost>".into()),
            data_dir,
            media: match var("MUBLOG_S3_URL") {
                None => MediaConfig::Local,
                Some(url) => MediaConfig::S3 {
                    url,
                    region: var("MUBLOG_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    access_key: var("MUBLOG_S3_ACCESS_KEY").ok_or(ConfigError::S3Credentials)?,
                    secret_key: var("MUBLOG_S3_SECRET_KEY").ok_or(ConfigError::S3Credentials)?.into(),
                },
            },
            metrics_token: var("MUBLOG_METRICS_TOKEN").map(SecretString::from),
            trusted_proxies: crate::client_addr::TrustedProxies::parse(
                list(var("MUBLOG_TRUSTED_PROXIES")).iter().map(String::as_str),
            )
            .map_err(|entry| ConfigError::BadNumber("MUBLOG_TRUSTED_PROXIES", entry))?,
            request_log_days: number("MUBLOG_REQUEST_LOG_DAYS", var("MUBLOG_REQUEST_LOG_DAYS"), 30)?,
            request_log_capacity: crate::request_log::DEFAULT_CAPACITY,
            shutdown_grace: std::time::Duration::from_secs(number(
                "MUBLOG_SHUTDOWN_GRACE_SECS",
                var("MUBLOG_SHUTDOWN_GRACE_SECS"),
                30,
            )?),
            page_cache: std::time::Duration::from_millis(number(
                "MUBLOG_PAGE_CACHE_MS",
                var("MUBLOG_PAGE_CACHE_MS"),
                1000,
            )?),
            jobs,
            redis_url: var("MUBLOG_REDIS_URL").map(SecretString::from),
            redis_prefix: var("MUBLOG_REDIS_PREFIX").unwrap_or_else(|| "mublog".into()),
            session_proxy: session_proxy(&var, environment)?.map(std::sync::Arc::new),
        })
    }
}

impl Config {
    /// Development mode publishes demo passwords and every reset link (`/dev/mail`): assumed
    /// (no `MUBLOG_ENV`), it may only listen on loopback.
    pub fn check_listen_address(&self, addr: std::net::SocketAddr) -> Result<(), ConfigError> {
        let assumed_development = self.environment == Environment::Development && !self.environment_explicit;
        if assumed_development && !addr.ip().is_loopback() {
            return Err(ConfigError::ExposedDevelopment(addr));
        }
        Ok(())
    }
}

/// The DjaoDjin proxy's settings, named as deployutils names them (`DJAODJIN_SECRET_KEY`,
/// `SESSION_COOKIE_NAME`, `JWT_ALGORITHM`, `ALLOWED_NO_SESSION`).
fn session_proxy(
    var: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<crate::session_proxy::SessionProxy>, ConfigError> {
    use domain::auth::djaodjin::{ProxyMode, ProxySessions};
    match var("MUBLOG_SESSION_PROXY").as_deref() {
        None | Some("off") if var("MUBLOG_MOCKUP_SESSIONS").is_some() => {
            return Err(ConfigError::MockupsWithoutProxy)
        }
        None | Some("off") => return Ok(None),
        Some("djaodjin") => {}
        Some(other) => return Err(ConfigError::UnknownSessionProxy(other.to_owned())),
    }
    let mode = match var("MUBLOG_DJAODJIN_MODE").as_deref() {
        None | Some("jwt") => ProxyMode::Jwt,
        Some("cookie") => ProxyMode::Cookie,
        Some(other) => return Err(ConfigError::UnknownProxyMode(other.to_owned())),
    };
    let secret = var("MUBLOG_DJAODJIN_SECRET").ok_or(ConfigError::MissingProxySecret)?;
    let sessions = ProxySessions::new(
        &secret,
        mode,
        &var("MUBLOG_DJAODJIN_COOKIE").unwrap_or_else(|| "sessionid".into()),
        &var("MUBLOG_DJAODJIN_JWT_ALGORITHM").unwrap_or_else(|| "HS256".into()),
    )?;
    let allowed = match var("MUBLOG_ALLOWED_NO_SESSION") {
        Some(paths) => list(Some(paths)),
        None => crate::session_proxy::DEFAULT_ALLOWED_NO_SESSION.iter().map(|p| p.to_string()).collect(),
    };
    let mut powers = domain::auth::djaodjin::ProxyPowers::default();
    if let Some(roles) = var("MUBLOG_DJAODJIN_STAFF_ROLES") {
        powers.staff_roles = list(Some(roles));
    }
    powers.posting_plans = list(var("MUBLOG_DJAODJIN_POSTING_PLANS"));
    let mockups = match var("MUBLOG_MOCKUP_SESSIONS") {
        None => None,
        Some(_) if environment == Environment::Production => return Err(ConfigError::MockupsInProduction),
        Some(path) => Some(
            crate::mockup_sessions::MockupSessions::load(Path::new(&path))
                .map_err(ConfigError::MockupSessions)?,
        ),
    };
    Ok(Some(crate::session_proxy::SessionProxy {
        sessions,
        powers,
        mockups,
        allowed_no_session: allowed.into(),
        login_url: var("MUBLOG_DJAODJIN_LOGIN_URL").unwrap_or_else(|| "/login/".into()),
        logout_url: var("MUBLOG_DJAODJIN_LOGOUT_URL").unwrap_or_else(|| "/logout/".into()),
    }))
}

/// A numeric setting, or `default` when unset.
fn number<T: std::str::FromStr>(
    name: &'static str,
    value: Option<String>,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        Some(v) => v.parse().map_err(|_| ConfigError::BadNumber(name, v)),
        None => Ok(default),
    }
}

/// A comma-separated setting, trimmed, blanks dropped.
fn list(value: Option<String>) -> Vec<String> {
    let value = value.unwrap_or_default();
    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

pub(crate) fn strong_secret(secret: &str) -> bool {
    secret.len() >= MIN_SECRET_BYTES
}

pub(crate) fn serves_https(public_url: Option<&str>) -> bool {
    public_url.is_some_and(|url| url.starts_with("https://"))
}

fn is_origin(origin: &str) -> bool {
    let Some((scheme, host)) = origin.split_once("://") else { return false };
    matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains('/') && origin.is_ascii()
}

fn ensure_dir(dir: &Path) -> Result<(), ConfigError> {
    std::fs::create_dir_all(dir).map_err(|source| ConfigError::DataDir { path: dir.to_owned(), source })
}

/// Development signing key: random on first run, then kept (owner-readable only) so sign-ins
/// survive restarts.
fn dev_secret(data_dir: &Path) -> Result<String, ConfigError> {
    let path = data_dir.join("jwt_secret");
    let io_err = |source| ConfigError::DataDir { path: path.clone(), source };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if strong_secret(existing.trim()) {
            return Ok(existing.trim().to_owned());
        }
    }
    ensure_dir(data_dir)?;
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = STANDARD.encode(bytes);
    write_private(&path, &secret).map_err(io_err)?;
    tracing::info!(path = %path.display(), "generated a development signing key");
    Ok(secret)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        // A database URL keeps the tests from creating ./data.
        Config::from_lookup(move |name| match name {
            "DATABASE_URL" => Some("sqlite::memory:".into()),
            _ => vars.get(name).cloned(),
        })
    }

    #[test]
    fn production_refuses_a_missing_or_weak_secret() {
        assert!(matches!(config(&[("MUBLOG_ENV", "production")]), Err(ConfigError::WeakSecret)));
        let weak = [("MUBLOG_ENV", "production"), ("MUBLOG_JWT_SECRET", "secret")];
        assert!(matches!(config(&weak), Err(ConfigError::WeakSecret)));
        let strong =
            [("MUBLOG_ENV", "production"), ("MUBLOG_JWT_SECRET", "k3y-0f-at-least-thirty-two-bytes-long!")];
        let c = config(&strong).unwrap();
        assert_eq!(c.environment, Environment::Production);
        assert!(!c.seed_demo, "production never seeds demo content");
    }

    /// A config printed with `{:?}` (a log line, a panic) shows no secret.
    #[test]
    fn debug_output_hides_the_secrets() {
        let c = config(&[
            ("MUBLOG_JWT_SECRET", "jwt-k3y-0f-at-least-thirty-two-bytes"),
            ("MUBLOG_SMTP_URL", "smtps://mailer:smtp-pa55word@mail.example"),
            ("MUBLOG_METRICS_TOKEN", "scrape-t0ken"),
            ("MUBLOG_S3_URL", "https://s3.example/bucket"),
            ("MUBLOG_S3_ACCESS_KEY", "AKIAEXAMPLE"),
            ("MUBLOG_S3_SECRET_KEY", "s3-s3cret-key"),
            ("MUBLOG_SESSION_PROXY", "djaodjin"),
            ("MUBLOG_DJAODJIN_SECRET", "djaodjin-s3cret-shared-with-the-proxy!"),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        for secret in ["jwt-k3y", "smtp-pa55word", "scrape-t0ken", "s3-s3cret-key", "djaodjin-s3cret"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("REDACTED"), "{printed}");
    }

    #[test]
    fn development_seeds_unless_told_not_to() {
        let secret = ("MUBLOG_JWT_SECRET", "k3y-0f-at-least-thirty-two-bytes-long!");
        assert!(config(&[secret]).unwrap().seed_demo);
        assert!(!config(&[secret, ("MUBLOG_SEED_DEMO", "0")]).unwrap().seed_demo);
        assert!(matches!(config(&[("MUBLOG_ENV", "staging")]), Err(ConfigError::UnknownEnvironment(_))));
    }

    #[test]
    fn lists_are_parsed_and_origins_checked() {
        let secret = ("MUBLOG_JWT_SECRET", "k3y-0f-at-least-thirty-two-bytes-long!");
        let empty = config(&[secret]).unwrap();
        assert!(empty.cors_origins.is_empty() && empty.allowed_hosts.is_empty());
        let set = config(&[
            secret,
            ("MUBLOG_CORS_ORIGINS", "https://a.example, http://localhost:5173/"),
            ("MUBLOG_ALLOWED_HOSTS", "mublog.example, ,127.0.0.1:3000"),
        ])
        .unwrap();
        assert_eq!(set.cors_origins, ["https://a.example", "http://localhost:5173"]);
        assert_eq!(set.allowed_hosts, ["mublog.example", "127.0.0.1:3000"]);
        assert!(matches!(config(&[secret, ("MUBLOG_CORS_ORIGINS", "*")]), Err(ConfigError::BadOrigin(_))));
    }

    #[test]
    fn a_config_file_fills_in_what_the_environment_leaves_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mublog.toml");
        std::fs::write(
            &path,
            "env = \"production\"\nsmtp_url = \"smtp://127.0.0.1:2525\"\nworkers = 0\n\
             allowed_hosts = [\"a.example\", \"b.example\"]\n",
        )
        .unwrap();
        let file = read_config_file(&path).unwrap();
        assert_eq!(file.get(&file_key("MUBLOG_ENV")).map(String::as_str), Some("production"));
        assert_eq!(file.get("workers").map(String::as_str), Some("0"));
        assert_eq!(file.get("allowed_hosts").map(String::as_str), Some("a.example,b.example"));
        std::fs::write(&path, "smtp_url = { host = 1 }").unwrap();
        assert!(matches!(read_config_file(&path), Err(ConfigError::File { .. })));
        std::fs::write(&path, "not toml").unwrap();
        assert!(matches!(read_config_file(&path), Err(ConfigError::File { .. })));
    }

    #[test]
    fn assumed_development_listens_on_loopback_only() {
        let secret = ("MUBLOG_JWT_SECRET", "k3y-0f-at-least-thirty-two-bytes-long!");
        let public: std::net::SocketAddr = "0.0.0.0:3000".parse().unwrap();
        let assumed = config(&[secret]).unwrap();
        assert!(assumed.check_listen_address("127.0.0.1:3000".parse().unwrap()).is_ok());
        assert!(assumed.check_listen_address("[::1]:3000".parse().unwrap()).is_ok());
        let refused = assumed.check_listen_address(public).unwrap_err().to_string();
        assert!(refused.contains("MUBLOG_ENV=production"), "{refused}");
        let explicit = config(&[secret, ("MUBLOG_ENV", "development")]).unwrap();
        assert!(explicit.check_listen_address(public).is_ok());
        let production = config(&[secret, ("MUBLOG_ENV", "production")]).unwrap();
        assert!(production.check_listen_address(public).is_ok());
    }

    #[test]
    fn hsts_needs_production_over_https() {
        let secret = ("MUBLOG_JWT_SECRET", "k3y-0f-at-least-thirty-two-bytes-long!");
        let prod = ("MUBLOG_ENV", "production");
        assert!(config(&[secret, prod, ("MUBLOG_PUBLIC_URL", "https://mublog.example")]).unwrap().hsts);
        assert!(!config(&[secret, prod, ("MUBLOG_PUBLIC_URL", "http://mublog.example")]).unwrap().hsts);
        assert!(!config(&[secret, ("MUBLOG_PUBLIC_URL", "https://mublog.example")]).unwrap().hsts);
    }

    #[test]
    fn the_session_proxy_is_off_unless_set_and_refused_when_unusable() {
        let secret = ("MUBLOG_JWT_SECRET", "k3y-0f-at-least-thirty-two-bytes-long!");
        let on = ("MUBLOG_SESSION_PROXY", "djaodjin");
        let shared = ("MUBLOG_DJAODJIN_SECRET", "a secret shared with the proxy, 40 chars");
        assert!(config(&[secret]).unwrap().session_proxy.is_none());
        assert!(config(&[secret, ("MUBLOG_SESSION_PROXY", "off")]).unwrap().session_proxy.is_none());
        let proxy = config(&[secret, on, shared]).unwrap().session_proxy.unwrap();
        assert_eq!(proxy.sessions.cookie_name(), "sessionid");
        assert_eq!(proxy.powers.staff_roles, ["manager"]);
        assert!(proxy.powers.posting_plans.is_empty());
        assert!(proxy.allowed_no_session.contains(&"/".to_owned()));
        let custom = config(&[
            secret,
            on,
            shared,
            ("MUBLOG_ALLOWED_NO_SESSION", "/, /about/"),
            ("MUBLOG_DJAODJIN_STAFF_ROLES", "owner,manager"),
            ("MUBLOG_DJAODJIN_POSTING_PLANS", "writer"),
        ])
        .unwrap()
        .session_proxy
        .unwrap();
        assert_eq!(&*custom.allowed_no_session, ["/", "/about/"]);
        assert_eq!(custom.powers.staff_roles, ["owner", "manager"]);
        assert_eq!(custom.powers.posting_plans, ["writer"]);

        let refused = |vars: &[(&str, &str)]| config(vars).unwrap_err().to_string();
        assert!(refused(&[secret, ("MUBLOG_SESSION_PROXY", "djaodjn")]).contains("`djaodjn`"));
        assert!(refused(&[secret, on]).contains("needs MUBLOG_DJAODJIN_SECRET"));
        assert!(refused(&[secret, on, ("MUBLOG_DJAODJIN_SECRET", "short")]).contains("at least 32"));
        assert!(refused(&[secret, on, shared, ("MUBLOG_DJAODJIN_MODE", "header")]).contains("`header`"));
        assert!(refused(&[secret, on, shared, ("MUBLOG_DJAODJIN_JWT_ALGORITHM", "none")]).contains("HS256"));

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mockups.json");
        std::fs::write(&file, r#"{"ada": {"roles": {"manager": [{"slug": "mublog"}]}}, "bob": {}}"#).unwrap();
        let mockups = ("MUBLOG_MOCKUP_SESSIONS", file.to_str().unwrap());
        assert!(config(&[secret, on, shared, mockups]).unwrap().session_proxy.unwrap().mockups.is_some());
        assert!(refused(&[secret, mockups]).contains("needs MUBLOG_SESSION_PROXY"));
        let prod = [("MUBLOG_ENV", "production"), secret, on, shared, mockups];
        assert!(refused(&prod).contains("development only"));
        std::fs::write(&file, r#"{"ada": {"roles": "none"}}"#).unwrap();
        assert!(refused(&[secret, on, shared, mockups]).contains("\"ada\""));
    }
}
