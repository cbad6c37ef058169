//! The shop on the durable writer: a whole purchase journaled, recovered
//! after a restart, and checked by `verify` — on SQLite and PostgreSQL.

mod common;

use common::{TestDb, shop_engine, tamper};
use trigate_core::{
    AdminRole, Bps, Command, Currency, Delivery, NewProduct, OrderStatus, PaymentOutcome, Reply,
    Role, SealedKey, UserId,
};
use trigate_engine::Engine;

fn cny() -> Currency {
    Currency::new("CNY").unwrap()
}

async fn run(engine: &Engine<trigate_engine::ShopMachine>, command: Command) -> Reply {
    let reply = engine.submit(command).await.expect("the engine answers");
    assert!(!matches!(reply, Reply::Refused { .. }), "{reply:?}");
    reply
}

async fn user(engine: &Engine<trigate_engine::ShopMachine>, login: &str, role: Role) -> UserId {
    let Reply::User(id) = run(
        engine,
        Command::Register {
            login: login.into(),
            role,
            referrer_code: None,
            password: None,
        },
    )
    .await
    else {
        panic!("no user");
    };
    id
}

fn key(i: u8) -> SealedKey {
    SealedKey {
        hash: [i; 32],
        sealed: vec![i; 40],
    }
}

/// A merchant ("seller") selling one key product with `keys` keys, and a
/// buyer with an empty wallet.
async fn seed(
    engine: &Engine<trigate_engine::ShopMachine>,
    fee: u32,
    price: u64,
    max_per_order: u32,
    keys: u8,
) -> (UserId, trigate_core::ProductId) {
    let owner = user(engine, "seller", Role::Merchant).await;
    let buyer = user(engine, "buyer", Role::Buyer).await;
    let create = Command::CreateMerchant {
        owner,
        name: "Keys".into(),
        fee: Bps::new(fee).unwrap(),
        holding_days: u32::from(fee > 0),
        wrapped_key: vec![7; 60],
    };
    let Reply::Merchant(merchant) = run(engine, create).await else {
        panic!("no merchant")
    };
    let spec = NewProduct {
        title: "Game".into(),
        delivery: Delivery::Keys,
        currency: cny(),
        price,
        tiers: vec![],
        min_per_order: 1,
        max_per_order,
        commission_l1: Bps::ZERO,
        commission_l2: Bps::ZERO,
        membership: false,
    };
    let Reply::Product(product) = run(engine, Command::CreateProduct { merchant, spec }).await
    else {
        panic!("no product")
    };
    let import = Command::ImportKeys {
        product,
        keys: (1..=keys).map(key).collect(),
        invalid: vec![],
    };
    run(engine, import).await;
    (buyer, product)
}

#[tokio::test]
async fn purchase_survives_a_restart_and_verify_checks_the_shop() {
    for db in TestDb::all("shop_purchase_restart").await {
        let store = db.open().await;
        let (engine, writer) = shop_engine(&store).await;
        user(&engine, "root", Role::Staff(AdminRole::Admin)).await;
        let (buyer, product) = seed(&engine, 1_000, 1_000, 5, 5).await;
        run(
            &engine,
            Command::CreditWallet {
                user: buyer,
                currency: cny(),
                amount: 5_000,
            },
        )
        .await;
        let Reply::Order(order) = run(
            &engine,
            Command::CreateOrder {
                actor: buyer,
                product,
                quantity: 2,
                coupon: None,
            },
        )
        .await
        else {
            panic!()
        };
        let Reply::Delivered(keys) = run(
            &engine,
            Command::PayByBalance {
                actor: buyer,
                order,
            },
        )
        .await
        else {
            panic!()
        };
        assert_eq!(keys.len(), 2);
        // Paying again is refused, and changes nothing.
        let again = engine
            .submit(Command::PayByBalance {
                actor: buyer,
                order,
            })
            .await
            .unwrap();
        assert!(matches!(again, Reply::Refused { ref code, .. } if code == "order_state"));
        let Reply::Settled(s) = run(
            &engine,
            Command::ConfirmOrder {
                actor: buyer,
                order,
            },
        )
        .await
        else {
            panic!()
        };
        assert_eq!((s.fee, s.merchant), (200, 1_800));
        drop(engine);
        assert!(matches!(
            writer.await.unwrap(),
            trigate_engine::WriterExit::Drained
        ));
        store.close().await;

        let store = db.open().await;
        let recovered = trigate_engine::open_state::<trigate_core::Shop>(&store, 0)
            .await
            .unwrap();
        let shop = &recovered.state;
        assert_eq!(shop.order(order).unwrap().status, OrderStatus::Settled);
        assert_eq!(shop.wallet(buyer, cny()), (3_000, 0));
        assert_eq!(shop.stock(product), 3);
        let report = trigate_engine::verify::verify(&store).await.unwrap();
        assert!(report.is_ok(), "{}: {:?}", db.backend, report.violations);
        assert!(
            report
                .checked
                .iter()
                .any(|c| c.starts_with("invariants 3, 4, 5")),
            "{:?}",
            report.checked
        );

        // The derived tables hold the order and its keys, sealed.
        let mut snapshot = store.snapshot().await.unwrap();
        let orders = snapshot.orders().await.unwrap();
        assert_eq!(orders.len(), 1);
        assert_eq!(
            (orders[0].status.as_str(), orders[0].amount),
            ("settled", 2_000)
        );
        let keys = snapshot.keys().await.unwrap();
        assert_eq!(keys.len(), 5);
        let delivered: Vec<u64> = keys
            .iter()
            .filter(|k| k.status == "delivered")
            .filter_map(|k| k.order)
            .collect();
        assert_eq!(delivered, vec![order.0, order.0]);
        assert_eq!(keys[0].sealed, vec![1; 40]);
        drop(snapshot);
        store.close().await;

        // A row edited behind trigate's back is named by verify.
        tamper(
            &db,
            "UPDATE orders SET status = 'refunded' WHERE id = 1",
            "UPDATE orders SET status = 'refunded' WHERE id = 1",
        )
        .await;
        let store = db.open().await;
        let report = trigate_engine::verify::verify(&store).await.unwrap();
        assert!(
            report
                .violations
                .iter()
                .any(|v| v.starts_with("orders row 1: differs")),
            "{}: {:?}",
            db.backend,
            report.violations
        );
        store.close().await;

        // Lost shop tables are rebuilt from the journal on start.
        let wipe = "DELETE FROM orders; DELETE FROM card_keys; DELETE FROM accounts; \
                    DELETE FROM transfers; UPDATE checkpoint SET seq = 0";
        tamper(&db, wipe, wipe).await;
        let store = db.open().await;
        trigate_engine::open_state::<trigate_core::Shop>(&store, 0)
            .await
            .unwrap();
        let report = trigate_engine::verify::verify(&store).await.unwrap();
        assert!(report.is_ok(), "{}: {:?}", db.backend, report.violations);
        let mut snapshot = store.snapshot().await.unwrap();
        assert_eq!(snapshot.orders().await.unwrap().len(), 1);
        assert_eq!(snapshot.keys().await.unwrap().len(), 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_duplicate_confirmations_deliver_once() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let (engine, _writer) = shop_engine(&store).await;
    let (buyer, product) = seed(&engine, 0, 700, 1, 3).await;
    let Reply::Order(order) = run(
        &engine,
        Command::CreateOrder {
            actor: buyer,
            product,
            quantity: 1,
            coupon: None,
        },
    )
    .await
    else {
        panic!()
    };
    let Reply::Attempt(attempt) = run(
        &engine,
        Command::StartPayment {
            actor: buyer,
            order,
            channel: "sandbox".into(),
        },
    )
    .await
    else {
        panic!()
    };
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let engine = engine.clone();
            tokio::spawn(async move {
                engine
                    .submit(Command::PaymentSucceeded {
                        attempt,
                        channel_txn: "T-42".into(),
                        amount: 700,
                        currency: cny(),
                    })
                    .await
                    .unwrap()
            })
        })
        .collect();
    let (mut delivered, mut duplicates) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Reply::Payment(PaymentOutcome::Delivered(keys)) => {
                assert_eq!(keys.len(), 1);
                delivered += 1;
            }
            Reply::Payment(PaymentOutcome::Duplicate(a)) if a == attempt => duplicates += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((delivered, duplicates), (1, 99));
    engine.sync().await.unwrap();
    let report = trigate_engine::verify::verify(&store).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.violations);
}

#[tokio::test]
async fn scheduler_expires_unpaid_orders_when_their_time_comes() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let clock = std::sync::Arc::new(trigate_engine::FixedStepClock::new(1_000_000_000, 1_000));
    let recovered = trigate_engine::open_state::<trigate_core::Shop>(&store, 0)
        .await
        .unwrap();
    let (engine, _writer) = Engine::start(
        trigate_engine::ShopMachine::new(recovered),
        store.clone(),
        clock.clone(),
        trigate_engine::EngineConfig::default(),
    );
    let (buyer, product) = seed(&engine, 0, 700, 1, 1).await;
    let Reply::Order(order) = run(
        &engine,
        Command::CreateOrder {
            actor: buyer,
            product,
            quantity: 1,
            coupon: None,
        },
    )
    .await
    else {
        panic!()
    };
    let scheduler =
        trigate_engine::spawn_scheduler(engine.clone(), std::time::Duration::from_millis(5));
    // Nothing is due yet; then sixteen minutes pass.
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    clock.advance(16 * 60 * 1_000_000_000);
    let mut expired = false;
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let Reply::Refused { code, .. } = engine
            .submit(Command::PayByBalance {
                actor: buyer,
                order,
            })
            .await
            .unwrap()
        else {
            panic!("an unfunded buyer paid")
        };
        if code == "order_state" {
            expired = true;
            break;
        }
    }
    assert!(expired, "the scheduler never expired the order");
    scheduler.abort();
}

#[tokio::test]
async fn withdrawals_and_guest_orders_survive_a_restart_and_verify() {
    use trigate_core::chart::{Kind, account_id};
    use trigate_core::{PasswordHash, WithdrawFrom, WithdrawalId, WithdrawalStatus};
    for db in TestDb::all("shop_withdrawals_restart").await {
        let store = db.open().await;
        let (engine, writer) = shop_engine(&store).await;
        let finance = user(&engine, "clerk", Role::Staff(AdminRole::Finance)).await;
        // Fee 0: no holding period, so a tick releases the sale at once.
        let (buyer, product) = seed(&engine, 0, 1_000, 5, 5).await;
        let owner = UserId(2);
        let credit = Command::CreditWallet {
            user: buyer,
            currency: cny(),
            amount: 3_000,
        };
        run(&engine, credit).await;
        let buy = Command::BuyWithBalance {
            actor: buyer,
            product,
            quantity: 3,
            coupon: None,
        };
        let Reply::Bought { order, .. } = run(&engine, buy).await else {
            panic!()
        };
        run(
            &engine,
            Command::ConfirmOrder {
                actor: buyer,
                order,
            },
        )
        .await;
        run(&engine, Command::Tick).await;
        let ask = |amount| Command::RequestWithdrawal {
            actor: owner,
            from: WithdrawFrom::Merchant,
            currency: cny(),
            amount,
            destination: "bank".into(),
        };
        let Reply::Withdrawal(paid) = run(&engine, ask(1_000)).await else {
            panic!()
        };
        let Reply::Withdrawal(rejected) = run(&engine, ask(500)).await else {
            panic!()
        };
        let Reply::Withdrawal(waiting) = run(&engine, ask(700)).await else {
            panic!()
        };
        run(
            &engine,
            Command::ApproveWithdrawal {
                actor: finance,
                withdrawal: paid,
            },
        )
        .await;
        run(
            &engine,
            Command::FinishPayout {
                actor: finance,
                withdrawal: paid,
                paid: true,
                reference: "B-1".into(),
            },
        )
        .await;
        run(
            &engine,
            Command::RejectWithdrawal {
                actor: finance,
                withdrawal: rejected,
            },
        )
        .await;
        let guest = Command::CreateGuestOrder {
            product,
            quantity: 1,
            coupon: None,
            lookup: PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            email: None,
        };
        let Reply::Order(guest_order) = run(&engine, guest).await else {
            panic!()
        };
        drop(engine);
        assert!(matches!(
            writer.await.unwrap(),
            trigate_engine::WriterExit::Drained
        ));
        store.close().await;

        let store = db.open().await;
        let recovered = trigate_engine::open_state::<trigate_core::Shop>(&store, 0)
            .await
            .unwrap();
        let shop = &recovered.state;
        let status = |id: WithdrawalId| shop.withdrawal(id).unwrap().status;
        assert_eq!(status(paid), WithdrawalStatus::PaidOut);
        assert_eq!(status(rejected), WithdrawalStatus::Rejected);
        assert_eq!(status(waiting), WithdrawalStatus::Requested);
        // 3,000 sold; 1,000 paid out; 700 still reserved.
        let merchant = trigate_core::MerchantId(1);
        assert_eq!(shop.merchant_balances(merchant, cny()).1, 1_300);
        assert_eq!(shop.balance(account_id(Kind::Payouts, cny(), 0)), 0);
        assert!(shop.lookup_hash(guest_order).is_ok());
        let report = trigate_engine::verify::verify(&store).await.unwrap();
        assert!(report.is_ok(), "{}: {:?}", db.backend, report.violations);
        store.close().await;
    }
}
