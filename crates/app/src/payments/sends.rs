//! Sending money back through a channel, exactly once: each send is
//! reserved in the journal under our reference before the channel is
//! asked, and the answer posts it, voids it, or leaves it unknown for
//! finance to resolve (see `trigate_core`'s `refund_sends`).

use std::sync::Arc;

use trigate_channels::{Channel, ChannelError};
use trigate_core::query::Query;
use trigate_core::{
    Attempt, AttemptId, ChannelRefundDue, Command, Currency, OrderId, RefundSend, SendId,
    SendOutcome, UserId,
};
use trigate_engine::{Engine, ShopMachine};

use super::{Payments, SentBack, TransportError, log_call, out_trade_no};
use crate::AppError;
use crate::operation::{ask as query, submit};

/// How finance resolves a send whose outcome is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The channel sent it (checked by hand).
    Sent,
    /// The channel did not send it: it stays owed.
    NotSent,
    /// Ask the channel, and record what it says.
    AskChannel,
}

impl Payments {
    /// Sends back through its channel what `order` owes its buyer (after
    /// refunds `to: Channel`), for those who may refund it; the amount
    /// sent, 0 if nothing is owed. If the channel refuses, the money stays
    /// owed in `refunds_due` and this can be asked again.
    pub async fn send_refund(
        &self,
        engine: &Engine<ShopMachine>,
        caller: UserId,
        order: OrderId,
    ) -> Result<SentBack, AppError> {
        let due: ChannelRefundDue = query(
            engine,
            Query::ChannelRefund {
                actor: caller,
                order,
            },
        )
        .await?;
        self.send_back(engine, due.attempt).await
    }

    /// Sends back through its channel what `attempt` owes its payer, one
    /// caller at a time: what is owed is reserved, sent and recorded before
    /// the next caller reads it.
    pub async fn send_back(
        &self,
        engine: &Engine<ShopMachine>,
        attempt: AttemptId,
    ) -> Result<SentBack, AppError> {
        let turn = {
            let mut sending = self.sending.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(sending.entry(attempt).or_default())
        };
        let sent = {
            let _mine = turn.lock().await;
            self.send_back_now(engine, attempt).await
        };
        let mut sending = self.sending.lock().unwrap_or_else(|e| e.into_inner());
        // The map's own handle and this one: no one else is waiting.
        if Arc::strong_count(&turn) == 2 {
            sending.remove(&attempt);
        }
        sent
    }

    async fn send_back_now(
        &self,
        engine: &Engine<ShopMachine>,
        attempt: AttemptId,
    ) -> Result<SentBack, AppError> {
        let due: ChannelRefundDue = query(engine, Query::AttemptRefund { attempt }).await?;
        if due.owed == 0 {
            return Ok(SentBack {
                amount: 0,
                currency: due.currency,
            });
        }
        let (channel, _) = self.channel_of(engine, attempt).await?;
        // Reserved first: refused while an earlier send has no outcome.
        let id: SendId = submit(engine, Command::ReserveChannelRefund { attempt }).await?;
        let send: RefundSend = query(engine, Query::RefundSend { send: id }).await?;
        let reference = send.reference();
        let answer = self
            .refund(
                channel.as_ref(),
                (&out_trade_no(attempt), &reference),
                (send.amount, send.currency),
            )
            .await;
        let outcome = match &answer {
            Ok(()) => SendOutcome::Sent,
            Err(e) if nothing_sent(e) => SendOutcome::Refused,
            Err(_) => SendOutcome::Lost,
        };
        submit::<()>(engine, Command::FinishChannelRefund { send: id, outcome }).await?;
        match (outcome, answer) {
            (SendOutcome::Sent, _) => Ok(SentBack {
                amount: send.amount,
                currency: send.currency,
            }),
            (SendOutcome::Lost, Err(e)) => Err(AppError::ChannelUnreachable(format!(
                "{e}; whether send {reference} was made is unknown: nothing more is sent for \
                 this payment until finance resolves it"
            ))),
            (_, Err(e)) => Err(AppError::ChannelUnreachable(format!(
                "{e}; nothing was sent, the money stays owed"
            ))),
            (_, Ok(())) => Err(AppError::Internal("a send refused without an error".into())),
        }
    }

    /// Finance resolves an open send: as sent, as not sent, or as its
    /// channel says when asked. The outcome recorded.
    pub async fn resolve_send(
        &self,
        engine: &Engine<ShopMachine>,
        actor: UserId,
        id: SendId,
        how: Resolution,
    ) -> Result<bool, AppError> {
        let sent = match how {
            Resolution::Sent => true,
            Resolution::NotSent => false,
            Resolution::AskChannel => {
                let send: RefundSend = query(engine, Query::RefundSend { send: id }).await?;
                let (channel, name) = self.channel_of(engine, send.attempt).await?;
                let no = out_trade_no(send.attempt);
                let reference = send.reference();
                let asked = self.refund_made(channel.as_ref(), (&no, &reference)).await;
                log_call(&name, "refund_query", &reference, &asked);
                asked?
            }
        };
        submit::<()>(
            engine,
            Command::ResolveChannelRefund {
                actor,
                send: id,
                sent,
            },
        )
        .await?;
        Ok(sent)
    }

    async fn channel_of(
        &self,
        engine: &Engine<ShopMachine>,
        attempt: AttemptId,
    ) -> Result<(Arc<dyn Channel>, String), AppError> {
        let a: Attempt = query(engine, Query::Attempt { attempt }).await?;
        let channel = self
            .channels
            .get(&a.channel)
            .cloned()
            .ok_or_else(|| AppError::UnknownChannel("the attempt's channel is gone".into()))?;
        Ok((channel, a.channel))
    }

    async fn refund(
        &self,
        channel: &dyn Channel,
        (no, reference): (&str, &str),
        (amount, currency): (u64, Currency),
    ) -> Result<(), SendError> {
        let call = channel
            .refund_call(no, reference, amount, currency)
            .map_err(SendError::Channel)?;
        let body = self
            .transport
            .send(&call)
            .await
            .map_err(SendError::Transport);
        let answer = body.and_then(|b| channel.read_refund(&b).map_err(SendError::Channel));
        log_call(channel.name(), "refund", reference, &answer);
        answer
    }

    /// Whether the channel made the refund under `reference`.
    async fn refund_made(
        &self,
        channel: &dyn Channel,
        (no, reference): (&str, &str),
    ) -> Result<bool, AppError> {
        let unreachable = |e: String| AppError::ChannelUnreachable(e);
        let call = channel
            .refund_query_call(no, reference)
            .map_err(|e| AppError::Invalid(format!("{e}: resolve it by hand")))?;
        let body = self
            .transport
            .send(&call)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        channel
            .read_refund_query(&body)
            .map_err(|e| unreachable(e.to_string()))
    }
}

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("{0}")]
    Channel(ChannelError),
    #[error("{0}")]
    Transport(TransportError),
}

/// Whether an error says for sure that nothing was sent: the call was never
/// made, or the channel answered no.
fn nothing_sent(e: &SendError) -> bool {
    match e {
        SendError::Channel(
            ChannelError::Refused(_) | ChannelError::Unsupported(_) | ChannelError::Config(_),
        ) => true,
        SendError::Channel(ChannelError::BadAnswer(_)) => false,
        SendError::Transport(TransportError::Unsupported(_) | TransportError::NotConnected(_)) => {
            true
        }
        // A 4xx answer refused the call, a 503 did not take it; anything
        // else may have been done.
        SendError::Transport(TransportError::Status(code)) => {
            (400..500).contains(code) || *code == 503
        }
        SendError::Transport(TransportError::Timeout | TransportError::Unreachable(_)) => false,
    }
}
