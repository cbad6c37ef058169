//! The books' invariants (DESIGN.md) that the shop's state must satisfy
//! after every command; `trigate verify`, the tests and the simulator all
//! check them through here.
//!
//! 3. What custody and clearing hold covers what is owed to users: escrow,
//!    wallets, merchant balances, refunds owed, and the reserve.
//! 4. Escrow holds exactly the open orders, order by order.
//! 5. Each card key is in at most one order, each order's money left
//!    escrow at most once (settled or refunded, never both beyond what was
//!    paid), and each channel transaction paid one attempt.
//!
//! And no liability without an owner: what `refunds_due` holds for a payer
//! is exactly what their payment attempts still owe back through their
//! channels (owed back less sent back) — nothing there that no channel
//! could ever send; what a referrer's held commissions hold is exactly what
//! their settled orders still hold for them; and every debt is what the
//! reserve paid in its party's place less what the party's income repaid,
//! order by order, with `debts` the sum of them all.

use std::collections::{BTreeMap, HashMap};

use crate::chart::{Kind, kind_of};
use crate::inventory::KeyStatus;
use crate::{Currency, Shop};

impl Shop {
    /// Every violation found, one line each (empty: all hold).
    pub fn check_invariants(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.custody_covers_users(&mut out);
        self.escrow_is_open_orders(&mut out);
        self.keys_in_one_order(&mut out);
        self.channel_txns_once(&mut out);
        self.payouts_are_approved_withdrawals(&mut out);
        self.refunds_due_owned_by_attempts(&mut out);
        self.held_and_owed_match_the_orders(&mut out);
        out
    }

    /// Held commissions and debts, account by account, against what the
    /// settled orders' shares say they should hold.
    fn held_and_owed_match_the_orders(&self, out: &mut Vec<String>) {
        use crate::shares::Party;
        let mut want: BTreeMap<u128, i128> = BTreeMap::new();
        for (id, sh) in &self.shares.list {
            let Some(o) = self.order(*id) else {
                out.push(format!(
                    "shares of order {id}, which the shop does not hold"
                ));
                continue;
            };
            let c = o.currency;
            let parties = [
                Some(Party::Merchant(o.merchant)),
                sh.referrers[0].map(Party::User),
                sh.referrers[1].map(Party::User),
            ];
            for (i, party) in parties.into_iter().enumerate() {
                let Some(party) = party else { continue };
                let owed = i128::from(sh.covered[i]) - i128::from(sh.repaid[i]);
                *want.entry(party.debt_account(c)).or_default() += owed;
            }
            for (level, referrer) in sh.referrers.iter().enumerate() {
                if let Some(r) = referrer {
                    let account = crate::chart::account_id(Kind::CommissionHeld, c, r.0);
                    *want.entry(account).or_default() += i128::from(sh.held[level]);
                }
            }
        }
        let mut debts: BTreeMap<u32, i128> = BTreeMap::new();
        let mut memo: BTreeMap<u32, i128> = BTreeMap::new();
        for a in self.ledger.accounts() {
            let net = a.credits_posted as i128 - a.debits_posted as i128;
            let (what, held) = match kind_of(a.id) {
                Some(Kind::CommissionHeld) => ("held commissions", net),
                Some(Kind::MerchantDebt | Kind::UserDebt) => {
                    *debts.entry(a.ledger).or_default() -= net;
                    ("debt", -net)
                }
                Some(Kind::Debts) => {
                    *memo.entry(a.ledger).or_default() += net;
                    continue;
                }
                _ => continue,
            };
            let expected = want.remove(&a.id).unwrap_or(0);
            if held != expected {
                out.push(format!(
                    "{what} account {:#x} holds {held}, its orders' shares say {expected}",
                    a.id
                ));
            }
        }
        for (account, expected) in want {
            if expected != 0 {
                out.push(format!(
                    "account {account:#x} holds 0, its orders' shares say {expected}"
                ));
            }
        }
        for (ledger, total) in debts {
            let mirrored = memo.remove(&ledger).unwrap_or(0);
            if total != mirrored {
                out.push(format!(
                    "debts (ledger {ledger}) holds {mirrored}, the parties' debts add up to {total}"
                ));
            }
        }
    }

    /// Each payer's `refunds_due` holds what their attempts owe back.
    fn refunds_due_owned_by_attempts(&self, out: &mut Vec<String>) {
        let mut owed: BTreeMap<u128, u128> = BTreeMap::new();
        for a in &self.payments.attempts {
            let due = a.owed_back.saturating_sub(a.sent_back);
            let account = crate::chart::account_id(Kind::RefundsDue, a.currency, a.user.0);
            *owed.entry(account).or_default() += u128::from(due);
        }
        for a in self.ledger.accounts() {
            if kind_of(a.id) != Some(Kind::RefundsDue) {
                continue;
            }
            let held = a.credits_posted.saturating_sub(a.debits_posted);
            let want = owed.remove(&a.id).unwrap_or(0);
            if held != want {
                out.push(format!(
                    "refunds_due account {:#x} holds {held}, its payer's attempts owe back {want}: \
                     {} no channel would send",
                    a.id,
                    held.abs_diff(want)
                ));
            }
        }
        for (account, want) in owed {
            if want > 0 {
                out.push(format!(
                    "refunds_due account {account:#x} holds 0, its payer's attempts owe back {want}"
                ));
            }
        }
    }

    /// `payouts` holds exactly the approved withdrawals not yet paid out or
    /// failed, per currency.
    fn payouts_are_approved_withdrawals(&self, out: &mut Vec<String>) {
        let mut approved: BTreeMap<u32, u128> = BTreeMap::new();
        for w in &self.withdrawals.list {
            if w.status == crate::WithdrawalStatus::Approved {
                *approved.entry(w.currency.ledger()).or_default() += u128::from(w.amount);
            }
        }
        for a in self.ledger.accounts() {
            if kind_of(a.id) == Some(Kind::Payouts) {
                let held = a.credits_posted.saturating_sub(a.debits_posted);
                let want = approved.remove(&a.ledger).unwrap_or(0);
                if held != want {
                    out.push(format!(
                        "payouts (ledger {}) holds {held}, approved withdrawals {want}",
                        a.ledger
                    ));
                }
            }
        }
        for (ledger, want) in approved {
            if want > 0 {
                out.push(format!(
                    "payouts (ledger {ledger}) holds 0, approved withdrawals {want}"
                ));
            }
        }
    }

    fn channel_txns_once(&self, out: &mut Vec<String>) {
        let mut seen = HashMap::new();
        for a in &self.payments.attempts {
            if let Some(txn) = &a.channel_txn
                && let Some(other) = seen.insert((a.channel.as_str(), txn.as_str()), a.id)
            {
                out.push(format!(
                    "invariant 5 (a channel transaction once): {} {txn} paid attempts {other} and {}",
                    a.channel, a.id
                ));
            }
        }
    }

    fn custody_covers_users(&self, out: &mut Vec<String>) {
        let followed: BTreeMap<Currency, i128> = self.followed_surplus().into_iter().collect();
        for c in self.coverage() {
            if c.surplus() < 0 {
                out.push(format!(
                    "invariant 3 (custody covers users): {} holds {} against {} owed",
                    c.currency, c.held, c.owed
                ));
            }
            let f = followed.get(&c.currency).copied().unwrap_or(0);
            if f != c.surplus() {
                out.push(format!(
                    "the surplus followed for {} is {f}, the accounts give {}",
                    c.currency,
                    c.surplus()
                ));
            }
        }
    }

    fn escrow_is_open_orders(&self, out: &mut Vec<String>) {
        // Net into escrow per order, from the ledger's own transfers.
        let mut net: HashMap<u64, i128> = HashMap::new();
        let escrow_kind = |id| kind_of(id) == Some(Kind::Escrow);
        for t in self.ledger.transfers() {
            let order = u64::try_from(t.user_data).unwrap_or(u64::MAX);
            if escrow_kind(t.credit_account_id) {
                *net.entry(order).or_default() += i128::from(t.amount);
            }
            if escrow_kind(t.debit_account_id) {
                *net.entry(order).or_default() -= i128::from(t.amount);
            }
        }
        let mut total: BTreeMap<Currency, i128> = BTreeMap::new();
        for o in &self.orders.list {
            let expected = if o.holds_escrow() {
                i128::from(o.unrefunded())
            } else {
                0
            };
            let got = net.remove(&o.id.0).unwrap_or(0);
            if got != expected {
                out.push(format!(
                    "invariant 4 (escrow = open orders): order {} has {got} in escrow, {expected} expected ({})",
                    o.id,
                    o.status.as_str()
                ));
            }
            *total.entry(o.currency).or_default() += expected;
        }
        // Held top-ups wait in escrow under their attempt.
        for (tag, currency, amount) in self.held_top_ups() {
            let got = net.remove(&tag).unwrap_or(0);
            if got != i128::from(amount) {
                out.push(format!(
                    "invariant 4 (escrow = open orders): held top-up {} has {got} in escrow, {amount} expected",
                    tag & !crate::risk::HELD_TOP_UP
                ));
            }
            *total.entry(currency).or_default() += i128::from(amount);
        }
        for (order, amount) in net {
            if amount != 0 {
                out.push(format!(
                    "invariant 4 (escrow = open orders): {amount} in escrow for unknown order {order}"
                ));
            }
        }
        for (currency, expected) in total {
            let got = i128::from(self.balance(crate::chart::account_id(Kind::Escrow, currency, 0)));
            if got != expected {
                out.push(format!(
                    "invariant 4 (escrow = open orders): escrow {currency} holds {got}, open orders {expected}"
                ));
            }
        }
    }

    fn keys_in_one_order(&self, out: &mut Vec<String>) {
        let mut owner = HashMap::new();
        for o in &self.orders.list {
            for key in o.keys.iter().chain(&o.replaced_keys) {
                if let Some(other) = owner.insert(*key, o.id) {
                    out.push(format!(
                        "invariant 5 (a key in one order): key {key} is in orders {other} and {}",
                        o.id
                    ));
                }
                let status = self.key(*key).map(|k| k.status);
                let fits = matches!(status, Some(KeyStatus::Reserved(x) | KeyStatus::Delivered(x)) if x == o.id);
                if !fits {
                    out.push(format!(
                        "invariant 5 (a key in one order): key {key} of order {} stands {status:?}",
                        o.id
                    ));
                }
            }
        }
        for (product, stock) in &self.inventory.stock {
            for key in stock {
                if self
                    .key(*key)
                    .is_none_or(|k| k.status != KeyStatus::OnSale || k.product != *product)
                {
                    out.push(format!(
                        "invariant 5 (a key in one order): key {key} in stock is not on sale"
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::chart::{Kind, Leg, Why, account_id};
    use crate::{Config, Currency, Shop};

    #[test]
    fn money_in_refunds_due_that_no_attempt_owes_back_is_named() {
        let mut shop = Shop::new(Config::default());
        assert_eq!(shop.check_invariants(), Vec::<String>::new());
        let cny = Currency::new("CNY").unwrap();
        let stranded = Leg {
            debit: account_id(Kind::Clearing, cny, 0),
            credit: account_id(Kind::RefundsDue, cny, 7),
            amount: 500,
            why: Why::OwedBack,
            order: None,
        };
        shop.move_money(1, cny, &[stranded]).unwrap();
        let found = shop.check_invariants();
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("refunds_due") && f.contains("holds 500")),
            "{found:?}"
        );
    }
}
