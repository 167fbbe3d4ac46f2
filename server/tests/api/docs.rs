//! The OpenAPI document: generated from the code, it describes what the router answers.

use crate::common;

use common::TestApp;
use http::StatusCode;
use regex::Regex;
use serde_json::Value;
use shared::validate;

/// The document and the router agree, and operations document their refusals: every
/// documented operation is routed (no "No such endpoint" 404, no 405), and called anonymously
/// with no body it answers with a status the operation documents.
#[tokio::test]
async fn every_documented_operation_is_routed_and_answers_as_documented() {
    let app = TestApp::new().await;
    let res = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let uri = format!("/api/v1{}", path.replace("{id}", "1"));
            if operation["responses"]["200"]["content"].get("text/event-stream").is_some() {
                let (status, headers) = app.head_of_get(&uri).await;
                assert_eq!(
                    (status, &headers["content-type"]),
                    (StatusCode::OK, &"text/event-stream".parse().unwrap())
                );
                operations += 1;
                continue;
            }
            let res = app.api(&method.to_uppercase(), &uri, None, None).await;
            let routed =
                res.status != StatusCode::METHOD_NOT_ALLOWED && !res.text().contains("No such endpoint");
            assert!(routed, "{method} {path} is documented but not routed: {}", res.text());
            let documented = operation["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(res.status.as_str()),
                "{method} {path}: {} undocumented",
                res.status
            );
            operations += 1;
        }
    }
    assert!(operations > 0, "no operation is documented");
    for method in ["put", "delete"] {
        let refusal = &doc["paths"]["/posts/{id}/like"][method]["responses"]["403"];
        assert!(refusal.is_object(), "{method} like: the unverified author's 403 is documented");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for schema in ["NewPost", "NewPostUpload"] {
        let fields = &doc["components"]["schemas"][schema]["additionalProperties"];
        assert_eq!(fields, false, "{schema}: unknown fields are documented as refused");
    }
    assert!(doc["components"]["schemas"]["ApiError"]["example"].is_object());
    let upload = &doc["paths"]["/posts"]["post"]["requestBody"]["content"]["multipart/form-data"];
    assert_eq!(upload["encoding"]["image"]["contentType"], "image/jpeg, image/png, image/webp, image/gif");
}

/// Whether the server's validation takes a value.
type Accepts = fn(&str) -> bool;

/// Each pattern in the document is the rule the server applies, character for character, so a
/// client (or schemathesis) that follows the document is never refused for a value's shape.
#[tokio::test]
async fn documented_patterns_are_the_rules_the_server_applies() {
    let app = TestApp::new().await;
    let doc = app.api("GET", "/api/v1/openapi.json", None, None).await.json();
    let params = doc["paths"]["/posts"]["get"]["parameters"].as_array().unwrap();
    let search = &params.iter().find(|p| p["name"] == "q").unwrap()["schema"];
    let me = &doc["components"]["schemas"]["UpdateMe"]["properties"];
    let upload = &doc["components"]["schemas"]["NewPostUpload"]["properties"]["body"];
    let rules: [(&str, &Value, Accepts); 7] = [
        ("NewPost body", &doc["components"]["schemas"]["NewPost"]["properties"]["body"], |s| {
            validate::post_body(s).is_ok()
        }),
        ("NewPostUpload body", upload, |s| validate::post_body(s).is_ok()),
        ("q", search, |s| validate::search(Some(s)).is_ok()),
        ("display_name", &me["display_name"], |s| validate::display_name(Some(s), "a@example.com").is_ok()),
        ("handle", &me["handle"], |s| validate::handle(s).is_ok()),
        ("first_name", &me["first_name"], |s| validate::person_name("first_name", s).is_ok()),
        ("last_name", &me["last_name"], |s| validate::person_name("last_name", s).is_ok()),
    ];
    let mut samples: Vec<String> = [
        "",
        " ",
        "Ada_99",
        "9lives",
        "ada-l",
        "ädä",
        "a b",
        "ab\0c",
        "abc\0",
        "a\u{85}bc",
        "two\nlines\tand a tab",
        "\0hi",
    ]
    .map(String::from)
    .to_vec();
    for n in [1, 2, 3, 29, 30, 31, 39, 40, 41, 49, 50, 51, 99, 100, 101, 279, 280, 281] {
        samples.push("x".repeat(n));
        // White space that `trim` removes (including U+0085, a control character too), and
        // characters it keeps that some regex dialects call white space.
        samples.push(format!(" \u{3000}{}\u{85}\t", "x".repeat(n)));
        samples.push(format!("\u{1c}{}\u{feff}", "x".repeat(n)));
    }
    for (name, schema, accepts) in rules {
        let pattern = Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        for sample in &samples {
            let accepted = accepts(sample);
            assert_eq!(pattern.is_match(sample), accepted, "{name} {sample:?}: the server says {accepted}");
        }
    }
}

#[tokio::test]
async fn docs_page_uses_vendored_assets_only() {
    let app = TestApp::new().await;
    let res = app.get("/api/docs", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("/vendor/swagger-ui/swagger-ui-bundle.js"));
    assert!(!html.contains("https://"), "no CDN");
}
