//! The storefront over the API (journal format 5 on): a merchant's product
//! details (category, description, how stock shows), the shop's look
//! (admins set it, anyone reads it), the caller's email, writing in a
//! dispute, and the outbox of messages that would be mailed (staff).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trigate_app::ops;
use trigate_core::{OrderId, ProductDetails, ProductId, ShopLook, StockDisplay};

use super::AppState;
use super::answers::rfc3339;
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id};

/// How a product shows its stock: `exact` (the number left) or
/// `in_stock_or_not`.
pub fn stock_display_name(s: StockDisplay) -> &'static str {
    match s {
        StockDisplay::Exact => "exact",
        StockDisplay::InStockOrNot => "in_stock_or_not",
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockShown {
    #[default]
    Exact,
    InStockOrNot,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailsBody {
    /// Up to 40 characters; none or empty for no category.
    #[serde(default)]
    category: Option<String>,
    /// Up to 4,000 characters of plain text (shown as text, never markup).
    #[serde(default)]
    description: String,
    #[serde(default)]
    stock: StockShown,
}

/// Sets what the storefront says of one of the caller's products.
#[utoipa::path(post, path = "/api/v1/merchant/products/{id}/details", tag = "merchant",
    request_body = DetailsBody, params(("id" = u64, Path)),
    responses((status = 204, description = "Saved"),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 422, description = "A field is too long or not one line", body = ErrorBody)))]
pub(super) async fn set_details(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<DetailsBody>,
) -> Result<StatusCode, ApiError> {
    let details = ProductDetails {
        category: body.category,
        description: body.description,
        stock: match body.stock {
            StockShown::Exact => StockDisplay::Exact,
            StockShown::InStockOrNot => StockDisplay::InStockOrNot,
        },
    };
    let change = ops::SetProductDetails {
        product: ProductId(id),
        details,
    };
    state.app.change(caller, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shop's look.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookBody {
    /// Up to 60 characters; empty for the default name.
    #[serde(default)]
    name: String,
    /// A data URL of a PNG, JPEG, WebP or GIF image (at most 48 KiB).
    #[serde(default)]
    logo: Option<String>,
    /// `#rrggbb`.
    #[serde(default)]
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    colour: Option<String>,
    /// Up to 1,000 characters, shown atop the storefront.
    #[serde(default)]
    announcement: String,
}

/// Sets the shop's look (admins).
#[utoipa::path(post, path = "/api/v1/admin/look", tag = "admin", request_body = LookBody,
    responses((status = 204, description = "Saved"),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A bad colour, logo or too long a text", body = ErrorBody)))]
pub(super) async fn set_look(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<LookBody>,
) -> Result<StatusCode, ApiError> {
    let look = ShopLook {
        name: body.name,
        logo: body.logo,
        colour: body.colour,
        announcement: body.announcement,
    };
    state.app.change(caller, ops::SetLook { look }).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shop's look, as the pages show it.
#[utoipa::path(get, path = "/api/v1/look", tag = "catalog", security(()),
    responses((status = 200, description = "The shop's name, logo, colour and announcement", body = LookBody)))]
pub(super) async fn look(State(state): State<AppState>) -> Result<Json<LookBody>, ApiError> {
    let look = state
        .app
        .read(trigate_app::Caller::GUEST, ops::Look)
        .await?;
    Ok(Json(LookBody {
        name: look.name,
        logo: look.logo,
        colour: look.colour,
        announcement: look.announcement,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailBody {
    /// The address; null or empty removes it.
    email: Option<String>,
}

/// Sets or removes the caller's email (where messages about their orders
/// would go; nothing is mailed yet).
#[utoipa::path(post, path = "/api/v1/me/email", tag = "account", request_body = EmailBody,
    responses((status = 204, description = "Saved"),
        (status = 422, description = "Not an email address", body = ErrorBody)))]
pub(super) async fn set_email(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<EmailBody>,
) -> Result<StatusCode, ApiError> {
    let email = body.email.filter(|e| !e.trim().is_empty());
    state.app.change(caller, ops::SetEmail { email }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// 1 to 2,000 characters.
    text: String,
}

/// Writes in an open dispute: its buyer, its merchant or staff.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispute/messages", tag = "orders",
    request_body = MessageBody, params(("id" = u64, Path)),
    responses((status = 204, description = "Written"),
        (status = 409, description = "No open dispute", body = ErrorBody)))]
pub(super) async fn add_message(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<MessageBody>,
) -> Result<StatusCode, ApiError> {
    let write = ops::AddDisputeMessage {
        order: OrderId(id),
        text: body.text,
    };
    state.app.change(caller, write).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A message that would be mailed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutboxLine {
    pub id: u64,
    pub to: String,
    /// `order_delivered` or `dispute_updated`.
    pub kind: &'static str,
    pub order: u64,
    #[schema(format = DateTime)]
    pub at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutboxAnswer {
    /// Newest first, at most 200.
    pub messages: Vec<OutboxLine>,
}

/// The messages that would have been mailed, newest first (staff).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin",
    responses((status = 200, description = "The outbox", body = OutboxAnswer),
        (status = 403, description = "Not staff who may read it", body = ErrorBody)))]
pub(super) async fn outbox(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<OutboxAnswer>, ApiError> {
    let messages = state.app.read(caller, ops::Outbox).await?;
    Ok(Json(OutboxAnswer {
        messages: messages
            .iter()
            .map(|m| OutboxLine {
                id: m.id,
                to: m.to.as_str().to_string(),
                kind: m.kind.as_str(),
                order: m.order.0,
                at: rfc3339(m.at),
            })
            .collect(),
    }))
}
