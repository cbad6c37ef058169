//! The admin console's channels: each channel's attempts, recent success
//! rate and breaker; sends of money back through a channel whose answer
//! was lost, resolved by finance (sent, not sent, or ask the channel) after
//! a confirmation; and 补单 — an attempt marked paid once its channel
//! confirms it was, under the form's idempotency key.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use trigate_app::payments::Resolution;
use trigate_app::{AppError, Caller, Once, ops};
use trigate_channels::routing::Breaker;
use trigate_core::{AttemptId, SendId};

use super::admin::staff;
use super::{CsrfForm, Page, csrf, form_status, i18n, refused, render};
use crate::AppState;

struct ChannelLine {
    name: String,
    attempts: u64,
    recent: u64,
    success: String,
    failures: u32,
    breaker: &'static str,
    breaker_text: String,
}

struct SendLine {
    id: u64,
    attempt: u64,
    amount: String,
    status: &'static str,
    status_text: String,
    at: String,
}

#[derive(Template)]
#[template(path = "admin_channels.html")]
struct ChannelsPage<'a> {
    p: &'a Page,
    channels: Vec<ChannelLine>,
    sends: Vec<SendLine>,
    error: Option<String>,
    /// What 补单 did, in the viewer's language.
    done: Option<String>,
    key: String,
}

async fn page(
    state: &AppState,
    p: &Page,
    caller: Caller,
    (error, done): (Option<String>, Option<String>),
    status: StatusCode,
) -> Response {
    let health = match state.app.channel_health(caller).await {
        Ok(health) => health,
        Err(e) => return refused(p, &e),
    };
    let channels = health
        .iter()
        .map(|h| {
            let (breaker, breaker_text) = match h.breaker {
                Breaker::Closed => ("closed", p.t("channels-breaker-closed").into_owned()),
                Breaker::Open { until } => (
                    "open",
                    p.t1(
                        "channels-breaker-open",
                        "until",
                        &p.time(until / 1_000_000_000),
                    ),
                ),
                Breaker::HalfOpen { .. } => {
                    ("half_open", p.t("channels-breaker-half-open").into_owned())
                }
            };
            ChannelLine {
                name: h.channel.clone(),
                attempts: h.attempts,
                recent: h.recent,
                success: format!(
                    "{}.{:02}%",
                    h.success_rate_bps / 100,
                    h.success_rate_bps % 100
                ),
                failures: h.consecutive_failures,
                breaker,
                breaker_text,
            }
        })
        .collect();
    // Finance reads the open sends; other staff see the channels only.
    let sends = match state.app.read(caller, ops::OpenSends).await {
        Ok(sends) => sends,
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return refused(p, &e),
    };
    let sends = sends
        .iter()
        .map(|s| SendLine {
            id: s.id.0,
            attempt: s.attempt.0,
            amount: i18n::money(s.amount, s.currency),
            status: s.status.as_str(),
            status_text: p
                .t(&format!("send-status-{}", s.status.as_str()))
                .into_owned(),
            at: p.time(s.at / 1_000_000_000),
        })
        .collect();
    let page = ChannelsPage {
        p,
        channels,
        sends,
        error,
        done,
        key: csrf::idempotency_key(),
    };
    render(status, &page)
}

pub(super) async fn channels(State(state): State<AppState>, p: Page) -> Response {
    match staff(&state, &p).await {
        Ok(caller) => page(&state, &p, caller, (None, None), StatusCode::OK).await,
        Err(refused) => refused,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ResolveForm {
    /// `sent`, `not_sent` or `ask_channel`.
    #[serde(default)]
    outcome: String,
}

pub(super) async fn resolve(
    State(state): State<AppState>,
    p: Page,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let send = id
            .parse::<u64>()
            .map(SendId)
            .map_err(|_| AppError::NotFound("no such send".into()))?;
        let how = match form.outcome.as_str() {
            "sent" => Resolution::Sent,
            "not_sent" => Resolution::NotSent,
            "ask_channel" => Resolution::AskChannel,
            _ => return Err(AppError::Invalid("choose what happened to the send".into())),
        };
        state.app.resolve_send(caller, send, how).await
    }
    .await;
    match done {
        Ok(_) => Redirect::to("/admin/channels").into_response(),
        Err(e) => {
            page(
                &state,
                &p,
                caller,
                (Some(p.refusal(&e)), None),
                form_status(&e),
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MarkPaidForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    attempt: String,
}

/// 补单: an attempt marked paid, if its channel confirms it was.
pub(super) async fn mark_paid(
    State(state): State<AppState>,
    p: Page,
    CsrfForm(form): CsrfForm<MarkPaidForm>,
) -> Response {
    let caller = match staff(&state, &p).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let done = async {
        let attempt = form
            .attempt
            .trim()
            .trim_start_matches(['#', 'P', 'p'])
            .parse::<u64>()
            .map(AttemptId)
            .map_err(|_| AppError::Invalid("the attempt's number is not a number".into()))?;
        let once = Once::new(Some(&form.idempotency_key), "mark_paid", &attempt.0)?;
        state.app.mark_paid(caller, &once, attempt).await
    }
    .await;
    match done {
        Ok(outcome) => {
            let name = crate::pay::outcome_name(&outcome);
            let said = p.t(&format!("mark-paid-{name}")).into_owned();
            page(&state, &p, caller, (None, Some(said)), StatusCode::OK).await
        }
        Err(e) => {
            page(
                &state,
                &p,
                caller,
                (Some(p.refusal(&e)), None),
                form_status(&e),
            )
            .await
        }
    }
}
