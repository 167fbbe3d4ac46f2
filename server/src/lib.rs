//! The mublog server: configuration, start-up, and the axum router that serves pages, server
//! functions and static files, REST and GraphQL. The top of the stack: it may depend on every
//! other mublog crate, and none depends on it.

mod body_rate;
mod cache_policy;
pub mod client_addr;
mod compression;
pub mod config;
pub mod deploy_check;
mod dev_mail;
mod forms;
mod graphql;
mod health;
mod hosts;
mod http_errors;
mod json_objects;
mod metrics;
pub mod mockup_sessions;
mod page_cache;
mod pictures;
mod pwa;
pub mod request_log;
mod rest;
pub mod session_proxy;
pub mod site;
mod state;

use app::{shell, App};
use axum::routing::post;
use axum::{middleware, Router};
use config::{Environment, MediaConfig};
use domain::auth::Throttles;
use domain::jobs::worker;
use domain::{AccessTokens, Db, Mailer, MediaStore, Mublog};
use http::{header, HeaderName, HeaderValue, Method};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use tower::util::option_layer;
use tower_cookies::CookieManagerLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::{Config, ConfigError};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(#[from] domain::store::DbError),
    #[error("seeding demo content: {0}")]
    Seed(#[from] domain::DomainError),
    #[error("mail: {0}")]
    Mail(#[from] domain::mail::MailError),
    #[error("{0}")]
    Media(#[from] domain::media::store::StoreError),
    #[error("{0}")]
    RateLimits(#[from] domain::auth::throttle::StoreError),
}

/// A running app: its router, the job workers started with it, and the request-log writer
/// (which finishes its last batch once the router is dropped).
pub struct Started {
    pub router: Router,
    /// The domain service the router serves (to end its live streams at shutdown).
    pub mublog: Mublog,
    pub workers: Workers,
    pub request_log: tokio::task::JoinHandle<()>,
    pub request_log_handle: request_log::RequestLog,
}

/// Background workers; they run until [`Workers::stop`] (or until this is dropped).
pub struct Workers {
    shutdown: tokio::sync::watch::Sender<bool>,
    running: Option<tokio::task::JoinHandle<()>>,
    /// The live hub, in a process that serves pages (see [`domain::live`]).
    hub: Option<tokio::task::JoinHandle<()>>,
}

impl Workers {
    /// Starts `config.concurrency` workers on the current runtime (none for 0).
    pub fn start(mublog: Mublog, config: worker::WorkerConfig) -> Self {
        let (shutdown, stop) = tokio::sync::watch::channel(false);
        let running = (config.concurrency > 0).then(|| tokio::spawn(worker::run(mublog, config, stop)));
        Workers { shutdown, running, hub: None }
    }

    /// Also runs the live hub, until [`Workers::stop`].
    fn with_live_hub(mut self, mublog: Mublog) -> Self {
        self.hub = Some(tokio::spawn(domain::live::run(mublog, self.shutdown.subscribe())));
        self
    }

    /// Asks the workers to stop and waits: running jobs finish or are handed back.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in [self.running, self.hub].into_iter().flatten() {
            let _ = task.await;
        }
    }
}

/// The server's listener. Every accepted connection sets `TCP_NODELAY`: a page goes out in
/// several writes, and with Nagle's algorithm each small write after the first waits for the
/// client's delayed ACK (40 ms on Linux, 200 ms on Windows).
pub async fn listen(
    addr: std::net::SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt;
    fn no_delay(stream: &mut tokio::net::TcpStream) {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
    }
    Ok(tokio::net::TcpListener::bind(addr).await?.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// The domain service for this configuration: the database (migrated) and the mailer.
pub async fn domain(config: &Config) -> Result<Mublog, StartupError> {
    let db = Db::connect(&config.database_url).await?;
    let mailer = Mailer::new(
        config.smtp_url.as_ref().map(ExposeSecret::expose_secret),
        &Mailer::outbox(&config.data_dir),
        &config.mail_from,
    )?;
    let media = match &config.media {
        MediaConfig::Local => MediaStore::local(config.data_dir.join("media"))?,
        MediaConfig::S3 { url, region, access_key, secret_key } => {
            MediaStore::s3(url, region, access_key, secret_key.expose_secret())?
        }
    };
    let throttles = match &config.redis_url {
        Some(url) => Throttles::shared(url.expose_secret(), &config.redis_prefix).await?,
        None => Throttles::default(),
    };
    Ok(Mublog::new(
        db,
        AccessTokens::new(config.jwt_secret.expose_secret().as_bytes()),
        mailer,
        media,
        &config.public_url,
    )
    .with_throttles(throttles)
    .with_request_log_retention(config.request_log_days))
}

/// Opens the database (applying migrations), seeds demo content where configured, starts the
/// in-process job workers and builds the router.
pub async fn build(config: &Config, mut leptos_options: LeptosOptions) -> Result<Started, StartupError> {
    // Leptos's own environment (`LEPTOS_ENV`) adds the live-reload script and its websocket to
    // the CSP; production never has them, whatever that variable says.
    if config.environment == Environment::Production {
        leptos_options.env = leptos::config::Env::PROD;
    }
    let mublog = domain(config).await?;
    if config.seed_demo && mublog.db().is_empty().await? {
        domain::seed::seed_demo(&mublog).await?;
    }
    let workers = Workers::start(mublog.clone(), config.jobs.clone()).with_live_hub(mublog.clone());
    let (log, writer) = request_log::RequestLog::start(mublog.clone(), config.request_log_capacity);
    let router = router(mublog.clone(), leptos_options, config)
        .layer(middleware::from_fn_with_state(log.clone(), request_log::record))
        // Outermost: every layer and handler inside sees the same client address.
        .layer(middleware::from_fn_with_state(config.trusted_proxies.clone(), client_addr::resolve));
    Ok(Started { router, mublog, workers, request_log: writer, request_log_handle: log })
}

fn router(mublog: Mublog, leptos_options: LeptosOptions, config: &Config) -> Router {
    metrics::install();
    let cors_origins = &config.cors_origins;
    let routes = route_list();
    let state = state::AppState {
        leptos_options: leptos_options.clone(),
        mublog: mublog.clone(),
        graphql: graphql::schema(mublog.clone()),
        outbox: dev_mail::Outbox(Mailer::outbox(&config.data_dir)),
        metrics_token: metrics::MetricsToken(config.metrics_token.clone()),
        service_worker: pwa::ServiceWorker(pwa::service_worker(&leptos_options).into()),
    };
    let trusted = app::api::request::TrustedOrigins(config.cors_origins.clone().into());
    let proxy_trusts = trusted.clone();
    let context = move || {
        provide_context(mublog.clone());
        provide_context(trusted.clone());
        provide_context(app::api::request::CookieViewer::default());
    };

    let server_fns = post({
        let context = context.clone();
        move |req| leptos_axum::handle_server_fns_with_context(context.clone(), req)
    });

    // The outbox page exists only where the outbox is used: development without SMTP.
    let dev_mail = match (config.environment, &config.smtp_url) {
        (Environment::Development, None) => {
            Router::new().route("/dev/mail", axum::routing::get(dev_mail::outbox_page))
        }
        _ => Router::new(),
    };

    Router::new()
        .nest("/api/v1", rest::router())
        .merge(dev_mail)
        .route("/graphql", axum::routing::get(graphql::graphiql).post(graphql::execute))
        .route_service("/graphql/ws", graphql::subscriptions(state.graphql.clone()))
        .route("/api/docs", axum::routing::get(rest::docs::docs_page))
        .route("/media/{name}", axum::routing::get(pictures::serve))
        .nest_service(
            &format!("/{}", leptos_options.site_pkg_dir),
            compression::pkg_files(
                &std::path::Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir),
                leptos_options.hash_files,
            ),
        )
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/readyz", axum::routing::get(health::readyz))
        .route("/api/version", axum::routing::get(health::version))
        .route("/metrics", axum::routing::get(metrics::scrape))
        .route("/sw.js", axum::routing::get(pwa::serve))
        // The account forms post to their own pages, so they work before hydration.
        .route("/login", post(forms::login))
        .route("/register", post(forms::register))
        .route("/forgot", post(forms::forgot))
        .route("/reset/{token}", post(forms::reset))
        // Server functions live under these prefixes (see `app::api`).
        .route("/api/auth/{*fn_name}", server_fns.clone())
        .route("/api/posts/{*fn_name}", server_fns.clone())
        .route("/api/admin/{*fn_name}", server_fns)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<state::AppState, _>(context, shell))
        .layer(option_layer((!config.page_cache.is_zero()).then(|| {
            middleware::from_fn_with_state(page_cache::PageCache::new(config.page_cache), page_cache::serve)
        })))
        .layer(middleware::from_fn(http_errors::status_from_error_code))
        .layer(middleware::from_fn(cache_policy::private_when_personal))
        .layer(middleware::from_fn(json_objects::refuse_other_values))
        .layer(middleware::from_fn(http_errors::empty_body_means_no_arguments))
        .layer(option_layer(config.session_proxy.clone().map(|proxy| {
            middleware::from_fn_with_state(
                (proxy, state.mublog.clone(), proxy_trusts.clone()),
                session_proxy::gate,
            )
        })))
        .layer(CookieManagerLayer::new())
        // Bodies are capped by `limit_body` (per route); axum's own default cap would cut
        // uploads at 2 MB.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(http_errors::limit_body))
        .layer(middleware::from_fn(body_rate::enforce))
        .layer(compression::layer())
        .layer(middleware::from_fn(compression::never_for_credentials))
        // One CORS policy for the whole server (REST, GraphQL, and the server functions the
        // Trunk build calls); it answers preflights before routing, and its headers reach
        // error answers too.
        .layer(cors(cors_origins))
        .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(always(header::REFERRER_POLICY, "same-origin"))
        .layer(always(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
        .layer(hsts(config.hsts))
        .layer(middleware::from_fn_with_state(
            hosts::AllowedHosts::new(&config.allowed_hosts),
            hosts::reject_unknown_host,
        ))
        // Every request gets an `X-Request-Id` (or keeps the one it came with); it is echoed in
        // the response and recorded on the request's span, so every log line of the request
        // carries it.
        .layer(middleware::from_fn(metrics::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &http::Request<axum::body::Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let path = request_log::loggable_path(req.uri().path());
            tracing::info_span!("request", method = %req.method(), uri = %path, request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// A header every response carries unless its handler set it. Pages add their own nonce-based
/// CSP (see `app::shell`).
fn always(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Cross-origin access to the public APIs, for the configured origins only. Credentials are
/// allowed for exactly those origins; every other origin gets no CORS headers at all.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::LOCATION, header::RETRY_AFTER, header::WWW_AUTHENTICATE])
}

/// The CSP of the pages that are not the Leptos app (API docs, GraphiQL, the development
/// outbox): scripts only from this origin, no framing. The tools set inline styles (all that
/// `'unsafe-inline'` allows here) and GraphiQL embeds its fonts as `data:` URLs.
const TOOL_PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// An HTML page outside the Leptos app, with [`TOOL_PAGE_CSP`].
fn tool_page(html: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(header::CONTENT_SECURITY_POLICY, TOOL_PAGE_CSP)], axum::response::Html(html)).into_response()
}

/// A page for a vendored browser tool (API docs, GraphiQL): one stylesheet, one mount point,
/// scripts from `/vendor`. Nothing is loaded from other origins.
fn vendored_page(title: &str, stylesheet: &str, body: &str, scripts: &[&str]) -> axum::response::Response {
    let scripts: String = scripts.iter().map(|src| format!("<script src=\"{src}\"></script>")).collect();
    tool_page(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\">\
         <style>body {{ margin: 0; }}</style></head><body>{body}{scripts}</body></html>"
    ))
}

/// `Strict-Transport-Security`, for production served over https only: sent over plain http
/// it would lock browsers out of a development server.
fn hsts(
    enabled: bool,
) -> SetResponseHeaderLayer<impl Fn(&axum::response::Response) -> Option<HeaderValue> + Clone> {
    SetResponseHeaderLayer::if_not_present(
        header::STRICT_TRANSPORT_SECURITY,
        move |_: &axum::response::Response| {
            enabled.then(|| HeaderValue::from_static("max-age=63072000; includeSubDomains"))
        },
    )
}

/// The app's routes, generated once per process: generating them renders the app in a special
/// mode, which must not overlap with a page being rendered (tests build many routers at once).
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    /// Without `TCP_NODELAY`, a page written in several pieces stalls 40 ms per response.
    #[tokio::test]
    async fn accepted_connections_do_not_wait_for_acks() {
        let mut listener = super::listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (accepted, peer) = listener.accept().await;
        assert_eq!(peer, client.local_addr().unwrap());
        assert!(accepted.nodelay().unwrap());
    }
}
