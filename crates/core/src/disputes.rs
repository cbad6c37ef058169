//! Disputes: the buyer opens one before the order confirms itself, which
//! freezes its settlement; the merchant replaces the keys or refunds; an
//! unanswered or contested dispute goes to staff, who decide. Every step is
//! recorded on the order.

use crate::inventory::KeyStatus;
use crate::orders::{Decision, Dispute, DisputeAction, DisputeStep, OrderStatus};
use crate::refunds::RefundTo;
use crate::users::{AdminRole, Role};
use crate::{KeyId, OrderId, Shop, ShopError, UserId};

const REASON_MAX: usize = 2_000;

impl Shop {
    /// The buyer disputes a delivered order inside its dispute window.
    pub fn open_dispute(
        &mut self,
        now: u64,
        buyer: UserId,
        order: OrderId,
        reason: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        if o.buyer != buyer {
            return Err(ShopError::Forbidden(buyer));
        }
        o.expect(OrderStatus::Delivered)?;
        let confirm_at = o.confirm_at.unwrap_or(0);
        if now >= confirm_at {
            return Err(ShopError::DisputeWindowClosed(order));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > REASON_MAX {
            return Err(ShopError::Invalid(format!(
                "a dispute's reason is 1 to {REASON_MAX} characters"
            )));
        }
        self.orders.confirm_due.remove(&(confirm_at, order));
        let o = self.order_mut(order)?;
        o.status = OrderStatus::Disputed;
        let parties = (o.merchant, o.buyer);
        o.dispute = Some(Dispute {
            opened_at: now,
            escalated: false,
            open: true,
            steps: vec![DisputeStep {
                at: now,
                by: Some(buyer),
                action: DisputeAction::Opened {
                    reason: reason.to_string(),
                },
            }],
        });
        self.watch_dispute(now, parties);
        self.disputes.open.insert((now, order));
        Ok(())
    }

    /// The merchant delivers fresh keys for a disputed order; the old ones
    /// stay the order's (the buyer has seen them) and never go back on sale.
    /// The dispute closes and a new dispute window opens.
    pub fn replace_keys(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
    ) -> Result<Vec<KeyId>, ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        self.may_act_for(actor, o.merchant)?;
        o.expect(OrderStatus::Disputed)?;
        let (product, quantity) = (o.product, o.quantity);
        if o.keys.is_empty() {
            return Err(ShopError::Invalid(
                "this order delivered fixed text; refund it instead".into(),
            ));
        }
        if self.stock(product) < u64::from(quantity) {
            return Err(ShopError::OutOfStock {
                available: self.stock(product),
            });
        }
        let new = self.reserve_keys(product, order, quantity);
        for key in &new {
            self.set_key_status(*key, KeyStatus::Delivered(order));
        }
        let confirm_at = now.saturating_add(self.config.dispute_window_ns);
        let o = self.order_mut(order)?;
        let old = std::mem::replace(&mut o.keys, new.clone());
        o.replaced_keys.extend_from_slice(&old);
        o.status = OrderStatus::Delivered;
        o.confirm_at = Some(confirm_at);
        let opened_at = o.dispute.as_ref().map_or(0, |d| d.opened_at);
        if let Some(d) = o.dispute.as_mut() {
            d.open = false;
            d.steps.push(DisputeStep {
                at: now,
                by: Some(actor),
                action: DisputeAction::KeysReplaced {
                    old,
                    new: new.clone(),
                },
            });
        }
        self.disputes.open.remove(&(opened_at, order));
        self.orders.confirm_due.insert((confirm_at, order));
        self.would_send(now, order, crate::OutboxKind::DisputeUpdated);
        Ok(new)
    }

    /// The merchant (or staff) refunds a disputed order in full, closing
    /// the dispute.
    pub fn refund_dispute(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
    ) -> Result<(), ShopError> {
        let o = self.require_order(order)?;
        // Who may comes first: a stranger learns nothing of the order.
        self.may_act_for(actor, o.merchant)?;
        o.expect(OrderStatus::Disputed)?;
        let amount = o.unrefunded();
        self.refund(now, actor, order, amount, RefundTo::Wallet)?;
        self.close_dispute(now, Some(actor), order, DisputeAction::Refunded { amount });
        Ok(())
    }

    /// The buyer or the merchant asks staff to decide.
    pub fn escalate_dispute(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        if o.buyer != actor {
            self.may_act_for(actor, o.merchant)?;
        }
        o.expect(OrderStatus::Disputed)?;
        self.escalate(now, Some(actor), order);
        Ok(())
    }

    /// Sends every dispute left unanswered for the configured time to staff.
    pub fn escalate_unanswered(&mut self, now: u64) -> Result<Vec<OrderId>, ShopError> {
        self.tick(now)?;
        let cutoff = now.saturating_sub(self.config.dispute_answer_ns);
        let due: Vec<OrderId> = self
            .disputes
            .open
            .range(..=(cutoff, OrderId(u64::MAX)))
            .map(|(_, o)| *o)
            .filter(|o| {
                self.order(*o)
                    .and_then(|o| o.dispute.as_ref())
                    .is_some_and(|d| !d.escalated)
            })
            .collect();
        for order in &due {
            self.escalate(now, None, *order);
        }
        Ok(due)
    }

    fn escalate(&mut self, now: u64, by: Option<UserId>, order: OrderId) {
        if let Ok(o) = self.order_mut(order)
            && let Some(d) = o.dispute.as_mut()
            && !d.escalated
        {
            d.escalated = true;
            d.steps.push(DisputeStep {
                at: now,
                by,
                action: DisputeAction::Escalated,
            });
        }
    }

    /// Staff (admin or support) decide an escalated dispute.
    pub fn decide_dispute(
        &mut self,
        now: u64,
        staff: UserId,
        order: OrderId,
        decision: Decision,
    ) -> Result<(), ShopError> {
        self.require_dispute_staff(staff)?;
        let o = self.require_order(order)?;
        o.expect(OrderStatus::Disputed)?;
        if !o.dispute.as_ref().is_some_and(|d| d.escalated) {
            return Err(ShopError::Invalid(
                "the merchant has not had the dispute yet: escalate it first".into(),
            ));
        }
        let limit = self.config.policy.decision_approval_above;
        if let Decision::Refund(amount) = decision
            && amount > limit
        {
            self.require_approval_unless_approved(format!(
                "a dispute decision refunding above {limit} {}",
                o.currency
            ))?;
        }
        match decision {
            Decision::Refund(amount) => {
                self.refund_as(now, staff, order, amount, RefundTo::Wallet, false)?;
                if self.require_order(order)?.status == OrderStatus::Disputed {
                    self.settle(now, order)?;
                }
            }
            Decision::Release => {
                self.tick(now)?;
                self.settle(now, order)?;
            }
        }
        self.close_dispute(now, Some(staff), order, DisputeAction::Decided(decision));
        self.audit(now, staff, || {
            format!("decided the dispute on order {order}: {decision:?}")
        });
        Ok(())
    }

    /// Staff who decide disputes: admins and support.
    pub(crate) fn require_dispute_staff(&self, staff: UserId) -> Result<(), ShopError> {
        match self.require_user(staff)?.role {
            Role::Staff(AdminRole::Admin | AdminRole::Support) => Ok(()),
            _ => Err(ShopError::Forbidden(staff)),
        }
    }

    fn close_dispute(
        &mut self,
        now: u64,
        by: Option<UserId>,
        order: OrderId,
        action: DisputeAction,
    ) {
        let Ok(o) = self.order_mut(order) else {
            return;
        };
        let Some(d) = o.dispute.as_mut() else {
            return;
        };
        d.open = false;
        d.steps.push(DisputeStep {
            at: now,
            by,
            action,
        });
        let opened_at = d.opened_at;
        self.disputes.open.remove(&(opened_at, order));
        self.would_send(now, order, crate::OutboxKind::DisputeUpdated);
    }

    /// The buyer, the order's merchant, or staff who act for merchants or
    /// buyers (admin, finance, support) write in an open dispute; what the
    /// others write would be mailed to the buyer.
    pub fn add_dispute_message(
        &mut self,
        now: u64,
        actor: UserId,
        order: OrderId,
        text: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let o = self.require_order(order)?;
        let buyer = o.buyer == actor;
        let staff = matches!(
            self.require_user(actor)?.role,
            Role::Staff(AdminRole::Admin | AdminRole::Support)
        );
        if !buyer && !staff {
            self.may_act_for(actor, o.merchant)?;
        }
        let o = self.require_order(order)?;
        if !o.dispute.as_ref().is_some_and(|d| d.open) {
            return Err(ShopError::OrderState {
                order,
                status: o.status.as_str(),
                expected: "disputed",
            });
        }
        let text = text.trim();
        let control = |c: char| c.is_control() && c != '\n' && c != '\t';
        if text.is_empty() || text.chars().count() > REASON_MAX || text.chars().any(control) {
            return Err(ShopError::Invalid(format!(
                "a dispute's message is 1 to {REASON_MAX} characters, no control characters"
            )));
        }
        let o = self.order_mut(order)?;
        if let Some(d) = o.dispute.as_mut() {
            d.steps.push(DisputeStep {
                at: now,
                by: Some(actor),
                action: DisputeAction::Message {
                    text: text.to_string(),
                },
            });
        }
        if !buyer {
            self.would_send(now, order, crate::OutboxKind::DisputeUpdated);
        }
        Ok(())
    }
}

/// Open disputes (each kept on its order) by when they were opened.
#[derive(Debug, Default)]
pub(crate) struct Disputes {
    pub(crate) open: std::collections::BTreeSet<(u64, OrderId)>,
}

impl Disputes {
    /// Rebuilds the open disputes from the orders they are kept on.
    pub(crate) fn rebuild_index(&mut self, orders: &[crate::Order]) {
        self.open = orders
            .iter()
            .filter_map(|o| {
                o.dispute
                    .as_ref()
                    .filter(|d| d.open)
                    .map(|d| (d.opened_at, o.id))
            })
            .collect();
    }
}
