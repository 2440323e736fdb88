//! `secret-shop client ...`: the companies shop programs are run for.

use std::process::ExitCode;

use clap::Subcommand;

use super::Ctx;
use super::output::{confirm, print_client, print_clients, print_json};
use crate::domain::client::ClientInput;
use crate::services::clients::{self, ClientChange};

#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Add a client (its name is unique, in any case).
    Add {
        name: String,
        /// Who to talk to there (name, email, phone).
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// List clients with their number of targets.
    List {
        /// Include deleted clients.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show one client (by name or id).
    Show {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a client's name, contact or notes (the others keep their values).
    Edit {
        client: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// Refuse if the client changed since you saw this version.
        #[arg(long)]
        version: Option<i32>,
    },
    /// Delete a client; refused while it has targets unless --force.
    Delete {
        client: String,
        /// Detach its targets first (they keep their shops and show "no client").
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

pub async fn run(ctx: &Ctx, cmd: ClientCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        ClientCmd::Add {
            name,
            contact,
            notes,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let input = ClientInput {
                name,
                contact: contact.unwrap_or_default(),
                notes: notes.unwrap_or_default(),
            };
            let c = clients::add_client(&store, &actor, input).await?;
            println!("added client {} ({})", c.id, c.name);
        }
        ClientCmd::List { all, json } => {
            let list = clients::list_clients(&store, all).await?;
            if json {
                print_json(&list)?;
            } else {
                print_clients(&list);
            }
        }
        ClientCmd::Show { client, json } => {
            let c = clients::find_client(&store, &client).await?;
            if json {
                print_json(&c)?;
            } else {
                print_client(&c);
            }
        }
        ClientCmd::Edit {
            client,
            name,
            contact,
            notes,
            version,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let change = ClientChange {
                name,
                contact,
                notes,
            };
            let c = clients::edit_client(&store, &actor, &client, change, version).await?;
            println!(
                "updated client {} ({}), now version {}",
                c.id, c.name, c.version
            );
        }
        ClientCmd::Delete { client, force, yes } => {
            let c = clients::find_client(&store, &client).await?;
            // Without --force a client with targets is refused below: no point asking first.
            let refused = c.targets > 0 && !force;
            let what = match c.targets {
                0 => String::new(),
                n => format!(" Its {n} target(s) will have no client."),
            };
            if !yes && !refused && !confirm(&format!("Delete client {} ({})?{what}", c.id, c.name))?
            {
                println!("not deleted");
                return Ok(ExitCode::FAILURE);
            }
            let actor = ctx.acting_operator(&store).await?;
            let detached = clients::delete_client(&store, &actor, c.id, force).await?;
            println!("deleted client {} ({})", c.id, c.name);
            if !detached.is_empty() {
                let ids: Vec<String> = detached.iter().map(|t| t.to_string()).collect();
                println!("targets now without a client: {}", ids.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
