//! Which refusals each operation of the API can answer, and the Modify
//! that writes them into the OpenAPI document: one response per status,
//! its `error.code` an enum of exactly the codes that route can give.
//!
//! A route's own codes are listed here, traced through its handler, the
//! application layer and the shop; those every route of a kind can give
//! are added from what the document already says of it (a body, a path
//! id or query, an `Idempotency-Key`, a sign-in).

use std::collections::{BTreeMap, BTreeSet};

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder};

use trigate_app::AppError;

/// What approving can be refused for: the approval's own checks, then
/// whatever the action it runs can be refused for.
const APPROVAL_RUNS: &[&str] = &[
    "debt_open",
    "merchant_not_found",
    "past_refund_horizon",
    "forbidden",
    "insufficient_balance",
    "invalid",
    "outflows_stopped",
    "order_not_found",
    "order_state",
    "refund_beyond_paid",
];

/// What deciding a review can be refused for: the review's own checks,
/// then what delivering, refunding or ending a withdrawal can be.
const REVIEW_DECIDES: &[&str] = &[
    "forbidden",
    "insufficient_balance",
    "invalid",
    "order_not_found",
    "order_state",
    "refund_beyond_paid",
    "review_not_found",
    "withdrawal_not_found",
    "withdrawal_state",
];

/// What deciding a ring case's member can be refused for: the case's own
/// checks, then what releasing or ending its withdrawals can be.
const CASE_DECIDES: &[&str] = &[
    "case_not_found",
    "forbidden",
    "insufficient_balance",
    "invalid",
    "withdrawal_not_found",
    "withdrawal_state",
];

/// `(method, path, codes)`: each operation's own refusals.
pub const OWN: &[(&str, &str, &[&str])] = &[
    ("get", "/readyz", &[]),
    (
        "post",
        "/api/v1/admin/attempts/{id}/send-back",
        &[
            "attempt_not_found",
            "channel_unreachable",
            "forbidden",
            "invalid",
            "outflows_stopped",
            "send_unresolved",
            "unknown_channel",
        ],
    ),
    ("get", "/pay/{channel}/return/{no}", &["not_found"]),
    ("get", "/api/v1/admin/sends", &["forbidden"]),
    ("get", "/api/v1/admin/approvals", &["forbidden"]),
    (
        "post",
        "/api/v1/admin/approvals/{id}/approve",
        APPROVAL_RUNS,
    ),
    (
        "post",
        "/api/v1/admin/approvals/{id}/reject",
        &["forbidden", "invalid"],
    ),
    (
        "post",
        "/api/v1/admin/reserve/top-ups",
        &["forbidden", "invalid"],
    ),
    ("get", "/api/v1/admin/custody", &["forbidden"]),
    ("get", "/api/v1/admin/dashboard", &["forbidden"]),
    ("get", "/api/v1/risk/features", &[]),
    ("get", "/api/v1/risk/rules", &["forbidden"]),
    (
        "post",
        "/api/v1/risk/rules",
        &["forbidden", "invalid", "rule_invalid"],
    ),
    (
        "get",
        "/api/v1/risk/rules/{name}",
        &["forbidden", "rule_invalid"],
    ),
    (
        "post",
        "/api/v1/risk/rules/backtest",
        &["forbidden", "invalid", "rule_invalid"],
    ),
    ("get", "/api/v1/risk/lists", &["forbidden"]),
    ("post", "/api/v1/risk/lists", &["forbidden", "invalid"]),
    (
        "post",
        "/api/v1/risk/lists/remove",
        &["forbidden", "invalid"],
    ),
    ("get", "/api/v1/risk/decisions", &["forbidden"]),
    (
        "get",
        "/api/v1/risk/decisions/{id}",
        &["forbidden", "decision_not_found"],
    ),
    ("get", "/api/v1/risk/reviews", &["forbidden", "invalid"]),
    (
        "post",
        "/api/v1/risk/reviews/{id}/claim",
        &["forbidden", "invalid", "review_not_found"],
    ),
    ("post", "/api/v1/risk/reviews/{id}/approve", REVIEW_DECIDES),
    ("post", "/api/v1/risk/reviews/{id}/decline", REVIEW_DECIDES),
    ("get", "/api/v1/risk/cases", &["forbidden", "invalid"]),
    (
        "get",
        "/api/v1/risk/cases/{id}",
        &["forbidden", "case_not_found"],
    ),
    ("post", "/api/v1/risk/cases/{id}/release", CASE_DECIDES),
    ("post", "/api/v1/risk/cases/{id}/ban", CASE_DECIDES),
    (
        "post",
        "/api/v1/admin/custody/top-ups",
        &["forbidden", "invalid"],
    ),
    (
        "post",
        "/api/v1/admin/outflows/stop",
        &["forbidden", "invalid"],
    ),
    (
        "post",
        "/api/v1/admin/outflows/lift",
        &["forbidden", "invalid"],
    ),
    ("post", "/api/v1/admin/losses", &["forbidden", "invalid"]),
    (
        "post",
        "/api/v1/admin/settlements",
        &["forbidden", "invalid", "settlement_duplicate"],
    ),
    (
        "post",
        "/api/v1/admin/sweeps",
        &[
            "above_surplus",
            "fees_not_matured",
            "forbidden",
            "invalid",
            "outflows_stopped",
        ],
    ),
    (
        "post",
        "/api/v1/admin/merchants/{id}/deposit/credits",
        &["forbidden", "invalid", "merchant_not_found"],
    ),
    (
        "post",
        "/api/v1/admin/merchants/{id}/deposit/forfeit",
        &["forbidden", "invalid", "merchant_not_found"],
    ),
    (
        "post",
        "/api/v1/merchant/deposit/payments",
        &[
            "channels_unavailable",
            "forbidden",
            "invalid",
            "no_channel",
            "rate_limited",
        ],
    ),
    ("get", "/api/v1/destinations", &[]),
    ("post", "/api/v1/destinations", &["forbidden", "invalid"]),
    ("delete", "/api/v1/destinations/{id}", &["invalid"]),
    (
        "post",
        "/api/v1/admin/sends/{id}/resolve",
        &[
            "attempt_not_found",
            "channel_unreachable",
            "forbidden",
            "invalid",
            "unknown_channel",
        ],
    ),
    (
        "post",
        "/api/v1/auth/register",
        &[
            "invalid",
            "login_taken",
            "rate_limited",
            "referrer_not_found",
            "risk_blocked",
        ],
    ),
    (
        "post",
        "/api/v1/auth/login",
        &[
            "bad_credentials",
            "bad_second_factor",
            "rate_limited",
            "second_factor_locked",
            "second_factor_required",
            "challenge_required",
            "risk_blocked",
        ],
    ),
    ("post", "/api/v1/auth/logout", &[]),
    ("get", "/api/v1/me", &[]),
    ("get", "/api/v1/products", &[]),
    ("get", "/api/v1/orders", &["forbidden", "invalid"]),
    (
        "post",
        "/api/v1/orders",
        &[
            "amount_overflow",
            "coupon_not_applicable",
            "deposit_required",
            "insufficient_balance",
            "invalid",
            "merchant_not_active",
            "out_of_stock",
            "product_not_found",
            "product_off_sale",
            "quantity_out_of_range",
            "rate_limited",
        ],
    ),
    ("get", "/api/v1/orders/{id}", &["order_not_found"]),
    (
        "post",
        "/api/v1/orders/{id}/confirm",
        &["forbidden", "invalid", "order_not_found", "order_state"],
    ),
    (
        "post",
        "/api/v1/orders/{id}/pay-by-balance",
        &[
            "forbidden",
            "insufficient_balance",
            "invalid",
            "order_not_found",
            "order_state",
            "reservation_expired",
            "challenge_required",
            "risk_blocked",
        ],
    ),
    (
        "post",
        "/api/v1/orders/{id}/refund",
        &[
            "forbidden",
            "invalid",
            "order_not_found",
            "order_state",
            "past_refund_horizon",
            "refund_beyond_paid",
        ],
    ),
    (
        "post",
        "/api/v1/orders/{id}/cancel",
        &["forbidden", "invalid", "order_not_found", "order_state"],
    ),
    (
        "post",
        "/api/v1/orders/{id}/channel-refund",
        &[
            "channel_unreachable",
            "forbidden",
            "invalid",
            "order_not_found",
            "outflows_stopped",
            "send_unresolved",
            "unknown_channel",
        ],
    ),
    (
        "post",
        "/api/v1/orders/{id}/pay",
        &[
            "channels_unavailable",
            "forbidden",
            "invalid",
            "no_channel",
            "order_not_found",
            "order_state",
            "rate_limited",
            "reservation_expired",
        ],
    ),
    (
        "post",
        "/api/v1/wallet/recharge",
        &[
            "channels_unavailable",
            "invalid",
            "no_channel",
            "rate_limited",
        ],
    ),
    (
        "post",
        "/api/v1/guest/orders/pay",
        &[
            "channels_unavailable",
            "invalid",
            "lookup_refused",
            "no_channel",
            "order_state",
            "rate_limited",
            "reservation_expired",
        ],
    ),
    (
        "post",
        "/api/v1/admin/attempts/{id}/mark-paid",
        &[
            "amount_mismatch",
            "attempt_not_found",
            "channel_says_unpaid",
            "channel_unreachable",
            "forbidden",
            "invalid",
            "order_mismatch",
            "unknown_channel",
        ],
    ),
    ("get", "/api/v1/admin/channels", &["forbidden"]),
    (
        "post",
        "/api/v1/orders/{id}/dispute",
        &[
            "dispute_window_closed",
            "forbidden",
            "invalid",
            "order_not_found",
            "order_state",
        ],
    ),
    (
        "post",
        "/api/v1/orders/{id}/dispute/replace-keys",
        &[
            "forbidden",
            "invalid",
            "order_not_found",
            "order_state",
            "out_of_stock",
        ],
    ),
    (
        "post",
        "/api/v1/orders/{id}/dispute/refund",
        &["forbidden", "invalid", "order_not_found", "order_state"],
    ),
    (
        "post",
        "/api/v1/orders/{id}/dispute/escalate",
        &["forbidden", "order_not_found", "order_state"],
    ),
    (
        "post",
        "/api/v1/orders/{id}/dispute/decide",
        &[
            "forbidden",
            "invalid",
            "order_not_found",
            "order_state",
            "refund_beyond_paid",
        ],
    ),
    (
        "post",
        "/api/v1/merchant/deposit",
        &["forbidden", "insufficient_balance", "invalid"],
    ),
    (
        "post",
        "/api/v1/merchant/products/{id}/on-sale",
        &["forbidden", "product_not_found"],
    ),
    (
        "post",
        "/api/v1/merchant/products/{id}/details",
        &[
            "forbidden",
            "invalid",
            "product_not_found",
            "merchant_not_found",
        ],
    ),
    ("post", "/api/v1/admin/look", &["forbidden", "invalid"]),
    ("get", "/api/v1/look", &[]),
    ("post", "/api/v1/me/email", &["forbidden", "invalid"]),
    (
        "post",
        "/api/v1/orders/{id}/dispute/messages",
        &[
            "forbidden",
            "invalid",
            "order_not_found",
            "order_state",
            "merchant_not_found",
        ],
    ),
    ("get", "/api/v1/admin/outbox", &["forbidden"]),
    ("get", "/api/v1/wallet", &["invalid"]),
    (
        "post",
        "/api/v1/guest/orders",
        &[
            "amount_overflow",
            "coupon_not_applicable",
            "deposit_required",
            "invalid",
            "merchant_not_active",
            "out_of_stock",
            "product_not_found",
            "product_off_sale",
            "quantity_out_of_range",
            "rate_limited",
        ],
    ),
    (
        "post",
        "/api/v1/guest/orders/lookup",
        &["lookup_refused", "rate_limited"],
    ),
    (
        "post",
        "/api/v1/me/second-factor",
        &[
            "bad_credentials",
            "bad_second_factor",
            "second_factor_locked",
            "second_factor_required",
        ],
    ),
    ("get", "/api/v1/withdrawals", &[]),
    (
        "post",
        "/api/v1/withdrawals",
        &[
            "bad_second_factor",
            "debt_open",
            "deposit_held",
            "destination_cooling",
            "forbidden",
            "insufficient_balance",
            "invalid",
            "merchant_not_active",
            "outflows_stopped",
            "second_factor_locked",
            "second_factor_required",
            "withdrawal_limit",
            "challenge_required",
            "risk_blocked",
        ],
    ),
    (
        "post",
        "/api/v1/admin/withdrawals/{id}/approve",
        &[
            "debt_open",
            "forbidden",
            "invalid",
            "outflows_stopped",
            "withdrawal_not_found",
            "withdrawal_state",
            "held_for_review",
        ],
    ),
    (
        "post",
        "/api/v1/admin/withdrawals/{id}/reject",
        &[
            "forbidden",
            "invalid",
            "withdrawal_not_found",
            "withdrawal_state",
        ],
    ),
    (
        "post",
        "/api/v1/admin/withdrawals/{id}/payout",
        &[
            "channel_unreachable",
            "forbidden",
            "invalid",
            "outflows_stopped",
            "unknown_channel",
            "withdrawal_not_found",
            "withdrawal_state",
            "held_for_review",
            "risk_blocked",
        ],
    ),
    (
        "post",
        "/api/v1/admin/users/{id}/role",
        &["forbidden", "outflows_stopped", "user_not_found"],
    ),
    (
        "post",
        "/api/v1/admin/users/{id}/credit",
        &["forbidden", "invalid", "user_not_found"],
    ),
    (
        "post",
        "/api/v1/admin/credits/{id}",
        &["forbidden", "invalid"],
    ),
    (
        "post",
        "/api/v1/admin/users/{id}/second-factor",
        &["forbidden", "user_not_found"],
    ),
    (
        "post",
        "/api/v1/admin/merchants",
        &["forbidden", "invalid", "user_not_found"],
    ),
    (
        "post",
        "/api/v1/merchant/coupons",
        &["forbidden", "invalid", "product_not_found"],
    ),
    ("get", "/api/v1/admin/audit", &["forbidden"]),
    (
        "post",
        "/api/v1/admin/merchants/{id}/status",
        &["forbidden", "invalid", "merchant_not_found"],
    ),
    (
        "get",
        "/api/v1/merchant/balances",
        &["forbidden", "invalid"],
    ),
    ("post", "/api/v1/merchant/api-keys", &["forbidden"]),
    ("get", "/api/v1/merchant/products", &["forbidden"]),
    (
        "post",
        "/api/v1/merchant/products",
        &[
            "amount_overflow",
            "commission_on_membership",
            "forbidden",
            "invalid",
            "merchant_not_active",
            "shares_over_whole",
        ],
    ),
    (
        "post",
        "/api/v1/merchant/products/{id}/keys",
        &["forbidden", "invalid", "product_not_found"],
    ),
];

/// Every route: a bug (answered, never expected), a stopped writer, a
/// request cut off by the timeout, a body over the limit, and a merchant's
/// signature that does not check out.
const EVERY: &[&str] = &[
    "internal",
    "unavailable",
    "timeout",
    "payload_too_large",
    "bad_signature",
    "stale_timestamp",
    "replayed_nonce",
];

/// Every code `op` at `method path` can answer.
pub fn codes(method: &str, path: &str, op: &Operation) -> Option<BTreeSet<&'static str>> {
    let own = OWN.iter().find(|(m, p, _)| *m == method && *p == path)?.2;
    let mut codes: BTreeSet<&'static str> = own.iter().copied().collect();
    codes.extend(EVERY);
    let params = op.parameters.iter().flatten().filter_map(|p| match p {
        RefOr::T(p) => Some(p),
        RefOr::Ref(_) => None,
    });
    for p in params {
        match p.parameter_in {
            ParameterIn::Path | ParameterIn::Query => {
                codes.insert("bad_request");
            }
            ParameterIn::Header if p.name.eq_ignore_ascii_case("idempotency-key") => {
                // Missing; malformed (empty, too long, not printable); the
                // same key sent before with another request.
                codes.extend([
                    "idempotency_key_required",
                    "invalid",
                    "idempotency_conflict",
                ]);
            }
            _ => {}
        }
    }
    if op.request_body.is_some() {
        codes.extend(["bad_request", "unsupported_media_type"]);
    }
    if !public(op) {
        codes.insert("unauthenticated");
    }
    Some(codes)
}

/// Whether the operation is open to guests (`security(())`).
fn public(op: &Operation) -> bool {
    serde_json::to_value(&op.security).is_ok_and(|v| v == serde_json::json!([{}]))
}

/// Writes every operation's refusals into the document.
pub struct Refusals;

impl utoipa::Modify for Refusals {
    fn modify(&self, doc: &mut OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                ("get", item.get.as_mut()),
                ("post", item.post.as_mut()),
                ("delete", item.delete.as_mut()),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let Some(codes) = codes(method, path, op) else {
                    continue;
                };
                let mut by_status: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
                for code in codes {
                    if let Some(status) = AppError::status_of(code) {
                        by_status.entry(status.as_u16()).or_default().push(code);
                    }
                }
                for (status, codes) in by_status {
                    write_response(op, status, &codes);
                }
            }
        }
    }
}

/// The error response of `status`: the description the handler gave (if
/// any) followed by the codes, and a schema naming exactly those codes.
fn write_response(op: &mut Operation, status: u16, codes: &[&str]) {
    let key = status.to_string();
    let said = match op.responses.responses.get(&key) {
        Some(RefOr::T(r)) => Some(r.description.clone()),
        _ => None,
    };
    let listed = codes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let description = match said {
        Some(d) if !d.is_empty() => format!("{d} ({listed})"),
        _ => listed,
    };
    let detail = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(codes.iter().copied())),
        )
        .required("code")
        .property("message", ObjectBuilder::new().schema_type(Type::String))
        .required("message")
        .property(
            "request_id",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("As in the x-request-id header")),
        );
    let body = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("error", detail)
        .required("error");
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(body)).build(),
        )
        .build();
    op.responses.responses.insert(key, RefOr::T(response));
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::OpenApi as _;

    use super::*;

    fn document() -> OpenApi {
        crate::openapi::ApiDoc::openapi()
    }

    #[test]
    fn every_operation_and_no_other_has_its_refusals_listed() {
        let doc = document();
        let mut seen = BTreeSet::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [
                ("get", &item.get),
                ("post", &item.post),
                ("delete", &item.delete),
            ] {
                let Some(op) = op else { continue };
                assert!(
                    codes(method, path, op).is_some(),
                    "{method} {path} has no line in OWN"
                );
                seen.insert((method.to_string(), path.clone()));
            }
        }
        for (m, p, _) in OWN {
            assert!(
                seen.contains(&(m.to_string(), p.to_string())),
                "{m} {p} is listed but not in the document"
            );
        }
    }

    #[test]
    fn every_code_has_one_status() {
        let examples = AppError::examples();
        for e in &examples {
            for other in &examples {
                if e.code() == other.code() {
                    assert_eq!(e.status(), other.status(), "{e:?} and {other:?}");
                }
            }
        }
    }

    #[test]
    fn every_listed_code_is_one_the_api_answers() {
        for (m, p, codes) in OWN {
            for code in codes.iter().chain(EVERY) {
                assert!(
                    AppError::status_of(code).is_some(),
                    "{m} {p}: {code} is no error's code"
                );
            }
        }
    }

    #[test]
    fn every_error_response_names_exactly_its_codes() {
        let doc = serde_json::to_value(document()).unwrap();
        let confirm = &doc["paths"]["/api/v1/orders/{id}/confirm"]["post"]["responses"];
        let codes_of = |status: &str| -> Vec<String> {
            let schema = &confirm[status]["content"]["application/json"]["schema"];
            serde_json::from_value(
                schema["properties"]["error"]["properties"]["code"]["enum"].clone(),
            )
            .unwrap_or_default()
        };
        assert_eq!(codes_of("404"), ["order_not_found"]);
        assert_eq!(codes_of("409"), ["idempotency_conflict", "order_state"]);
        assert_eq!(codes_of("422"), ["invalid"]);
        assert_eq!(
            codes_of("401"),
            [
                "bad_signature",
                "replayed_nonce",
                "stale_timestamp",
                "unauthenticated"
            ]
        );
        assert_eq!(codes_of("400"), ["bad_request", "idempotency_key_required"]);
        // A guest's route is never `unauthenticated`.
        let catalog = &doc["paths"]["/api/v1/products"]["get"]["responses"]["401"];
        let text = catalog.to_string();
        assert!(!text.contains("unauthenticated"), "{text}");
        // Every 4xx and 5xx of every operation carries the error shape.
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, r) in op["responses"].as_object().unwrap() {
                    if status.starts_with('4') || status.starts_with('5') {
                        let code = &r["content"]["application/json"]["schema"]["properties"]["error"]
                            ["properties"]["code"]["enum"];
                        assert!(
                            code.as_array().is_some_and(|c| !c.is_empty()),
                            "{method} {path} {status}: {r}"
                        );
                    }
                }
            }
        }
    }
}
