//! The admin dashboard over HTTP: the daily figures the shop recorded at
//! each day's end, charted on the page and answered by the API — to staff
//! who see the books, in both languages.

mod common;

use common::http::Server;
use common::pages::Browser;
use trigate_core::{AdminRole, Command, Reply};
use trigate_web::COOKIE;

const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

#[tokio::test]
async fn the_dashboard_charts_each_recorded_day_and_only_for_the_books_staff() {
    let s = Server::start().await;
    assert_eq!(
        s.engine.submit(Command::StartFigures).await.unwrap(),
        Reply::Done
    );
    let mut admin = Browser::new(&s);
    admin.lang = Some("en");
    admin
        .cookies
        .insert(COOKIE.into(), s.sessions.open(s.admin));
    let page = admin.get("/admin").await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("id=\"no-days\""), "{}", page.html);

    // Three days: one sale on the first, two on the second, none on the
    // third; each closed by the first tick after it ends.
    let (buyer, cookie) = s.sign_up("daily-buyer").await;
    s.fund(buyer, 100_000).await;
    for (day, sales) in [(0, 1), (1, 2), (2, 0)] {
        for n in 0..sales {
            s.buy_one(&cookie, 1, &format!("d{day}-{n}")).await;
        }
        s.advance(DAY);
        s.engine.submit(Command::Tick).await.unwrap();
    }
    let r = s
        .call(
            "GET",
            "/api/v1/admin/dashboard",
            Some(&format!("{COOKIE}={}", s.sessions.open(s.admin))),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let days = r.body["days"].as_array().unwrap();
    assert_eq!(days.len(), 3, "{:?}", r.body);
    let orders: Vec<u64> = days
        .iter()
        .map(|d| {
            d["currencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["orders"].as_u64().unwrap())
                .sum()
        })
        .collect();
    assert_eq!(orders, [1, 2, 0]);
    assert!(days[2]["currencies"][0]["balances"]["held"].is_i64());

    let page = admin.get("/admin").await;
    assert_eq!(page.status, 200);
    let chart = &page.html[page.html.find("id=\"chart-orders\"").unwrap()..];
    let chart = &chart[..chart.find("</figure>").unwrap()];
    assert_eq!(chart.matches("<rect").count(), 3, "{chart}");
    assert!(chart.contains("2 orders paid"), "{chart}");
    assert!(page.html.contains("id=\"chart-coverage-CNY\""));
    assert!(page.html.contains("id=\"chart-escrow-CNY\""));
    assert_eq!(
        page.html.matches("<tr><td>").count(),
        3,
        "the table has a row per day"
    );
    admin.lang = Some("zh-CN");
    assert!(admin.get("/admin").await.html.contains("每日已付款订单"));

    // Support staff and merchants are refused, page and API.
    let support = common::http::staff(&s, "helpdesk", AdminRole::Support).await;
    let mut b = Browser::new(&s);
    b.cookies.insert(COOKIE.into(), s.sessions.open(support));
    assert_eq!(b.get("/admin").await.status, 403);
    let r = s
        .call(
            "GET",
            "/api/v1/admin/dashboard",
            Some(&format!("{COOKIE}={}", s.sessions.open(s.seller))),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}
