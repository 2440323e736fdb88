//! `secret-shop target ...`: add, list, show, edit, delete, import and export targets.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

use super::Ctx;
use super::output::{print_json, print_target, print_targets};
use crate::ai::Ai;
use crate::crawl::CrawlSettings;
use crate::domain::FieldError;
use crate::domain::community::{Extraction, FieldKind, SCALAR_FIELDS};
use crate::domain::ids::TargetId;
use crate::domain::target::{CSV_FIELDS, TargetInput};
use crate::services::gather::{GatherError, enqueue_gather, gather_website};
use crate::services::{targets, views};
use crate::store::{Store, TargetFilter, WebsiteSnapshot};

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
        /// Only this client's targets (name or id).
        #[arg(long, value_name = "CLIENT")]
        client: Option<String>,
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
    /// Import targets from a CSV file with a header row; all rows or none. A row that repeats a
    /// target already here (same leasing email, or same street and ZIP) is refused.
    Import {
        file: PathBuf,
        /// Import rows that repeat an existing target anyway.
        #[arg(long)]
        allow_duplicates: bool,
    },
    /// Export live targets to a CSV file (`-` for stdout).
    Export { file: PathBuf },
    /// Gather the target's website now: pages (robots.txt honoured, same site only, [crawl]
    /// limits) and the facts they state, kept as a website snapshot.
    Gather {
        id: TargetId,
        /// Queue a gather_website job for the worker instead of gathering now.
        #[arg(long)]
        queue: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the target's latest website snapshot (pages, what was skipped, extracted facts).
    Website {
        id: TargetId,
        #[arg(long)]
        json: bool,
    },
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
    /// The client's name (see `client list`); on edit, "" removes the client.
    #[arg(long, value_name = "NAME")]
    client: Option<String>,
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
        if let Some(c) = self.client {
            base.client = Some(c);
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
            let actor = ctx.acting_operator(&store).await?;
            let t = targets::add(&store, &actor, &input).await?;
            println!("added target {} ({})", t.id, t.name);
        }
        TargetCmd::List {
            search,
            tag,
            client,
            all,
            json,
        } => {
            let client = match client {
                Some(c) => Some(crate::services::clients::client_id(&store, &c).await?),
                None => None,
            };
            let filter = TargetFilter {
                search,
                tag,
                client,
                include_deleted: all,
            };
            let targets = views::targets(&store, None, &filter).await?;
            if json {
                print_json(&targets)?;
            } else {
                print_targets(&targets);
            }
        }
        TargetCmd::Show { id, json } => {
            let t = views::target_record(&store, None, id).await?;
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
            let current = views::target_record(&store, None, id).await?;
            if current.deleted_at.is_some() {
                bail!("target {id} is deleted");
            }
            let input = fields
                .apply(TargetInput::from(&current))
                .validated()
                .map_err(invalid)?;
            let actor = ctx.acting_operator(&store).await?;
            let t = targets::edit(&store, &actor, id, version, &input).await?;
            println!(
                "updated target {} ({}), now version {}",
                t.id, t.name, t.version
            );
        }
        TargetCmd::Delete { id, yes } => {
            let t = views::target_record(&store, None, id).await?;
            if !yes && !super::output::confirm(&format!("Delete target {id} ({})?", t.name))? {
                println!("not deleted");
                return Ok(ExitCode::FAILURE);
            }
            let actor = ctx.acting_operator(&store).await?;
            targets::delete(&store, &actor, id).await?;
            println!("deleted target {id} ({})", t.name);
        }
        TargetCmd::Import {
            file,
            allow_duplicates,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let n = targets::import_targets_csv(&store, &actor, &file, allow_duplicates).await?;
            println!("imported {n} targets from {}", file.display());
        }
        TargetCmd::Gather { id, queue, json } => return gather(ctx, &store, id, queue, json).await,
        TargetCmd::Website { id, json } => {
            views::target_record(&store, None, id).await?;
            match views::website(&store, None, id).await? {
                Some(s) if json => print_json(&SnapshotJson::from(&s))?,
                Some(s) => print_snapshot(&s),
                None if json => println!("null"),
                None => println!(
                    "target {id} has no website snapshot yet; gather one with \
                     `secret-shop target gather {id}`"
                ),
            }
        }
        TargetCmd::Export { file } => {
            let targets = views::targets(&store, None, &TargetFilter::default()).await?;
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

/// `target gather`: now (printing the snapshot; exit 1 if it failed) or queued for the worker.
async fn gather(
    ctx: &Ctx,
    store: &Store,
    id: TargetId,
    queue: bool,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let settings = CrawlSettings::from_config(&ctx.config);
    let actor = ctx.acting_operator(store).await?;
    if queue {
        let (job, new) = enqueue_gather(store, &settings, id, &actor.name).await?;
        if json {
            print_json(&serde_json::json!({ "job_id": job, "new": new, "target_id": id }))?;
        } else if new {
            println!(
                "queued gather_website job {job} for target {id}; `secret-shop worker` runs it \
                 (see `secret-shop job list`, then `secret-shop target website {id}`)"
            );
        } else {
            println!("a gathering of target {id} is already queued or running (job {job})");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ai = Ai::from_config(&ctx.config.ai);
    match gather_website(store, &ai, &settings, id, &actor.name).await {
        Ok(s) if json => print_json(&SnapshotJson::from(&s))?,
        Ok(s) => print_snapshot(&s),
        Err(GatherError::Failed {
            snapshot, message, ..
        }) => {
            let s = views::website_by_id(store, None, snapshot).await?;
            if json {
                print_json(&SnapshotJson::from(&s))?;
            } else {
                print_snapshot(&s);
            }
            eprintln!("error: gathering target {id}'s website failed: {message}");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Counts an operator reads first.
#[derive(serde::Serialize)]
struct SnapshotSummary {
    pages_fetched: usize,
    skipped_by_robots: usize,
    failed: usize,
    other_skipped: usize,
    off_site_links: usize,
    not_visited: usize,
}

#[derive(serde::Serialize)]
struct SnapshotJson<'a> {
    #[serde(flatten)]
    snapshot: &'a WebsiteSnapshot,
    summary: SnapshotSummary,
}

impl<'a> From<&'a WebsiteSnapshot> for SnapshotJson<'a> {
    fn from(s: &'a WebsiteSnapshot) -> Self {
        SnapshotJson {
            snapshot: s,
            summary: summary(s),
        }
    }
}

fn summary(s: &WebsiteSnapshot) -> SnapshotSummary {
    let c = &s.crawl.0;
    let robots = c.count("robots");
    let failed = c.count("failed") + c.count("status");
    SnapshotSummary {
        pages_fetched: s.pages.0.len(),
        skipped_by_robots: robots,
        failed,
        other_skipped: c.skipped.len() - robots - failed,
        off_site_links: c.off_site_links,
        not_visited: c.not_visited,
    }
}

fn print_snapshot(s: &WebsiteSnapshot) {
    let c = &s.crawl.0;
    let n = summary(s);
    let by = s.extracted_by.as_deref().unwrap_or("-");
    println!(
        "website snapshot {} of target {}: {} (extracted by {by})",
        s.id, s.target_id, s.status
    );
    println!("  site        {}", s.root_url);
    if !c.robots.is_empty() {
        println!("  robots.txt  {}", c.robots);
    }
    println!(
        "  crawl       {} pages fetched, {} skipped by robots.txt, {} failed, {} other skipped, \
         {} off-site links not followed",
        n.pages_fetched, n.skipped_by_robots, n.failed, n.other_skipped, n.off_site_links
    );
    if let Some(stop) = &c.stopped {
        println!("  stopped     {stop} ({} links not visited)", n.not_visited);
    }
    let took = s
        .finished_at
        .map(|f| format!(", took {:.1} s", (f - s.started_at).as_seconds_f64()))
        .unwrap_or_default();
    println!("  started     {}{took}", s.started_at.to_rfc3339());
    if let Some(e) = &s.error {
        println!("  error       {e}");
    }
    if let Some(why) = &c.fallback_reason {
        println!("  AI failed   {why} (the offline rules read the pages)");
    }
    if !s.pages.0.is_empty() {
        println!("\npages:");
        for p in &s.pages.0 {
            let cut = if p.truncated { "  (truncated)" } else { "" };
            println!("  {:>3}  {}  {}{cut}", p.status, p.url, p.title);
        }
    }
    if !c.skipped.is_empty() {
        println!("\nskipped:");
        for k in &c.skipped {
            println!("  {:<10}  {}  {}", k.kind, k.url, k.reason);
        }
    }
    if let Some(ex) = &s.community {
        print_extraction(&ex.0);
    }
}

fn print_extraction(ex: &Extraction) {
    println!("\nfacts:");
    let mut any = false;
    for (name, kind) in SCALAR_FIELDS {
        let Some(e) = ex.get(name) else { continue };
        any = true;
        let value = match (kind, e.value.as_f64()) {
            (FieldKind::Money, Some(v)) => money(v),
            _ => e
                .value
                .as_str()
                .map_or_else(|| e.value.to_string(), str::to_string),
        };
        println!(
            "  {:<20}  {}  \"{}\"",
            name.replace('_', " "),
            clip(&value, 70),
            clip(&e.evidence, 80)
        );
    }
    if !any {
        println!("  (none found)");
    }
    if !ex.floor_plans.is_empty() {
        println!("\nfloor plans:");
        for p in &ex.floor_plans {
            let num = |v: Option<f64>, unit: &str| v.map(|x| format!("{x} {unit}"));
            let price = match (p.min_rental_price, p.max_rental_price) {
                (Some(a), Some(b)) if a != b => Some(format!("{} - {}", money(a), money(b))),
                (Some(a), _) | (None, Some(a)) => Some(money(a)),
                _ => None,
            };
            let parts: Vec<String> = [
                p.name.clone(),
                num(p.beds, "bd"),
                num(p.baths, "ba"),
                num(p.sqft, "sq ft"),
                price,
                p.security_deposit.map(|d| format!("deposit {}", money(d))),
            ]
            .into_iter()
            .flatten()
            .collect();
            println!("  {}", parts.join("  "));
        }
    }
    if !ex.community_amenities.is_empty() {
        let names: Vec<&str> = ex
            .community_amenities
            .iter()
            .map(|a| a.amenity.as_str())
            .collect();
        println!("\namenities: {}", names.join(", "));
    }
}

/// "$1,725" or "$12.50".
fn money(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    match frac {
        0 => format!("{sign}${grouped}"),
        f => format!("{sign}${grouped}.{f:02}"),
    }
}

fn clip(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1725.0), "$1,725");
        assert_eq!(money(1234567.5), "$1,234,567.50");
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(45.0), "$45");
    }
}
