//! The security review's findings (issue 11), one test each: proxy-aware limits, bounded
//! hashing, secrets kept out of logs and caches, bounded public reads and the smaller fixes.

use crate::common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use common::{TestApp, TestResponse, PASSWORD};
use futures::future::join_all;
use http::{header, Method, Request, StatusCode};
use mublog::client_addr::TrustedProxies;
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Everything this test binary logs, for the tests that check what the logs say.
fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        struct Sink;
        impl std::io::Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                captured_logs().lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        tracing_subscriber::fmt()
            .with_env_filter("debug,sqlx=warn,hyper=warn,h2=warn,lettre=warn,mailin=warn")
            .with_ansi(false)
            .with_writer(|| Sink)
            .init();
        Mutex::new(Vec::new())
    })
}

fn logs_text() -> String {
    String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned()
}

/// A request as it reaches mublog through a proxy at `peer`, which forwarded it for `forwarded`.
fn via(peer: IpAddr, forwarded: Option<&str>, mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(peer, 40000)));
    if let Some(chain) = forwarded {
        req.headers_mut().insert("x-forwarded-for", chain.parse().unwrap());
    }
    req
}

fn json_post(path: &str, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn form_post(path: &str, form: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn location(res: &TestResponse) -> &str {
    res.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

// 1. Forms: without JavaScript they post, never GET, and work.

#[tokio::test]
async fn account_forms_post_and_work_without_javascript() {
    let app = TestApp::new().await;
    for (page, action) in [("/login", "/login"), ("/register", "/register"), ("/forgot", "/forgot")] {
        let html = app.get(page, None).await.text();
        assert!(html.contains(&format!("method=\"post\" action=\"{action}\"")), "{page}: {html}");
    }
    let html = app.get("/reset/abc", None).await.text();
    assert!(html.contains("method=\"post\" action=\"/reset/abc\""), "{html}");

    let registered = app
        .send(form_post("/register", "email=nojs%40example.com&password=correct+horse+battery&display_name="))
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&registered), "/login?registered=1");
    let bad = app.send(form_post("/register", "email=nope&password=short&display_name=")).await;
    assert_eq!(location(&bad), "/register?error=validation&fields=email,password");
    assert!(app
        .get("/register?error=validation&fields=email,password", None)
        .await
        .text()
        .contains("Enter a valid email address."));

    let wrong = app.send(form_post("/login", "email=nojs%40example.com&password=wrong+horse+battery")).await;
    assert_eq!(location(&wrong), "/login?error=invalid_credentials");
    assert!(wrong.set_cookie().is_none());
    assert!(app
        .get("/login?error=invalid_credentials", None)
        .await
        .text()
        .contains("Wrong email or password."));
    let signed_in =
        app.send(form_post("/login", "email=nojs%40example.com&password=correct+horse+battery")).await;
    assert_eq!((signed_in.status, location(&signed_in)), (StatusCode::SEE_OTHER, "/"));
    let cookie = signed_in.refresh_cookie().expect("the refresh cookie is set");
    assert!(app.get("/", Some(&cookie)).await.text().contains("nojs"), "the feed renders signed in");
    // From another site's form: refused, no session.
    let mut forged = form_post("/login", "email=nojs%40example.com&password=correct+horse+battery");
    forged.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    let forged = app.send(forged).await;
    assert_eq!(location(&forged), "/login?error=forbidden");
    assert!(forged.set_cookie().is_none());

    let forgot = app.send(form_post("/forgot", "email=nojs%40example.com")).await;
    assert_eq!(location(&forgot), "/forgot?sent=1");
    let token =
        app.mail.wait_for_subject("nojs@example.com", "Reset your mublog password").await.token("/reset/");
    let reset = app.send(form_post(&format!("/reset/{token}"), "password=a+brand+new+passphrase")).await;
    assert_eq!(location(&reset), "/login?reset=1");
    assert_eq!(app.login("nojs@example.com", "a brand new passphrase").await.status, StatusCode::OK);
    let again = app.send(form_post(&format!("/reset/{token}"), "password=another+new+passphrase")).await;
    assert_eq!(location(&again), format!("/reset/{token}?error=validation&fields=token"));
    // A token that could not be ours never reaches a redirect.
    let odd = app.send(form_post("/reset/a%0D%0Ab", "password=another+new+passphrase")).await;
    assert_eq!(location(&odd), "/forgot?error=validation&fields=token");
}

// 2. Client addresses behind a proxy.

/// A test app behind a trusted proxy (`10.0.0.0/8`), as nginx would front it.
async fn behind_a_proxy() -> TestApp {
    TestApp::with(|c| c.trusted_proxies = TrustedProxies::parse(["10.0.0.0/8"]).unwrap()).await
}

/// A registration of `email` from `peer`, with `forwarded_for` as the proxy says it.
fn registration(peer: IpAddr, forwarded_for: Option<&str>, email: &str) -> Request<Body> {
    via(peer, forwarded_for, json_post("/api/auth/register", json!({ "email": email, "password": PASSWORD })))
}

#[tokio::test]
async fn sign_in_limits_key_on_the_forwarded_client_behind_a_trusted_proxy() {
    let app = behind_a_proxy().await;
    app.user("owner@example.com").await;
    let nginx = ip("10.0.0.2");
    let attempt = |from: &'static str, password: &str| {
        via(
            nginx,
            Some(from),
            json_post("/api/v1/token", json!({ "email": "owner@example.com", "password": password })),
        )
    };
    for _ in 0..10 {
        let refused = app.send(attempt("203.0.113.66", "wrong horse battery")).await.status;
        assert_eq!(refused, StatusCode::UNAUTHORIZED);
    }
    let throttled = app.send(attempt("203.0.113.66", "wrong horse battery")).await.status;
    assert_eq!(throttled, StatusCode::TOO_MANY_REQUESTS);
    // The owner, through the same proxy, is not locked out by the attacker.
    assert_eq!(app.send(attempt("198.51.100.20", PASSWORD)).await.status, StatusCode::OK);
    // A client claiming an address in the header gains nothing: the proxy appends the real one.
    let spoofed = attempt("198.51.100.20, 203.0.113.66", "wrong horse battery");
    assert_eq!(app.send(spoofed).await.status, StatusCode::TOO_MANY_REQUESTS);

    // The request log records the forwarded client.
    let owner_logged = "SELECT COUNT(*) FROM request_log WHERE client_ip = '198.51.100.20'";
    common::eventually(Duration::from_secs(5), "the forwarded client was not logged", async || {
        (app.sql_scalar(owner_logged).await >= 1).then_some(())
    })
    .await;
}

#[tokio::test]
async fn registrations_are_limited_per_forwarded_client_and_an_untrusted_peer_cannot_forge_one() {
    let app = behind_a_proxy().await;
    // Ten an hour per client, not for the whole site.
    for n in 0..12 {
        let req = registration(
            ip("10.0.0.2"),
            Some(&format!("198.51.100.{}", 100 + n)),
            &format!("r{n}@example.com"),
        );
        assert_eq!(app.send(req).await.status, StatusCode::ACCEPTED, "registration {n}");
    }
    // An untrusted peer's header is ignored: its own address is what counts.
    let mut statuses = Vec::new();
    for n in 0..11 {
        let req =
            registration(ip("192.0.2.77"), Some(&format!("198.51.100.{n}")), &format!("d{n}@example.com"));
        statuses.push(app.send(req).await.status);
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn ipv6_clients_share_one_registration_allowance_per_64() {
    let app = behind_a_proxy().await;
    for n in 0..11 {
        let client = ip(&format!("2001:db8:5:6::{:x}", n + 1));
        let status = app.send(registration(client, None, &format!("v{n}@example.com"))).await.status;
        let expected = if n < 10 { StatusCode::ACCEPTED } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(status, expected, "IPv6 registration {n}");
    }
}

// 3. Sign-in cannot burn the server or spray passwords.

#[tokio::test]
async fn one_address_gets_thirty_sign_in_attempts_a_minute_across_accounts() {
    let app = TestApp::new().await;
    let sprayer = ip("203.0.113.40");
    // At once, so the budget cannot refill in between: 30 are heard, the rest refused.
    let attempts = (0..40).map(|n| {
        let body = json!({ "email": format!("u{n}@example.com"), "password": "Summer2026!" });
        app.send(via(sprayer, None, json_post("/api/auth/login", body)))
    });
    let answers = join_all(attempts).await;
    // Heard: checked (401), or let through the limit but turned away by the hashing queue (503).
    let heard = answers
        .iter()
        .filter(|r| matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE))
        .count();
    let refused: Vec<_> = answers.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).collect();
    assert_eq!((heard, refused.len()), (30, 10));
    assert!(refused[0].headers.contains_key(header::RETRY_AFTER));
    // Another address is not affected.
    let other = via(
        ip("203.0.113.41"),
        None,
        json_post("/api/auth/login", json!({ "email": "u1@example.com", "password": "x" })),
    );
    assert_eq!(app.send(other).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_hundred_concurrent_sign_ins_queue_or_get_503_instead_of_500_hashes() {
    let app = TestApp::new().await;
    let attempts = (0..500u32).map(|n| {
        let client = IpAddr::from([10, 9, (n >> 8) as u8, n as u8]);
        app.send(via(
            client,
            None,
            json_post(
                "/api/auth/login",
                json!({ "email": format!("random{n}@example.com"), "password": "wrong horse battery" }),
            ),
        ))
    });
    let answers = join_all(attempts).await;
    let refused: Vec<&TestResponse> =
        answers.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).collect();
    for res in &answers {
        assert!(
            matches!(res.status, StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE),
            "{}: {}",
            res.status,
            res.text()
        );
    }
    assert!(!refused.is_empty(), "the hashing queue is bounded");
    assert_eq!(refused[0].error_code(), "unavailable");
    assert!(refused[0].headers.contains_key(header::RETRY_AFTER));
}

// 4. Secrets out of logs and caches.

#[tokio::test]
async fn link_tokens_and_account_existence_stay_out_of_the_logs() {
    captured_logs();
    let (app, _) = TestApp::with_users(["known@example.com"]).await;
    for path in ["/verify/SECRETverifyTOKEN123", "/reset/SECRETresetTOKEN456"] {
        app.get(path, None).await;
    }
    app.login("known@example.com", "wrong horse battery").await;
    app.login("unknown@example.com", "wrong horse battery").await;
    let links = "SELECT COUNT(*) FROM request_log WHERE path LIKE '/verify/%' OR path LIKE '/reset/%'";
    common::eventually(Duration::from_secs(5), "the request log was not written", async || {
        (app.sql_scalar(links).await >= 2).then_some(())
    })
    .await;
    let stored = app.sql_scalar("SELECT COUNT(*) FROM request_log WHERE path LIKE '%SECRET%'").await;
    assert_eq!(stored, 0, "no token in the request log");
    assert_eq!(app.sql_scalar("SELECT COUNT(*) FROM request_log WHERE path = '/verify/{token}'").await, 1);
    let logs = logs_text();
    assert!(logs.contains("/verify/{token}"), "the request span names the route: {logs}");
    assert!(!logs.contains("SECRET"), "no token in the logs");
    let refusals: Vec<String> = logs
        .lines()
        .filter(|l| l.contains("sign-in refused") && l.contains("known@example.com"))
        .map(|l| l[l.find("sign-in refused").unwrap()..].replace("unknown@", "known@"))
        .collect();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert_eq!(refusals[0], refusals[1], "the same words whether or not the account exists");
    assert!(!logs.contains("known=true") && !logs.contains("known=false"));
}

#[tokio::test]
async fn personal_answers_are_never_stored_by_caches() {
    let (app, [user]) = TestApp::with_users(["reader@example.com"]).await;
    let cache = |res: &TestResponse| {
        res.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    };
    assert!(!cache(&app.get("/", None).await).contains("no-store"), "the public feed may be cached");
    assert_eq!(cache(&app.get("/", Some(&user.refresh)).await), "private, no-store");
    assert_eq!(cache(&app.get("/admin/users", None).await), "private, no-store");
    assert_eq!(cache(&app.get("/settings", None).await), "private, no-store");
    let sw = app.get("/sw.js", Some(&user.refresh)).await;
    assert_eq!(cache(&sw), "no-cache");
    let script = sw.text();
    assert!(
        script.contains("no-store") && script.contains("signed-out"),
        "the worker honours it and forgets on sign-out"
    );
}

// 5. Production serves no development reload socket.

#[tokio::test]
async fn production_pages_carry_no_reload_socket() {
    let dev = TestApp::new().await;
    let csp = |res: TestResponse| res.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp(dev.get("/login", None).await).contains("ws://"), "development keeps live reload");
    let prod = TestApp::with(|c| c.environment = mublog::config::Environment::Production).await;
    let res = prod.get("/login", None).await;
    assert!(!res.text().contains("3001"), "no reload script");
    assert!(!csp(res).contains("ws://"));
}

// 6. Costs bounded on every public read.

#[tokio::test]
async fn searches_use_the_index_need_three_characters_and_cannot_be_multiplied() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    app.create_post(&ada, "The Analytical Engine weaves algebraic patterns").await;
    let found = app.api("GET", "/api/v1/posts?q=lgebra", None, None).await;
    assert_eq!(found.json()["posts"].as_array().unwrap().len(), 1);
    let none = app.api("GET", "/api/v1/posts?q=%22OR%20NEAR(", None, None).await;
    assert_eq!(none.status, StatusCode::OK, "FTS syntax is taken literally");
    let short = app.api("GET", "/api/v1/posts?q=ab", None, None).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);

    let aliased: String =
        (0..100).map(|n| format!("a{n}: posts(search: \"zzz\", first: 100) {{ __typename }} ")).collect();
    let res = app.post("/graphql", json!({ "query": format!("{{ {aliased} }}") }), None, None).await;
    let body = res.json();
    assert!(body["data"].is_null(), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("complex"), "{body}");
    let one = app
        .post(
            "/graphql",
            json!({ "query": "{ posts(search: \"lgebra\", first: 100) { nodes { id body } } }" }),
            None,
            None,
        )
        .await;
    assert_eq!(one.json()["data"]["posts"]["nodes"].as_array().map(Vec::len), Some(1), "{}", one.text());
}

// 7. Smaller findings.

#[tokio::test]
async fn made_up_paths_and_methods_add_no_metric_series() {
    let app = TestApp::new().await;
    let series = |text: &str| -> std::collections::BTreeSet<String> {
        text.lines()
            .filter(|l| l.starts_with("mublog_http_requests_total{"))
            .map(|l| l.split('}').next().unwrap().to_owned())
            .collect()
    };
    for _ in 0..3 {
        app.get("/", None).await;
        app.api("GET", "/api/v1/posts/abc", None, None).await;
        app.api("PATCH", "/", None, None).await;
    }
    let before = series(&app.get("/metrics", None).await.text());
    let mut junk = Vec::new();
    for n in 0..10_000u32 {
        let method = format!("M{n:X}");
        let path = if n % 2 == 0 { format!("/junk-{n}") } else { format!("/api/v1/posts/x{n}") };
        junk.push((method, path));
    }
    for chunk in junk.chunks(500) {
        join_all(chunk.iter().map(|(method, path)| {
            let req =
                Request::builder().method(method.as_str()).uri(path.as_str()).body(Body::empty()).unwrap();
            app.send(req)
        }))
        .await;
    }
    let after = series(&app.get("/metrics", None).await.text());
    // Other tests of this binary add their own (legitimate) series meanwhile; what the junk
    // can add is at most `other` methods on known or unmatched routes.
    let new: Vec<&String> = after.difference(&before).filter(|s| s.contains("method=\"other\"")).collect();
    assert!(new.len() <= 3, "new series: {new:#?}");
    assert!(
        after.iter().all(|s| !s.contains("junk") && !s.contains("/x") && !s.contains("M1F")),
        "{after:#?}"
    );
}

#[tokio::test]
async fn staff_may_edit_and_delete_any_post_and_each_change_is_audited() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let moderator = app.staff("mod@example.com").await;
    let id = app.new_post(&ada, "buy cheap pills").await;
    let path = format!("/api/v1/posts/{id}");
    let own = app.new_post(&moderator, "my own words").await;
    let res =
        app.api("PATCH", &path, Some(json!({ "body": "[removed by staff]" })), Some(&moderator.access)).await;
    assert_eq!(res.status, StatusCode::OK);
    app.api(
        "PATCH",
        &format!("/api/v1/posts/{own}"),
        Some(json!({ "body": "edited" })),
        Some(&moderator.access),
    )
    .await;
    assert_eq!(app.api("DELETE", &path, None, Some(&moderator.access)).await.status, StatusCode::NO_CONTENT);
    let trail = app.post("/api/admin/audit", json!({}), Some(&moderator.access), None).await.json();
    let items = trail["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "only the changes to someone else's post: {trail}");
    assert_eq!(items[1]["action"], "edit_post");
    assert_eq!(items[1]["detail"], "@ada: buy cheap pills → [removed by staff]");
    assert_eq!(items[0]["action"], "delete_post");
    assert_eq!(items[0]["detail"], "@ada: [removed by staff]");
}

#[tokio::test]
async fn the_refresh_cookie_has_the_host_prefix_and_the_old_name_works_once() {
    let (app, [user]) = TestApp::with_users(["cookie@example.com"]).await;
    let login = app.login("cookie@example.com", PASSWORD).await;
    let set = login.set_cookie().unwrap();
    assert!(set.starts_with("__Host-mublog_refresh="), "{set}");
    assert!(set.contains("Secure") && set.contains("Path=/") && !set.contains("Domain"), "{set}");
    // A browser still holding the cookie under its old name is upgraded by its next refresh.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/auth/refresh")
        .header(header::COOKIE, format!("mublog_refresh={}", user.refresh))
        .header("sec-fetch-site", "same-origin")
        .body(Body::empty())
        .unwrap();
    let upgraded = app.send(req).await;
    assert_eq!(upgraded.status, StatusCode::OK, "{}", upgraded.text());
    let cookies: Vec<String> =
        upgraded.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-mublog_refresh=") && !c.starts_with("__Host-mublog_refresh=;")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("mublog_refresh=;")),
        "the old cookie is cleared: {cookies:?}"
    );
}

#[tokio::test]
async fn refresh_and_logout_accept_an_empty_body() {
    let (app, [user]) = TestApp::with_users(["empty@example.com"]).await;
    let empty = |path: &str, token: &str| {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, format!("__Host-mublog_refresh={token}"))
            .body(Body::empty())
            .unwrap()
    };
    let refreshed = app.send(empty("/api/auth/refresh", &user.refresh)).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let token = refreshed.refresh_cookie().unwrap();
    let out = app.send(empty("/api/auth/logout", &token)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text());
    assert_eq!(app.send(empty("/api/auth/refresh", &token)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unverified_uploads_are_refused_before_the_body_and_stalled_bodies_are_cut_off() {
    let app = TestApp::new().await;
    app.register("new@example.com").await;
    let unverified = app.signed_in("new@example.com", PASSWORD).await;
    // A 10 MB upload whose body never arrives.
    let (_sender, never) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let (res, waited) = timed_upload(&app, &unverified.access, Some(10_000_000), never).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.error_code(), "email_unverified");
    assert!(waited < Duration::from_secs(5), "{waited:?}");

    // A verified user's upload that stalls is cut off after the idle timeout.
    let ada = app.user("ada@example.com").await;
    let (mut sender, stalled) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    use futures::SinkExt;
    sender
        .send(Ok(b"--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhi\r\n".to_vec()))
        .await
        .unwrap();
    let (res, waited) = timed_upload(&app, &ada.access, None, stalled).await;
    assert!(res.status.is_client_error(), "{}: {}", res.status, res.text());
    assert!(waited >= mublog_idle() && waited < mublog_idle() * 2, "{waited:?}");
    drop(sender);
}

/// A body that keeps coming, but slower than the minimum rate, is cut off once the grace
/// period is over, instead of pinning its buffer for hours.
#[tokio::test]
async fn a_trickling_body_is_cut_off_after_the_grace_period() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    // 100 bytes every half second: 200 B/s, far under the floor.
    let trickle = futures::stream::unfold(0u32, |n| async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let chunk = if n == 0 {
            b"--x\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n".to_vec()
        } else {
            vec![0u8; 100]
        };
        Some((Ok::<_, std::io::Error>(chunk), n + 1))
    });
    let (res, waited) = timed_upload(&app, &ada.access, None, trickle).await;
    assert!(res.status.is_client_error(), "{}: {}", res.status, res.text());
    assert!(waited >= mublog_idle() && waited < mublog_idle() + Duration::from_secs(5), "{waited:?}");
}

/// Posts `body` as a multipart upload by the holder of `access`, and times the answer (30 s at
/// most).
async fn timed_upload<S>(
    app: &TestApp,
    access: &str,
    length: Option<u64>,
    body: S,
) -> (TestResponse, Duration)
where
    S: futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static,
{
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/posts")
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x");
    if let Some(length) = length {
        req = req.header(header::CONTENT_LENGTH, length);
    }
    let started = Instant::now();
    let res =
        tokio::time::timeout(Duration::from_secs(30), app.send(req.body(Body::from_stream(body)).unwrap()))
            .await
            .expect("answered");
    (res, started.elapsed())
}

/// The body idle timeout and grace period the server applies, both 10 s (`server/src/body_rate.rs`).
fn mublog_idle() -> Duration {
    Duration::from_secs(10)
}

#[tokio::test]
async fn a_password_reset_is_all_or_nothing() {
    let (app, _) = TestApp::with_users(["atomic@example.com"]).await;
    let token = app.reset_token("atomic@example.com").await;
    // The last step (ending the sessions) fails.
    let (fail, unfail) = if app.on_postgres() {
        (
            "CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'injected'; END $$;
             CREATE TRIGGER fail_revoke BEFORE UPDATE OF revoked_at ON refresh_families
             FOR EACH ROW EXECUTE FUNCTION fail()",
            "DROP TRIGGER fail_revoke ON refresh_families",
        )
    } else {
        (
            "CREATE TRIGGER fail_revoke BEFORE UPDATE OF revoked_at ON refresh_families
             BEGIN SELECT RAISE(ABORT, 'injected'); END",
            "DROP TRIGGER fail_revoke",
        )
    };
    app.sql(fail).await;
    let reset = json!({ "token": token, "password": "a brand new passphrase" });
    let failed = app.post("/api/auth/password/reset", reset.clone(), None, None).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    app.sql(unfail).await;
    // Nothing happened: the old password works, the link too.
    assert_eq!(app.login("atomic@example.com", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/auth/password/reset", reset, None, None).await.status, StatusCode::OK);
    assert_eq!(app.login("atomic@example.com", "a brand new passphrase").await.status, StatusCode::OK);
}

#[tokio::test]
async fn tool_pages_carry_a_csp_that_forbids_framing() {
    let app = TestApp::with(|c| c.smtp_url = None).await;
    for path in ["/api/docs", "/graphql", "/dev/mail"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        let csp = res
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp:?}"
        );
    }
}

/// With Redis, a sign-in limit holds across instances: ten wrong passwords spread over two
/// instances of one site use up the allowance, and the eleventh attempt is refused on either,
/// even with the right password.
#[tokio::test]
async fn with_redis_a_limit_holds_across_instances() {
    let redis = common::redis_url();
    let a = TestApp::with(|c| c.redis_url = Some(redis.clone().into())).await;
    let b = a.beside(|c| c.redis_url = Some(redis.into())).await;
    a.user("ada@example.com").await;
    for n in 0..domain::auth::throttle::SIGN_IN_ATTEMPTS_PER_MINUTE {
        let instance = if n % 2 == 0 { &a } else { &b };
        assert_eq!(
            instance.login("ada@example.com", "wrong password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    for instance in [&a, &b] {
        let refused = instance.login("ada@example.com", PASSWORD).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.text());
    }
}
