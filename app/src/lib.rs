//! mublog's user interface. The same components render on the server (feature `ssr`), hydrate
//! in the browser (`hydrate`), or render entirely in the browser (`csr`, built by Trunk).
//! Depends on `shared`; on the server also on `domain`, the only way it reaches data. It never
//! depends on `server`, which mounts it.

pub mod api;
mod client;
mod components;
mod live;
mod pages;
pub mod session;
mod upload;
mod when;

#[cfg(feature = "hydrate")]
pub use components::composer::preload as preload_composer;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use components::nav::Nav;
use components::verify_banner::VerifyBanner;
use pages::{
    AdminAuditRoute, AdminHomeRoute, AdminJobsRoute, AdminPostsRoute, AdminRequestsRoute, AdminUserRoute,
    AdminUsersRoute, AuthorRoute, ForgotRoute, HomePage, LoginRoute, NotFound, OfflinePage, PostRoute,
    RegisterRoute, ResetRoute, SessionsRoute, SettingsRoute, VerifyRoute,
};
use session::Session;

/// Sets `<html data-theme>` from the stored choice, if any (`components::theme_toggle`).
const THEME_BOOT: &str =
    "try{var t=localStorage.getItem('mublog-theme');if(t)document.documentElement.dataset.theme=t}catch(e){}";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#5b5bd6" />
                <meta name="description" content="mublog: short posts, likes and a fast feed." />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Before first paint: apply a remembered light/dark choice, so there is no flash.
                <script nonce=leptos::nonce::use_nonce()>{THEME_BOOT}</script>
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                // The file name carries this build's hash (cargo-leptos `hash-files`).
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// A strict CSP for every page: scripts only from here and only with this response's nonce
/// (Leptos puts it on its hydration and data scripts), WASM allowed to compile, no plugins,
/// no framing, no `<base>` tricks.
#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &LeptosOptions) {
    use leptos::nonce::use_nonce;
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    // `cargo leptos watch` reloads the page through a websocket on the reload port.
    let reload = match options.env {
        leptos::config::Env::DEV => format!(" ws://*:{}", options.reload_port),
        leptos::config::Env::PROD => String::new(),
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();

    view! {
        <Title formatter=|page: String| if page.is_empty() { "mublog".to_owned() } else { format!("{page} · mublog") } />
        <Router>
            <Nav />
            <main>
                <VerifyBanner />
                // Async: pages are sent complete, so they read (and paginate) without JavaScript.
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/offline") view=OfflinePage />
                    // The rest load their code when first visited (`pages::lazy_page`).
                    <Route path=path!("/posts/:id") view={Lazy::<PostRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/u/:handle") view={Lazy::<AuthorRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} />
                    <Route path=path!("/register") view={Lazy::<RegisterRoute>::new()} />
                    <Route path=path!("/verify/:token") view={Lazy::<VerifyRoute>::new()} />
                    <Route path=path!("/forgot") view={Lazy::<ForgotRoute>::new()} />
                    <Route path=path!("/reset/:token") view={Lazy::<ResetRoute>::new()} />
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
                    <Route path=path!("/settings/sessions") view={Lazy::<SessionsRoute>::new()} />
                    // Staff only; async, so a refusal is answered with its status (401, 403).
                    <Route path=path!("/admin") view={Lazy::<AdminHomeRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<AdminUsersRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/:id") view={Lazy::<AdminUserRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/posts") view={Lazy::<AdminPostsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/requests") view={Lazy::<AdminRequestsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/jobs") view={Lazy::<AdminJobsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view={Lazy::<AdminAuditRoute>::new()} ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
