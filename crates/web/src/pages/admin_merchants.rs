//! The admin console's merchants, beyond their status: an admin opens a
//! merchant for a user with the merchant role (its name, fee and holding
//! period), and finance asks to forfeit a banned merchant's deposit to the
//! reserve — which waits on the approvals page for a second member.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, NewMerchant, Once, ops};
use trigate_core::{Approvable, Currency, MerchantId, Role};

use super::admin::{page, staff};
use super::merchant_new::bps;
use super::paging::StatusPage;
use super::{CsrfForm, Page, form_status};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct OpenForm {
    /// The owner's login.
    #[serde(default)]
    owner: String,
    #[serde(default)]
    name: String,
    /// The platform's fee, in percent.
    #[serde(default)]
    fee: String,
    #[serde(default)]
    holding_days: String,
}

/// The user whose login is `login` (any case), among merchants.
async fn merchant_user(
    state: &AppState,
    caller: Caller,
    login: &str,
) -> Result<trigate_core::UserId, AppError> {
    let read = ops::Users {
        login: login.trim().to_string(),
        role: Some(Role::Merchant),
        before: None,
        limit: 100,
    };
    let found = state.app.read(caller, read).await?;
    found
        .iter()
        .find(|u| u.login.eq_ignore_ascii_case(login.trim()))
        .map(|u| u.id)
        .ok_or_else(|| AppError::Invalid("no user with the merchant role has that login".into()))
}

/// An admin opens a merchant.
pub(super) async fn open(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let owner = merchant_user(&state, caller, &form.owner).await?;
        let fee = bps(&form.fee)
            .ok_or_else(|| AppError::Invalid("the fee is a percentage, like 5.00".into()))?;
        let holding_days = form
            .holding_days
            .trim()
            .parse::<u32>()
            .map_err(|_| AppError::Invalid("the holding period is a number of days".into()))?;
        let merchant = NewMerchant {
            owner,
            name: form.name.trim().to_string(),
            fee,
            holding_days,
        };
        state.app.open_merchant(caller, merchant).await
    }
    .await;
    match done {
        Ok(id) => Redirect::to(&format!("/admin/merchants#merchant-{}", id.0)).into_response(),
        Err(e) => back(&state, &p, caller, &e).await,
    }
}

/// The merchants' page again, with why the form came back.
async fn back(state: &AppState, p: &Page, caller: Caller, e: &AppError) -> Response {
    let all = StatusPage::default();
    page(state, p, (caller, &all), Some(p.refusal(e)), form_status(e)).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ForfeitForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    currency: String,
}

/// Finance asks to forfeit a banned merchant's deposit.
pub(super) async fn forfeit(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ForfeitForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let merchant = id
            .parse::<u64>()
            .map(MerchantId)
            .map_err(|_| AppError::NotFound("no such merchant".into()))?;
        let currency = Currency::new(form.currency.trim())
            .map_err(|_| AppError::Invalid("the currency is not a currency code".into()))?;
        let once = Once::new(
            Some(&form.idempotency_key),
            "deposit_forfeit",
            &(merchant.0, currency.as_str()),
        )?;
        let action = Approvable::ForfeitDeposit { merchant, currency };
        state
            .app
            .change_once(caller, &once, ops::AskApproval { action })
            .await
    }
    .await;
    match done {
        Ok(_) => Redirect::to("/admin/approvals").into_response(),
        Err(e) => back(&state, &p, caller, &e).await,
    }
}
