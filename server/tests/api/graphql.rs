//! GraphQL: the domain's outcomes as data or coded errors, the same auth as REST, and limits that
//! refuse hostile queries.

use crate::common;

use common::TestApp;
use http::StatusCode;
use serde_json::{json, Value};

async fn gql(app: &TestApp, query: &str, variables: Value, access: Option<&str>) -> Value {
    let res =
        app.api("POST", "/graphql", Some(json!({ "query": query, "variables": variables })), access).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

fn error_code(res: &Value) -> &str {
    res["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn queries_and_mutations_answer_the_domains_outcomes_as_data_or_coded_errors() {
    let (app, [ada, bob]) = TestApp::with_users(["ada@example.com", "bob@example.com"]).await;

    let create = "mutation($b: String!) { createPost(body: $b) { id body author { id displayName } likeCount liked } }";
    let res = gql(&app, create, json!({ "b": "  from graphql " }), Some(&ada.access)).await;
    let post = &res["data"]["createPost"];
    assert_eq!(post["body"], "from graphql");
    assert_eq!(post["author"]["displayName"], "ada");
    let id = post["id"].as_str().unwrap().to_owned();

    let res = gql(&app, create, json!({ "b": "   " }), Some(&ada.access)).await;
    assert_eq!(error_code(&res), "validation");
    let res = gql(&app, create, json!({ "b": "anonymous" }), None).await;
    assert_eq!(error_code(&res), "unauthenticated");

    let update = "mutation($id: ID!) { updatePost(id: $id, body: \"hijack\") { body } }";
    let res = gql(&app, update, json!({ "id": id }), Some(&bob.access)).await;
    assert_eq!(error_code(&res), "forbidden");

    let like = "mutation($id: ID!) { likePost(id: $id) { likeCount liked } }";
    let res = gql(&app, like, json!({ "id": id }), Some(&bob.access)).await;
    assert_eq!(res["data"]["likePost"], json!({ "likeCount": 1, "liked": true }));
    let res = gql(
        &app,
        "mutation($id: ID!) { unlikePost(id: $id) { likeCount liked } }",
        json!({ "id": id }),
        Some(&bob.access),
    )
    .await;
    assert_eq!(res["data"]["unlikePost"], json!({ "likeCount": 0, "liked": false }));

    let res = gql(&app, "{ me { email } }", json!({}), Some(&ada.access)).await;
    assert_eq!(res["data"]["me"]["email"], "ada@example.com");
    let res = gql(&app, "{ me { email } }", json!({}), None).await;
    assert_eq!(res["data"]["me"], Value::Null);
    let res = gql(
        &app,
        "query($id: ID!) { user(id: $id) { displayName } }",
        json!({ "id": bob.id.to_string() }),
        None,
    )
    .await;
    assert_eq!(res["data"]["user"]["displayName"], "bob");
    let res = gql(&app, "{ post(id: \"999\") { id } }", json!({}), None).await;
    assert_eq!(res["data"]["post"], Value::Null);
    // An id that is not a number names the kind of object asked for.
    let res = gql(&app, "{ user(id: \"ada\") { id } }", json!({}), None).await;
    assert_eq!(res["errors"][0]["message"], "That user does not exist.", "{res}");
    let res = gql(&app, "{ posts(author: \"ada\") { nodes { id } } }", json!({}), None).await;
    assert_eq!(res["errors"][0]["message"], "That user does not exist.", "{res}");
    let res = gql(&app, "mutation { likePost(id: \"x\") { liked } }", json!({}), Some(&bob.access)).await;
    assert_eq!(res["errors"][0]["message"], "That post does not exist.", "{res}");

    let res =
        gql(&app, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": id }), Some(&ada.access)).await;
    assert_eq!(res["data"]["deletePost"], true);
}

#[tokio::test]
async fn posts_connection_pages_searches_and_filters() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    for i in 0..7 {
        app.create_post(&ada, &format!("{} {i}", if i % 2 == 0 { "even" } else { "odd" })).await;
    }
    let page = "query($after: String) { posts(first: 3, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }";
    let mut after = Value::Null;
    let mut seen = 0;
    loop {
        let res = gql(&app, page, json!({ "after": after }), None).await;
        let posts = &res["data"]["posts"];
        seen += posts["nodes"].as_array().unwrap().len();
        if !posts["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = posts["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen, 7);
    let res = gql(&app, "{ posts(search: \"EVEN\") { nodes { body } } }", json!({}), None).await;
    assert_eq!(res["data"]["posts"]["nodes"].as_array().unwrap().len(), 4);
    let res =
        gql(&app, "query($a: ID) { posts(author: $a) { nodes { id } } }", json!({ "a": "424242" }), None)
            .await;
    assert_eq!(res["data"]["posts"]["nodes"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn hostile_queries_are_refused_and_bad_tokens_are_401() {
    let app = TestApp::new().await;
    let normal = "{ posts { nodes { author { displayName } } pageInfo { endCursor } } }";
    let res = gql(&app, normal, json!({}), None).await;
    assert!(res["errors"].is_null(), "a normal query passes: {res}");

    // Introspection types nest without end: a classic way to make a server do unbounded work.
    let deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }";
    let res = gql(&app, deep, json!({}), None).await;
    assert!(res["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{res}");
    assert!(res["data"].is_null());

    let wide: String = (0..400).map(|i| format!("p{i}: posts {{ nodes {{ id body }} }} ")).collect();
    let res = gql(&app, &format!("{{ {wide} }}"), json!({}), None).await;
    assert!(res["errors"][0]["message"].as_str().unwrap().contains("too complex"), "{res}");

    let res = app.api("POST", "/graphql", Some(json!({ "query": "{ me { id } }" })), Some("junk")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    let page = app.get("/graphql", None).await;
    assert!(page.text().contains("/vendor/graphiql/graphiql.min.js"));
    assert!(!page.text().contains("https://"), "no CDN");
}
