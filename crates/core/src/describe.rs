//! A shop's whole state as text, every map in a fixed order: how tests and
//! `verify` tell whether two shops — one that ran the commands, one rebuilt
//! from the journal's facts — are the same, indexes included.

use std::fmt::{Debug, Write as _};

use crate::Shop;

fn sorted<K: Debug + Ord, V: Debug>(
    out: &mut String,
    name: &str,
    map: impl Iterator<Item = (K, V)>,
) {
    let mut items: Vec<(K, V)> = map.collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in items {
        let _ = writeln!(out, "{name} {k:?} {v:?}");
    }
}

fn each<T: Debug>(out: &mut String, name: &str, items: impl Iterator<Item = T>) {
    for item in items {
        let _ = writeln!(out, "{name} {item:?}");
    }
}

impl Shop {
    /// Every record and index of the shop, in a fixed order (not the time
    /// of the last refused command, which leaves no trace).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "config {:?} genesis {}", self.config, self.genesis);
        let _ = writeln!(
            s,
            "ledger head {:?} transfers {} made {}",
            self.ledger.chain_head(),
            self.ledger.transfer_count(),
            self.transfers_made
        );
        let mut accounts: Vec<_> = self.ledger.accounts().collect();
        accounts.sort_by_key(|a| a.id);
        each(&mut s, "account", accounts.into_iter());
        each(&mut s, "user", self.users.list.iter());
        sorted(&mut s, "login", self.users.logins.iter());
        sorted(&mut s, "referral", self.users.referral_codes.iter());
        each(&mut s, "merchant", self.merchants.list.iter());
        sorted(&mut s, "api_key", self.merchants.api_keys.iter());
        each(&mut s, "product", self.catalog.products.iter());
        each(&mut s, "key", self.inventory.keys.iter());
        sorted(&mut s, "key_hash", self.inventory.key_hashes.iter());
        // A product whose last key sold keeps an empty set: no stock either way.
        sorted(
            &mut s,
            "stock",
            self.inventory
                .stock
                .iter()
                .filter(|(_, keys)| !keys.is_empty()),
        );
        each(&mut s, "order", self.orders.list.iter());
        sorted(&mut s, "by_buyer", self.orders.by_buyer.iter());
        sorted(&mut s, "by_merchant", self.orders.by_merchant.iter());
        each(&mut s, "reservation", self.orders.reservations.iter());
        each(&mut s, "confirm_due", self.orders.confirm_due.iter());
        each(&mut s, "hold", self.orders.holds.iter());
        each(&mut s, "dispute_open", self.disputes.open.iter());
        each(&mut s, "attempt", self.payments.attempts.iter());
        sorted(&mut s, "channel_txn", self.payments.channel_txns.iter());
        sorted(&mut s, "coupon", self.coupons.iter());
        each(&mut s, "withdrawal", self.withdrawals.list.iter());
        each(&mut s, "credit", self.credits.list.iter());
        each(&mut s, "audit", self.audit_log.entries.iter());
        sorted(&mut s, "details", self.storefront.details.iter());
        let _ = writeln!(s, "look {:?}", self.storefront.look);
        sorted(&mut s, "email", self.storefront.emails.iter());
        each(&mut s, "outbox", self.storefront.outbox.iter());
        let _ = writeln!(s, "figures_from {:?}", self.figures.from);
        each(&mut s, "day", self.figures.days.iter());
        let _ = writeln!(s, "{}", self.idempotency.describe());
        sorted(
            &mut s,
            "trail",
            self.trails.iter().map(|(k, v)| (format!("{k:?}"), v)),
        );
        s
    }
}
