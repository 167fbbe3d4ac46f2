//! Extractors whose failures are [`RestError`]s in the one JSON shape, never axum's plain text.

use super::RestError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use domain::{Caller, Device, DomainError, Mublog};
use serde::de::DeserializeOwned;
use shared::{ApiError, ErrorCode, UserId};

/// A JSON body. Unknown fields and wrong types are refused with the reason.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => Err(json_rejection(rejection).into()),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON, with `Content-Type: application/json`.",
        ),
        JsonRejection::JsonDataError(e) => {
            ApiError::new(ErrorCode::Validation, format!("The JSON does not fit: {}", e.body_text()))
        }
        JsonRejection::JsonSyntaxError(e) => {
            ApiError::new(ErrorCode::BadRequest, format!("The body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::BytesRejection(_) => {
            ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
        }
        other => ApiError::new(ErrorCode::BadRequest, other.body_text()),
    }
}

/// A new post: JSON `{"body"}`, or `multipart/form-data` with a `body` field and an optional
/// `image` file (whose name and Content-Type are ignored: the bytes decide).
pub struct PostForm {
    pub body: String,
    pub image: Option<Vec<u8>>,
}

impl<S: Send + Sync> FromRequest<S> for PostForm {
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("multipart/form-data"));
        if !multipart {
            let Json(new) = Json::<shared::NewPost>::from_request(req, state).await?;
            return Ok(PostForm { body: new.body, image: None });
        }
        let mut form = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.body_text()))?;
        let (mut body, mut image) = (None, None);
        while let Some(field) = form.next_field().await.map_err(multipart_error)? {
            match field.name() {
                Some("body") => body = Some(field.text().await.map_err(multipart_error)?),
                Some("image") => image = Some(field.bytes().await.map_err(multipart_error)?.to_vec()),
                other => {
                    let name = other.unwrap_or_default().to_owned();
                    return Err(ApiError::new(
                        ErrorCode::Validation,
                        format!("Unknown form field `{name}`."),
                    )
                    .into());
                }
            }
        }
        let body = body.ok_or_else(|| {
            ApiError::validation(vec![shared::FieldError::new("body", "Write something first.")])
        })?;
        // An empty file input sends an empty part: no picture.
        Ok(PostForm { body, image: image.filter(|bytes| !bytes.is_empty()) })
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    match e.status() {
        http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(ErrorCode::PayloadTooLarge, "The upload is too large.")
        }
        _ => ApiError::new(ErrorCode::BadRequest, e.body_text()),
    }
}

/// Query-string parameters.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| ApiError::new(ErrorCode::BadRequest, e.body_text()).into())
    }
}

/// A numeric id in the path (`Id<PostId>`, `Id<UserId>`). Anything else cannot name a
/// resource: 404.
pub struct Id<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Id(p.0))
            .map_err(|_: PathRejection| ApiError::new(ErrorCode::NotFound, "No such resource.").into())
    }
}

/// The caller: the one the session proxy's gate proved, if any (see `session_proxy`); else
/// `None` without an `Authorization` header; any header that is not a valid bearer
/// access token is a 401 (never a silent downgrade to anonymous).
async fn caller(parts: &Parts, app: &Mublog) -> Result<Option<Caller>, RestError> {
    if let Some(proved) = parts.extensions.get::<Caller>() {
        return Ok(Some(*proved));
    }
    if !parts.headers.contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    let token = crate::client_addr::bearer(&parts.headers).ok_or(DomainError::Unauthenticated)?;
    Ok(Some(app.caller(token).await?))
}

/// The signed-in caller (who, from which sign-in, verified or not); 401 without a valid access
/// token. As `Option<AuthCaller>`: `None` without an `Authorization` header, still 401 for an
/// invalid one.
pub struct AuthCaller(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for AuthCaller
where
    Mublog: FromRef<S>,
{
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(AuthCaller(caller(parts, &Mublog::from_ref(state)).await?.ok_or(DomainError::Unauthenticated)?))
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for AuthCaller
where
    Mublog: FromRef<S>,
{
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(caller(parts, &Mublog::from_ref(state)).await?.map(AuthCaller))
    }
}

/// The caller if a token is sent (it must then be valid), or an anonymous reader.
pub struct Viewer(pub Option<UserId>);

impl<S: Send + Sync> FromRequestParts<S> for Viewer
where
    Mublog: FromRef<S>,
{
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Viewer(caller(parts, &Mublog::from_ref(state)).await?.map(|c| c.user())))
    }
}

/// The caller's device: its address (as `client_addr` decided it, for rate limits) and user agent.
pub struct ThisDevice(pub Device);

impl<S: Send + Sync> FromRequestParts<S> for ThisDevice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ThisDevice(crate::client_addr::device(&parts.extensions)))
    }
}
