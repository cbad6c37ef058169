//! The journal's records of the storefront's facts (format 5 on): a
//! product's details, the shop's look, a user's email and a message put in
//! the outbox. Fields keep their order and enums only gain variants at
//! their end (see the module above).

use serde::{Deserialize, Serialize};

use crate::facts::FactError;
use crate::{Email, OrderId, OutboxKind, OutboxMessage, ProductDetails, ShopLook, StockDisplay};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockDisplayRec {
    #[serde(rename = "exact")]
    Exact,
    #[serde(rename = "in_stock_or_not")]
    InStockOrNot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetailsRec {
    pub category: Option<String>,
    pub description: String,
    pub stock: StockDisplayRec,
}

impl From<&ProductDetails> for ProductDetailsRec {
    fn from(d: &ProductDetails) -> Self {
        Self {
            category: d.category.clone(),
            description: d.description.clone(),
            stock: match d.stock {
                StockDisplay::Exact => StockDisplayRec::Exact,
                StockDisplay::InStockOrNot => StockDisplayRec::InStockOrNot,
            },
        }
    }
}

impl ProductDetailsRec {
    pub fn read(self) -> ProductDetails {
        ProductDetails {
            category: self.category,
            description: self.description,
            stock: match self.stock {
                StockDisplayRec::Exact => StockDisplay::Exact,
                StockDisplayRec::InStockOrNot => StockDisplay::InStockOrNot,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookRec {
    pub name: String,
    pub logo: Option<String>,
    pub colour: Option<String>,
    pub announcement: String,
}

impl From<&ShopLook> for LookRec {
    fn from(l: &ShopLook) -> Self {
        Self {
            name: l.name.clone(),
            logo: l.logo.clone(),
            colour: l.colour.clone(),
            announcement: l.announcement.clone(),
        }
    }
}

impl LookRec {
    pub fn read(self) -> ShopLook {
        ShopLook {
            name: self.name,
            logo: self.logo,
            colour: self.colour,
            announcement: self.announcement,
        }
    }
}

/// An email as recorded: checked when it was made, read back as it is.
pub fn read_email(text: &str) -> Result<Email, FactError> {
    if text.is_empty() {
        return Err(FactError::Bad("an empty email".into()));
    }
    Ok(Email::recorded(text.to_string()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutboxKindRec {
    #[serde(rename = "order_delivered")]
    OrderDelivered,
    #[serde(rename = "dispute_updated")]
    DisputeUpdated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxRec {
    pub id: u64,
    pub to: String,
    pub kind: OutboxKindRec,
    pub order: u64,
    pub at: u64,
}

impl From<&OutboxMessage> for OutboxRec {
    fn from(m: &OutboxMessage) -> Self {
        Self {
            id: m.id,
            to: m.to.as_str().to_string(),
            kind: match m.kind {
                OutboxKind::OrderDelivered => OutboxKindRec::OrderDelivered,
                OutboxKind::DisputeUpdated => OutboxKindRec::DisputeUpdated,
            },
            order: m.order.0,
            at: m.at,
        }
    }
}

impl OutboxRec {
    pub fn read(self) -> Result<OutboxMessage, FactError> {
        Ok(OutboxMessage {
            id: self.id,
            to: read_email(&self.to)?,
            kind: match self.kind {
                OutboxKindRec::OrderDelivered => OutboxKind::OrderDelivered,
                OutboxKindRec::DisputeUpdated => OutboxKind::DisputeUpdated,
            },
            order: OrderId(self.order),
            at: self.at,
        })
    }
}
