use leptos::prelude::*;
use shared::{ApiError, ErrorCode};

#[component]
pub fn NotFound() -> impl IntoView {
    super::load_error(ApiError::new(ErrorCode::NotFound, "There is no page at this address."))
}
