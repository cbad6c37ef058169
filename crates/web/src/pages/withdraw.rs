//! The buyer's withdrawals of their commissions: the destination book
//! (added, shown masked, removed) and asking for a withdrawal with a TOTP
//! code, under the form's idempotency key.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use trigate_app::{Caller, NewDestination, Once, WithdrawalRequest, ops};
use trigate_core::{DestinationId, WithdrawFrom};

use super::wallet::cny;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render, signed_in};
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct WithdrawForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    destination: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    account: String,
    /// `reward` (commissions), or for a merchant's owner `merchant` (its
    /// available balance) or `deposit`.
    #[serde(default)]
    from: String,
}

#[derive(Debug, Default)]
struct Errors {
    amount: Option<String>,
    destination: Option<String>,
    totp: Option<String>,
    label: Option<String>,
    account: Option<String>,
    form: Option<String>,
}

struct DestinationLine {
    id: u64,
    label: String,
    masked: String,
    /// While cooling: when it may first be used.
    usable_from: Option<String>,
}

struct WithdrawalLine {
    id: u64,
    amount: String,
    destination: String,
    status: String,
}

#[derive(Template)]
#[template(path = "withdrawals.html")]
struct WithdrawalsPage<'a> {
    p: &'a Page,
    reward: &'a str,
    destinations: Vec<DestinationLine>,
    withdrawals: Vec<WithdrawalLine>,
    form: WithdrawForm,
    errors: Errors,
}

async fn page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    form: WithdrawForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let currency = cny();
    let read = tokio::try_join!(
        state.app.read(caller, ops::Wallet { currency }),
        state.app.read(caller, ops::Destinations),
        state.app.read(caller, ops::Withdrawals),
    );
    let (wallet, book, withdrawals) = match read {
        Ok(all) => all,
        Err(e) => return refused(p, &e),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let destinations = book
        .destinations
        .iter()
        .filter(|d| d.removed_at.is_none())
        .map(|d| {
            let usable = d.usable_from(book.cooling_hours);
            DestinationLine {
                id: d.id.0,
                label: d.label.clone(),
                masked: d.masked.clone(),
                usable_from: (usable > now).then(|| p.time(usable / 1_000_000_000)),
            }
        })
        .collect();
    let withdrawals = withdrawals
        .iter()
        .rev()
        .map(|w| WithdrawalLine {
            id: w.id.0,
            amount: i18n::money(w.amount, w.currency),
            destination: w.destination.clone(),
            status: p
                .t(&format!("withdrawal-status-{}", w.status.as_str()))
                .into_owned(),
        })
        .collect();
    let form = WithdrawForm {
        idempotency_key: csrf::key_or_new(form.idempotency_key),
        ..form
    };
    let reward = i18n::money(wallet.reward, currency);
    let page = WithdrawalsPage {
        p,
        reward: &reward,
        destinations,
        withdrawals,
        form,
        errors,
    };
    render(status, &page)
}

pub(super) async fn withdrawals(State(state): State<AppState>, p: Page) -> Response {
    match signed_in(&p) {
        Ok(caller) => {
            let (form, errors) = (WithdrawForm::default(), Errors::default());
            page(&state, &p, caller, form, errors, StatusCode::OK).await
        }
        Err(to_sign_in) => to_sign_in,
    }
}

/// The request a page's withdrawal is, for its idempotency key.
#[derive(Debug, Serialize)]
struct PageWithdrawal {
    amount: u64,
    destination: u64,
    from: &'static str,
}

pub(super) async fn request(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let currency = cny();
    let mut errors = Errors::default();
    let amount = i18n::parse_amount(&form.amount, currency);
    if amount.is_none() {
        errors.amount = Some(p.t("field-amount").into());
    }
    let destination = form.destination.parse::<u64>().ok();
    if destination.is_none() {
        errors.destination = Some(p.t("field-destination").into());
    }
    let code = form.totp.trim().to_string();
    if code.is_empty() {
        errors.totp = Some(p.t("field-totp").into());
    }
    let (Some(amount), Some(destination), false) = (amount, destination, code.is_empty()) else {
        return page(
            &state,
            &p,
            caller,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let from = match (form.from.as_str(), p.merchant.is_some()) {
        ("merchant", true) => WithdrawFrom::Merchant,
        ("deposit", true) => WithdrawFrom::Deposit,
        _ => WithdrawFrom::Reward,
    };
    let asked = PageWithdrawal {
        amount,
        destination,
        from: match from {
            WithdrawFrom::Merchant => "merchant",
            WithdrawFrom::Deposit => "deposit",
            WithdrawFrom::Reward => "reward",
        },
    };
    let once = match Once::new(Some(&form.idempotency_key), "page_withdraw", &asked) {
        Ok(once) => once,
        Err(e) => return refused(&p, &e),
    };
    let request = WithdrawalRequest {
        from,
        currency,
        amount,
        destination: DestinationId(destination),
    };
    match state
        .app
        .request_withdrawal(caller, &once, &code, request)
        .await
    {
        Ok(done) => {
            Redirect::to(&format!("/withdrawals#withdrawal-{}", done.reply.0)).into_response()
        }
        Err(e) => {
            let message = Some(p.refusal(&e));
            // The shop remembers a refusal under its key: the corrected
            // form is another request.
            let form = match e {
                trigate_app::AppError::Refused { .. } => WithdrawForm {
                    idempotency_key: String::new(),
                    ..form
                },
                _ => form,
            };
            match e.code() {
                "bad_second_factor" | "second_factor_required" | "second_factor_locked" => {
                    errors.totp = message
                }
                _ => errors.form = message,
            }
            page(&state, &p, caller, form, errors, form_status(&e)).await
        }
    }
}

pub(super) async fn add_destination(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let mut errors = Errors::default();
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > 40 {
        errors.label = Some(p.t("field-destination-label").into());
    }
    let account = form.account.trim();
    if account.is_empty() || account.chars().count() > 200 {
        errors.account = Some(p.t("field-destination-account").into());
    }
    if errors.label.is_some() || errors.account.is_some() {
        return page(
            &state,
            &p,
            caller,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let destination = NewDestination {
        label: label.to_string(),
        account: SecretString::from(account.to_string()),
    };
    match state.app.add_destination(caller, destination).await {
        Ok(_) => Redirect::to("/withdrawals").into_response(),
        Err(e) => {
            errors.form = Some(p.refusal(&e));
            page(&state, &p, caller, form, errors, form_status(&e)).await
        }
    }
}

pub(super) async fn remove_destination(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::NoFields>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let Ok(id) = id.parse::<u64>() else {
        return refused(
            &p,
            &trigate_app::AppError::NotFound("no such destination".into()),
        );
    };
    let remove = ops::RemoveDestination {
        destination: DestinationId(id),
    };
    match state.app.change(caller, remove).await {
        Ok(()) => Redirect::to("/withdrawals").into_response(),
        Err(e) => refused(&p, &e),
    }
}
