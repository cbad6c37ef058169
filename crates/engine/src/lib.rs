//! trigate's engine — the single writer, the journal contract (recovery,
//! upgrade), the checkpointer and `verify` — over the pure shop and ledger.
//!
//! One writer task applies every state change, in order, to the
//! in-memory state machine, writes each group of commands to the journal in
//! one transaction, and answers the callers only after that commit. A
//! checkpointer task writes the derived tables behind it.
//!
//! ```text
//! caller ──cmd──▶ queue ──▶ writer: take what is waiting (up to N commands)
//!                             apply each, stamped with time and sequence
//!                             store.append(journal rows)   ← one transaction
//!                             commit ─▶ reply to every caller
//!                             derived rows ──▶ checkpointer (bounded queue)
//!                checkpointer: merge what is waiting (each account once)
//!                             store.checkpoint(rows, through = last seq)
//! ```
//!
//! Fail-stop: if a commit fails, no caller of that group hears "ok", the
//! writer stops, and every later command is refused. The in-memory state is
//! then ahead of the disk and is dropped; a restart rebuilds it from the
//! journal ([`recover`]). If a checkpoint fails the engine stops too; what
//! was acknowledged is in the journal, and the restart writes the tables'
//! missing rows from it.

mod clock;
pub mod journal_file;
mod machine;
mod recover;
mod rows;
mod shop_machine;
pub mod upgrade;
pub mod verify;
mod writer;

pub use clock::{Clock, FixedStepClock, LaggingClock, SystemClock};
pub use machine::{LedgerCommand, LedgerMachine, LedgerReply, StateMachine};
pub use recover::{
    JournalReplay, Journaled, RecoverError, Recovered, check_link, open_ledger, open_state,
    recover_ledger,
};
pub use shop_machine::{ShopMachine, spawn_scheduler, start_shop, start_shop_on, start_shop_with};
pub use writer::{Engine, EngineConfig, EngineError, WriterExit};
