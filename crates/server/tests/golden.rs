//! Golden journals: every shop journal an earlier version of trigate wrote
//! must start, verify and serve under this one with the same balances,
//! orders and keys. `TRIGATE_WRITE_GOLDEN=<name> cargo test -p trigate
//! --test golden write_golden -- --ignored` writes a new one with today's
//! code (see `golden/README.md`).

mod common;

use common::golden;

#[path = "golden_demo/demo.rs"]
mod demo;
#[path = "golden_demo/format4.rs"]
mod format4;
#[path = "golden_demo/format5.rs"]
mod format5;
#[path = "golden_demo/format6.rs"]
mod format6;
#[path = "golden_demo/format7.rs"]
mod format7;
#[path = "golden_demo/format8.rs"]
mod format8;

use demo::demo_shop;
use trigate_app::MasterKey;
use trigate_core::{
    AdminRole, Bps, Command, Config, Currency, Decision, Delivery, Discount, NewCoupon, NewProduct,
    OrderId, PasswordHash, Reply, Role, Shop, UserId, WithdrawFrom,
};
use trigate_core::{NANOS_PER_DAY, NANOS_PER_SECOND};
use trigate_engine::{Recovered, ShopMachine, StateMachine, open_state, upgrade};
use trigate_ledger::chain;
use trigate_store::JournalRow;

/// Drives the writer's state machine directly, at explicit times, keeping
/// the rows it would have written.
struct Writer {
    machine: ShopMachine,
    now: u64,
    rows: Vec<JournalRow>,
}

impl Writer {
    fn new() -> Self {
        Self {
            machine: ShopMachine::new(Recovered {
                state: Shop::new(Config::default()),
                head: chain::GENESIS,
                seq: 0,
            }),
            now: 1_764_000_000 * NANOS_PER_SECOND,
            rows: Vec::new(),
        }
    }

    fn try_run(&mut self, command: Command) -> Reply {
        self.now += NANOS_PER_SECOND;
        let prev = self.machine.chain_head();
        let (reply, journaled) = self.machine.apply(self.now, command);
        if journaled {
            self.rows.push(JournalRow {
                seq: self.machine.sequence(),
                timestamp: self.now,
                body: self.machine.last_entry().to_vec(),
                prev_hash: prev,
                hash: self.machine.chain_head(),
            });
        }
        reply
    }

    fn run(&mut self, command: Command) -> Reply {
        let shown = format!("{command:?}");
        let reply = self.try_run(command);
        assert!(
            !matches!(reply, Reply::Refused { .. }),
            "{shown} was refused: {reply:?}"
        );
        reply
    }

    fn later(&mut self, nanos: u64) {
        self.now += nanos;
    }

    fn user(&mut self, login: &str, role: Role, referrer: Option<UserId>) -> UserId {
        let referrer_code =
            referrer.map(|r| self.machine.shop().user(r).unwrap().referral_code.clone());
        let password = trigate_app::identity::hash_password(&format!("{login}-password")).unwrap();
        let Reply::User(id) = self.run(Command::Register {
            login: login.into(),
            role,
            referrer_code,
            password: Some(PasswordHash(password)),
        }) else {
            panic!("no user")
        };
        id
    }

    fn order(&self, reply: &Reply) -> OrderId {
        match reply {
            Reply::Order(o) | Reply::Bought { order: o, .. } => *o,
            Reply::Idempotent { reply, .. } => self.order(reply),
            other => panic!("no order in {other:?}"),
        }
    }
}

fn cny() -> Currency {
    Currency::new("CNY").unwrap()
}

fn product(title: &str, price: u64) -> NewProduct {
    NewProduct {
        title: title.into(),
        delivery: Delivery::Keys,
        currency: cny(),
        price,
        tiers: vec![],
        min_per_order: 1,
        max_per_order: 5,
        commission_l1: Bps::new(500).unwrap(),
        commission_l2: Bps::new(200).unwrap(),
        membership: false,
    }
}

/// Writes `golden/<name>.*` from today's code. Run by hand when the journal
/// format changes; never in CI.
#[test]
#[ignore = "writes golden files; run by hand with TRIGATE_WRITE_GOLDEN=<name>"]
fn write_golden() {
    let name = std::env::var("TRIGATE_WRITE_GOLDEN").expect("TRIGATE_WRITE_GOLDEN=<name>");
    let key_hex = "5a".repeat(32);
    let master = MasterKey::load(Some(&key_hex), std::path::Path::new("/nowhere")).unwrap();
    let w = demo_shop(&master);
    let violations = w.machine.shop().check_invariants();
    assert!(violations.is_empty(), "{violations:?}");
    let dir = golden::dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.journal")),
        golden::write_rows(&w.rows),
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("{name}.expect")),
        golden::summary(w.machine.shop(), &master),
    )
    .unwrap();
    std::fs::write(dir.join(format!("{name}.master-key")), key_hex + "\n").unwrap();
}

/// A shop started on a journal of an older format is refused, naming the
/// command that upgrades it; nothing is written.
#[tokio::test]
async fn an_old_format_journal_is_refused_naming_trigate_upgrade() {
    let db = common::TestDb::sqlite();
    let store = db.open().await;
    let rows = golden::read_rows("sh1-demo");
    golden::load(&store, &rows).await;
    let refused = open_state::<Shop>(&store, 0).await.unwrap_err().to_string();
    assert!(refused.contains("trigate upgrade"), "{refused}");
    assert!(refused.contains("format 1"), "{refused}");
    assert_eq!(store.journal_page(0, 1000).await.unwrap(), rows);
}

/// Loads a golden journal into a fresh database and upgrades it if it is
/// of an older format.
async fn loaded(name: &str) -> (common::TestDb, trigate_store::Store) {
    let db = common::TestDb::sqlite();
    let store = db.open().await;
    golden::load(&store, &golden::read_rows(name)).await;
    let backups = tempfile::tempdir().unwrap();
    upgrade::upgrade(&store, backups.path())
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (db, store)
}

/// Every golden journal (upgraded if older) starts and gives exactly the
/// shop it was written with, and `verify` passes on it.
#[tokio::test]
async fn golden_journals_start_with_their_recorded_shop_and_verify() {
    for name in golden::names() {
        let (_db, store) = loaded(&name).await;
        let recovered = open_state::<Shop>(&store, 0)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let master = golden::master_key(&name);
        let summary = golden::summary(&recovered.state, &master);
        let expected = golden::expected(&name);
        let differ: Vec<(&str, &str)> = summary
            .lines()
            .zip(expected.lines())
            .filter(|(a, b)| a != b)
            .take(3)
            .collect();
        assert!(
            differ.is_empty() && summary.len() == expected.len(),
            "{name} (now, recorded): {differ:#?}"
        );
        assert!(recovered.state.check_invariants().is_empty(), "{name}");
        let report = trigate_engine::verify::verify(&store).await.unwrap();
        assert!(report.is_ok(), "{name}: {:#?}", report.violations);
        // Today's rules decide every entry of the journals written since
        // format 3 as it was recorded (f3-demo's withdrawals, recorded as
        // `Withdrawal`, included); older ones were written under older
        // rules.
        if [
            "f3-demo", "f4-demo", "f5-demo", "f6-demo", "f7-demo", "f8-demo",
        ]
        .contains(&name.as_str())
        {
            assert!(report.findings.is_empty(), "{name}: {:#?}", report.findings);
        }
    }
}

/// In the journal's binary encoding a fact's tag is its variant's position.
/// These are format 2's, then format 3's, each read from a golden journal
/// of that format that holds every kind.
#[test]
fn every_kind_of_fact_keeps_its_tag() {
    let format2 = [
        "Settings",
        "Ledger",
        "User",
        "Merchant",
        "Product",
        "KeyAdded",
        "KeyStatus",
        "Order",
        "Attempt",
        "ChannelTxn",
        "Coupon",
        "Withdrawal",
        "Credit",
        "Audit",
        "Remembered",
        "ForgotKeys",
    ];
    let format3: Vec<&str> = format2
        .iter()
        .copied()
        .chain(["Policy", "Shares", "Send", "Approval", "Outflows"])
        .collect();
    // Format 4 writes a withdrawal as `Withdrawal4`: its `Withdrawal`
    // keeps its tag and is read, never written.
    let format4: Vec<&str> = format3
        .iter()
        .copied()
        .chain(["Rules", "Settlement", "Sweep", "Destination", "Withdrawal4"])
        .collect();
    let format5: Vec<&str> = format4
        .iter()
        .copied()
        .chain(["ProductDetails", "Look", "Email", "Outbox"])
        .collect();
    let format6: Vec<&str> = format5
        .iter()
        .copied()
        .chain(["FiguresFrom", "Day"])
        .collect();
    let format7: Vec<&str> = format6
        .iter()
        .copied()
        .chain([
            "RiskSettings",
            "RiskRule",
            "RiskListed",
            "RiskUnlisted",
            "RiskDecided",
            "RiskReview",
            "RiskContext",
        ])
        .collect();
    let format8: Vec<&str> = format7
        .iter()
        .copied()
        .chain(["RiskCase", "RiskTuning"])
        .collect();
    for (name, kinds, unwritten) in [
        ("f2-demo", &format2[..], &[][..]),
        ("f3-demo", &format3[..], &[][..]),
        ("f4-demo", &format4[..], &["Withdrawal"][..]),
        ("f5-demo", &format5[..], &["Withdrawal"][..]),
        ("f6-demo", &format6[..], &["Withdrawal"][..]),
        ("f7-demo", &format7[..], &["Withdrawal"][..]),
        ("f8-demo", &format8[..], &["Withdrawal"][..]),
    ] {
        let mut seen = std::collections::BTreeMap::new();
        for row in golden::read_rows(name) {
            for fact in trigate_core::journal::Entry::decode(&row.body)
                .unwrap()
                .facts
            {
                let kind = format!("{fact:?}");
                let kind = kind.split([' ', '{', '(']).next().unwrap().to_string();
                seen.insert(kind, postcard::to_allocvec(&fact).unwrap()[0]);
            }
        }
        let pinned: std::collections::BTreeMap<String, u8> = kinds
            .iter()
            .zip(0..)
            .filter(|(n, _)| !unwritten.contains(n))
            .map(|(n, t)| (n.to_string(), t))
            .collect();
        assert_eq!(seen, pinned, "{name}");
    }
}

/// Every golden journal serves: a buyer signs in with the password set when
/// it was written and reads the keys of their first order, opened.
#[tokio::test]
async fn golden_journals_serve_their_buyers_keys() {
    use std::sync::Arc;
    use trigate_engine::{Engine, EngineConfig, SystemClock};
    use trigate_web::{AppState, Sessions, router};
    for name in golden::names() {
        let (_db, store) = loaded(&name).await;
        let recovered = open_state::<Shop>(&store, 0).await.unwrap();
        let carol = recovered.state.user_by_login("carol").unwrap().id;
        let first = recovered
            .state
            .orders()
            .find(|o| o.buyer == carol)
            .unwrap()
            .id;
        let (engine, _writer) = Engine::start(
            ShopMachine::new(recovered),
            store,
            Arc::new(SystemClock),
            EngineConfig::default(),
        );
        let app = trigate_app::App::new(engine, golden::master_key(&name));
        let state = AppState::new(app, Arc::new(Sessions::default()), false);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router(state)).await });
        let login = serde_json::json!({"login": "carol", "password": "carol-password"});
        let r = common::http::call(
            addr,
            "POST",
            "/api/v1/auth/login",
            None,
            &[],
            Some(&login.to_string()),
        )
        .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap();
        let r = common::http::call(
            addr,
            "GET",
            &format!("/api/v1/orders/{}", first.0),
            Some(cookie),
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{name}: {:?}", r.body);
        let shown = r.body.to_string();
        assert!(
            shown.contains("GAME-0001") && shown.contains("GAME-0002"),
            "{name}: {shown}"
        );
    }
}
