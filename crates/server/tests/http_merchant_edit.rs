//! A merchant edits a product from the console: the form filled from the
//! product, a bad field back with what was typed, another merchant's
//! product not found, and the storefront showing the new price.

mod common;

use common::http::Server;
use common::pages::Browser;
use trigate_web::COOKIE;

#[tokio::test]
async fn a_merchant_edits_its_product_and_the_storefront_shows_it() {
    let s = Server::start().await;
    let mut b = Browser::new(&s);
    b.lang = Some("en");
    b.cookies.insert(COOKIE.into(), s.sessions.open(s.seller));
    let form = b.get("/merchant/products/1/edit").await;
    assert_eq!(form.status, 200, "{}", form.html);
    let title = form.input("title");
    assert!(!title.is_empty());
    let csrf = form.input("csrf");
    let fields = |price: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", "Edited title".to_string()),
            ("price", price.to_string()),
            ("min", "1".to_string()),
            ("max", "4".to_string()),
            ("tiers", "3=1.00".to_string()),
            ("delivery", "keys".to_string()),
            ("l1", "1.50".to_string()),
            ("l2", "0".to_string()),
        ]
    };
    let post = |f: &Vec<(&'static str, String)>| {
        f.iter()
            .map(|(n, v)| (*n, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    let bad = post(&fields("twelve"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let refused = b.post("/merchant/products/1/edit", &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("value=\"twelve\""));
    let good = post(&fields("12.34"));
    let good: Vec<(&str, &str)> = good.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let saved = b.post("/merchant/products/1/edit", &good).await;
    assert_eq!(saved.status, 303, "{}", saved.html);
    let catalog = s.call("GET", "/api/v1/products", None, &[], None).await;
    let product = &catalog.body["products"][0];
    assert_eq!(product["title"], "Edited title", "{product:?}");
    assert_eq!(product["price"], 1234);
    // Another merchant's product is not this merchant's to edit.
    assert_eq!(b.get("/merchant/products/2/edit").await.status, 404);
    let other = b.post("/merchant/products/2/edit", &good).await;
    assert_eq!(other.status, 404, "{}", other.html);
}
