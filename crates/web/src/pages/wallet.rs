//! The buyer's wallet: its buckets (recharge, reward, held commissions, any
//! debt) and history, recharging through a channel, and the referral link
//! that earns commissions.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use trigate_app::{Caller, ops};
use trigate_core::Currency;
use trigate_core::chart::Why;

use super::paying::Found;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render, signed_in};
use crate::AppState;

/// The currency the pages keep wallets in.
pub(super) fn cny() -> Currency {
    Currency::new("CNY").unwrap_or_else(|_| unreachable!("CNY is a currency"))
}

/// A line of the wallet's history.
struct HistoryLine {
    at: String,
    why: String,
    /// Signed: `+¥1.00` into the wallet, `−¥1.00` out of it.
    amount: String,
    order: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RechargeForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    idempotency_key: String,
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage<'a> {
    p: &'a Page,
    recharge: String,
    reward: String,
    held: String,
    debt: Option<String>,
    history: Vec<HistoryLine>,
    referral_code: String,
    methods: Vec<String>,
    form: RechargeForm,
    amount_error: Option<String>,
    method_error: Option<String>,
    error: Option<String>,
}

struct Errors {
    amount: Option<String>,
    method: Option<String>,
    form: Option<String>,
}

async fn wallet_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    form: RechargeForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let currency = cny();
    let (wallet, me) = match tokio::try_join!(
        state.app.read(caller, ops::Wallet { currency }),
        state.app.read(caller, ops::Me)
    ) {
        Ok(both) => both,
        Err(e) => return refused(p, &e),
    };
    let history = wallet
        .history
        .iter()
        .rev()
        .map(|m| {
            let into = m.to.starts_with("wallet");
            let why = Why::from_code(m.why).map_or("other", Why::as_str);
            HistoryLine {
                at: p.time(m.at / 1_000_000_000),
                why: p.t(&format!("why-{why}")).into_owned(),
                amount: format!(
                    "{}{}",
                    if into { "+" } else { "−" },
                    i18n::money(m.amount, currency)
                ),
                order: m.order.map(|o| o.0),
            }
        })
        .collect();
    let methods = state.app.payments().methods(currency);
    let form = RechargeForm {
        method: if form.method.is_empty() {
            methods.first().cloned().unwrap_or_default()
        } else {
            form.method
        },
        idempotency_key: csrf::key_or_new(form.idempotency_key),
        ..form
    };
    render(
        status,
        &WalletPage {
            p,
            recharge: i18n::money(wallet.recharge, currency),
            reward: i18n::money(wallet.reward, currency),
            held: i18n::money(wallet.held, currency),
            debt: (wallet.debt > 0).then(|| i18n::money(wallet.debt, currency)),
            history,
            referral_code: me.referral_code,
            methods,
            form,
            amount_error: errors.amount,
            method_error: errors.method,
            error: errors.form,
        },
    )
}

pub(super) async fn wallet(State(state): State<AppState>, p: Page) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let none = Errors {
        amount: None,
        method: None,
        form: None,
    };
    wallet_page(
        &state,
        &p,
        caller,
        RechargeForm::default(),
        none,
        StatusCode::OK,
    )
    .await
}

pub(super) async fn recharge(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<RechargeForm>,
) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let currency = cny();
    let amount = i18n::parse_amount(&form.amount, currency);
    let mut errors = Errors {
        amount: amount.is_none().then(|| p.t("field-amount").into_owned()),
        method: None,
        form: None,
    };
    if !state
        .app
        .payments()
        .methods(currency)
        .contains(&form.method)
    {
        errors.method = Some(p.t("field-method").into_owned());
    }
    let Some(amount) = amount.filter(|_| errors.method.is_none()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return wallet_page(&state, &p, caller, form, errors, status).await;
    };
    // The same form sent again (a double click) shows the payment it
    // started; its key on another request is refused.
    let asked = format!("{amount} {currency} {}", form.method);
    let key = form.idempotency_key.clone();
    let shown = i18n::money(amount, currency);
    match state.started.find(caller.0.0, &key, &asked) {
        Found::Same(checkout) => return super::paying::pay_page(&p, None, &shown, checkout),
        Found::Other => {
            let e = trigate_app::AppError::from(trigate_core::ShopError::IdempotencyConflict);
            errors.form = Some(p.refusal(&e));
            let form = RechargeForm {
                idempotency_key: String::new(),
                ..form
            };
            return wallet_page(&state, &p, caller, form, errors, StatusCode::CONFLICT).await;
        }
        Found::Nothing => {}
    }
    match state
        .app
        .recharge(caller, amount, currency, &form.method)
        .await
    {
        Ok(started) => {
            if !key.is_empty() {
                let checkout = started.checkout.clone();
                state.started.keep(caller.0.0, &key, asked, checkout);
            }
            super::paying::pay_page(&p, None, &shown, started.checkout)
        }
        Err(e) => {
            errors.form = Some(p.refusal(&e));
            let status = form_status(&e);
            wallet_page(&state, &p, caller, form, errors, status).await
        }
    }
}
