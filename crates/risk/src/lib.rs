//! Gate three: before money moves, a decision — allow, challenge, hold or
//! block — from the request's signals, velocity windows over its
//! identifiers, the identity graph's rings of linked accounts, allow and
//! block lists, and CEL rules analysts change at run time (with shadow
//! rules and backtests).
//!
//! Pure: no clock and no I/O. The time is the writer's, passed in; the
//! state ([`Risk`]) changes only by what the shop records in its journal
//! (rules saved, list entries, decisions), so a restart rebuilds every
//! window exactly and replay never decides again.

mod catalogue;
mod check;
mod decide;
mod disposable;
mod eval;
mod graph;
mod lists;
mod merchants;
mod pack;
mod point;
mod rules;
mod score;
mod signals;
mod velocity;

pub use catalogue::{Feature, Features, Name, Ty, Value, catalogue, index_of};
pub use decide::{Backtest, Decision, Fired, Listed, Move, RingMarks, Risk, Thresholds};
pub use disposable::is_disposable;
pub use graph::{Graph, GraphSettings, Link, links_accounts};
pub use lists::{ListEntry, ListError, ListKind, Lists};
pub use merchants::{BuyerCounts, MerchantBook, MerchantSettings};
pub use pack::{default_pack, later_rules};
pub use point::{Family, Outcome, Point};
pub use rules::{Compiled, RuleBook, RuleError, RuleSpec, SavedRule, compile};
pub use score::{
    MODEL_FEATURES, Model, ModelError, ModelThresholds, SCORED_POINTS, Weight, default_model,
    input, input_of,
};
pub use signals::{IdKind, LastRecharge, Signals};
pub use velocity::{Counts, Velocity, Window};
