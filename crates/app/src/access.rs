//! The role rules the edge applies before anything reaches the shop (the
//! shop checks its own commands' actors itself): who needs a second factor,
//! who counts as finance, who as staff.

use trigate_core::{AdminRole, Role};

/// Roles that must sign in with a second factor: every member of staff.
pub fn needs_second_factor(role: Role) -> bool {
    matches!(role, Role::Staff(_))
}

/// Finance, or an admin (who may do whatever finance may).
pub fn is_finance(role: Role) -> bool {
    matches!(role, Role::Staff(AdminRole::Finance | AdminRole::Admin))
}

/// Any staff role.
pub fn is_staff(role: Role) -> bool {
    matches!(role, Role::Staff(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_staff_role_needs_a_second_factor_and_only_admins_and_finance_count_as_finance() {
        for role in [Role::Buyer, Role::Merchant] {
            assert!(!needs_second_factor(role) && !is_finance(role), "{role:?}");
        }
        for role in [
            Role::Staff(AdminRole::RiskAnalyst),
            Role::Staff(AdminRole::Support),
            Role::Staff(AdminRole::Auditor),
        ] {
            assert!(needs_second_factor(role) && !is_finance(role), "{role:?}");
        }
        for role in [
            Role::Staff(AdminRole::Admin),
            Role::Staff(AdminRole::Finance),
        ] {
            assert!(needs_second_factor(role) && is_finance(role) && is_staff(role));
        }
        assert!(!is_staff(Role::Merchant) && is_staff(Role::Staff(AdminRole::Auditor)));
    }
}
