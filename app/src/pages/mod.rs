mod account_form;
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
#[cfg(not(feature = "csr"))]
use leptos_router::lazy_route;
use leptos_router::params::ParamsMap;
use leptos_router::LazyRoute;
use serde::{de::IntoDeserializer, Deserialize};
use shared::{ApiError, ErrorCode, FieldError};

/// A route whose page loads its code on first visit. Built with `cargo leptos build --split`,
/// each one's WASM is a chunk of its own, so the feed's first load carries only what the feed
/// needs. The server renders it like any page; the Trunk build
/// (`csr`), which cannot split, keeps it in its one module.
macro_rules! lazy_page {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[cfg(not(feature = "csr"))]
        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }

        #[cfg(feature = "csr")]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    LoginRoute => LoginPage,
    PostRoute => PostPage,
    AuthorRoute => AuthorPage,
    RegisterRoute => RegisterPage,
    VerifyRoute => VerifyPage,
    ForgotRoute => ForgotPage,
    ResetRoute => ResetPage,
    SettingsRoute => SettingsPage,
    SessionsRoute => SessionsPage,
    AdminHomeRoute => admin::AdminHome,
    AdminUsersRoute => admin::AdminUsersPage,
    AdminUserRoute => admin::AdminUserPage,
    AdminPostsRoute => admin::AdminPostsPage,
    AdminRequestsRoute => admin::AdminRequestsPage,
    AdminJobsRoute => admin::AdminJobsPage,
    AdminAuditRoute => admin::AdminAuditPage,
}

/// Awaited first in a page's `Suspend`: on the server, its view is then built once per render
/// instead of twice. Leptos renders a page by first "dry-resolving" it (running each reactive
/// view to find what it waits for) and dropping what that built, then building it again for
/// real; a `Suspend` whose data are already there was built in full in the dry run too, so the
/// feed made its 20 post cards twice per request (a quarter of a signed-in render's
/// instructions, `scripts/profile-page`). This answers "not yet" to the dry run's one poll and
/// "ready" to the render's. Nothing in these views reads a resource the dry run would have
/// had to find (they get their data as props). In the browser it does nothing.
async fn build_once_on_server() {
    #[cfg(feature = "ssr")]
    {
        let mut polled = false;
        std::future::poll_fn(move |cx| {
            if std::mem::replace(&mut polled, true) {
                std::task::Poll::Ready(())
            } else {
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await
    }
}

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

/// The refusal a form posted without JavaScript came back with (`?error=<code>&fields=…`, see
/// `server/src/forms.rs`), in words. Only codes and field names travel in the URL, so the
/// messages are this table's, never text from the request.
fn form_post_error(query: &ParamsMap) -> Option<ApiError> {
    let code = query.get("error")?;
    let code: Result<ErrorCode, serde::de::value::Error> =
        ErrorCode::deserialize(code.as_str().into_deserializer());
    let code = code.unwrap_or(ErrorCode::Internal);
    let message = match code {
        ErrorCode::InvalidCredentials => "Wrong email or password.",
        ErrorCode::RateLimited => "Too many attempts. Wait a little, then try again.",
        ErrorCode::Unavailable => "The server is busy. Try again in a moment.",
        ErrorCode::Forbidden => {
            "That was refused: the account is deactivated, or the form came from another site."
        }
        ErrorCode::Validation => "Please check the fields below.",
        ErrorCode::BadRequest => "That form could not be read. Please try again.",
        _ => "Something went wrong on our side. Please try again.",
    };
    let fields = query
        .get("fields")
        .unwrap_or_default()
        .split(',')
        .filter_map(|name| {
            let hint = match name {
                "email" => "Enter a valid email address.",
                "password" | "new_password" => {
                    "Use 8 to 128 characters, and not one of the most common passwords."
                }
                "display_name" => "Choose a shorter display name.",
                "token" => "This link is invalid, has expired or was already used. Ask for a new one.",
                _ => return None,
            };
            Some(FieldError::new(name, hint))
        })
        .collect();
    Some(ApiError { fields, ..ApiError::new(code, message) })
}
