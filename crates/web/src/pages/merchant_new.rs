//! The merchant console's product form, to make a product or edit one:
//! title, price, quantities per order, wholesale tiers, how it is delivered
//! (card keys, or one text or link for every buyer — chosen when it is
//! made) and the referral commissions; every field comes back with its
//! error and what was typed.

use askama::Template;
use axum::extract::{Path, State};
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
    /// The product being edited; none for a new one.
    editing: Option<u64>,
}

fn page(p: &Page, form: NewForm, errors: Errors, status: StatusCode) -> Response {
    form_page(p, (form, None), errors, status)
}

fn form_page(
    p: &Page,
    (form, editing): (NewForm, Option<u64>),
    errors: Errors,
    status: StatusCode,
) -> Response {
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
    let page = NewPage {
        p,
        form,
        errors,
        editing,
    };
    render(status, &page)
}

pub(super) async fn new_form(State(state): State<AppState>, p: Page) -> Response {
    match owner(&state, &p).await {
        Ok(_) => page(&p, NewForm::default(), Errors::default(), StatusCode::OK),
        Err(refused) => refused,
    }
}

/// A percentage with up to two decimals as basis points.
pub(super) fn bps(text: &str) -> Option<Bps> {
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

/// The product the form describes, or each field's error.
fn spec_of(p: &Page, form: &NewForm) -> Result<NewProduct, Errors> {
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
        return Err(errors);
    };
    Ok(NewProduct {
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
    })
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
    let spec = match spec_of(&p, &form) {
        Ok(spec) => spec,
        Err(errors) => return page(&p, form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let mut errors = Errors::default();
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

/// Basis points as the form's percent (`3.00`).
fn percent(bps: Bps) -> String {
    format!("{}.{:02}", bps.get() / 100, bps.get() % 100)
}

/// The form as `spec` fills it.
fn form_of(spec: &NewProduct) -> NewForm {
    let amount = |minor| trigate_channels::amount::format(minor, spec.currency);
    NewForm {
        title: spec.title.clone(),
        price: amount(spec.price),
        min: spec.min_per_order.to_string(),
        max: spec.max_per_order.to_string(),
        tiers: spec
            .tiers
            .iter()
            .map(|t| format!("{}={}", t.min_quantity, amount(t.unit_price)))
            .collect::<Vec<_>>()
            .join("\n"),
        delivery: match spec.delivery {
            Delivery::Keys => "keys".into(),
            Delivery::Fixed(_) => "text".into(),
        },
        text: match &spec.delivery {
            Delivery::Fixed(text) => text.clone(),
            Delivery::Keys => String::new(),
        },
        l1: percent(spec.commission_l1),
        l2: percent(spec.commission_l2),
        idempotency_key: String::new(),
    }
}

/// The product `id` of the caller's merchant, or the page that says why not.
async fn own(
    state: &AppState,
    p: &Page,
    id: &str,
) -> Result<(trigate_app::Caller, trigate_core::OwnProduct), Response> {
    let caller = owner(state, p).await?;
    let products = state
        .app
        .read(caller, ops::OwnProducts)
        .await
        .map_err(|e| super::refused(p, &e))?;
    id.parse::<u64>()
        .ok()
        .and_then(|id| products.into_iter().find(|x| x.id.0 == id))
        .map(|product| (caller, product))
        .ok_or_else(|| {
            let said = p.t("error-product_not_found").into_owned();
            super::error_page(p, StatusCode::NOT_FOUND, said)
        })
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
) -> Response {
    match own(&state, &p, &id).await {
        Ok((_, product)) => {
            let form = (form_of(&product.spec), Some(product.id.0));
            form_page(&p, form, Errors::default(), StatusCode::OK)
        }
        Err(refused) => refused,
    }
}

/// Saves the edited product; what it is delivered as stays as it was made.
pub(super) async fn edit(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Response {
    let (caller, product) = match own(&state, &p, &id).await {
        Ok(both) => both,
        Err(refused) => return refused,
    };
    let editing = Some(product.id.0);
    let spec = match spec_of(&p, &form) {
        Ok(spec) => spec,
        Err(errors) => {
            return form_page(
                &p,
                (form, editing),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let change = ops::EditProduct {
        product: product.id,
        spec,
    };
    match state.app.change(caller, change).await {
        Ok(()) => Redirect::to(&format!("/merchant/products/{}", product.id.0)).into_response(),
        Err(e) => {
            let errors = Errors {
                form: Some(p.refusal(&e)),
                ..Errors::default()
            };
            form_page(&p, (form, editing), errors, form_status(&e))
        }
    }
}
