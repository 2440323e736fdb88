//! The command line (clap): scriptable subcommands over the same store the TUI uses.
//! Lists and shows take `--json`; errors say what is wrong and how to fix it.

mod analyze;
mod audit;
mod client;
mod context;
mod demo;
mod doctor;
mod draft;
mod inbox;
mod job;
mod message;
mod operator;
mod output;
mod overrides;
mod persona;
mod report;
mod shop;
mod target;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::services::{session, templates, views};

pub use context::Ctx;

#[derive(Debug, Parser)]
#[command(
    name = "secret-shop",
    version,
    about = "Mystery-shop rental properties with AI personas over email",
    long_about = "Mystery-shop rental properties with AI personas over email.\n\n\
        Configuration: config.toml in the platform config dir (see config.example.toml), \
        --config PATH, then environment variables such as DATABASE_URL."
)]
pub struct Cli {
    /// Read this config file instead of the one in the platform config dir.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Also log to stderr (never while the TUI is up).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The terminal UI (also what runs with no subcommand in a terminal).
    Tui {
        /// Do not run the mail engine here (a `secret-shop worker` runs it elsewhere).
        #[arg(long)]
        no_engine: bool,
    },
    /// Apply database migrations (the schema owner only; others are told to ask the owner when
    /// their binary needs a newer schema). Running twice is harmless.
    Migrate,
    /// Who you are: the operator name, and the database login the database knows you by.
    Whoami {
        #[arg(long)]
        json: bool,
    },
    /// Check config, database, SMTP, IMAP and AI; one line each; non-zero exit if any fails.
    Doctor,
    /// Target properties.
    #[command(subcommand)]
    Target(Box<target::TargetCmd>),
    /// Clients: the companies shop programs are run for; targets belong to one.
    #[command(subcommand)]
    Client(client::ClientCmd),
    /// Personas and persona templates.
    #[command(subcommand)]
    Persona(persona::PersonaCmd),
    /// Load demo targets, templates, personas and shops into an empty database.
    Demo {
        #[command(subcommand)]
        cmd: Option<demo::DemoCmd>,
    },
    /// Inbound mail.
    #[command(subcommand)]
    Inbox(inbox::InboxCmd),
    /// Shops: start, list, show, grade.
    #[command(subcommand)]
    Shop(shop::ShopCmd),
    /// A shop's grade: list, confirm or clear fair-housing flags; set a criterion's score.
    #[command(subcommand)]
    Grade(overrides::GradeCmd),
    /// A shop's fact sheet: set a fact's value (an operator's correction, with a reason).
    #[command(subcommand)]
    Fact(overrides::FactCmd),
    /// The review queue: list, show, edit, regenerate, approve, reject drafts.
    #[command(subcommand)]
    Draft(draft::DraftCmd),
    /// One message: show it (or its raw source), assign an unmatched one to a shop.
    #[command(subcommand)]
    Message(message::MessageCmd),
    /// Reports: a shop's summary and grading, or the portfolio (md, html, csv, json).
    #[command(subcommand)]
    Report(report::ReportCmd),
    /// The decisions on record: who approved, rejected, recalled, edited what, and when.
    Audit(audit::AuditArgs),
    /// The team's logins and roles (a lead's commands): add, list, role, disable.
    #[command(subcommand)]
    Operator(operator::OperatorCmd),
    /// Background jobs (reading replies, ...): list, retry dead ones.
    #[command(subcommand)]
    Job(job::JobCmd),
    /// Read one message as the product does: responder, facts with evidence, signals (JSON).
    Analyze(analyze::AnalyzeArgs),
    /// Precision and recall per field on a labelled set (NAME.eml + NAME.json files).
    Eval {
        dir: PathBuf,
        /// Use the offline rules even when an AI is configured.
        #[arg(long)]
        offline: bool,
    },
    /// Run the engine (mail sync, outbox) without a UI until SIGTERM or Ctrl-C.
    Worker {
        /// One pass of each part, then exit.
        #[arg(long)]
        once: bool,
    },
}

/// Runs one command; the returned code is the process exit code.
pub async fn run(cli: Cli, ctx: Ctx) -> anyhow::Result<ExitCode> {
    match cli.command {
        None if std::io::IsTerminal::is_terminal(&std::io::stdout()) => tui(&ctx, false).await,
        None => overview(&ctx).await,
        Some(Command::Tui { no_engine }) => tui(&ctx, no_engine).await,
        Some(Command::Migrate) => {
            let store = ctx.store_unchecked().await?;
            session::migrate(&store)
                .await
                .map_err(|e| ctx.explain_store_error(e))?;
            let (applied, known) = session::migration_status(&store).await?;
            println!("database schema up to date ({applied} of {known} migrations applied)");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Whoami { json }) => {
            let store = ctx.store().await?;
            let me = session::whoami(&store).await?;
            // Say who the login is even when it may not act as an operator.
            let operator =
                match crate::services::identity::act_as(&store, &ctx.config.operator, &me).await {
                    Ok(a) => a.name,
                    Err(e) => format!("none ({e})"),
                };
            if json {
                output::print_json(&serde_json::json!({
                    "operator": operator,
                    "login": me.login,
                    "groups": me.groups,
                    "schema_owner": me.schema_owner,
                    "superuser": me.superuser,
                }))?;
            } else {
                println!("operator: {operator}");
                let mut what = Vec::new();
                if me.superuser {
                    what.push("superuser".to_string());
                }
                if me.schema_owner {
                    what.push("schema owner".to_string());
                }
                what.extend(me.groups.iter().map(|g| format!("member of {g}")));
                let what = if what.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", what.join(", "))
                };
                println!("database login: {}{what}", me.login);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Doctor) => doctor::run(&ctx).await,
        Some(Command::Target(cmd)) => target::run(&ctx, *cmd).await,
        Some(Command::Client(cmd)) => client::run(&ctx, cmd).await,
        Some(Command::Persona(cmd)) => persona::run(&ctx, cmd).await,
        Some(Command::Demo { cmd }) => demo::run(&ctx, cmd).await,
        Some(Command::Inbox(cmd)) => inbox::run(&ctx, cmd).await,
        Some(Command::Shop(cmd)) => shop::shop(&ctx, cmd).await,
        Some(Command::Grade(cmd)) => overrides::grade(&ctx, cmd).await,
        Some(Command::Fact(cmd)) => overrides::fact(&ctx, cmd).await,
        Some(Command::Draft(cmd)) => draft::run(&ctx, cmd).await,
        Some(Command::Message(cmd)) => message::run(&ctx, cmd).await,
        Some(Command::Report(cmd)) => report::run(&ctx, cmd).await,
        Some(Command::Job(cmd)) => job::run(&ctx, cmd).await,
        Some(Command::Audit(args)) => audit::run(&ctx, args).await,
        Some(Command::Operator(cmd)) => operator::run(&ctx, cmd).await,
        Some(Command::Analyze(args)) => analyze::analyze(&ctx, args).await,
        Some(Command::Eval { dir, offline }) => analyze::eval(&ctx, dir, offline).await,
        Some(Command::Worker { once }) => worker::run(&ctx, once).await,
    }
}

impl Cli {
    /// True when this run takes over the terminal (then nothing may log to stderr).
    pub fn wants_tui(&self) -> bool {
        match self.command {
            Some(Command::Tui { .. }) => true,
            None => std::io::IsTerminal::is_terminal(&std::io::stdout()),
            _ => false,
        }
    }
}

async fn tui(ctx: &Ctx, no_engine: bool) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    crate::tui::run(
        ctx.config.clone(),
        store,
        crate::tui::TuiOptions { no_engine },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// What runs with no subcommand when stdout is not a terminal: what is in the database and what to do next.
async fn overview(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let targets = views::targets(&store, None, &Default::default()).await?;
    let personas = views::personas(&store, None, &Default::default()).await?;
    let templates = templates::list(&store, None).await?;
    println!(
        "secret-shop — operator {}\n{} targets, {} personas, {} persona templates\n",
        ctx.config.operator.name,
        targets.len(),
        personas.len(),
        templates.len()
    );
    println!("Targets:");
    output::print_targets(&targets);
    println!("\nPersonas:");
    output::print_personas(&personas);
    let inbound = views::inbound(&store, None, false, 5).await?;
    println!("\nLatest inbound mail:");
    if inbound.is_empty() {
        println!("  (none yet; `secret-shop worker` syncs the mailbox)");
    }
    for m in &inbound {
        let tag = match (m.is_bounce, m.is_auto_reply, m.shop_id) {
            (true, _, _) => "bounce".to_string(),
            (_, true, _) => "auto-reply".to_string(),
            (_, _, Some(s)) => format!("shop {s}"),
            _ => "unmatched".to_string(),
        };
        println!(
            "  #{:<4} {:<32} {:<12} {}",
            m.id, m.from_addr, tag, m.subject
        );
    }
    println!("\nTry: secret-shop doctor | target list | persona list | inbox list | worker");
    Ok(ExitCode::SUCCESS)
}
