//! Users and roles, and the referral link: set once, at registration, from
//! the referrer's code, and never changed.

use serde::{Deserialize, Serialize};

use crate::{Shop, ShopError, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AdminRole {
    Admin,
    Finance,
    RiskAnalyst,
    Support,
    Auditor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Buyer,
    Merchant,
    Staff(AdminRole),
}

impl Role {
    /// The name the API shows for it: `buyer`, `merchant`, or the staff
    /// role (`admin`, `finance`, `risk_analyst`, `support`, `auditor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Merchant => "merchant",
            Role::Staff(AdminRole::Admin) => "admin",
            Role::Staff(AdminRole::Finance) => "finance",
            Role::Staff(AdminRole::RiskAnalyst) => "risk_analyst",
            Role::Staff(AdminRole::Support) => "support",
            Role::Staff(AdminRole::Auditor) => "auditor",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub login: String,
    pub role: Role,
    /// The code others register with to name this user as their referrer.
    pub referral_code: String,
    /// Who referred this user; fixed at registration.
    pub referrer: Option<UserId>,
    pub created_at: u64,
    /// The password's hash (a PHC string made at the edge), if the user
    /// signs in with one.
    pub password: Option<PasswordHash>,
    /// The TOTP secret, sealed at the edge under the master key.
    pub second_factor: Option<Vec<u8>>,
    /// A guest checkout's buyer: no login, no wallet they can use.
    pub guest: bool,
}

/// A password hash: compared at the edge, never shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// Longest password hash accepted.
const HASH_MAX: usize = 512;

/// Longest login accepted.
const LOGIN_MAX: usize = 64;

/// A short code for a user id: letters and digits that read unambiguously,
/// mixed so consecutive ids do not give consecutive codes.
fn referral_code(id: UserId) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    // An odd multiplier is a bijection on u64: distinct ids, distinct codes.
    let mut n = id.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut code = String::with_capacity(13);
    for _ in 0..13 {
        code.push(char::from(ALPHABET[(n & 31) as usize]));
        n >>= 5;
    }
    code
}

/// Refuses a hash that is empty, too long or has control characters.
pub(crate) fn check_hash(hash: &PasswordHash, what: &str) -> Result<(), ShopError> {
    if hash.0.is_empty() || hash.0.len() > HASH_MAX || hash.0.chars().any(char::is_control) {
        return Err(ShopError::Invalid(format!(
            "{what} is 1 to {HASH_MAX} characters"
        )));
    }
    Ok(())
}

impl Shop {
    /// Registers a user. A buyer may name a referrer by code; staff and
    /// merchants are never referred.
    pub fn register(
        &mut self,
        now: u64,
        login: &str,
        role: Role,
        referrer_code: Option<&str>,
    ) -> Result<UserId, ShopError> {
        self.tick(now)?;
        let login = login.trim();
        if login.is_empty() || login.chars().count() > LOGIN_MAX {
            return Err(ShopError::Invalid(format!(
                "a login is 1 to {LOGIN_MAX} characters"
            )));
        }
        if login.chars().any(char::is_control) {
            return Err(ShopError::Invalid(
                "a login has no control characters".into(),
            ));
        }
        let key = login.to_lowercase();
        if self.users.logins.contains_key(&key) {
            return Err(ShopError::LoginTaken(login.to_string()));
        }
        let referrer = match (referrer_code, role) {
            (None, _) => None,
            (Some(code), Role::Buyer) => Some(
                *self
                    .users
                    .referral_codes
                    .get(code.trim())
                    .ok_or_else(|| ShopError::ReferrerNotFound(code.to_string()))?,
            ),
            (Some(_), _) => {
                return Err(ShopError::Invalid(
                    "only buyers register with a referrer".into(),
                ));
            }
        };
        let id = UserId(self.users.list.len() as u64 + 1);
        let user = User {
            id,
            login: login.to_string(),
            role,
            referral_code: referral_code(id),
            referrer,
            created_at: now,
            password: None,
            second_factor: None,
            guest: false,
        };
        self.users.logins.insert(key, id);
        self.users
            .referral_codes
            .insert(user.referral_code.clone(), id);
        self.users.list.push(user);
        Ok(id)
    }

    /// Registers a user who signs in with a password (hashed at the edge).
    pub fn register_with_password(
        &mut self,
        now: u64,
        login: &str,
        role: Role,
        referrer_code: Option<&str>,
        password: PasswordHash,
    ) -> Result<UserId, ShopError> {
        check_hash(&password, "a password hash")?;
        let id = self.register(now, login, role, referrer_code)?;
        if let Some(user) = self.users.list.last_mut() {
            user.password = Some(password);
        }
        Ok(id)
    }

    /// Enrols (or replaces) a user's second factor: a TOTP secret sealed at
    /// the edge. Only the user or an admin may.
    pub fn enroll_second_factor(
        &mut self,
        now: u64,
        actor: UserId,
        user: UserId,
        sealed: Vec<u8>,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let who = self.require_user(actor)?;
        if actor != user && who.role != Role::Staff(AdminRole::Admin) {
            return Err(ShopError::Forbidden(actor));
        }
        if sealed.is_empty() || sealed.len() > 256 {
            return Err(ShopError::Invalid(
                "a sealed second factor is 1 to 256 bytes".into(),
            ));
        }
        self.user_mut(user)?.second_factor = Some(sealed);
        if actor != user {
            self.audit(now, actor, || {
                format!("enrolled a second factor for user {user}")
            });
        }
        Ok(())
    }

    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.get(id)
    }

    /// A user to change (the change is journaled).
    pub(crate) fn user_mut(&mut self, id: UserId) -> Result<&mut User, ShopError> {
        let Shop { users, changes, .. } = self;
        let user = users.get_mut(id).ok_or(ShopError::UserNotFound(id))?;
        changes.users.insert(id.0);
        Ok(user)
    }

    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users.by_login(login)
    }

    /// The user's referrers: level 1 (who referred them) and level 2 (who
    /// referred the referrer). Never more than two.
    pub fn referrers(&self, id: UserId) -> (Option<UserId>, Option<UserId>) {
        let first = self.user(id).and_then(|u| u.referrer);
        let second = first.and_then(|r| self.user(r)).and_then(|u| u.referrer);
        (first, second)
    }

    pub(crate) fn require_user(&self, id: UserId) -> Result<&User, ShopError> {
        self.user(id).ok_or(ShopError::UserNotFound(id))
    }
}

/// The shop's users, with their logins and referral codes indexed.
#[derive(Debug, Default)]
pub(crate) struct Users {
    pub(crate) list: Vec<User>,
    /// Lower-cased login → user.
    pub(crate) logins: std::collections::HashMap<String, UserId>,
    pub(crate) referral_codes: std::collections::HashMap<String, UserId>,
}

impl Users {
    pub(crate) fn get(&self, id: UserId) -> Option<&User> {
        crate::ids::nth(&self.list, id.0)
    }

    pub(crate) fn get_mut(&mut self, id: UserId) -> Option<&mut User> {
        crate::ids::nth_mut(&mut self.list, id.0)
    }

    /// The user signing in as `login` (case and surrounding space ignored).
    pub(crate) fn by_login(&self, login: &str) -> Option<&User> {
        self.logins
            .get(&login.trim().to_lowercase())
            .and_then(|id| self.get(*id))
    }

    /// Rebuilds the logins and referral codes from the users.
    pub(crate) fn rebuild_index(&mut self) {
        self.logins.clear();
        self.referral_codes.clear();
        for u in self.list.iter().filter(|u| !u.guest) {
            self.logins.insert(u.login.to_lowercase(), u.id);
            self.referral_codes.insert(u.referral_code.clone(), u.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_codes_are_distinct_for_distinct_ids() {
        let codes: std::collections::HashSet<String> =
            (1..10_000).map(|i| referral_code(UserId(i))).collect();
        assert_eq!(codes.len(), 9_999);
    }
}
