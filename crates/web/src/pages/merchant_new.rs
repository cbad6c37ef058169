//! The merchant console's new-product form: title, price, quantities per
//! order, wholesale tiers, how it is delivered (card keys, or one text or
//! link for every buyer) and the referral commissions; every field comes
//! back with its error and what was typed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use trigate_app::{Once, ops};
use trigate_core::{Bps, Delivery, NewProduct, Tier};

use super::merchant::owner;
use super::wallet::cny;
use super::{CsrfForm, Page, csrf, form_status, i18n, render};
use crate::AppState;

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(super) struct NewForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    /// `qty=price` per line.
    #[serde(default)]
    tiers: String,
    /// `keys` or `text`.
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    text: String,
    /// Percent, with up to two decimals.
    #[serde(default)]
    l1: String,
    #[serde(default)]
    l2: String,
    #[serde(default)]
    #[serde(skip_serializing)]
    idempotency_key: String,
}

#[derive(Debug, Default)]
struct Errors {
    title: Option<String>,
    price: Option<String>,
    quantities: Option<String>,
    tiers: Option<String>,
    text: Option<String>,
    commissions: Option<String>,
    form: Option<String>,
}

impl Errors {
    fn any(&self) -> bool {
        [
            &self.title,
            &self.price,
            &self.quantities,
            &self.tiers,
            &self.text,
            &self.commissions,
        ]
        .iter()
        .any(|e| e.is_some())
    }
}

#[derive(Template)]
#[template(path = "merchant_new.html")]
struct NewPage<'a> {
    p: &'a Page,
    form: NewForm,
    errors: Errors,
}

fn page(p: &Page, form: NewForm, errors: Errors, status: StatusCode) -> Response {
    let form = NewForm {
        min: if form.min.is_empty() {
            "1".into()
        } else {
            form.min
        },
        max: if form.max.is_empty() {
            "5".into()
        } else {
            form.max
        },
        delivery: if form.delivery.is_empty() {
            "keys".into()
        } else {
            form.delivery
        },
        idempotency_key: csrf::key_or_new(form.idempotency_key),
        ..form
    };
    render(status, &NewPage { p, form, errors })
}

pub(super) async fn new_form(State(state): State<AppState>, p: Page) -> Response {
    match owner(&state, &p).await {
        Ok(_) => page(&p, NewForm::default(), Errors::default(), StatusCode::OK),
        Err(refused) => refused,
    }
}

/// A percentage with up to two decimals as basis points.
fn bps(text: &str) -> Option<Bps> {
    let text = text.trim();
    if text.is_empty() {
        return Bps::new(0).ok();
    }
    let zero = text.chars().all(|c| c == '0' || c == '.') && text.contains('0');
    let hundredths = i18n::parse_amount(text, cny()).or(zero.then_some(0))?;
    Bps::new(u32::try_from(hundredths).ok()?).ok()
}

/// The tiers typed as `qty=price` lines.
fn tiers(text: &str) -> Option<Vec<Tier>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (qty, price) = l.split_once('=')?;
            Some(Tier {
                min_quantity: qty.trim().parse().ok().filter(|q| *q > 1)?,
                unit_price: i18n::parse_amount(price, cny())?,
            })
        })
        .collect()
}

pub(super) async fn create(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Response {
    let caller = match owner(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let mut errors = Errors::default();
    let title = form.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.title = Some(p.t("console-field-title").into());
    }
    let price = i18n::parse_amount(&form.price, cny());
    if price.is_none() {
        errors.price = Some(p.t("field-amount").into());
    }
    let min = form.min.trim().parse::<u32>().ok().filter(|m| *m >= 1);
    let max = form.max.trim().parse::<u32>().ok();
    let quantities = min.zip(max).filter(|(min, max)| min <= max);
    if quantities.is_none() {
        errors.quantities = Some(p.t("console-field-quantities").into());
    }
    let tiers = tiers(&form.tiers);
    if tiers.is_none() {
        errors.tiers = Some(p.t("console-field-tiers").into());
    }
    let delivery = if form.delivery == "text" {
        let text = form.text.trim();
        if text.is_empty() {
            errors.text = Some(p.t("console-field-text").into());
        }
        Delivery::Fixed(text.to_string())
    } else {
        Delivery::Keys
    };
    let (l1, l2) = (bps(&form.l1), bps(&form.l2));
    if l1.is_none() || l2.is_none() {
        errors.commissions = Some(p.t("console-field-commissions").into());
    }
    let (Some(price), Some((min, max)), Some(tiers), Some(l1), Some(l2), false) =
        (price, quantities, tiers, l1, l2, errors.any())
    else {
        return page(&p, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let spec = NewProduct {
        title: title.to_string(),
        delivery,
        currency: cny(),
        price,
        tiers,
        min_per_order: min,
        max_per_order: max,
        commission_l1: l1,
        commission_l2: l2,
        membership: false,
    };
    let added = match Once::new(Some(&form.idempotency_key), "page_add_product", &form) {
        Ok(once) => {
            state
                .app
                .change_once(caller, &once, ops::AddProduct { spec })
                .await
        }
        Err(e) => Err(e),
    };
    match added {
        Ok(done) => Redirect::to(&format!("/merchant/products/{}", done.reply.0)).into_response(),
        Err(e) => {
            errors.form = Some(p.refusal(&e));
            let form = match e {
                trigate_app::AppError::Refused { .. } => NewForm {
                    idempotency_key: String::new(),
                    ..form
                },
                _ => form,
            };
            page(&p, form, errors, form_status(&e))
        }
    }
}
