//! Lists for the admin console: users, newest first, a page at a time,
//! filtered by login and role (staff); and wallet credits waiting for their
//! second member of finance.

use serde::{Deserialize, Serialize};

use crate::credits::{CreditStatus, ManualCredit};
use crate::users::{AdminRole, Role};
use crate::{Shop, ShopError, UserId};

/// One user as the console lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserLine {
    pub id: UserId,
    pub login: String,
    pub role: Role,
    pub created_at: u64,
    /// Signs in with a TOTP code too.
    pub second_factor: bool,
    /// A guest checkout's buyer.
    pub guest: bool,
}

impl Role {
    /// Every role, buyers first.
    pub const ALL: [Role; 7] = [
        Role::Buyer,
        Role::Merchant,
        Role::Staff(AdminRole::Admin),
        Role::Staff(AdminRole::Finance),
        Role::Staff(AdminRole::RiskAnalyst),
        Role::Staff(AdminRole::Support),
        Role::Staff(AdminRole::Auditor),
    ];

    /// The role [`Role::as_str`] names `name`.
    pub fn named(name: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl Shop {
    /// Users older than `before`, newest first, at most `limit` (1 to
    /// [`crate::PAGE_MAX`]), whose login holds `login` (any case) and who
    /// have `role` if given. Staff only; guests' made-up logins are listed
    /// as guests.
    pub fn user_lines(
        &self,
        actor: UserId,
        (login, role): (&str, Option<Role>),
        before: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<UserLine>, ShopError> {
        if !matches!(self.require_user(actor)?.role, Role::Staff(_)) {
            return Err(ShopError::Forbidden(actor));
        }
        let wanted = login.trim().to_lowercase();
        let before = before.map_or(u64::MAX, |u| u.0);
        Ok(self
            .users
            .list
            .iter()
            .rev()
            .filter(|u| u.id.0 < before)
            .filter(|u| role.is_none_or(|r| u.role == r))
            .filter(|u| wanted.is_empty() || u.login.to_lowercase().contains(&wanted))
            .take(limit.clamp(1, crate::PAGE_MAX))
            .map(|u| UserLine {
                id: u.id,
                login: u.login.clone(),
                role: u.role,
                created_at: u.created_at,
                second_factor: u.second_factor.is_some(),
                guest: u.guest,
            })
            .collect())
    }

    /// Wallet credits waiting for a second member of finance, oldest first
    /// (finance and admins).
    pub fn waiting_credits(&self, actor: UserId) -> Result<Vec<ManualCredit>, ShopError> {
        self.require_finance(actor)?;
        Ok(self
            .credits
            .list
            .iter()
            .filter(|c| c.status == CreditStatus::Requested)
            .cloned()
            .collect())
    }
}
