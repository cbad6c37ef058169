//! The chart of accounts (DESIGN.md), per currency, as ledger account ids:
//! the kind in the top byte, the currency's ledger number, then the owner
//! (user or merchant id; 0 for the platform's own accounts). An id says what
//! an account is, so the books can be read without a lookup table.

use trigate_ledger::AccountFlags;

use crate::Currency;

/// What an account holds. The discriminant is its ledger `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Kind {
    /// Asset: money at the segregated custodian bank.
    Custody = 1,
    /// Asset: paid by buyers through a channel, not yet settled by it.
    Clearing = 2,
    /// Asset: the platform's own bank account.
    Operating = 3,
    /// Liability: paid orders not yet settled or refunded.
    Escrow = 10,
    /// Liability: a user's recharged balance (spendable, not withdrawable).
    WalletRecharge = 11,
    /// Liability: a user's commissions (spendable and withdrawable).
    WalletReward = 12,
    /// Liability: a referrer's commissions inside their holding period
    /// (neither spendable nor withdrawable; reversed first by a refund).
    CommissionHeld = 13,
    /// Memo: what a user (as a referrer) owes the reserve for refunds it
    /// paid in their place. Its balance is a debit; `Debts` mirrors it.
    UserDebt = 14,
    /// Liability: a merchant's settled sales inside the holding period.
    MerchantPending = 20,
    /// Liability: a merchant's withdrawable balance.
    MerchantAvailable = 21,
    /// Liability: a merchant's security deposit.
    MerchantDeposit = 22,
    /// Memo: what a merchant owes the reserve for refunds it paid in the
    /// merchant's place. Its balance is a debit; `Debts` mirrors it.
    MerchantDebt = 23,
    /// Liability: money owed back to buyers through the channel they paid by.
    RefundsDue = 30,
    /// Liability: withdrawals approved, not yet paid out.
    Payouts = 31,
    /// Income: platform fees earned.
    Fees = 40,
    /// Liability: the risk reserve fund. It pays refunds a merchant's
    /// balances cannot cover (the merchant then owes it), so it may go
    /// below zero until the platform tops it up.
    Reserve = 50,
    /// Memo: the other side of every open debt, per currency (what the
    /// reserve is owed back). Not money anyone holds.
    Debts = 51,
    /// Expense: losses the platform bears (a payout a channel made twice,
    /// a chargeback), booked out of custody so coverage shows them.
    Losses = 60,
    /// Expense: what channels kept of the payments they settled.
    ChannelFees = 61,
}

impl Kind {
    /// Liabilities must never go negative; assets and income may.
    pub fn flags(self) -> AccountFlags {
        match self {
            Kind::Custody
            | Kind::Clearing
            | Kind::Operating
            | Kind::Fees
            | Kind::Losses
            | Kind::ChannelFees => AccountFlags::empty(),
            Kind::Reserve => AccountFlags::empty(),
            // A debt is repaid at most to zero.
            Kind::UserDebt | Kind::MerchantDebt => AccountFlags::CREDITS_MUST_NOT_EXCEED_DEBITS,
            _ => AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS,
        }
    }

    pub fn from_code(code: u16) -> Option<Kind> {
        [
            Kind::Custody,
            Kind::Clearing,
            Kind::Operating,
            Kind::Escrow,
            Kind::WalletRecharge,
            Kind::WalletReward,
            Kind::CommissionHeld,
            Kind::UserDebt,
            Kind::MerchantPending,
            Kind::MerchantAvailable,
            Kind::MerchantDeposit,
            Kind::MerchantDebt,
            Kind::RefundsDue,
            Kind::Payouts,
            Kind::Fees,
            Kind::Reserve,
            Kind::Debts,
            Kind::Losses,
            Kind::ChannelFees,
        ]
        .into_iter()
        .find(|k| *k as u16 == code)
    }

    /// Money the platform holds for users: wallets, escrow, merchant
    /// balances, refunds owed. What custody and clearing must cover.
    pub fn is_user_liability(self) -> bool {
        matches!(
            self,
            Kind::Escrow
                | Kind::WalletRecharge
                | Kind::WalletReward
                | Kind::CommissionHeld
                | Kind::MerchantPending
                | Kind::MerchantAvailable
                | Kind::MerchantDeposit
                | Kind::RefundsDue
                | Kind::Payouts
        )
    }
}

/// The ledger id of `kind` in `currency` for `owner` (0 for platform accounts).
pub fn account_id(kind: Kind, currency: Currency, owner: u64) -> u128 {
    (u128::from(kind as u16) << 112) | (u128::from(currency.ledger()) << 64) | u128::from(owner)
}

/// The kind an account id was made for, if it is one of the chart's.
pub fn kind_of(id: u128) -> Option<Kind> {
    Kind::from_code(u16::try_from(id >> 112).ok()?)
}

/// Why money moved: the `code` of every transfer the shop makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum Why {
    /// Buyer's wallet → escrow, paying an order by balance.
    PayByBalance = 1,
    /// Clearing → escrow, an order paid through a channel.
    PayByChannel = 2,
    /// Clearing → wallet, a recharge or a payment that found no order to pay.
    Credit = 3,
    /// Clearing → refunds due: a guest's payment no order could take, owed
    /// back through its channel.
    OwedBack = 4,
    /// Escrow → merchant pending, the merchant's net share.
    SettleMerchant = 10,
    /// Escrow → fees.
    SettleFee = 11,
    /// Escrow → a referrer's reward wallet.
    SettleCommission = 12,
    /// Merchant pending → available after the holding period.
    Release = 13,
    /// Escrow → the buyer, before settlement.
    Refund = 20,
    /// A merchant's balances (or the reserve) → the buyer, after settlement.
    Clawback = 21,
    /// Refunds due → clearing: a refund the channel has sent the buyer.
    RefundSent = 22,
    /// Merchant available → deposit.
    Deposit = 30,
    /// Outside money brought in (tests, the demo, reconciliation).
    Fund = 40,
    /// A wallet's reward or a merchant's available balance → payouts: a
    /// withdrawal, reserved when asked for and posted when approved.
    Withdraw = 50,
    /// Payouts → custody: the withdrawal paid out to its destination.
    Payout = 51,
    /// Payouts → back where it came from: a payout that failed.
    PayoutReturned = 52,
    /// A referrer's held commission → their reward, after its holding period.
    CommissionRelease = 14,
    /// Escrow → reserve: the reserve's share of a platform fee.
    ReserveShare = 15,
    /// Fees → the buyer: the platform fee's part of a refund after settlement.
    ReverseFee = 23,
    /// A referrer's held commission or reward → the buyer: the commission's
    /// part of a refund after settlement.
    ReverseCommission = 24,
    /// Reserve → the buyer: a part of a refund its party could not cover.
    ReserveCover = 25,
    /// Debts → a party's debt account (memo): a debt opened.
    DebtOpened = 26,
    /// A party's income → reserve: a debt repaid from it.
    DebtRepaid = 27,
    /// A party's debt account → debts (memo): a debt repaid.
    DebtClosed = 28,
    /// Custody → reserve: money the platform puts into its reserve (a top-up
    /// approved by a second member of finance).
    ReserveTopUp = 41,
    /// Custody → losses: a loss the platform bears.
    Loss = 60,
    /// Operating → custody: the platform's own money into custody (a
    /// top-up approved by a second member of finance).
    CustodyTopUp = 42,
    /// Clearing → custody: what a channel paid the platform.
    ChannelSettled = 43,
    /// Clearing → channel fees: what the channel kept of it.
    ChannelFee = 61,
    /// Custody → operating: earned fees swept to the platform's account.
    Sweep = 44,
    /// Payouts → fees: a withdrawal's fee, earned when it is paid out.
    WithdrawalFee = 53,
    /// Custody → a merchant's deposit: paid in from outside.
    DepositIn = 31,
    /// A merchant's deposit → the reserve: forfeited on a ban.
    DepositForfeit = 32,
}

impl Why {
    /// Every reason (each added at the end).
    pub const ALL: [Why; 33] = [
        Why::PayByBalance,
        Why::PayByChannel,
        Why::Credit,
        Why::OwedBack,
        Why::SettleMerchant,
        Why::SettleFee,
        Why::SettleCommission,
        Why::Release,
        Why::Refund,
        Why::Clawback,
        Why::RefundSent,
        Why::Deposit,
        Why::Fund,
        Why::Withdraw,
        Why::Payout,
        Why::PayoutReturned,
        Why::CommissionRelease,
        Why::ReserveShare,
        Why::ReverseFee,
        Why::ReverseCommission,
        Why::ReserveCover,
        Why::DebtOpened,
        Why::DebtRepaid,
        Why::DebtClosed,
        Why::ReserveTopUp,
        Why::Loss,
        Why::CustodyTopUp,
        Why::ChannelSettled,
        Why::ChannelFee,
        Why::Sweep,
        Why::WithdrawalFee,
        Why::DepositIn,
        Why::DepositForfeit,
    ];

    /// The name the API shows for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Why::PayByBalance => "pay_by_balance",
            Why::PayByChannel => "pay_by_channel",
            Why::Credit => "credit",
            Why::OwedBack => "owed_back",
            Why::SettleMerchant => "settle_merchant",
            Why::SettleFee => "settle_fee",
            Why::SettleCommission => "settle_commission",
            Why::Release => "release",
            Why::Refund => "refund",
            Why::Clawback => "clawback",
            Why::RefundSent => "refund_sent",
            Why::Deposit => "deposit",
            Why::Fund => "fund",
            Why::Withdraw => "withdraw",
            Why::Payout => "payout",
            Why::PayoutReturned => "payout_returned",
            Why::CommissionRelease => "commission_release",
            Why::ReserveShare => "reserve_share",
            Why::ReverseFee => "reverse_fee",
            Why::ReverseCommission => "reverse_commission",
            Why::ReserveCover => "reserve_cover",
            Why::DebtOpened => "debt_opened",
            Why::DebtRepaid => "debt_repaid",
            Why::DebtClosed => "debt_closed",
            Why::ReserveTopUp => "reserve_top_up",
            Why::Loss => "loss",
            Why::CustodyTopUp => "custody_top_up",
            Why::ChannelSettled => "channel_settled",
            Why::ChannelFee => "channel_fee",
            Why::Sweep => "sweep",
            Why::WithdrawalFee => "withdrawal_fee",
            Why::DepositIn => "deposit_in",
            Why::DepositForfeit => "deposit_forfeit",
        }
    }

    /// The reason a transfer's code stands for.
    pub fn from_code(code: u16) -> Option<Why> {
        Self::ALL.into_iter().find(|w| *w as u16 == code)
    }
}

/// One leg of a money movement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leg {
    pub debit: u128,
    pub credit: u128,
    pub amount: u64,
    pub why: Why,
    pub order: Option<crate::OrderId>,
}

#[cfg(test)]
mod tests {
    use super::Why;

    #[test]
    fn every_reason_reads_back_from_its_code_under_its_own_name() {
        let mut names = std::collections::BTreeSet::new();
        for why in Why::ALL {
            assert_eq!(Why::from_code(why as u16), Some(why));
            assert!(names.insert(why.as_str()), "{why:?} named twice");
        }
        // Every code from 0 to the highest: a reason, or none.
        let known = (0..=u16::MAX)
            .filter(|c| Why::from_code(*c).is_some())
            .count();
        assert_eq!(known, Why::ALL.len());
        assert_eq!(Why::from_code(0), None);
    }
}
