//! Pictures on posts: re-encoded, stripped, rotated, resized, stored locally or in S3; and
//! attacked: polyglots, scripts, truncation, lies in file names, oversize bodies. Each gets the
//! right 4xx or a safe re-encode, never a 500 (pixel floods and bombs: `tests/memory.rs`).

use crate::common;

use common::pictures::upload;
use common::TestApp;
use http::{header, StatusCode};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use rusty_s3::S3Action;
use serde_json::json;
use std::io::Cursor;
use std::time::Duration;

fn encoded(image: impl Into<DynamicImage>, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image.into().write_to(&mut Cursor::new(&mut bytes), format).unwrap();
    bytes
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(RgbaImage::from_pixel(width, height, Rgba([10, 120, 200, 255])), ImageFormat::Png)
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(RgbImage::from_pixel(width, height, Rgb([200, 30, 30])), ImageFormat::Jpeg)
}

/// A JPEG with an EXIF block: orientation 6 (rotate 90° clockwise) and a GPS pointer.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut tiff = b"II*\x00\x08\x00\x00\x00".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes()); // two entries
    tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation = 6
    tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0]); // GPSInfo pointer
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// Waits (up to 15 s) until post `id`'s picture is rendered in its sizes; returns the picture.
async fn rendered(app: &TestApp, id: i64) -> serde_json::Value {
    common::eventually(Duration::from_secs(15), "sizes were never rendered", async || {
        let post = app.api("GET", &format!("/api/v1/posts/{id}"), None, None).await.json();
        (post["image"]["ready"] == true).then(|| post["image"].clone())
    })
    .await
}

async fn fetch(app: &TestApp, url: &str) -> common::TestResponse {
    app.get(url, None).await
}

#[tokio::test]
async fn a_picture_is_re_encoded_stripped_rotated_and_rendered_in_sizes() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let res = upload(&app, &ada, "holiday.jpg", "image/jpeg", &jpeg_with_exif(1600, 900)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let post = res.json();
    let image = &post["image"];
    // Orientation 6 turns a 1600×900 picture upright as 900×1600.
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(900), Some(1600)));
    assert_eq!(image["ready"], false, "sizes come from a background job");

    let full = fetch(&app, image["url"].as_str().unwrap()).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(full.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(full.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(!full.body.windows(4).any(|w| w == b"Exif"), "metadata is stripped");

    let id = post["id"].as_i64().unwrap();
    let sizes = rendered(&app, id).await["sizes"].as_array().unwrap().clone();
    let widths: Vec<u64> = sizes.iter().map(|s| s["width"].as_u64().unwrap()).collect();
    assert_eq!(widths, [320, 640], "only sizes narrower than the 900 px original");
    // GraphQL shows the same picture.
    let query = "query($id: ID!) { post(id: $id) { image { url width height ready sizes { url width } } } }";
    let graphql = json!({ "query": query, "variables": { "id": id.to_string() } });
    let graphql = app.api("POST", "/graphql", Some(graphql), None).await.json();
    let rest = app.api("GET", &format!("/api/v1/posts/{id}"), None, None).await.json();
    assert_eq!(graphql["data"]["post"]["image"], rest["image"], "{graphql}");
    let small = fetch(&app, sizes[0]["url"].as_str().unwrap()).await;
    let decoded = image::load_from_memory(&small.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (320, 568));

    // Deleting the post deletes its files.
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/posts/{id}"), None, Some(&ada.access)).await.status,
        StatusCode::NO_CONTENT
    );
    for url in [image["url"].as_str().unwrap(), sizes[0]["url"].as_str().unwrap()] {
        common::eventually(Duration::from_secs(15), &format!("{url} outlived its post"), async || {
            (fetch(&app, url).await.status == StatusCode::NOT_FOUND).then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn hostile_uploads_get_a_4xx_or_a_safe_re_encode() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;

    // A PNG with an HTML page appended: stored as a clean PNG, served as an image.
    let mut polyglot = png(16, 16);
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let res = upload(&app, &ada, "page.html", "text/html", &polyglot).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let stored = fetch(&app, res.json()["image"]["url"].as_str().unwrap()).await;
    assert!(stored.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("image/"));
    assert!(!stored.body.windows(7).any(|w| w == b"<script"));

    // An SVG carrying script is refused, whatever it claims to be.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"#;
    let res = upload(&app, &ada, "cat.png", "image/png", svg).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", res.text());
    assert_eq!(res.fields(), ["image"]);

    // A truncated file.
    let whole = jpeg(64, 64);
    let res = upload(&app, &ada, "cut.jpg", "image/jpeg", &whole[..whole.len() / 2]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());

    // A `.jpg` name on a PNG body: the bytes decide.
    let res = upload(&app, &ada, "photo.jpg", "image/jpeg", &png(8, 8)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    // Over 10 MB.
    let res = upload(&app, &ada, "big.png", "image/png", &vec![0u8; 11 * 1024 * 1024]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
    assert_eq!(res.error_code(), "payload_too_large");
}

#[tokio::test]
async fn uploads_need_a_verified_author_and_json_posts_still_work() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;
    let res = app
        .api("POST", "/api/v1/posts", Some(serde_json::json!({ "body": "text only" })), Some(&ada.access))
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert!(res.json()["image"].is_null());
    app.sql("UPDATE users SET email_verified_at = NULL").await;
    let res = upload(&app, &ada, "a.png", "image/png", &png(4, 4)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Names that this server never generates are simply not found.
    for url in ["/media/..%2Fmublog.db", "/media/x.svg", "/media/missing.png"] {
        assert_eq!(fetch(&app, url).await.status, StatusCode::NOT_FOUND, "{url}");
    }
}

/// A local S3-compatible server: moto (from PyPI, installed by `scripts/test` into
/// `target/py`), stopped when dropped.
struct Moto {
    url: String,
    process: std::process::Child,
}

impl Moto {
    async fn start() -> Self {
        let binary = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/py/bin/moto_server");
        assert!(
            std::path::Path::new(binary).exists(),
            "{binary} is missing: run ./scripts/test, which installs it"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let process = std::process::Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        common::eventually(Duration::from_secs(30), "moto did not start", async || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .await;
        Moto { url, process }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[tokio::test]
async fn pictures_can_live_in_s3_compatible_storage() {
    let moto = Moto::start().await;
    let http = reqwest::Client::new();
    let bucket = format!("{}/mublog-media", moto.url);
    let s3_bucket = rusty_s3::Bucket::new(
        moto.url.parse().unwrap(),
        rusty_s3::UrlStyle::Path,
        "mublog-media",
        "us-east-1",
    )
    .unwrap();
    let keys = rusty_s3::Credentials::new("test-access-key", "test-secret-key");
    // moto takes an unsigned bucket creation; the app's own requests are all signed.
    assert!(http.put(&bucket).send().await.unwrap().status().is_success(), "bucket created");
    // Objects are private: reads are signed, as the app's are.
    let object = |name: &str| {
        let url = s3_bucket.get_object(Some(&keys), name).sign(Duration::from_secs(60));
        let http = http.clone();
        async move { http.get(url).send().await.unwrap() }
    };
    let app = TestApp::with(|c| {
        c.media = mublog::config::MediaConfig::S3 {
            url: bucket.clone(),
            region: "us-east-1".into(),
            access_key: "test-access-key".into(),
            secret_key: "test-secret-key".into(),
        }
    })
    .await;
    let ada = app.user("ada@example.com").await;
    let res = upload(&app, &ada, "p.png", "image/png", &png(700, 400)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let url = res.json()["image"]["url"].as_str().unwrap().to_owned();
    let name = url.trim_start_matches("/media/");

    // The object is in the bucket, and the app serves it from there.
    let stored = object(name).await;
    assert_eq!(stored.status(), reqwest::StatusCode::OK);
    let served = fetch(&app, &url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.body, stored.bytes().await.unwrap().to_vec());

    let id = res.json()["id"].as_i64().unwrap();
    rendered(&app, id).await;
    let sized = name.replace(".png", "-320.png");
    assert_eq!(object(&sized).await.status(), reqwest::StatusCode::OK);

    assert_eq!(
        app.api("DELETE", &format!("/api/v1/posts/{id}"), None, Some(&ada.access)).await.status,
        StatusCode::NO_CONTENT
    );
    // The job deletes the files one after another: wait for the last.
    common::eventually(Duration::from_secs(15), "the objects outlived their post", async || {
        let gone = |answer: reqwest::Response| answer.status() == reqwest::StatusCode::NOT_FOUND;
        (gone(object(name).await) && gone(object(&sized).await)).then_some(())
    })
    .await;
}
