use crate::api::auth::{change_password, organizations, update_profile};
use crate::api::resource::load;
use crate::session::{use_session, Session};
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{ApiError, ChangePasswordRequest, Me, Organization, UpdateMe};
use std::future::Future;

/// `/settings`: the profile (names, handle) and the password; behind the DjaoDjin proxy, which
/// handles passwords and devices, the organizations its session gives roles on instead.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let proxied = load(|| (), |_| organizations());
    view! {
        <Title text="Settings" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let _ = session.initial.await;
                let proxied = proxied.await.ok().flatten();
                // Untracked: saving the profile updates the session, and must not rebuild the
                // forms (and lose their "saved" notes).
                match session.user_untracked() {
                    Some(me) => {
                        let account = match proxied {
                            Some(organizations) => view! { <Organizations organizations /> }.into_any(),
                            None => view! {
                                <PasswordForm />
                                <p><a href="/settings/sessions">"Your signed-in devices"</a></p>
                            }.into_any(),
                        };
                        view! { <h1>"Settings"</h1> <ProfileForm me /> {account} }.into_any()
                    }
                    None => super::sign_in_first(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Organizations(organizations: Vec<Organization>) -> impl IntoView {
    let none = organizations.is_empty().then(|| view! { <p>"None yet."</p> });
    let items = organizations
        .into_iter()
        .map(|o| {
            let plans = (!o.plans.is_empty()).then(|| format!(" · plans: {}", o.plans.join(", ")));
            view! { <li><strong>{o.printable_name}</strong>" — "{o.roles.join(", ")}{plans}</li> }
        })
        .collect_view();
    view! {
        <section class="settings" aria-labelledby="organizations-heading">
            <h2 id="organizations-heading">"Organizations"</h2>
            {none}
            <ul class="organizations">{items}</ul>
        </section>
    }
}

#[component]
fn ProfileForm(me: Me) -> impl IntoView {
    let session = use_session();
    let first_name = RwSignal::new(me.first_name.clone());
    let last_name = RwSignal::new(me.last_name.clone());
    let handle = RwSignal::new(me.handle.clone());
    let display_name = RwSignal::new(me.display_name.clone());
    let form = SettingsForm::new();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes = UpdateMe {
            display_name: Some(display_name.get_untracked()),
            handle: Some(handle.get_untracked()),
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
        };
        form.save(move || update_profile(changes.clone()), move |me| session.updated(me));
    };

    view! {
        <form class="settings" method="post" on:submit=submit aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <Show when=move || !session.user().is_some_and(|me| me.profile_complete())>
                <p class="notice">"Add your first and last name to finish setting up your profile."</p>
            </Show>
            <label>"First name" <input name="first_name" autocomplete="given-name" bind:value=first_name /></label>
            <p class="error">{form.field("first_name")}</p>
            <label>"Last name" <input name="last_name" autocomplete="family-name" bind:value=last_name /></label>
            <p class="error">{form.field("last_name")}</p>
            <label>"Handle " <small>"(your page is /u/handle)"</small>
                <input name="handle" autocomplete="username" bind:value=handle />
            </label>
            <p class="error">{form.field("handle")}</p>
            <label>"Display name" <input name="display_name" autocomplete="nickname" bind:value=display_name /></label>
            <p class="error">{form.field("display_name")}</p>
            {form.outcome("Profile saved.")}
            <button type="submit">"Save profile"</button>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let sign_out_others = RwSignal::new(true);
    let form = SettingsForm::new();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
            sign_out_other_devices: sign_out_others.get_untracked(),
        };
        form.save(
            move || change_password(req.clone()),
            move |()| {
                current.set(String::new());
                new.set(String::new());
            },
        );
    };

    view! {
        <form class="settings" method="post" on:submit=submit aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <label>"Current password"
                <input type="password" name="current_password" autocomplete="current-password" required bind:value=current />
            </label>
            <p class="error">{form.field("current_password")}</p>
            <label>"New password"
                <input type="password" name="new_password" autocomplete="new-password" required bind:value=new />
            </label>
            <p class="error">{form.field("new_password")}</p>
            <label class="check">
                <input type="checkbox" name="sign_out_other_devices" bind:checked=sign_out_others />
                "Sign out my other devices"
            </label>
            {form.outcome("Password changed.")}
            <button type="submit">"Change password"</button>
        </form>
    }
}

/// What a settings form shows besides its fields: the last refusal and whether the last save
/// went through.
#[derive(Clone, Copy)]
struct SettingsForm {
    session: Session,
    problem: RwSignal<Option<ApiError>>,
    saved: RwSignal<bool>,
}

impl SettingsForm {
    fn new() -> Self {
        SettingsForm { session: use_session(), problem: RwSignal::new(None), saved: RwSignal::new(false) }
    }

    /// Sends the form with `call` (signed in, see [`Session::run`]); `done` gets the answer.
    fn save<T, Fut>(self, call: impl Fn() -> Fut + 'static, done: impl FnOnce(T) + 'static)
    where
        T: 'static,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        self.saved.set(false);
        self.session.run(self.problem, call, move |answer| {
            done(answer);
            self.saved.set(true);
        });
    }

    fn field(self, name: &'static str) -> impl Fn() -> Option<String> {
        super::field_error(self.problem, name)
    }

    /// The refusal that names no field, or `saved` once the last save went through.
    fn outcome(self, saved: &'static str) -> impl IntoView {
        view! {
            <p class="error" role="alert">{move || self.problem.get().filter(|e| e.fields.is_empty()).map(|e| e.message)}</p>
            <Show when=move || self.saved.get()><p class="notice" role="status">{saved}</p></Show>
        }
    }
}
