//! `secret-shop inbox`: inbound mail as stored, newest first.

use std::process::ExitCode;

use clap::Subcommand;
use comfy_table::{Table, presets};

use super::Ctx;
use super::output::print_json;

#[derive(Debug, Subcommand)]
pub enum InboxCmd {
    /// List inbound messages.
    List {
        /// Only messages no shop could be matched to.
        #[arg(long)]
        unmatched: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(ctx: &Ctx, cmd: InboxCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let InboxCmd::List {
        unmatched,
        limit,
        json,
    } = cmd;
    let rows = store.inbox(unmatched, limit).await?;
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        println!("  (no inbound mail yet; `secret-shop worker` syncs it)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header(vec!["ID", "RECEIVED", "SHOP", "FROM", "SUBJECT", "FLAGS"]);
    for m in rows {
        let mut flags = Vec::new();
        if m.is_bounce {
            flags.push("bounce");
        }
        if m.is_auto_reply {
            flags.push("auto");
        }
        if m.parse_error.is_some() {
            flags.push("malformed");
        }
        let subject: String = m.subject.chars().take(60).collect();
        t.add_row(vec![
            m.id.to_string(),
            m.received_at
                .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            m.shop_id
                .map(|s| s.to_string())
                .unwrap_or_else(|| "unmatched".into()),
            m.from_addr,
            subject,
            flags.join(","),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}
