//! REST v1: every endpoint and every error status it can answer with.

use crate::common;

use common::{TestApp, PASSWORD};
use futures::future::join_all;
use http::{header, StatusCode};
use serde_json::json;

#[tokio::test]
async fn posts_crud_with_ownership() {
    let (app, [ada, bob]) = TestApp::with_users(["ada@example.com", "bob@example.com"]).await;

    let res = app.api("POST", "/api/v1/posts", Some(json!({ "body": " hi " })), Some(&ada.access)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(res.headers[header::LOCATION], format!("/api/v1/posts/{id}"));
    assert_eq!(res.json()["body"], "hi");

    let res = app.api("GET", &format!("/api/v1/posts/{id}"), None, None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["liked"], false);

    let path = format!("/api/v1/posts/{id}");
    let res = app.api("PATCH", &path, Some(json!({ "body": "stolen" })), Some(&bob.access)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.error_code(), "forbidden");
    let res = app.api("DELETE", &path, None, Some(&bob.access)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app.api("PATCH", &path, Some(json!({ "body": "edited" })), Some(&ada.access)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["body"], "edited");
    let res = app.api("DELETE", &path, None, Some(&ada.access)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(app.api("GET", &path, None, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_filters_searches_and_pages() {
    let (app, [ada, bob]) = TestApp::with_users(["ada@example.com", "bob@example.com"]).await;
    for i in 0..30 {
        let who = if i % 2 == 0 { &ada } else { &bob };
        let body = if i % 10 == 0 { format!("Rust tip #{i}: 100% safe") } else { format!("post {i}") };
        app.api("POST", "/api/v1/posts", Some(json!({ "body": body })), Some(&who.access)).await;
    }
    let res = app.api("GET", "/api/v1/posts?limit=7", None, None).await;
    let page = res.json();
    assert_eq!(page["posts"].as_array().unwrap().len(), 7);
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = app.api("GET", &format!("/api/v1/posts?limit=7&cursor={cursor}"), None, None).await.json();
    assert!(next["posts"][0]["id"].as_i64() < page["posts"][6]["id"].as_i64());

    let res = app.api("GET", "/api/v1/posts?limit=500", None, None).await.json();
    assert_eq!(res["posts"].as_array().unwrap().len(), 30, "limit capped at 100, not refused");

    let found = app.api("GET", "/api/v1/posts?q=rust%20TIP", None, None).await.json();
    assert_eq!(found["posts"].as_array().unwrap().len(), 3);
    let literal = app.api("GET", "/api/v1/posts?q=00%25", None, None).await.json();
    assert_eq!(literal["posts"].as_array().unwrap().len(), 3, "% is matched literally");
    let short = app.api("GET", "/api/v1/posts?q=%25", None, None).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "searches need three characters");
    let nul = app.api("GET", "/api/v1/posts?q=ab%00c", None, None).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "a NUL is refused, not a 500: {}", nul.text());

    let by_bob =
        app.api("GET", &format!("/api/v1/users/{}/posts?limit=100", bob.id), None, None).await.json();
    assert_eq!(by_bob["posts"].as_array().unwrap().len(), 15);
    let by_author =
        app.api("GET", &format!("/api/v1/posts?author={}&limit=100", ada.id), None, None).await.json();
    assert_eq!(by_author["posts"].as_array().unwrap().len(), 15);

    for bad in ["/api/v1/posts?limit=-1", "/api/v1/posts?author=x"] {
        assert_eq!(app.api("GET", bad, None, None).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let res = app.api("GET", "/api/v1/posts?cursor=nope", None, None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.fields(), ["cursor"]);
    let unset = app.api("GET", "/api/v1/posts?limit=7&cursor=", None, None).await;
    assert_eq!(unset.json()["posts"], page["posts"], "an empty cursor is the first page");
}

#[tokio::test]
async fn put_and_delete_like_answer_the_like_state_and_unknown_posts_are_404() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let id = app.new_post(&ada, "x").await;
    let path = format!("/api/v1/posts/{id}/like");
    let res = app.api("PUT", &path, None, Some(&ada.access)).await;
    assert_eq!(
        (res.status, res.json()),
        (StatusCode::OK, json!({ "post_id": id, "like_count": 1, "liked": true }))
    );
    let mine = app.api("GET", &format!("/api/v1/posts/{id}"), None, Some(&ada.access)).await.json();
    assert_eq!(mine["liked"], true, "a signed-in read carries the reader's like");
    let res = app.api("DELETE", &path, None, Some(&ada.access)).await;
    assert_eq!(
        (res.status, res.json()),
        (StatusCode::OK, json!({ "post_id": id, "like_count": 0, "liked": false }))
    );
    assert_eq!(
        app.api("PUT", "/api/v1/posts/999/like", None, Some(&ada.access)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fifty_users_each_liking_twice_concurrently_count_fifty() {
    let (app, [author]) = TestApp::with_users(["author@example.com"]).await;
    let id = app.new_post(&author, "popular").await;
    let users = join_all((0..50).map(|i| {
        let app = &app;
        async move { app.user(&format!("fan{i}@example.com")).await }
    }))
    .await;
    let path = format!("/api/v1/posts/{id}/like");
    let puts = users.iter().chain(users.iter()).map(|u| app.api("PUT", &path, None, Some(&u.access)));
    for res in join_all(puts).await {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let post = app.api("GET", &format!("/api/v1/posts/{id}"), None, None).await.json();
    assert_eq!(post["like_count"], 50);
}

#[tokio::test]
async fn users_and_me() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let res = app.api("GET", &format!("/api/v1/users/{}", ada.id), None, None).await;
    assert_eq!(res.json(), json!({ "id": ada.id, "display_name": "ada", "handle": "ada" }));
    assert_eq!(app.api("GET", "/api/v1/users/999", None, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("GET", "/api/v1/users/999/posts", None, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.api("GET", "/api/v1/users/abc", None, None).await.status, StatusCode::NOT_FOUND);

    let me = app.api("GET", "/api/v1/me", None, Some(&ada.access)).await;
    assert_eq!(me.json()["email"], "ada@example.com");
    let res =
        app.api("PATCH", "/api/v1/me", Some(json!({ "display_name": "Ada L." })), Some(&ada.access)).await;
    assert_eq!(res.json()["display_name"], "Ada L.");
    let res = app
        .api("PATCH", "/api/v1/me", Some(json!({ "display_name": "x".repeat(41) })), Some(&ada.access))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn missing_or_bad_tokens_are_401_with_www_authenticate() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    for (method, path) in [("GET", "/api/v1/me"), ("POST", "/api/v1/posts"), ("PUT", "/api/v1/posts/1/like")]
    {
        for auth in [None, Some("not-a-jwt"), Some(ada.refresh.as_str())] {
            let res = app.api(method, path, Some(json!({ "body": "x" })), auth).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{method} {path} {auth:?}");
            assert_eq!(res.headers[header::WWW_AUTHENTICATE], "Bearer");
            assert_eq!(res.error_code(), "unauthenticated");
        }
    }
    // A bad token on a public read is an error too, not a silent downgrade to anonymous.
    assert_eq!(app.api("GET", "/api/v1/posts", None, Some("junk")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bodies_are_checked_strictly() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let post = |body: &str, content_type: &str| {
        let req = http::Request::builder()
            .method("POST")
            .uri("/api/v1/posts")
            .header(header::AUTHORIZATION, format!("Bearer {}", ada.access))
            .header(header::CONTENT_TYPE, content_type)
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap();
        app.send(req)
    };
    let res = post(r#"{"body":"hi","extra":1}"#, "application/json").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["message"].as_str().unwrap().contains("extra"), "{}", res.text());
    let res = post(r#"{"body":42}"#, "application/json").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A NUL is refused as a field error, not left to the database's CHECK (a 500).
    let res = post(r#"{"body":"\u0000hi"}"#, "application/json").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.fields(), ["body"]);
    let res = post(r#"{"body":"#, "application/json").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = post("body=hi", "application/x-www-form-urlencoded").await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = post(&format!(r#"{{"body":"{}"}}"#, "x".repeat(20_000)), "application/json").await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    let res = app.api("POST", "/api/v1/posts", Some(json!({ "body": "  " })), Some(&ada.access)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.fields(), ["body"]);

    let res = app.api("GET", "/api/v1/nope", None, None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text());
    let res = app.api("POST", "/api/v1/me", None, None).await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.error_code(), "method_not_allowed");
}

/// serde fills a struct from an array by position; no endpoint may take one for an object.
#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_refused_and_changes_nothing() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let before = app.api("GET", "/api/v1/me", None, Some(&ada.access)).await.json();
    for body in [json!([null, null]), json!(["Eve", "eve"]), json!("x"), json!(null), json!(7)] {
        let res = app.api("PATCH", "/api/v1/me", Some(body.clone()), Some(&ada.access)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", res.text());
        assert_eq!(res.error_code(), "validation");
    }
    assert_eq!(app.api("GET", "/api/v1/me", None, Some(&ada.access)).await.json(), before);
    // Server functions and GraphQL too.
    let login = app.post("/api/auth/login", json!(["ada@example.com", PASSWORD]), None, None).await;
    assert_eq!(login.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", login.text());
    let query = app.api("POST", "/graphql", Some(json!([{ "query": "{ me { id } }" }])), None).await;
    assert_eq!(query.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", query.text());
    // An object still works, with whitespace before it.
    let res = app
        .post_raw(
            "/api/auth/login",
            format!(" \n{}", json!({ "email": "ada@example.com", "password": PASSWORD })),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn token_endpoints_rotate_detect_reuse_and_revoke() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let res = app
        .api(
            "POST",
            "/api/v1/token",
            Some(json!({ "email": "ada@example.com", "password": "wrong-password" })),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    let res = app
        .api("POST", "/api/v1/token", Some(json!({ "email": "ada@example.com", "password": PASSWORD })), None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let pair = res.json();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert!(res.set_cookie().is_none(), "API clients get no cookie");
    let first = pair["refresh_token"].as_str().unwrap().to_owned();
    let me = app.api("GET", "/api/v1/me", None, pair["access_token"].as_str()).await;
    assert_eq!(me.status, StatusCode::OK);

    let res = app.api("POST", "/api/v1/token/refresh", Some(json!({ "refresh_token": first })), None).await;
    assert_eq!(res.status, StatusCode::OK);
    let second = res.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);

    // An API client gets no concurrent-refresh grace: presenting the first token again, even at
    // once, is reuse, and the family is revoked, including the newest token.
    let res = app.api("POST", "/api/v1/token/refresh", Some(json!({ "refresh_token": first })), None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app.api("POST", "/api/v1/token/refresh", Some(json!({ "refresh_token": second })), None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    // Revoke ends a fresh family; unknown tokens are accepted silently.
    let third = app
        .api("POST", "/api/v1/token", Some(json!({ "email": "ada@example.com", "password": PASSWORD })), None)
        .await
        .json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for token in [third.as_str(), "unknown"] {
        let res =
            app.api("POST", "/api/v1/token/revoke", Some(json!({ "refresh_token": token })), None).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
    }
    let res = app.api("POST", "/api/v1/token/refresh", Some(json!({ "refresh_token": third })), None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_guessing_is_throttled_with_429_without_locking_the_owner_out() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let attacker: std::net::IpAddr = "203.0.113.9".parse().unwrap();
    for _ in 0..10 {
        let res = app.token_from(attacker, "ada@example.com", "guess-guess").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = app.token_from(attacker, "ada@example.com", "guess-guess").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.error_code(), "rate_limited");
    assert!(res.headers[header::RETRY_AFTER].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    // Even the right password waits: the limit is on attempts, not failures.
    assert_eq!(
        app.token_from(attacker, "ada@example.com", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Ada, elsewhere, signs in as usual (browser endpoint and token endpoint alike).
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status, StatusCode::OK);
    let owner: std::net::IpAddr = "198.51.100.7".parse().unwrap();
    assert_eq!(app.token_from(owner, "ada@example.com", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn registrations_are_limited_per_address() {
    let app = TestApp::new().await;
    let client: std::net::IpAddr = "203.0.113.20".parse().unwrap();
    for i in 0..10 {
        assert_eq!(
            app.register_from(client, &format!("u{i}@example.com")).await.status,
            StatusCode::ACCEPTED
        );
    }
    let res = app.register_from(client, "one-too-many@example.com").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn cors_admits_only_configured_origins() {
    let app = TestApp::new().await;
    let preflight = |origin: &'static str| {
        let req = http::Request::builder()
            .method("OPTIONS")
            .uri("/api/v1/posts")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
            .body(axum::body::Body::empty())
            .unwrap();
        app.send(req)
    };
    let allowed = preflight("https://app.example").await;
    assert_eq!(allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example");
    assert_eq!(allowed.headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    let other = preflight("https://evil.example").await;
    assert!(other.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let req = http::Request::builder()
        .uri("/api/v1/posts")
        .header(header::ORIGIN, "https://evil.example")
        .body(axum::body::Body::empty())
        .unwrap();
    assert!(app.send(req).await.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
