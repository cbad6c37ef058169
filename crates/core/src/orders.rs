//! Orders from creation to delivery: keys reserved at once (so stock never
//! oversells and two buyers never get one key), released if the order is
//! not paid in time, and paid by balance in the same command that delivers.

use serde::{Deserialize, Serialize};

use crate::catalog::Delivery;
use crate::chart::Leg;
use crate::chart::{Kind, Why, account_id};
use crate::inventory::KeyStatus;
use crate::{Currency, KeyId, MerchantId, OrderId, ProductId, Shop, ShopError, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    /// Keys reserved, waiting for payment.
    Created,
    /// Money in escrow, nothing delivered yet (fixed-text products are
    /// delivered at once, so this only shows between the two).
    Paid,
    /// Keys or text handed over; the dispute window is open.
    Delivered,
    /// The buyer opened a dispute: settlement waits for its outcome.
    Disputed,
    /// Confirmed (by the buyer, by the closing of the dispute window, or by
    /// staff) and, in the same step, split to the merchant, the platform and
    /// referrers.
    Settled,
    Expired,
    Cancelled,
    /// Every paid minor unit went back to the buyer.
    Refunded,
}

impl OrderStatus {
    /// Every status, in the order an order moves through them.
    pub const ALL: [OrderStatus; 8] = [
        Self::Created,
        Self::Paid,
        Self::Delivered,
        Self::Disputed,
        Self::Settled,
        Self::Expired,
        Self::Cancelled,
        Self::Refunded,
    ];

    /// The status named `name` (as [`Self::as_str`] names it).
    pub fn named(name: &str) -> Option<OrderStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Paid => "paid",
            Self::Delivered => "delivered",
            Self::Disputed => "disputed",
            Self::Settled => "settled",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }
}

/// How an order was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaidBy {
    /// From the buyer's wallet: this much recharge, this much reward.
    Balance { recharge: u64, reward: u64 },
    /// Through a channel, by this attempt.
    Channel(crate::AttemptId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub buyer: UserId,
    pub merchant: MerchantId,
    pub product: ProductId,
    pub quantity: u32,
    pub currency: Currency,
    /// What the buyer pays, in minor units (after any coupon).
    pub amount: u64,
    /// The coupon used, as stored (upper case).
    pub coupon: Option<String>,
    pub status: OrderStatus,
    pub created_at: u64,
    /// When an unpaid order's reservation ends.
    pub reserved_until: u64,
    /// Reserved keys, then the delivered ones.
    pub keys: Vec<KeyId>,
    pub paid_by: Option<PaidBy>,
    pub paid_at: Option<u64>,
    pub delivered_at: Option<u64>,
    /// When a delivered order confirms itself (the dispute window's end).
    pub confirm_at: Option<u64>,
    /// When the buyer confirmed it (or its window closed, or staff released
    /// a dispute). Confirmation settles in the same command, so a confirmed
    /// order is settled at the same moment.
    pub confirmed_at: Option<u64>,
    pub settled_at: Option<u64>,
    pub settlement: Option<crate::orders::Settlement>,
    pub dispute: Option<crate::orders::Dispute>,
    /// Keys delivered, then replaced in a dispute: still this order's.
    pub replaced_keys: Vec<KeyId>,
    /// Minor units returned to the buyer so far.
    pub refunded: u64,
    /// Of those, returned into the recharge wallet.
    pub refunded_to_recharge: u64,
    /// A guest order's lookup secret, hashed at the edge: with the order
    /// number, what lets its buyer read it without signing in.
    pub lookup: Option<crate::PasswordHash>,
}

impl Order {
    /// Paid money still held for this order (in escrow, or with the merchant
    /// after settlement).
    pub fn unrefunded(&self) -> u64 {
        if self.paid_at.is_some() {
            self.amount - self.refunded
        } else {
            0
        }
    }

    /// Whether this order's money is in escrow: paid, not yet settled or
    /// wholly refunded.
    pub fn holds_escrow(&self) -> bool {
        matches!(
            self.status,
            OrderStatus::Paid | OrderStatus::Delivered | OrderStatus::Disputed
        )
    }

    pub(crate) fn expect(&self, expected: OrderStatus) -> Result<(), ShopError> {
        if self.status == expected {
            Ok(())
        } else {
            Err(self.wrong_state(expected.as_str()))
        }
    }

    pub(crate) fn wrong_state(&self, expected: &'static str) -> ShopError {
        ShopError::OrderState {
            order: self.id,
            status: self.status.as_str(),
            expected,
        }
    }
}

/// How a settlement was divided, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settlement {
    pub merchant: u64,
    pub fee: u64,
    pub level1: u64,
    pub level2: u64,
    /// When the merchant's share becomes withdrawable.
    pub release_at: u64,
    /// What of the merchant's share is still held (pending).
    pub held: u64,
}

/// What staff decide on an escalated dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Give the buyer back this much (to their wallet); what is left settles.
    Refund(u64),
    /// The buyer's claim fails: the order settles now.
    Release,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisputeAction {
    Opened {
        reason: String,
    },
    KeysReplaced {
        old: Vec<KeyId>,
        new: Vec<KeyId>,
    },
    Refunded {
        amount: u64,
    },
    Escalated,
    Decided(Decision),
    /// Someone wrote in the dispute (journal format 5 on).
    Message {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeStep {
    pub at: u64,
    /// Who acted; `None` for the scheduler (an unanswered dispute).
    pub by: Option<UserId>,
    pub action: DisputeAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    pub opened_at: u64,
    /// Waiting for staff.
    pub escalated: bool,
    pub open: bool,
    pub steps: Vec<DisputeStep>,
}

impl Shop {
    /// Creates an order and reserves its keys until the reservation ends.
    pub fn create_order(
        &mut self,
        now: u64,
        buyer: UserId,
        product: ProductId,
        quantity: u32,
        coupon: Option<&str>,
    ) -> Result<OrderId, ShopError> {
        self.tick(now)?;
        self.require_user(buyer)?;
        let p = self
            .product(product)
            .ok_or(ShopError::ProductNotFound(product))?;
        if !p.on_sale {
            return Err(ShopError::ProductOffSale(product));
        }
        let (min, max) = (p.spec.min_per_order, p.spec.max_per_order);
        if quantity < min || quantity > max {
            return Err(ShopError::QuantityOutOfRange { quantity, min, max });
        }
        let merchant = p.merchant;
        self.active_merchant(merchant)?;
        let amount = u64::from(quantity)
            .checked_mul(p.unit_price(quantity))
            .ok_or(ShopError::AmountOverflow)?;
        let currency = p.spec.currency;
        self.require_deposit(merchant, currency)?;
        let by_keys = p.spec.delivery == Delivery::Keys;
        if by_keys && self.stock(product) < u64::from(quantity) {
            return Err(ShopError::OutOfStock {
                available: self.stock(product),
            });
        }
        let (amount, coupon) = match coupon {
            Some(code) => {
                let (amount, code) =
                    self.take_coupon(now, merchant, product, currency, amount, code)?;
                (amount, Some(code))
            }
            None => (amount, None),
        };
        let id = OrderId(self.orders.list.len() as u64 + 1);
        let keys = if by_keys {
            self.reserve_keys(product, id, quantity)
        } else {
            Vec::new()
        };
        let reserved_until = now.saturating_add(self.config.reservation_ns);
        self.orders.list.push(Order {
            id,
            buyer,
            merchant,
            product,
            quantity,
            currency,
            amount,
            coupon,
            status: OrderStatus::Created,
            created_at: now,
            reserved_until,
            keys,
            paid_by: None,
            paid_at: None,
            delivered_at: None,
            confirm_at: None,
            confirmed_at: None,
            settled_at: None,
            settlement: None,
            dispute: None,
            replaced_keys: Vec::new(),
            refunded: 0,
            refunded_to_recharge: 0,
            lookup: None,
        });
        self.orders.reservations.insert((reserved_until, id));
        self.orders.dirty.insert(id);
        self.orders.by_buyer.entry(buyer).or_default().push(id);
        self.orders
            .by_merchant
            .entry(merchant)
            .or_default()
            .push(id);
        Ok(id)
    }

    pub fn order(&self, id: OrderId) -> Option<&Order> {
        self.orders.get(id)
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.list.iter()
    }

    pub(crate) fn order_mut(&mut self, id: OrderId) -> Result<&mut Order, ShopError> {
        let order =
            crate::ids::nth_mut(&mut self.orders.list, id.0).ok_or(ShopError::OrderNotFound(id))?;
        self.orders.dirty.insert(id);
        self.changes.orders.insert(id.0);
        Ok(order)
    }

    pub(crate) fn require_order(&self, id: OrderId) -> Result<&Order, ShopError> {
        self.order(id).ok_or(ShopError::OrderNotFound(id))
    }

    /// Ends every unpaid order whose reservation has run out by `now`; their
    /// keys go back on sale. Returns the orders expired.
    pub fn expire_orders(&mut self, now: u64) -> Result<Vec<OrderId>, ShopError> {
        self.tick(now)?;
        let due: Vec<(u64, OrderId)> = self
            .orders
            .reservations
            .range(..=(now, OrderId(u64::MAX)))
            .copied()
            .collect();
        let mut expired = Vec::with_capacity(due.len());
        for entry in due {
            self.orders.reservations.remove(&entry);
            self.close_unpaid(entry.1, OrderStatus::Expired);
            expired.push(entry.1);
        }
        Ok(expired)
    }

    /// The buyer gives up an unpaid order; its keys go back on sale.
    pub fn cancel_order(
        &mut self,
        now: u64,
        buyer: UserId,
        order: OrderId,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        if o.buyer != buyer {
            return Err(ShopError::Forbidden(buyer));
        }
        o.expect(OrderStatus::Created)?;
        self.orders.reservations.remove(&(o.reserved_until, order));
        self.close_unpaid(order, OrderStatus::Cancelled);
        Ok(())
    }

    fn close_unpaid(&mut self, id: OrderId, status: OrderStatus) {
        let Ok(order) = self.order_mut(id) else {
            return;
        };
        order.status = status;
        let keys = std::mem::take(&mut order.keys);
        let (product, merchant, coupon) = (order.product, order.merchant, order.coupon.clone());
        self.release_keys(product, &keys);
        if let Some(code) = coupon {
            self.return_coupon(merchant, &code);
        }
    }

    /// Checkout in one command: creates the order and pays it from the
    /// buyer's wallet, delivering at once. Refused whole (nothing reserved,
    /// no coupon use taken) if the wallet cannot pay.
    pub fn buy_with_balance(
        &mut self,
        now: u64,
        buyer: UserId,
        product: ProductId,
        quantity: u32,
        coupon: Option<&str>,
    ) -> Result<(OrderId, Vec<KeyId>), ShopError> {
        self.tick(now)?;
        let p = self
            .product(product)
            .ok_or(ShopError::ProductNotFound(product))?;
        let (merchant, currency) = (p.merchant, p.spec.currency);
        let list = u64::from(quantity)
            .checked_mul(p.unit_price(quantity))
            .ok_or(ShopError::AmountOverflow)?;
        let price = match coupon {
            Some(code) => self.coupon_price(now, merchant, product, currency, list, code)?,
            None => list,
        };
        let (recharge, reward) = self.wallet(buyer, currency);
        if u128::from(recharge) + u128::from(reward) < u128::from(price) {
            return Err(ShopError::InsufficientBalance);
        }
        // Decided before anything is made, so a refusal leaves nothing.
        let verdict = self.decide_wallet_payment(now, buyer, (merchant, price, currency, None))?;
        let order = self.create_order(now, buyer, product, quantity, coupon)?;
        let keys = self.pay_from_wallet(now, buyer, order, verdict)?;
        Ok((order, keys))
    }

    /// Pays an order from the buyer's wallet — recharge first, then reward —
    /// into escrow, and delivers it, in one command (unless the risk
    /// decision holds it: then nothing is delivered until it is reviewed).
    pub fn pay_by_balance(
        &mut self,
        now: u64,
        buyer: UserId,
        order: OrderId,
    ) -> Result<Vec<KeyId>, ShopError> {
        self.tick(now)?;
        let (amount, currency) = self.payable(now, buyer, order)?;
        let (recharge, reward) = self.wallet(buyer, currency);
        if u128::from(recharge) + u128::from(reward) < u128::from(amount) {
            return Err(ShopError::InsufficientBalance);
        }
        let merchant = self.require_order(order)?.merchant;
        let paying = (merchant, amount, currency, Some(order));
        let verdict = self.decide_wallet_payment(now, buyer, paying)?;
        self.pay_from_wallet(now, buyer, order, verdict)
    }

    /// The decision on paying `amount` to `merchant` from the buyer's
    /// wallet, for `order` when it exists already.
    fn decide_wallet_payment(
        &mut self,
        now: u64,
        buyer: UserId,
        (merchant, amount, currency, order): (MerchantId, u64, Currency, Option<OrderId>),
    ) -> Result<crate::risk::Verdict, ShopError> {
        let ask = crate::risk::Ask {
            actor: Some(buyer),
            amount,
            currency: Some(currency),
            merchant: Some(merchant),
            subject: order.map(crate::risk::Subject::Order),
            ..Default::default()
        };
        self.decide_risk(now, trigate_risk::Point::WalletPayment, ask)
    }

    fn pay_from_wallet(
        &mut self,
        now: u64,
        buyer: UserId,
        order: OrderId,
        verdict: crate::risk::Verdict,
    ) -> Result<Vec<KeyId>, ShopError> {
        let (amount, currency) = self.payable(now, buyer, order)?;
        let (recharge, reward) = self.wallet(buyer, currency);
        let from_recharge = amount.min(recharge);
        let from_reward = amount - from_recharge;
        if from_reward > reward {
            return Err(ShopError::InsufficientBalance);
        }
        let escrow = account_id(Kind::Escrow, currency, 0);
        let leg = |kind, amount| Leg {
            debit: account_id(kind, currency, buyer.0),
            credit: escrow,
            amount,
            why: Why::PayByBalance,
            order: Some(order),
        };
        self.move_money(
            now,
            currency,
            &[
                leg(Kind::WalletRecharge, from_recharge),
                leg(Kind::WalletReward, from_reward),
            ],
        )?;
        let o = self.order_mut(order)?;
        o.paid_by = Some(PaidBy::Balance {
            recharge: from_recharge,
            reward: from_reward,
        });
        o.paid_at = Some(now);
        o.status = OrderStatus::Paid;
        let (reserved_until, parties, amount) = (o.reserved_until, (o.merchant, o.buyer), o.amount);
        self.watch_sale(now, parties, amount);
        self.orders.reservations.remove(&(reserved_until, order));
        match verdict {
            crate::risk::Verdict::Go => {
                self.risk
                    .name_subject(now, crate::risk::Subject::Order(order));
                Ok(self.deliver(now, order))
            }
            crate::risk::Verdict::Hold(decision) => {
                self.open_review(now, decision, crate::risk::Subject::Order(order));
                Ok(Vec::new())
            }
        }
    }

    /// An order its buyer may pay now: (amount, currency).
    pub(crate) fn payable(
        &self,
        now: u64,
        buyer: UserId,
        order: OrderId,
    ) -> Result<(u64, Currency), ShopError> {
        let o = self.require_order(order)?;
        if o.buyer != buyer {
            return Err(ShopError::Forbidden(buyer));
        }
        o.expect(OrderStatus::Created)?;
        if now >= o.reserved_until {
            return Err(ShopError::ReservationExpired(order));
        }
        Ok((o.amount, o.currency))
    }

    /// Hands a paid order over: its reserved keys become its own for good,
    /// and the dispute window opens.
    pub(crate) fn deliver(&mut self, now: u64, id: OrderId) -> Vec<KeyId> {
        let confirm_at = now.saturating_add(self.config.dispute_window_ns);
        let Ok(order) = self.order_mut(id) else {
            return Vec::new();
        };
        order.status = OrderStatus::Delivered;
        order.delivered_at = Some(now);
        order.confirm_at = Some(confirm_at);
        let keys = order.keys.clone();
        for key in &keys {
            self.set_key_status(*key, KeyStatus::Delivered(id));
        }
        self.orders.confirm_due.insert((confirm_at, id));
        self.would_send(now, id, crate::OutboxKind::OrderDelivered);
        keys
    }
}

/// Every order, indexed by buyer and merchant and by what is due when.
#[derive(Debug, Default)]
pub(crate) struct Orders {
    pub(crate) list: Vec<Order>,
    /// Each buyer's orders and each merchant's sales, oldest first.
    pub(crate) by_buyer: std::collections::HashMap<UserId, Vec<OrderId>>,
    pub(crate) by_merchant: std::collections::HashMap<MerchantId, Vec<OrderId>>,
    /// Unpaid orders by when their reservation ends.
    pub(crate) reservations: std::collections::BTreeSet<(u64, OrderId)>,
    /// Delivered orders by when they confirm themselves.
    pub(crate) confirm_due: std::collections::BTreeSet<(u64, OrderId)>,
    /// Settled sales by when the merchant's share is released.
    pub(crate) holds: std::collections::BTreeSet<(u64, OrderId)>,
    /// Orders changed since the derived tables last took them.
    pub(crate) dirty: std::collections::BTreeSet<OrderId>,
}

impl Orders {
    pub(crate) fn get(&self, id: OrderId) -> Option<&Order> {
        crate::ids::nth(&self.list, id.0)
    }

    /// Rebuilds who bought and sold what, and what falls due when, from
    /// the orders.
    pub(crate) fn rebuild_index(&mut self) {
        self.by_buyer.clear();
        self.by_merchant.clear();
        self.reservations.clear();
        self.confirm_due.clear();
        self.holds.clear();
        for o in &self.list {
            self.by_buyer.entry(o.buyer).or_default().push(o.id);
            self.by_merchant.entry(o.merchant).or_default().push(o.id);
            match o.status {
                OrderStatus::Created => {
                    self.reservations.insert((o.reserved_until, o.id));
                }
                OrderStatus::Delivered => {
                    if let Some(at) = o.confirm_at {
                        self.confirm_due.insert((at, o.id));
                    }
                }
                _ => {}
            }
            if let Some(s) = o.settlement
                && s.held > 0
            {
                self.holds.insert((s.release_at, o.id));
            }
        }
    }
}
