//! Posting a picture the way a browser does: a multipart form.

use super::{TestApp, TestResponse, User};
use axum::body::Body;
use http::{header, Method, Request};
use std::io::Write;

const BOUNDARY: &str = "mublog-test-boundary";

/// `POST /api/v1/posts` as a form with `body` and an `image` file.
pub async fn upload(
    app: &TestApp,
    user: &User,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> TestResponse {
    let mut form = Vec::new();
    write!(form, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nA picture\r\n")
        .unwrap();
    write!(
        form,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{file_name}\"\r\n\
         Content-Type: {content_type}\r\n\r\n"
    )
    .unwrap();
    form.extend_from_slice(bytes);
    write!(form, "\r\n--{BOUNDARY}--\r\n").unwrap();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/posts")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::AUTHORIZATION, format!("Bearer {}", user.access))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::CONTENT_LENGTH, form.len())
        .body(Body::from(form))
        .unwrap();
    app.send(req).await
}
