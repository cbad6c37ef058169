//! What the shop's pages show besides the catalog's prices (journal format 5
//! on): each product's category, description and how it shows its stock;
//! the shop's look (name, logo, colour, announcement); the email a buyer or a
//! guest order may carry; and the outbox — the messages that would be sent
//! to those emails, kept for staff to read until mail exists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::users::{AdminRole, Role};
use crate::{OrderId, ProductId, Shop, ShopError, UserId};

const CATEGORY_MAX: usize = 40;
const DESCRIPTION_MAX: usize = 4_000;
const NAME_MAX: usize = 60;
const ANNOUNCEMENT_MAX: usize = 1_000;
/// A logo is a data URL of at most this many characters.
const LOGO_MAX: usize = 48 * 1024;

/// An email address, checked when made: ASCII only (an international
/// domain in its punycode form), one `@`, a local part of 1 to 64
/// characters, a domain of labels joined by dots, 254 characters at most,
/// nothing that could break out of a header or a page (spaces, quotes,
/// angle brackets, control characters). The domain is kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn new(text: &str) -> Result<Email, ShopError> {
        let refused = || ShopError::Invalid(format!("{text:?} is not an email address"));
        let text = text.trim();
        if !text.is_ascii() {
            return Err(refused());
        }
        let (local, domain) = text.split_once('@').ok_or_else(refused)?;
        let bad = |c: char| c.is_control() || c.is_whitespace() || "\"'<>()[],;:\\@".contains(c);
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if text.len() > 254
            || local.is_empty()
            || local.len() > 64
            || local.chars().any(bad)
            || !domain.contains('.')
            || !labels_ok
            || domain
                .chars()
                .any(|c| bad(c) || !(c.is_alphanumeric() || c == '-' || c == '.'))
        {
            return Err(refused());
        }
        // ASCII lower-casing changes neither the length nor what was checked.
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// An email as the journal recorded it: checked when it was made, so
    /// read back as it is (a later, stricter check never makes an old
    /// journal unreadable).
    pub fn recorded(text: String) -> Email {
        Email(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a product shows its stock on the storefront.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockDisplay {
    /// The number of keys left.
    #[default]
    Exact,
    /// Only "in stock" or "sold out".
    InStockOrNot,
}

/// What the storefront says of a product beyond its price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetails {
    pub category: Option<String>,
    pub description: String,
    pub stock: StockDisplay,
}

/// The shop's look: its name, logo (a data URL of an image), main colour
/// (`#rrggbb`) and announcement. Empty fields show the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopLook {
    pub name: String,
    pub logo: Option<String>,
    pub colour: Option<String>,
    pub announcement: String,
}

/// Why a message would be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxKind {
    /// An order was paid and its keys (or text) delivered.
    OrderDelivered,
    /// Someone else wrote in, or acted on, a dispute of the buyer's.
    DisputeUpdated,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderDelivered => "order_delivered",
            Self::DisputeUpdated => "dispute_updated",
        }
    }
}

/// A message that would be sent (nothing is sent yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: u64,
    pub to: Email,
    pub kind: OutboxKind,
    pub order: OrderId,
    pub at: u64,
}

/// The storefront's part of the shop.
#[derive(Debug, Default)]
pub(crate) struct Storefront {
    pub(crate) details: BTreeMap<ProductId, ProductDetails>,
    pub(crate) look: ShopLook,
    /// Buyers' emails, a guest's (given at checkout) among them.
    pub(crate) emails: BTreeMap<UserId, Email>,
    pub(crate) outbox: Vec<OutboxMessage>,
}

fn text(what: &str, value: &str, max: usize, lines: bool) -> Result<String, ShopError> {
    let value = value.trim();
    let bad = |c: char| c.is_control() && !(lines && (c == '\n' || c == '\r' || c == '\t'));
    if value.chars().count() > max || value.chars().any(bad) {
        return Err(ShopError::Invalid(format!(
            "{what} is at most {max} characters{}",
            if lines { "" } else { ", on one line" }
        )));
    }
    Ok(value.replace("\r\n", "\n"))
}

impl ShopLook {
    /// The look with every field checked.
    pub fn checked(self) -> Result<ShopLook, ShopError> {
        let name = text("the shop's name", &self.name, NAME_MAX, false)?;
        let announcement = text(
            "the announcement",
            &self.announcement,
            ANNOUNCEMENT_MAX,
            true,
        )?;
        let colour = match self.colour.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => {
                let hex = c.strip_prefix('#').unwrap_or("");
                if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(ShopError::Invalid(format!(
                        "a colour is #rrggbb, not {c:?}"
                    )));
                }
                Some(c.to_ascii_lowercase())
            }
        };
        let logo = match self.logo.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(l) => {
                let image = ["png", "jpeg", "webp", "gif"]
                    .iter()
                    .any(|t| l.starts_with(&format!("data:image/{t};base64,")));
                let payload = l.split_once(',').map_or("", |(_, p)| p);
                let base64 = payload
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
                if !image || payload.is_empty() || !base64 || l.len() > LOGO_MAX {
                    return Err(ShopError::Invalid(format!(
                        "a logo is a data URL of a PNG, JPEG, WebP or GIF image, at most {LOGO_MAX} characters"
                    )));
                }
                Some(l.to_string())
            }
        };
        Ok(ShopLook {
            name,
            logo,
            colour,
            announcement,
        })
    }
}

impl Shop {
    /// A merchant (or staff who act for merchants) sets what the
    /// storefront says of one of its products.
    pub fn set_product_details(
        &mut self,
        now: u64,
        actor: UserId,
        product: ProductId,
        details: ProductDetails,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        let merchant = self
            .product(product)
            .ok_or(ShopError::ProductNotFound(product))?
            .merchant;
        self.may_act_for(actor, merchant)?;
        let category = match details.category.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) => Some(text("a category", c, CATEGORY_MAX, false)?),
        };
        let details = ProductDetails {
            category,
            description: text("a description", &details.description, DESCRIPTION_MAX, true)?,
            stock: details.stock,
        };
        self.audit(now, actor, || {
            format!("set the details of product {}", product.0)
        });
        self.storefront.details.insert(product, details);
        self.changes.details.insert(product.0);
        Ok(())
    }

    /// An admin sets the shop's look.
    pub fn set_look(&mut self, now: u64, actor: UserId, look: ShopLook) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_admin(actor)?;
        self.storefront.look = look.checked()?;
        self.audit(now, actor, || "set the shop's look".into());
        self.changes.look = true;
        Ok(())
    }

    /// A user sets (or, with `None`, removes) their own email.
    pub fn set_email(
        &mut self,
        now: u64,
        actor: UserId,
        email: Option<&str>,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        if self.require_user(actor)?.guest {
            return Err(ShopError::Forbidden(actor));
        }
        match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => {
                self.storefront.emails.insert(actor, Email::new(e)?);
            }
            None => {
                self.storefront.emails.remove(&actor);
            }
        }
        self.changes.emails.insert(actor.0);
        Ok(())
    }

    /// The email messages about `order` go to: its buyer's (a guest's
    /// given at checkout).
    pub(crate) fn order_email(&self, order: OrderId) -> Option<Email> {
        let buyer = self
            .orders
            .list
            .get(order.0.wrapping_sub(1) as usize)?
            .buyer;
        self.storefront.emails.get(&buyer).cloned()
    }

    /// Puts a message about `order` in the outbox, if it has an email.
    pub(crate) fn would_send(&mut self, now: u64, order: OrderId, kind: OutboxKind) {
        if let Some(to) = self.order_email(order) {
            let id = self.storefront.outbox.len() as u64 + 1;
            self.storefront.outbox.push(OutboxMessage {
                id,
                to,
                kind,
                order,
                at: now,
            });
        }
    }

    /// The outbox's latest messages, newest first (staff).
    pub fn outbox(&self, actor: UserId, limit: usize) -> Result<Vec<OutboxMessage>, ShopError> {
        match self.require_user(actor)?.role {
            Role::Staff(AdminRole::Admin | AdminRole::Support | AdminRole::Auditor) => Ok(self
                .storefront
                .outbox
                .iter()
                .rev()
                .take(limit)
                .cloned()
                .collect()),
            _ => Err(ShopError::Forbidden(actor)),
        }
    }

    pub fn look(&self) -> &ShopLook {
        &self.storefront.look
    }

    pub fn product_details(&self, product: ProductId) -> ProductDetails {
        self.storefront
            .details
            .get(&product)
            .cloned()
            .unwrap_or_default()
    }

    /// Every product's details that were set, by product.
    pub fn all_product_details(&self) -> impl Iterator<Item = (&ProductId, &ProductDetails)> {
        self.storefront.details.iter()
    }

    /// The whole outbox, oldest first.
    pub fn outbox_all(&self) -> &[OutboxMessage] {
        &self.storefront.outbox
    }

    pub fn email_of(&self, user: UserId) -> Option<&Email> {
        self.storefront.emails.get(&user)
    }
}
