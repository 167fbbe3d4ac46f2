use leptos::prelude::*;

/// Where the choice is kept. Not a secret: the theme is the one thing mublog stores in the
/// browser.
const KEY: &str = "mublog-theme";

/// Light, dark, or the system's setting (the default). The choice is remembered and applied by
/// a tiny script in `<head>` before the first paint (see `THEME_BOOT`).
#[component]
pub fn ThemeToggle() -> impl IntoView {
    // `None` = follow the system. Read from the page once hydrated (effects run in the browser).
    let theme = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let stored = document().document_element().and_then(|root| root.get_attribute("data-theme"));
        theme.set(stored);
    });
    let next = move |_| {
        let chosen = match theme.get_untracked().as_deref() {
            None => Some("dark"),
            Some("dark") => Some("light"),
            _ => None,
        };
        let storage = window().local_storage().ok().flatten();
        if let Some(root) = document().document_element() {
            match chosen {
                Some(value) => {
                    let _ = root.set_attribute("data-theme", value);
                    storage.map(|s| s.set_item(KEY, value));
                }
                None => {
                    let _ = root.remove_attribute("data-theme");
                    storage.map(|s| s.remove_item(KEY));
                }
            }
        }
        theme.set(chosen.map(str::to_owned));
    };
    let label = move || match theme.get().as_deref() {
        Some("dark") => "Theme: dark",
        Some("light") => "Theme: light",
        _ => "Theme: system",
    };
    view! {
        <button class="icon" on:click=next aria-label=label title=label>
            <span aria-hidden="true">"◐"</span>
        </button>
    }
}
