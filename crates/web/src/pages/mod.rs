//! The shop's pages: server-rendered askama templates with htmx for partial
//! updates, in zh-CN and en. Handlers call the application layer exactly as
//! the API's do; no rule lives here or in a template. Every page is served
//! under a strict Content-Security-Policy (no inline script), compressed,
//! and every form carries a masked CSRF token.

// A page's early way out is the response itself (a redirect to sign in, an
// error page); boxing it would only add an allocation to every page.
#![allow(clippy::result_large_err)]

mod account;
mod admin;
mod admin_approvals;
mod admin_channels;
mod admin_dashboard;
mod admin_look;
mod admin_merchants;
mod admin_ops;
mod admin_risk;
mod admin_risk_cases;
mod admin_users;
mod admin_withdrawals;
pub mod assets;
mod charts;
pub mod csrf;
mod guest_pass;
pub mod i18n;
mod merchant;
mod merchant_money;
mod merchant_new;
mod my_orders;
mod order_list;
mod orders;
mod paging;
mod paying;
mod qr;
mod security;
mod staff;
mod store;
mod wallet;
mod withdraw;

use std::borrow::Cow;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use trigate_app::{AppError, Caller, ops};
use trigate_core::Currency;

pub use guest_pass::GuestPasses;
use i18n::{Lang, Texts};
pub use merchant::UPLOAD_LIMIT;
pub use paying::StartedPayments;

use crate::AppState;

/// The policy every page is served under: scripts and styles from this
/// origin only, nothing inline, no framing, forms posted here only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";

/// The pages' routes, with the layers pages need (and the API does not).
pub fn routes(state: AppState) -> Router<AppState> {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    let pages = Router::new()
        .route("/", get(store::home))
        .route("/products/{id}", get(store::product))
        .route(
            "/checkout",
            post(store::checkout).layer(crate::limits::checkout()),
        )
        .route("/orders/{id}", get(orders::order))
        .route("/orders/{id}/live", get(orders::live))
        .route("/orders/{id}/confirm", post(my_orders::confirm))
        .route("/orders/{id}/dispute", post(my_orders::dispute))
        .route("/account/orders", get(order_list::my_orders))
        .route(
            "/account/security",
            get(security::security).post(security::enrol),
        )
        .route("/wallet", get(wallet::wallet))
        .route(
            "/wallet/recharge",
            post(wallet::recharge).layer(crate::limits::checkout()),
        )
        .route(
            "/withdrawals",
            get(withdraw::withdrawals).post(withdraw::request),
        )
        .route("/destinations", post(withdraw::add_destination))
        .route(
            "/destinations/{id}/remove",
            post(withdraw::remove_destination),
        )
        .route(
            "/lookup",
            get(orders::lookup_form).merge(post(orders::lookup).layer(crate::limits::lookup())),
        )
        .route(
            "/signin",
            get(account::signin_form).merge(post(account::signin).layer(crate::limits::auth())),
        )
        .route(
            "/signup",
            get(account::signup_form).merge(post(account::signup).layer(crate::limits::auth())),
        )
        .route("/signout", post(account::signout))
        .route("/lang/{tag}", get(switch_lang))
        .route("/account/email", post(security::set_email))
        .route("/orders/{id}/messages", post(my_orders::message))
        .route("/staff/outbox", get(staff::outbox))
        .route("/admin", get(admin_dashboard::dashboard))
        .route("/admin/merchants", get(admin::merchants))
        .route("/admin/custody", get(admin_ops::custody))
        .route("/admin/outflows/stop", post(admin_ops::stop))
        .route("/admin/outflows/lift", post(admin_ops::lift))
        .route("/admin/audit", get(admin_ops::audit))
        .route("/admin/withdrawals", get(admin_withdrawals::withdrawals))
        .route(
            "/admin/withdrawals/{id}/approve",
            post(admin_withdrawals::approve),
        )
        .route(
            "/admin/withdrawals/{id}/reject",
            post(admin_withdrawals::reject),
        )
        .route(
            "/admin/withdrawals/{id}/paid",
            post(admin_withdrawals::paid),
        )
        .route("/admin/merchants/{id}/status", post(admin::set_status))
        .route("/admin/merchants/open", post(admin_merchants::open))
        .route(
            "/admin/merchants/{id}/forfeit",
            post(admin_merchants::forfeit),
        )
        .route("/merchant/products", get(merchant::products))
        .route(
            "/merchant/products/new",
            get(merchant_new::new_form).post(merchant_new::create),
        )
        .route("/merchant/orders", get(order_list::my_orders))
        .route("/merchant/money", get(merchant_money::money))
        .route("/merchant/deposit", post(merchant_money::deposit))
        .route("/admin/orders", get(order_list::all_orders))
        .route("/admin/orders/{id}/decide", post(order_list::decide))
        .route("/admin/approvals", get(admin_approvals::approvals))
        .route("/admin/channels", get(admin_channels::channels))
        .route(
            "/admin/credits/{id}/{decision}",
            post(admin_approvals::decide_credit),
        )
        .route("/admin/users", get(admin_users::users))
        .route("/admin/risk", get(admin_risk::queue))
        .route("/admin/risk/reviews/{id}/claim", post(admin_risk::claim))
        .route("/admin/risk/reviews/{id}/decide", post(admin_risk::decide))
        .route("/admin/risk/decisions/{id}", get(admin_risk::decision))
        .route("/admin/risk/cases", get(admin_risk_cases::cases))
        .route("/admin/risk/cases/{id}", get(admin_risk_cases::case))
        .route(
            "/admin/risk/cases/{id}/decide",
            post(admin_risk_cases::decide),
        )
        .route(
            "/admin/risk/rules",
            get(admin_risk::rules).post(admin_risk::save_rule),
        )
        .route(
            "/admin/risk/lists",
            get(admin_risk::lists).post(admin_risk::list),
        )
        .route(
            "/admin/look",
            get(admin_look::look).post(admin_look::set_look),
        )
        .route("/admin/users/{id}/role", post(admin_users::set_role))
        .route("/admin/users/{id}/credit", post(admin_users::credit))
        .route("/admin/sends/{id}/resolve", post(admin_channels::resolve))
        .route("/admin/attempts/mark-paid", post(admin_channels::mark_paid))
        .route(
            "/admin/approvals/{id}/{decision}",
            post(admin_approvals::decide_approval),
        )
        .route(
            "/merchant/api-keys",
            get(merchant::api_keys).post(merchant::create_api_key),
        )
        .route("/orders/{id}/replace-keys", post(my_orders::replace_keys))
        .route(
            "/orders/{id}/refund-dispute",
            post(my_orders::refund_dispute),
        )
        .route("/merchant/products/{id}", get(merchant::product))
        .route(
            "/merchant/products/{id}/edit",
            get(merchant_new::edit_form).post(merchant_new::edit),
        )
        .route(
            "/merchant/products/{id}/on-sale",
            post(merchant::set_on_sale),
        )
        .route(
            "/merchant/products/{id}/details",
            post(merchant::set_details),
        )
        .route(
            "/merchant/products/{id}/keys",
            post(merchant::import).layer(axum::extract::DefaultBodyLimit::max(
                merchant::UPLOAD_LIMIT + 64 * 1024,
            )),
        )
        .layer(axum::middleware::from_fn_with_state(state, csrf::ensure))
        .layer(header("content-security-policy", CSP))
        .layer(header("cache-control", "no-store"));
    Router::new()
        .merge(pages)
        .route("/static/{file}", get(assets::asset_route))
        .route("/favicon.ico", get(assets::favicon))
        .route("/theme.css", get(theme))
        .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
}

/// A cookie's value from the request's headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// What every page shows around its content, and how it speaks.
#[derive(Debug)]
pub struct Page {
    pub lang: Lang,
    texts: &'static Texts,
    /// A fresh CSRF token for this response's forms; empty where the page
    /// has none to give (its forms are then not shown).
    pub csrf: String,
    /// Who is signed in.
    pub user: Option<String>,
    pub caller: Option<Caller>,
    /// This page's path, for the language switcher to come back to.
    pub path: String,
    offset: i32,
    /// The shop's look (its name, logo, colour, announcement).
    pub look: trigate_core::ShopLook,
    /// The merchant the signed-in caller owns (the console is theirs).
    pub merchant: Option<trigate_core::MerchantId>,
    /// The signed-in caller is staff (the admin console is theirs).
    pub staff: bool,
}

impl Page {
    /// A page for a request, from its headers and extensions, without
    /// asking who is signed in.
    fn bare(headers: &HeaderMap, extensions: &axum::http::Extensions, path: &str) -> Page {
        let lang = Lang::negotiate(
            cookie(headers, i18n::LANG_COOKIE),
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        Page {
            lang,
            texts: i18n::texts(lang),
            csrf: extensions
                .get::<csrf::CsrfSecret>()
                .map(csrf::CsrfSecret::token)
                .unwrap_or_default(),
            user: None,
            caller: None,
            path: path.to_string(),
            offset: i18n::offset_minutes(cookie(headers, "tz")),
            look: trigate_core::ShopLook::default(),
            merchant: None,
            staff: false,
        }
    }

    /// The shop's name: as its admins set it, else the default in the
    /// viewer's language.
    pub fn shop_name(&self) -> Cow<'_, str> {
        if self.look.name.is_empty() {
            self.t("shop-name")
        } else {
            Cow::Borrowed(&self.look.name)
        }
    }

    /// The stylesheet of the shop's colour, if it has one.
    pub fn theme(&self) -> Option<String> {
        self.look
            .colour
            .as_deref()
            .map(|c| format!("/theme.css?c={}", c.trim_start_matches('#')))
    }

    /// The URL of a static file, with its version.
    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The message `id`.
    pub fn t<'a>(&'a self, id: &'a str) -> Cow<'a, str> {
        self.texts.t(id)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        self.texts
            .fmt(id, &[(name, fluent_bundle::FluentValue::from(value))])
    }

    pub fn money(&self, minor: &u64, currency: &Currency) -> String {
        i18n::money(*minor, *currency)
    }

    pub fn time(&self, unix_secs: u64) -> String {
        i18n::local_time(unix_secs, self.offset)
    }

    /// The languages to switch to, with the link that does.
    pub fn languages(&self) -> Vec<LangLink> {
        let back: String = form_urlencoded(&self.path);
        Lang::ALL
            .iter()
            .map(|l| LangLink {
                name: l.name(),
                tag: l.tag(),
                href: format!("/lang/{}?back={back}", l.tag()),
                current: *l == self.lang,
            })
            .collect()
    }

    /// A payment method's name (`balance`, `alipay`, …).
    pub fn method_name(&self, method: &str) -> String {
        let id = format!("method-{method}");
        if self.texts.has(&id) {
            self.texts.t(&id).into_owned()
        } else {
            method.to_string()
        }
    }

    /// A refusal of the application layer, in the viewer's language.
    pub fn refusal(&self, error: &AppError) -> String {
        let id = format!("error-{}", error.code());
        if self.texts.has(&id) {
            self.texts.t(&id).into_owned()
        } else {
            self.texts.t("error-internal").into_owned()
        }
    }
}

/// `path` if it is a path on this site to send a browser back to: it
/// starts with one `/`, and holds no backslash, whitespace or control
/// character (which browsers drop or turn into another host).
pub(crate) fn local_path(path: &str) -> Option<&str> {
    let safe = path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    safe.then_some(path)
}

/// A link of the language switcher.
#[derive(Debug)]
pub struct LangLink {
    pub name: &'static str,
    pub tag: &'static str,
    pub href: String,
    pub current: bool,
}

fn form_urlencoded(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// The page for a request, with who is signed in, as an extractor.
impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut page = Page::bare(&parts.headers, &parts.extensions, parts.uri.path());
        if let Ok(look) = state.app.read(Caller::GUEST, ops::Look).await {
            page.look = look;
        }
        if let Some(user) = crate::auth::session_token(parts).and_then(|t| state.sessions.user(&t))
        {
            let caller = Caller(user);
            if let Ok(me) = state.app.read(caller, ops::Me).await {
                page.user = Some(me.login);
                page.caller = Some(caller);
                page.merchant = me.merchant;
                page.staff = matches!(me.role, trigate_core::Role::Staff(_));
            }
        }
        Ok(page)
    }
}

/// A template rendered into a response with `status`.
pub(crate) fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    p: &'a Page,
    title: Cow<'a, str>,
    message: String,
}

/// An error page in the shop's style.
/// A body over the limit sent to a page: the shop's 413 page, in the
/// viewer's language (answered outside the pages' router, so it carries
/// their policy itself).
pub(crate) fn too_large_page(headers: &HeaderMap) -> Response {
    let p = Page::bare(headers, &axum::http::Extensions::new(), "/");
    let mut response = error_page(
        &p,
        StatusCode::PAYLOAD_TOO_LARGE,
        p.t("error-too-large").into(),
    );
    response.headers_mut().insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    );
    response
}

pub(crate) fn error_page(p: &Page, status: StatusCode, message: String) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => p.t("error-page-not-found"),
        StatusCode::FORBIDDEN => p.t("error-page-forbidden"),
        StatusCode::TOO_MANY_REQUESTS => p.t("error-page-slow-down"),
        _ => p.t("error-page-title"),
    };
    render(status, &ErrorPage { p, title, message })
}

/// The caller signed in, or the way to the sign-in page (coming back
/// here after).
pub(crate) fn signed_in(p: &Page) -> Result<Caller, Response> {
    p.caller.ok_or_else(|| {
        Redirect::to(&format!("/signin?next={}", form_urlencoded(&p.path))).into_response()
    })
}

/// The status a refused form comes back with: the refusal's own, never a
/// 500 (the form and what was typed are shown again either way).
pub(crate) fn form_status(e: &AppError) -> StatusCode {
    match e.status() {
        StatusCode::INTERNAL_SERVER_ERROR => StatusCode::SERVICE_UNAVAILABLE,
        s => s,
    }
}

/// A refusal of the application layer as an error page.
pub(crate) fn refused(p: &Page, error: &AppError) -> Response {
    error_page(p, error.status(), p.refusal(error))
}

/// The page for a path no route serves.
pub async fn not_found(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let Ok(p) = Page::from_request_parts(&mut parts, &state).await;
    let message = p.t("error-page-not-found-text").into_owned();
    let mut response = error_page(&p, StatusCode::NOT_FOUND, message);
    // Served outside the pages' layers: their policy is set here.
    response.headers_mut().insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(CSP),
    );
    response
}

/// A form whose only field is its CSRF token (a button: sign out, remove,
/// make a key).
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// A form posted from one of the pages: refused unless it carries a CSRF
/// token made from the viewer's cookie.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let p = Page::bare(
            request.headers(),
            request.extensions(),
            request.uri().path(),
        );
        let secret = request.extensions().get::<csrf::CsrfSecret>().cloned();
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                error_page(
                    &p,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    p.t("error-too-large").into(),
                )
            } else {
                error_page(&p, StatusCode::BAD_REQUEST, p.t("error-form").into())
            }
        })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| error_page(&p, StatusCode::BAD_REQUEST, p.t("error-form").into()))?;
        let token = fields
            .iter()
            .find(|(name, _)| name == "csrf")
            .map(|(_, v)| v.as_str());
        let accepted = matches!((&secret, token), (Some(s), Some(t)) if s.accepts(t));
        if !accepted {
            tracing::info!("a form was refused: no valid CSRF token");
            return Err(error_page(
                &p,
                StatusCode::FORBIDDEN,
                p.t("error-csrf").into(),
            ));
        }
        serde_urlencoded::from_bytes(&body)
            .map(CsrfForm)
            .map_err(|_| error_page(&p, StatusCode::BAD_REQUEST, p.t("error-form").into()))
    }
}

#[derive(Debug, Deserialize)]
struct Back {
    #[serde(default)]
    back: String,
}

#[derive(Debug, Deserialize)]
struct ThemeQuery {
    #[serde(default)]
    c: String,
}

/// The stylesheet of a colour (`?c=rrggbb`): the shop's, as [`Page::theme`]
/// links it. Anything but six hex digits gets the default.
async fn theme(axum::extract::Query(q): axum::extract::Query<ThemeQuery>) -> Response {
    let colour = if q.c.len() == 6 && q.c.bytes().all(|b| b.is_ascii_hexdigit()) {
        q.c.to_ascii_lowercase()
    } else {
        "0f2a5f".into()
    };
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        format!(":root{{--brand:#{colour}}}\n"),
    )
        .into_response()
}

/// Sets the viewer's language and goes back where they were (a path on
/// this site only).
async fn switch_lang(
    Path(tag): Path<String>,
    axum::extract::Query(back): axum::extract::Query<Back>,
) -> Response {
    let lang = Lang::from_tag(&tag).unwrap_or(Lang::ZhCn);
    let to = local_path(&back.back).unwrap_or("/");
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        i18n::LANG_COOKIE,
        lang.tag()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

#[cfg(test)]
mod messages_test;
