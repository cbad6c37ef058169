//! The shop's pages over HTTP: languages, the security headers, CSRF
//! tokens, forms that come back with their errors, checkout paid from the
//! wallet (once, however often it is sent), guest lookup and its pass.

mod common;

use common::http::{Server, call};
use common::pages::Browser;
use serde_json::json;

#[tokio::test]
async fn the_store_speaks_chinese_by_default_and_english_when_asked() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    let zh = b.get("/").await;
    assert_eq!(zh.status, 200);
    assert!(zh.html.contains("<html lang=\"zh-CN\">"), "{}", zh.html);
    assert!(zh.html.contains("全部商品"));
    assert!(
        zh.html.contains("¥15.00"),
        "amounts carry their currency sign"
    );
    let en = call(
        s.addr,
        "GET",
        "/",
        None,
        &[("accept-language", "en-GB,en;q=0.9,zh;q=0.5")],
        None,
    )
    .await;
    let html = en.body.as_str().unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("All products"));
    b.lang = Some("en");
    let chosen = b.get("/").await;
    assert!(chosen.html.contains("All products"));
    assert!(!chosen.html.contains("[["), "no message is missing");
}

#[tokio::test]
async fn the_language_switcher_sets_the_cookie_and_goes_back_only_to_this_site() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    let r = b.get("/lang/en?back=%2Flookup").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/lookup"));
    assert!(r.header("set-cookie").unwrap().starts_with("lang=en"));
    for evil in [
        "https%3A%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "%2F%5Cevil",
        "%2F%09%2Fevil.example",
        "%2F%0Aevil",
        "%2F%20%2Fevil.example",
    ] {
        let r = b.get(&format!("/lang/zh-CN?back={evil}")).await;
        assert_eq!(r.status, 303, "{evil}");
        assert_eq!(r.header("location"), Some("/"), "{evil}");
    }
}

#[tokio::test]
async fn signing_in_goes_on_only_to_a_path_of_this_site() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.sign_up("wanderer").await;
    for (next, to) in [
        ("/wallet", "/wallet"),
        ("//evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/x", "/"),
        ("https://evil.example", "/"),
    ] {
        let form = b.get("/signin").await;
        let csrf = form.input("csrf");
        let fields = [
            ("csrf", csrf.as_str()),
            ("login", " wanderer "),
            ("password", "correct horse"),
            ("next", next),
        ];
        let r = b.post("/signin", &fields).await;
        assert_eq!(r.status, 303, "{next:?}: {}", r.html);
        assert_eq!(r.header("location"), Some(to), "{next:?}");
    }
}

#[tokio::test]
async fn pages_have_a_strict_policy_and_no_inline_script_or_style() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    for path in [
        "/",
        "/products/1",
        "/lookup",
        "/signin",
        "/signup",
        "/no-such-page",
    ] {
        let p = b.get(path).await;
        let csp = p.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        for needle in [
            "<script>",
            " style=",
            " onclick=",
            " onload=",
            "javascript:",
        ] {
            assert!(!p.html.contains(needle), "{path} has {needle}");
        }
    }
    // The title "Game <b>key</b>" is text, never markup.
    let product = b.get("/products/1").await;
    assert!(
        product.html.contains("Game &#60;b&#62;key&#60;/b&#62;"),
        "{}",
        product.html
    );
    assert!(!product.html.contains("<b>key"));
}

#[tokio::test]
async fn unknown_pages_are_the_shops_404_and_unknown_api_routes_stay_json() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    let page = b.get("/no-such-page").await;
    assert_eq!(page.status, 404);
    assert!(page.html.contains("页面不存在"), "{}", page.html);
    let product = b.get("/products/999").await;
    assert_eq!(product.status, 404);
    let api = s.call("GET", "/api/v1/nothing", None, &[], None).await;
    assert_eq!(api.status, 404);
    assert_eq!(api.body["error"]["code"], "not_found");
}

#[tokio::test]
async fn a_form_without_its_csrf_token_or_with_anothers_is_refused() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    let form = b.get("/lookup").await;
    let token = form.input("csrf");
    let missing = b
        .post("/lookup", &[("order", "1"), ("lookup_secret", "secret-1")])
        .await;
    assert_eq!(missing.status, 403);
    assert!(missing.html.contains("表单已过期"), "{}", missing.html);
    let mut other = Browser::new(&s);
    other.get("/lookup").await;
    let foreign = other
        .post(
            "/lookup",
            &[
                ("csrf", &token),
                ("order", "1"),
                ("lookup_secret", "secret-1"),
            ],
        )
        .await;
    assert_eq!(foreign.status, 403, "a token from another browser");
    let own = b
        .post(
            "/lookup",
            &[
                ("csrf", &token),
                ("order", "1"),
                ("lookup_secret", "secret-1"),
            ],
        )
        .await;
    assert_ne!(own.status, 403);
}

#[tokio::test]
async fn every_response_masks_its_csrf_token_afresh() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    let first = b.get("/lookup").await.input("csrf");
    let second = b.get("/lookup").await.input("csrf");
    assert_ne!(first, second);
    assert_eq!(first.len(), 128);
    // Both work: the secret behind them is one.
    for token in [first, second] {
        let r = b
            .post(
                "/lookup",
                &[
                    ("csrf", &token),
                    ("order", "x"),
                    ("lookup_secret", "secret-1"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
    }
}

#[tokio::test]
async fn a_bad_checkout_comes_back_with_its_errors_and_what_was_typed() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.lang = Some("en");
    let form = b.get("/products/1").await;
    let (csrf, key) = (form.input("csrf"), form.input("idempotency_key"));
    let r = b
        .post(
            "/checkout",
            &[
                ("csrf", &csrf),
                ("idempotency_key", &key),
                ("product", "1"),
                ("quantity", "nine"),
                ("coupon", "SPRING<sale>"),
                ("lookup_secret", "abc"),
                ("method", "carrier-pigeon"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.html);
    assert!(
        r.html.contains("Enter a whole number from 1 to 2."),
        "{}",
        r.html
    );
    assert!(r.html.contains("The lookup secret is 6 to 128 characters."));
    assert!(r.html.contains("Choose how to pay."));
    assert!(
        r.html.contains("value=\"nine\""),
        "the quantity typed is kept"
    );
    assert!(
        r.html.contains("value=\"SPRING&#60;sale&#62;\""),
        "the coupon typed is kept, escaped"
    );
    assert_eq!(
        r.input("idempotency_key"),
        key,
        "the same purchase on a retry"
    );
    let orders = s.call("GET", "/api/v1/products", None, &[], None).await;
    assert_eq!(
        orders.body["products"][0]["stock"], 3,
        "nothing was reserved"
    );
}

#[tokio::test]
async fn a_signed_in_buyer_pays_from_the_wallet_once_however_often_the_form_is_sent() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.sign_up("page-buyer").await;
    let me = s
        .call("GET", "/api/v1/me", Some(&b.cookie_header()), &[], None)
        .await;
    s.fund(me.body["id"].as_u64().unwrap(), 10_000).await;
    let form = b.get("/products/1").await;
    assert!(
        form.html.contains("value=\"balance\""),
        "the wallet is offered"
    );
    let fields = [
        ("csrf", form.input("csrf")),
        ("idempotency_key", form.input("idempotency_key")),
        ("product", "1".into()),
        ("quantity", "1".into()),
        ("method", "balance".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let first = b.post("/checkout", &fields).await;
    let second = b.post("/checkout", &fields).await;
    assert_eq!(first.status, 303, "{}", first.html);
    let to = first.header("location").unwrap().to_string();
    assert_eq!(
        second.header("location"),
        Some(to.as_str()),
        "a double click is one order"
    );
    let order = b.get(&to).await;
    assert_eq!(order.status, 200);
    let keys = ["AAAA-1111", "BBBB-2222", "CCCC-3333"];
    assert_eq!(
        keys.iter().filter(|k| order.html.contains(**k)).count(),
        1,
        "one key delivered: {}",
        order.html
    );
    let wallet = s
        .call("GET", "/api/v1/wallet", Some(&b.cookie_header()), &[], None)
        .await;
    assert_eq!(wallet.body["recharge"], 8_500, "{:?}", wallet.body);
    // Another browser, signed out, sees no key: it is sent to the lookup.
    let mut stranger = Browser::new(&s);
    let r = stranger.get(&to).await;
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().starts_with("/lookup?order="));
}

#[tokio::test]
async fn a_guest_finds_an_order_by_number_and_secret_and_only_so() {
    let s = Server::start().await;
    let body = json!({"product": 1, "quantity": 1, "lookup_secret": "tulip-velvet-42"}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/guest/orders",
            None,
            &[("idempotency-key", "g1")],
            Some(&body),
        )
        .await;
    let order = r.body["order"].as_u64().unwrap().to_string();
    let mut b = Browser::new(&s);
    let form = b.get(&format!("/lookup?order={order}")).await;
    assert_eq!(form.input("order"), order, "the number comes prefilled");
    let csrf = form.input("csrf");
    let wrong = b
        .post(
            "/lookup",
            &[
                ("csrf", &csrf),
                ("order", &order),
                ("lookup_secret", "not-the-secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 404, "{}", wrong.html);
    assert!(wrong.html.contains("id=\"form-error\""));
    assert_eq!(wrong.input("order"), order, "the number typed is kept");
    assert!(
        !b.cookies.contains_key("trigate_guest"),
        "no pass for a wrong secret"
    );
    let right = b
        .post(
            "/lookup",
            &[
                ("csrf", &csrf),
                ("order", &order),
                ("lookup_secret", "tulip-velvet-42"),
            ],
        )
        .await;
    assert_eq!(right.status, 303);
    assert_eq!(
        right.header("location"),
        Some(format!("/orders/{order}").as_str())
    );
    let page = b.get(&format!("/orders/{order}")).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("待支付"), "{}", page.html);
    assert!(
        page.html.contains("hx-get=\"/orders/"),
        "it follows the payment"
    );
    // The pass opens this order only.
    let other = b.get("/orders/999").await;
    assert_eq!(other.status, 303);
}
