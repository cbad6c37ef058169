//! Withdrawals at the edge: asking needs a fresh TOTP code (money leaving
//! is the one thing a stolen session must not be able to do), and a payout
//! through a channel is sent under the withdrawal's own reference, which
//! the channel pays once.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use trigate_core::query::Query;
use trigate_core::{
    Command, Currency, DestinationId, ShopError, WithdrawFrom, WithdrawalId, WithdrawalStatus,
};

use crate::operation::{ask, submit, submit_once};
use crate::{App, AppError, Caller, Once, Replied, ops};

/// A withdrawal to ask for.
#[derive(Debug, Clone)]
pub struct WithdrawalRequest {
    pub from: WithdrawFrom,
    pub currency: Currency,
    pub amount: u64,
    /// Where the money goes: a destination from the caller's book.
    pub destination: DestinationId,
}

/// A destination to add to the caller's book.
#[derive(Debug, Clone)]
pub struct NewDestination {
    /// The caller's name for it.
    pub label: String,
    /// The account number or payout address; sealed here, shown masked.
    pub account: SecretString,
}

/// How finance pays an approved withdrawal out.
#[derive(Debug, Clone)]
pub enum Payout {
    /// Through this channel, now.
    Channel(String),
    /// Made elsewhere: whether it went through, and the bank's reference.
    Recorded { paid: bool, reference: String },
}

/// What a payout came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaidOut {
    /// Recorded: paid (`true`) or failed, with its reference.
    Done { paid: bool, reference: String },
    /// Nothing to pay: the withdrawal is not approved (a retry of a payout
    /// already made gets here with its first answer replayed).
    AlreadyClosed(WithdrawalStatus),
}

impl App {
    /// The caller asks for a withdrawal with their current TOTP code: the
    /// amount is reserved at once and paid out once finance approves.
    pub async fn request_withdrawal(
        &self,
        caller: Caller,
        once: &Once,
        totp: &str,
        request: WithdrawalRequest,
    ) -> Result<Replied<WithdrawalId>, AppError> {
        // A retry of the same request under its key replays the first
        // answer: the code it was asked with was checked then.
        let key = once.require_key()?.to_string();
        let used: trigate_core::query::KeyUse = ask(
            &self.engine,
            Query::KeyUsed {
                actor: caller.0,
                key,
            },
        )
        .await?;
        if used.fingerprint.is_none_or(|f| once.conflicts_with(&f)) {
            self.check_own_code(caller, totp).await?;
            crate::request::second_factor_checked();
        }
        let command = Command::RequestWithdrawalTo {
            actor: caller.0,
            from: request.from,
            currency: request.currency,
            amount: request.amount,
            destination: request.destination,
        };
        submit_once(&self.engine, caller, once, command).await
    }

    /// Adds a destination to the caller's book: sealed under the master
    /// key, shown only masked from here on.
    pub async fn add_destination(
        &self,
        caller: Caller,
        destination: NewDestination,
    ) -> Result<DestinationId, AppError> {
        let account = destination.account.expose_secret().trim();
        if account.is_empty()
            || account.chars().count() > 200
            || account.chars().any(char::is_control)
        {
            return Err(ShopError::Invalid(
                "a destination is 1 to 200 characters, none of them control characters".into(),
            )
            .into());
        }
        let masked = trigate_core::mask_destination(account);
        let sealed = self
            .master
            .seal_secret(&SecretBox::new(Box::new(account.as_bytes().to_vec())));
        let command = Command::AddDestination {
            actor: caller.0,
            label: destination.label,
            masked,
            sealed,
        };
        submit(&self.engine, command).await
    }

    /// Finance pays an approved withdrawal out — through a channel, or by
    /// recording one made elsewhere.
    pub async fn pay_out(
        &self,
        caller: Caller,
        once: &Once,
        withdrawal: WithdrawalId,
        payout: Payout,
    ) -> Result<PaidOut, AppError> {
        let (paid, reference) = match payout {
            Payout::Channel(channel) => {
                let w = self.read(caller, ops::OneWithdrawal { withdrawal }).await?;
                if w.status != WithdrawalStatus::Approved {
                    // Nothing to pay: a retry gets its first answer
                    // replayed, anything else the shop's refusal.
                    let finish = ops::FinishPayout {
                        withdrawal,
                        paid: true,
                        reference: "-".into(),
                    };
                    self.change_once(caller, once, finish).await?;
                    return Ok(PaidOut::AlreadyClosed(w.status));
                }
                self.require_finance(caller, "pays withdrawals out").await?;
                // The payout is recorded under the key: without one, or
                // with one already used for another request, nothing is
                // sent.
                let key = once.require_key()?.to_string();
                let used = self.read(caller, ops::KeyUsed { key }).await?;
                if used.fingerprint.is_some_and(|f| once.conflicts_with(&f)) {
                    return Err(ShopError::IdempotencyConflict.into());
                }
                // Started in the journal before the channel is asked: a
                // stop that lands first refuses it there.
                self.change(caller, ops::StartPayout { withdrawal }).await?;
                // The destination itself, opened only to be sent; one
                // named as text (before the book) is sent as it is.
                let to = match w.destination_id {
                    Some(_) => {
                        let d = self
                            .read(caller, ops::PayoutDestination { withdrawal })
                            .await?;
                        let plain = self
                            .master
                            .open_secret(&d.sealed)
                            .map_err(|e| AppError::Internal(e.to_string()))?;
                        String::from_utf8(plain.expose_secret().clone())
                            .map_err(|e| AppError::Internal(e.to_string()))?
                    }
                    None => w.destination.clone(),
                };
                let id = self
                    .payments
                    .payout(
                        &channel,
                        &format!("W{}", withdrawal.0),
                        (w.amount - w.fee.min(w.amount), w.currency),
                        &to,
                    )
                    .await?;
                (true, format!("{channel}:{id}"))
            }
            Payout::Recorded { paid, reference } => (paid, reference),
        };
        let finish = ops::FinishPayout {
            withdrawal,
            paid,
            reference: reference.clone(),
        };
        self.change_once(caller, once, finish).await?;
        Ok(PaidOut::Done { paid, reference })
    }
}
