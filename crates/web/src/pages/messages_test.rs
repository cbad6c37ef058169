//! Every message a page can show exists in both languages: the ids written
//! in templates and handlers, an order's statuses, the payment methods and
//! every refusal's code.

use std::path::Path;

use super::i18n::{Lang, texts};

/// The literal message ids in `source`: the first string argument of
/// `t(`, `t1(` and `fmt(` calls.
fn ids_in(source: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for call in [".t(\"", ".t1(\"", ".fmt(\n"] {
        let mut rest = source;
        while let Some(at) = rest.find(call) {
            rest = &rest[at + call.len()..];
            let text = rest.trim_start().trim_start_matches('"');
            let end = text.find('"').unwrap_or(0);
            let id = &text[..end];
            if !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

fn files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if !path.ends_with("messages_test.rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_message_a_page_uses_is_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("templates"), &mut sources);
    files(&root.join("src/pages"), &mut sources);
    let mut ids: Vec<String> = sources.iter().flat_map(|s| ids_in(s)).collect();
    assert!(
        ids.len() > 50,
        "the scan found the pages' messages: {}",
        ids.len()
    );
    for status in [
        "created",
        "paid",
        "delivered",
        "disputed",
        "settled",
        "expired",
        "cancelled",
        "refunded",
    ] {
        ids.push(format!("order-status-{status}"));
    }
    for method in ["balance", "alipay", "wxpay", "card", "qqpay"] {
        ids.push(format!("method-{method}"));
    }
    for why in trigate_core::chart::Why::ALL {
        ids.push(format!("why-{}", why.as_str()));
    }
    ids.push("why-other".into());
    for kind in [
        trigate_core::OutboxKind::OrderDelivered,
        trigate_core::OutboxKind::DisputeUpdated,
    ] {
        ids.push(format!("outbox-{}", kind.as_str()));
    }
    for reason in [
        trigate_core::InvalidReason::Empty,
        trigate_core::InvalidReason::TooLong,
        trigate_core::InvalidReason::ControlCharacters,
        trigate_core::InvalidReason::NotUtf8,
    ] {
        ids.push(format!("import-{}", reason.as_str()));
    }
    for reason in ["coverage", "manual"] {
        ids.push(format!("custody-stop-{reason}"));
    }
    for status in ["active", "frozen", "banned"] {
        ids.push(format!("merchant-status-{status}"));
    }
    for status in ["requested", "approved", "paid_out", "rejected", "failed"] {
        ids.push(format!("withdrawal-status-{status}"));
    }
    for kind in [
        "refund",
        "dispute_decision",
        "reserve_top_up",
        "custody_top_up",
        "channel_settlement",
        "deposit_credit",
        "deposit_forfeit",
    ] {
        ids.push(format!("approval-kind-{kind}"));
    }
    for kind in ["order", "withdrawal", "attempt", "user", "merchant"] {
        ids.push(format!("risk-subject-{kind}"));
    }
    for status in ["open", "claimed", "escalated", "approved", "declined"] {
        ids.push(format!("risk-status-{status}"));
    }
    for status in ["open", "closed"] {
        ids.push(format!("risk-case-{status}"));
    }
    for cause in ["merchant_banned", "user_blocked"] {
        ids.push(format!("risk-case-cause-{cause}"));
    }
    for state in ["open", "released", "banned"] {
        ids.push(format!("risk-member-{state}"));
    }
    for status in ["sending", "sent", "not_sent", "unknown"] {
        ids.push(format!("send-status-{status}"));
    }
    for outcome in [
        "delivered",
        "recharged",
        "credited_to_wallet",
        "owed_back",
        "already_applied",
        "deposit_funded",
        "held_for_review",
    ] {
        ids.push(format!("mark-paid-{outcome}"));
    }
    for role in trigate_core::Role::ALL {
        ids.push(format!("role-{}", role.as_str()));
    }
    for account in [
        "custody",
        "clearing",
        "operating",
        "escrow",
        "wallet-recharge",
        "wallet-reward",
        "wallet-held",
        "debt-user",
        "debt-merchant",
        "debts",
        "losses",
        "channel_fees",
        "merchant-pending",
        "merchant-available",
        "merchant-deposit",
        "refunds_due",
        "payouts",
        "fees",
        "reserve",
        "other",
    ] {
        ids.push(format!("account-{account}"));
    }
    for error in trigate_app::AppError::examples() {
        ids.push(format!("error-{}", error.code()));
    }
    ids.sort();
    ids.dedup();
    for lang in Lang::ALL {
        let missing: Vec<&String> = ids.iter().filter(|id| !texts(lang).has(id)).collect();
        assert!(missing.is_empty(), "missing in {}: {missing:?}", lang.tag());
    }
}

#[test]
fn a_missing_message_shows_as_its_marked_id() {
    assert_eq!(texts(Lang::En).t("no-such-message"), "[[no-such-message]]");
    assert_eq!(texts(Lang::En).t("home-title"), "All products");
    assert_eq!(texts(Lang::ZhCn).t("home-title"), "全部商品");
}
