#![recursion_limit = "256"] // the release build's fully typed view tree is deep

//! The browser entry point. `hydrate` takes over the server-rendered page; `csr` (the Trunk
//! build) renders the whole app in the browser. Only glue: everything else is in `app`.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // As `leptos::mount::hydrate_lazy`, which lazy routes need (a page's chunk may have to
    // load before its part of the page can be hydrated), then mark the page ready.
    wasm_bindgen_futures::spawn_local(async {
        let document = leptos::prelude::document();
        // A composer in the server's HTML can only hydrate once its chunk is here.
        if document.query_selector("form.composer").ok().flatten().is_some() {
            app::preload_composer().await;
        }
        let body = document.body().expect("a page has a body");
        leptos::mount::hydrate_from_async(body, app::App).await.forget();
        mark_ready();
    });
    register_service_worker();
}

/// Installs `/sw.js` (offline pages, precached assets). Failure only costs offline support.
#[cfg(feature = "hydrate")]
fn register_service_worker() {
    let container = leptos::prelude::window().navigator().service_worker();
    let _ = container.register("/sw.js");
}

#[cfg(all(feature = "csr", not(feature = "hydrate")))]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn main() {
    console_error_panic_hook::set_once();
    // The mublog server this static build talks to, fixed when it is built:
    // `MUBLOG_SERVER_URL=https://mublog.example trunk build --release` (same origin if unset).
    if let Some(url) = option_env!("MUBLOG_SERVER_URL") {
        leptos::server_fn::client::set_server_url(url.trim_end_matches('/'));
    }
    leptos::mount::mount_to_body(app::App);
    mark_ready();
}

/// `<body data-hydrated>` tells tests (and curious humans) that the app is interactive.
fn mark_ready() {
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
