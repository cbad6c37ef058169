//! The shop's domain — users, merchants, products, card-key inventory,
//! orders, escrow, split settlement, wallets and refunds — as commands
//! applied one at a time by the single writer to a [`Shop`].
//!
//! Pure and deterministic: no clock (every command is applied at the time the
//! writer stamped on it), no I/O, no randomness. Secrets never enter in the
//! clear: card keys arrive sealed (encrypted at the edge) with a keyed hash
//! for finding duplicates, and leave as key ids for the edge to open.
//! Money moves only through the ledger, on the chart of accounts in
//! [`chart`].

mod admin;
mod approvals;
pub mod audit;
mod catalog;
mod channel_refunds;
pub mod chart;
mod command;
mod coupons;
mod credits;
mod custody;
mod custody_flows;
mod deposits;
mod describe;
mod destinations;
mod dispatch;
mod disputes;
mod error;
pub mod facts;
mod figures;
mod guest;
pub mod idempotency;
mod ids;
mod invariants;
mod inventory;
pub mod journal;
mod listing;
mod merchants;
mod money;
mod orders;
mod payments;
mod people;
pub mod query;
mod refund_sends;
mod refunds;
mod reply;
pub mod risk;
mod rules;
mod settle;
mod shares;
mod shop;
mod storefront;
mod time;
mod trails;
mod users;
mod withdrawals;

pub use approvals::{Approvable, Approval, ApprovalStatus};
pub use catalog::{Delivery, NewProduct, Product, Tier};
pub use channel_refunds::ChannelRefundDue;
pub use command::Command;
pub use coupons::{Coupon, Discount, NewCoupon};
pub use credits::{CreditStatus, ManualCredit};
pub use custody::{Coverage, OutflowStop, StopReason};
pub use custody_flows::{ChannelSettlement, SettlementSource, SettlementStatus, Sweep};
pub use destinations::{Destination, mask as mask_destination};
pub use error::{ShopError, ShopErrorKind};
pub use facts::{Fact, FactError};
pub use figures::{CHART_DAYS, DashboardView, DayBalances, DayFigures, DayMoney};
pub use ids::{
    ApprovalId, AttemptId, CreditId, DestinationId, KeyId, MerchantId, OrderId, ProductId, SendId,
    SettlementId, SweepId, UserId, WithdrawalId,
};
pub use inventory::{
    ImportReport, InvalidLine, InvalidReason, Key, KeyStatus, SealedKey, parse_key_lines,
};
pub use listing::{OrderSummary, OwnProduct, PAGE_MAX};
pub use merchants::{Merchant, MerchantStatus};
pub use money::{Bps, Currency, MoneyError};
pub use orders::{
    Decision, Dispute, DisputeAction, DisputeStep, Order, OrderStatus, PaidBy, Settlement,
};
pub use payments::{Attempt, AttemptStatus, PaymentOutcome, Purpose};
pub use people::UserLine;
pub use refund_sends::{RefundSend, SendOutcome, SendStatus};
pub use refunds::RefundTo;
pub use reply::{FromReply, Reply, TickReport};
pub use rules::{DepositMinimum, PartyKind, Rules, WithdrawalRule, WithdrawalRuleFor};
pub use shares::{Party, Shares};
pub use shop::{Config, Policy, Shop, show_offset};
pub use storefront::{Email, OutboxKind, OutboxMessage, ProductDetails, ShopLook, StockDisplay};
pub use time::{NANOS_PER_DAY, NANOS_PER_SECOND};
pub use trails::{Movement, OrderTrail, WalletView};
pub use users::{AdminRole, PasswordHash, Role, User};
pub use withdrawals::{TWO_APPROVERS_FROM, WithdrawFrom, Withdrawal, WithdrawalStatus};
