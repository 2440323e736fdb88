//! `secret-shop demo`: load the demo data set; `demo agent` plays the demo leasing agents.

use std::process::ExitCode;

use clap::Subcommand;

use super::Ctx;
use crate::services::demo::load_demo;
use crate::services::demo_agent::DemoAgent;

#[derive(Debug, Subcommand)]
pub enum DemoCmd {
    /// Play the leasing agents of the demo properties: read their mail over IMAP and answer
    /// over SMTP with varied, realistic replies.
    Agent {
        /// Answer what is waiting, then exit.
        #[arg(long)]
        once: bool,
    },
}

pub async fn run(ctx: &Ctx, cmd: Option<DemoCmd>) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        None => {
            let actor = ctx.acting_operator(&store).await?;
            match load_demo(&store, &actor, &ctx.config).await? {
                None => println!(
                    "the database already has data; demo data loads only into an empty database"
                ),
                Some(d) => println!(
                    "loaded demo data: {} targets, {} persona templates, {} personas, {} shops",
                    d.targets, d.templates, d.personas, d.shops
                ),
            }
        }
        Some(DemoCmd::Agent { once }) => {
            let agent = DemoAgent::new(&ctx.config, store);
            if once {
                let n = agent.answer_waiting().await?;
                println!("demo agent answered {n} message(s)");
            } else {
                agent.run().await?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
