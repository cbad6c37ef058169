//! Staff routes on others' accounts — roles, opening merchants, crediting
//! wallets, enrolling a second factor — and enrolling one's own. Each is
//! checked for the staff role that may in the shop, and audited there.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use trigate_app::{NewMerchant, ops};
use trigate_core::{AdminRole, MerchantId, MerchantStatus, Role, UserId};

use super::AppState;
use super::answers::{AuditLog, Created, CreditAnswer, EnrolledAnswer, MerchantStatusSet, RoleSet};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id, once};
use super::routes::{bps, currency};

/// A role as the API names it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Buyer,
    Merchant,
    Admin,
    Finance,
    RiskAnalyst,
    Support,
    Auditor,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Self {
        match r {
            RoleName::Buyer => Role::Buyer,
            RoleName::Merchant => Role::Merchant,
            RoleName::Admin => Role::Staff(AdminRole::Admin),
            RoleName::Finance => Role::Staff(AdminRole::Finance),
            RoleName::RiskAnalyst => Role::Staff(AdminRole::RiskAnalyst),
            RoleName::Support => Role::Staff(AdminRole::Support),
            RoleName::Auditor => Role::Staff(AdminRole::Auditor),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: RoleName,
}

/// An admin gives a user another role (never their own).
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/role", tag = "admin",
    request_body = RoleBody, params(("id" = u64, Path)),
    responses((status = 200, description = "Changed", body = RoleSet), (status = 403, description = "Not an admin", body = ErrorBody)))]
pub async fn set_role(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
    Body(body): Body<RoleBody>,
) -> Result<Json<RoleSet>, ApiError> {
    let role: Role = body.role.into();
    let change = ops::SetRole {
        user: UserId(id),
        role,
    };
    state.app.change(caller, change).await?;
    Ok(Json(RoleSet {
        user: id,
        role: role.as_str(),
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantBody {
    /// The owner: a user with the merchant role.
    owner: u64,
    name: String,
    /// The platform's fee, in basis points.
    #[schema(maximum = 10000)]
    fee_bps: u32,
    /// Days a settled sale is held before it is available.
    holding_days: u32,
}

/// An admin opens a merchant for its owner; its data key is made here and
/// kept wrapped by the master key.
#[utoipa::path(post, path = "/api/v1/admin/merchants", tag = "admin",
    request_body = MerchantBody,
    responses((status = 201, description = "The merchant's id", body = Created), (status = 403, description = "Not an admin", body = ErrorBody)))]
pub async fn create_merchant(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<MerchantBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let merchant = NewMerchant {
        owner: UserId(body.owner),
        name: body.name,
        fee: bps(body.fee_bps)?,
        holding_days: body.holding_days,
    };
    let id = state.app.open_merchant(caller, merchant).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditBody {
    #[schema(pattern = "^[A-Z]{3}$", example = "CNY")]
    currency: String,
    /// Minor units.
    amount: u64,
    /// Why: the outside payment this matches.
    note: String,
}

/// Finance asks to credit a user's recharge wallet with money received
/// outside a channel; nothing moves until another member of finance
/// approves.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/credit", tag = "admin",
    request_body = CreditBody,
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 202, description = "Asked for; waiting for a second approval", body = CreditAnswer),
        (status = 403, description = "Not finance, or crediting oneself", body = ErrorBody)))]
pub async fn credit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<CreditBody>,
) -> Result<(StatusCode, Json<CreditAnswer>), ApiError> {
    let currency = currency(&body.currency)?;
    let change = ops::CreditWallet {
        user: UserId(id),
        currency,
        amount: body.amount,
        note: body.note.clone(),
    };
    let once = once(&headers, "credit", &(id, &body))?;
    let credit = state.app.change_once(caller, &once, change).await?.reply;
    Ok((
        StatusCode::ACCEPTED,
        Json(CreditAnswer {
            credit: credit.0,
            status: "requested",
            user: Some(id),
            currency: Some(currency.to_string()),
            amount: Some(body.amount),
        }),
    ))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreditDecision {
    Approve,
    Reject,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideCreditBody {
    decision: CreditDecision,
}

/// A second member of finance (not the one who asked, not the one
/// credited) approves — the money moves — or rejects a credit.
#[utoipa::path(post, path = "/api/v1/admin/credits/{id}", tag = "admin",
    request_body = DecideCreditBody,
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Decided", body = CreditAnswer),
        (status = 403, description = "Not finance, or the one who asked", body = ErrorBody)))]
pub async fn decide_credit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<DecideCreditBody>,
) -> Result<Json<CreditAnswer>, ApiError> {
    let approve = matches!(body.decision, CreditDecision::Approve);
    let once = once(&headers, "decide_credit", &(id, &body))?;
    let decide = ops::DecideCredit {
        credit: trigate_core::CreditId(id),
        approve,
    };
    state.app.change_once(caller, &once, decide).await?;
    let status = if approve { "approved" } else { "rejected" };
    Ok(Json(CreditAnswer {
        credit: id,
        status,
        user: None,
        currency: None,
        amount: None,
    }))
}

/// An admin enrols a second factor for another user (staff who must sign
/// in with one start here); the secret is shown once, to hand over.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/second-factor", tag = "admin",
    params(("id" = u64, Path)),
    responses((status = 200, description = "The TOTP secret, shown once", body = EnrolledAnswer), (status = 403, description = "Not an admin", body = ErrorBody)))]
pub async fn enrol_other(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<EnrolledAnswer>, ApiError> {
    Ok(super::account::enrolled(
        &state.app.enrol_other(caller, UserId(id)).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", responses((status = 200, description = "The latest audit entries", body = AuditLog), (status = 403, description = "Not an admin or auditor", body = super::openapi::ErrorBody)))]
pub(super) async fn audit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<AuditLog>, ApiError> {
    let entries = state.app.read(caller, ops::Audit).await?;
    Ok(Json(AuditLog {
        entries: entries.iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: MerchantStatusName,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MerchantStatusName {
    Active,
    Frozen,
    Banned,
}

#[utoipa::path(post, path = "/api/v1/admin/merchants/{id}/status", tag = "admin", request_body = StatusBody, params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")), responses((status = 200, description = "Set", body = MerchantStatusSet), (status = 403, description = "Not an admin or risk analyst", body = super::openapi::ErrorBody)))]
pub(super) async fn merchant_status(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<StatusBody>,
) -> Result<Json<MerchantStatusSet>, ApiError> {
    let (status, name) = match body.status {
        MerchantStatusName::Active => (MerchantStatus::Active, "active"),
        MerchantStatusName::Frozen => (MerchantStatus::Frozen, "frozen"),
        MerchantStatusName::Banned => (MerchantStatus::Banned, "banned"),
    };
    let once = once(&headers, "merchant_status", &(id, &body))?;
    let change = ops::SetMerchantStatus {
        merchant: MerchantId(id),
        status,
    };
    state.app.change_once(caller, &once, change).await?;
    Ok(Json(MerchantStatusSet {
        merchant: id,
        status: name,
    }))
}
