//! The storefront: the products on sale, one product with its checkout
//! form, and checkout itself — as a guest (with a lookup secret) or signed
//! in, paid from the wallet or through a channel (a redirect, or a QR code
//! for a channel's code URL).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use trigate_app::{AppError, Caller, GuestCheckout, Once, Replied, ops};
use trigate_channels::Checkout;
use trigate_core::query::ProductView;
use trigate_core::{OrderId, ProductId};

use super::{CsrfForm, GuestPasses, Page, csrf, error_page, refused, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    p: &'a Page,
    products: Vec<ProductLine>,
    /// Every category on sale, and the one chosen.
    categories: Vec<String>,
    category: Option<String>,
}

/// A product as a list shows it.
struct ProductLine {
    id: u64,
    title: String,
    price: String,
    stock: Stock,
    category: Option<String>,
}

/// How much is left, as the page says it.
enum Stock {
    Unlimited,
    Left(u64),
    SoldOut,
}

impl Stock {
    /// How much is left, as the merchant chose to show it.
    fn of(p: &ProductView) -> Stock {
        match p.stock {
            Some(0) => Stock::SoldOut,
            Some(n) if p.details.stock == trigate_core::StockDisplay::Exact => Stock::Left(n),
            _ => Stock::Unlimited,
        }
    }

    fn sold_out(&self) -> bool {
        matches!(self, Stock::SoldOut)
    }

    fn text(&self, p: &Page) -> String {
        match self {
            Stock::Unlimited => p.t("stock-in").into_owned(),
            Stock::Left(n) => p.t1("stock-left", "count", &n.to_string()),
            Stock::SoldOut => p.t("stock-out").into_owned(),
        }
    }
}

async fn catalog(state: &AppState) -> Result<Vec<ProductView>, AppError> {
    state.app.read(Caller::GUEST, ops::Catalog).await
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct HomeQuery {
    #[serde(default)]
    category: Option<String>,
}

pub(super) async fn home(
    State(state): State<AppState>,
    p: Page,
    query: Result<axum::extract::Query<HomeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let products = match catalog(&state).await {
        Ok(products) => products,
        Err(e) => return refused(&p, &e),
    };
    let mut categories: Vec<String> = products
        .iter()
        .filter_map(|v| v.details.category.clone())
        .collect();
    categories.sort();
    categories.dedup();
    let category = query
        .ok()
        .and_then(|q| q.0.category)
        .filter(|c| categories.contains(c));
    let products = products
        .iter()
        .filter(|v| category.is_none() || v.details.category == category)
        .map(|v| ProductLine {
            id: v.id.0,
            title: v.title.clone(),
            price: p.money(&v.price, &v.currency),
            stock: Stock::of(v),
            category: v.details.category.clone(),
        })
        .collect();
    let home = Home {
        p: &p,
        products,
        categories,
        category,
    };
    render(StatusCode::OK, &home)
}

/// What the checkout form holds, as typed: every field is text so a bad
/// value comes back to the buyer with its error, never a bare 400.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct CheckoutForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    coupon: String,
    #[serde(default)]
    lookup_secret: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    idempotency_key: String,
}

/// The errors of a checkout form, each beside its field.
#[derive(Debug, Default)]
struct CheckoutErrors {
    quantity: Option<String>,
    lookup_secret: Option<String>,
    email: Option<String>,
    method: Option<String>,
    form: Option<String>,
}

impl CheckoutErrors {
    fn any(&self) -> bool {
        self.quantity.is_some()
            || self.lookup_secret.is_some()
            || self.email.is_some()
            || self.method.is_some()
            || self.form.is_some()
    }
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage<'a> {
    p: &'a Page,
    product: &'a ProductView,
    stock: Stock,
    tiers: Vec<(u32, String)>,
    methods: Vec<String>,
    form: CheckoutForm,
    errors: CheckoutErrors,
}

fn product_page(
    p: &Page,
    state: &AppState,
    product: &ProductView,
    form: CheckoutForm,
    errors: CheckoutErrors,
    status: StatusCode,
) -> Response {
    let mut methods = state.app.payments().methods(product.currency);
    if p.caller.is_some() {
        methods.insert(0, "balance".into());
    }
    let form = CheckoutForm {
        product: product.id.0.to_string(),
        quantity: if form.quantity.is_empty() {
            product.min_per_order.to_string()
        } else {
            form.quantity
        },
        method: if form.method.is_empty() {
            methods.first().cloned().unwrap_or_default()
        } else {
            form.method
        },
        // Each rendering of the form is one purchase: a double click
        // sends the same key twice and pays once.
        idempotency_key: csrf::key_or_new(form.idempotency_key),
        ..form
    };
    let tiers = product
        .tiers
        .iter()
        .map(|t| (t.min_quantity, p.money(&t.unit_price, &product.currency)))
        .collect();
    render(
        status,
        &ProductPage {
            p,
            product,
            stock: Stock::of(product),
            tiers,
            methods,
            form,
            errors,
        },
    )
}

/// The product on sale with id `id`, or the page saying there is none.
async fn on_sale(state: &AppState, p: &Page, id: &str) -> Result<ProductView, Response> {
    let not_found = || {
        error_page(
            p,
            StatusCode::NOT_FOUND,
            p.t("error-product_not_found").into_owned(),
        )
    };
    let id: u64 = id.parse().map_err(|_| not_found())?;
    let products = catalog(state).await.map_err(|e| refused(p, &e))?;
    products
        .into_iter()
        .find(|v| v.id.0 == id)
        .ok_or_else(not_found)
}

pub(super) async fn product(
    State(state): State<AppState>,
    p: Page,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    match on_sale(&state, &p, &id).await {
        Ok(product) => product_page(
            &p,
            &state,
            &product,
            CheckoutForm::default(),
            CheckoutErrors::default(),
            StatusCode::OK,
        ),
        Err(page) => page,
    }
}

/// The request a page's purchase is, for its idempotency key.
#[derive(Debug, Serialize)]
struct PageBuy<'a> {
    product: u64,
    quantity: u32,
    coupon: &'a Option<String>,
    /// `balance` or `channel`: a retry after a channel failed may pick
    /// another channel's method under the same key.
    pay: &'static str,
    #[serde(skip)]
    method: &'a str,
}

pub(super) async fn checkout(
    State(state): State<AppState>,
    p: Page,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<CheckoutForm>,
) -> Response {
    let product = match on_sale(&state, &p, &form.product).await {
        Ok(product) => product,
        Err(page) => return page,
    };
    let mut errors = CheckoutErrors::default();
    let quantity = form
        .quantity
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|q| (product.min_per_order..=product.max_per_order).contains(q));
    if quantity.is_none() {
        errors.quantity = Some(p.texts.fmt(
            "field-quantity-range",
            &[
                ("min", product.min_per_order.into()),
                ("max", product.max_per_order.into()),
            ],
        ));
    }
    let guest = p.caller.is_none();
    let secret_length = form.lookup_secret.chars().count();
    if guest && !(6..=128).contains(&secret_length) {
        errors.lookup_secret = Some(p.t("field-lookup-secret").into_owned());
    }
    let email = form.email.trim();
    if guest && !email.is_empty() && trigate_core::Email::new(email).is_err() {
        errors.email = Some(p.t("field-email").into_owned());
    }
    let channel_methods = state.app.payments().methods(product.currency);
    let by_balance = !guest && form.method == "balance";
    if !by_balance && !channel_methods.contains(&form.method) {
        errors.method = Some(p.t("field-method").into_owned());
    }
    if form.idempotency_key.is_empty() {
        errors.form = Some(p.t("error-form").into_owned());
    }
    let Some(quantity) = quantity.filter(|_| !errors.any()) else {
        return product_page(
            &p,
            &state,
            &product,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let coupon = Some(form.coupon.trim().to_string()).filter(|c| !c.is_empty());
    let buy = PageBuy {
        product: product.id.0,
        quantity,
        coupon: &coupon,
        pay: if by_balance { "balance" } else { "channel" },
        method: &form.method,
    };
    let key = form.idempotency_key.as_str();
    let bought = match p.caller {
        Some(caller) => buy_signed_in(&state, caller, key, &buy).await,
        None => {
            let guest = (form.lookup_secret.clone(), form.email.as_str());
            buy_as_guest(&state, &headers, key, &buy, guest).await
        }
    };
    let (order, checkout, cookie) = match bought {
        Ok(Bought::Paid(order)) => {
            return Redirect::to(&format!("/orders/{}", order.0)).into_response();
        }
        Ok(Bought::Started {
            order,
            amount,
            checkout,
            pass,
        }) => ((order, amount), checkout, pass),
        Err(e) => {
            errors.form = Some(p.refusal(&e));
            let status = super::form_status(&e);
            // The shop remembers a refusal under its key: a corrected form
            // is another purchase. A failure that decided nothing keeps it.
            let form = match e {
                AppError::Refused { .. } => CheckoutForm {
                    idempotency_key: String::new(),
                    ..form
                },
                _ => form,
            };
            return product_page(&p, &state, &product, form, errors, status);
        }
    };
    let mut response = super::paying::pay_page(&p, Some(order.0.0), &order.1, checkout);
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// What buying did.
enum Bought {
    /// Paid from the wallet: the order shows its keys.
    Paid(OrderId),
    /// Created and a payment started: the buyer goes on to the channel.
    Started {
        order: OrderId,
        amount: String,
        checkout: Checkout,
        /// A guest's pass cookie.
        pass: Option<String>,
    },
}

async fn buy_signed_in(
    state: &AppState,
    caller: Caller,
    key: &str,
    buy: &PageBuy<'_>,
) -> Result<Bought, AppError> {
    let once = Once::new(Some(key), "page_buy", buy)?;
    let (product, quantity, coupon) = (ProductId(buy.product), buy.quantity, buy.coupon.clone());
    if buy.method == "balance" {
        let change = ops::BuyWithBalance {
            product,
            quantity,
            coupon,
        };
        let Replied { reply, .. } = state.app.change_once(caller, &once, change).await?;
        return Ok(Bought::Paid(reply.0));
    }
    let change = ops::CreateOrder {
        product,
        quantity,
        coupon,
    };
    let order = state.app.change_once(caller, &once, change).await?.reply;
    let details = state.app.order(caller, order).await?;
    let started = state.app.pay_order(caller, order, buy.method).await?;
    Ok(Bought::Started {
        order,
        amount: super::i18n::money(details.amount, details.currency),
        checkout: started.checkout,
        pass: None,
    })
}

async fn buy_as_guest(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    buy: &PageBuy<'_>,
    (secret, email): (String, &str),
) -> Result<Bought, AppError> {
    let checkout = GuestCheckout {
        product: ProductId(buy.product),
        quantity: buy.quantity,
        coupon: buy.coupon.clone(),
        email: Some(email.trim().to_string()).filter(|e| !e.is_empty()),
    };
    let details = state
        .app
        .guest_checkout(Some(key), checkout, secret.clone())
        .await?
        .reply;
    let started = state
        .app
        .pay_guest_order(details.order, secret, buy.method)
        .await?;
    let token = state.passes.grant(headers, details.order);
    Ok(Bought::Started {
        order: details.order,
        amount: super::i18n::money(details.amount, details.currency),
        checkout: started.checkout,
        pass: Some(GuestPasses::cookie(&token, state.secure_cookies)),
    })
}
