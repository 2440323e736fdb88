//! `secret-shop operator ...`: the team's logins and roles (a lead's commands). Each creates or
//! alters a Postgres login role in one of the product's groups.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::Subcommand;
use comfy_table::{Table, presets};
use secrecy::SecretString;

use super::Ctx;
use super::output::print_json;
use crate::services::team;

#[derive(Debug, Subcommand)]
pub enum OperatorCmd {
    /// Add a login: `--role lead|operator|worker|client`. Without --password it logs in by
    /// peer authentication (the OS user of the same name, on the server's socket).
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// Set a password (asked for without echo; or the first line of stdin when piped).
        #[arg(long)]
        password: bool,
        /// A client login's client (by name): it reads that client's portfolio only.
        #[arg(long)]
        client: Option<String>,
    },
    /// Every login in a team role, with its role and when it last acted.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Move a login to another role (a client's: tied to its client with --client).
    Role {
        name: String,
        role: String,
        /// A client login's client (by name).
        #[arg(long)]
        client: Option<String>,
    },
    /// Stop a login from logging in (its history stays).
    Disable { name: String },
}

pub async fn run(ctx: &Ctx, cmd: OperatorCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        OperatorCmd::Add {
            name,
            role,
            password,
            client,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let secret = if password {
                Some(read_password(&name)?)
            } else {
                None
            };
            team::add(
                &store,
                &actor,
                &name,
                &role,
                secret.as_ref(),
                client.as_deref(),
            )
            .await?;
            println!("added {name} as {role}");
        }
        OperatorCmd::List { json } => {
            let rows = team::list(&store).await?;
            if json {
                print_json(&rows)?;
            } else {
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(["LOGIN", "ROLE", "CAN LOG IN", "LAST ACTED (UTC)"]);
                for r in rows {
                    t.add_row([
                        r.name,
                        r.role,
                        if r.can_login { "yes" } else { "no" }.to_string(),
                        r.last_seen_at
                            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                            .unwrap_or_default(),
                    ]);
                }
                println!("{t}");
            }
        }
        OperatorCmd::Role { name, role, client } => {
            let actor = ctx.acting_operator(&store).await?;
            team::set_role(&store, &actor, &name, &role, client.as_deref()).await?;
            println!("{name} is now {role}");
        }
        OperatorCmd::Disable { name } => {
            let actor = ctx.acting_operator(&store).await?;
            team::disable(&store, &actor, &name).await?;
            println!("{name} can no longer log in");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The new login's password: typed without echo at a terminal, else stdin's first line.
fn read_password(name: &str) -> anyhow::Result<SecretString> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        eprint!("password for {name}: ");
        std::io::stderr().flush()?;
        let typed = read_hidden()?;
        eprintln!();
        typed
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if text.is_empty() {
        anyhow::bail!("an empty password: give one, or leave out --password for peer login");
    }
    Ok(SecretString::from(text))
}

/// Reads a line at the terminal without echoing it (raw mode, restored on every path).
fn read_hidden() -> anyhow::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode()?;
    let mut out = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(anyhow::anyhow!("cancelled"));
                }
                KeyCode::Char(c) => out.push(c),
                KeyCode::Backspace => {
                    out.pop();
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    result.map(|()| out)
}
