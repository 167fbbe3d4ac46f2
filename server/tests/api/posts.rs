//! Posts through the browser's API (server functions): length limits, ownership, likes
//! (idempotent, exact under concurrency) and keyset pages.

use crate::common;

use common::TestApp;
use futures::future::join_all;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn posts_are_trimmed_and_limited_to_280_characters() {
    let app = TestApp::new().await;
    let ada = app.user("ada@example.com").await;

    let res = app.create_post(&ada, "  hello world \n").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["body"], "hello world");
    assert_eq!(res.json()["author"]["id"], ada.id);

    assert_eq!(app.create_post(&ada, &"é".repeat(280)).await.status, StatusCode::CREATED);
    for bad in [String::new(), "   \n\t ".into(), "x".repeat(281)] {
        let res = app.create_post(&ada, &bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert_eq!(res.json()["fields"][0]["field"], "body");
    }
}

#[tokio::test]
async fn only_the_author_edits_or_deletes() {
    let app = TestApp::new().await;
    let ada = app.user("ada@example.com").await;
    let bob = app.user("bob@example.com").await;
    let id = app.create_post(&ada, "mine").await.json()["id"].as_i64().unwrap();

    let res =
        app.post("/api/posts/edit", json!({ "id": id, "body": "hijacked" }), Some(&bob.access), None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app.post("/api/posts/delete", json!({ "id": id }), Some(&bob.access), None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res = app.post("/api/posts/edit", json!({ "id": id, "body": "  " }), Some(&ada.access), None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res =
        app.post("/api/posts/edit", json!({ "id": id, "body": "edited" }), Some(&ada.access), None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["body"], "edited");
    assert!(res.json()["edited_at"].is_i64());

    let res = app.post("/api/posts/delete", json!({ "id": id }), Some(&ada.access), None).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app.post("/api/posts/get", json!({ "id": id }), None, None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.post("/api/posts/delete", json!({ "id": id }), Some(&ada.access), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn likes_are_idempotent_and_personal() {
    let app = TestApp::new().await;
    let ada = app.user("ada@example.com").await;
    let bob = app.user("bob@example.com").await;
    let id = app.create_post(&ada, "like me").await.json()["id"].as_i64().unwrap();
    let app = &app;
    let like = |access: String, liked: bool| async move {
        app.post("/api/posts/like", json!({ "id": id, "liked": liked }), Some(&access), None).await
    };

    for _ in 0..2 {
        let res = like(bob.access.clone(), true).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json(), json!({ "post_id": id, "like_count": 1, "liked": true }));
    }
    let feed_for = |access: Option<String>| async move {
        app.post("/api/posts/list", json!({}), access.as_deref(), None).await
    };
    let post = &feed_for(Some(bob.access.clone())).await.json()["posts"][0];
    assert_eq!((post["like_count"].as_i64(), post["liked"].as_bool()), (Some(1), Some(true)));
    let post = &feed_for(Some(ada.access.clone())).await.json()["posts"][0];
    assert_eq!((post["like_count"].as_i64(), post["liked"].as_bool()), (Some(1), Some(false)));
    let post = &feed_for(None).await.json()["posts"][0];
    assert_eq!(post["liked"], false);

    for _ in 0..2 {
        assert_eq!(like(bob.access.clone(), false).await.json()["like_count"], 0);
    }
    let res =
        app.post("/api/posts/like", json!({ "id": 9999, "liked": true }), Some(&bob.access), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.post("/api/posts/like", json!({ "id": id, "liked": true }), None, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_likes_from_many_users_count_exactly() {
    let app = TestApp::new().await;
    let author = app.user("author@example.com").await;
    let id = app.create_post(&author, "popular").await.json()["id"].as_i64().unwrap();
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(app.user(&format!("fan{i}@example.com")).await);
    }
    // Every fan clicks twice at the same moment.
    let clicks = users
        .iter()
        .chain(users.iter())
        .map(|u| app.post("/api/posts/like", json!({ "id": id, "liked": true }), Some(&u.access), None));
    for res in join_all(clicks).await {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let res = app.post("/api/posts/get", json!({ "id": id }), None, None).await;
    assert_eq!(res.json()["post"]["like_count"], 20);
}

#[tokio::test]
async fn keyset_pages_cover_the_feed_exactly_once() {
    let app = TestApp::new().await;
    let ada = app.user("ada@example.com").await;
    let bob = app.user("bob@example.com").await;
    for i in 0..45 {
        let who = if i % 3 == 0 { &bob } else { &ada };
        assert_eq!(app.create_post(who, &format!("post {i}")).await.status, StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let res = app.post("/api/posts/list", json!({ "cursor": cursor }), None, None).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let page = res.json();
        seen.extend(page["posts"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3); // 20 + 20 + 5
    assert_eq!(seen.len(), 45);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");

    let res = app.post("/api/posts/list", json!({ "author": bob.id, "limit": 100 }), None, None).await;
    let posts = res.json()["posts"].as_array().unwrap().clone();
    assert_eq!(posts.len(), 15);
    assert!(posts.iter().all(|p| p["author"]["id"] == bob.id));

    let res = app.post("/api/posts/list", json!({ "limit": 1000 }), None, None).await;
    assert_eq!(res.json()["posts"].as_array().unwrap().len(), 45, "limit is capped, not refused");
    for bad in ["abc", "-1", "0"] {
        let res = app.post("/api/posts/list", json!({ "cursor": bad }), None, None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
}
