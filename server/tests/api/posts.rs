//! Posts through the browser's API (server functions): how each outcome of the domain's rules
//! (tested in `domain/src/tests`) answers, likes exact under concurrency, and keyset pages.

use crate::common;

use common::TestApp;
use futures::future::join_all;
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn creating_answers_201_with_the_stored_post_and_a_refused_body_is_422_naming_it() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;

    let res = app.create_post(&ada, "  hello world \n").await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["body"], "hello world", "the post as stored, not as sent");
    assert_eq!(res.json()["author"]["id"], ada.id);

    let res = app.create_post(&ada, &"x".repeat(281)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.fields(), ["body"]);
}

#[tokio::test]
async fn edit_and_delete_map_refusals_to_403_422_and_404() {
    let (app, [ada, bob]) = TestApp::with_users(["ada@example.com", "bob@example.com"]).await;
    let id = app.new_post(&ada, "mine").await;

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
async fn a_like_answers_its_state_and_the_feed_shows_each_reader_their_own() {
    let (app, [ada, bob]) = TestApp::with_users(["ada@example.com", "bob@example.com"]).await;
    let id = app.new_post(&ada, "like me").await;
    let like = async |access: Option<&str>, id: i64, liked: bool| {
        app.post("/api/posts/like", json!({ "id": id, "liked": liked }), access, None).await
    };

    let res = like(Some(&bob.access), id, true).await;
    assert_eq!(
        (res.status, res.json()),
        (StatusCode::OK, json!({ "post_id": id, "like_count": 1, "liked": true }))
    );
    let feed_for = async |access: Option<&str>| {
        app.post("/api/posts/list", json!({}), access, None).await.json()["posts"][0].clone()
    };
    let post = feed_for(Some(&bob.access)).await;
    assert_eq!((post["like_count"].as_i64(), post["liked"].as_bool()), (Some(1), Some(true)));
    let post = feed_for(Some(&ada.access)).await;
    assert_eq!((post["like_count"].as_i64(), post["liked"].as_bool()), (Some(1), Some(false)));
    assert_eq!(feed_for(None).await["liked"], false);

    assert_eq!(like(Some(&bob.access), id, false).await.json()["like_count"], 0);
    assert_eq!(like(Some(&bob.access), 9999, true).await.status, StatusCode::NOT_FOUND);
    assert_eq!(like(None, id, true).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_likes_from_many_users_count_exactly() {
    let (app, [author]) = TestApp::with_users(["author@example.com"]).await;
    let id = app.new_post(&author, "popular").await;
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
    let (app, [ada, bob]) = TestApp::with_users(["ada@example.com", "bob@example.com"]).await;
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
