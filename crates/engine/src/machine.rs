//! The state machines the writer can drive. The ledger is the first; the
//! shop's domain joins it as more commands on the same writer.

use trigate_ledger::{
    BatchError, CreateAccountResult, CreateTransferResult, Hash, Ledger, NewAccount, Transfer,
};
use trigate_store::Checkpoint;

use crate::recover::Journaled;

/// A pure, deterministic state machine: the same commands at the same
/// timestamps give the same replies and journal entries.
pub trait StateMachine: Send + 'static {
    type Command: Send + 'static;
    type Reply: Send + 'static;

    /// Applies one command stamped `timestamp` (after `last_timestamp`).
    /// Returns the reply and whether the command produced a journal entry
    /// (`last_entry`); a command that changes nothing produces none.
    fn apply(&mut self, timestamp: u64, command: Self::Command) -> (Self::Reply, bool);
    fn last_timestamp(&self) -> u64;
    fn last_entry(&self) -> &[u8];
    fn chain_head(&self) -> Hash;
    /// Entries applied so far: the sequence number of the last one.
    fn sequence(&self) -> u64;
    /// The derived rows changed since the last call, for the tables to
    /// catch up to the last entry applied.
    fn take_changes(&mut self) -> Checkpoint;
}

#[derive(Debug, Clone)]
pub enum LedgerCommand {
    CreateAccounts(Vec<NewAccount>),
    CreateTransfers(Vec<Transfer>),
    /// Expire the pending transfers whose timeout has passed.
    Expire,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerReply {
    Accounts(Vec<CreateAccountResult>),
    Transfers(Vec<CreateTransferResult>),
    Expired(Vec<u128>),
    /// The batch was refused whole (a timestamp out of range).
    Refused(BatchError),
}

/// The ledger, with what has been handed to the store so far.
#[derive(Debug)]
pub struct LedgerMachine {
    ledger: Ledger,
    transfers_stored: usize,
}

impl LedgerMachine {
    /// Wraps a ledger whose state is already durable (new, or recovered).
    pub fn new(mut ledger: Ledger) -> Self {
        ledger.take_changed_accounts();
        ledger.take_expired();
        Self {
            transfers_stored: ledger.transfer_count(),
            ledger,
        }
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }
}

impl StateMachine for LedgerMachine {
    type Command = LedgerCommand;
    type Reply = LedgerReply;

    fn apply(&mut self, timestamp: u64, command: LedgerCommand) -> (LedgerReply, bool) {
        let reply = match command {
            LedgerCommand::CreateAccounts(events) if events.is_empty() => {
                return (LedgerReply::Accounts(Vec::new()), false);
            }
            LedgerCommand::CreateTransfers(events) if events.is_empty() => {
                return (LedgerReply::Transfers(Vec::new()), false);
            }
            LedgerCommand::Expire if self.ledger.next_expiry().is_none_or(|at| at > timestamp) => {
                return (LedgerReply::Expired(Vec::new()), false);
            }
            LedgerCommand::CreateAccounts(events) => self
                .ledger
                .create_accounts(timestamp, &events)
                .map(LedgerReply::Accounts),
            LedgerCommand::CreateTransfers(events) => self
                .ledger
                .create_transfers(timestamp, &events)
                .map(LedgerReply::Transfers),
            LedgerCommand::Expire => self.ledger.expire(timestamp).map(LedgerReply::Expired),
        };
        match reply {
            Ok(reply) => (reply, true),
            Err(e) => (LedgerReply::Refused(e), false),
        }
    }

    fn last_timestamp(&self) -> u64 {
        self.ledger.last_timestamp()
    }

    fn last_entry(&self) -> &[u8] {
        self.ledger.last_entry()
    }

    fn chain_head(&self) -> Hash {
        self.ledger.chain_head()
    }

    fn sequence(&self) -> u64 {
        self.ledger.batch_count()
    }

    fn take_changes(&mut self) -> Checkpoint {
        let from = self.transfers_stored;
        self.transfers_stored = self.ledger.transfer_count();
        let through = self.sequence();
        Journaled::take_changes(&mut self.ledger, through, from)
    }
}
