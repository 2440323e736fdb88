//! `secret-shop worker`: the engine without a UI, until SIGTERM or Ctrl-C; `--once` does one
//! pass of each part and exits (cron, tests).

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use super::Ctx;
use crate::engine::Engine;

pub async fn run(ctx: &Ctx, once: bool) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let engine = Engine::new(&ctx.config, store).await?;
    if once {
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
        return Ok(ExitCode::SUCCESS);
    }
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    tracing::info!("worker started");
    engine.run(shutdown).await;
    tracing::info!("worker stopped");
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
