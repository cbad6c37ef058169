//! A refund sent back through a channel is sent once even when the process
//! is killed (SIGKILL) between reserving it and the channel's answer: the
//! real binary serves a shop paying through a test epay gateway that makes
//! the refund and never answers; the process is killed while it waits,
//! started again on the same database, and asked again and again — the
//! gateway counts one refund, every later call is refused naming the send
//! that waits for finance, and `trigate verify` passes.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use common::epay_mock::{KEY, Mock, PID};
use common::http::{call, error_code};
use common::{TestDb, spawn};
use serde_json::json;
use trigate_core::{
    Bps, Command, Currency, Delivery, NewProduct, PasswordHash, RefundTo, Reply, Role, Shop,
};
use trigate_engine::{Engine, EngineConfig, ShopMachine, SystemClock, WriterExit, open_state};

const MASTER: &str = "4242424242424242424242424242424242424242424242424242424242424242";
const PASSWORD: &str = "correct horse";

/// A merchant with an order paid through the `epay` channel, 700 of it
/// refunded to the channel and still owed: written straight to the
/// database before the binary starts on it.
async fn seed(db: &TestDb) {
    let store = db.open().await;
    let recovered = open_state::<Shop>(&store, 0).await.unwrap();
    let (engine, writer) = Engine::start(
        ShopMachine::new(recovered),
        store,
        Arc::new(SystemClock),
        EngineConfig::default(),
    );
    let run = |c| {
        let engine = engine.clone();
        async move { engine.submit(c).await.unwrap() }
    };
    let password = PasswordHash(trigate_app::identity::hash_password(PASSWORD).unwrap());
    let user = |login: &str, role| Command::Register {
        login: login.into(),
        role,
        referrer_code: None,
        password: Some(password.clone()),
    };
    let Reply::User(seller) = run(user("seller", Role::Merchant)).await else {
        panic!()
    };
    let Reply::User(buyer) = run(user("buyer", Role::Buyer)).await else {
        panic!()
    };
    let master = trigate_app::MasterKey::load(Some(MASTER), std::path::Path::new("/x")).unwrap();
    let (_, wrapped_key) = master.new_data_key();
    let Reply::Merchant(merchant) = run(Command::CreateMerchant {
        owner: seller,
        name: "Keys".into(),
        fee: Bps::new(1_000).unwrap(),
        holding_days: 1,
        wrapped_key,
    })
    .await
    else {
        panic!()
    };
    let cny = Currency::new("CNY").unwrap();
    let spec = NewProduct {
        title: "Download".into(),
        delivery: Delivery::Fixed("https://example.com/dl".into()),
        currency: cny,
        price: 1_500,
        tiers: vec![],
        min_per_order: 1,
        max_per_order: 1,
        commission_l1: Bps::ZERO,
        commission_l2: Bps::ZERO,
        membership: false,
    };
    let Reply::Product(product) = run(Command::CreateProduct { merchant, spec }).await else {
        panic!()
    };
    let Reply::Order(order) = run(Command::CreateOrder {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    })
    .await
    else {
        panic!()
    };
    let Reply::Attempt(attempt) = run(Command::StartPayment {
        actor: buyer,
        order,
        channel: "epay".into(),
    })
    .await
    else {
        panic!()
    };
    let paid = run(Command::PaymentSucceeded {
        attempt,
        channel_txn: "T-1".into(),
        amount: 1_500,
        currency: cny,
    })
    .await;
    assert!(matches!(paid, Reply::Payment(_)), "{paid:?}");
    let refunded = run(Command::Refund {
        actor: seller,
        order,
        amount: 700,
        to: RefundTo::Channel,
    })
    .await;
    assert_eq!(refunded, Reply::Done);
    drop(engine);
    assert!(matches!(writer.await.unwrap(), WriterExit::Drained));
}

fn config(dir: &std::path::Path, db: &TestDb, mock: &Mock) -> std::path::PathBuf {
    let path = dir.join("trigate.toml");
    let text = format!(
        r#"database_url = "{db}"

[[channel]]
name = "epay"
kind = "epay"
gateway = "{gateway}"
merchant = "{PID}"
key = "{KEY}"
variant = "plain"
server_create = false
methods = ["alipay"]
currencies = ["CNY"]
min_amount = 1
max_amount = 1000000
priority = 0
"#,
        db = db.url,
        gateway = mock.url(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

async fn sign_in(addr: std::net::SocketAddr) -> String {
    let body = json!({"login": "seller", "password": PASSWORD}).to_string();
    let r = call(addr, "POST", "/api/v1/auth/login", None, &[], Some(&body)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_kill_between_reserving_a_refund_and_its_answer_sends_it_once() {
    let db = TestDb::sqlite();
    seed(&db).await;
    let mock = Mock::start().await;
    mock.gateway.hang_refunds.store(true, SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &db, &mock);
    let args = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--config",
        cfg.to_str().unwrap(),
    ];
    let env = [("TRIGATE_DATA_DIR", dir.path())];

    let (mut child, addr, _) = spawn(&args, &env).await;
    let seller = sign_in(addr).await;
    let path = "/api/v1/orders/1/channel-refund";
    // Asked, reserved, sent to the gateway, which never answers.
    let waiting = {
        let seller = seller.clone();
        tokio::spawn(async move { call(addr, "POST", path, Some(&seller), &[], None).await })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while mock.gateway.refunds.lock().unwrap().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the refund never reached the gateway"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    waiting.abort();
    mock.gateway.hang_refunds.store(false, SeqCst);

    // Started again: the send is unknown, and nothing more goes out for it.
    let (child, addr, _) = spawn(&args, &env).await;
    let seller = sign_in(addr).await;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let seller = seller.clone();
        calls.spawn(async move { call(addr, "POST", path, Some(&seller), &[], None).await });
    }
    while let Some(r) = calls.join_next().await {
        let r = r.unwrap();
        assert_eq!(
            (r.status, error_code(&r)),
            (409, "send_unresolved"),
            "{:?}",
            r.body
        );
        assert!(
            r.body["error"]["message"].as_str().unwrap().contains("R1"),
            "{:?}",
            r.body
        );
    }
    assert_eq!(
        *mock.gateway.refunds.lock().unwrap(),
        vec![("TG000000000001".to_string(), "7.00".to_string())],
        "one refund at the gateway"
    );
    drop(child);
    let out = std::process::Command::new(common::trigate_bin())
        .args(["verify", "--database-url", &db.url])
        .env_remove("TRIGATE_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
