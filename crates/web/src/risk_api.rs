//! The risk desk over the API (analysts and admins change, auditors read):
//! the feature catalogue, rules with their versions and backtests, allow
//! and block lists, every decision with its explanation, and the review
//! queue — claimed, approved or declined with a note, once per
//! `Idempotency-Key` (deciding moves money: a delivery or a refund).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use trigate_app::{AppError, ops};
use trigate_core::risk::{
    IdKind, ListKind, NewListEntry, Outcome, Point, RiskQuery, RiskView, RuleSpec,
};

use super::AppState;
use super::answers::{
    BacktestAnswer, DecisionAnswer, ExplainedAnswer, FeatureAnswer, ListEntryAnswer, ReviewAnswer,
    RuleAnswer,
};
use super::auth::SignedIn;
use super::error::ApiError;
use super::openapi::ErrorBody;
use super::routes::{Body, Id, Params, mark_replayed, once};

pub(super) fn invalid(what: &str, value: &str, allowed: &str) -> ApiError {
    ApiError(AppError::Invalid(format!(
        "{what} {value:?} is not one of {allowed}"
    )))
}

/// What the desk answers `q`.
pub(super) async fn desk(
    state: &AppState,
    caller: trigate_app::Caller,
    q: RiskQuery,
) -> Result<RiskView, ApiError> {
    Ok(*state.app.read(caller, ops::RiskDesk(q)).await?)
}

/// The desk answered another view than the query asks for: a bug.
pub(super) fn unexpected(view: &RiskView) -> ApiError {
    let what = match view {
        RiskView::Rules(_) => "rules",
        RiskView::Lists(_) => "lists",
        RiskView::Decision(_) => "a decision",
        RiskView::Decisions(_) => "decisions",
        RiskView::Reviews(_) => "reviews",
        RiskView::Backtest(_) => "a backtest",
        RiskView::Settings(_) => "settings",
        RiskView::Cases(_) => "ring cases",
        RiskView::Case(_) => "a ring case",
    };
    ApiError(AppError::Internal(format!("the risk desk answered {what}")))
}

fn all<'a, T: 'a, A: From<&'a T>>(items: &'a [T]) -> Json<Vec<A>> {
    Json(items.iter().map(A::from).collect())
}

async fn rules_of(
    state: &AppState,
    caller: trigate_app::Caller,
    q: RiskQuery,
) -> Result<Json<Vec<RuleAnswer>>, ApiError> {
    match desk(state, caller, q).await? {
        RiskView::Rules(v) => Ok(all(&v)),
        other => Err(unexpected(&other)),
    }
}

/// A rule as an analyst writes it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Lower-case letters, digits and `_`.
    pub name: String,
    /// A CEL expression over the feature catalogue giving a bool.
    pub expr: String,
    /// `allow`, `challenge`, `hold` or `block`.
    pub outcome: String,
    #[serde(default)]
    pub weight: i32,
    /// Decision points (`wallet_payment`, `channel_payment`, …); none: all.
    #[serde(default)]
    pub points: Vec<String>,
    #[serde(default)]
    pub shadow: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

fn yes() -> bool {
    true
}

const OUTCOMES: &str = "allow, challenge, hold, block";

impl RuleBody {
    fn spec(self) -> Result<RuleSpec, ApiError> {
        let outcome = Outcome::named(&self.outcome)
            .ok_or_else(|| invalid("outcome", &self.outcome, OUTCOMES))?;
        let points = self
            .points
            .iter()
            .map(|p| {
                Point::named(p).ok_or_else(|| {
                    let all: Vec<&str> = Point::ALL.iter().map(|p| p.name()).collect();
                    invalid("point", p, &all.join(", "))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RuleSpec {
            name: self.name,
            expr: self.expr,
            outcome,
            weight: self.weight,
            points,
            shadow: self.shadow,
            enabled: self.enabled,
            reason: self.reason,
            note: self.note,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RuleSaved {
    pub name: String,
    pub version: u32,
}

/// The features rules may read: name, type, meaning.
#[utoipa::path(get, path = "/api/v1/risk/features", tag = "risk",
    responses((status = 200, description = "The feature catalogue", body = [FeatureAnswer])))]
pub(super) async fn features(SignedIn(_): SignedIn) -> Json<Vec<FeatureAnswer>> {
    all(trigate_risk::catalogue())
}

/// The latest version of every rule, retired ones too.
#[utoipa::path(get, path = "/api/v1/risk/rules", tag = "risk",
    responses((status = 200, description = "Rules", body = [RuleAnswer]),
        (status = 403, description = "Not an analyst, admin or auditor", body = ErrorBody)))]
pub(super) async fn rules(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Vec<RuleAnswer>>, ApiError> {
    rules_of(&state, caller, RiskQuery::Rules).await
}

/// Saves a rule (its next version), in force from the next decision.
#[utoipa::path(post, path = "/api/v1/risk/rules", tag = "risk", request_body = RuleBody,
    responses((status = 200, description = "Saved", body = RuleSaved),
        (status = 422, description = "The rule is not valid: the error names the unknown feature or the type error", body = ErrorBody)))]
pub(super) async fn save_rule(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<RuleBody>,
) -> Result<Json<RuleSaved>, ApiError> {
    let spec = body.spec()?;
    let name = spec.name.clone();
    let version = state.app.change(caller, ops::SaveRiskRule { spec }).await?;
    Ok(Json(RuleSaved { name, version }))
}

/// Every version of one rule.
#[utoipa::path(get, path = "/api/v1/risk/rules/{name}", tag = "risk",
    params(("name" = String, Path)),
    responses((status = 200, description = "Its versions, oldest first", body = [RuleAnswer]),
        (status = 422, description = "No such rule", body = ErrorBody)))]
pub(super) async fn rule_versions(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Json<Vec<RuleAnswer>>, ApiError> {
    rules_of(&state, caller, RiskQuery::Versions { name }).await
}

/// What a rule would have changed over the recorded decisions, per
/// outcome (nothing is saved).
#[utoipa::path(post, path = "/api/v1/risk/rules/backtest", tag = "risk", request_body = RuleBody,
    responses((status = 200, description = "Outcomes before and after, and the moves between them", body = BacktestAnswer),
        (status = 422, description = "The rule is not valid", body = ErrorBody)))]
pub(super) async fn backtest(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<RuleBody>,
) -> Result<Json<BacktestAnswer>, ApiError> {
    let spec = body.spec()?;
    match desk(&state, caller, RiskQuery::Backtest { spec }).await? {
        RiskView::Backtest(b) => Ok(Json((&b).into())),
        other => Err(unexpected(&other)),
    }
}

/// The allow and block lists.
#[utoipa::path(get, path = "/api/v1/risk/lists", tag = "risk",
    responses((status = 200, description = "Every entry, live ones first", body = [ListEntryAnswer]),
        (status = 403, description = "Not an analyst, admin or auditor", body = ErrorBody)))]
pub(super) async fn lists(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Json<Vec<ListEntryAnswer>>, ApiError> {
    match desk(&state, caller, RiskQuery::Lists).await? {
        RiskView::Lists(v) => Ok(all(&v)),
        other => Err(unexpected(&other)),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListBody {
    /// `allow` or `block`.
    pub list: String,
    /// `user`, `email`, `ip`, `device`, `instrument`, `destination` or
    /// `merchant`.
    pub kind: String,
    pub value: String,
    pub reason: String,
    /// Unix seconds; none: until removed.
    #[serde(default)]
    pub expires_at: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlistBody {
    pub kind: String,
    pub value: String,
}

const KINDS: &str = "user, email, ip, device, instrument, destination, merchant";

fn kind(name: &str) -> Result<IdKind, ApiError> {
    IdKind::named(name).ok_or_else(|| invalid("kind", name, KINDS))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Done {
    pub done: bool,
}

/// Puts an identifier on the allow or block list (replacing its entry).
#[utoipa::path(post, path = "/api/v1/risk/lists", tag = "risk", request_body = ListBody,
    responses((status = 200, description = "Listed", body = Done),
        (status = 422, description = "An unknown list or kind, an empty value or reason, an expiry in the past", body = ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<ListBody>,
) -> Result<Json<Done>, ApiError> {
    let list =
        ListKind::named(&body.list).ok_or_else(|| invalid("list", &body.list, "allow, block"))?;
    let expires = match body.expires_at {
        Some(s) => Some(
            s.checked_mul(1_000_000_000)
                .ok_or_else(|| ApiError(AppError::Invalid("expires_at is too far away".into())))?,
        ),
        None => None,
    };
    let entry = NewListEntry {
        list,
        kind: kind(&body.kind)?,
        value: body.value,
        reason: body.reason,
        expires,
    };
    state.app.change(caller, ops::ListRisk { entry }).await?;
    Ok(Json(Done { done: true }))
}

/// Takes an identifier off its list.
#[utoipa::path(post, path = "/api/v1/risk/lists/remove", tag = "risk", request_body = UnlistBody,
    responses((status = 200, description = "Taken off", body = Done),
        (status = 422, description = "An unknown kind, or the identifier is on no list", body = ErrorBody)))]
pub(super) async fn unlist(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Body(body): Body<UnlistBody>,
) -> Result<Json<Done>, ApiError> {
    let change = ops::UnlistRisk {
        kind: kind(&body.kind)?,
        value: body.value,
    };
    state.app.change(caller, change).await?;
    Ok(Json(Done { done: true }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Only those with a smaller id.
    pub before: Option<u64>,
    /// At most this many (1 to 200; 50 when left out).
    pub limit: Option<u32>,
    /// Reviews and ring cases: `open` (the default) or `all`.
    pub status: Option<String>,
}

/// Decisions, newest first.
#[utoipa::path(get, path = "/api/v1/risk/decisions", tag = "risk", params(Page),
    responses((status = 200, description = "Decisions with their inputs, features, fired rules and score", body = [DecisionAnswer]),
        (status = 403, description = "Not an analyst, admin or auditor", body = ErrorBody)))]
pub(super) async fn decisions(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(page): Params<Page>,
) -> Result<Json<Vec<DecisionAnswer>>, ApiError> {
    let q = RiskQuery::Decisions {
        before: page.before,
        limit: page.limit.unwrap_or(50),
    };
    match desk(&state, caller, q).await? {
        RiskView::Decisions(v) => Ok(all(&v)),
        other => Err(unexpected(&other)),
    }
}

/// One decision, explained.
#[utoipa::path(get, path = "/api/v1/risk/decisions/{id}", tag = "risk",
    params(("id" = u64, Path)),
    responses((status = 200, description = "The decision, why, and the review it opened", body = ExplainedAnswer),
        (status = 404, description = "No such decision, or no longer kept for reading", body = ErrorBody)))]
pub(super) async fn decision(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<ExplainedAnswer>, ApiError> {
    match desk(&state, caller, RiskQuery::Decision { id }).await? {
        RiskView::Decision(e) => Ok(Json((&*e).into())),
        other => Err(unexpected(&other)),
    }
}

/// The review queue, newest first, with each hold's time in the queue.
#[utoipa::path(get, path = "/api/v1/risk/reviews", tag = "risk", params(Page),
    responses((status = 200, description = "Reviews", body = [ReviewAnswer]),
        (status = 422, description = "An unknown status", body = ErrorBody)))]
pub(super) async fn reviews(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Params(page): Params<Page>,
) -> Result<Json<Vec<ReviewAnswer>>, ApiError> {
    let open = match page.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(other) => return Err(invalid("status", other, "open, all")),
    };
    let q = RiskQuery::Reviews {
        open,
        before: page.before,
        limit: page.limit.unwrap_or(50),
    };
    match desk(&state, caller, q).await? {
        RiskView::Reviews(v) => Ok(all(&v)),
        other => Err(unexpected(&other)),
    }
}

/// An analyst takes a review.
#[utoipa::path(post, path = "/api/v1/risk/reviews/{id}/claim", tag = "risk",
    params(("id" = u64, Path)),
    responses((status = 200, description = "Claimed", body = Done),
        (status = 404, description = "No such review", body = ErrorBody)))]
pub(super) async fn claim(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Id(id): Id,
) -> Result<Json<Done>, ApiError> {
    state
        .app
        .change(caller, ops::ClaimReview { review: id })
        .await?;
    Ok(Json(Done { done: true }))
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Why (1 to 500 characters).
    pub note: String,
}

async fn decide(
    state: AppState,
    caller: trigate_app::Caller,
    headers: &HeaderMap,
    id: u64,
    approve: bool,
    note: String,
) -> Result<Response, ApiError> {
    let route = if approve {
        "risk_approve"
    } else {
        "risk_decline"
    };
    let once = once(headers, route, &(id, &note))?;
    let change = ops::DecideReview {
        review: id,
        approve,
        note,
    };
    let replied = state.app.change_once(caller, &once, change).await?;
    Ok(mark_replayed(
        Json(Done { done: true }).into_response(),
        replied.replayed,
    ))
}

/// An analyst approves a hold: it proceeds (the order is delivered, the
/// withdrawal goes on to finance). Once per `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/risk/reviews/{id}/approve", tag = "risk",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    request_body = NoteBody,
    responses((status = 200, description = "Approved", body = Done),
        (status = 404, description = "No such review", body = ErrorBody)))]
pub(super) async fn approve(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<NoteBody>,
) -> Result<Response, ApiError> {
    decide(state, caller, &headers, id, true, body.note).await
}

/// An analyst declines a hold: its money goes back where it came from
/// (the wallet, or through the channel), a withdrawal's reservation ends.
/// Once per `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/risk/reviews/{id}/decline", tag = "risk",
    params(("id" = u64, Path), ("Idempotency-Key" = String, Header, description = "required")),
    request_body = NoteBody,
    responses((status = 200, description = "Declined", body = Done),
        (status = 404, description = "No such review", body = ErrorBody)))]
pub(super) async fn decline(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    headers: HeaderMap,
    Id(id): Id,
    Body(body): Body<NoteBody>,
) -> Result<Response, ApiError> {
    decide(state, caller, &headers, id, false, body.note).await
}
