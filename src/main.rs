//! The `secret-shop` binary: parses the command line, loads config, starts logging, and hands
//! over to the library. Everything else lives in the library so tests drive the real code.

use std::process::ExitCode;

use clap::Parser;
use secret_shop::cli::{Cli, Command, Ctx, run};
use secret_shop::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            if matches!(cli.command, Some(Command::Doctor)) {
                println!("FAIL  config    {e}");
            }
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Logs never go to the terminal the TUI draws on.
    let _log_guard =
        secret_shop::logging::init(&config.paths.log_file, cli.verbose && !cli.wants_tui());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli, Ctx { config }));
    match result {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("command failed: {e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
