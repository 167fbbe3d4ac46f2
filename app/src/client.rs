//! The server-function client: the browser's fetch (through gloo-net), with the in-memory
//! access token as `Authorization: Bearer`, and with credentials, so the refresh cookie also
//! travels when the app runs on another origin than the server (the Trunk build).

use send_wrapper::SendWrapper;
use server_fn::client::{browser::BrowserClient, Client};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use server_fn::redirect::REDIRECT_HEADER;
use server_fn::request::browser::BrowserRequest;
use server_fn::response::ClientRes;
use server_fn::Bytes;
use std::cell::RefCell;
use std::future::Future;

// The access token lives in this module's memory only — never in storage or a readable cookie.
// The refresh token stays in its HttpOnly cookie, out of reach of scripts.
thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn access_token() -> Option<String> {
    ACCESS_TOKEN.with(|t| t.borrow().clone())
}

pub(crate) fn set_access_token(token: Option<String>) {
    ACCESS_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The `Authorization` header value while signed in: server functions ([`AuthClient`]) and
/// uploads send it.
pub(crate) fn bearer_header() -> Option<String> {
    access_token().map(|token| format!("Bearer {token}"))
}

pub struct AuthClient;

impl<E, IS, OS> Client<E, IS, OS> for AuthClient
where
    E: FromServerFnError,
    IS: FromServerFnError,
    OS: FromServerFnError,
{
    type Request = BrowserRequest;
    type Response = FetchResponse;

    fn send(req: Self::Request) -> impl Future<Output = Result<Self::Response, E>> + Send {
        SendWrapper::new(async move {
            let failed = |e: String| E::from_server_fn_error(ServerFnErrorErr::Request(e));
            // Rebuilt with credentials (server functions send text bodies, so the copy is exact).
            let (method, url) = (req.method(), req.url());
            let headers: Vec<(String, String)> = req.headers().entries().collect();
            let body = match method {
                gloo_net::http::Method::GET | gloo_net::http::Method::HEAD => None,
                _ => Some(req.text().await.map_err(|e| failed(e.to_string()))?),
            };
            let mut request = gloo_net::http::RequestBuilder::new(&url)
                .method(method)
                .credentials(web_sys::RequestCredentials::Include);
            for (name, value) in &headers {
                request = request.header(name, value);
            }
            if let Some(auth) = bearer_header() {
                request = request.header("Authorization", &auth);
            }
            let request = match body {
                Some(text) => request.body(text),
                None => request.build(),
            }
            .map_err(|e| failed(e.to_string()))?;
            let response = request.send().await.map_err(|e| failed(e.to_string()))?;
            Ok(FetchResponse(SendWrapper::new(response)))
        })
    }

    fn open_websocket(
        path: &str,
    ) -> impl Future<
        Output = Result<
            (
                impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + 'static,
                impl futures::Sink<Bytes> + Send + 'static,
            ),
            E,
        >,
    > + Send {
        <BrowserClient as Client<E, IS, OS>>::open_websocket(path)
    }

    fn spawn(future: impl Future<Output = ()> + Send + 'static) {
        <BrowserClient as Client<E, IS, OS>>::spawn(future)
    }
}

/// A fetch response, read as text or bytes (mublog's server functions never stream).
pub struct FetchResponse(SendWrapper<gloo_net::http::Response>);

impl<E: FromServerFnError> ClientRes<E> for FetchResponse {
    fn try_into_string(self) -> impl Future<Output = Result<String, E>> + Send {
        SendWrapper::new(async move {
            self.0
                .text()
                .await
                .map_err(|e| E::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string())))
        })
    }

    fn try_into_bytes(self) -> impl Future<Output = Result<Bytes, E>> + Send {
        SendWrapper::new(async move {
            self.0
                .binary()
                .await
                .map(Bytes::from)
                .map_err(|e| E::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string())))
        })
    }

    fn try_into_stream(
        self,
    ) -> Result<impl futures::Stream<Item = Result<Bytes, Bytes>> + Send + Sync + 'static, E> {
        Err::<futures::stream::Empty<Result<Bytes, Bytes>>, E>(E::from_server_fn_error(
            ServerFnErrorErr::Response("streaming responses are not used".into()),
        ))
    }

    fn status(&self) -> u16 {
        self.0.status()
    }

    fn status_text(&self) -> String {
        self.0.status_text()
    }

    fn location(&self) -> String {
        self.0.headers().get("Location").unwrap_or_else(|| self.0.url())
    }

    fn has_redirect(&self) -> bool {
        self.0.headers().get(REDIRECT_HEADER).is_some()
    }
}
