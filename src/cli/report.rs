//! `report shop ID | portfolio | dashboard`: rendered reports on stdout or into a file.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use comfy_table::{Table, presets};

use super::Ctx;
use super::output::print_json;
use crate::domain::ids::ShopId;
use crate::report::format::{duration, number};
use crate::report::{Format, PortfolioQuery, RenderOptions, render_portfolio, render_shop};
use crate::services::views;

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// One shop in one document: the summary (fact sheet, floor plans, fees, specials, pet
    /// policy, amenities, website vs agent, what is missing) and the grading (total, criteria,
    /// fair-housing flags, timeline with response times).
    Shop {
        id: ShopId,
        /// md, html, csv or json; default: from the --out file's extension, else md.
        #[arg(long, short)]
        format: Option<Format>,
        /// Write to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Quote the evidence beside each fact and criterion (md, html; csv and json always
        /// carry it).
        #[arg(long)]
        evidence: bool,
    },
    /// Across shops: scores, first-response times, fees, completion rate, by target, property
    /// manager, operator and month.
    Portfolio {
        /// Shops started on or after this day (YYYY-MM-DD, in the configured time zone).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Shops started on or before this day.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// Only targets whose property manager's name contains NAME (case-insensitive).
        #[arg(long, value_name = "NAME")]
        manager: Option<String>,
        /// Only this client's targets (its name).
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        #[arg(long, short)]
        format: Option<Format>,
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The dashboard's figures now: shops by state, pending reviews, replies, response time,
    /// scores, recent activity.
    Dashboard {
        /// Only this client's shops (its name or id).
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23"))
}

/// `--format` wins, then the extension of `--out`, then Markdown. A file named for a format we
/// do not write ("report.pdf") is an error that lists the ones we do, not Markdown in disguise.
fn pick_format(format: Option<Format>, out: Option<&Path>) -> anyhow::Result<Format> {
    if let Some(f) = format {
        return Ok(f);
    }
    match out.and_then(|p| p.extension()) {
        None => Ok(Format::Markdown),
        Some(ext) => out.and_then(Format::from_path).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot write a .{} report: the formats are {} (name the file for one, or add \
                 --format)",
                ext.to_string_lossy(),
                Format::NAMES
            )
        }),
    }
}

fn emit(text: &str, out: Option<&Path>, what: &str, format: Format) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write the report to {}", path.display()))?;
            eprintln!(
                "wrote {what} ({}) to {}",
                format.extension(),
                path.display()
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                stdout.write_all(b"\n")?;
            }
            stdout.flush()?;
        }
    }
    Ok(())
}

pub async fn run(ctx: &Ctx, cmd: ReportCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let tz = ctx.config.send_window.time_zone;
    let now = Utc::now();
    match cmd {
        ReportCmd::Shop {
            id,
            format,
            out,
            evidence,
        } => {
            let format = pick_format(format, out.as_deref())?;
            let report = views::shop_report(&store, None, id, tz, now).await?;
            let text = render_shop(&report, format, RenderOptions { evidence })?;
            emit(&text, out.as_deref(), &format!("shop {id} report"), format)?;
        }
        ReportCmd::Portfolio {
            from,
            to,
            manager,
            client,
            format,
            out,
        } => {
            let format = pick_format(format, out.as_deref())?;
            let query = PortfolioQuery {
                from,
                to,
                manager,
                client,
            };
            let p = views::portfolio(&store, None, query, tz, now).await?;
            let text = render_portfolio(&p, format, RenderOptions::default())?;
            emit(&text, out.as_deref(), "portfolio", format)?;
        }
        ReportCmd::Dashboard { client, json } => {
            let client = match client {
                Some(c) => Some(crate::services::clients::find_client(&store, &c).await?),
                None => None,
            };
            let mut d =
                views::client_dashboard(&store, None, now, tz, client.as_ref().map(|c| c.id))
                    .await?;
            d.client = client.map(|c| c.name);
            if json {
                print_json(&d)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new();
            t.load_preset(presets::NOTHING);
            let dash = || "-".to_string();
            let states = d
                .shops_by_state
                .iter()
                .filter(|s| s.count > 0)
                .map(|s| format!("{} {}", s.status, s.count))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = [
                (
                    "shops",
                    format!("{} ({} active)", d.shops_total, d.shops_active),
                ),
                ("by state", if states.is_empty() { dash() } else { states }),
                ("pending reviews", d.pending_reviews.to_string()),
                ("replies today", d.replies_today.to_string()),
                ("replies this week", d.replies_this_week.to_string()),
                (
                    "median first response",
                    d.median_first_response_minutes
                        .map_or_else(dash, |m| duration(m.round() as i64)),
                ),
                (
                    "average score",
                    d.average_score.map_or_else(dash, |s| {
                        format!("{} ({} graded)", number(s), d.graded_shops)
                    }),
                ),
                (
                    "replies per day",
                    d.replies_per_day
                        .iter()
                        .map(|c| c.count.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            ];
            for (k, v) in rows {
                t.add_row(vec![k.to_string(), v]);
            }
            let of = d
                .client
                .as_ref()
                .map(|c| format!(" of {c}"))
                .unwrap_or_default();
            println!(
                "Dashboard{of} ({}, {})",
                d.time_zone,
                now.format("%Y-%m-%d %H:%M UTC")
            );
            println!("{t}");
            if !d.recent_activity.is_empty() {
                println!("\nRecent activity:");
                let mut a = Table::new();
                a.load_preset(presets::NOTHING);
                a.set_header(vec!["WHEN", "WHO", "ACTION", "WHAT"]);
                for e in &d.recent_activity {
                    a.add_row(vec![
                        e.at.with_timezone(&tz).format("%m-%d %H:%M").to_string(),
                        e.operator.clone(),
                        e.action.clone(),
                        match e.entity_id {
                            Some(id) => format!("{} {id}", e.entity_type),
                            None => e.entity_type.clone(),
                        },
                    ]);
                }
                println!("{a}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_flag_then_the_file_name() {
        assert_eq!(pick_format(None, None).unwrap(), Format::Markdown);
        assert_eq!(
            pick_format(None, Some(Path::new("grove.html"))).unwrap(),
            Format::Html
        );
        assert_eq!(
            pick_format(Some(Format::Json), Some(Path::new("grove.html"))).unwrap(),
            Format::Json
        );
        assert_eq!(
            pick_format(None, Some(Path::new("grove"))).unwrap(),
            Format::Markdown
        );
        let e = pick_format(None, Some(Path::new("grove.pdf"))).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot write a .pdf report: the formats are md, html, csv, json"),
            "{e}"
        );
        assert!(parse_date("23/11/2026").unwrap_err().contains("YYYY-MM-DD"));
    }
}
