//! The audit log: every action staff take on others' money, orders,
//! merchants or accounts, with who and when. Journaled with the rest, so it
//! cannot be edited without the hash chain showing it.

use serde::{Deserialize, Serialize};

use crate::users::{AdminRole, Role};
use crate::{MerchantId, MerchantStatus, Shop, ShopError, UserId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: u64,
    pub actor: UserId,
    pub action: String,
}

/// Entries a query returns at most, newest last.
pub const AUDIT_PAGE: usize = 1_000;

impl Shop {
    /// Records `action` if `actor` is staff (what merchants and buyers do to
    /// their own things is not an admin action).
    pub(crate) fn audit(&mut self, at: u64, actor: UserId, action: impl FnOnce() -> String) {
        if matches!(self.user(actor).map(|u| u.role), Some(Role::Staff(_))) {
            self.audit_log.entries.push(AuditEntry {
                at,
                actor,
                action: action(),
            });
        }
    }

    /// An admin sets a merchant's status (frozen merchants sell nothing).
    pub fn set_merchant_status_by(
        &mut self,
        now: u64,
        actor: UserId,
        merchant: MerchantId,
        status: MerchantStatus,
    ) -> Result<(), ShopError> {
        let role = self.require_user(actor)?.role;
        if !matches!(role, Role::Staff(AdminRole::Admin | AdminRole::RiskAnalyst)) {
            return Err(ShopError::Forbidden(actor));
        }
        self.set_merchant_status(now, merchant, status)?;
        self.audit(now, actor, || format!("set merchant {merchant} {status:?}"));
        Ok(())
    }

    /// The latest audit entries, for admins and auditors.
    pub fn audit_entries(&self, caller: UserId) -> Result<Vec<AuditEntry>, ShopError> {
        let role = self.require_user(caller)?.role;
        if !matches!(role, Role::Staff(AdminRole::Admin | AdminRole::Auditor)) {
            return Err(ShopError::Forbidden(caller));
        }
        let from = self.audit_log.entries.len().saturating_sub(AUDIT_PAGE);
        Ok(self.audit_log.entries[from..].to_vec())
    }
}

/// The audit log: every staff action, oldest first.
#[derive(Debug, Default)]
pub(crate) struct AuditLog {
    pub(crate) entries: Vec<AuditEntry>,
}
