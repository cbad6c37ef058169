//! The identity graph: accounts sharing a device, an instrument, a
//! destination or an email form one ring; an identifier over the degree cap
//! links nothing; links expire; the identifiers that link accounts are the
//! evidence.

use trigate_risk::{Graph, GraphSettings, IdKind};

const HOUR: u64 = 3_600 * 1_000_000_000;

fn dev(v: &str) -> (IdKind, String) {
    (IdKind::Device, v.to_string())
}

fn dest(v: &str) -> (IdKind, String) {
    (IdKind::Destination, v.to_string())
}

fn small() -> Graph {
    Graph::new(GraphSettings {
        degree_cap: 3,
        link_ttl_ns: 24 * HOUR,
    })
}

#[test]
fn accounts_sharing_identifiers_form_one_ring_with_the_links_as_evidence() {
    let mut g = small();
    g.link(HOUR, 1, &[dev("phone-a")]);
    g.link(HOUR, 2, &[dev("phone-a"), dest("6222-1")]);
    g.link(HOUR, 3, &[dev("phone-b"), dest("6222-1")]);
    g.link(HOUR, 4, &[dev("phone-c")]);
    assert_eq!(g.ring_size(1), 3);
    assert_eq!(g.ring_size(3), 3);
    assert_eq!(g.ring_size(4), 1);
    assert!(g.linked(1, 3) && !g.linked(1, 4));
    let links = g.links(HOUR, 2);
    assert_eq!(links.len(), 2);
    assert_eq!(
        (
            links[0].kind,
            links[0].value.as_str(),
            links[0].with.clone()
        ),
        (IdKind::Device, "phone-a", vec![1])
    );
    assert_eq!(
        (
            links[1].kind,
            links[1].value.as_str(),
            links[1].with.clone()
        ),
        (IdKind::Destination, "6222-1", vec![3])
    );
    let mut members = g.members(HOUR, 1, 10);
    members.sort_unstable();
    assert_eq!(members, vec![1, 2, 3]);
    assert_eq!(g.members(HOUR, 1, 2).len(), 2, "the limit is kept");
}

#[test]
fn an_identifier_over_the_degree_cap_links_nothing() {
    let mut g = small();
    for account in 1..=3 {
        g.link(HOUR, account, &[dev("campus-nat-pc")]);
    }
    assert_eq!(g.ring_size(1), 3, "three accounts, the cap: linked");
    g.link(HOUR, 4, &[dev("campus-nat-pc")]);
    for account in 1..=4 {
        assert_eq!(g.ring_size(account), 1, "account {account}");
        assert!(g.links(HOUR, account).is_empty());
    }
    // Links through other identifiers still hold.
    g.link(HOUR, 1, &[dest("6222-9")]);
    g.link(HOUR, 2, &[dest("6222-9")]);
    assert_eq!(g.ring_size(1), 2);
    assert_eq!(g.ring_size(3), 1);
}

#[test]
fn ips_and_the_accounts_own_ids_link_nothing() {
    let mut g = small();
    g.link(HOUR, 1, &[(IdKind::Ip, "10.0.0.1".into())]);
    g.link(HOUR, 2, &[(IdKind::Ip, "10.0.0.1".into())]);
    g.link(HOUR, 3, &[(IdKind::Merchant, "7".into())]);
    g.link(HOUR, 4, &[(IdKind::Merchant, "7".into())]);
    assert_eq!(g.ring_size(1), 1);
    assert_eq!(g.ring_size(3), 1);
}

#[test]
fn links_expire_and_the_ring_splits_within_the_hour() {
    let mut g = small();
    g.link(HOUR, 1, &[dev("old-phone")]);
    g.link(HOUR, 2, &[dev("old-phone")]);
    assert_eq!(g.ring_size(1), 2);
    // Seen again by one account only: the other's link runs out.
    g.link(20 * HOUR, 1, &[dev("old-phone")]);
    g.link(26 * HOUR, 5, &[dev("other")]);
    assert_eq!(g.ring_size(1), 1, "account 2's link expired at hour 25");
    assert!(g.links(26 * HOUR, 1).is_empty());
    // A new account on the phone links to the one still seen with it.
    g.link(27 * HOUR, 3, &[dev("old-phone")]);
    assert!(g.linked(1, 3) && !g.linked(1, 2));
}

#[test]
fn the_same_links_in_the_same_order_give_the_same_rings() {
    let run = || {
        let mut g = Graph::default();
        for i in 0..500u64 {
            let d = format!("d{}", i % 37);
            let t = format!("t{}", i % 53);
            g.link(i * HOUR, i % 101, &[dev(&d), dest(&t)]);
        }
        (0..101).map(|a| g.ring_size(a)).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn a_busy_identifier_stays_over_the_cap_and_links_again_once_quiet() {
    let mut g = small();
    for account in 1..=50 {
        g.link(HOUR + account, account, &[dev("cafe-pc")]);
    }
    assert!((1..=50).all(|a| g.ring_size(a) == 1));
    // A day later all those links have expired: two new accounts on the
    // PC are linked again.
    g.link(30 * HOUR, 100, &[dev("cafe-pc")]);
    g.link(30 * HOUR, 101, &[dev("cafe-pc")]);
    assert!(g.linked(100, 101));
    assert_eq!(g.ring_size(100), 2);
}
