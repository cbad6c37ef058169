//! Request ids and the request log: every request gets an id, returned in
//! `x-request-id` and in every error body, and one log line when it is
//! answered — method, route (its template, never the raw path or query,
//! which may carry a channel's signature), status, latency and the id.
//! Headers and bodies are never logged.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header a request's id is returned in.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: RequestId;
}

/// The route template a request matched (set by the metrics layer, read
/// here after the answer).
#[derive(Debug, Clone)]
pub(crate) struct Route(pub axum::extract::MatchedPath);

/// A request's id: a random prefix per process and a counter, so ids are
/// unique within a process and unlikely to repeat across restarts; shown
/// as 16 hex digits.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(u64);

impl RequestId {
    fn next() -> Self {
        static PREFIX: OnceLock<u64> = OnceLock::new();
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let prefix = *PREFIX.get_or_init(|| {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).unwrap_or_default();
            u64::from(u32::from_le_bytes(bytes)) << 32
        });
        Self(prefix | (NEXT.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff))
    }

    fn hex(self) -> [u8; 16] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 16];
        for (i, b) in out.iter_mut().enumerate() {
            *b = DIGITS[((self.0 >> (60 - 4 * i)) & 0xf) as usize];
        }
        out
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

/// The id of the request being answered, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(|id| id.to_string()).ok()
}

/// An error answered outside the handlers — a method the route does not
/// take, a request stopped by the timeout, a body over the limit, any
/// error without a body — in the API's error shape, or for a body over the
/// limit sent to a page (`page` holds its language headers) as the shop's
/// page; every other answer (pages, the channels' own plain-text
/// acknowledgements among them) as it is.
fn in_shape(response: Response, page: Option<&axum::http::HeaderMap>) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use trigate_app::AppError;
    let status = response.status();
    let html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        return response;
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE
        && let Some(headers) = page
    {
        return crate::pages::too_large_page(headers);
    }
    let outside = matches!(
        status,
        StatusCode::METHOD_NOT_ALLOWED
            | StatusCode::REQUEST_TIMEOUT
            | StatusCode::PAYLOAD_TOO_LARGE
    ) && !response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let bodiless = !response
        .headers()
        .contains_key(axum::http::header::CONTENT_TYPE);
    if status.as_u16() < 400 || !(outside || bodiless) {
        return response;
    }
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => AppError::Timeout,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::NOT_FOUND => AppError::NotFound("no such route".into()),
        StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
        StatusCode::TOO_MANY_REQUESTS => {
            AppError::RateLimited("too many requests; slow down and retry".into())
        }
        s if s.is_server_error() => AppError::Internal(format!("answered {s}")),
        s => AppError::BadRequest(format!("answered {s}")),
    };
    crate::ApiError(error).into_response()
}

/// Gives the request its id, answers it, and logs the answer.
pub async fn track(request: Request, next: Next) -> Response {
    let id = RequestId::next();
    let method = request.method().clone();
    let started = Instant::now();
    // A page's error is answered in the viewer's language.
    let path = request.uri().path();
    let api = ["/api/", "/pay/", "/sandbox", "/metrics"]
        .iter()
        .any(|p| path.starts_with(p));
    let page = (!api).then(|| {
        let mut headers = axum::http::HeaderMap::new();
        for name in [
            axum::http::header::COOKIE,
            axum::http::header::ACCEPT_LANGUAGE,
        ] {
            if let Some(v) = request.headers().get(&name) {
                headers.insert(name, v.clone());
            }
        }
        headers
    });
    let mut response = REQUEST_ID
        .scope(id, async {
            in_shape(next.run(request).await, page.as_ref())
        })
        .await;
    let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let status = response.status().as_u16();
    let route = response
        .extensions()
        .get::<Route>()
        .map_or("unmatched", |r| r.0.as_str());
    tracing::info!(
        target: "trigate::http",
        request_id = %id,
        method = %method,
        route,
        status,
        latency_us,
        "request"
    );
    if let Ok(value) = HeaderValue::from_bytes(&id.hex()) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}
