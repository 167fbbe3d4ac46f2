//! Data a page loads on the server and hands to the browser inside the HTML.
//!
//! Leptos's default resource codec decodes with `serde_json::from_str`, server functions with
//! `serde_json::from_slice`: two readers, so the WASM carried two JSON decoders for every type
//! a page loads. [`Json`] decodes from bytes as server functions do, so each type has one.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use shared::ApiError;
use std::future::Future;

/// JSON in the page, read with the decoder server functions already use.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(encoded.as_bytes())
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
