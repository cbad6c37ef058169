//! The merchant console, first part: the merchant's products (on sale or
//! not, with stock), each one's storefront details, and importing its keys
//! by paste or by uploading a file (CSV or one key per line, up to 10 MiB)
//! with the import report — added, duplicates, and each unusable line by
//! number. Only a merchant's owner gets here.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::{AppError, Caller, KeyImport, Once, ops};
use trigate_core::query::Balances;
use trigate_core::{ImportReport, OwnProduct, ProductDetails, ProductId, StockDisplay};

use super::{CsrfForm, Page, csrf, error_page, form_status, i18n, refused, render, signed_in};
use crate::AppState;

/// The largest upload of keys taken.
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

/// The signed-in owner of a merchant, or the page that says why not.
pub(super) async fn owner(state: &AppState, p: &Page) -> Result<Caller, Response> {
    let caller = signed_in(p)?;
    match state.app.read(caller, ops::Me).await {
        Ok(me) if me.merchant.is_some() => Ok(caller),
        Ok(_) => Err(error_page(
            p,
            StatusCode::FORBIDDEN,
            p.t("console-merchants-only").into_owned(),
        )),
        Err(e) => Err(refused(p, &e)),
    }
}

/// The merchant's owner and the product the path names, or the page that
/// says why not (the shop checks the product is theirs).
async fn owner_and_product(
    state: &AppState,
    p: &Page,
    id: &str,
) -> Result<(Caller, ProductId), Response> {
    let caller = owner(state, p).await?;
    let product = id
        .parse::<u64>()
        .map(ProductId)
        .map_err(|_| refused(p, &AppError::NotFound("no such product".into())))?;
    Ok((caller, product))
}

struct ProductLine {
    id: u64,
    title: String,
    price: String,
    on_sale: bool,
    stock: Option<u64>,
}

#[derive(Template)]
#[template(path = "merchant_products.html")]
struct ProductsPage<'a> {
    p: &'a Page,
    /// Each balance's label and amount.
    balances: Vec<(String, String)>,
    products: Vec<ProductLine>,
}

pub(super) async fn products(State(state): State<AppState>, p: Page) -> Response {
    let caller = match owner(&state, &p).await {
        Ok(caller) => caller,
        Err(page) => return page,
    };
    let currency = super::wallet::cny();
    let read = tokio::try_join!(
        state.app.read(caller, ops::OwnProducts),
        state.app.read(caller, ops::MerchantBalances { currency }),
    );
    let (products, balances) = match read {
        Ok(both) => both,
        Err(e) => return refused(&p, &e),
    };
    let products = products
        .iter()
        .map(|o: &OwnProduct| ProductLine {
            id: o.id.0,
            title: o.title.clone(),
            price: i18n::money(o.price, o.currency),
            on_sale: o.on_sale,
            stock: o.stock,
        })
        .collect();
    let b: Balances = balances;
    let balances = [
        ("console-pending", b.pending),
        ("console-available", b.available),
        ("console-deposit", b.deposit),
        ("console-debt", b.debt),
    ]
    .into_iter()
    .map(|(id, amount)| (p.t(id).into_owned(), i18n::money(amount, currency)))
    .collect();
    let page = ProductsPage {
        p: &p,
        balances,
        products,
    };
    render(StatusCode::OK, &page)
}

/// What the import form and the details form hold, as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DetailsForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    stock: String,
}

#[derive(Template)]
#[template(path = "merchant_product.html")]
struct ProductPage<'a> {
    p: &'a Page,
    product: &'a OwnProduct,
    details: DetailsForm,
    details_error: Option<String>,
    report: Option<Report>,
    import_error: Option<String>,
    import_key: String,
    saved: bool,
}

/// An import's report as the page shows it.
struct Report {
    added: usize,
    duplicates: usize,
    invalid: Vec<(usize, String)>,
}

fn report(p: &Page, r: &ImportReport) -> Report {
    Report {
        added: r.added.len(),
        duplicates: r.duplicate_in_batch + r.duplicate_existing,
        invalid: r
            .invalid
            .iter()
            .map(|l| {
                (
                    l.line,
                    p.t(&format!("import-{}", l.reason.as_str())).into_owned(),
                )
            })
            .collect(),
    }
}

/// What came back to the product's page after a form.
#[derive(Default)]
struct Outcome {
    details: Option<DetailsForm>,
    details_error: Option<String>,
    report: Option<Report>,
    import_error: Option<String>,
    saved: bool,
}

async fn product_page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    id: &str,
    outcome: Outcome,
    status: StatusCode,
) -> Response {
    let not_found = || {
        error_page(
            p,
            StatusCode::NOT_FOUND,
            p.t("error-product_not_found").into(),
        )
    };
    let Ok(id) = id.parse::<u64>().map(ProductId) else {
        return not_found();
    };
    let products = match state.app.read(caller, ops::OwnProducts).await {
        Ok(products) => products,
        Err(e) => return refused(p, &e),
    };
    let Some(product) = products.iter().find(|o| o.id == id) else {
        return not_found();
    };
    let details = outcome.details.unwrap_or_else(|| {
        let d = product.details.clone();
        DetailsForm {
            category: d.category.unwrap_or_default(),
            description: d.description,
            stock: stock_name(d.stock).into(),
        }
    });
    let page = ProductPage {
        p,
        product,
        details,
        details_error: outcome.details_error,
        report: outcome.report,
        import_error: outcome.import_error,
        import_key: csrf::idempotency_key(),
        saved: outcome.saved,
    };
    render(status, &page)
}

fn stock_name(s: StockDisplay) -> &'static str {
    crate::storefront::stock_display_name(s)
}

pub(super) async fn product(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
) -> Response {
    match owner(&state, &p).await {
        Ok(caller) => {
            product_page(&state, &p, caller, &id, Outcome::default(), StatusCode::OK).await
        }
        Err(page) => page,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct OnSaleForm {
    #[serde(default)]
    on_sale: String,
}

pub(super) async fn set_on_sale(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<OnSaleForm>,
) -> Response {
    let (caller, product) = match owner_and_product(&state, &p, &id).await {
        Ok(both) => both,
        Err(page) => return page,
    };
    let change = ops::SetOnSale {
        product,
        on_sale: form.on_sale == "true",
    };
    match state.app.change(caller, change).await {
        Ok(()) => Redirect::to("/merchant/products").into_response(),
        Err(e) => refused(&p, &e),
    }
}

pub(super) async fn set_details(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DetailsForm>,
) -> Response {
    let (caller, product) = match owner_and_product(&state, &p, &id).await {
        Ok(both) => both,
        Err(page) => return page,
    };
    let details = ProductDetails {
        category: Some(form.category.clone()).filter(|c| !c.trim().is_empty()),
        description: form.description.clone(),
        stock: if form.stock == "in_stock_or_not" {
            StockDisplay::InStockOrNot
        } else {
            StockDisplay::Exact
        },
    };
    let outcome = match state
        .app
        .change(caller, ops::SetProductDetails { product, details })
        .await
    {
        Ok(()) => Outcome {
            saved: true,
            ..Outcome::default()
        },
        Err(e) => {
            let status = form_status(&e);
            let outcome = Outcome {
                details_error: Some(p.refusal(&e)),
                details: Some(form),
                ..Outcome::default()
            };
            return product_page(&state, &p, caller, &id, outcome, status).await;
        }
    };
    product_page(&state, &p, caller, &id, outcome, StatusCode::OK).await
}

/// Imports keys from the form: pasted text, or an uploaded file (which
/// wins when both are given), read up to [`UPLOAD_LIMIT`].
pub(super) async fn import(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let (caller, product) = match owner_and_product(&state, &p, &id).await {
        Ok(both) => both,
        Err(page) => return page,
    };
    let secret = request.extensions().get::<csrf::CsrfSecret>().cloned();
    let multipart =
        match <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state)
            .await
        {
            Ok(m) => m,
            Err(_) => return error_page(&p, StatusCode::BAD_REQUEST, p.t("error-form").into()),
        };
    let upload = match read_upload(multipart).await {
        Ok(upload) => upload,
        Err(status) => {
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                p.t("import-too-large")
            } else {
                p.t("error-form")
            };
            return error_page(&p, status, message.into_owned());
        }
    };
    if !secret.is_some_and(|s| s.accepts(&upload.csrf)) {
        return error_page(&p, StatusCode::FORBIDDEN, p.t("error-csrf").into());
    }
    let csv = upload.csv;
    let import = match upload.file.filter(|f| !f.is_empty()) {
        Some(bytes) => KeyImport::from_upload(product, &bytes, csv),
        None => KeyImport::from_upload(product, upload.pasted.as_bytes(), csv),
    };
    if import.text.trim().is_empty() && import.not_utf8.is_empty() {
        let outcome = Outcome {
            import_error: Some(p.t("import-nothing").into_owned()),
            ..Outcome::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return product_page(&state, &p, caller, &id, outcome, status).await;
    }
    // The request without its keys identifies a retry of this form.
    let once = match Once::new(Some(&upload.key), "page_import", &product.0) {
        Ok(once) => once,
        Err(e) => return refused(&p, &e),
    };
    let outcome = match state.app.import_keys(caller, &once, import).await {
        Ok(done) => Outcome {
            report: Some(report(&p, &done.reply)),
            ..Outcome::default()
        },
        Err(e) => Outcome {
            import_error: Some(p.refusal(&e)),
            ..Outcome::default()
        },
    };
    product_page(&state, &p, caller, &id, outcome, StatusCode::OK).await
}

/// What the import form sent.
#[derive(Default)]
struct Upload {
    csrf: String,
    key: String,
    csv: bool,
    pasted: String,
    file: Option<Vec<u8>>,
}

/// Reads the import form's fields, the file in chunks up to the limit.
async fn read_upload(mut multipart: Multipart) -> Result<Upload, StatusCode> {
    let mut upload = Upload::default();
    let mut total = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| e.status())? {
        let name = field.name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| e.status())? {
            total += chunk.len();
            if total > UPLOAD_LIMIT {
                return Err(StatusCode::PAYLOAD_TOO_LARGE);
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => upload.csrf = text(),
            "idempotency_key" => upload.key = text(),
            "csv" => upload.csv = true,
            "keys" => upload.pasted = text(),
            "file" => upload.file = Some(bytes),
            _ => {}
        }
    }
    Ok(upload)
}

#[derive(Template)]
#[template(path = "merchant_api_keys.html")]
struct ApiKeysPage<'a> {
    p: &'a Page,
    /// A key just made: its id and secret, shown this once.
    made: Option<(String, String)>,
    error: Option<String>,
}

pub(super) async fn api_keys(State(state): State<AppState>, p: Page) -> Response {
    match owner(&state, &p).await {
        Ok(_) => render(
            StatusCode::OK,
            &ApiKeysPage {
                p: &p,
                made: None,
                error: None,
            },
        ),
        Err(page) => page,
    }
}

/// Makes an API key for the merchant: its secret is shown once, on the
/// answer to this form (only its sealed form is kept).
pub(super) async fn create_api_key(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(_): CsrfForm<super::NoFields>,
) -> Response {
    let caller = match owner(&state, &p).await {
        Ok(caller) => caller,
        Err(page) => return page,
    };
    let (made, error, status) = match state.app.create_api_key(caller).await {
        Ok(key) => {
            use secrecy::ExposeSecret;
            let shown = (key.key_id, key.secret.expose_secret().to_string());
            (Some(shown), None, StatusCode::OK)
        }
        Err(e) => (None, Some(p.refusal(&e)), form_status(&e)),
    };
    render(status, &ApiKeysPage { p: &p, made, error })
}
