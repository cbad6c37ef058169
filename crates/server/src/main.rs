//! The `trigate` binary: a thin shell over the library's commands.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = trigate::cli::Cli::parse();
    trigate::cli::run(cli)
}
