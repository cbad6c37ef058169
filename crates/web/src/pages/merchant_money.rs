//! The merchant console's money: balances per currency (pending inside the
//! holding period, available, the deposit, any debt to the reserve), the
//! latest settled sales (each order's page shows its money trail), paying
//! the deposit from the available balance under the form's idempotency
//! key, and the way to withdrawals (from the available balance, to the
//! merchant's destinations).

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_core::{Currency, OrderStatus};

use super::merchant::owner;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render};
use crate::AppState;

struct BalanceLine {
    currency: String,
    pending: String,
    available: String,
    deposit: String,
    debt: Option<String>,
}

struct SaleLine {
    id: u64,
    amount: String,
    at: String,
}

#[derive(Template)]
#[template(path = "merchant_money.html")]
struct MoneyPage<'a> {
    p: &'a Page,
    balances: Vec<BalanceLine>,
    sales: Vec<SaleLine>,
    error: Option<String>,
    /// What was typed in the deposit form that came back.
    typed: String,
    key: String,
}

async fn page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    (typed, error): (String, Option<String>),
    status: StatusCode,
) -> Response {
    let products = match state.app.read(caller, ops::OwnProducts).await {
        Ok(products) => products,
        Err(e) => return refused(p, &e),
    };
    let mut currencies: BTreeSet<Currency> = products.iter().map(|x| x.currency).collect();
    if let Ok(cny) = Currency::new("CNY") {
        currencies.insert(cny);
    }
    let mut balances = Vec::new();
    for currency in currencies {
        let b = match state
            .app
            .read(caller, ops::MerchantBalances { currency })
            .await
        {
            Ok(b) => b,
            Err(e) => return refused(p, &e),
        };
        balances.push(BalanceLine {
            currency: currency.to_string(),
            pending: i18n::money(b.pending, currency),
            available: i18n::money(b.available, currency),
            deposit: i18n::money(b.deposit, currency),
            debt: (b.debt > 0).then(|| i18n::money(b.debt, currency)),
        });
    }
    let read = ops::Orders {
        before: None,
        limit: 20,
        status: Some(OrderStatus::Settled),
    };
    let sales = match state.app.read(caller, read).await {
        Ok(sales) => sales,
        Err(e) => return refused(p, &e),
    };
    let sales = sales
        .iter()
        .map(|o| SaleLine {
            id: o.order.0,
            amount: i18n::money(o.amount, o.currency),
            at: p.time(o.created_at / 1_000_000_000),
        })
        .collect();
    let page = MoneyPage {
        p,
        balances,
        sales,
        error,
        typed,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn money(State(state): State<AppState>, p: Page) -> Response {
    match owner(&state, &p).await {
        Ok(caller) => page(&state, &p, caller, (String::new(), None), StatusCode::OK).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct DepositForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    amount: String,
}

/// Pays the deposit from the available balance.
pub(super) async fn deposit(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<DepositForm>,
) -> Response {
    let caller = match owner(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let merchant = p
            .merchant
            .ok_or_else(|| AppError::Invalid("no merchant is yours".into()))?;
        let currency = Currency::new(form.currency.trim())
            .map_err(|_| AppError::Invalid("the currency is not a currency code".into()))?;
        let amount = i18n::parse_amount(&form.amount, currency)
            .ok_or_else(|| AppError::Invalid("the amount is not an amount".into()))?;
        let once = Once::new(
            Some(&form.idempotency_key),
            "page_fund_deposit",
            &(currency.as_str(), amount),
        )?;
        let fund = ops::FundDeposit {
            merchant,
            currency,
            amount,
        };
        state.app.change_once(caller, &once, fund).await
    }
    .await;
    match done {
        Ok(_) => Redirect::to("/merchant/money").into_response(),
        Err(e) => {
            let back = (form.amount.clone(), Some(p.refusal(&e)));
            page(&state, &p, caller, back, form_status(&e)).await
        }
    }
}
