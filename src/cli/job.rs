//! `secret-shop job list|retry`: background work, and bringing dead jobs back.

use std::process::ExitCode;

use clap::Subcommand;
use comfy_table::{Table, presets};

use super::Ctx;
use super::output::print_json;
use crate::domain::ids::JobId;
use crate::services::jobs;

#[derive(Debug, Subcommand)]
pub enum JobCmd {
    /// List jobs, newest first.
    List {
        /// Only dead jobs (out of attempts; their last error is kept).
        #[arg(long)]
        dead: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// Queue a dead job again with fresh attempts.
    Retry { id: JobId },
}

pub async fn run(ctx: &Ctx, cmd: JobCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        JobCmd::List { dead, limit, json } => {
            let jobs = jobs::list(&store, None, dead.then_some("dead"), limit).await?;
            if json {
                print_json(&jobs)?;
                return Ok(ExitCode::SUCCESS);
            }
            if jobs.is_empty() {
                println!("  (no jobs)");
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new();
            t.load_preset(presets::NOTHING);
            t.set_header(vec![
                "ID",
                "KIND",
                "STATUS",
                "TRIES",
                "RUN AT",
                "LAST ERROR",
            ]);
            for j in jobs {
                t.add_row(vec![
                    j.id.to_string(),
                    j.kind,
                    j.status,
                    format!("{}/{}", j.attempts, j.max_attempts),
                    j.run_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    j.last_error.unwrap_or_default().chars().take(70).collect(),
                ]);
            }
            println!("{t}");
        }
        JobCmd::Retry { id } => {
            let actor = ctx.acting_operator(&store).await?;
            jobs::retry(&store, &actor, id).await?;
            println!("job {id} queued again");
        }
    }
    Ok(ExitCode::SUCCESS)
}
