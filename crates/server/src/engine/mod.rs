//! The engine: one writer task applies every state change, in order, to the
//! in-memory state machine, writes each group of commands to the store in one
//! transaction, and answers the callers only after that commit.
//!
//! ```text
//! caller ──cmd──▶ queue ──▶ writer: take what is waiting (up to N commands)
//!                             apply each, stamped with time and sequence
//!                             store.append(journal rows + derived rows)  ← one transaction
//!                             commit ─▶ reply to every caller
//! ```
//!
//! Fail-stop: if a commit fails, no caller of that group hears "ok", the
//! writer stops, and every later command is refused. The in-memory state is
//! then ahead of the disk and is dropped; a restart rebuilds it from the
//! journal ([`recover`]).

mod clock;
mod machine;
mod recover;
mod writer;

pub use clock::{Clock, FixedStepClock, SystemClock};
pub use machine::{LedgerCommand, LedgerMachine, LedgerReply, StateMachine};
pub use recover::{JournalReplay, RecoverError, open_ledger, recover_ledger};
pub use writer::{Engine, EngineConfig, EngineError, WriterExit};
