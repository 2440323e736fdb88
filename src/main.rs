//! The `secret-shop` binary: parses the command line, loads config, starts logging, and hands
//! over to the library. Everything else lives in the library so tests drive the real code.

use std::process::ExitCode;

use clap::Parser;
use secret_shop::cli::{Cli, Command, Ctx, run};
use secret_shop::config::Config;

/// Output piped into `head` (or a pager quit early) closes the pipe: the rest is not wanted, so
/// the command ends quietly, as `cat` would, instead of reporting a panic.
fn quiet_on_closed_stdout() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.starts_with("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        previous(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
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
