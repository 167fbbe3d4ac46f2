use crate::api::auth::{list_sessions, revoke_all_sessions, revoke_session};
use crate::session::use_session;
use crate::when;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::{ApiError, SessionId, SessionList};

/// `/settings/sessions`: every signed-in device, with per-device and everywhere sign-out.
/// Loaded in the browser: the list needs the in-memory access token.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0u32);
    let sessions = LocalResource::new(move || {
        version.track();
        async move { session.authed(list_sessions).await }
    });
    let problem = RwSignal::new(None::<ApiError>);

    let sign_out = move |id: SessionId| {
        session.run(problem, move || revoke_session(id), move |()| version.update(|v| *v += 1));
    };
    let everywhere = move |_| {
        session.run(problem, revoke_all_sessions, move |()| {
            session.signed_out();
            let _ = window().location().assign("/login");
        });
    };

    view! {
        <Title text="Signed-in devices" />
        <h1>"Signed-in devices"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) => device_list(list, sign_out).into_any(),
                    Err(e) if e.is_unauthenticated() => super::sign_in_first(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Suspense>
        <p class="error" role="alert">{move || problem.get().map(|e| e.message)}</p>
        <button class="danger" on:click=everywhere>"Sign out everywhere"</button>
    }
}

fn device_list(list: SessionList, sign_out: impl Fn(SessionId) + Copy + 'static) -> impl IntoView {
    let now = list.now;
    view! {
        <ul class="sessions">
            {list.sessions.into_iter().map(|s| {
                let agent = if s.user_agent.is_empty() { "Unknown device".to_owned() } else { s.user_agent.clone() };
                view! {
                    <li class="device" data-current=s.current.to_string()>
                        <p class="agent">{agent}</p>
                        <p class="notice">
                            "Signed in " <time datetime=when::iso(s.created_at)>{when::age(s.created_at, now)}</time>
                            " · last used " <time datetime=when::iso(s.last_used_at)>{when::age(s.last_used_at, now)}</time>
                            {s.current.then_some(" · this device")}
                        </p>
                        <button class="link danger" on:click=move |_| sign_out(s.id)>
                            {if s.current { "Sign out this device" } else { "Sign out" }}
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
