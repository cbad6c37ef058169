//! Pages for staff: the outbox of messages that would have been mailed
//! (nothing is mailed yet).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use trigate_app::ops;

use super::{Page, refused, render, signed_in};
use crate::AppState;

struct Line {
    id: u64,
    to: String,
    kind: String,
    order: u64,
    at: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage<'a> {
    p: &'a Page,
    messages: Vec<Line>,
}

pub(super) async fn outbox(State(state): State<AppState>, p: Page) -> Response {
    let caller = match signed_in(&p) {
        Ok(caller) => caller,
        Err(to_sign_in) => return to_sign_in,
    };
    let messages = match state.app.read(caller, ops::Outbox).await {
        Ok(messages) => messages,
        Err(e) => return refused(&p, &e),
    };
    let messages = messages
        .iter()
        .map(|m| Line {
            id: m.id,
            to: m.to.as_str().to_string(),
            kind: p.t(&format!("outbox-{}", m.kind.as_str())).into_owned(),
            order: m.order.0,
            at: p.time(m.at / 1_000_000_000),
        })
        .collect();
    render(StatusCode::OK, &OutboxPage { p: &p, messages })
}
