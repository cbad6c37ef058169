//! While outflows are stopped, every answer says so: the
//! `Trigate-Outflows` header reads `stopped; reason=coverage` (or
//! `manual`), on every route, so every console shows it.

use std::sync::Arc;

use axum::http::HeaderValue;
use axum::response::Response;
use trigate_app::OutflowFlag;

/// The header's name.
pub const OUTFLOWS: &str = "trigate-outflows";

pub(super) async fn show(flag: Arc<OutflowFlag>, mut response: Response) -> Response {
    if let Some(reason) = flag.stopped() {
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
