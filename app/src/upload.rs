//! Posting with a picture: a multipart `POST /api/v1/posts` through `XMLHttpRequest`, the one
//! browser API that reports upload progress (fetch does not).

use crate::client::bearer_header;
use shared::json::from_json;
use shared::{ApiError, ErrorCode, PostView};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{FormData, ProgressEvent, XmlHttpRequest};

/// Sends the post and reports progress (0.0 to 1.0) to `progress` as the bytes go out.
pub async fn post_with_picture(
    body: String,
    file: web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<PostView, ApiError> {
    let failed =
        |what: &str| ApiError::new(ErrorCode::Internal, format!("The upload could not start ({what})."));
    let form = FormData::new().map_err(|_| failed("form"))?;
    form.append_with_str("body", &body).map_err(|_| failed("form"))?;
    form.append_with_blob("image", &file).map_err(|_| failed("form"))?;
    let xhr = XmlHttpRequest::new().map_err(|_| failed("request"))?;
    let url = format!("{}/api/v1/posts", server_fn::client::get_server_url());
    xhr.open("POST", &url).map_err(|_| failed("request"))?;
    if let Some(auth) = bearer_header() {
        xhr.set_request_header("Authorization", &auth).map_err(|_| failed("request"))?;
    }
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            progress(e.loaded() / e.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let (done, finished) = futures::channel::oneshot::channel::<()>();
    let mut done = Some(done);
    let on_end = Closure::<dyn FnMut()>::new(move || {
        if let Some(done) = done.take() {
            let _ = done.send(());
        }
    });
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form)).map_err(|_| failed("send"))?;
    let _ = finished.await;
    drop((on_progress, on_end));

    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    match status {
        201 => from_json(&text).map_err(|_| failed("answer")),
        0 => Err(ApiError::new(ErrorCode::Internal, "The upload failed: no connection to the server.")),
        _ => Err(from_json(&text).unwrap_or_else(|_| {
            ApiError::new(ErrorCode::Internal, format!("The upload failed ({status})."))
        })),
    }
}
