//! Guest checkout: an order bought without an account. Its buyer is a user
//! of its own that cannot sign in (no login, no password); money a guest
//! pays that no order can take is owed back through the channel it came
//! by, not left in a wallet they cannot reach. The guest reads the order
//! back with its number and the lookup secret chosen at checkout, whose
//! hash (made at the edge) the order keeps.

use crate::users::{PasswordHash, Role, User};
use crate::{OrderId, ProductId, Shop, ShopError, UserId};

impl Shop {
    /// Creates a guest's order, reserving its keys like any order.
    pub fn create_guest_order(
        &mut self,
        now: u64,
        (product, quantity, coupon): (ProductId, u32, Option<&str>),
        lookup: PasswordHash,
        email: Option<&str>,
    ) -> Result<OrderId, ShopError> {
        self.tick(now)?;
        crate::users::check_hash(&lookup, "a lookup secret's hash")?;
        let email = email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(crate::Email::new)
            .transpose()?;
        let buyer = UserId(self.users.list.len() as u64 + 1);
        self.users.list.push(User {
            id: buyer,
            login: format!("guest #{buyer}"),
            role: Role::Buyer,
            referral_code: String::new(),
            referrer: None,
            created_at: now,
            password: None,
            second_factor: None,
            guest: true,
        });
        match self.create_order(now, buyer, product, quantity, coupon) {
            Ok(order) => {
                let at = usize::try_from(order.0 - 1).unwrap_or(usize::MAX);
                self.changes.orders.insert(order.0);
                if let Some(o) = self.orders.list.get_mut(at) {
                    o.lookup = Some(lookup);
                }
                if let Some(email) = email {
                    self.storefront.emails.insert(buyer, email);
                    self.changes.emails.insert(buyer.0);
                }
                Ok(order)
            }
            Err(e) => {
                // A refused command changes nothing: the guest goes too.
                self.users.list.pop();
                Err(e)
            }
        }
    }

    /// A guest order's lookup hash; refused alike for an order that does
    /// not exist and one that has none, so a lookup tells nothing more.
    pub fn lookup_hash(&self, order: OrderId) -> Result<&PasswordHash, ShopError> {
        self.order(order)
            .and_then(|o| o.lookup.as_ref())
            .ok_or(ShopError::LookupRefused(order))
    }
}
