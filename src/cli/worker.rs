//! `secret-shop worker`: the engine without a UI, until SIGTERM or Ctrl-C; `--once` does one
//! pass of each part and exits (cron, tests).

use std::process::ExitCode;
use std::time::Duration;

use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use super::Ctx;
use crate::config::redacted_url;
use crate::engine::backoff::Backoff;
use crate::engine::{Engine, EngineError};
use crate::store::StoreError;

pub async fn run(ctx: &Ctx, once: bool) -> anyhow::Result<ExitCode> {
    if once {
        // A cron pass fails fast: the next one is the retry.
        let store = ctx.store().await?;
        return run_once(&Engine::new(&ctx.config, store).await?).await;
    }
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    let Some(engine) = start(ctx, &shutdown).await? else {
        return Ok(ExitCode::SUCCESS);
    };
    tracing::info!("worker started");
    engine.run(shutdown).await;
    tracing::info!("worker stopped");
    Ok(ExitCode::SUCCESS)
}

/// Connects, migrates and builds the engine. While the database cannot be reached (down,
/// starting up, full) it waits and tries again with back-off, as the engine does for an outage
/// while running; anything else (a bad URL, a refused login, a broken migration) ends the worker.
/// `None` when shut down while waiting.
async fn start(ctx: &Ctx, shutdown: &CancellationToken) -> anyhow::Result<Option<Engine>> {
    let url = ctx.database_url()?;
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(4));
    loop {
        let err = match ctx.open_store(url).await {
            Ok(store) => match Engine::new(&ctx.config, store).await {
                Ok(engine) => {
                    if backoff.failures() > 0 {
                        eprintln!("database reachable: worker running");
                    }
                    return Ok(Some(engine));
                }
                Err(EngineError::Store(e)) if e.is_unavailable() => e,
                Err(e) => return Err(e.into()),
            },
            Err(e) if e.is_unavailable() => e,
            Err(e) => return Err(ctx.explain_store_error(e)),
        };
        let delay = backoff.next_delay();
        if backoff.failures() == 1 {
            // Once, not per try: the log has every try.
            eprintln!(
                "waiting for the database at {} ({}); retrying until it is reachable",
                redacted_url(url.expose_secret()),
                short(&err)
            );
        }
        tracing::warn!(error = %err, tries = backoff.failures(), retry_in = ?delay,
            "worker start: database unavailable, retrying");
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.cancelled() => return Ok(None),
        }
    }
}

/// The first line of an error: enough for the one line on stderr.
fn short(e: &StoreError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// One pass of each part, with a line of figures for each.
async fn run_once(engine: &Engine) -> anyhow::Result<ExitCode> {
    let r = engine.run_once().await?;
    match r.sync {
        Some(s) => println!(
            "synced: {} fetched, {} stored, {} already had",
            s.fetched, s.stored, s.duplicates
        ),
        None => println!("synced: skipped (another process is syncing this mailbox)"),
    }
    println!(
        "sent: {} sent, {} waiting, {} failed, {} found already sent",
        r.send.sent, r.send.deferred, r.send.failed, r.send.found_already_sent
    );
    println!(
        "jobs: {} done, {} failed, {} dead",
        r.jobs.done, r.jobs.failed, r.jobs.dead
    );
    println!(
        "scheduler: {} drafted for review, {} shops finished",
        r.schedule.drafted, r.schedule.finished
    );
    Ok(ExitCode::SUCCESS)
}

async fn cancel_on_signal(token: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                token.cancel();
                return;
            }
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    token.cancel();
}
