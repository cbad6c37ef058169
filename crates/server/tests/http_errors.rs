//! Every refusal is the API's error shape — `{"error": {"code", "message",
//! "request_id"}}` — whatever refused it: a malformed id in the path or a
//! malformed query, a method the route does not take, a body over the
//! limit, a route that does not exist.

mod common;

use common::http::{Response, Server, error_code};

fn assert_shaped(r: &Response, status: u16, code: &str) {
    assert_eq!((r.status, error_code(r)), (status, code), "{:?}", r.body);
    let id = r.header("x-request-id").expect("x-request-id");
    assert_eq!(r.body["error"]["request_id"], id, "{:?}", r.body);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[tokio::test]
async fn malformed_ids_queries_methods_and_bodies_are_refused_in_the_error_shape() {
    let s = Server::start().await;
    let seller = format!("{}={}", trigate_web::COOKIE, s.sessions.open(s.seller));
    let r = s
        .call(
            "GET",
            "/api/v1/orders/not-a-number",
            Some(&seller),
            &[],
            None,
        )
        .await;
    assert_shaped(&r, 400, "bad_request");
    let r = s
        .call("GET", "/api/v1/orders?limit=many", Some(&seller), &[], None)
        .await;
    assert_shaped(&r, 400, "bad_request");
    let r = s
        .call("DELETE", "/api/v1/orders", Some(&seller), &[], None)
        .await;
    assert_shaped(&r, 405, "method_not_allowed");
    let huge = format!("{{\"text\": \"{}\"}}", "K".repeat(100 * 1024));
    let r = s
        .call(
            "POST",
            "/api/v1/merchant/products/1/keys",
            Some(&seller),
            &[("idempotency-key", "big")],
            Some(&huge),
        )
        .await;
    assert_shaped(&r, 413, "payload_too_large");
    let r = s.call("GET", "/api/v1/nowhere", None, &[], None).await;
    assert_shaped(&r, 404, "not_found");
}

/// A payment no channel could ever take — a method none offers, a currency
/// or an amount none accepts — is the payer's to fix (422), refused before
/// any channel is tried; a payment one would take goes through.
#[tokio::test]
async fn payments_no_channel_takes_are_refused_before_any_channel_is_tried() {
    let common::sandbox::Shop { s, .. } = common::sandbox::shop().await;
    let (_, buyer) = s.sign_up("dora").await;
    let recharge = |body: &'static str| {
        s.call(
            "POST",
            "/api/v1/wallet/recharge",
            Some(&buyer),
            &[],
            Some(body),
        )
    };
    for (body, why) in [
        (
            r#"{"currency": "CNY", "amount": 100, "method": "alipay"}"#,
            "offers this method",
        ),
        (
            r#"{"currency": "USD", "amount": 100, "method": "card"}"#,
            "currency",
        ),
        (
            r#"{"currency": "CNY", "amount": 0, "method": "card"}"#,
            "amounts from 1",
        ),
        (r#"{"currency": "XX", "amount": 100, "method": "card"}"#, ""),
    ] {
        let r = recharge(body).await;
        assert_shaped(&r, 422, "invalid");
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(why), "{body}: {message}");
    }
    let r = recharge(r#"{"currency": "CNY", "amount": 100, "method": "card"}"#).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// A body sent as something other than JSON is refused as such (415), in
/// the error shape, before anything reads it.
#[tokio::test]
async fn a_body_that_is_not_json_is_refused_as_the_wrong_media_type() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Server::start().await;
    let body = "login=eve&password=correct+horse";
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let request = format!(
        "POST /api/v1/auth/register HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\
         content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, json) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 415"), "{head}");
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(json["error"]["code"], "unsupported_media_type", "{json}");
    assert!(json["error"]["request_id"].is_string(), "{json}");
}
