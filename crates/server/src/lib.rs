//! trigate: the binary's library — the engine, command line, benchmarks,
//! `verify`, secrets at rest and the demo. The money and shop logic live in
//! the pure `trigate-ledger` and `trigate-core` crates; this crate drives them.

pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod load;
pub mod payments;
pub mod sandbox;
pub mod secrets;
pub mod shop_settings;
