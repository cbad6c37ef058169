//! Answers about orders: an order with its keys and money trail, a page of
//! orders, a settlement, refunds, and an order's status after a change.

use serde::Serialize;
use trigate_app::OrderDetails;
use trigate_core::chart::Why;
use trigate_core::{Movement, OrderSummary, Settlement};

use super::rfc3339;

/// One movement of money, as its owner reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementAnswer {
    /// The ledger transfer's id.
    pub transfer: u128,
    /// When it moved (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub at: String,
    /// The account it left: `wallet:recharge`, `escrow`, `clearing`, …
    pub from: String,
    /// The account it reached.
    pub to: String,
    /// Minor units of `currency`.
    pub amount: u64,
    pub currency: String,
    /// Why it moved: `pay_by_balance`, `pay_by_channel`, `credit`,
    /// `owed_back`, `settle_merchant`, `settle_fee`, `settle_commission`,
    /// `release`, `refund`, `clawback`, `refund_sent`, `deposit`, `fund`,
    /// `withdraw`, `payout` or `payout_returned`.
    pub why: &'static str,
    /// The order it was for, if any.
    pub order: Option<u64>,
}

impl MovementAnswer {
    pub fn new(m: &Movement, currency: &str) -> Self {
        Self {
            transfer: m.transfer,
            at: rfc3339(m.at),
            from: m.from.clone(),
            to: m.to.clone(),
            amount: m.amount,
            currency: currency.to_string(),
            why: Why::from_code(m.why).map_or("other", Why::as_str),
            order: m.order.map(|o| o.0),
        }
    }
}

/// An order: its keys (opened, for those who may see them) and its money.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrderAnswer {
    pub order: u64,
    /// `created`, `paid`, `delivered`, `disputed`, `settled`, `expired`,
    /// `cancelled` or `refunded`.
    pub status: String,
    pub currency: String,
    /// What it costs, in minor units.
    pub amount: u64,
    /// What has been refunded of it.
    pub refunded: u64,
    /// The delivered keys; empty until paid.
    pub keys: Vec<String>,
    /// For a product delivered as a text or link, that text once paid.
    pub text: Option<String>,
    /// Every transfer made for it, oldest first.
    pub money: Vec<MovementAnswer>,
    /// Paid and held for the shop's risk review: its keys come once an
    /// analyst approves (declined: the money goes back where it came from).
    pub held_for_review: bool,
}

// The opened keys and the delivered text are never shown by `Debug`.
impl std::fmt::Debug for OrderAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderAnswer")
            .field("order", &self.order)
            .field("status", &self.status)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl From<&OrderDetails> for OrderAnswer {
    fn from(o: &OrderDetails) -> Self {
        let currency = o.currency.to_string();
        Self {
            order: o.order.0,
            status: o.status.clone(),
            currency: currency.clone(),
            amount: o.amount,
            refunded: o.refunded,
            keys: trigate_app::exposed(&o.keys),
            text: o.text.clone(),
            money: o
                .money
                .iter()
                .map(|m| MovementAnswer::new(m, &currency))
                .collect(),
            held_for_review: o.held_for_review,
        }
    }
}

/// An order in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderLine {
    pub order: u64,
    pub product: u64,
    pub quantity: u32,
    pub currency: String,
    pub amount: u64,
    pub refunded: u64,
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&OrderSummary> for OrderLine {
    fn from(o: &OrderSummary) -> Self {
        Self {
            order: o.order.0,
            product: o.product.0,
            quantity: o.quantity,
            currency: o.currency.to_string(),
            amount: o.amount,
            refunded: o.refunded,
            status: o.status.clone(),
            created_at: rfc3339(o.created_at),
        }
    }
}

/// A page of orders, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrdersPage {
    pub orders: Vec<OrderLine>,
    /// Pass as `before` for the next page; none on the last.
    pub next_before: Option<u64>,
}

/// How a confirmed order was split, in minor units of `currency`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Confirmed {
    pub order: u64,
    /// Always `settled`.
    pub status: &'static str,
    pub currency: String,
    /// The merchant's share.
    pub merchant: u64,
    /// The platform's fee.
    pub fee: u64,
    /// The buyer's referrer's commission.
    pub level1: u64,
    /// Their referrer's.
    pub level2: u64,
    /// Of the merchant's share, what is held until `release_at`.
    pub held: u64,
    #[schema(format = DateTime)]
    pub release_at: String,
}

impl Confirmed {
    pub fn new(order: u64, currency: String, s: &Settlement) -> Self {
        Self {
            order,
            status: "settled",
            currency,
            merchant: s.merchant,
            fee: s.fee,
            level1: s.level1,
            level2: s.level2,
            held: s.held,
            release_at: rfc3339(s.release_at),
        }
    }
}

/// An order's status after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderStatusAnswer {
    pub order: u64,
    /// As in [`OrderAnswer`]'s `status`.
    pub status: String,
}

/// A dispute handed to staff.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Escalated {
    pub order: u64,
    /// Always true.
    pub escalated: bool,
}

/// What staff decided on a dispute.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeDecided {
    pub order: u64,
    pub currency: String,
    /// `release` (the order settles) or `refund`.
    pub decision: &'static str,
    /// For `refund`, what went back to the buyer (minor units); none while
    /// it waits for approval.
    pub refunded: Option<u64>,
    /// `decided`, or `waiting_approval` (answered 202: a second member of
    /// staff approves it under `approval`; nothing moved yet).
    pub status: &'static str,
    pub approval: Option<u64>,
}

/// A refund, to the wallet or through the channel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefundAnswer {
    pub order: u64,
    pub currency: String,
    /// What this refund gave back (minor units).
    pub refunded: u64,
    /// Where it went: `channel` (back through the channel the order was
    /// paid by) or `wallet` — also for a refund asked to go to the channel
    /// of an order not paid through one.
    pub to: &'static str,
    /// For a refund to the channel: whether the channel took it now.
    pub channel: Option<ChannelSend>,
    /// `refunded`, or `waiting_approval` (answered 202: a refund by staff
    /// above the shop's limit, or one the reserve would pay, waits for a
    /// second member of staff under `approval`; nothing moved yet).
    pub status: &'static str,
    pub approval: Option<u64>,
}

/// A refund sent back through a channel, or still owed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelSend {
    /// `sent`, or `pending` (it stays owed; `…/channel-refund` sends it).
    pub status: &'static str,
    /// What was sent (minor units); 0 while pending.
    pub sent: u64,
    /// Why it is pending: the error's code.
    pub error: Option<&'static str>,
}

/// What was sent back through the order's channel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChannelRefundSent {
    pub order: u64,
    pub currency: String,
    /// Minor units; 0 when nothing was owed.
    pub sent: u64,
}
