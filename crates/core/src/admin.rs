//! What staff do to others' accounts, each checked for the staff role that
//! may and written to the audit log: changing a user's role, opening a
//! merchant for its owner, marking a payment paid after checking with its
//! channel. Crediting a wallet by hand is in `credits`.

use crate::users::{AdminRole, Role};
use crate::{Bps, Currency, MerchantId, Shop, ShopError, UserId};

impl Shop {
    /// An admin gives `user` another role. Admins never change their own.
    pub fn set_role_by(
        &mut self,
        now: u64,
        actor: UserId,
        user: UserId,
        role: Role,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_admin(actor)?;
        if actor == user {
            return Err(ShopError::Forbidden(actor));
        }
        // Two admins lift an outflow stop: no admin is made meanwhile.
        if role == Role::Staff(AdminRole::Admin) && self.outflow_stop().is_some() {
            return Err(ShopError::OutflowsStopped {
                reason: "no admin is made until two admins lift it",
            });
        }
        self.user_mut(user)?.role = role;
        self.audit(now, actor, || format!("set user {user}'s role to {role:?}"));
        Ok(())
    }

    /// An admin opens a merchant for `owner` (a user with the merchant
    /// role), its data key wrapped at the edge.
    pub fn create_merchant_by(
        &mut self,
        now: u64,
        actor: UserId,
        owner: UserId,
        (name, fee, holding_days): (&str, Bps, u32),
        wrapped_key: Vec<u8>,
    ) -> Result<MerchantId, ShopError> {
        self.tick(now)?;
        self.require_admin(actor)?;
        if self.owned_merchant(owner).is_ok() {
            return Err(ShopError::Invalid(format!(
                "user {owner} already owns a merchant"
            )));
        }
        let id = self.create_merchant(now, owner, name, fee, holding_days, wrapped_key)?;
        self.audit(now, actor, || {
            format!("opened merchant {id} for user {owner}")
        });
        Ok(id)
    }

    /// Finance marks an attempt paid (补单) after checking with the channel
    /// that it was: the normal paid path, applied once per channel
    /// transaction like any notification, and audited.
    pub fn payment_succeeded_by(
        &mut self,
        now: u64,
        actor: UserId,
        attempt: crate::AttemptId,
        channel_txn: &str,
        (amount, currency): (u64, Currency),
    ) -> Result<crate::PaymentOutcome, ShopError> {
        self.tick(now)?;
        if !matches!(
            self.require_user(actor)?.role,
            Role::Staff(AdminRole::Finance | AdminRole::Admin)
        ) {
            return Err(ShopError::Forbidden(actor));
        }
        let outcome = self.payment_succeeded(now, attempt, channel_txn, amount, currency)?;
        self.audit(now, actor, || {
            format!("marked attempt {attempt} paid ({channel_txn}) after checking the channel")
        });
        Ok(outcome)
    }

    pub(crate) fn require_admin(&self, actor: UserId) -> Result<(), ShopError> {
        match self.require_user(actor)?.role {
            Role::Staff(AdminRole::Admin) => Ok(()),
            _ => Err(ShopError::Forbidden(actor)),
        }
    }
}
