//! Custody over the API: a loss finance books breaks coverage, outflows
//! stop on their own (each outflow route refused with `outflows_stopped`)
//! while buyers still pay and get their keys; a custody top-up approved by
//! a second member of finance restores coverage, and two different admins
//! lift the stop.

mod common;

use common::http::{Server, error_code, staff};
use serde_json::json;
use trigate_core::AdminRole;

#[tokio::test]
async fn a_booked_loss_stops_outflows_until_a_top_up_and_two_admins_lift_it() {
    let s = Server::start().await;
    let session = |id| format!("{}={}", trigate_web::COOKIE, s.sessions.open(id));
    let fin1 = session(staff(&s, "fin1", AdminRole::Finance).await);
    let fin2 = session(staff(&s, "fin2", AdminRole::Finance).await);
    let admin1 = session(s.admin);
    let admin2 = session(staff(&s, "root2", AdminRole::Admin).await);
    let post = |path: &'static str, cookie: String, key: &'static str, body: serde_json::Value| {
        let s = &s;
        async move {
            let headers: Vec<(&str, &str)> = if key.is_empty() {
                vec![]
            } else {
                vec![("idempotency-key", key)]
            };
            s.call(
                "POST",
                path,
                Some(&cookie),
                &headers,
                Some(&body.to_string()),
            )
            .await
        }
    };

    let r = s
        .call("GET", "/api/v1/admin/custody", Some(&admin1), &[], None)
        .await;
    assert_eq!(
        (r.status, &r.body["outflows"]),
        (200, &json!("running")),
        "{:?}",
        r.body
    );

    let loss = json!({"currency": "CNY", "amount": 1, "note": "a payout paid twice"});
    let r = post("/api/v1/admin/losses", fin1.clone(), "loss", loss).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (&r.body["outflows"], &r.body["stop"]["reason"]),
        (&json!("stopped"), &json!("coverage")),
        "{:?}",
        r.body
    );
    assert_eq!(r.body["losses"], json!([{"currency": "CNY", "amount": 1}]));
    // A sweep is refused with the rest, by its own route.
    let sweep = json!({"currency": "CNY", "amount": 1});
    let r = post("/api/v1/admin/sweeps", fin1.clone(), "sweep", sweep).await;
    assert_eq!(
        (r.status, &r.body["error"]["code"]),
        (409, &json!("outflows_stopped")),
        "{:?}",
        r.body
    );

    // Buyers still pay and get their keys.
    let (buyer, cookie) = s.sign_up("buyer").await;
    // Every answer says outflows are stopped (read at most a quarter of a
    // second late), the buyer's too.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let r = s.call("GET", "/api/v1/me", Some(&cookie), &[], None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("trigate-outflows"),
        Some("stopped; reason=coverage")
    );
    s.fund(buyer, 10_000).await;
    let bought = s.buy_one(&cookie, 1, "buy").await;
    assert_eq!(bought.body["status"], "delivered", "{:?}", bought.body);
    // Money leaving is refused, by its own route.
    let order = bought.body["order"].as_u64().unwrap();
    let seller = session(s.seller);
    let r = s
        .call(
            "POST",
            &format!("/api/v1/orders/{order}/refund"),
            Some(&seller),
            &[("idempotency-key", "r")],
            Some(&json!({"amount": 100, "to_channel": false}).to_string()),
        )
        .await;
    assert_eq!(
        r.status, 200,
        "a refund to the wallet moves nothing out: {:?}",
        r.body
    );

    // Lifting while coverage fails is refused.
    let r = post(
        "/api/v1/admin/outflows/lift",
        admin1.clone(),
        "",
        json!(null),
    )
    .await;
    assert_eq!((r.status, error_code(&r)), (422, "invalid"), "{:?}", r.body);
    // A custody top-up, four eyes.
    let r = post(
        "/api/v1/admin/custody/top-ups",
        fin1.clone(),
        "top",
        json!({"currency": "CNY", "amount": 1}),
    )
    .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let approve = format!("/api/v1/admin/approvals/{}/approve", r.body["approval"]);
    let r = s
        .call(
            "POST",
            &approve,
            Some(&fin2),
            &[("idempotency-key", "a")],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = s
        .call("GET", "/api/v1/admin/custody", Some(&fin1), &[], None)
        .await;
    assert_eq!(r.body["coverage"][0]["surplus"], json!(0), "{:?}", r.body);
    assert_eq!(r.body["outflows"], "stopped", "until two admins lift it");
    let r = post(
        "/api/v1/admin/outflows/lift",
        admin1.clone(),
        "",
        json!(null),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["outflows"]),
        (200, &json!("stopped")),
        "{:?}",
        r.body
    );
    let r = post("/api/v1/admin/outflows/lift", fin1.clone(), "", json!(null)).await;
    assert_eq!(r.status, 403, "admins only: {:?}", r.body);
    let r = post(
        "/api/v1/admin/outflows/lift",
        admin2.clone(),
        "",
        json!(null),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["outflows"]),
        (200, &json!("running")),
        "{:?}",
        r.body
    );

    // An admin's manual stop refuses a withdrawal by its code.
    let r = post(
        "/api/v1/admin/outflows/stop",
        admin1.clone(),
        "",
        json!({"note": "drill"}),
    )
    .await;
    assert_eq!(
        (r.status, &r.body["stop"]["reason"]),
        (200, &json!("manual")),
        "{:?}",
        r.body
    );
    let asked = s
        .engine
        .submit(trigate_core::Command::RequestWithdrawal {
            actor: trigate_core::UserId(buyer),
            from: trigate_core::WithdrawFrom::Reward,
            currency: trigate_core::Currency::new("CNY").unwrap(),
            amount: 1,
            destination: "CN01".into(),
        })
        .await
        .unwrap();
    assert!(
        matches!(&asked, trigate_core::Reply::Refused { code, .. } if code == "outflows_stopped"),
        "{asked:?}"
    );
}

/// A shop with one admin lifts a stop at the command line (audited); with
/// nothing stopped the command says so and fails.
#[tokio::test]
async fn the_command_line_lifts_a_stop_for_a_one_admin_shop() {
    use std::sync::Arc;
    use trigate_core::{Command, Reply, Role, Shop};
    use trigate_engine::{Engine, EngineConfig, ShopMachine, SystemClock, open_state};
    let db = common::TestDb::sqlite();
    {
        let store = db.open().await;
        let recovered = open_state::<Shop>(&store, 0).await.unwrap();
        let (engine, writer) = Engine::start(
            ShopMachine::new(recovered),
            store,
            Arc::new(SystemClock),
            EngineConfig::default(),
        );
        let Reply::User(admin) = engine
            .submit(Command::Register {
                login: "root".into(),
                role: Role::Staff(AdminRole::Admin),
                referrer_code: None,
                password: None,
            })
            .await
            .unwrap()
        else {
            panic!()
        };
        let stopped = engine
            .submit(Command::StopOutflows {
                actor: admin,
                note: "drill".into(),
            })
            .await
            .unwrap();
        assert_eq!(stopped, Reply::Done);
        drop(engine);
        writer.await.unwrap();
    }
    let lift = || {
        std::process::Command::new(common::trigate_bin())
            .args([
                "lift-outflows",
                "--database-url",
                &db.url,
                "--note",
                "one admin",
            ])
            .env_remove("TRIGATE_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = lift();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = db.open().await;
    let shop = open_state::<Shop>(&store, 0).await.unwrap().state;
    assert!(shop.outflow_stop().is_none());
    let out = lift();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not stopped"));
}
