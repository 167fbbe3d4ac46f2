//! The router's one state. Each handler extracts only the part it reads (`State<Mublog>`,
//! `State<LeptosOptions>`, …): axum's `FromRef` hands it out.

use axum::extract::FromRef;
use domain::Mublog;
use leptos::config::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub mublog: Mublog,
    pub graphql: crate::graphql::MublogSchema,
    pub outbox: crate::dev_mail::Outbox,
    pub metrics_token: crate::metrics::MetricsToken,
    pub service_worker: crate::pwa::ServiceWorker,
}
