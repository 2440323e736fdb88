//! Logs go to a file (tracing-appender), filtered by `RUST_LOG`; `-v` adds stderr for CLI runs.
//! Never stdout, and never the terminal the TUI draws on.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt;
use tracing_subscriber::prelude::*;

/// Starts logging; keep the guard alive until exit so buffered lines are written.
/// When the log file cannot be opened, logging goes nowhere rather than onto the screen.
pub fn init(log_file: &Path, verbose: bool) -> Option<WorkerGuard> {
    let filter = || {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("secret_shop=info,warn"))
    };
    let (file_layer, guard) = match open_log(log_file) {
        Some(file) => {
            let (writer, guard) = tracing_appender::non_blocking(file);
            (
                Some(
                    fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .with_filter(filter()),
                ),
                Some(guard),
            )
        }
        None => (None, None),
    };
    let stderr_layer = verbose.then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_filter(filter())
    });
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    guard
}

fn open_log(path: &Path) -> Option<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()
}
