//! Which refusals each operation of the API can answer, and the Modify
//! that writes them into the OpenAPI document: one response per status,
//! its `error.code` an enum of exactly the codes that route can give.
//!
//! A route's own codes are listed in `table`, traced through its handler, the
//! application layer and the shop; those every route of a kind can give
//! are added from what the document already says of it (a body, a path
//! id or query, an `Idempotency-Key`, a sign-in).

use std::collections::{BTreeMap, BTreeSet};

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, RefOr, ResponseBuilder};

use trigate_app::AppError;

mod table;

pub use table::OWN;

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
