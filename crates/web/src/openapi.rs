//! The OpenAPI document, generated from the handlers' own annotations and
//! served at `/api/openapi.json`, with Swagger UI (its files built into the
//! binary) at `/api/docs`.

use axum::Router;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_swagger_ui::SwaggerUi;

use super::AppState;
use super::refusals::Refusals;
use super::{
    account, admin, approvals, custody, custody_flows, dashboard, disputes, guest, merchant,
    orders, pay, risk_api, risk_case_api, routes, sends, storefront, withdraw,
};

/// Every refusal: `{"error": {"code", "message"}}`, the code stable.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// Stable, for programs: `unauthenticated`, `forbidden`,
    /// `idempotency_conflict`, `insufficient_balance`, …
    code: String,
    /// For people.
    message: String,
    /// The request's id, as in its `x-request-id` header: what to quote
    /// when asking the operator about it.
    request_id: Option<String>,
}

/// Every `Idempotency-Key` header as the shop takes it: 1 to 255
/// printable ASCII characters.
struct KeyHeader;

impl utoipa::Modify for KeyHeader {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        for item in doc.paths.paths.values_mut() {
            for op in [item.get.as_mut(), item.post.as_mut()]
                .into_iter()
                .flatten()
            {
                for p in op.parameters.iter_mut().flatten() {
                    let RefOr::T(p) = p else { continue };
                    if p.parameter_in == ParameterIn::Header
                        && p.name.eq_ignore_ascii_case("idempotency-key")
                    {
                        let schema = ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(255))
                            .pattern(Some("^[!-~]+$"));
                        p.schema = Some(RefOr::T(schema.into()));
                    }
                }
            }
        }
    }
}

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::COOKIE,
                "Set by POST /api/v1/auth/login",
            ))),
        );
        components.add_security_scheme(
            "signed",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-trigate-key",
                "A merchant API key id; with x-trigate-timestamp, x-trigate-nonce and \
                 x-trigate-signature, the HMAC-SHA256 (hex) of method, path, timestamp, \
                 nonce and body joined by newlines",
            ))),
        );
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "trigate",
        description = "A shop for digital goods over a double-entry ledger, with segregated accounts, \
            escrow and split settlement, and risk control (rules, lists, a review queue, ring cases). \
            Every POST that moves money or stock takes an Idempotency-Key (Stripe's meaning: the \
            first response is replayed for the same request; the same key with another request \
            is 409 idempotency_conflict; keys are kept 24 hours). Errors are \
            {\"error\": {\"code\", \"message\", \"request_id\"}}; each operation lists, per status, \
            the codes it can answer. Times are RFC 3339 in UTC; amounts are integers in minor units \
            beside their currency."
    ),
    paths(
        routes::readyz,
        account::register,
        account::login,
        account::logout,
        account::me,
        routes::catalog,
        orders::buy,
        orders::order,
        orders::confirm,
        orders::pay_by_balance,
        orders::refund,
        orders::channel_refund,
        disputes::open_dispute,
        disputes::replace_keys,
        disputes::decide,
        disputes::refund_dispute,
        disputes::escalate,
        orders::cancel,
        merchant::fund_deposit,
        orders::list_orders,
        merchant::own_products,
        merchant::set_on_sale,
        account::wallet,
        admin::audit,
        admin::merchant_status,
        merchant::balances,
        merchant::create_api_key,
        merchant::add_product,
        merchant::import_keys,
        merchant::create_coupon,
        guest::buy,
        guest::pay,
        pay::pay_order,
        pay::recharge,
        pay::mark_paid,
        pay::send_back,
        sends::open_sends,
        approvals::waiting,
        approvals::approve,
        approvals::reject,
        approvals::top_up,
        custody::custody,
        custody::top_up,
        custody::stop,
        custody::lift,
        custody::book_loss,
        custody_flows::book_settlement,
        custody_flows::sweep,
        custody_flows::credit_deposit,
        custody_flows::forfeit_deposit,
        custody_flows::pay_deposit,
        withdraw::destinations,
        withdraw::add_destination,
        withdraw::remove_destination,
        sends::resolve,
        pay::health,
        pay::return_page,
        guest::lookup,
        withdraw::request,
        withdraw::list,
        withdraw::approve,
        withdraw::reject,
        withdraw::payout,
        admin::set_role,
        admin::create_merchant,
        admin::credit,
        admin::decide_credit,
        admin::enrol_other,
        account::enrol_self,
        storefront::set_details,
        storefront::set_look,
        storefront::look,
        storefront::set_email,
        storefront::add_message,
        storefront::outbox,
        dashboard::dashboard,
        risk_api::features,
        risk_api::rules,
        risk_api::save_rule,
        risk_api::rule_versions,
        risk_api::backtest,
        risk_api::lists,
        risk_api::list,
        risk_api::unlist,
        risk_api::decisions,
        risk_api::decision,
        risk_api::reviews,
        risk_api::claim,
        risk_api::approve,
        risk_api::decline,
        risk_case_api::cases,
        risk_case_api::case,
        risk_case_api::release,
        risk_case_api::ban,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Security, &KeyHeader, &Refusals),
    security(("session" = []), ("signed" = [])),
)]
pub struct ApiDoc;

/// `/api/openapi.json` and Swagger UI at `/api/docs`.
pub fn routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
}
