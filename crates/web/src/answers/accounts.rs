//! Answers about accounts, products and staff actions: who the caller is,
//! the catalog, a merchant's products and key imports, second factors, API
//! keys, roles, merchants' status and the audit log.

use serde::Serialize;
use trigate_core::audit::AuditEntry;
use trigate_core::query::{MeView, ProductView};
use trigate_core::{ImportReport, OwnProduct};

use super::rfc3339;

/// A role's name: `buyer`, `merchant`, `admin`, `finance`,
/// `risk_analyst`, `support` or `auditor`.
pub type RoleText = &'static str;

/// The caller's account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeAnswer {
    pub id: u64,
    pub login: String,
    /// `buyer`, `merchant`, `admin`, `finance`, `risk_analyst`, `support`
    /// or `auditor`.
    pub role: RoleText,
    /// What others sign up with to name the caller as their referrer.
    pub referral_code: String,
    /// The merchant the caller owns, if any.
    pub merchant: Option<u64>,
    /// Where messages about the caller's orders would go.
    pub email: Option<String>,
}

impl From<&MeView> for MeAnswer {
    fn from(m: &MeView) -> Self {
        Self {
            id: m.id.0,
            login: m.login.clone(),
            role: m.role.as_str(),
            referral_code: m.referral_code.clone(),
            merchant: m.merchant.map(|m| m.0),
            email: m.email.clone(),
        }
    }
}

/// A product on sale.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductAnswer {
    pub id: u64,
    pub merchant: u64,
    pub title: String,
    pub currency: String,
    /// The unit price, in minor units.
    pub price: u64,
    pub min_per_order: u32,
    pub max_per_order: u32,
    /// Keys on sale; none for a product delivered as a text or link, or
    /// one whose merchant shows only whether it is in stock.
    pub stock: Option<u64>,
    /// Whether it can be bought now.
    pub in_stock: bool,
    /// `exact` (its stock is shown) or `in_stock_or_not`.
    pub stock_shown: &'static str,
    pub category: Option<String>,
    /// Plain text.
    pub description: String,
}

impl From<&ProductView> for ProductAnswer {
    fn from(p: &ProductView) -> Self {
        Self {
            id: p.id.0,
            merchant: p.merchant.0,
            title: p.title.clone(),
            currency: p.currency.to_string(),
            price: p.price,
            min_per_order: p.min_per_order,
            max_per_order: p.max_per_order,
            stock: p
                .stock
                .filter(|_| p.details.stock == trigate_core::StockDisplay::Exact),
            in_stock: p.stock.is_none_or(|n| n > 0),
            stock_shown: crate::storefront::stock_display_name(p.details.stock),
            category: p.details.category.clone(),
            description: p.details.description.clone(),
        }
    }
}

/// Products on sale, with stock.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Catalog {
    pub products: Vec<ProductAnswer>,
}

/// One of the caller's merchant's products.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnProductAnswer {
    pub id: u64,
    pub title: String,
    pub currency: String,
    pub price: u64,
    pub on_sale: bool,
    /// Keys on sale; none for a product delivered as a text or link.
    pub stock: Option<u64>,
}

impl From<&OwnProduct> for OwnProductAnswer {
    fn from(p: &OwnProduct) -> Self {
        Self {
            id: p.id.0,
            title: p.title.clone(),
            currency: p.currency.to_string(),
            price: p.price,
            on_sale: p.on_sale,
            stock: p.stock,
        }
    }
}

/// The caller's merchant's products, on sale or not.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnProducts {
    pub products: Vec<OwnProductAnswer>,
}

/// A product put on sale or taken off.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnSale {
    pub product: u64,
    pub on_sale: bool,
}

/// What a key import did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyImportAnswer {
    /// Keys added and on sale.
    pub added: usize,
    /// Lines repeating a key earlier in the same import.
    pub duplicate_in_batch: usize,
    /// Keys the merchant already had.
    pub duplicate_existing: usize,
    /// Lines that hold no usable key.
    pub invalid: Vec<InvalidLineAnswer>,
}

/// A line of an import that holds no usable key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvalidLineAnswer {
    /// 1-based.
    pub line: usize,
    /// `empty`, `too_long` or `control_characters`.
    pub reason: &'static str,
}

impl From<&ImportReport> for KeyImportAnswer {
    fn from(r: &ImportReport) -> Self {
        Self {
            added: r.added.len(),
            duplicate_in_batch: r.duplicate_in_batch,
            duplicate_existing: r.duplicate_existing,
            invalid: r
                .invalid
                .iter()
                .map(|l| InvalidLineAnswer {
                    line: l.line,
                    reason: l.reason.as_str(),
                })
                .collect(),
        }
    }
}

/// A coupon made.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CouponCreated {
    /// As buyers type it (upper case).
    pub code: String,
    pub uses: u32,
}

/// A TOTP secret, shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EnrolledAnswer {
    pub user: u64,
    /// Base32, as authenticator apps take it.
    pub secret: String,
    /// The same as an `otpauth://` URL, for a QR code.
    pub otpauth_url: String,
}

/// A merchant API key, its secret shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiKeyAnswer {
    pub key_id: String,
    pub secret: String,
}

// Secrets answered once are never shown by `Debug`.
impl std::fmt::Debug for EnrolledAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolledAnswer")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ApiKeyAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyAnswer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// A user's role after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleSet {
    pub user: u64,
    /// As in [`MeAnswer`]'s `role`.
    pub role: RoleText,
}

/// A merchant's status after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MerchantStatusSet {
    pub merchant: u64,
    /// `active`, `frozen` or `banned`.
    pub status: &'static str,
}

/// One staff action.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditAnswer {
    #[schema(format = DateTime)]
    pub at: String,
    /// The staff member who acted.
    pub actor: u64,
    pub action: String,
}

impl From<&AuditEntry> for AuditAnswer {
    fn from(e: &AuditEntry) -> Self {
        Self {
            at: rfc3339(e.at),
            actor: e.actor.0,
            action: e.action.clone(),
        }
    }
}

/// The latest staff actions, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    pub entries: Vec<AuditAnswer>,
}
