//! Server-rendered pages: complete HTML, personalised from the refresh cookie.

use crate::common;

use common::TestApp;
use http::StatusCode;
use serde_json::json;

/// The `<article>` of one post in a page.
fn article(html: &str, id: i64) -> &str {
    let start = html.find(&format!("data-post-id=\"{id}\"")).expect("post rendered");
    &html[start..start + html[start..].find("</article>").unwrap()]
}

fn pressed(article: &str) -> bool {
    let button = &article[article.find("<button").unwrap()..];
    let button = &button[..button.find('>').unwrap()];
    assert!(button.contains("class=\"like\""), "{button}");
    button.contains("aria-pressed=\"true\"")
}

#[tokio::test]
async fn the_feed_shows_the_viewers_likes_in_the_html() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let liked = app.new_post(&ada, "liked one").await;
    let other = app.new_post(&ada, "other one").await;
    app.post("/api/posts/like", json!({ "id": liked, "liked": true }), Some(&ada.access), None).await;

    let page = app.get("/", Some(&ada.refresh)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(pressed(article(&html, liked)));
    assert!(!pressed(article(&html, other)));
    assert!(html.contains("Sign out"), "signed-in navigation rendered on the server");
    assert!(article(&html, liked).contains("<time datetime=\""));
    assert!(page.set_cookie().is_none(), "page loads never rotate the refresh token");

    let anonymous = app.get("/", None).await.text();
    assert!(!pressed(article(&anonymous, liked)));
    assert!(anonymous.contains("Sign in"));
}

#[tokio::test]
async fn load_more_is_a_link_that_works_without_javascript() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(app.new_post(&ada, &format!("post {i}")).await);
    }
    let first = app.get("/", None).await.text();
    let href_at = first.find("class=\"load-more\"").map(|_| first.find("href=\"/?cursor=").unwrap()).unwrap();
    let href = &first[href_at + 6..];
    let href = &href[..href.find('"').unwrap()];
    let second = app.get(href, None).await;
    assert_eq!(second.status, StatusCode::OK);
    let html = second.text();
    for id in &ids[..5] {
        article(&html, *id);
    }
    assert!(!html.contains(&format!("data-post-id=\"{}\"", ids[5])));
    assert!(!html.contains("class=\"load-more\""), "last page has no further link");
}

#[tokio::test]
async fn post_and_author_pages_render_and_missing_ones_are_404() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let id = app.new_post(&ada, "a page of its own").await;

    let page = app.get(&format!("/posts/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("a page of its own"));

    let page = app.get(&format!("/u/{}", ada.id), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("a page of its own"));
    // The handle is the address people share; it ignores case.
    for handle in ["/u/ada", "/u/ADA"] {
        let page = app.get(handle, None).await;
        assert_eq!(page.status, StatusCode::OK, "{handle}");
        assert!(page.text().contains("a page of its own"));
    }

    for missing in ["/posts/424242", "/posts/not-a-number", "/u/424242", "/u/nobody_here", "/no/such/page"] {
        assert_eq!(app.get(missing, None).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn the_service_worker_and_manifest_are_linked_and_served() {
    let app = TestApp::new().await;
    let sw = app.get("/sw.js", None).await;
    assert_eq!(sw.status, StatusCode::OK);
    assert_eq!(sw.headers[http::header::CACHE_CONTROL], "no-cache");
    assert!(sw.headers[http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    let script = sw.text();
    assert!(script.contains(r#""/pkg/mublog.wasm""#), "precaches this build's WASM");
    assert!(script.contains("/api/auth/"), "keeps authentication out of the cache");
    assert!(!script.contains("__ASSETS__") && !script.contains("__VERSION__"));
    let page = app.get("/", None).await.text();
    for needle in [
        r#"rel="manifest" href="/manifest.webmanifest""#,
        r#"name="theme-color""#,
        r#"rel="apple-touch-icon""#,
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    assert_eq!(app.get("/offline", None).await.status, StatusCode::OK);
}

/// Anonymous readers share one render (page or API list) for the configured time; signed-in
/// readers, other URLs and readers after the time get a fresh one.
#[tokio::test]
async fn anonymous_readers_share_a_render_briefly() {
    let app = TestApp::with(|c| c.page_cache = std::time::Duration::from_secs(2)).await;
    let ada = app.user("ada@example.com").await;
    app.create_post(&ada, "the first post").await;
    assert!(app.get("/", None).await.text().contains("the first post"));
    let api_list = || app.api("GET", "/api/v1/posts", None, None);
    assert!(api_list().await.text().contains("the first post"));
    app.create_post(&ada, "the second post").await;
    assert!(!app.get("/", None).await.text().contains("the second post"), "shared render");
    assert!(!api_list().await.text().contains("the second post"), "shared API answer");
    let own_list = app.api("GET", "/api/v1/posts", None, Some(&ada.access)).await;
    assert!(own_list.text().contains("the second post"), "signed in: fresh API answer");
    assert!(app.get("/", Some(&ada.refresh)).await.text().contains("the second post"), "signed in: fresh");
    assert!(app.get("/?cursor=999999", None).await.text().contains("the second post"), "another URL");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(app.get("/", None).await.text().contains("the second post"), "after the time: fresh");
    assert!(api_list().await.text().contains("the second post"), "after the time: fresh API answer");
}

/// The account pages hold their submit logic in a Leptos action, which a server render builds
/// and drops; dropped on another thread, a thread-bound action (`Action::new_local`) panicked
/// the render. Many renders at once make that thread hop likely.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn account_pages_render_concurrently_without_panicking() {
    let app = TestApp::new().await;
    let pages = ["/login", "/login?error=invalid_credentials", "/register", "/forgot", "/reset/some-token"];
    let renders = (0..40).map(|i| app.get(pages[i % pages.len()], None));
    for res in futures::future::join_all(renders).await {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
}
