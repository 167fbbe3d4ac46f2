//! Behind the DjaoDjin session proxy. Sessions are made at test time by the proxy's own
//! package, djaodjin-deployutils (`scripts/djaodjin-session.py`, installed in `target/py`):
//! what it makes is read; anything altered, foreign, expired or oversized gets the one answer a
//! request without a session gets.

use crate::common::TestApp;
use axum::body::Body;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use domain::auth::djaodjin::{ProxyMode, ProxySessions};
use http::{header, Method, Request, StatusCode};
use mublog::session_proxy::{SessionProxy, DEFAULT_ALLOWED_NO_SESSION};
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
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut child = Command::new(format!("{root}/target/py/bin/python"))
        .arg(format!("{root}/scripts/djaodjin-session.py"))
        .args(args)
        .env("DJAODJIN_SECRET_KEY", secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("target/py has djaodjin-deployutils (scripts/lib.sh ensure_python_tools)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "djaodjin-session.py {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

async fn behind_proxy(mode: ProxyMode) -> TestApp {
    TestApp::with(|config| {
        config.session_proxy = Some(
            SessionProxy {
                sessions: ProxySessions::new(SECRET, mode, "sessionid", "HS256").unwrap(),
                allowed_no_session: DEFAULT_ALLOWED_NO_SESSION.iter().map(|p| p.to_string()).collect(),
            }
            .into(),
        )
    })
    .await
}

/// A GET of `path` carrying `authorization` and the session cookie, as the proxy forwards it.
async fn get(
    app: &TestApp,
    path: &str,
    authorization: Option<&str>,
    cookie: Option<&str>,
) -> (StatusCode, String) {
    let mut req = Request::builder().uri(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(value) = authorization {
        req = req.header(header::AUTHORIZATION, value);
    }
    if let Some(value) = cookie {
        req = req.header(header::COOKIE, format!("sessionid={value}"));
    }
    let res = app.send(req.body(Body::empty()).unwrap()).await;
    (res.status, res.text())
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
    let mut cookies = vec![
        ("bad base64".to_owned(), format!("{}!", &cookie[..cookie.len() - 1])),
        ("another secret".to_owned(), package(OTHER_SECRET, &["cookie"], ADA)),
        ("not JSON".to_owned(), package(SECRET, &["encrypt"], "{not json")),
        ("no username".to_owned(), package(SECRET, &["cookie"], r#"{"roles": {}}"#)),
        ("cut short".to_owned(), STANDARD.encode(&raw[..raw.len() - 16])),
        ("not whole blocks".to_owned(), STANDARD.encode(&raw[..raw.len() - 3])),
        ("over 8 KB".to_owned(), package(SECRET, &["cookie"], &padding)),
    ];
    // A flipped bit in the salt, in every ciphertext block, and in the padding.
    for at in (8..raw.len()).step_by(16).chain([raw.len() - 1]) {
        let mut altered = raw.clone();
        altered[at] ^= 0x01;
        cookies.push((format!("a bit flipped at byte {at}"), STANDARD.encode(altered)));
    }
    for (what, value) in &cookies {
        assert_eq!(get(&app, PRIVATE, None, Some(value)).await, (status, refusal.clone()), "{what}");
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
        (Method::GET, "/login"),
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
}
