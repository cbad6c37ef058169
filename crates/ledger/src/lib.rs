//! trigate's double-entry ledger: accounts in one currency each, transfers
//! between them (at once, or pending then posted, voided or expired), linked
//! chains that succeed or fail whole, one precise result per event, and a hash
//! chain over every applied batch.
//!
//! Pure: no I/O, no async, no clock. Time comes in with each batch, so the same
//! batches always give the same results, state and chain head — which is what
//! lets the durable engine replay a journal and a simulator drive millions of
//! steps.

mod account;
mod apply;
pub mod chain;
mod ledger;
mod result;
pub mod split;
mod tables;
mod transfer;

pub use account::{Account, AccountFlags, NewAccount};
pub use chain::Hash;
pub use ledger::{BatchError, Ledger, ReplayError};
pub use result::{CreateAccountResult, CreateTransferResult};
pub use split::{Leg, SplitError, pro_rata, split};
pub use transfer::{NANOS_PER_SECOND, PendingStatus, Transfer, TransferFlags, TransferRecord};
