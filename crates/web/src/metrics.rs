//! Prometheus `/metrics`: requests by route and status with their latency,
//! and the writer's group size, commit latency and queue depth (recorded by
//! the engine through the `metrics` facade).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
                ])
                .unwrap_or_else(|_| PrometheusBuilder::new())
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder already installed (tests) keeps its place.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// `/metrics` on the shop's own listener: only for a client showing the
/// configured bearer token; without one configured it is not served there
/// (an operator serves it on a listener of its own instead).
pub async fn guarded(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    headers: axum::http::HeaderMap,
) -> Result<String, crate::ApiError> {
    use secrecy::ExposeSecret;
    use trigate_app::AppError;
    let Some(token) = &state.metrics_token else {
        return Err(crate::ApiError(AppError::NotFound(
            "/metrics is served here only with a configured token (TRIGATE_METRICS_TOKEN), \
             or on its own listener"
                .into(),
        )));
    };
    let shown = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if same(shown.as_bytes(), token.expose_secret().as_bytes()) {
        Ok(handle().render())
    } else {
        Err(crate::ApiError(AppError::Unauthenticated))
    }
}

/// Compares in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `/metrics` alone, open: for a listener only the operator reaches.
pub fn own_listener() -> axum::Router {
    handle();
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(|| async { handle().render() }),
    )
}

/// Counts and times every request by its route (not its raw path, so ids
/// do not explode the label set) and status.
pub async fn track(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let route = matched
        .as_ref()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let mut response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    if let Some(matched) = matched {
        response
            .extensions_mut()
            .insert(crate::trace::Route(matched));
    }
    let labels = [("route", route), ("method", method), ("status", status)];
    metrics::counter!("trigate_http_requests_total", &labels).increment(1);
    metrics::histogram!("trigate_http_request_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
