//! The caller's own account: signing up, in and out, who they are, their
//! second factor and their wallet.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use trigate_app::{Enrolled, ops};

use super::AppState;
use super::answers::{Created, EnrolledAnswer, MeAnswer, WalletAnswer};
use super::auth::{self, SignedIn};
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, CurrencyParam, Params, currency};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterBody {
    login: String,
    password: String,
    #[serde(default)]
    referral_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/register", tag = "account", security(()), request_body = RegisterBody, responses((status = 201, description = "The new buyer's id", body = super::answers::Created), (status = 409, description = "The login is taken", body = super::openapi::ErrorBody), (status = 422, description = "A bad login or password", body = super::openapi::ErrorBody), (status = 429, description = "Too many sign-ups from this address", body = super::openapi::ErrorBody)))]
pub(super) async fn register(
    State(state): State<AppState>,
    Body(body): Body<RegisterBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = state
        .app
        .register(body.login, body.password, body.referral_code)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    login: String,
    password: String,
    /// The TOTP code, for roles that need a second factor.
    #[serde(default)]
    totp: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "account", security(()), request_body = LoginBody, responses((status = 200, description = "Signed in; the session cookie is set", body = super::answers::Created), (status = 401, description = "Wrong login, password or TOTP code", body = super::openapi::ErrorBody), (status = 429, description = "Too many attempts from this address", body = super::openapi::ErrorBody)))]
pub(super) async fn login(
    State(state): State<AppState>,
    Body(body): Body<LoginBody>,
) -> Result<Response, ApiError> {
    let user = state
        .app
        .sign_in(body.login, body.password, body.totp.as_deref())
        .await?;
    let token = state.sessions.open(user);
    Ok((
        [(
            header::SET_COOKIE,
            auth::cookie(&token, state.secure_cookies),
        )],
        Json(Created { id: user.0 }),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "account", security(()), responses((status = 204, description = "Signed out")))]
pub(super) async fn logout(State(state): State<AppState>, request: Request) -> StatusCode {
    let (parts, _) = request.into_parts();
    if let Some(token) = auth::session_token(&parts) {
        state.sessions.close(&token);
    }
    StatusCode::NO_CONTENT
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, description = "The caller's account", body = MeAnswer), (status = 401, description = "Not signed in", body = super::openapi::ErrorBody)))]
pub(super) async fn me(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<MeAnswer>, ApiError> {
    let me = state.app.read(caller, ops::Me).await?;
    Ok(Json(MeAnswer::from(&me)))
}

#[utoipa::path(get, path = "/api/v1/wallet", tag = "wallet", params(("currency" = Option<String>, Query, pattern = "^[A-Z]{3}$", description = "CNY if absent")), responses((status = 200, description = "Balances and history", body = WalletAnswer)))]
pub(super) async fn wallet(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(p): Params<CurrencyParam>,
) -> Result<Json<WalletAnswer>, ApiError> {
    let currency = currency(&p.currency)?;
    let wallet = state.app.read(caller, ops::Wallet { currency }).await?;
    Ok(Json(WalletAnswer::from(&wallet)))
}

/// A TOTP secret made here, sealed for the shop, shown this once.
pub(super) fn enrolled(e: &Enrolled) -> Json<EnrolledAnswer> {
    use secrecy::ExposeSecret;
    Json(EnrolledAnswer {
        user: e.user.0,
        secret: e.secret.expose_secret().to_string(),
        otpauth_url: e.otpauth_url(),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolBody {
    /// The caller's password: a session alone cannot enrol a factor.
    password: String,
    /// The current code, when replacing a second factor already enrolled.
    #[serde(default)]
    totp: Option<String>,
}

/// Enrols (or, with the current code, replaces) the caller's own second
/// factor, with their password; the secret is shown once.
#[utoipa::path(post, path = "/api/v1/me/second-factor", tag = "account",
    request_body = EnrolBody,
    responses((status = 200, description = "The TOTP secret, shown once", body = EnrolledAnswer),
        (status = 401, description = "A wrong password; replacing one needs the current code", body = ErrorBody)))]
pub async fn enrol_self(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<EnrolBody>,
) -> Result<Json<EnrolledAnswer>, ApiError> {
    let e = state
        .app
        .enrol_self(caller, body.password, body.totp.as_deref())
        .await?;
    Ok(enrolled(&e))
}
