//! Crediting a wallet by hand — money received outside a channel, a bank
//! transfer matched by a person — with four eyes: one member of finance
//! asks, a different one approves, and neither may be the one credited.
//! Until approved nothing moves; both steps are audited.

use serde::{Deserialize, Serialize};

use crate::{CreditId, Currency, Shop, ShopError, UserId};

/// Longest note staff may give with a credit.
const NOTE_MAX: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditStatus {
    Requested,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualCredit {
    pub id: CreditId,
    pub maker: UserId,
    pub user: UserId,
    pub currency: Currency,
    pub amount: u64,
    pub note: String,
    pub status: CreditStatus,
    pub asked_at: u64,
    pub checker: Option<UserId>,
}

impl Shop {
    /// Finance asks to credit `user`'s recharge wallet; nothing moves until
    /// another approves.
    pub fn credit_wallet_by(
        &mut self,
        now: u64,
        actor: UserId,
        user: UserId,
        (currency, amount): (Currency, u64),
        note: &str,
    ) -> Result<CreditId, ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        if actor == user {
            return Err(ShopError::Forbidden(actor));
        }
        self.require_user(user)?;
        let note = note.trim();
        if note.is_empty() || note.chars().count() > NOTE_MAX || note.chars().any(char::is_control)
        {
            return Err(ShopError::Invalid(format!(
                "a credit's note is 1 to {NOTE_MAX} characters"
            )));
        }
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a credit is at least 1 minor unit".into(),
            ));
        }
        let id = CreditId(self.credits.list.len() as u64 + 1);
        self.credits.list.push(ManualCredit {
            id,
            maker: actor,
            user,
            currency,
            amount,
            note: note.to_string(),
            status: CreditStatus::Requested,
            asked_at: now,
            checker: None,
        });
        self.audit(now, actor, || {
            format!("asked to credit user {user} {amount} {currency}: {note} (credit {id})")
        });
        Ok(id)
    }

    /// A second member of finance approves (the money moves) or rejects a
    /// credit asked for by another.
    pub fn decide_credit_by(
        &mut self,
        now: u64,
        actor: UserId,
        id: CreditId,
        approve: bool,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        let at = usize::try_from(id.0.wrapping_sub(1)).unwrap_or(usize::MAX);
        let c = self
            .credits
            .list
            .get(at)
            .ok_or_else(|| ShopError::Invalid(format!("credit {id} not found")))?;
        if c.maker == actor || c.user == actor {
            return Err(ShopError::Forbidden(actor));
        }
        if c.status != CreditStatus::Requested {
            return Err(ShopError::Invalid(format!(
                "credit {id} is already decided"
            )));
        }
        let (user, currency, amount) = (c.user, c.currency, c.amount);
        if approve {
            self.credit_wallet(now, user, currency, amount)?;
        }
        self.changes.credits.insert(id.0);
        if let Some(c) = self.credits.list.get_mut(at) {
            c.status = if approve {
                CreditStatus::Approved
            } else {
                CreditStatus::Rejected
            };
            c.checker = Some(actor);
        }
        self.audit(now, actor, || {
            let verb = if approve { "approved" } else { "rejected" };
            format!("{verb} credit {id}: user {user} {amount} {currency}")
        });
        Ok(())
    }

    pub fn manual_credit(&self, id: CreditId) -> Option<&ManualCredit> {
        let at = usize::try_from(id.0.checked_sub(1)?).ok()?;
        self.credits.list.get(at)
    }
}

/// Every manual wallet credit asked for.
#[derive(Debug, Default)]
pub(crate) struct Credits {
    pub(crate) list: Vec<ManualCredit>,
}
