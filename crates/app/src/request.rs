//! What a request says of itself, for gate three: its IP and country, the
//! device it came from, a one-time code sent for a challenge, and — for a
//! channel's notification — the payer the channel reports. The web edge
//! runs each request inside [`scope`]; every command the request submits
//! goes to the writer with it (`Command::WithContext`), and the writer's
//! risk decisions read it. Outside a request (the command line, the demo,
//! the scheduler) there is none.

use std::sync::Mutex;

use trigate_core::Command;
use trigate_core::risk::RequestContext;

/// One request's context, filled at the edge and by the flows it runs.
#[derive(Debug, Default)]
pub struct RequestInfo {
    context: Mutex<RequestContext>,
    /// A one-time code the client sent with the request
    /// (`X-Second-Factor`), not yet checked.
    code: Option<String>,
}

impl RequestInfo {
    pub fn new(context: RequestContext, code: Option<String>) -> Self {
        Self {
            context: Mutex::new(context),
            code,
        }
    }
}

tokio::task_local! {
    static REQUEST: RequestInfo;
}

/// Runs `f` as the request `info` describes.
pub async fn scope<F: std::future::Future>(info: RequestInfo, f: F) -> F::Output {
    REQUEST.scope(info, f).await
}

/// The context of the request being served, if any.
pub fn current() -> Option<RequestContext> {
    REQUEST
        .try_with(|r| r.context.lock().map(|c| c.clone()).ok())
        .ok()
        .flatten()
}

/// The code the client sent for a challenge, if any.
pub(crate) fn code() -> Option<String> {
    REQUEST.try_with(|r| r.code.clone()).ok().flatten()
}

fn update(f: impl FnOnce(&mut RequestContext)) {
    let _ = REQUEST.try_with(|r| {
        if let Ok(mut c) = r.context.lock() {
            f(&mut c);
        }
    });
}

/// The request's caller answered a one-time code, checked here.
pub(crate) fn second_factor_checked() {
    update(|c| c.second_factor = true);
}

/// What a channel's notification reports of the payer.
pub(crate) fn payer(instrument: &str, country: &str) {
    update(|c| {
        c.instrument = instrument.chars().take(128).collect();
        c.instrument_country = country.trim().to_uppercase().chars().take(2).collect();
    });
}

/// `command` with the current request's context, when there is one worth
/// sending (reads go as they are).
pub(crate) fn with_context(command: Command) -> Command {
    if matches!(command, Command::Query(_)) {
        return command;
    }
    match current() {
        Some(context) if context != RequestContext::default() => Command::WithContext {
            context,
            command: Box::new(command),
        },
        _ => command,
    }
}
