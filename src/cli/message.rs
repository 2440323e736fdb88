//! `secret-shop message ...`: one message, in or out.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Subcommand;

use super::Ctx;
use super::output::print_json;
use crate::domain::ids::{MessageId, ShopId};
use crate::services::{inbox, views};

#[derive(Debug, Subcommand)]
pub enum MessageCmd {
    /// Headers and text of a message; `--raw` writes the stored source as received.
    Show {
        id: MessageId,
        #[arg(long, conflicts_with = "json")]
        raw: bool,
        #[arg(long)]
        json: bool,
    },
    /// Assign an unmatched message to a shop (it is then read as the agent's reply).
    Assign { message: MessageId, shop: ShopId },
}

pub async fn run(ctx: &Ctx, cmd: MessageCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        MessageCmd::Show { id, raw, json } => {
            let m = views::message_row(&store, None, id).await?;
            if raw {
                let Some(bytes) = views::message_source(&store, None, id).await? else {
                    anyhow::bail!("message {id} has no stored source (it is one of ours)");
                };
                std::io::stdout().write_all(&bytes)?;
            } else if json {
                print_json(&m)?;
            } else {
                let when = m.received_at.or(m.sent_at).unwrap_or(m.created_at);
                println!(
                    "Message {} ({} {}), shop {}\nFrom: {} <{}>\nTo: {}\nDate: {}\nSubject: {}\n",
                    m.id,
                    m.direction,
                    m.kind,
                    m.shop_id
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    m.from_name,
                    m.from_addr,
                    m.to_addrs.join(", "),
                    when.format("%Y-%m-%d %H:%M UTC"),
                    m.subject
                );
                if let Some(e) = &m.parse_error {
                    println!("(could not be parsed: {e}; `--raw` shows the source)\n");
                }
                println!("{}", m.body_text);
            }
        }
        MessageCmd::Assign { message, shop } => {
            let actor = ctx.acting_operator(&store).await?;
            inbox::assign(&store, &actor, message, shop).await?;
            println!("message {message} assigned to shop {shop}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
