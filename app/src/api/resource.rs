//! Data a page loads on the server and hands to the browser inside the HTML, encoded as
//! server functions encode their answers (`shared::json`), so the browser reads both alike.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use shared::json::{from_json, to_json, JsonError};
use shared::ApiError;
use std::future::Future;

/// JSON in the page, read as server functions' answers are.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = JsonError;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, JsonError> {
        to_json(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = JsonError;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, JsonError> {
        from_json(encoded)
    }
}

/// A server function's answer, loaded while the page renders and reloaded when `source` changes.
pub type Loaded<T> = Resource<Result<T, ApiError>, Json>;

/// [`Resource::new`] with the [`Json`] codec.
#[track_caller]
pub fn load<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}
