//! Sign-up, sign-in and the refresh-token family: validation, cookies, rotation, reuse,
//! expiry and cross-site refusal.

use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{TestApp, PASSWORD};
use futures::future::join_all;
use http::{header, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn register_validates_and_answers_the_same_for_taken_addresses() {
    let app = TestApp::new().await;
    let res = app.register("Alice@Example.com").await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
    assert!(!res.text().contains("argon2"), "no hash in the response");
    let me = app.signed_in("alice@example.com", PASSWORD).await;
    let body = app.api("GET", "/api/v1/me", None, Some(&me.access)).await.json();
    assert_eq!(body["email"], "alice@example.com");
    assert_eq!(body["display_name"], "alice");
    assert_eq!(body["handle"], "alice");
    assert_eq!(body["email_verified"], false);

    // Emails are case-insensitive; a taken one gets the very same answer, and its owner a mail.
    let dup = app.register("ALICE@example.com").await;
    assert_eq!((dup.status, &dup.body), (res.status, &res.body));
    let mails = app.mail.wait_for("alice@example.com", 2).await;
    assert!(mails.iter().any(|m| m.subject == "You already have a mublog account"), "{mails:?}");
    assert_eq!(app.sql_scalar("SELECT COUNT(*) FROM users").await, 1);

    let bad =
        app.post("/api/auth/register", json!({ "email": "nope", "password": "short" }), None, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.fields(), ["email", "password"]);
}

#[tokio::test]
async fn malformed_and_oversize_bodies_get_clear_4xx() {
    let app = TestApp::new().await;
    for body in ["{not json", r#"{"email":"a@example.com"}"#, r#"{"email":1,"password":2}"#, ""] {
        let res = app.post_raw("/api/auth/login", body.into(), None, None, &[]).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.text());
        assert_eq!(res.error_code(), "bad_request");
    }
    let huge = json!({ "email": "a@example.com", "password": "x".repeat(64 * 1024) }).to_string();
    let res = app.post_raw("/api/auth/login", huge.clone(), None, None, &[]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.error_code(), "payload_too_large");
    let res = app.post_chunked("/api/auth/login", huge).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
    assert_eq!(res.error_code(), "payload_too_large");
}

#[tokio::test]
async fn login_returns_a_short_lived_access_token_and_an_httponly_refresh_cookie() {
    let app = TestApp::new().await;
    app.register("bob@example.com").await;
    let res = app.login("Bob@Example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["user"]["email"], "bob@example.com");
    assert!(body.get("refresh_token").is_none());

    let cookie = res.set_cookie().unwrap();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let refresh = res.refresh_cookie().unwrap();
    assert!(refresh.len() >= 22, "at least 128 bits");
    assert!(!res.text().contains(&refresh), "refresh token never in the body");

    // The database keeps only a hash of it.
    let stored = app.sql_scalar("SELECT COUNT(*) FROM refresh_tokens WHERE length(token_hash) = 32").await;
    assert_eq!(stored, 1);

    let token = body["access_token"].as_str().unwrap();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims["typ"], "access");
    assert_eq!(claims["sub"], body["user"]["id"].to_string());
    assert!(claims["jti"].as_str().unwrap().len() >= 16);
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert!(lifetime <= 15 * 60, "{lifetime}");
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::new().await;
    app.register("carol@example.com").await;
    let wrong = app.login("carol@example.com", "not the password").await;
    let unknown = app.login("nobody@example.com", PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.set_cookie().is_none());
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let (app, [user]) = TestApp::with_users(["dave@example.com"]).await;

    let first = app.post("/api/auth/refresh", json!({}), None, Some(&user.refresh)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert!(first.json()["access_token"].is_string());
    let rotated = first.refresh_cookie().unwrap();
    assert_ne!(rotated, user.refresh);

    // Make the rotation old, so presenting the first token again is reuse, not a race.
    app.sql("UPDATE refresh_tokens SET superseded_at = superseded_at - 120 WHERE superseded_at IS NOT NULL")
        .await;
    let reuse = app.post("/api/auth/refresh", json!({}), None, Some(&user.refresh)).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.refresh_cookie().as_deref(), Some(""), "the dead cookie is cleared");

    // The whole family is gone: even the legitimate latest token no longer works.
    let latest = app.post("/api/auth/refresh", json!({}), None, Some(&rotated)).await;
    assert_eq!(latest.status, StatusCode::UNAUTHORIZED);

    // Another device's sign-in is a different family and keeps working.
    let other = app.login("dave@example.com", PASSWORD).await.refresh_cookie().unwrap();
    let res = app.post("/api/auth/refresh", json!({}), None, Some(&other)).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn concurrent_refreshes_from_two_tabs_keep_the_user_signed_in() {
    let (app, [user]) = TestApp::with_users(["erin@example.com"]).await;
    let results = join_all((0..2).map(|_| refresh(&app, &user.refresh, TAB))).await;
    for res in &results {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    // Exactly one request rotated; the cookie it set works.
    let new_cookies: Vec<String> = results.iter().filter_map(|r| r.refresh_cookie()).collect();
    assert_eq!(new_cookies.len(), 1);
    let next = refresh(&app, &new_cookies[0], TAB).await;
    assert_eq!(next.status, StatusCode::OK);
}

/// Inside the grace window, a rotated token buys one access token, never a refresh token, and
/// only for a browser; a script replaying it is treated as the thief it is.
#[tokio::test]
async fn a_replayed_rotated_token_gets_one_access_token_at_most_and_only_in_a_browser() {
    let (app, [user]) = TestApp::with_users(["rita@example.com"]).await;
    let rotated = refresh(&app, &user.refresh, TAB).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let newest = rotated.refresh_cookie().unwrap();
    let grace = refresh(&app, &user.refresh, TAB).await;
    assert_eq!(grace.status, StatusCode::OK, "{}", grace.text());
    assert!(grace.json()["access_token"].is_string());
    assert!(grace.refresh_cookie().is_none(), "no new refresh token in the grace");
    for _ in 0..3 {
        let replay = refresh(&app, &user.refresh, TAB).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "the grace is spent");
    }
    // The legitimate newest token still works: the replays were refused, not punished.
    let next = refresh(&app, &newest, TAB).await;
    assert_eq!(next.status, StatusCode::OK);
    let newest = next.refresh_cookie().unwrap();

    // Not a browser (no Origin, no Sec-Fetch-Site): no grace, the sign-in is revoked.
    let replay = refresh(&app, &rotated.refresh_cookie().unwrap(), &[]).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&app, &newest, TAB).await.status, StatusCode::UNAUTHORIZED, "the family is revoked");
}

/// What a page's fetch sends along: browsers mark same-origin requests.
const TAB: &[(&str, &str)] = &[("sec-fetch-site", "same-origin")];

async fn refresh(app: &TestApp, token: &str, extra: &[(&str, &str)]) -> common::TestResponse {
    app.post_raw("/api/auth/refresh", "{}".into(), None, Some(token), extra).await
}

#[tokio::test]
async fn a_family_ends_thirty_days_after_sign_in() {
    let (app, [user]) = TestApp::with_users(["fay@example.com"]).await;
    let span = app.sql_scalar("SELECT expires_at - created_at FROM refresh_families").await;
    assert_eq!(span, 30 * 24 * 3600);
    app.sql(&format!("UPDATE refresh_families SET expires_at = {}", domain::now() - 1)).await;
    let res = app.post("/api/auth/refresh", json!({}), None, Some(&user.refresh)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_needs_a_cookie() {
    let app = TestApp::new().await;
    let res = app.post("/api/auth/refresh", json!({}), None, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app.post("/api/auth/refresh", json!({}), None, Some("made-up-token")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_and_logout_refuse_cross_site_requests() {
    let (app, [user]) = TestApp::with_users(["gus@example.com"]).await;
    for path in ["/api/auth/refresh", "/api/auth/logout"] {
        for extra in [
            [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")],
            [("origin", "http://127.0.0.1:3000"), ("sec-fetch-site", "same-site")],
        ] {
            let res = app.post_raw(path, "{}".into(), None, Some(&user.refresh), &extra).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} {extra:?}");
        }
    }
    // Nothing was revoked by the refused logouts.
    let same_origin = [("origin", "http://127.0.0.1:3000"), ("sec-fetch-site", "same-origin")];
    let res = app.post_raw("/api/auth/refresh", "{}".into(), None, Some(&user.refresh), &same_origin).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_family_and_clears_the_cookie() {
    let (app, [user]) = TestApp::with_users(["hal@example.com"]).await;
    let res = app.post("/api/auth/logout", json!({}), None, Some(&user.refresh)).await;
    assert_eq!(res.status, StatusCode::OK);
    let cleared = res.set_cookie().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let res = app.post("/api/auth/refresh", json!({}), None, Some(&user.refresh)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Logging out again is harmless.
    let res = app.post("/api/auth/logout", json!({}), None, Some(&user.refresh)).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn mutations_need_a_valid_access_token() {
    let (app, [user]) = TestApp::with_users(["ivy@example.com"]).await;
    for access in [None, Some("garbage"), Some(&user.refresh[..])] {
        let res = app.post("/api/posts/create", json!({ "body": "hello" }), access, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{access:?}");
        assert_eq!(res.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    }
    // The refresh cookie alone does not authorise a mutation (no CSRF through ambient cookies).
    let res = app.post("/api/posts/create", json!({ "body": "hello" }), None, Some(&user.refresh)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app.post("/api/posts/create", json!({ "body": "hello" }), Some(&user.access), None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

#[tokio::test]
async fn common_passwords_are_refused_and_long_ones_accepted() {
    let app = TestApp::new().await;
    let res = app
        .post("/api/auth/register", json!({ "email": "a@example.com", "password": "Password1" }), None, None)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.fields(), ["password"]);
    // 64 characters (and spaces, and any script) are fine; nothing is trimmed.
    let long = format!(" {} ", "ünïcödé pass phrase ".repeat(4));
    assert!(long.chars().count() >= 64);
    let res = app
        .post("/api/auth/register", json!({ "email": "b@example.com", "password": long }), None, None)
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.text());
    assert_eq!(app.login("b@example.com", long.trim()).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("b@example.com", &long).await.status, StatusCode::OK);
}
