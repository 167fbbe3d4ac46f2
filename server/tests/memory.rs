//! Pictures that would take gigabytes to decode are refused without taking them.
//!
//! A test binary of its own (the rest are one, `tests/api`): it reads the process's peak
//! resident memory, which other tests running in the same process would raise.

#[allow(dead_code)] // this binary needs only a few of the shared helpers
#[path = "api/common/mod.rs"]
mod common;

use common::pictures::upload;
use common::TestApp;
use http::StatusCode;
use std::io::Write;

#[tokio::test]
async fn pixel_floods_and_decompression_bombs_are_refused_in_bounded_memory() {
    let (app, [ada]) = TestApp::with_users(["ada@example.com"]).await;

    // A 20000×1 pixel flood is refused before decoding.
    let res = upload(&app, &ada, "flood.png", "image/png", &black_png(20_000, 1)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());

    // A decompression bomb: 8000×8000 pixels (192 MB decoded) in a few hundred KB.
    let bomb = black_png(8000, 8000);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let res = upload(&app, &ada, "bomb.png", "image/png", &bomb).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());

    // The server stayed healthy, and its memory bounded.
    assert_eq!(app.get("/", None).await.status, StatusCode::OK);
    let peak_kb: u64 = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap();
    assert!(peak_kb < 600 * 1024, "peak memory {peak_kb} kB");
}

/// A PNG chunk with its length and CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A well-formed RGB PNG of `width`×`height` black pixels: tiny on the wire, huge decoded.
fn black_png(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let row = vec![0u8; 1 + 3 * width as usize];
    for _ in 0..height {
        z.write_all(&row).unwrap();
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &z.finish().unwrap()));
    out.extend(chunk(b"IEND", &[]));
    out
}
