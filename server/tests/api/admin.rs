//! The staff admin: who may use it, what each staff action does, that each one lands in the
//! audit trail, and the filters of its lists.

use crate::common;

use common::{TestApp, User, PASSWORD};
use http::StatusCode;
use serde_json::{json, Value};

/// Every admin server function, with a body it accepts (about records that do not exist, so
/// the calls that get through change nothing).
fn admin_calls() -> Vec<(&'static str, Value)> {
    vec![
        ("/api/admin/users", json!({})),
        ("/api/admin/account", json!({ "id": 999 })),
        ("/api/admin/user/act", json!({ "id": 999, "action": "sign_out_everywhere" })),
        ("/api/admin/posts", json!({})),
        ("/api/admin/post/act", json!({ "id": 999, "action": { "action": "unhide" } })),
        ("/api/admin/requests", json!({})),
        ("/api/admin/requests/stats", json!({ "window": "hour" })),
        ("/api/admin/jobs", json!({})),
        ("/api/admin/jobs/retry", json!({ "id": 999 })),
        ("/api/admin/audit", json!({})),
    ]
}

const ADMIN_PAGES: [&str; 7] = [
    "/admin",
    "/admin/users",
    "/admin/users/1",
    "/admin/posts",
    "/admin/requests",
    "/admin/jobs",
    "/admin/audit",
];

async fn admin(app: &TestApp, who: &User, path: &str, body: Value) -> common::TestResponse {
    app.post(path, body, Some(&who.access), None).await
}

async fn act_on_user(app: &TestApp, who: &User, id: i64, action: &str) -> common::TestResponse {
    admin(app, who, "/api/admin/user/act", json!({ "id": id, "action": action })).await
}

/// An app with a staff member, boss@, and a member, ada@ (made in that order).
async fn boss_and_ada() -> (TestApp, User, User) {
    let app = TestApp::new().await;
    let boss = app.staff("boss@example.com").await;
    let ada = app.user("ada@example.com").await;
    (app, boss, ada)
}

#[tokio::test]
async fn every_admin_route_refuses_everyone_but_staff() {
    let (app, boss, ada) = boss_and_ada().await;
    for (path, body) in admin_calls() {
        let anonymous = app.post(path, body.clone(), None, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path} without a token");
        let user = app.post(path, body.clone(), Some(&ada.access), None).await;
        assert_eq!((user.status, user.error_code()), (StatusCode::FORBIDDEN, "forbidden".into()), "{path}");
        let forged = app.post(path, body.clone(), Some("not-a-token"), None).await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{path} with a forged token");
        let allowed = app.post(path, body, Some(&boss.access), None).await;
        assert!(
            allowed.status != StatusCode::UNAUTHORIZED && allowed.status != StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // Changes need the access token: the staff cookie alone does not do.
    let cookie_only = app
        .post(
            "/api/admin/user/act",
            json!({ "id": ada.id, "action": "deactivate" }),
            None,
            Some(&boss.refresh),
        )
        .await;
    assert_eq!(cookie_only.status, StatusCode::UNAUTHORIZED);

    for page in ADMIN_PAGES {
        let visitor = app.get(page, None).await;
        assert_eq!(visitor.status, StatusCode::UNAUTHORIZED, "{page}");
        assert!(visitor.text().contains("Sign in first"), "{page}: a sign-in prompt");
        let user = app.get(page, Some(&ada.refresh)).await;
        assert_eq!(user.status, StatusCode::FORBIDDEN, "{page}");
        assert!(user.text().contains("Staff only"), "{page}");
        let boss_page = app.get(page, Some(&boss.refresh)).await;
        assert_eq!(boss_page.status, StatusCode::OK, "{page}: {}", boss_page.text());
    }

    // Staff who lose staff lose the admin at once.
    app.sql(&format!("UPDATE users SET is_staff = FALSE WHERE id = {}", boss.id)).await;
    let former = admin(&app, &boss, "/api/admin/users", json!({})).await;
    assert_eq!(former.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deactivating_ends_every_session_at_once_and_refuses_sign_in() {
    let (app, boss, ada) = boss_and_ada().await;
    let post = app.new_post(&ada, "before").await;
    assert_eq!(app.api("GET", "/api/v1/me", None, Some(&ada.access)).await.status, StatusCode::OK);

    let res = act_on_user(&app, &boss, ada.id, "deactivate").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["active"], false);

    // The access token is still unexpired, but its session is over: refused everywhere.
    let like =
        app.post("/api/posts/like", json!({ "id": post, "liked": true }), Some(&ada.access), None).await;
    assert_eq!(like.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.api("GET", "/api/v1/me", None, Some(&ada.access)).await.status, StatusCode::UNAUTHORIZED);
    let gql = app.api("POST", "/graphql", Some(json!({ "query": "{ me { id } }" })), Some(&ada.access)).await;
    assert_eq!(gql.status, StatusCode::UNAUTHORIZED);
    let refresh = app.post("/api/auth/refresh", json!({}), None, Some(&ada.refresh)).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    let home = app.get("/", Some(&ada.refresh)).await;
    assert!(!home.text().contains("Sign out"), "the cookie no longer signs pages in");
    let login = app.login("ada@example.com", PASSWORD).await;
    assert_eq!((login.status, login.error_code()), (StatusCode::FORBIDDEN, "forbidden".into()));
    assert!(login.json()["message"].as_str().unwrap().contains("deactivated"));
    let wrong = app.login("ada@example.com", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "a wrong password reveals nothing");
    let sessions = app
        .sql_scalar(&format!(
            "SELECT COUNT(*) FROM refresh_families WHERE user_id = {} AND revoked_at IS NULL",
            ada.id
        ))
        .await;
    assert_eq!(sessions, 0);

    // Staff cannot lock themselves out.
    let own = act_on_user(&app, &boss, boss.id, "deactivate").await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    assert_eq!(act_on_user(&app, &boss, ada.id, "deactivate").await.status, StatusCode::CONFLICT, "already");

    assert_eq!(act_on_user(&app, &boss, ada.id, "reactivate").await.status, StatusCode::OK);
    let back = app.signed_in("ada@example.com", PASSWORD).await;
    assert_eq!(app.api("GET", "/api/v1/me", None, Some(&back.access)).await.status, StatusCode::OK);
}

/// The audit trail, newest first, as `(action, target type, target id, detail)`; every entry
/// must name `by` as its actor.
async fn audit_trail(app: &TestApp, by: &User) -> Vec<(String, String, i64, String)> {
    let trail = admin(app, by, "/api/admin/audit", json!({})).await.json();
    let text = |e: &Value, key: &str| e[key].as_str().unwrap().to_owned();
    let entries = trail["items"].as_array().unwrap().iter().map(|e| {
        assert_eq!(e["actor"]["id"], by.id);
        (text(e, "action"), text(e, "target_type"), e["target_id"].as_i64().unwrap(), text(e, "detail"))
    });
    entries.collect()
}

fn audited(action: &str, target_type: &str, id: i64, detail: &str) -> (String, String, i64, String) {
    (action.to_owned(), target_type.to_owned(), id, detail.to_owned())
}

#[tokio::test]
async fn granting_and_revoking_staff_opens_and_closes_the_admin() {
    let (app, boss, ada) = boss_and_ada().await;
    assert_eq!(act_on_user(&app, &boss, ada.id, "grant_staff").await.json()["staff"], true);
    assert_eq!(admin(&app, &ada, "/api/admin/users", json!({})).await.status, StatusCode::OK);
    assert_eq!(act_on_user(&app, &boss, ada.id, "revoke_staff").await.json()["staff"], false);
    assert_eq!(admin(&app, &ada, "/api/admin/users", json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(act_on_user(&app, &boss, boss.id, "revoke_staff").await.status, StatusCode::CONFLICT);
    let expected = [audited("revoke_staff", "user", ada.id, ""), audited("grant_staff", "user", ada.id, "")];
    assert_eq!(audit_trail(&app, &boss).await, expected, "the refused action is not in the trail");
}

#[tokio::test]
async fn resending_verification_mails_a_fresh_link_to_unverified_addresses_only() {
    let (app, boss, ada) = boss_and_ada().await;
    assert_eq!(app.register("new@example.com").await.status, StatusCode::ACCEPTED);
    app.mail.wait_for("new@example.com", 1).await;
    let newbie = app.sql_scalar("SELECT id FROM users WHERE email = 'new@example.com'").await;
    assert_eq!(act_on_user(&app, &boss, newbie, "resend_verification").await.status, StatusCode::OK);
    app.mail.wait_for("new@example.com", 2).await;
    assert_eq!(act_on_user(&app, &boss, ada.id, "resend_verification").await.status, StatusCode::CONFLICT);
    assert_eq!(audit_trail(&app, &boss).await, [audited("resend_verification", "user", newbie, "")]);
}

#[tokio::test]
async fn signing_a_user_out_everywhere_refuses_their_token_at_once() {
    let (app, boss, ada) = boss_and_ada().await;
    assert_eq!(act_on_user(&app, &boss, ada.id, "sign_out_everywhere").await.status, StatusCode::OK);
    assert_eq!(app.api("GET", "/api/v1/me", None, Some(&ada.access)).await.status, StatusCode::UNAUTHORIZED);
    let expected = [audited("sign_out_everywhere", "user", ada.id, "1 session(s) ended")];
    assert_eq!(audit_trail(&app, &boss).await, expected);
}

#[tokio::test]
async fn a_hidden_post_is_gone_everywhere_until_shown_and_a_deleted_one_stays_readable_in_the_trail() {
    let (app, boss, ada) = boss_and_ada().await;
    let post = app.new_post(&ada, "questionable").await;
    let hide = |reason: &str| json!({ "id": post, "action": { "action": "hide", "reason": reason } });
    let blank = admin(&app, &boss, "/api/admin/post/act", hide("  ")).await;
    assert_eq!(
        (blank.status, blank.json()["fields"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reason".into())
    );
    let hidden = admin(&app, &boss, "/api/admin/post/act", hide("Spam")).await;
    assert_eq!(hidden.status, StatusCode::OK, "{}", hidden.text());
    assert_eq!(hidden.json()["hidden"]["reason"], "Spam");

    // Gone from the feed, the API, the page, GraphQL and the author's own page.
    let feed = app.api("GET", "/api/v1/posts", None, None).await.json();
    assert!(feed["posts"].as_array().unwrap().iter().all(|p| p["id"] != post));
    let rest_status = || async { app.api("GET", &format!("/api/v1/posts/{post}"), None, None).await.status };
    assert_eq!(rest_status().await, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/posts/{post}"), None).await.status, StatusCode::NOT_FOUND);
    let own_page =
        app.api("GET", &format!("/api/v1/users/{}/posts", ada.id), None, Some(&ada.access)).await.json();
    assert!(own_page["posts"].as_array().unwrap().is_empty(), "hidden from its author's page too");
    let query = json!({ "query": format!("{{ post(id: \"{post}\") {{ id }} }}") });
    let gql = app.api("POST", "/graphql", Some(query), None).await;
    assert_eq!(gql.json()["data"]["post"], Value::Null);
    let edit =
        app.post("/api/posts/edit", json!({ "id": post, "body": "sneaky" }), Some(&ada.access), None).await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND, "the author cannot edit it back into view");
    assert_eq!(admin(&app, &boss, "/api/admin/post/act", hide("Again")).await.status, StatusCode::CONFLICT);

    let act = |action: &str| json!({ "id": post, "action": { "action": action } });
    let shown = admin(&app, &boss, "/api/admin/post/act", act("unhide")).await;
    assert_eq!(shown.json()["hidden"], Value::Null);
    assert_eq!(rest_status().await, StatusCode::OK);
    let deleted = admin(&app, &boss, "/api/admin/post/act", act("delete")).await;
    assert_eq!((deleted.status, deleted.json()), (StatusCode::OK, Value::Null));
    assert_eq!(rest_status().await, StatusCode::NOT_FOUND);

    let expected = [
        audited("delete_post", "post", post, "@ada: questionable"),
        audited("unhide_post", "post", post, ""),
        audited("hide_post", "post", post, "Spam"),
    ];
    assert_eq!(audit_trail(&app, &boss).await, expected);
    let page = app.get("/admin/audit", Some(&boss.refresh)).await.text();
    assert!(page.contains("hide_post") && page.contains("@boss"), "the trail page lists them");
}

#[tokio::test]
async fn a_dead_job_is_retried_and_runs_once() {
    let app = TestApp::new().await;
    let boss = app.staff("boss@example.com").await;
    assert_eq!(app.register("new@example.com").await.status, StatusCode::ACCEPTED);
    app.mail.wait_for("new@example.com", 1).await;
    let newbie = app.sql_scalar("SELECT id FROM users WHERE email = 'new@example.com'").await;
    app.sql(&format!(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, finished_at)
         VALUES ('send_verification', '{{\"kind\":\"send_verification\",\"user\":{newbie}}}', 'dead', 5, 5, 0, 'smtp down', 0, 0)"
    ))
    .await;
    let dead = app.sql_scalar("SELECT MAX(id) FROM jobs WHERE state = 'dead'").await;
    let listed = admin(&app, &boss, "/api/admin/jobs", json!({ "state": "dead" })).await.json();
    assert_eq!(listed["items"][0]["last_error"], "smtp down");
    app.sql("INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, last_error, created_at)
             VALUES ('purge_expired', '{\"kind\":\"purge_expired\"}', 'queued', 1, 5, 4102444800, 'disk full', 0)").await;
    let failed = admin(&app, &boss, "/api/admin/jobs", json!({ "state": "failed" })).await.json();
    let failed: Vec<&str> =
        failed["items"].as_array().unwrap().iter().map(|j| j["last_error"].as_str().unwrap()).collect();
    assert_eq!(failed, ["disk full"], "queued again after a failure, waiting for its retry");

    let retried = admin(&app, &boss, "/api/admin/jobs/retry", json!({ "id": dead })).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text());
    // Fresh attempts; a worker may have claimed it already (its first new attempt).
    let (attempts, state) = (retried.json()["attempts"].as_i64().unwrap(), retried.json()["state"].clone());
    assert!(attempts <= 1 && state != "dead", "{}", retried.text());
    app.mail.wait_for("new@example.com", 2).await;
    let done =
        app.sql_scalar(&format!("SELECT COUNT(*) FROM jobs WHERE id = {dead} AND state = 'done'")).await;
    assert_eq!(done, 1);
    let retry = |id: i64| admin(&app, &boss, "/api/admin/jobs/retry", json!({ "id": id }));
    assert_eq!(retry(dead).await.status, StatusCode::CONFLICT);
    assert_eq!(retry(999_999).await.status, StatusCode::NOT_FOUND);
    assert_eq!(audit_trail(&app, &boss).await, [audited("retry_job", "job", dead, "send_verification")]);
}

/// The values of `key` in a list page's items.
fn column(page: &Value, key: &str) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|item| item[key].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_user_list_searches_filters_and_pages() {
    let app = TestApp::new().await;
    let boss = app.staff("boss@example.com").await;
    let ada = app.user("ada.lovelace@example.com").await;
    assert_eq!(app.register("pending@example.com").await.status, StatusCode::ACCEPTED);
    app.sql(
        "UPDATE users SET first_name = 'Grace', last_name = 'Hopper' WHERE email = 'pending@example.com'",
    )
    .await;
    // 60 more accounts, so the list has a second page.
    app.sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
         INSERT INTO users (email, display_name, handle, password_hash, created_at, email_verified_at)
         SELECT 'bulk' || i || '@example.com', 'Bulk ' || i, 'bulk' || i, 'x', 0, 0 FROM n",
    )
    .await;
    let users = |filter: Value| admin(&app, &boss, "/api/admin/users", filter);
    let emails = |page: Value| column(&page, "email");

    let first = users(json!({})).await.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    let second = users(json!({ "cursor": first["next_cursor"] })).await.json();
    assert_eq!(second["items"].as_array().unwrap().len(), 13, "63 accounts in all");
    assert_eq!(second["next_cursor"], Value::Null);

    assert_eq!(emails(users(json!({ "q": "lovel" })).await.json()), ["ada.lovelace@example.com"]);
    assert_eq!(
        emails(users(json!({ "q": "HOPP" })).await.json()),
        ["pending@example.com"],
        "names, any case"
    );
    assert_eq!(emails(users(json!({ "staff": true })).await.json()), ["boss@example.com"]);
    assert_eq!(emails(users(json!({ "verified": false })).await.json()), ["pending@example.com"]);
    act_on_user(&app, &boss, ada.id, "deactivate").await;
    assert_eq!(emails(users(json!({ "active": false })).await.json()), ["ada.lovelace@example.com"]);
    let inactive = users(json!({ "q": "example", "active": false })).await.json();
    assert_eq!(emails(inactive), ["ada.lovelace@example.com"]);

    let short = users(json!({ "q": "ad" })).await;
    assert_eq!(
        (short.status, short.json()["fields"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, "q".into())
    );
    let quoted = users(json!({ "q": "\"OR a" })).await;
    assert_eq!(quoted.status, StatusCode::OK, "search text is never parsed as FTS syntax");
    let bad_cursor = users(json!({ "cursor": "nope" })).await;
    assert_eq!(bad_cursor.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_post_list_filters_by_author_text_dates_and_visibility() {
    let (app, boss, ada) = boss_and_ada().await;
    let old = app.new_post(&ada, "an old thought").await;
    app.sql(&format!("UPDATE posts SET created_at = 1793491200 WHERE id = {old}")).await; // 2026-11-01
    app.create_post(&boss, "staff news").await;
    let posts = |filter: Value| admin(&app, &boss, "/api/admin/posts", filter);
    let bodies = |page: Value| column(&page, "body");

    assert_eq!(bodies(posts(json!({ "author": "@boss" })).await.json()), ["staff news"]);
    assert_eq!(bodies(posts(json!({ "author": ada.id.to_string() })).await.json()), ["an old thought"]);
    assert_eq!(bodies(posts(json!({ "q": "NEWS" })).await.json()), ["staff news"]);
    let day = posts(json!({ "from": "2026-11-01", "until": "2026-11-01" })).await.json();
    assert_eq!(bodies(day), ["an old thought"]);
    assert_eq!(bodies(posts(json!({ "until": "2026-10-31" })).await.json()), Vec::<String>::new());
    let bad = posts(json!({ "from": "yesterday", "author": "nobody-here" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let act = json!({ "id": old, "action": { "action": "hide", "reason": "Off-topic" } });
    admin(&app, &boss, "/api/admin/post/act", act).await;
    assert_eq!(bodies(posts(json!({ "hidden": true })).await.json()), ["an old thought"]);
    assert_eq!(bodies(posts(json!({ "hidden": false })).await.json()), ["staff news"]);
    let detail = admin(&app, &boss, "/api/admin/account", json!({ "id": ada.id })).await.json();
    assert_eq!(detail["posts"][0]["hidden"]["reason"], "Off-topic", "staff still see hidden posts");
    assert_eq!(detail["sessions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_request_log_filters_exactly_and_counts_what_the_middleware_logged() {
    let (app, boss, ada) = boss_and_ada().await;
    // Filled directly, so the filters are exact.
    app.sql(&format!(
        "INSERT INTO request_log (at, method, path, route, status, duration_us, user_id, client_ip, user_agent) VALUES
         (1000, 'GET', '/a', '/a', 200, 10, NULL, '1', 'x'),
         (2000, 'POST', '/api/posts/like', '/api/posts/like', 500, 90000, {ada}, '1', 'x'),
         (3000, 'GET', '/u/ada', '/u/{{handle}}', 404, 30, {ada}, '1', 'x')",
        ada = ada.id
    ))
    .await;
    let requests = |filter: Value| admin(&app, &boss, "/api/admin/requests", filter);
    let paths = |page: Value| column(&page, "path");
    assert_eq!(paths(requests(json!({ "status": "500" })).await.json()), ["/api/posts/like"]);
    let by_user = requests(json!({ "user": ada.id.to_string(), "until": "1970-01-01T01:00" })).await.json();
    assert_eq!(paths(by_user), ["/u/ada", "/api/posts/like"]);
    assert_eq!(paths(requests(json!({ "route": "/u/{handle}", "method": "get" })).await.json()), ["/u/ada"]);
    let window = requests(json!({ "from": "1970-01-01T00:20", "until": "1970-01-01T00:40" })).await.json();
    assert_eq!(paths(window), ["/api/posts/like"]);
    let bad = requests(json!({ "status": "abc", "method": "G3T", "user": "nobody-here" })).await;
    assert_eq!(bad.fields(), ["method", "status", "user"]);

    // Stats over the last day come from what the middleware logged (the requests above).
    let stats = admin(&app, &boss, "/api/admin/requests/stats", json!({ "window": "day" })).await.json();
    assert!(
        stats["statuses"].as_array().unwrap().iter().any(|s| s[0] == 200 && s[1].as_i64().unwrap() > 0),
        "{stats}"
    );
    assert!(!stats["slowest"].as_array().unwrap().is_empty());
    let bad_state = admin(&app, &boss, "/api/admin/jobs", json!({ "state": "lost" })).await;
    assert_eq!(bad_state.status, StatusCode::UNPROCESSABLE_ENTITY);
}
