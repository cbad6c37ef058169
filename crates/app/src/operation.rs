//! Typed operations: each request names the one reply it gets, and the
//! caller it runs as is filled in here, never by the one asking. Changes
//! that move money or stock run once per idempotency key.

use serde::Serialize;
use trigate_core::query::Query;
use trigate_core::{Command, FromReply, Reply};
use trigate_engine::{Engine, ShopMachine};

use crate::{AppError, Caller};

/// A change to the shop, tied to the reply it gets.
pub trait Change: Send + std::fmt::Debug {
    /// What the shop answers it with.
    type Reply: FromReply + Send;
    /// Whether an operator sees it in the log (staff actions and refunds):
    /// the request as typed — ids, amounts, decisions, never a secret —
    /// who made it and how it ended.
    const LOGGED: bool = false;
    /// The command it is, made by (or on behalf of) `caller`.
    fn command(self, caller: Caller) -> Command;
}

/// A read of the shop (answered once the writer's group has committed),
/// tied to the view it gets.
pub trait Read: Send {
    type View: FromReply + Send;
    /// The query it is, asked by `caller`.
    fn query(self, caller: Caller) -> Query;
}

/// A change's reply, and whether it is the remembered reply to an earlier
/// identical request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replied<T> {
    pub reply: T,
    pub replayed: bool,
}

/// A request's `Idempotency-Key` and what identifies the request, so the
/// same key with another request is told apart. A missing key is refused
/// when the change is run (after whatever the operation checks first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Once {
    key: Option<String>,
    fingerprint: String,
}

impl Once {
    /// `key` as the client sent it, for the request `request` made to
    /// `route`.
    pub fn new(key: Option<&str>, route: &str, request: &impl Serialize) -> Result<Self, AppError> {
        let canonical =
            serde_json::to_vec(&(route, request)).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Self {
            key: key.map(str::to_string),
            fingerprint: blake3::hash(&canonical).to_hex().to_string(),
        })
    }

    /// Refused unless the client sent a well-formed key: for a flow that
    /// must know, before it sends anything outside, that its outcome can be
    /// recorded. The key, when it is.
    pub fn require_key(&self) -> Result<&str, AppError> {
        match &self.key {
            Some(key) => {
                trigate_core::idempotency::check_key(key)?;
                Ok(key)
            }
            None => Err(AppError::IdempotencyKeyRequired),
        }
    }

    /// Whether `fingerprint` (a request the key was used for) is another
    /// request than this one.
    pub(crate) fn conflicts_with(&self, fingerprint: &str) -> bool {
        self.fingerprint != fingerprint
    }
}

/// Submits `command` and reads its reply as `T`.
pub(crate) async fn submit<T: FromReply>(
    engine: &Engine<ShopMachine>,
    command: Command,
) -> Result<T, AppError> {
    match engine.submit(crate::request::with_context(command)).await {
        Ok(reply) => reply_as(reply),
        Err(_) => Err(AppError::Unavailable),
    }
}

/// Asks `query`, read as `T`.
pub(crate) async fn ask<T: FromReply>(
    engine: &Engine<ShopMachine>,
    query: Query,
) -> Result<T, AppError> {
    submit(engine, Command::Query(query)).await
}

/// Submits `command` under `once` for `caller`.
pub(crate) async fn submit_once<T: FromReply>(
    engine: &Engine<ShopMachine>,
    caller: Caller,
    once: &Once,
    command: Command,
) -> Result<Replied<T>, AppError> {
    let key = once.key.clone().ok_or(AppError::IdempotencyKeyRequired)?;
    let wrapped = Command::Idempotent {
        actor: caller.0,
        key,
        fingerprint: once.fingerprint.clone(),
        command: Box::new(command),
    };
    let (reply, replayed) = match engine.submit(crate::request::with_context(wrapped)).await {
        Ok(reply) => reply_as::<(Reply, bool)>(reply)?,
        Err(_) => return Err(AppError::Unavailable),
    };
    Ok(Replied {
        reply: reply_as(reply)?,
        replayed,
    })
}

/// A reply as `T`: a refusal is the shop's error; any other kind is a bug
/// in the shop (each command answers with one kind only).
fn reply_as<T: FromReply>(reply: Reply) -> Result<T, AppError> {
    match reply {
        Reply::Refused { code, message } => Err(AppError::refused(&code, message)),
        reply => T::from_reply(reply).map_err(|kind| {
            AppError::Internal(format!(
                "the shop answered with another kind of reply ({kind})"
            ))
        }),
    }
}
