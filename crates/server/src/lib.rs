//! trigate: the binary's library — the command line, config loading,
//! `serve`, the demo, the sandbox gateway and the benchmarks. The shop
//! lives in the pure `trigate-ledger` and `trigate-core` crates, the writer
//! and its journal in `trigate-engine`, what serves people in
//! `trigate-app` and `trigate-web`.

pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod load;
pub mod logging;
pub mod risk_eval;
pub mod risk_settings;
pub mod sandbox;
pub mod serve;
pub mod shop_settings;
