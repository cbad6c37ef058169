//! The `trigate` binary: a thin shell over the library's commands.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = trigate::cli::Cli::parse();
    match trigate::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line, the whole cause chain, no backtrace; a cause that
            // only repeats the one before it is left out.
            let mut line = String::new();
            for cause in e.chain() {
                let text = cause.to_string();
                if !line.ends_with(&text) {
                    if !line.is_empty() {
                        line.push_str(": ");
                    }
                    line.push_str(&text);
                }
            }
            eprintln!("trigate: {line}");
            ExitCode::from(2)
        }
    }
}
