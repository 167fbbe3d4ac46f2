//! The browser's session: who is signed in, and an access token kept fresh from the refresh
//! cookie. The token itself is held by [`crate::client`], which attaches it to every call.

use crate::api::auth::{current_user, logout, refresh};
use crate::api::resource::{load, Loaded};
use crate::client::{access_token, set_access_token};
use leptos::prelude::*;
use shared::{ApiError, AuthResponse, Me, UserId};
use std::future::Future;
use std::time::Duration;

/// Refresh this long before the access token expires, so calls never carry a stale one.
const REFRESH_MARGIN_SECS: i64 = 60;

/// Who is signed in. `initial` comes from the refresh cookie when the page is rendered (so the
/// server and the hydrating browser agree); `changed` records sign-in and sign-out after that.
#[derive(Clone, Copy)]
pub struct Session {
    pub initial: Loaded<Option<Me>>,
    changed: RwSignal<Option<Option<Me>>>,
    refresh_timer: StoredValue<Option<TimeoutHandle>>,
}

impl Session {
    pub fn provide() -> Self {
        let session = Session {
            initial: load(|| (), |_| current_user()),
            changed: RwSignal::new(None),
            refresh_timer: StoredValue::new(None),
        };
        provide_context(session);
        // Once hydrated, a visitor with a live cookie gets an access token (effects run only in
        // the browser). Anonymous visitors make no call at all, nor do those the session proxy
        // signed in: its session signs their calls, and mublog issues them no tokens.
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            match session.initial.get() {
                Some(Ok(Some(me))) if !me.proxied => {
                    leptos::task::spawn_local(async move {
                        session.refresh().await;
                    });
                    true
                }
                Some(Ok(Some(_))) => true,
                _ => false,
            }
        });
        session
    }

    pub fn user(&self) -> Option<Me> {
        match self.changed.get() {
            Some(user) => user,
            None => self.initial.get().and_then(Result::ok).flatten(),
        }
    }

    /// The signed-in user's id, read without copying the account (every post card asks).
    pub fn user_id(&self) -> Option<UserId> {
        let id = |user: &Option<Me>| user.as_ref().map(|me| me.id);
        match self.changed.with(|changed| changed.as_ref().map(id)) {
            Some(user) => user,
            None => self.initial.with(|initial| initial.as_ref().and_then(|r| r.as_ref().ok()).and_then(id)),
        }
    }

    pub fn user_untracked(&self) -> Option<Me> {
        match self.changed.get_untracked() {
            Some(user) => user,
            None => self.initial.get_untracked().and_then(Result::ok).flatten(),
        }
    }

    pub fn signed_in(&self, auth: AuthResponse) {
        set_access_token(Some(auth.access_token));
        self.changed.set(Some(Some(auth.user)));
        self.schedule_refresh(auth.expires_in);
    }

    /// The account changed (email verified, profile edited).
    pub fn updated(&self, me: Me) {
        self.changed.set(Some(Some(me)));
    }

    /// This browser's session ended on the server (password reset, signed out everywhere).
    pub fn signed_out(&self) {
        forget_stored_pages();
        set_access_token(None);
        self.changed.set(Some(None));
        if let Some(handle) = self.refresh_timer.get_value() {
            handle.clear();
        }
    }

    fn schedule_refresh(&self, expires_in: i64) {
        let session = *self;
        if let Some(handle) = self.refresh_timer.get_value() {
            handle.clear();
        }
        let wait = Duration::from_secs((expires_in - REFRESH_MARGIN_SECS).max(5) as u64);
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    session.refresh().await;
                })
            },
            wait,
        )
        .ok();
        self.refresh_timer.set_value(handle);
    }

    /// Trades the refresh cookie for a new access token. Returns whether the user is still
    /// signed in.
    pub async fn refresh(&self) -> bool {
        match refresh().await {
            Ok(auth) => {
                self.signed_in(auth);
                true
            }
            Err(e) => {
                if e.is_unauthenticated() {
                    self.signed_out();
                }
                false
            }
        }
    }

    pub async fn logout(&self) -> Result<(), ApiError> {
        let result = logout().await;
        self.signed_out();
        result
    }

    /// Runs an authenticated call. A 401 (an access token that expired while the tab slept, say)
    /// triggers one refresh and one retry.
    pub async fn authed<T, F, Fut>(&self, call: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        // Signed in from the cookie but the first refresh has not landed yet: get the token
        // first rather than provoke a 401.
        let from_cookie = self.user_untracked().is_some_and(|me| !me.proxied);
        if access_token().is_none() && from_cookie && !self.refresh().await {
            return call().await;
        }
        match call().await {
            Err(e) if e.is_unauthenticated() => {
                if self.refresh().await {
                    call().await
                } else {
                    Err(e)
                }
            }
            other => other,
        }
    }

    /// Runs [`Session::authed`] in the background: on success `problem` is cleared and `done`
    /// gets the answer; a refusal goes to `problem`, for the form to show.
    pub fn run<T, Fut>(
        self,
        problem: RwSignal<Option<ApiError>>,
        call: impl Fn() -> Fut + 'static,
        done: impl FnOnce(T) + 'static,
    ) where
        T: 'static,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        leptos::task::spawn_local(async move {
            match self.authed(call).await {
                Ok(answer) => {
                    problem.set(None);
                    done(answer);
                }
                Err(e) => problem.set(Some(e)),
            }
        });
    }
}

/// Asks the service worker to drop the pages and API answers it stored, so nothing read while
/// signed in is shown offline afterwards (see `server/src/sw.js`). Browser only.
fn forget_stored_pages() {
    #[cfg(not(feature = "ssr"))]
    if let Some(worker) = web_sys::window().and_then(|w| w.navigator().service_worker().controller()) {
        let _ = worker.post_message(&wasm_bindgen::JsValue::from_str("signed-out"));
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
