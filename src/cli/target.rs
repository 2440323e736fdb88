//! `secret-shop target ...`: add, list, show, edit, delete, import and export targets.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

use super::Ctx;
use super::output::{print_json, print_target, print_targets};
use crate::domain::FieldError;
use crate::domain::ids::TargetId;
use crate::domain::target::{CSV_FIELDS, TargetInput};
use crate::store::TargetFilter;

#[derive(Debug, Subcommand)]
pub enum TargetCmd {
    /// Add a target property.
    Add(TargetFields),
    /// List targets.
    List {
        /// Only targets whose name, city, manager or email contains this.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Include deleted targets.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show one target.
    Show {
        id: TargetId,
        #[arg(long)]
        json: bool,
    },
    /// Change some fields of a target (the others keep their values).
    Edit {
        id: TargetId,
        #[command(flatten)]
        fields: TargetFields,
        /// Refuse if the target changed since you saw this version.
        #[arg(long)]
        version: Option<i32>,
    },
    /// Delete a target (kept for its shops and reports, hidden from lists).
    Delete {
        id: TargetId,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Import targets from a CSV file with a header row; all rows or none.
    Import { file: PathBuf },
    /// Export live targets to a CSV file (`-` for stdout).
    Export { file: PathBuf },
}

#[derive(Debug, Args, Default)]
pub struct TargetFields {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    city: Option<String>,
    #[arg(long)]
    state: Option<String>,
    #[arg(long)]
    zip: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// The leasing office's email address (where inquiries go).
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    website: Option<String>,
    #[arg(long)]
    owners: Option<String>,
    #[arg(long = "manager", value_name = "PROPERTY_MANAGER")]
    property_manager: Option<String>,
    /// IANA time zone, e.g. America/Chicago (default: the configured one).
    #[arg(long)]
    time_zone: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// A tag; repeat for several. On edit, replaces the tags.
    #[arg(long = "tag")]
    tags: Vec<String>,
}

impl TargetFields {
    fn apply(self, mut base: TargetInput) -> TargetInput {
        let set = |slot: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *slot = v;
            }
        };
        set(&mut base.name, self.name);
        set(&mut base.street, self.street);
        set(&mut base.city, self.city);
        set(&mut base.state, self.state);
        set(&mut base.zip, self.zip);
        set(&mut base.phone, self.phone);
        set(&mut base.email, self.email);
        set(&mut base.website, self.website);
        set(&mut base.owners, self.owners);
        set(&mut base.property_manager, self.property_manager);
        set(&mut base.notes, self.notes);
        if let Some(tz) = self.time_zone {
            base.time_zone = Some(tz);
        }
        if !self.tags.is_empty() {
            base.tags = self.tags;
        }
        base
    }
}

fn invalid(errors: Vec<FieldError>) -> anyhow::Error {
    let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
    anyhow::anyhow!("invalid target:\n{}", lines.join("\n"))
}

pub async fn run(ctx: &Ctx, cmd: TargetCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        TargetCmd::Add(fields) => {
            let input = fields
                .apply(TargetInput::default())
                .validated()
                .map_err(invalid)?;
            let actor = ctx.actor(&store).await?;
            let t = store.insert_target(&actor, &input).await?;
            println!("added target {} ({})", t.id, t.name);
        }
        TargetCmd::List {
            search,
            tag,
            all,
            json,
        } => {
            let filter = TargetFilter {
                search,
                tag,
                include_deleted: all,
            };
            let targets = store.list_targets(&filter).await?;
            if json {
                print_json(&targets)?;
            } else {
                print_targets(&targets);
            }
        }
        TargetCmd::Show { id, json } => {
            let t = store.target(id).await?;
            if json {
                print_json(&t)?;
            } else {
                print_target(&t);
            }
        }
        TargetCmd::Edit {
            id,
            fields,
            version,
        } => {
            let current = store.target(id).await?;
            if current.deleted_at.is_some() {
                bail!("target {id} is deleted");
            }
            let input = fields
                .apply(TargetInput::from(&current))
                .validated()
                .map_err(invalid)?;
            let actor = ctx.actor(&store).await?;
            let t = store.update_target(&actor, id, version, &input).await?;
            println!(
                "updated target {} ({}), now version {}",
                t.id, t.name, t.version
            );
        }
        TargetCmd::Delete { id, yes } => {
            let t = store.target(id).await?;
            if !yes && !super::output::confirm(&format!("Delete target {id} ({})?", t.name))? {
                println!("not deleted");
                return Ok(ExitCode::FAILURE);
            }
            let actor = ctx.actor(&store).await?;
            store.delete_target(&actor, id).await?;
            println!("deleted target {id} ({})", t.name);
        }
        TargetCmd::Import { file } => {
            let inputs = read_csv(&file)?;
            let actor = ctx.actor(&store).await?;
            let n = store.import_targets(&actor, &inputs).await?.len();
            println!("imported {n} targets from {}", file.display());
        }
        TargetCmd::Export { file } => {
            let targets = store.list_targets(&TargetFilter::default()).await?;
            let n = targets.len();
            write_csv(&file, targets.iter().map(TargetInput::from))?;
            if file.as_os_str() != "-" {
                println!("exported {n} targets to {}", file.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads and validates every row; any bad row fails the whole file, naming each by line.
pub fn read_csv(path: &Path) -> anyhow::Result<Vec<TargetInput>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    crate::domain::target::parse_targets_csv(file, &path.display().to_string())
        .map_err(|e| anyhow::anyhow!(e))
}

fn write_csv(path: &Path, rows: impl Iterator<Item = TargetInput>) -> anyhow::Result<()> {
    let sink: Box<dyn std::io::Write> = if path.as_os_str() == "-" {
        Box::new(std::io::stdout())
    } else {
        Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )
    };
    let mut w = csv::Writer::from_writer(sink);
    w.write_record(CSV_FIELDS)?;
    for row in rows {
        w.write_record(row.to_csv_record())?;
    }
    w.flush()?;
    Ok(())
}
