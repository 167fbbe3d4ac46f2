//! How the account pages (sign in, register, forgot, reset) submit: one Leptos [`Action`] per
//! form. The form posts to the server by itself until the page is hydrated; after that, a
//! submit sends the server function instead and the page shows the outcome in place.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::ApiError;
use std::future::Future;

/// A form's submission: busy while it runs, and the refusal it came back with, if any.
pub struct AccountForm<Req: Send + Sync + 'static> {
    action: Action<Req, ()>,
    /// Starts as the refusal of a form posted without JavaScript (`?error=…`).
    pub problem: RwSignal<Option<ApiError>>,
}

impl<Req: Send + Sync + 'static> Clone for AccountForm<Req> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Req: Send + Sync + 'static> Copy for AccountForm<Req> {}

impl<Req: Clone + Send + Sync + 'static> AccountForm<Req> {
    /// `send` makes the request; `done` takes a successful answer.
    pub fn new<Res, Answer>(
        send: impl Fn(Req) -> Answer + Send + Sync + 'static,
        done: impl Fn(Res) + Clone + Send + Sync + 'static,
    ) -> Self
    where
        Answer: Future<Output = Result<Res, ApiError>> + Send + 'static,
        Res: Send + 'static,
    {
        let problem = RwSignal::new(super::form_post_error(&use_query_map().read_untracked()));
        // `Action::new`, not `new_local`/`new_unsync`: those wrap the closure in a
        // `SendWrapper`, which panics when a server-side render drops it on another thread.
        let action = Action::new(move |req: &Req| {
            let (answer, done) = (send(req.clone()), done.clone());
            async move {
                match answer.await {
                    Ok(res) => {
                        problem.set(None);
                        done(res);
                    }
                    Err(e) => problem.set(Some(e)),
                }
            }
        });
        AccountForm { action, problem }
    }

    /// While the request runs (the submit button is disabled meanwhile).
    pub fn busy(self) -> Memo<bool> {
        self.action.pending()
    }

    /// The form's submit handler: sends `request()` instead of letting the browser post.
    pub fn on_submit(self, request: impl Fn() -> Req + 'static) -> impl Fn(SubmitEvent) + 'static {
        move |ev: SubmitEvent| {
            ev.prevent_default();
            self.action.dispatch(request());
        }
    }

    /// The message for one field from the last refusal, as a reactive view.
    pub fn field(self, name: &'static str) -> impl Fn() -> Option<String> {
        super::field_error(self.problem, name)
    }
}
