//! Rules added to the default rule pack after a shop installed it are
//! saved at the shop's next start, once, as the shop's own (by 0); a new
//! shop gets them right after the first pack.

mod common;

use common::{TestDb, golden};
use trigate_core::journal::Entry;
use trigate_core::{Fact, Shop};
use trigate_engine::{open_state, start_shop};

fn rule_by(shop: &Shop, name: &str) -> Option<(u32, u64)> {
    shop.risk_rules()
        .iter()
        .find(|r| r.spec.name == name)
        .map(|r| (r.version, r.by))
}

#[tokio::test]
async fn an_older_shop_gets_the_rules_added_to_the_pack_once() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let rows = golden::read_rows("f7-demo");
    golden::load(&store, &rows).await;
    let before = open_state::<Shop>(&store, 0).await.unwrap();
    assert_eq!(rule_by(&before.state, "ring_of_banned"), None);
    let settings = *before.state.config();
    let (engine, writer) = start_shop(&store, settings).await.unwrap();
    drop(engine);
    writer.await.unwrap();
    let all = store.journal_page(0, 10_000).await.unwrap();
    let added = Entry::decode(&all.last().unwrap().body).unwrap();
    let names: Vec<&str> = added
        .facts
        .iter()
        .map(|f| match f {
            Fact::RiskRule { rule } => rule.name.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    let later: Vec<String> = trigate_core::risk::later_rules()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, later);
    assert_eq!(names[0], "ring_of_banned");
    let after = open_state::<Shop>(&store, 0).await.unwrap();
    assert_eq!(rule_by(&after.state, "ring_of_banned"), Some((1, 0)));
    // The next start finds nothing missing: nothing is written.
    let entries = all.len();
    let (engine, writer) = start_shop(&store, settings).await.unwrap();
    drop(engine);
    writer.await.unwrap();
    assert_eq!(store.journal_page(0, 10_000).await.unwrap().len(), entries);
    let report = trigate_engine::verify::verify(&store).await.unwrap();
    assert!(report.is_ok(), "{:?}", report.violations);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[tokio::test]
async fn a_new_shop_starts_with_the_whole_pack() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    let (engine, writer) = start_shop(&store, trigate_core::Config::default())
        .await
        .unwrap();
    drop(engine);
    writer.await.unwrap();
    let shop = open_state::<Shop>(&store, 0).await.unwrap().state;
    for spec in trigate_risk::default_pack()
        .into_iter()
        .chain(trigate_risk::later_rules())
    {
        assert_eq!(rule_by(&shop, &spec.name), Some((1, 0)), "{}", spec.name);
    }
}
