//! Behind the DjaoDjin session proxy. Sessions are made at test time by the proxy's own
//! package, djaodjin-deployutils (`scripts/djaodjin-session.py`, installed in `target/py`):
//! what it makes is read; anything altered, foreign, expired or oversized gets the one answer a
//! request without a session gets.

use crate::common::TestApp;
use axum::body::Body;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use domain::auth::djaodjin::{ProxyMode, ProxyPowers, ProxySessions};
use http::{header, Method, Request, StatusCode};
use mublog::session_proxy::{SessionProxy, DEFAULT_ALLOWED_NO_SESSION};
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};

const SECRET: &str = "a shared secret of forty characters, ok!";
const OTHER_SECRET: &str = "another secret, forty characters long!!!";

const ADA: &str = r#"{
    "username": "ada",
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "api_key": "a secret mublog never keeps",
    "site": {"slug": "mublog"},
    "roles": {"manager": [{"slug": "mublog", "printable_name": "mublog", "subscriptions": []}]}
}"#;

/// What `scripts/djaodjin-session.py <args>` prints for `input`, made with `secret`.
fn package(secret: &str, args: &[&str], input: &str) -> String {
    let out = run_package(secret, args, input);
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "djaodjin-session.py {args:?} failed: {why}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn run_package(secret: &str, args: &[&str], input: &str) -> std::process::Output {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut child = Command::new(format!("{root}/target/py/bin/python"))
        .arg(format!("{root}/scripts/djaodjin-session.py"))
        .args(args)
        .env("DJAODJIN_SECRET_KEY", secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("target/py has djaodjin-deployutils (scripts/lib.sh ensure_python_tools)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Whether the package's encrypted-cookie store reads `cookie` as a session with a username.
fn package_reads(secret: &str, cookie: &str) -> bool {
    let out = run_package(secret, &["decode", "cookie"], cookie);
    let session: Option<serde_json::Value> = serde_json::from_slice(&out.stdout).ok();
    out.status.success() && session.is_some_and(|s| s["username"].is_string())
}

async fn behind_proxy(mode: ProxyMode) -> TestApp {
    behind_proxy_with(mode, ProxyPowers::default()).await
}

async fn behind_proxy_with(mode: ProxyMode, powers: ProxyPowers) -> TestApp {
    TestApp::with(|config| config.session_proxy = Some(behind_proxy_config(mode, powers).into())).await
}

fn behind_proxy_config(mode: ProxyMode, powers: ProxyPowers) -> SessionProxy {
    SessionProxy {
        sessions: ProxySessions::new(SECRET, mode, "sessionid", "HS256").unwrap(),
        powers,
        mockups: None,
        allowed_no_session: DEFAULT_ALLOWED_NO_SESSION.iter().map(|p| p.to_string()).collect(),
        login_url: "https://example.com/login/".into(),
        logout_url: "https://example.com/logout/".into(),
    }
}

/// A GET of `path` carrying `authorization` and the session cookie, as the proxy forwards it.
async fn get(
    app: &TestApp,
    path: &str,
    authorization: Option<&str>,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let res = send_get(app, path, authorization, cookie).await;
    (res.status, res.text())
}

/// [`get`], answered whole (headers too).
async fn send_get(
    app: &TestApp,
    path: &str,
    authorization: Option<&str>,
    cookie: Option<&str>,
) -> crate::common::TestResponse {
    let mut req = Request::builder().uri(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(value) = authorization {
        req = req.header(header::AUTHORIZATION, value);
    }
    if let Some(value) = cookie {
        req = req.header(header::COOKIE, format!("sessionid={value}"));
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

/// A path outside the allowed ones that answers anyone once past the proxy's gate.
const PRIVATE: &str = "/api/version";

#[tokio::test]
async fn the_packages_jwt_is_read_and_anonymous_readers_reach_only_allowed_paths() {
    let app = behind_proxy(ProxyMode::Jwt).await;
    let jwt = package(SECRET, &["jwt"], ADA);
    let bearer = format!("Bearer {jwt}");

    assert_eq!(get(&app, "/", None, None).await.0, StatusCode::OK, "the feed is open");
    assert_eq!(get(&app, "/api/v1/posts", None, None).await.0, StatusCode::OK);
    let (status, refusal) = get(&app, PRIVATE, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refusal.contains("Sign in through the site"), "{refusal}");

    assert_eq!(get(&app, PRIVATE, Some(&bearer), None).await.0, StatusCode::OK);
    assert_eq!(get(&app, PRIVATE, None, Some(&jwt)).await.0, StatusCode::OK, "a JWT in the cookie");
    // The proxy's header is not one of mublog's access tokens: it is not refused as one.
    assert_eq!(get(&app, "/api/v1/posts", Some(&bearer), None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn every_bad_session_gets_the_answer_no_session_gets() {
    let app = behind_proxy(ProxyMode::Cookie).await;
    let (status, refusal) = get(&app, PRIVATE, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let cookie = package(SECRET, &["cookie"], ADA);
    assert_eq!(get(&app, PRIVATE, None, Some(&cookie)).await.0, StatusCode::OK);
    assert_eq!(
        get(&app, PRIVATE, None, Some(&format!("\"{cookie}\""))).await.0,
        StatusCode::OK,
        "as Django quotes it"
    );

    let raw = STANDARD.decode(&cookie).unwrap();
    let padding = format!(r#"{{"username": "ada", "pad": "{}"}}"#, "x".repeat(9000));
    let cookies = [
        ("bad base64", format!("{}!", &cookie[..cookie.len() - 1])),
        ("another secret", package(OTHER_SECRET, &["cookie"], ADA)),
        ("not JSON", package(SECRET, &["encrypt"], "{not json")),
        ("no username", package(SECRET, &["cookie"], r#"{"roles": {}}"#)),
        ("cut short", STANDARD.encode(&raw[..raw.len() - 16])),
        ("not whole blocks", STANDARD.encode(&raw[..raw.len() - 3])),
        ("over 8 KB", package(SECRET, &["cookie"], &padding)),
    ];
    for (what, value) in &cookies {
        assert_eq!(get(&app, PRIVATE, None, Some(value)).await, (status, refusal.clone()), "{what}");
    }
    // A flipped bit in the salt, in every ciphertext block, and in the padding. With no MAC, an
    // altered block can still decrypt to a readable session (rarely: its 16 garbled bytes must
    // land in a string and be UTF-8), so the package itself says which ones are read.
    for at in (8..raw.len()).step_by(16).chain([raw.len() - 1]) {
        let mut altered = raw.clone();
        altered[at] ^= 0x01;
        let altered = STANDARD.encode(altered);
        let answer = get(&app, PRIVATE, None, Some(&altered)).await;
        if package_reads(SECRET, &altered) {
            assert_eq!(answer.0, StatusCode::OK, "the package reads it with a bit flipped at byte {at}");
        } else {
            assert_eq!(answer, (status, refusal.clone()), "a bit flipped at byte {at}");
        }
    }

    let jwt = package(SECRET, &["jwt"], ADA);
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let claims = signed.split_once('.').unwrap().1;
    let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let other_signature = if signature.starts_with('A') { "B" } else { "A" };
    let jwts = [
        ("expired", package(SECRET, &["jwt", "--expired"], ADA)),
        ("another secret", package(OTHER_SECRET, &["jwt"], ADA)),
        ("alg: none", format!("{none}.{claims}.")),
        ("an altered signature", format!("{signed}.{other_signature}{}", &signature[1..])),
        ("over 8 KB", package(SECRET, &["jwt"], &padding)),
    ];
    for (what, token) in &jwts {
        let bearer = format!("Bearer {token}");
        assert_eq!(get(&app, PRIVATE, Some(&bearer), None).await, (status, refusal.clone()), "{what}");
    }
}

#[tokio::test]
async fn mublogs_own_sign_in_is_off() {
    let app = behind_proxy(ProxyMode::Jwt).await;
    let bearer = format!("Bearer {}", package(SECRET, &["jwt"], ADA));
    for (method, path) in [
        (Method::POST, "/api/v1/token"),
        (Method::POST, "/api/v1/token/refresh"),
        (Method::POST, "/api/auth/login"),
        (Method::POST, "/api/auth/register"),
        (Method::POST, "/api/auth/password/forgot"),
        (Method::GET, "/api/v1/me/sessions"),
        (Method::POST, "/login"),
        (Method::POST, "/register"),
    ] {
        let req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::AUTHORIZATION, &bearer)
            .body(Body::empty())
            .unwrap();
        let res = app.send(req).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{method} {path}");
        assert!(res.text().contains("session proxy"), "{method} {path}: {}", res.text());
    }
    // A page load of its sign-in pages goes to the proxy's.
    for page in ["/login", "/register"] {
        let res = app.get(page, None).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(res.headers[header::LOCATION], "https://example.com/login/", "{page}");
    }
}

#[tokio::test]
async fn a_refresh_cookie_from_before_the_proxy_names_nobody_and_is_cleared() {
    let (own, [grace]) = TestApp::with_users(["grace@example.com"]).await;
    assert!(own.get("/", Some(&grace.refresh)).await.text().contains("Sign out"), "before the proxy");

    let proxied = own
        .beside(|config| {
            config.session_proxy = Some(behind_proxy_config(ProxyMode::Cookie, ProxyPowers::default()).into())
        })
        .await;
    let page = proxied.get("/", Some(&grace.refresh)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("Sign out"), "an old mublog sign-in must not personalise the page");
    let cleared = page.set_cookie().expect("the old cookie is cleared");
    assert!(cleared.starts_with("__Host-mublog_refresh=;") && cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn the_request_log_names_the_sessions_user() {
    let app = behind_proxy(ProxyMode::Jwt).await;
    let bearer = format!("Bearer {}", package(SECRET, &["jwt"], ADA));
    assert_eq!(get(&app, "/api/v1/me", Some(&bearer), None).await.0, StatusCode::OK);
    assert_eq!(app.logged(1).await, 1);
    let logged_as = app
        .sql_scalar(
            "SELECT COUNT(*) FROM request_log JOIN users ON users.id = request_log.user_id
             WHERE users.proxy_username = 'ada' AND request_log.path = '/api/v1/me'",
        )
        .await;
    assert_eq!(logged_as, 1);
}

#[tokio::test]
async fn sign_out_is_the_proxys_and_the_page_says_so() {
    let app = behind_proxy(ProxyMode::Jwt).await;
    let bearer = format!("Bearer {}", package(SECRET, &["jwt"], ADA));
    let (status, me) = get(&app, "/api/v1/me", Some(&bearer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&me).unwrap()["proxied"], true, "{me}");
    let (_, page) = get(&app, "/", Some(&bearer), None).await;
    assert!(page.contains(r#"<a href="/logout" rel="external">Sign out"#), "{page}");

    let res = app.get("/logout", None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers[header::LOCATION], "https://example.com/logout/");
}

/// A session of the proxy for `username`, with `roles` (JSON), made by the package as a JWT.
fn jwt_for(username: &str, roles: serde_json::Value) -> String {
    let session = json!({"username": username, "site": {"slug": "mublog"}, "roles": roles});
    package(SECRET, &["jwt"], &session.to_string())
}

#[tokio::test]
async fn a_session_acts_as_its_user_through_rest_graphql_server_functions_and_pages() {
    let powers = ProxyPowers { posting_plans: vec!["writer".into()], ..ProxyPowers::default() };
    let app = behind_proxy_with(ProxyMode::Jwt, powers).await;
    let writer = jwt_for(
        "grace",
        json!({"contributor": [{"slug": "acme", "subscriptions": [{"plan": "writer", "ends_at": "2099-01-01T00:00:00Z"}]}]}),
    );
    let lapsed = jwt_for(
        "linus",
        json!({"contributor": [{"slug": "acme", "subscriptions": [{"plan": "writer", "ends_at": "2020-01-01T00:00:00Z"}]}]}),
    );
    let manager = jwt_for("boss", json!({"manager": [{"slug": "mublog"}]}));

    let me = app.api("GET", "/api/v1/me", None, Some(&writer)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text());
    assert_eq!(
        (me.json()["handle"].as_str(), me.json()["email_verified"].as_bool()),
        (Some("grace"), Some(true))
    );

    let rest = app.api("POST", "/api/v1/posts", Some(json!({"body": "through REST"})), Some(&writer)).await;
    assert_eq!(rest.status, StatusCode::CREATED, "{}", rest.text());
    let post = rest.json()["id"].as_i64().unwrap();
    let like = app.api("PUT", &format!("/api/v1/posts/{post}/like"), None, Some(&lapsed)).await;
    assert_eq!(like.status, StatusCode::OK, "liking needs no plan: {}", like.text());
    let server_fn = app
        .post("/api/posts/create", json!({"body": "through a server function"}), Some(&writer), None)
        .await;
    assert_eq!(server_fn.status, StatusCode::CREATED, "{}", server_fn.text());
    let query = json!({"query": "mutation { createPost(body: \"through GraphQL\") { author { handle } } }"});
    let gql = app.api("POST", "/graphql", Some(query), Some(&writer)).await;
    assert_eq!(gql.json()["data"]["createPost"]["author"]["handle"], "grace", "{}", gql.text());

    let query = json!({"query": "{ me { handle organizations { slug roles plans } } }"});
    let gql = app.api("POST", "/graphql", Some(query), Some(&writer)).await.json();
    let acme = json!({"slug": "acme", "roles": ["contributor"], "plans": ["writer"]});
    assert_eq!(gql["data"]["me"], json!({"handle": "grace", "organizations": [acme]}), "{gql}");

    let refused = app.api("POST", "/api/v1/posts", Some(json!({"body": "no plan"})), Some(&lapsed)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("active subscription"), "{}", refused.text());

    let admin = |token| app.post("/api/admin/users", json!({}), Some(token), None);
    assert_eq!(admin(&manager).await.status, StatusCode::OK, "a manager of the site is staff");
    assert_eq!(admin(&writer).await.status, StatusCode::FORBIDDEN);

    let signed_in = |page: &str| page.contains(">Sign out<");
    let grace = app.api("GET", "/", None, Some(&writer)).await.text();
    assert!(signed_in(&grace) && !grace.contains(r#"href="/admin""#), "the feed is rendered for grace");
    let boss = app.api("GET", "/", None, Some(&manager)).await.text();
    assert!(boss.contains(r#"href="/admin""#), "and for the manager, with the admin");
    assert!(!signed_in(&app.api("GET", "/", None, None).await.text()), "and not for anyone");
}

#[tokio::test]
async fn a_change_with_a_session_must_come_from_the_sites_own_pages() {
    let app = behind_proxy(ProxyMode::Cookie).await;
    let cookie = format!("sessionid={}", package(SECRET, &["cookie"], ADA));
    let post = |extra: Vec<(&'static str, &'static str)>| {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/posts")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, &cookie);
        for (name, value) in extra {
            req = req.header(name, value);
        }
        app.send(req.body(Body::from(json!({"body": "hello"}).to_string())).unwrap())
    };
    for forged in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", "https://blog.127.0.0.1")],
        vec![("origin", "https://evil.example")],
    ] {
        let res = post(forged.clone()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{forged:?}");
        assert!(res.text().contains("Cross-site"), "{forged:?}: {}", res.text());
    }
    for own in [
        vec![("sec-fetch-site", "same-origin"), ("origin", "http://127.0.0.1:3000")],
        vec![("origin", "https://app.example")],
        vec![],
    ] {
        assert_eq!(post(own.clone()).await.status, StatusCode::CREATED, "{own:?}");
    }
}

/// deployutils' example roles: a manager of the site, a subscriber whose plan runs, and one
/// whose plan ended (the README's example file).
const MOCKUPS: &str = r#"{
    "manager": {"site": {"slug": "mublog"}, "roles": {"manager": [{"slug": "mublog"}]}},
    "subscriber": {"email": "sub@example.com", "site": {"slug": "mublog"},
        "roles": {"contributor": [{"slug": "acme", "subscriptions": [{"plan": "writer", "ends_at": "2099-01-01T00:00:00Z"}]}]}},
    "lapsed": {"site": {"slug": "mublog"},
        "roles": {"contributor": [{"slug": "acme", "subscriptions": [{"plan": "writer", "ends_at": "2020-01-01T00:00:00Z"}]}]}}
}"#;

async fn with_mockups(mode: ProxyMode) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mockups.json");
    std::fs::write(&file, MOCKUPS).unwrap();
    let powers = ProxyPowers { posting_plans: vec!["writer".into()], ..ProxyPowers::default() };
    let mut proxy = behind_proxy_config(mode, powers);
    proxy.mockups = Some(mublog::mockup_sessions::MockupSessions::load(&file).unwrap());
    let app = TestApp::with(|config| config.session_proxy = Some(proxy.into())).await;
    (app, dir)
}

/// Signs in at `/login` as `username` with a made-up password; the session cookie's value.
async fn mockup_sign_in(app: &TestApp, username: &str) -> String {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(format!("username={username}&password=whatever")))
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cookie =
        res.headers.get(header::SET_COOKIE).expect("the session cookie").to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/"), "{cookie}");
    cookie.split(';').next().unwrap().strip_prefix("sessionid=").unwrap().to_owned()
}

#[tokio::test]
async fn mockup_sessions_sign_in_as_the_proxy_would_and_the_package_reads_them() {
    for (mode, kind) in [(ProxyMode::Cookie, "cookie"), (ProxyMode::Jwt, "jwt")] {
        let (app, _dir) = with_mockups(mode).await;
        let list = app.get("/login", None).await;
        assert_eq!(list.status, StatusCode::OK);
        for name in ["manager", "subscriber", "lapsed"] {
            assert!(list.text().contains(&format!("Sign in as {name}")), "{}", list.text());
        }

        let value = mockup_sign_in(&app, "subscriber").await;
        let decoded: serde_json::Value =
            serde_json::from_str(&package(SECRET, &["decode", kind], &value)).unwrap();
        assert_eq!(decoded["username"], "subscriber", "{kind}: the package reads mublog's session");
        assert_eq!(decoded["roles"]["contributor"][0]["subscriptions"][0]["plan"], "writer");
        if kind == "jwt" {
            assert!(decoded["exp"].as_i64().unwrap() > unix_now() + 3600, "two hours, as the proxy sets");
        }

        let (status, me) = get(&app, "/api/v1/me", None, Some(&value)).await;
        assert_eq!(status, StatusCode::OK, "{kind}: {me}");
        let me: serde_json::Value = serde_json::from_str(&me).unwrap();
        assert_eq!(me["handle"], "subscriber");
        let acme =
            json!({"slug": "acme", "printable_name": "acme", "roles": ["contributor"], "plans": ["writer"]});
        assert_eq!(
            me["organizations"],
            json!([acme]),
            "the session's organizations, roles and running plans"
        );
        let (_, settings) = get(&app, "/settings", None, Some(&value)).await;
        assert!(settings.contains("Organizations") && settings.contains("contributor"), "{settings}");
        assert!(!settings.contains("Change password"), "the proxy handles passwords");

        let unknown = app.send(
            Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::HOST, "127.0.0.1:3000")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("username=nobody&password=x"))
                .unwrap(),
        );
        assert_eq!(unknown.await.status, StatusCode::NOT_FOUND);

        let out = send_get(&app, "/logout", None, Some(&value)).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{kind}");
        let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cleared.starts_with("sessionid=;") && cleared.contains("Max-Age=0"), "{cleared}");
        assert_eq!(out.headers[header::LOCATION], "/");
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
