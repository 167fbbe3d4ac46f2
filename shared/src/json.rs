//! JSON between the server and the browser, as server functions and the page's hydration data
//! carry it. In the browser, JSON is read by the browser's own `JSON.parse` and mapped onto the
//! Rust type by serde-wasm-bindgen: serde_json's reader, inlined once per type the browser
//! reads, was the largest part of the feed's WASM that was mublog's own choice (the first load
//! went from 267,620 to 257,107 bytes with brotli). Everything else, and writing everywhere,
//! is serde_json.

use serde::{de::DeserializeOwned, Serialize};

/// JSON that could not be read or written. Its text is the decoder's, for the logs.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(String);

/// `value` as JSON text.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, JsonError> {
    serde_json::to_string(value).map_err(|e| JsonError(e.to_string()))
}

/// A `T` read from JSON text.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    #[cfg(target_family = "wasm")]
    return serde_wasm_bindgen::from_value(parse(text)?).map_err(JsonError::from);
    #[cfg(not(target_family = "wasm"))]
    serde_json::from_str(text).map_err(|e| JsonError(e.to_string()))
}

/// The browser's `JSON.parse`. Not generic, so the WASM has it once, not once per type.
#[cfg(target_family = "wasm")]
fn parse(text: &str) -> Result<wasm_bindgen::JsValue, JsonError> {
    js_sys::JSON::parse(text).map_err(|_| JsonError("invalid JSON".to_owned()))
}

#[cfg(target_family = "wasm")]
impl From<serde_wasm_bindgen::Error> for JsonError {
    fn from(error: serde_wasm_bindgen::Error) -> Self {
        JsonError(error.to_string())
    }
}

/// The server-function encoding: JSON in a `POST` body, read as [`from_json`] reads.
#[cfg(feature = "server-fn")]
mod server_fn_codec {
    use super::{from_json, to_json, JsonError};
    use serde::{de::DeserializeOwned, Serialize};
    use server_fn::codec::Post;
    use server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};

    /// As server_fn's `JsonEncoding`, but parsed by the browser in the browser.
    pub struct JsonEncoding;

    /// For `#[server(input = Json, output = Json)]`.
    pub type Json = Post<JsonEncoding>;

    impl ContentType for JsonEncoding {
        const CONTENT_TYPE: &'static str = "application/json";
    }

    impl FormatType for JsonEncoding {
        const FORMAT_TYPE: Format = Format::Text;
    }

    impl<T: Serialize> Encodes<T> for JsonEncoding {
        type Error = JsonError;

        fn encode(value: &T) -> Result<Bytes, JsonError> {
            to_json(value).map(Bytes::from)
        }
    }

    impl<T: DeserializeOwned> Decodes<T> for JsonEncoding {
        type Error = JsonError;

        fn decode(bytes: Bytes) -> Result<T, JsonError> {
            let text = std::str::from_utf8(&bytes).map_err(|_| JsonError("JSON must be UTF-8".to_owned()))?;
            from_json(text)
        }
    }
}

#[cfg(feature = "server-fn")]
pub use server_fn_codec::{Json, JsonEncoding};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiError, ErrorCode};

    #[test]
    fn round_trips_and_refuses_what_is_not_json() {
        let error = ApiError::new(ErrorCode::NotFound, "gone");
        let text = to_json(&error).unwrap();
        assert_eq!(text, r#"{"code":"not_found","message":"gone"}"#);
        let back: ApiError = from_json(&text).unwrap();
        assert_eq!((back.code, back.message.as_str()), (ErrorCode::NotFound, "gone"));
        assert!(from_json::<ApiError>("{\"code\":").is_err());
        assert!(from_json::<ApiError>(r#"{"code":"no_such_code","message":"x"}"#).is_err());
    }
}
