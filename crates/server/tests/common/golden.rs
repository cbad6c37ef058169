//! Golden journals: small shops written by one version of trigate and kept
//! in `golden/` at the repository's root, which every later version must
//! start, verify and serve with the same balances, orders and keys.
//!
//! A golden journal is three files named after it:
//! - `<name>.journal` — one journal row per line, `seq timestamp body
//!   prev_hash hash`, the body and hashes in hex;
//! - `<name>.expect` — what the shop holds after it, as [`summary`] writes it;
//! - `<name>.master-key` — the master key its card keys are sealed under
//!   (a test key, nothing else opens with it).

use std::fmt::Write as _;
use std::path::PathBuf;

use trigate_app::MasterKey;
use trigate_core::{AttemptId, KeyStatus, Shop, UserId, WithdrawalId};
use trigate_store::{JournalRow, Store};

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../golden")
}

/// The golden journals in the repository, by name.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("golden/ exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".journal").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

pub fn write_rows(rows: &[JournalRow]) -> String {
    trigate_engine::journal_file::write_rows(rows)
}

pub fn read_rows(name: &str) -> Vec<JournalRow> {
    let text = std::fs::read_to_string(dir().join(format!("{name}.journal"))).unwrap();
    trigate_engine::journal_file::read_rows(&text).unwrap()
}

pub fn master_key(name: &str) -> MasterKey {
    let text = std::fs::read_to_string(dir().join(format!("{name}.master-key"))).unwrap();
    MasterKey::load(Some(text.trim()), std::path::Path::new("/nowhere")).unwrap()
}

pub fn expected(name: &str) -> String {
    std::fs::read_to_string(dir().join(format!("{name}.expect"))).unwrap()
}

/// Writes a golden journal's rows into `store`, as the writer would have.
pub async fn load(store: &Store, rows: &[JournalRow]) {
    for chunk in rows.chunks(64) {
        store.append(chunk).await.expect("append golden rows");
    }
}

/// What a shop holds, in a form that stays the same across versions: every
/// ledger account's counters, every user, order, card key (opened), payment
/// attempt and withdrawal.
pub fn summary(shop: &Shop, master: &MasterKey) -> String {
    let mut s = String::new();
    let mut accounts: Vec<_> = shop.ledger().accounts().collect();
    accounts.sort_by_key(|a| a.id);
    for a in accounts {
        let _ = writeln!(
            s,
            "account {:032x} dp={} dP={} cp={} cP={}",
            a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted
        );
    }
    for id in (1..).map(UserId).take_while(|id| shop.user(*id).is_some()) {
        let u = shop.user(id).unwrap();
        let _ = writeln!(
            s,
            "user {} {} {:?} referrer={:?} guest={} totp={}",
            u.id.0,
            u.login,
            u.role,
            u.referrer.map(|r| r.0),
            u.guest,
            u.second_factor.is_some()
        );
    }
    for o in shop.orders() {
        let _ = writeln!(
            s,
            "order {} buyer={} merchant={} product={} qty={} {} {} refunded={} {} keys={:?} \
             replaced={:?} settlement={:?}",
            o.id.0,
            o.buyer.0,
            o.merchant.0,
            o.product.0,
            o.quantity,
            o.amount,
            o.currency,
            o.refunded,
            o.status.as_str(),
            o.keys.iter().map(|k| k.0).collect::<Vec<_>>(),
            o.replaced_keys.iter().map(|k| k.0).collect::<Vec<_>>(),
            o.settlement,
        );
    }
    for k in shop.keys() {
        let merchant = shop.merchant(k.merchant).unwrap();
        let text = master
            .unwrap_key(&merchant.wrapped_key)
            .and_then(|key| key.open(&k.sealed))
            .map(|t| secrecy::ExposeSecret::expose_secret(&t).to_string())
            .unwrap_or_else(|_| "<cannot open>".into());
        let status = match k.status {
            KeyStatus::OnSale => "on_sale".to_string(),
            KeyStatus::Reserved(o) => format!("reserved:{}", o.0),
            KeyStatus::Delivered(o) => format!("delivered:{}", o.0),
            KeyStatus::Withdrawn => "withdrawn".to_string(),
        };
        let _ = writeln!(
            s,
            "key {} merchant={} product={} {status} {text}",
            k.id.0, k.merchant.0, k.product.0
        );
    }
    for id in (1..)
        .map(AttemptId)
        .take_while(|id| shop.attempt(*id).is_some())
    {
        let a = shop.attempt(id).unwrap();
        let _ = writeln!(
            s,
            "attempt {} user={} {:?} {} {} {} {:?} txn={:?} owed_back={} sent_back={}",
            a.id.0,
            a.user.0,
            a.purpose,
            a.channel,
            a.amount,
            a.currency,
            a.status,
            a.channel_txn,
            a.owed_back,
            a.sent_back
        );
    }
    for id in (1..)
        .map(WithdrawalId)
        .take_while(|id| shop.withdrawal(*id).is_some())
    {
        let w = shop.withdrawal(id).unwrap();
        let _ = writeln!(
            s,
            "withdrawal {} by={} {:?} {} {} {:?} approvals={:?} reference={:?}",
            w.id.0,
            w.requester.0,
            w.from,
            w.amount,
            w.currency,
            w.status,
            w.approvals.iter().map(|u| u.0).collect::<Vec<_>>(),
            w.reference
        );
        // Format 4's terms, for the withdrawals that have them.
        if w.fee > 0 || w.destination_id.is_some() || w.payout_started.is_some() {
            let _ = writeln!(
                s,
                "  fee={} destination={:?} {} payout_started={:?}",
                w.fee,
                w.destination_id.map(|d| d.0),
                w.destination,
                w.payout_started
            );
        }
    }
    for st in shop.settlements() {
        let _ = writeln!(
            s,
            "settlement {} {} {} {} {} fee={} {:?} {:?}",
            st.id.0, st.channel, st.reference, st.gross, st.currency, st.fee, st.source, st.status
        );
    }
    for sw in shop.sweeps() {
        let _ = writeln!(s, "sweep {} {} {}", sw.id.0, sw.amount, sw.currency);
    }
    for id in (1..).map(UserId).take_while(|id| shop.user(*id).is_some()) {
        for d in shop.destinations_of(id) {
            let _ = writeln!(
                s,
                "destination {} of {} {:?} {}",
                d.id.0, id.0, d.label, d.masked
            );
        }
    }
    if shop.has_rules() {
        let _ = writeln!(s, "rules {:?}", shop.rules());
    }
    // Format 5 on, printed only where present.
    for (product, details) in shop.all_product_details() {
        let _ = writeln!(s, "details of {} {details:?}", product.0);
    }
    if *shop.look() != trigate_core::ShopLook::default() {
        let _ = writeln!(s, "look {:?}", shop.look());
    }
    for id in (1..).map(UserId).take_while(|id| shop.user(*id).is_some()) {
        if let Some(email) = shop.email_of(id) {
            let _ = writeln!(s, "email of {} {}", id.0, email.as_str());
        }
    }
    for o in shop.orders() {
        for step in o.dispute.iter().flat_map(|d| &d.steps) {
            if let trigate_core::DisputeAction::Message { text } = &step.action {
                let _ = writeln!(s, "message in {} by {:?} {text:?}", o.id.0, step.by);
            }
        }
    }
    for m in shop.outbox_all() {
        let _ = writeln!(
            s,
            "outbox {} to {} {} order {}",
            m.id,
            m.to.as_str(),
            m.kind.as_str(),
            m.order.0
        );
    }
    // Format 6 on, printed only where present.
    for d in shop.daily_figures() {
        let _ = writeln!(
            s,
            "day {} closed at {} {:?}",
            d.day, d.closed_at, d.currencies
        );
    }
    // Format 7 on, printed only where present.
    risk_summary(shop, &mut s);
    s
}

/// Gate three as a golden journal holds it: rules, lists, decisions and
/// reviews.
fn risk_summary(shop: &Shop, s: &mut String) {
    use trigate_core::query::{Query, View};
    use trigate_core::risk::{RiskQuery, RiskView};
    if !shop.records_risk() {
        return;
    }
    let Some(admin) = (1..)
        .map(UserId)
        .take_while(|id| shop.user(*id).is_some())
        .find(|id| {
            shop.user(*id).unwrap().role
                == trigate_core::Role::Staff(trigate_core::AdminRole::Admin)
        })
    else {
        return;
    };
    let ask = |ask| match shop.query(&Query::Risk { actor: admin, ask }) {
        Ok(View::Risk(v)) => *v,
        other => panic!("{other:?}"),
    };
    // Written as format 7's summaries wrote them; how new merchants are
    // watched (format 8) on a line of its own, when watched.
    let settings = shop.risk_settings();
    let _ = writeln!(
        s,
        "risk settings RiskSettings {{ enabled: {:?}, thresholds: {:?}, escalate_after_ns: {:?} }}",
        settings.enabled, settings.thresholds, settings.escalate_after_ns
    );
    if settings.merchants != trigate_core::risk::MerchantSettings::default() {
        let _ = writeln!(s, "merchant risk {:?}", settings.merchants);
    }
    if settings.model != trigate_core::risk::ModelThresholds::default() {
        let _ = writeln!(s, "model thresholds {:?}", settings.model);
    }
    if let RiskView::Rules(rules) = ask(RiskQuery::Rules) {
        for r in rules {
            let _ = writeln!(
                s,
                "risk rule {} v{} by={} {:?} {} weight={} points={:?} shadow={} enabled={} {:?}",
                r.spec.name,
                r.version,
                r.by,
                r.spec.expr,
                r.spec.outcome,
                r.spec.weight,
                r.spec.points,
                r.spec.shadow,
                r.spec.enabled,
                r.spec.reason
            );
        }
    }
    if let RiskView::Lists(entries) = ask(RiskQuery::Lists) {
        for e in entries {
            let _ = writeln!(
                s,
                "risk listed {} {} {:?} {:?} expires={:?}",
                e.list.name(),
                e.kind,
                e.value,
                e.reason,
                e.expires
            );
        }
    }
    if let RiskView::Decisions(rows) = ask(RiskQuery::Decisions {
        before: None,
        limit: 200,
    }) {
        for r in rows.iter().rev() {
            let d = &r.decision;
            let fired: Vec<_> = d.fired.iter().map(|f| (&f.rule, f.version)).collect();
            let _ = writeln!(
                s,
                "risk decision {} at {} {} {} {:?} score={} reason={:?} fired={fired:?} \
                 subject={:?} ip={:?} device={:?} amount={}",
                r.id,
                r.at,
                d.point,
                d.outcome,
                r.effect,
                d.score,
                d.reason,
                r.subject,
                d.signals.ip,
                d.signals.device,
                d.signals.amount
            );
        }
    }
    if let RiskView::Reviews(lines) = ask(RiskQuery::Reviews {
        open: false,
        before: None,
        limit: 200,
    }) {
        for l in lines.iter().rev() {
            let r = &l.review;
            let _ = writeln!(
                s,
                "risk review {} decision={} {} {} claimed={:?} escalated={:?} {:?}",
                r.id, r.decision, r.subject, l.status, r.claimed, r.escalated_at, r.state
            );
        }
    }
}
