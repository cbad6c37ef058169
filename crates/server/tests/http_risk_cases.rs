//! Ring cases over HTTP and on the pages: a merchant banned by an admin
//! holds the withdrawal of a seller who shares its owner's phone, as one
//! case listed with the shared device as evidence; finance's approval is
//! refused while held; an analyst bans one member through the API (once
//! per key: the same key replays) and releases the other from the case
//! page, in both languages.

mod common;

use common::http::{Server, error_code, staff};
use common::pages::Browser;
use serde_json::json;
use trigate_core::risk::{RequestContext, RiskSettings};
use trigate_core::{AdminRole, Bps, Command, Currency, Reply, Role, UserId, WithdrawFrom};
use trigate_web::COOKIE;

async fn run(s: &Server, c: Command) -> Reply {
    s.engine.submit(c).await.unwrap()
}

async fn on_phone(s: &Server, user: UserId) {
    let c = Command::WithContext {
        context: RequestContext {
            device: "farm-phone".into(),
            ..RequestContext::default()
        },
        command: Box::new(Command::SignIn {
            user: Some(user),
            ok: true,
        }),
    };
    assert_eq!(run(s, c).await, Reply::Done);
}

async fn register(s: &Server, login: &str, role: Role) -> UserId {
    let Reply::User(id) = run(
        s,
        Command::Register {
            login: login.into(),
            role,
            referrer_code: None,
            password: None,
        },
    )
    .await
    else {
        panic!()
    };
    id
}

#[tokio::test]
async fn a_banned_merchants_ring_is_one_case_decided_member_by_member() {
    let s = Server::start().await;
    s.released_sale().await;
    run(
        &s,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .await;
    run(&s, Command::AddDefaultRules).await;
    let crook = register(&s, "crook", Role::Merchant).await;
    let Reply::Merchant(fakes) = run(
        &s,
        Command::CreateMerchant {
            owner: crook,
            name: "Fake keys".into(),
            fee: Bps::new(1_000).unwrap(),
            holding_days: 1,
            wrapped_key: vec![7; 60],
        },
    )
    .await
    else {
        panic!()
    };
    let seller = s.other_merchant;
    on_phone(&s, crook).await;
    on_phone(&s, seller).await;
    let Reply::Withdrawal(w) = run(
        &s,
        Command::RequestWithdrawal {
            actor: seller,
            from: WithdrawFrom::Merchant,
            currency: Currency::new("CNY").unwrap(),
            amount: 600,
            destination: "CN12 3456 7890".into(),
        },
    )
    .await
    else {
        panic!()
    };
    let admin = format!("{COOKIE}={}", s.sessions.open(s.admin));
    let r = s
        .call(
            "POST",
            &format!("/api/v1/admin/merchants/{}/status", fakes.0),
            Some(&admin),
            &[("idempotency-key", "ban-fakes")],
            Some(&json!({"status": "banned"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    let rita = staff(&s, "rita", AdminRole::RiskAnalyst).await;
    let analyst = format!("{COOKIE}={}", s.sessions.open(rita));
    let cases = s
        .call("GET", "/api/v1/risk/cases", Some(&analyst), &[], None)
        .await;
    assert_eq!(cases.status, 200, "{:?}", cases.body);
    let list = cases.body.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let case = &list[0];
    assert_eq!(
        (&case["status"], &case["cause"], &case["banned_user"]),
        (&json!("open"), &json!("merchant_banned"), &json!(crook.0))
    );
    let members = case["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    let held = &members[1];
    assert_eq!(held["user"], seller.0);
    assert_eq!(held["links"][0]["kind"], "device");
    assert_eq!(held["links"][0]["value"], "farm-phone");
    let hold = &held["holds"][0];
    assert_eq!(
        (
            &hold["subject"]["kind"],
            &hold["subject"]["id"],
            &hold["amount"],
            &hold["point"],
            &hold["case"],
            &hold["decision"]
        ),
        (
            &json!("withdrawal"),
            &json!(w.0),
            &json!(600),
            &json!("withdrawal"),
            &json!(1),
            &json!(null)
        )
    );
    // The queue shows the hold with its case.
    let queue = s
        .call("GET", "/api/v1/risk/reviews", Some(&analyst), &[], None)
        .await;
    assert_eq!(queue.body[0]["case"], 1, "{:?}", queue.body);

    // Finance cannot approve it while held.
    let finance = staff(&s, "finance", AdminRole::Finance).await;
    let finance = format!("{COOKIE}={}", s.sessions.open(finance));
    let r = s
        .call(
            "POST",
            &format!("/api/v1/admin/withdrawals/{}/approve", w.0),
            Some(&finance),
            &[("idempotency-key", "fa")],
            None,
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (409, "held_for_review"));

    // Banning through the API: once per key.
    let ban = json!({"user": crook.0, "note": "sold fake keys"}).to_string();
    let r = s
        .call(
            "POST",
            "/api/v1/risk/cases/1/ban",
            Some(&analyst),
            &[],
            Some(&ban),
        )
        .await;
    assert_eq!(error_code(&r), "idempotency_key_required");
    for _ in 0..2 {
        let r = s
            .call(
                "POST",
                "/api/v1/risk/cases/1/ban",
                Some(&analyst),
                &[("idempotency-key", "ban-crook")],
                Some(&ban),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let r = s
        .call(
            "POST",
            "/api/v1/risk/cases/1/ban",
            Some(&analyst),
            &[("idempotency-key", "ban-crook-again")],
            Some(&ban),
        )
        .await;
    assert_eq!((r.status, error_code(&r)), (422, "invalid"));
    let r = s
        .call("GET", "/api/v1/risk/cases/9", Some(&analyst), &[], None)
        .await;
    assert_eq!((r.status, error_code(&r)), (404, "case_not_found"));

    // Releasing the seller from the case page, in Chinese.
    let mut page = Browser::new(&s);
    page.lang = Some("zh-CN");
    page.cookies.insert(COOKIE.into(), s.sessions.open(rita));
    let queue = page.get("/admin/risk").await;
    assert!(queue.html.contains("id=\"case-1\""), "{}", queue.html);
    let shown = page.get("/admin/risk/cases/1").await;
    assert_eq!(shown.status, 200, "{}", shown.html);
    assert!(shown.html.contains("farm-phone"), "the evidence is shown");
    assert!(shown.html.contains("已封禁"), "{}", shown.html);
    let csrf = shown.input("csrf");
    let key = shown.input("idempotency_key");
    let user = seller.0.to_string();
    let done = page
        .post(
            "/admin/risk/cases/1/decide",
            &[
                ("csrf", &csrf),
                ("idempotency_key", &key),
                ("user", &user),
                ("decision", "release"),
                ("note", "a real seller"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.html);
    assert!(done.html.contains("已结案"), "{}", done.html);
    let r = s
        .call(
            "POST",
            &format!("/api/v1/admin/withdrawals/{}/approve", w.0),
            Some(&finance),
            &[("idempotency-key", "fb")],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "released: finance approves: {:?}", r.body);
    let all = page.get("/admin/risk/cases").await;
    assert!(all.html.contains("id=\"case-1\""), "{}", all.html);

    // Buyers read nothing of it.
    let (_, buyer) = s.sign_up("nosy").await;
    let r = s
        .call("GET", "/api/v1/risk/cases", Some(&buyer), &[], None)
        .await;
    assert_eq!(r.status, 403);
}
