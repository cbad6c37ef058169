//! A merchant's own routes: its balances, its products and their keys
//! (sealed by the application layer), coupons, its deposit and API keys.
//! Who may do what is decided by the shop itself; these handlers
//! translate.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use trigate_app::{AppError, KeyImport, ops};
use trigate_core::{Delivery, Discount, NewCoupon, NewProduct, ProductId, Tier};

use super::AppState;
use super::answers::{
    ApiKeyAnswer, BalancesAnswer, CouponCreated, Created, Deposited, KeyImportAnswer, OnSale,
    OwnProducts,
};
use super::auth::SignedIn;
use super::error::ApiError;
use super::routes::{Body, CurrencyParam, Id, Params, bps, currency, once};

#[utoipa::path(get, path = "/api/v1/merchant/balances", tag = "merchant", params(("currency" = Option<String>, Query, pattern = "^[A-Z]{3}$", description = "CNY if absent")), responses((status = 200, description = "Pending, available, deposit and debt", body = BalancesAnswer), (status = 403, description = "The caller owns no merchant", body = super::openapi::ErrorBody)))]
pub(super) async fn balances(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(p): Params<CurrencyParam>,
) -> Result<Json<BalancesAnswer>, ApiError> {
    let currency = currency(&p.currency)?;
    let b = state
        .app
        .read(caller, ops::MerchantBalances { currency })
        .await?;
    Ok(Json(BalancesAnswer::new(&b, currency)))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    title: String,
    /// `null` for card keys; a text or link given to every buyer otherwise.
    #[serde(default)]
    text: Option<String>,
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    price: u64,
    #[serde(default)]
    tiers: Vec<(u32, u64)>,
    #[serde(default = "one")]
    min_per_order: u32,
    #[serde(default = "one")]
    max_per_order: u32,
    #[serde(default)]
    #[schema(maximum = 10000)]
    commission_l1_bps: u32,
    #[serde(default)]
    #[schema(maximum = 10000)]
    commission_l2_bps: u32,
    #[serde(default)]
    membership: bool,
}

fn one() -> u32 {
    1
}

#[utoipa::path(post, path = "/api/v1/merchant/products", tag = "merchant", request_body = ProductBody, params(("Idempotency-Key" = String, Header, description = "required")), responses((status = 201, description = "The product's id", body = Created), (status = 403, description = "The caller owns no merchant", body = super::openapi::ErrorBody)))]
pub(super) async fn add_product(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<ProductBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let spec = NewProduct {
        title: body.title.clone(),
        delivery: body.text.clone().map_or(Delivery::Keys, Delivery::Fixed),
        currency: currency(&body.currency)?,
        price: body.price,
        tiers: body
            .tiers
            .iter()
            .map(|(min_quantity, unit_price)| Tier {
                min_quantity: *min_quantity,
                unit_price: *unit_price,
            })
            .collect(),
        min_per_order: body.min_per_order,
        max_per_order: body.max_per_order,
        commission_l1: bps(body.commission_l1_bps)?,
        commission_l2: bps(body.commission_l2_bps)?,
        membership: body.membership,
    };
    let once = once(&headers, "add_product", &body)?;
    let id = state
        .app
        .change_once(caller, &once, ops::AddProduct { spec })
        .await?
        .reply;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeysBody {
    /// One key per line (or CSV, the key in the first column).
    text: String,
    #[serde(default)]
    csv: bool,
}

/// Imports keys into one of the caller's products: sealed here with the
/// merchant's data key, so the plain keys never leave this request.
#[utoipa::path(post, path = "/api/v1/merchant/products/{id}/keys", tag = "merchant", request_body = KeysBody, params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "The import report: added, duplicates, invalid lines", body = KeyImportAnswer), (status = 404, description = "Not the caller's product", body = super::openapi::ErrorBody)))]
pub(super) async fn import_keys(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<KeysBody>,
) -> Result<Json<KeyImportAnswer>, ApiError> {
    let once = once(&headers, "import_keys", &(id, &body))?;
    let import = KeyImport {
        product: ProductId(id),
        text: body.text,
        csv: body.csv,
        not_utf8: vec![],
    };
    let report = state.app.import_keys(caller, &once, import).await?.reply;
    Ok(Json(KeyImportAnswer::from(&report)))
}

/// Creates an API key for the caller's merchant; the secret is shown once
/// (only its sealed form is kept).
#[utoipa::path(post, path = "/api/v1/merchant/api-keys", tag = "merchant", responses((status = 201, description = "The key id and its secret, shown once", body = ApiKeyAnswer), (status = 403, description = "The caller owns no merchant", body = super::openapi::ErrorBody)))]
pub(super) async fn create_api_key(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<(StatusCode, Json<ApiKeyAnswer>), ApiError> {
    let key = state.app.create_api_key(caller).await?;
    use secrecy::ExposeSecret;
    Ok((
        StatusCode::CREATED,
        Json(ApiKeyAnswer {
            key_id: key.key_id,
            secret: key.secret.expose_secret().to_string(),
        }),
    ))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum DiscountBody {
    /// A percentage off, in basis points (1000 = 10%).
    PercentBps(u32),
    /// A fixed amount off, in minor units.
    Fixed {
        amount: u64,
        #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
        currency: String,
    },
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponBody {
    code: String,
    /// One of the caller's products; absent for the whole shop.
    #[serde(default)]
    product: Option<u64>,
    discount: DiscountBody,
    uses: u32,
    /// When it stops working, in Unix seconds.
    expires_at: u64,
}

/// Creates a coupon for the caller's merchant.
#[utoipa::path(post, path = "/api/v1/merchant/coupons", tag = "merchant",
    request_body = CouponBody,
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Created", body = CouponCreated),
        (status = 403, description = "The caller owns no merchant", body = super::openapi::ErrorBody)))]
pub async fn create_coupon(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<CouponBody>,
) -> Result<(StatusCode, Json<CouponCreated>), ApiError> {
    let merchant = state.app.own_merchant(caller, "creates coupons").await?;
    let discount = match &body.discount {
        DiscountBody::PercentBps(v) => Discount::Percent(bps(*v)?),
        DiscountBody::Fixed {
            amount,
            currency: c,
        } => Discount::Fixed {
            amount: *amount,
            currency: currency(c)?,
        },
    };
    let expires_at = body
        .expires_at
        .checked_mul(trigate_core::NANOS_PER_SECOND)
        .ok_or_else(|| ApiError(AppError::Invalid("expires_at is out of range".into())))?;
    let once = once(&headers, "coupon", &body)?;
    let coupon = ops::CreateCoupon {
        merchant,
        spec: NewCoupon {
            code: body.code.clone(),
            product: body.product.map(ProductId),
            discount,
            uses: body.uses,
            expires_at,
        },
    };
    state.app.change_once(caller, &once, coupon).await?;
    Ok((
        StatusCode::CREATED,
        Json(CouponCreated {
            code: body.code.trim().to_uppercase(),
            uses: body.uses,
        }),
    ))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    /// Minor units, moved from available into the security deposit.
    amount: u64,
}

/// The caller's merchant moves part of its available balance into its
/// security deposit.
#[utoipa::path(post, path = "/api/v1/merchant/deposit", tag = "merchant", request_body = DepositBody, params(("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Moved", body = Deposited), (status = 402, description = "Available is short", body = super::openapi::ErrorBody), (status = 403, description = "The caller owns no merchant", body = super::openapi::ErrorBody)))]
pub(super) async fn fund_deposit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Body(body): Body<DepositBody>,
) -> Result<Json<Deposited>, ApiError> {
    let merchant = state.app.own_merchant(caller, "funds its deposit").await?;
    let currency = currency(&body.currency)?;
    let deposit = ops::FundDeposit {
        merchant,
        currency,
        amount: body.amount,
    };
    let once = once(&headers, "deposit", &body)?;
    state.app.change_once(caller, &once, deposit).await?;
    Ok(Json(Deposited {
        merchant: merchant.0,
        currency: currency.to_string(),
        deposited: body.amount,
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnSaleBody {
    on_sale: bool,
}

/// Puts one of the caller's products on sale or takes it off.
#[utoipa::path(post, path = "/api/v1/merchant/products/{id}/on-sale", tag = "merchant", request_body = OnSaleBody, params(("id" = u64, Path)), responses((status = 200, description = "Set", body = OnSale), (status = 404, description = "Not the caller's product", body = super::openapi::ErrorBody)))]
pub(super) async fn set_on_sale(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<OnSaleBody>,
) -> Result<Json<OnSale>, ApiError> {
    let change = ops::SetOnSale {
        product: ProductId(id),
        on_sale: body.on_sale,
    };
    state.app.change(caller, change).await?;
    Ok(Json(OnSale {
        product: id,
        on_sale: body.on_sale,
    }))
}

/// The caller's merchant's products, on sale or not, with stock.
#[utoipa::path(get, path = "/api/v1/merchant/products", tag = "merchant",
    responses((status = 200, description = "The merchant's products", body = OwnProducts),
        (status = 403, description = "The caller owns no merchant", body = super::openapi::ErrorBody)))]
pub(super) async fn own_products(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<OwnProducts>, ApiError> {
    let products = state.app.read(caller, ops::OwnProducts).await?;
    Ok(Json(OwnProducts {
        products: products.iter().map(Into::into).collect(),
    }))
}
