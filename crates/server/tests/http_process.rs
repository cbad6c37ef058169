//! `trigate serve` and `trigate demo` as real processes, and `/metrics`.

mod common;

use common::http::{Server, call};
use common::spawn;
use serde_json::json;
use tokio::process::Child;

/// Sends SIGTERM and expects a clean exit within ten seconds.
async fn stop(mut child: Child) {
    let pid = child.id().unwrap();
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("trigate stops on SIGTERM")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn serve_answers_health_checks_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (child, addr, _) = spawn(
        &["serve", "--listen", "127.0.0.1:0"],
        &[("TRIGATE_DATA_DIR", dir.path())],
    )
    .await;
    for path in ["/healthz", "/readyz"] {
        let r = call(addr, "GET", path, None, &[], None).await;
        assert_eq!(r.status, 200, "{path}: {:?}", r.body);
    }
    // The master key file was made on first start, private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    stop(child).await;
}

#[tokio::test]
async fn demo_serves_a_seeded_shop_a_buyer_can_buy_from() {
    let (child, addr, printed) = spawn(&["demo", "--listen", "127.0.0.1:0"], &[]).await;
    assert!(printed.contains("carol / demo-buyer-password"), "{printed}");
    let products = call(addr, "GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(products.status, 200);
    let list = products.body["products"].as_array().unwrap();
    // 20 keys, one sold to bob in the seeded sale that earns alice her
    // commission.
    assert!(
        list.iter()
            .any(|p| p["title"] == "Game activation key" && p["stock"] == 19),
        "{list:?}"
    );
    let store = call(addr, "GET", "/", None, &[], None).await;
    assert_eq!(store.status, 200);
    assert!(
        store.body.as_str().unwrap().contains("Game activation key"),
        "the storefront is served"
    );
    let login = json!({"login": "carol", "password": "demo-buyer-password"}).to_string();
    let r = call(addr, "POST", "/api/v1/auth/login", None, &[], Some(&login)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let order = json!({"product": 1, "quantity": 1}).to_string();
    let bought = call(
        addr,
        "POST",
        "/api/v1/orders",
        Some(&cookie),
        &[("idempotency-key", "demo-1")],
        Some(&order),
    )
    .await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    // The first key went to bob in the seeded sale.
    assert!(
        bought.body["keys"][0]
            .as_str()
            .unwrap()
            .starts_with("GAME-DEMO-0002"),
        "{:?}",
        bought.body
    );
    stop(child).await;
}

/// A server whose `/metrics` asks for the bearer token `metrics-token-1`.
async fn with_metrics_token() -> Server {
    Server::start_custom(common::TestDb::sqlite(), |_, state| {
        state.with_metrics_token(secrecy::SecretString::from("metrics-token-1"))
    })
    .await
}

#[tokio::test]
async fn metrics_are_served_only_with_a_configured_token() {
    let closed = Server::start().await;
    let r = closed.call("GET", "/metrics", None, &[], None).await;
    assert_eq!((r.status, common::http::error_code(&r)), (404, "not_found"));
    let s = with_metrics_token().await;
    for shown in [None, Some("Bearer wrong-token-00"), Some("metrics-token-1")] {
        let headers: Vec<(&str, &str)> = shown.map(|v| ("authorization", v)).into_iter().collect();
        let r = s.call("GET", "/metrics", None, &headers, None).await;
        assert_eq!(
            (r.status, common::http::error_code(&r)),
            (401, "unauthenticated"),
            "{shown:?}"
        );
    }
    let r = s
        .call(
            "GET",
            "/metrics",
            None,
            &[("authorization", "Bearer metrics-token-1")],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn metrics_count_requests_and_time_the_writer() {
    let s = with_metrics_token().await;
    s.call("GET", "/api/v1/products", None, &[], None).await;
    s.call("GET", "/api/v1/orders/7", None, &[], None).await;
    let r = s
        .call(
            "GET",
            "/metrics",
            None,
            &[("authorization", "Bearer metrics-token-1")],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let text = r.body.as_str().unwrap_or_default().to_string();
    for needle in [
        "trigate_http_requests_total{route=\"/api/v1/products\",method=\"GET\",status=\"200\"}",
        "route=\"/api/v1/orders/{id}\",method=\"GET\",status=\"401\"",
        "trigate_http_request_seconds_bucket",
        "trigate_writer_commit_seconds_bucket",
        "trigate_writer_group_commands",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[tokio::test]
async fn the_sandbox_gateway_runs_on_its_own_port() {
    let (child, addr, _) = spawn(
        &[
            "sandbox-gateway",
            "--listen",
            "127.0.0.1:0",
            "--merchant",
            "shop-1",
        ],
        &[("TRIGATE_SANDBOX_SECRET", std::path::Path::new("s3cret"))],
    )
    .await;
    let knobs = common::http::call(addr, "GET", "/knobs", None, &[], None).await;
    assert_eq!(knobs.status, 200);
    assert_eq!(knobs.body["outage"], false);
    let unsigned = common::http::call(
        addr,
        "POST",
        "/api/create",
        None,
        &[],
        Some("merchant=shop-1"),
    )
    .await;
    assert_eq!(unsigned.body["code"], "bad_signature");
    let page = common::http::call(addr, "GET", "/checkout/SB0000000001", None, &[], None).await;
    assert_eq!(page.status, 404);
    stop(child).await;
}
