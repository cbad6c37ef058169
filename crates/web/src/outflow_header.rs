//! While outflows are stopped, every answer says so: the
//! `Trigate-Outflows` header reads `stopped; reason=coverage` (or
//! `manual`), on every route, so every console shows it.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

/// The header's name.
pub const OUTFLOWS: &str = "trigate-outflows";

pub(super) async fn show(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(reason) = state.app.outflows_stopped().await {
        let value = match reason {
            "coverage" => "stopped; reason=coverage",
            _ => "stopped; reason=manual",
        };
        response
            .headers_mut()
            .insert(OUTFLOWS, HeaderValue::from_static(value));
    }
    response
}
