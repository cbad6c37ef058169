//! trigate: the binary's library — command line, benchmarks and the demo.
//! The money logic lives in the pure `trigate-ledger` crate; this crate drives it.

pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod load;
pub mod verify;
