use crate::api::auth::{change_password, update_profile};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{ApiError, ChangePasswordRequest, Me, UpdateMe};

/// `/settings`: the profile (names, handle) and the password.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Settings" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let _ = session.initial.await;
                // Untracked: saving the profile updates the session, and must not rebuild the
                // forms (and lose their "saved" notes).
                match session.user_untracked() {
                    Some(me) => view! {
                        <h1>"Settings"</h1>
                        <ProfileForm me />
                        <PasswordForm />
                        <p><a href="/settings/sessions">"Your signed-in devices"</a></p>
                    }.into_any(),
                    None => super::sign_in_first(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileForm(me: Me) -> impl IntoView {
    let session = use_session();
    let first_name = RwSignal::new(me.first_name.clone());
    let last_name = RwSignal::new(me.last_name.clone());
    let handle = RwSignal::new(me.handle.clone());
    let display_name = RwSignal::new(me.display_name.clone());
    let problem = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let field = move |name: &'static str| super::field_error(problem, name);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let changes = UpdateMe {
            display_name: Some(display_name.get_untracked()),
            handle: Some(handle.get_untracked()),
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
        };
        saved.set(false);
        session.run(
            problem,
            move || update_profile(changes.clone()),
            move |me| {
                saved.set(true);
                session.updated(me);
            },
        );
    };

    view! {
        <form class="settings" method="post" on:submit=submit aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <Show when=move || !session.user().is_some_and(|me| me.profile_complete())>
                <p class="notice">"Add your first and last name to finish setting up your profile."</p>
            </Show>
            <label>"First name" <input name="first_name" autocomplete="given-name" bind:value=first_name /></label>
            <p class="error">{field("first_name")}</p>
            <label>"Last name" <input name="last_name" autocomplete="family-name" bind:value=last_name /></label>
            <p class="error">{field("last_name")}</p>
            <label>"Handle " <small>"(your page is /u/handle)"</small>
                <input name="handle" autocomplete="username" bind:value=handle />
            </label>
            <p class="error">{field("handle")}</p>
            <label>"Display name" <input name="display_name" autocomplete="nickname" bind:value=display_name /></label>
            <p class="error">{field("display_name")}</p>
            <p class="error" role="alert">{move || problem.get().filter(|e| e.fields.is_empty()).map(|e| e.message)}</p>
            <Show when=move || saved.get()><p class="notice" role="status">"Profile saved."</p></Show>
            <button type="submit">"Save profile"</button>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let sign_out_others = RwSignal::new(true);
    let problem = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let field = move |name: &'static str| super::field_error(problem, name);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
            sign_out_other_devices: sign_out_others.get_untracked(),
        };
        saved.set(false);
        session.run(
            problem,
            move || change_password(req.clone()),
            move |()| {
                current.set(String::new());
                new.set(String::new());
                saved.set(true);
            },
        );
    };

    view! {
        <form class="settings" method="post" on:submit=submit aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <label>"Current password"
                <input type="password" name="current_password" autocomplete="current-password" required bind:value=current />
            </label>
            <p class="error">{field("current_password")}</p>
            <label>"New password"
                <input type="password" name="new_password" autocomplete="new-password" required bind:value=new />
            </label>
            <p class="error">{field("new_password")}</p>
            <label class="check">
                <input type="checkbox" name="sign_out_other_devices" bind:checked=sign_out_others />
                "Sign out my other devices"
            </label>
            <p class="error" role="alert">{move || problem.get().filter(|e| e.fields.is_empty()).map(|e| e.message)}</p>
            <Show when=move || saved.get()><p class="notice" role="status">"Password changed."</p></Show>
            <button type="submit">"Change password"</button>
        </form>
    }
}
