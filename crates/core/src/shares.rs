//! A settled order's split as it stands, and the debts its parties owe.
//!
//! Settlement divides an order among the merchant, the platform's fee and
//! two levels of referral commission. Each party's part is then followed:
//! what of a commission is still held, what refunds took back from each
//! part, what the reserve paid in a party's place (that party's debt) and
//! what the party's later income from this order repaid of its debts.
//!
//! A debt lives in the books: the reserve pays the buyer, and a memo pair
//! records who owes it — the party's debt account (a debit balance) against
//! `debts`, per currency. Income repays it first: the repaid part goes to
//! the reserve instead of the party, and the memo pair closes by as much.

use std::collections::{BTreeMap, BTreeSet};

use crate::chart::{Kind, Leg, Why, account_id, kind_of};
use crate::{Currency, MerchantId, OrderId, Shop, ShopError, UserId};

/// Parts of a split, in the order the shares are reversed: merchant, fee,
/// level-1 commission, level-2 commission.
pub const MERCHANT: usize = 0;
pub const FEE: usize = 1;

/// A settled order's split as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shares {
    /// The buyer's referrers when the order settled: level 1, level 2.
    pub referrers: [Option<UserId>; 2],
    /// When the held commissions become their referrers' reward.
    pub commission_release_at: u64,
    /// Commission still held, per level.
    pub held: [u64; 2],
    /// Of the fee, what went to the reserve.
    pub to_reserve: u64,
    /// What refunds took back: merchant, fee, level 1, level 2.
    pub reversed: [u64; 4],
    /// What the reserve paid in the place of the merchant, the level-1 and
    /// the level-2 referrer (each became that party's debt).
    pub covered: [u64; 3],
    /// What this order's income repaid of the merchant's, the level-1 and
    /// the level-2 referrer's debts.
    pub repaid: [u64; 3],
}

impl Shares {
    /// Whether a commission is still held for a referrer.
    pub fn holds_commission(&self) -> bool {
        self.held.iter().any(|h| *h > 0)
    }
}

/// Who can owe the reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Party {
    Merchant(MerchantId),
    /// A referrer, by their user id.
    User(UserId),
}

impl Party {
    /// The party's debt account in `currency`.
    pub fn debt_account(self, currency: Currency) -> u128 {
        match self {
            Party::Merchant(m) => account_id(Kind::MerchantDebt, currency, m.0),
            Party::User(u) => account_id(Kind::UserDebt, currency, u.0),
        }
    }

    fn of_debt_account(account: u128) -> Option<Party> {
        let owner = u64::try_from(account & u128::from(u64::MAX)).ok()?;
        match kind_of(account)? {
            Kind::MerchantDebt => Some(Party::Merchant(MerchantId(owner))),
            Kind::UserDebt => Some(Party::User(UserId(owner))),
            _ => None,
        }
    }
}

/// Settled orders' shares, and the indexes that follow them.
#[derive(Debug, Default)]
pub(crate) struct SharesBook {
    pub(crate) list: BTreeMap<OrderId, Shares>,
    /// Orders with commission held, by when it is released.
    pub(crate) commission_holds: BTreeSet<(u64, OrderId)>,
    /// Every debt account that has ever been opened.
    pub(crate) debt_accounts: BTreeSet<u128>,
}

impl SharesBook {
    pub(crate) fn rebuild_index(&mut self) {
        self.commission_holds = self
            .list
            .iter()
            .filter(|(_, s)| s.holds_commission())
            .map(|(id, s)| (s.commission_release_at, *id))
            .collect();
    }
}

impl Shop {
    /// A settled order's shares (none before settlement, or for an order
    /// settled before journal format 3).
    pub fn shares(&self, order: OrderId) -> Option<&Shares> {
        self.shares.list.get(&order)
    }

    /// An order's shares; for one settled before shares were kept, what
    /// they were then: the buyer's referrers, commissions paid at once.
    pub(crate) fn shares_or_legacy(&self, order: OrderId) -> Shares {
        match self.shares(order) {
            Some(shares) => *shares,
            None => {
                let buyer = self.order(order).map(|o| o.buyer);
                let (r1, r2) = buyer.map_or((None, None), |b| self.referrers(b));
                Shares {
                    referrers: [r1, r2],
                    ..Shares::default()
                }
            }
        }
    }

    pub(crate) fn set_shares(&mut self, order: OrderId, shares: Shares) {
        let before = self.shares.list.insert(order, shares);
        if let Some(b) = before.filter(Shares::holds_commission) {
            self.shares
                .commission_holds
                .remove(&(b.commission_release_at, order));
        }
        if shares.holds_commission() {
            self.shares
                .commission_holds
                .insert((shares.commission_release_at, order));
        }
        self.changes.shares.insert(order.0);
    }

    /// What `party` owes the reserve in `currency`.
    pub fn debt(&self, party: Party, currency: Currency) -> u64 {
        self.ledger
            .account(party.debt_account(currency))
            .map_or(0, |a| {
                u64::try_from(a.debits_posted.saturating_sub(a.credits_posted)).unwrap_or(u64::MAX)
            })
    }

    /// The first open debt of `party`, in any currency: (currency, amount).
    pub fn open_debt(&self, party: Party) -> Option<(Currency, u64)> {
        self.shares
            .debt_accounts
            .iter()
            .filter(|a| Party::of_debt_account(**a) == Some(party))
            .filter_map(|a| {
                let account = self.ledger.account(*a)?;
                let owed = account.debits_posted.saturating_sub(account.credits_posted);
                let currency = Currency::from_ledger(account.ledger)?;
                (owed > 0).then(|| (currency, u64::try_from(owed).unwrap_or(u64::MAX)))
            })
            .next()
    }

    /// Refuses while `party` owes the reserve anything.
    pub(crate) fn require_no_debt(&self, party: Party) -> Result<(), ShopError> {
        match self.open_debt(party) {
            Some((currency, amount)) => Err(ShopError::DebtOpen {
                currency: currency.to_string(),
                amount,
            }),
            None => Ok(()),
        }
    }

    /// Legs that pay `income` (coming out of `from`) to `party`'s debt first:
    /// the repaid part to the reserve, the memo pair closed by as much.
    /// Returns the legs and what was repaid; the rest is the party's.
    pub(crate) fn repay_from(
        &self,
        party: Party,
        currency: Currency,
        from: u128,
        income: u64,
        order: OrderId,
    ) -> (Vec<Leg>, u64) {
        let repaid = income.min(self.debt(party, currency));
        if repaid == 0 {
            return (Vec::new(), 0);
        }
        let leg = |debit, credit, why| Leg {
            debit,
            credit,
            amount: repaid,
            why,
            order: Some(order),
        };
        (
            vec![
                leg(
                    from,
                    account_id(Kind::Reserve, currency, 0),
                    Why::DebtRepaid,
                ),
                leg(
                    account_id(Kind::Debts, currency, 0),
                    party.debt_account(currency),
                    Why::DebtClosed,
                ),
            ],
            repaid,
        )
    }

    /// The memo leg that opens `amount` of debt for `party`.
    pub(crate) fn open_debt_leg(
        party: Party,
        currency: Currency,
        amount: u64,
        order: OrderId,
    ) -> Leg {
        Leg {
            debit: party.debt_account(currency),
            credit: account_id(Kind::Debts, currency, 0),
            amount,
            why: Why::DebtOpened,
            order: Some(order),
        }
    }

    /// Notes debt accounts that transfers touch (for `open_debt`).
    pub(crate) fn index_debts(&mut self, accounts: impl IntoIterator<Item = u128>) {
        for a in accounts {
            if matches!(kind_of(a), Some(Kind::MerchantDebt | Kind::UserDebt)) {
                self.shares.debt_accounts.insert(a);
            }
        }
    }
}
