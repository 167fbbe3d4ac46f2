//! Live updates over real connections: the SSE stream (`GET /api/v1/events`) and GraphQL
//! subscriptions over a WebSocket (`/graphql/ws`). The domain's tests cover what is announced
//! and when; these check what reaches a client, how fast, and across instances.

use crate::common::{Backend, TestApp};
use futures::{SinkExt, StreamExt};
use http::StatusCode;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

/// An open event stream, read as a browser's `EventSource` would.
struct Events {
    response: reqwest::Response,
    unread: String,
}

impl Events {
    async fn open(addr: SocketAddr, query: &str) -> Events {
        let response = reqwest::get(format!("http://{addr}/api/v1/events?{query}")).await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        Events { response, unread: String::new() }
    }

    /// The next event's name and data (comments, the keep-alives, are skipped); `None` once the
    /// server ended the stream.
    async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.unread.find("\n\n") {
                let block: String = self.unread.drain(..end + 2).collect();
                let field = |name: &str| {
                    block.lines().find_map(|line| line.strip_prefix(name)).map(|v| v.trim_start().to_owned())
                };
                if let (Some(name), Some(data)) = (field("event:"), field("data:")) {
                    return Some((name, serde_json::from_str(&data).unwrap()));
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(5), self.response.chunk()).await;
            let chunk = chunk.expect("an event within 5 s").unwrap()?;
            self.unread.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    async fn expect(&mut self, name: &str) -> Value {
        let (heard, data) = self.next().await.expect("the stream is open");
        assert_eq!(heard, name, "{data}");
        data
    }
}

async fn like(app: &TestApp, access: &str, post: i64) {
    let res = app.api("PUT", &format!("/api/v1/posts/{post}/like"), None, Some(access)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn a_like_reaches_an_open_page_within_a_second() {
    let (app, [ada, grace]) = TestApp::with_users(["ada@example.com", "grace@example.com"]).await;
    let post = app.new_post(&ada, "watch this").await;
    let addr = app.serve().await;
    let mut events = Events::open(addr, &format!("posts={post}")).await;
    let headers = events.response.headers();
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-accel-buffering"], "no", "nginx must pass it through unbuffered");
    assert_eq!(events.expect("likes").await, json!({"type": "likes", "post_id": post, "like_count": 0}));
    events.expect("synced").await;

    let written = Instant::now();
    like(&app, &grace.access, post).await;
    assert_eq!(events.expect("likes").await["like_count"], 1);
    assert!(written.elapsed() < Duration::from_secs(1), "{:?}", written.elapsed());

    let res = app.api("DELETE", &format!("/api/v1/posts/{post}"), None, Some(&ada.access)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert_eq!(events.expect("gone").await, json!({"type": "gone", "post_id": post}));
}

#[tokio::test]
async fn a_page_hears_of_new_posts_and_follows_them() {
    let (app, [ada, grace]) = TestApp::with_users(["ada@example.com", "grace@example.com"]).await;
    let first = app.new_post(&ada, "the page shows this").await;
    let addr = app.serve().await;
    let mut feed = Events::open(addr, &format!("posts={first}&after={first}")).await;
    feed.expect("likes").await;
    feed.expect("synced").await;
    let mut adas_page = Events::open(addr, &format!("author={}&after={first}", ada.id)).await;
    adas_page.expect("synced").await;

    let by_grace = app.new_post(&grace, "new").await;
    assert_eq!(
        feed.expect("new_post").await,
        json!({"type": "new_post", "post_id": by_grace, "author_id": grace.id})
    );
    like(&app, &ada.access, by_grace).await;
    assert_eq!(feed.expect("likes").await["post_id"], by_grace);
    let by_ada = app.new_post(&ada, "on ada's page").await;
    assert_eq!(feed.expect("new_post").await["post_id"], by_ada);
    assert_eq!(adas_page.expect("new_post").await["post_id"], by_ada, "grace's post is not ada's");
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_a_reason() {
    let app = TestApp::new().await;
    for query in ["author=ada", "since=soon", "after=-", "unknown=1"] {
        let res = app.get(&format!("/api/v1/events?{query}"), None).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}: {}", res.text());
        assert_eq!(res.headers["content-type"], "application/json", "{query}");
    }
    let too_many = (1..=201).map(|n| n.to_string()).collect::<Vec<_>>().join(",");
    for posts in ["x", "1,,2", "0", "-4", too_many.as_str()] {
        let res = app.get(&format!("/api/v1/events?posts={posts}"), None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{posts}: {}", res.text());
        assert_eq!(res.fields(), ["posts"]);
    }
}

#[tokio::test]
async fn a_stopping_server_ends_its_streams() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let post = app.new_post(&ada, "still here").await;
    let addr = app.serve().await;
    let mut events = Events::open(addr, &format!("posts={post}")).await;
    events.expect("likes").await;
    events.expect("synced").await;
    app.mublog.end_live_streams();
    assert_eq!(events.next().await, None, "the stream ends, so shutdown need not wait for it");
}

/// Two instances on one PostgreSQL database: a reader connected to one sees a like written
/// through the other within a second.
#[tokio::test]
async fn a_like_written_on_one_instance_reaches_readers_of_another() {
    let a = TestApp::on(Backend::Postgres, |_| ()).await;
    let b = a.beside(|_| ()).await;
    let (ada, grace) = (a.user("ada@example.com").await, a.user("grace@example.com").await);
    let post = a.new_post(&ada, "on a").await;
    let mut on_b = Events::open(b.serve().await, &format!("posts={post}")).await;
    on_b.expect("likes").await;
    on_b.expect("synced").await;
    // b's hub listens once its listener connected (at start, a moment ago).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let written = Instant::now();
    like(&a, &grace.access, post).await;
    assert_eq!(on_b.expect("likes").await["like_count"], 1);
    assert!(written.elapsed() < Duration::from_secs(1), "{:?}", written.elapsed());
}

/// A GraphQL client over `graphql-transport-ws`.
struct Subscriber {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Subscriber {
    async fn connect(addr: SocketAddr) -> Subscriber {
        let mut request = format!("ws://{addr}/graphql/ws").into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let mut subscriber = Subscriber { socket };
        subscriber.send(json!({"type": "connection_init"})).await;
        assert_eq!(subscriber.receive().await["type"], "connection_ack");
        subscriber
    }

    async fn send(&mut self, message: Value) {
        self.socket.send(Message::text(message.to_string())).await.unwrap();
    }

    async fn receive(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.socket.next()).await;
            match message.expect("a message within 5 s").unwrap().unwrap() {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({"type": "subscribe", "id": id, "payload": {"query": query}})).await;
    }

    /// Subscribes `id` to the like counts of `posts`, asking for `fields`.
    async fn like_counts(&mut self, id: &str, posts: &[&str], fields: &str) {
        let ids = posts.iter().map(|post| format!("\"{post}\"")).collect::<Vec<_>>().join(", ");
        self.subscribe(id, &format!("subscription {{ likeCounts(postIds: [{ids}]) {{ {fields} }} }}")).await;
    }
}

#[tokio::test]
async fn graphql_subscriptions_carry_like_counts_and_new_posts() {
    let (app, [ada, grace]) = TestApp::with_users(["ada@example.com", "grace@example.com"]).await;
    let post = app.new_post(&ada, "counted").await;
    let mut client = Subscriber::connect(app.serve().await).await;
    client.like_counts("counts", &[&post.to_string()], "postId likeCount").await;
    let first = client.receive().await;
    assert_eq!(
        first["payload"]["data"]["likeCounts"],
        json!({"postId": post.to_string(), "likeCount": 0}),
        "{first}"
    );
    like(&app, &grace.access, post).await;
    assert_eq!(client.receive().await["payload"]["data"]["likeCounts"]["likeCount"], 1);

    client.send(json!({"type": "complete", "id": "counts"})).await;
    assert_eq!(client.receive().await, json!({"type": "complete", "id": "counts"}));
    client
        .subscribe(
            "posts",
            &format!(
                "subscription {{ newPosts(author: \"{}\") {{ id body author {{ handle }} }} }}",
                grace.id
            ),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.new_post(&ada, "not grace's").await;
    app.new_post(&grace, "grace's").await;
    let heard = client.receive().await;
    assert_eq!(heard["id"], "posts", "{heard}");
    assert_eq!(heard["payload"]["data"]["newPosts"]["body"], "grace's", "{heard}");
}

#[tokio::test]
async fn a_subscription_to_an_unknown_post_is_refused_cleanly() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let post = app.new_post(&ada, "exists").await;
    let mut client = Subscriber::connect(app.serve().await).await;
    client.like_counts("s", &[&post.to_string(), "999999"], "likeCount").await;
    let refused = client.receive().await;
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "not_found", "{refused}");
    assert_eq!(refused["payload"]["data"], Value::Null);
    assert_eq!(client.receive().await, json!({"type": "complete", "id": "s"}));
    // The connection stays usable.
    client.like_counts("t", &[&post.to_string()], "likeCount").await;
    assert_eq!(client.receive().await["payload"]["data"]["likeCounts"]["likeCount"], 0);
}
