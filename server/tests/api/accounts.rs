//! Account lifecycle: verification, password reset and change, profile, sessions — with mail
//! delivered over real SMTP to a sink on localhost.

use crate::common;

use common::{TestApp, User, PASSWORD};
use http::{header, StatusCode};
use serde_json::json;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Registers `email` and returns the token of the verification mail it receives.
pub(crate) async fn register_and_read_link(app: &TestApp, email: &str) -> String {
    assert_eq!(app.register(email).await.status, StatusCode::ACCEPTED);
    let mails = app.mail.wait_for(email, 1).await;
    assert_eq!(mails[0].subject, "Confirm your email for mublog");
    assert!(mails[0].html.contains("Confirm my email"), "an HTML part too");
    mails[0].token("/verify/")
}

async fn verify(app: &TestApp, token: &str) -> common::TestResponse {
    app.post("/api/auth/verify", json!({ "token": token }), None, None).await
}

#[tokio::test]
async fn an_unverified_account_reads_but_cannot_post_or_like_until_the_link_is_opened() {
    let app = TestApp::new().await;
    let token = register_and_read_link(&app, "ada@example.com").await;
    assert!(token.len() >= 22, "at least 128 random bits: {token}");
    let stored: i64 =
        app.sql_scalar("SELECT COUNT(*) FROM one_time_tokens WHERE purpose = 'verify_email'").await;
    assert_eq!(stored, 1);
    let raw_stored =
        app.sql_scalar(&format!("SELECT COUNT(*) FROM one_time_tokens WHERE token_hash = '{token}'")).await;
    assert_eq!(raw_stored, 0, "only the hash is stored");

    // The mail job was written with the account, in its transaction.
    let user_of_job = if app.on_postgres() {
        "(j.payload::json->>'user')::bigint"
    } else {
        "json_extract(j.payload, '$.user')"
    };
    let jobs = app
        .sql_scalar(&format!(
            "SELECT COUNT(*) FROM jobs j JOIN users u ON {user_of_job} = u.id
             WHERE j.kind = 'send_verification' AND u.email = 'ada@example.com'"
        ))
        .await;
    assert_eq!(jobs, 1);

    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    let res = app.create_post(&ada, "too soon").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.error_code(), "email_unverified");
    assert!(res.json()["message"].as_str().unwrap().contains("Confirm your email"));
    let grace = app.user("grace@example.com").await;
    let post = app.new_post(&grace, "like me").await;
    let res =
        app.post("/api/posts/like", json!({ "id": post, "liked": true }), Some(&ada.access), None).await;
    assert_eq!(res.error_code(), "email_unverified");
    for method in ["PUT", "DELETE"] {
        let res = app.api(method, &format!("/api/v1/posts/{post}/like"), None, Some(&ada.access)).await;
        assert_eq!(
            (res.status, res.error_code()),
            (StatusCode::FORBIDDEN, "email_unverified".into()),
            "{method}"
        );
    }
    assert_eq!(app.api("GET", "/api/v1/posts", None, Some(&ada.access)).await.status, StatusCode::OK);

    for forged in ["", "not-a-token", &"A".repeat(43), &"x".repeat(5000)] {
        let res = verify(&app, forged).await;
        assert!(res.status.is_client_error(), "{forged}: {}", res.status);
    }
    let res = verify(&app, &token).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["email_verified"], true);
    let used = verify(&app, &token).await;
    assert_eq!(used.status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    assert_eq!(used.fields(), ["token"]);

    assert_eq!(app.create_post(&ada, "now it works").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn verification_links_expire_after_a_day() {
    let app = TestApp::new().await;
    let token = register_and_read_link(&app, "ada@example.com").await;
    let lifetime = app.sql_scalar("SELECT expires_at - created_at FROM one_time_tokens").await;
    assert_eq!(lifetime, 24 * 3600);
    app.sql("UPDATE one_time_tokens SET expires_at = expires_at - 24 * 3600 - 1").await;
    assert_eq!(verify(&app, &token).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn resending_the_link_is_rate_limited() {
    let app = TestApp::new().await;
    register_and_read_link(&app, "ada@example.com").await;
    let ada = app.signed_in("ada@example.com", PASSWORD).await;
    for _ in 0..3 {
        let res = app.post("/api/auth/verify/resend", json!({}), Some(&ada.access), None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let res = app.post("/api/auth/verify/resend", json!({}), Some(&ada.access), None).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers.contains_key(header::RETRY_AFTER));
    let mails = app.mail.wait_for("ada@example.com", 4).await;
    // Every link works until used: a resend does not strand an earlier mail.
    assert_eq!(verify(&app, &mails[1].token("/verify/")).await.status, StatusCode::OK);
    let anonymous = app.post("/api/auth/verify/resend", json!({}), None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forgot_password_answers_identically_and_a_reset_signs_out_everywhere() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let other_device = app.signed_in("ada@example.com", PASSWORD).await;

    let known =
        app.post("/api/auth/password/forgot", json!({ "email": "ADA@example.com" }), None, None).await;
    let unknown =
        app.post("/api/auth/password/forgot", json!({ "email": "nobody@example.com" }), None, None).await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body), "byte-for-byte the same");
    let bad = app.post("/api/auth/password/forgot", json!({ "email": "not an email" }), None, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = json!({ "email": format!("{}@example.com", "a".repeat(20_000)) }).to_string();
    let res = app.post_raw("/api/auth/password/forgot", huge, None, None, &[]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    let huge = json!({ "token": "t".repeat(20_000), "password": NEW_PASSWORD }).to_string();
    let res = app.post_raw("/api/auth/password/reset", huge, None, None, &[]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);

    let mail = app.mail.wait_for_subject("ada@example.com", "Reset your mublog password").await;
    let token = mail.token("/reset/");
    assert!(app.mail.all().iter().all(|m| m.to != "nobody@example.com"));
    let lifetime = app
        .sql_scalar("SELECT expires_at - created_at FROM one_time_tokens WHERE purpose = 'reset_password'")
        .await;
    assert_eq!(lifetime, 3600);

    // A refused password does not spend the link.
    let weak = app.reset_password(&token, "password1").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.fields(), ["password"]);
    let res = app.reset_password(&token, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let again = app.reset_password(&token, NEW_PASSWORD).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "single use");

    for session in [&ada, &other_device] {
        let refresh = app.post("/api/auth/refresh", json!({}), None, Some(&session.refresh)).await;
        assert_eq!(refresh.status, StatusCode::UNAUTHORIZED, "every session ended");
    }
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login("ada@example.com", NEW_PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn reset_links_expire_after_an_hour_and_forged_ones_fail() {
    let (app, _) = TestApp::with_users(["ada@example.com"]).await;
    let token = app.reset_token("ada@example.com").await;
    app.sql("UPDATE one_time_tokens SET expires_at = expires_at - 3601").await;
    for t in [token.as_str(), "forged-token-forged-token-forged-token-xyz"] {
        let res = app.reset_password(t, NEW_PASSWORD).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{t}");
    }
    // A verification token is not a reset token.
    let verify_token = register_and_read_link(&app, "grace@example.com").await;
    let res = app.reset_password(&verify_token, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn forgot_and_reset_are_rate_limited() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        let res =
            app.post("/api/auth/password/forgot", json!({ "email": "x@example.com" }), None, None).await;
        assert_eq!(res.status, StatusCode::ACCEPTED);
    }
    let res = app.post("/api/auth/password/forgot", json!({ "email": "y@example.com" }), None, None).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers.contains_key(header::RETRY_AFTER));
    for _ in 0..10 {
        let res = app.reset_password("nope", NEW_PASSWORD).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.reset_password("nope", NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn change_password(
    app: &TestApp,
    user: &User,
    current: &str,
    sign_out_others: bool,
) -> common::TestResponse {
    let body = json!({ "current_password": current, "new_password": NEW_PASSWORD, "sign_out_other_devices": sign_out_others });
    app.post("/api/auth/password/change", body, Some(&user.access), None).await
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_can_sign_out_other_devices() {
    let (app, [laptop]) = TestApp::with_users(["ada@example.com"]).await;
    let phone = app.signed_in("ada@example.com", PASSWORD).await;

    let wrong = change_password(&app, &laptop, "not my password", true).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.fields(), ["current_password"]);
    let unauthenticated = app
        .post(
            "/api/auth/password/change",
            json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD }),
            None,
            None,
        )
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);

    let res = change_password(&app, &laptop, PASSWORD, true).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let phone_refresh = app.post("/api/auth/refresh", json!({}), None, Some(&phone.refresh)).await;
    assert_eq!(phone_refresh.status, StatusCode::UNAUTHORIZED, "the other device is signed out");
    let laptop_refresh = app.post("/api/auth/refresh", json!({}), None, Some(&laptop.refresh)).await;
    assert_eq!(laptop_refresh.status, StatusCode::OK, "this device stays signed in");
    assert_eq!(app.login("ada@example.com", NEW_PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_sessions_page_lists_devices_and_signs_them_out() {
    let (app, _) = TestApp::with_users(["ada@example.com"]).await;
    let phone = login_with_agent(&app, "MublogPhone/1.0").await;
    let laptop = login_with_agent(&app, "MublogLaptop/2.0").await;

    let list = app.post("/api/auth/sessions", json!({}), Some(&laptop.access), None).await.json();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "MublogLaptop/2.0");
    assert!(sessions.iter().any(|s| s["user_agent"] == "MublogPhone/1.0"));
    assert!(sessions
        .iter()
        .all(|s| s["created_at"].as_i64().unwrap() <= s["last_used_at"].as_i64().unwrap()));
    let phone_id = sessions.iter().find(|s| s["user_agent"] == "MublogPhone/1.0").unwrap()["id"].clone();

    // Someone else's session looks like no session at all.
    let grace = app.user("grace@example.com").await;
    let res =
        app.post("/api/auth/sessions/revoke", json!({ "id": phone_id }), Some(&grace.access), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let res =
        app.post("/api/auth/sessions/revoke", json!({ "id": phone_id }), Some(&laptop.access), None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        app.post("/api/auth/refresh", json!({}), None, Some(&phone.refresh)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let list = app.post("/api/auth/sessions", json!({}), Some(&laptop.access), None).await.json();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 2);

    let res = app.post("/api/auth/sessions/revoke_all", json!({}), Some(&laptop.access), None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.refresh_cookie().as_deref(), Some(""), "this browser's cookie is cleared");
    assert_eq!(
        app.post("/api/auth/refresh", json!({}), None, Some(&laptop.refresh)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The access token has not expired, but its session has: it is refused at once.
    let list = app.post("/api/auth/sessions", json!({}), Some(&laptop.access), None).await;
    assert_eq!(list.status, StatusCode::UNAUTHORIZED);
}

async fn login_with_agent(app: &TestApp, agent: &str) -> User {
    let body = json!({ "email": "ada@example.com", "password": PASSWORD }).to_string();
    let res = app.post_raw("/api/auth/login", body, None, None, &[("user-agent", agent)]).await;
    assert_eq!(res.status, StatusCode::OK);
    let json = res.json();
    User {
        id: json["user"]["id"].as_i64().unwrap(),
        access: json["access_token"].as_str().unwrap().to_owned(),
        refresh: res.refresh_cookie().unwrap(),
    }
}

#[tokio::test]
async fn profiles_have_names_and_a_unique_handle() {
    let (app, [ada, grace]) = TestApp::with_users(["ada.lovelace@example.com", "grace@example.com"]).await;
    let me = app.api("GET", "/api/v1/me", None, Some(&ada.access)).await.json();
    assert_eq!(me["handle"], "ada_lovelace");

    let res =
        update(&app, &ada, json!({ "first_name": " Ada ", "last_name": "Lovelace", "handle": "Ada" })).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        (res.json()["first_name"].clone(), res.json()["handle"].clone()),
        (json!("Ada"), json!("ada"))
    );

    let taken = update(&app, &grace, json!({ "handle": "ADA" })).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "a conflict with another account, not a bad value");
    assert_eq!(taken.fields(), ["handle"]);
    let bad = update(&app, &grace, json!({ "handle": "42", "first_name": "x".repeat(51) })).await;
    let fields: Vec<_> =
        bad.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].clone()).collect();
    assert_eq!(fields, [json!("handle"), json!("first_name")]);
    // REST takes the same changes, and refuses unknown fields.
    let res =
        app.api("PATCH", "/api/v1/me", Some(json!({ "last_name": "Hopper" })), Some(&grace.access)).await;
    assert_eq!(res.json()["last_name"], "Hopper");
    let unknown = app.api("PATCH", "/api/v1/me", Some(json!({ "nickname": "g" })), Some(&grace.access)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let id = app.new_post(&ada, "by handle").await;
    let page = app.get("/u/ada", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("by handle"));
    let post = app.api("GET", &format!("/api/v1/posts/{id}"), None, None).await.json();
    assert_eq!(post["author"]["handle"], "ada");
}

async fn update(app: &TestApp, user: &User, body: serde_json::Value) -> common::TestResponse {
    app.post("/api/auth/profile", body, Some(&user.access), None).await
}

#[tokio::test]
async fn development_without_smtp_writes_mail_to_the_outbox_page() {
    let app = TestApp::with(|c| c.smtp_url = None).await;
    assert_eq!(app.register("ada@example.com").await.status, StatusCode::ACCEPTED);
    let mut page = String::new();
    for _ in 0..100 {
        page = app.get("/dev/mail", None).await.text();
        if page.contains("/verify/") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("data-to=\"ada@example.com\""), "{page}");
    assert!(page.contains("<a href=\"http://mublog.test/verify/"), "{page}");

    let with_smtp = TestApp::new().await;
    assert_eq!(with_smtp.get("/dev/mail", None).await.status, StatusCode::NOT_FOUND);
    let production = TestApp::with(|c| {
        c.smtp_url = None;
        c.environment = mublog::config::Environment::Production;
    })
    .await;
    assert_eq!(production.get("/dev/mail", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_clients_manage_sessions_and_the_password_over_rest() {
    let (app, [laptop]) = TestApp::with_users(["ada@example.com"]).await;
    let phone = login_with_agent(&app, "MublogPhone/1.0").await;
    let list = app.api("GET", "/api/v1/me/sessions", None, Some(&laptop.access)).await;
    assert_eq!(list.status, StatusCode::OK);
    let sessions = list.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    let phone_id =
        sessions.iter().find(|s| s["user_agent"] == "MublogPhone/1.0").unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.api("GET", "/api/v1/me/sessions", None, None).await.status, StatusCode::UNAUTHORIZED);

    let res = app.api("DELETE", &format!("/api/v1/me/sessions/{phone_id}"), None, Some(&laptop.access)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let again =
        app.api("DELETE", &format!("/api/v1/me/sessions/{phone_id}"), None, Some(&laptop.access)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post("/api/auth/refresh", json!({}), None, Some(&phone.refresh)).await.status,
        StatusCode::UNAUTHORIZED
    );

    let body = json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD });
    let res = app.api("POST", "/api/v1/me/password", Some(body), Some(&laptop.access)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let wrong = json!({ "current_password": PASSWORD, "new_password": NEW_PASSWORD });
    assert_eq!(
        app.api("POST", "/api/v1/me/password", Some(wrong), Some(&laptop.access)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.login("ada@example.com", NEW_PASSWORD).await.status, StatusCode::OK);
}
