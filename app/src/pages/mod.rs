pub mod admin;
mod author;
mod forgot;
mod home;
mod login;
mod not_found;
mod offline;
mod post;
mod register;
mod reset;
mod sessions;
mod settings;
mod verify;

pub use author::AuthorPage;
pub use forgot::ForgotPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use offline::OfflinePage;
pub use post::PostPage;
pub use register::RegisterPage;
pub use reset::ResetPage;
pub use sessions::SessionsPage;
pub use settings::SettingsPage;
pub use verify::VerifyPage;

use leptos::prelude::*;
use shared::{ApiError, ErrorCode};

/// A failed page load. On the server it also sets the response status, so a missing post is a
/// real 404 and not a 200 that says "not found".
fn load_error(error: ApiError) -> AnyView {
    set_status(error.code);
    let title = match error.code {
        ErrorCode::NotFound => "Not found",
        _ => "Something went wrong",
    };
    view! {
        <section class="problem">
            <h1>{title}</h1>
            <p role="alert">{error.message}</p>
            <p><a href="/">"Back to the feed"</a></p>
        </section>
    }
    .into_any()
}

/// On the server, answers the page with the status of `code`; in the browser, nothing.
fn set_status(code: ErrorCode) {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code.http_status()) {
            options.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// What account pages show to a visitor who is not signed in.
fn sign_in_first() -> AnyView {
    view! {
        <section class="problem">
            <h1>"Sign in first"</h1>
            <p><a href="/login">"Sign in"</a> " to see this page."</p>
        </section>
    }
    .into_any()
}

/// The message for one form field from the last refusal, as a reactive view.
fn field_error(problem: RwSignal<Option<ApiError>>, name: &'static str) -> impl Fn() -> Option<String> {
    move || problem.get().and_then(|e| e.field(name).map(str::to_owned))
}
