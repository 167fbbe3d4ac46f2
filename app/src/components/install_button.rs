use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The browser's pending install offer (`BeforeInstallPromptEvent`). Browser-only state,
    /// so it lives here rather than in a signal the server would have to own.
    static OFFER: RefCell<Option<web_sys::Event>> = const { RefCell::new(None) };
}

/// "Install", shown only when the browser offers to install the app (`beforeinstallprompt`).
#[component]
pub fn InstallButton() -> impl IntoView {
    let offered = RwSignal::new(false);
    // Effects run in the browser only.
    Effect::new(move |_| {
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Keep the browser's own mini-infobar away; our button asks instead.
            event.prevent_default();
            OFFER.with(|offer| *offer.borrow_mut() = Some(event));
            offered.set(true);
        });
        let _ = window()
            .add_event_listener_with_callback("beforeinstallprompt", listener.as_ref().unchecked_ref());
        listener.forget(); // lives as long as the page
    });
    let install = move |_| {
        if let Some(event) = OFFER.with(|offer| offer.borrow_mut().take()) {
            // `BeforeInstallPromptEvent.prompt()` has no web-sys binding yet.
            if let Ok(prompt) = js_sys::Reflect::get(&event, &JsValue::from_str("prompt")) {
                if let Some(prompt) = prompt.dyn_ref::<js_sys::Function>() {
                    let _ = prompt.call0(&event);
                }
            }
        }
        offered.set(false);
    };
    view! {
        <Show when=move || offered.get()>
            <button class="link" on:click=install>"Install"</button>
        </Show>
    }
}
