//! `secret-shop inbox`: inbound mail as stored, newest first.

use std::process::ExitCode;

use clap::Subcommand;
use comfy_table::{Table, presets};

use super::Ctx;
use super::output::print_json;
use crate::domain::ids::{MessageId, ShopId};
use crate::services::{inbox, views};

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
    /// Assign an unmatched message to a shop (it is then read as the agent's reply).
    Assign { message: MessageId, shop: ShopId },
}

pub async fn run(ctx: &Ctx, cmd: InboxCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let (unmatched, limit, json) = match cmd {
        InboxCmd::List {
            unmatched,
            limit,
            json,
        } => (unmatched, limit, json),
        InboxCmd::Assign { message, shop } => {
            let actor = ctx.acting_operator(&store).await?;
            inbox::assign(&store, &actor, message, shop).await?;
            println!("message {message} assigned to shop {shop}");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let rows = views::inbound(&store, None, unmatched, limit).await?;
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
