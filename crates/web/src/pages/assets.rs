//! The pages' static files, compiled into the binary: the stylesheet, the
//! site's own script and htmx (vendored; no CDN). Each is compressed once
//! and served with a long cache life; pages link them with a version taken
//! from their content, so a new build is fetched anew.

use std::io::Write;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const HTMX: &str = "htmx-2.0.11.min.js";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    gzip: Vec<u8>,
    version: String,
}

fn asset(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Served plain when compressing would not make it smaller.
    let gzip = match encoder.write_all(body).and_then(|()| encoder.finish()) {
        Ok(gzip) if gzip.len() < body.len() => gzip,
        _ => Vec::new(),
    };
    // FNV-1a of the content: enough to tell builds apart.
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    Asset {
        name,
        content_type,
        body,
        gzip,
        version: format!("{:08x}", hash as u32),
    }
}

static ASSETS: LazyLock<[Asset; 4]> = LazyLock::new(|| {
    [
        asset(
            "site.css",
            "text/css; charset=utf-8",
            include_bytes!("../../static/site.css"),
        ),
        asset(
            "site.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../static/site.js"),
        ),
        asset(
            "favicon.svg",
            "image/svg+xml",
            include_bytes!("../../static/favicon.svg"),
        ),
        asset(
            HTMX,
            "text/javascript; charset=utf-8",
            include_bytes!("../../static/htmx-2.0.11.min.js"),
        ),
    ]
});

/// The URL of the static file `name`, with its version.
pub fn url(name: &str) -> String {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => format!("/static/{}?v={}", a.name, a.version),
        None => format!("/static/{name}"),
    }
}

/// The compressed size of every static file a page loads.
pub fn compressed_total() -> usize {
    ASSETS.iter().map(|a| a.gzip.len()).sum()
}

/// Browsers ask for `/favicon.ico` on pages that name none (the sandbox
/// gateway's): the same icon.
pub(super) async fn favicon(headers: HeaderMap) -> Response {
    asset_route(Path("favicon.svg".into()), headers).await
}

pub(super) async fn asset_route(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let common = [
        (header::CONTENT_TYPE, a.content_type),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::VARY, "accept-encoding"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    if gzip && !a.gzip.is_empty() {
        (common, [(header::CONTENT_ENCODING, "gzip")], a.gzip.clone()).into_response()
    } else {
        (common, a.body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_versioned_by_its_content_and_compresses() {
        for a in ASSETS.iter() {
            assert!(
                !a.gzip.is_empty() && a.gzip.len() < a.body.len(),
                "{}",
                a.name
            );
            assert!(url(a.name).ends_with(&a.version));
        }
        assert!(compressed_total() < 40 * 1024, "{}", compressed_total());
    }
}
