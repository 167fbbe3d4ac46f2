//! Test harness: the real router on a fresh database (see `database`), driven in-process.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use mublog::config::{Config, Environment};
use serde_json::{json, Value};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;
use tempfile::TempDir;
use tower::ServiceExt;

pub use database::{redis_url, Backend, TestDatabase};
pub use domain::jobs::worker::WorkerConfig;
pub use mail_sink::MailSink;

mod database;
mod mail_sink;
pub mod pictures;

pub const PASSWORD: &str = "correct horse battery";
/// The peer address of requests that do not name one.
pub const DEFAULT_CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));

/// The apps under test run on one long-lived runtime, as in production. Leptos keeps a global
/// task spawner; with a runtime per test it could hand one test's rendering work to another
/// test's runtime that has already shut down.
fn on_server<F>(work: F) -> impl Future<Output = F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = server_runtime().spawn(work);
    async move { handle.await.expect("server task panicked") }
}

fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
    })
}

pub struct TestApp {
    router: Router,
    /// The domain service behind the router.
    pub mublog: domain::Mublog,
    /// The real SMTP server this app delivers to.
    pub mail: MailSink,
    workers: tokio::sync::Mutex<Option<mublog::Workers>>,
    pub request_log: mublog::request_log::RequestLog,
    /// Each registration comes from its own address, so per-address limits stay out of the way.
    next_client: std::sync::atomic::AtomicU32,
    pub db_url: String,
    database: TestDatabase,
    /// Where this app's rate limits are kept in Redis (shared with the apps [`Self::beside`] it).
    redis_prefix: String,
    /// Whether this app made the prefix, and deletes its keys when dropped.
    owns_redis_prefix: bool,
    _dir: TempDir,
}

/// The app's workers stop, as at shutdown, before its database goes, and its Redis keys are
/// deleted: nothing of a finished test keeps running or stays behind.
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(workers) = self.workers.get_mut().take() {
            // A thread of its own: this may run inside a test's runtime, which cannot block.
            std::thread::scope(|s| {
                s.spawn(|| server_runtime().block_on(workers.stop()));
            });
        }
        if self.owns_redis_prefix {
            // Nothing to delete where no Redis runs (an app that never used one).
            let _ = domain::auth::throttle::forget_counters(&redis_url(), &self.redis_prefix);
        }
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.text()))
    }

    /// The fields a 422 names, in its order.
    pub fn fields(&self) -> Vec<String> {
        let json = self.json();
        let fields =
            json["fields"].as_array().unwrap_or_else(|| panic!("no fields ({}): {json}", self.status));
        fields.iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The refresh token set by this response, if any (empty when the cookie is cleared).
    pub fn refresh_cookie(&self) -> Option<String> {
        self.set_cookie().map(|c| c.split(';').next().unwrap().split_once('=').unwrap().1.to_owned())
    }

    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("__Host-mublog_refresh="))
    }

    pub fn error_code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}

/// A signed-in test user.
pub struct User {
    pub id: i64,
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(|_| ()).await
    }

    /// A new app with a signed-in user for each address, in the order given (see [`Self::user`]).
    pub async fn with_users<const N: usize>(emails: [&str; N]) -> (Self, [User; N]) {
        let app = Self::new().await;
        let mut users = Vec::with_capacity(N);
        for email in emails {
            users.push(app.user(email).await);
        }
        let Ok(users) = users.try_into() else { unreachable!("one user per address") };
        (app, users)
    }

    /// An app whose configuration `adjust` changes first.
    pub async fn with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::on(Backend::OfTheRun, adjust).await
    }

    /// An app on the given database (see [`Backend`]).
    pub async fn on(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::create(dir.path(), backend).await;
        let redis_prefix = format!("mublog-test-{:016x}", rand::random::<u64>());
        let mut app = Self::start(dir, database, redis_prefix, adjust).await;
        app.owns_redis_prefix = true;
        app
    }

    /// A second instance on this app's database, as a cluster runs them (its own folder, mail
    /// and workers); the database stays this app's.
    pub async fn beside(&self, adjust: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::shared(&self.db_url);
        Self::start(tempfile::tempdir().unwrap(), database, self.redis_prefix.clone(), adjust).await
    }

    async fn start(
        dir: TempDir,
        database: TestDatabase,
        redis_prefix: String,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let db_url = database.url.clone();
        let mail = MailSink::start();
        let mut config = Config {
            environment: Environment::Development,
            environment_explicit: true,
            database_url: db_url.clone(),
            jwt_secret: "integration-tests-secret-0123456789abcdef".into(),
            seed_demo: false,
            cors_origins: vec!["https://app.example".into()],
            allowed_hosts: Vec::new(),
            hsts: false,
            public_url: "http://mublog.test".into(),
            smtp_url: Some(mail.url.clone().into()),
            mail_from: "mublog <no-reply@mublog.test>".into(),
            data_dir: dir.path().to_owned(),
            media: mublog::config::MediaConfig::Local,
            metrics_token: None,
            trusted_proxies: Default::default(),
            request_log_days: 30,
            request_log_capacity: 10_000,
            shutdown_grace: Duration::from_secs(2),
            // Tests read pages right after changing them; `pages.rs` tests the cache itself.
            page_cache: Duration::ZERO,
            jobs: WorkerConfig {
                poll_interval: Duration::from_millis(100),
                backoff_base: Duration::from_secs(1),
                shutdown_grace: Duration::from_secs(2),
                ..WorkerConfig::default()
            },
            // On PostgreSQL, apps run as a cluster does: rate limits in Redis.
            redis_url: database.is_postgres().then(|| redis_url().into()),
            redis_prefix: redis_prefix.clone(),
            session_proxy: None,
        };
        adjust(&mut config);
        let options = LeptosOptions::builder().output_name("mublog").build();
        let started = on_server(async move { mublog::build(&config, options).await.unwrap() }).await;
        TestApp {
            router: started.router,
            mublog: started.mublog,
            mail,
            workers: tokio::sync::Mutex::new(Some(started.workers)),
            request_log: started.request_log_handle,
            db_url,
            database,
            redis_prefix,
            owns_redis_prefix: false,
            _dir: dir,
            next_client: Default::default(),
        }
    }

    /// Serves the app over real HTTP on a free local port, for as long as the test's server
    /// runtime runs (streams and WebSockets need a connection, not a single call).
    pub async fn serve(&self) -> SocketAddr {
        let router = self.router.clone();
        on_server(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = router.into_make_service_with_connect_info::<SocketAddr>();
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            addr
        })
        .await
    }

    /// Stops the app's job workers, as SIGTERM does.
    pub async fn stop_workers(&self) {
        if let Some(workers) = self.workers.lock().await.take() {
            on_server(workers.stop()).await;
        }
    }

    /// Sends a request as if from `DEFAULT_CLIENT` unless it names its own peer address.
    pub async fn send(&self, mut req: Request<Body>) -> TestResponse {
        if req.extensions().get::<ConnectInfo<SocketAddr>>().is_none() {
            req.extensions_mut().insert(ConnectInfo(SocketAddr::new(DEFAULT_CLIENT, 40000)));
        }
        let router = self.router.clone();
        on_server(async move {
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
            TestResponse { status, headers, body }
        })
        .await
    }

    /// A GET's status and headers alone, its body unread (a stream's never ends).
    pub async fn head_of_get(&self, path: &str) -> (StatusCode, HeaderMap) {
        let req =
            Request::builder().uri(path).header(header::HOST, "127.0.0.1:3000").body(Body::empty()).unwrap();
        let router = self.router.clone();
        on_server(async move {
            let res = router.oneshot(req).await.unwrap();
            (res.status(), res.headers().clone())
        })
        .await
    }

    /// POST a JSON body with optional bearer token and refresh cookie, as a same-origin page would.
    pub async fn post(
        &self,
        path: &str,
        body: Value,
        access: Option<&str>,
        refresh: Option<&str>,
    ) -> TestResponse {
        self.post_raw(path, body.to_string(), access, refresh, &[]).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        body: String,
        access: Option<&str>,
        refresh: Option<&str>,
        extra: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = access {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(token) = refresh {
            req = req.header(header::COOKIE, format!("__Host-mublog_refresh={token}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = req.header(header::CONTENT_LENGTH, body.len());
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// POST a body streamed in chunks, without a Content-Length.
    pub async fn post_chunked(&self, path: &str, body: String) -> TestResponse {
        let chunks: Vec<Result<String, std::io::Error>> =
            body.into_bytes().chunks(1024).map(|c| Ok(String::from_utf8_lossy(c).into_owned())).collect();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from_stream(futures::stream::iter(chunks)))
            .unwrap();
        self.send(req).await
    }

    pub async fn get(&self, path: &str, refresh: Option<&str>) -> TestResponse {
        let mut req = Request::builder().uri(path).header(header::HOST, "127.0.0.1:3000");
        if let Some(token) = refresh {
            req = req.header(header::COOKIE, format!("__Host-mublog_refresh={token}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Any REST call: method, path, optional JSON body and bearer token.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        access: Option<&str>,
    ) -> TestResponse {
        let mut req = Request::builder().method(method).uri(path).header(header::HOST, "127.0.0.1:3000");
        if let Some(token) = access {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    pub async fn register(&self, email: &str) -> TestResponse {
        self.register_from(self.fresh_client(), email).await
    }

    /// An address no other request of this app has come from.
    fn fresh_client(&self) -> IpAddr {
        let n = self.next_client.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        IpAddr::from([10, 1, (n >> 8) as u8, n as u8])
    }

    pub async fn register_from(&self, client: IpAddr, email: &str) -> TestResponse {
        self.post_from(client, "/api/auth/register", json!({ "email": email, "password": PASSWORD })).await
    }

    /// Signs in through the token endpoint from a given address.
    pub async fn token_from(&self, client: IpAddr, email: &str, password: &str) -> TestResponse {
        self.post_from(client, "/api/v1/token", json!({ "email": email, "password": password })).await
    }

    /// POST a JSON body from a given peer address.
    pub async fn post_from(&self, client: IpAddr, path: &str, body: Value) -> TestResponse {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, 40000)));
        self.send(req).await
    }

    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post("/api/auth/login", json!({ "email": email, "password": password }), None, None).await
    }

    /// A registered, verified and signed-in user. The address is marked verified directly;
    /// `accounts.rs` tests the real link.
    /// Each user registers and signs in from an address of their own, as people do, so the
    /// per-address limits stay out of the way of tests that make many users.
    pub async fn user(&self, email: &str) -> User {
        let client = self.fresh_client();
        let res = self.register_from(client, email).await;
        assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
        self.sql(&format!("UPDATE users SET email_verified_at = 1 WHERE email = '{email}'")).await;
        self.signed_in_from(client, email, PASSWORD).await
    }

    pub async fn signed_in(&self, email: &str, password: &str) -> User {
        self.signed_in_from(DEFAULT_CLIENT, email, password).await
    }

    pub async fn signed_in_from(&self, client: IpAddr, email: &str, password: &str) -> User {
        let res =
            self.post_from(client, "/api/auth/login", json!({ "email": email, "password": password })).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let body = res.json();
        User {
            id: body["user"]["id"].as_i64().unwrap(),
            access: body["access_token"].as_str().unwrap().to_owned(),
            refresh: res.refresh_cookie().unwrap(),
        }
    }

    /// Asks for a password reset for `email` and returns the token its email links to.
    pub async fn reset_token(&self, email: &str) -> String {
        self.post("/api/auth/password/forgot", json!({ "email": email }), None, None).await;
        self.mail.wait_for_subject(email, "Reset your mublog password").await.token("/reset/")
    }

    /// Submits a new password with a reset token.
    pub async fn reset_password(&self, token: &str, password: &str) -> TestResponse {
        self.post("/api/auth/password/reset", json!({ "token": token, "password": password }), None, None)
            .await
    }

    pub async fn create_post(&self, user: &User, body: &str) -> TestResponse {
        self.post("/api/posts/create", json!({ "body": body }), Some(&user.access), None).await
    }

    /// A signed-in staff member (made staff directly, as `mublog createsuperuser` does).
    pub async fn staff(&self, email: &str) -> User {
        let user = self.user(email).await;
        self.sql(&format!("UPDATE users SET is_staff = TRUE WHERE id = {}", user.id)).await;
        user
    }

    /// Posts `body` as `user` and returns the new post's id.
    pub async fn new_post(&self, user: &User, body: &str) -> i64 {
        let res = self.create_post(user, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["id"].as_i64().unwrap()
    }

    pub fn on_postgres(&self) -> bool {
        self.database.is_postgres()
    }

    /// Runs SQL directly against the test database, to move clocks or inspect storage.
    pub async fn sql(&self, statement: &str) {
        let pool = database::any_pool(&self.db_url).await;
        sqlx::raw_sql(statement).execute(&pool).await.unwrap();
        pool.close().await;
    }

    pub async fn sql_scalar(&self, statement: &str) -> i64 {
        let pool = database::any_pool(&self.db_url).await;
        let v: i64 = sqlx::query_scalar(statement).fetch_one(&pool).await.unwrap();
        pool.close().await;
        v
    }

    /// Waits (up to 15 s) until the request log holds `rows` rows; how many it holds.
    pub async fn logged(&self, rows: i64) -> i64 {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let count = self.sql_scalar("SELECT COUNT(*) FROM request_log").await;
            if count >= rows || std::time::Instant::now() > deadline {
                return count;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// A job as the tests read it back from the queue.
#[derive(Debug, sqlx::FromRow)]
pub struct JobState {
    pub state: String,
    pub attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
}

/// The jobs of one kind in the database at `db_url`, oldest first.
/// Polls `check` every 50 ms until it finds something; fails with `what` after `within`.
pub async fn eventually<T>(within: Duration, what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn jobs_of_kind(db_url: &str, kind: &str) -> Vec<JobState> {
    let pool = database::any_pool(db_url).await;
    let jobs =
        sqlx::query_as("SELECT state, attempts, run_at, last_error FROM jobs WHERE kind = $1 ORDER BY id")
            .bind(kind)
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    jobs
}
