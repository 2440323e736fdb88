//! `secret-shop draft ...`: the review queue from the command line. Every change is conditional
//! on the version read and refused while another operator holds the draft.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use comfy_table::{Table, presets};

use super::Ctx;
use super::output::print_json;
use crate::ai::Ai;
use crate::domain::diff::{counts, marked, word_diff};
use crate::domain::ids::{MessageId, ShopId};
use crate::services::editor::{from_editor_text, run_editor, to_editor_text};
use crate::services::shops::{approve, draft_next, recall, reject, retry_send};
use crate::services::{review, views};

#[derive(Debug, Subcommand)]
pub enum DraftCmd {
    /// Drafts awaiting review, oldest first (with who holds each).
    List {
        #[arg(long)]
        json: bool,
    },
    /// The draft as it is now, or one of its earlier versions (`--version N`, see `history`).
    Show {
        id: MessageId,
        /// A version of the text (1 = the first draft).
        #[arg(long = "version", value_name = "N")]
        text_version: Option<i32>,
        /// With --version: the words added {+like this+} and removed [-like this-] against the
        /// version before it.
        #[arg(long, requires = "text_version")]
        diff: bool,
        #[arg(long)]
        json: bool,
    },
    /// Every version of the draft's text: who made it, when, how (ai, offline, edit, restore,
    /// recall), the instructions of a regeneration, and the words changed.
    History {
        id: MessageId,
        #[arg(long)]
        json: bool,
    },
    /// Bring version N's text back as the draft's (kept as a new version; nothing is lost).
    Restore {
        id: MessageId,
        number: i32,
        /// Refuse if the draft changed since you read this version.
        #[arg(long)]
        version: Option<i32>,
    },
    /// Edit the draft in $VISUAL / $EDITOR (first line `Subject: ...`, a blank line, the body).
    Edit { id: MessageId },
    /// Draft it again, optionally following instructions ("shorter, mention the dog").
    Regenerate {
        id: MessageId,
        #[arg(long, short)]
        instructions: Option<String>,
        /// Refuse if the draft changed since you read this version.
        #[arg(long)]
        version: Option<i32>,
    },
    /// Hold the draft for review for a few minutes; others see it is yours.
    Claim { id: MessageId },
    /// Let go of a draft you hold.
    Release { id: MessageId },
    /// Approve a draft: the outbox sends it in the send window.
    Approve {
        id: MessageId,
        /// Refuse if the draft changed since you read this version.
        #[arg(long)]
        version: Option<i32>,
    },
    /// Reject a draft with a reason; it is never sent.
    Reject {
        id: MessageId,
        #[arg(long)]
        reason: String,
    },
    /// Take an approved message back into the review queue (yours to edit), until the outbox
    /// takes it: within `review.undo_seconds` of the approval, or later while it waits for the
    /// send window.
    Recall { id: MessageId },
    /// Draft the shop's next message now, into the review queue: a follow-up for what is still
    /// missing, or a nudge. After a rejection the planner drafts nothing more on its own until
    /// the agent replies; this asks for one (it heeds the rejection reasons).
    New { shop: ShopId },
    /// Send a failed message again (after fixing what the server refused): back in the outbox
    /// with fresh attempts.
    Retry { id: MessageId },
}

pub async fn run(ctx: &Ctx, cmd: DraftCmd) -> anyhow::Result<ExitCode> {
    // A draft is a message to the store: a missing one is named as the draft it was asked as.
    draft_command(ctx, cmd)
        .await
        .map_err(|e| match e.downcast_ref::<crate::store::StoreError>() {
            Some(crate::store::StoreError::NotFound {
                entity: "message",
                id,
            }) => anyhow::anyhow!("draft {id} not found"),
            _ => e,
        })
}

async fn draft_command(ctx: &Ctx, cmd: DraftCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        DraftCmd::List { json } => {
            let drafts = views::review_queue(&store, None).await?;
            if json {
                print_json(&drafts)?;
            } else if drafts.is_empty() {
                println!("  (nothing awaits review)");
            } else {
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(vec!["ID", "SHOP", "KIND", "VER", "HELD BY", "SUBJECT"]);
                for d in drafts {
                    t.add_row(vec![
                        d.id.to_string(),
                        d.shop_id.map(|s| s.to_string()).unwrap_or_default(),
                        d.kind.to_string(),
                        d.version.to_string(),
                        d.claimed_by_name.clone().unwrap_or_default(),
                        d.subject.clone(),
                    ]);
                }
                println!("{t}");
            }
        }
        DraftCmd::Show {
            id,
            text_version: Some(n),
            diff,
            json,
        } => show_version(&store, id, n, diff, json).await?,
        DraftCmd::History { id, json } => history(&store, id, json).await?,
        DraftCmd::Restore {
            id,
            number,
            version,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let d = review::restore(&store, &actor, id, number, version).await?;
            println!(
                "restored version {number} of draft {id} as its latest version (v{})",
                d.version
            );
        }
        DraftCmd::Show { id, json, .. } => {
            let d = views::message_row(&store, None, id).await?;
            if json {
                print_json(&d)?;
            } else {
                if let (Some(by), Some(until)) = (&d.claimed_by_name, d.claimed_until) {
                    println!("(held by {by} until {})", until.format("%H:%M UTC"));
                }
                println!(
                    "Draft {} v{} ({}, {})\nTo: {}\nSubject: {}\n\n{}",
                    d.id,
                    d.version,
                    d.kind,
                    d.status.map(|s| s.to_string()).unwrap_or_default(),
                    d.to_addrs.join(", "),
                    d.subject,
                    d.body_text
                );
            }
        }
        DraftCmd::Edit { id } => {
            let actor = ctx.acting_operator(&store).await?;
            let d = review::open(&store, &actor, id).await?;
            let result = edit_in_editor(&store, &actor, &d).await;
            if !matches!(result, Ok(true)) {
                // Nothing changed (or it failed): let others have it at once.
                review::close(&store, &actor, id).await?;
            }
            if result? {
                println!("saved draft {id}");
            } else {
                println!("no change to draft {id}");
            }
        }
        DraftCmd::Regenerate {
            id,
            instructions,
            version,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let ai = Ai::from_config(&ctx.config.ai);
            let d = review::regenerate(&store, &ai, &actor, id, version, instructions.as_deref())
                .await?;
            println!(
                "Draft {} v{}\nSubject: {}\n\n{}",
                d.id, d.version, d.subject, d.body_text
            );
        }
        DraftCmd::Claim { id } => {
            let actor = ctx.acting_operator(&store).await?;
            let d = review::open(&store, &actor, id).await?;
            let until = d.claimed_until.map(|u| u.format("%H:%M UTC").to_string());
            println!(
                "draft {id} is yours until {}",
                until.unwrap_or_else(|| "?".into())
            );
        }
        DraftCmd::Release { id } => {
            let actor = ctx.acting_operator(&store).await?;
            review::close(&store, &actor, id).await?;
            println!("released draft {id}");
        }
        DraftCmd::Approve { id, version } => {
            let actor = ctx.acting_operator(&store).await?;
            let undo = ctx.config.review.undo_seconds;
            approve(&store, &actor, id, version, undo).await?;
            if undo > 0 {
                println!(
                    "approved draft {id}; it can be recalled for {undo} s \
                     (`secret-shop draft recall {id}`), then the outbox sends it in the send window"
                );
            } else {
                println!("approved draft {id}; the outbox sends it in the send window");
            }
        }
        DraftCmd::Reject { id, reason } => {
            let actor = ctx.acting_operator(&store).await?;
            reject(&store, &actor, id, &reason).await?;
            println!("rejected draft {id}");
        }
        DraftCmd::Recall { id } => {
            let actor = ctx.acting_operator(&store).await?;
            recall(&store, &actor, id).await?;
            println!("recalled message {id}: it is a draft again, held by you (`draft show {id}`)");
        }
        DraftCmd::New { shop } => {
            let actor = ctx.acting_operator(&store).await?;
            let ai = Ai::from_config(&ctx.config.ai);
            let d = draft_next(&store, &ai, &actor, shop).await?;
            println!(
                "drafted {} #{} for shop {shop}: review it with `secret-shop draft show {}`",
                d.kind.as_str().replace('_', "-"),
                d.id,
                d.id
            );
        }
        DraftCmd::Retry { id } => {
            let actor = ctx.acting_operator(&store).await?;
            retry_send(&store, &actor, id).await?;
            println!("message {id} is back in the outbox");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the editor on the draft; true when a changed text was saved.
async fn show_version(
    store: &crate::store::Store,
    id: MessageId,
    n: i32,
    diff: bool,
    json: bool,
) -> anyhow::Result<()> {
    let v = views::version(store, None, id, n).await?;
    let before = if n > 1 && diff {
        Some(views::version(store, None, id, n - 1).await?)
    } else {
        None
    };
    if json {
        let mut out = serde_json::to_value(&v)?;
        if let Some(b) = &before {
            out["diff"] = serde_json::to_value(word_diff(&b.body_text, &v.body_text))?;
        }
        return print_json(&out);
    }
    println!(
        "Draft {id} version {n} ({}, by {}, {})",
        v.how,
        v.author,
        v.created_at.format("%Y-%m-%d %H:%M UTC")
    );
    if let Some(i) = &v.instructions {
        println!("Instructions: {i}");
    }
    if let Some(from) = v.restored_from {
        println!("Restored from version {from}");
    }
    println!("Subject: {}\n", v.subject);
    match &before {
        Some(b) => println!("{}", marked(&word_diff(&b.body_text, &v.body_text))),
        None if diff => println!(
            "(version 1 is the first text: nothing to compare)\n\n{}",
            v.body_text
        ),
        None => println!("{}", v.body_text),
    }
    Ok(())
}

async fn history(store: &crate::store::Store, id: MessageId, json: bool) -> anyhow::Result<()> {
    let versions = views::versions(store, None, id).await?;
    if json {
        return print_json(&versions);
    }
    if versions.is_empty() {
        println!("  (message {id} has no draft versions)");
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header(["N", "when (UTC)", "who", "how", "words", "why"]);
    let mut previous: Option<&crate::store::DraftVersion> = None;
    for v in &versions {
        let words = match previous {
            Some(p) => {
                let (added, removed) = counts(&word_diff(&p.body_text, &v.body_text));
                format!("+{added} -{removed}")
            }
            None => format!("{}", v.body_text.split_whitespace().count()),
        };
        let why = match (&v.instructions, v.restored_from) {
            (Some(i), _) => format!("\u{201c}{i}\u{201d}"),
            (None, Some(n)) => format!("restored version {n}"),
            _ => String::new(),
        };
        t.add_row([
            v.number.to_string(),
            v.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            v.author.clone(),
            v.how.to_string(),
            words,
            why,
        ]);
        previous = Some(v);
    }
    println!("{t}");
    Ok(())
}

async fn edit_in_editor(
    store: &crate::store::Store,
    actor: &crate::store::Actor,
    d: &crate::store::MessageRow,
) -> anyhow::Result<bool> {
    let dir = tempfile::tempdir().context("a temp dir for the editor")?;
    let path = dir.path().join(format!("draft-{}.txt", d.id));
    let before = to_editor_text(&d.subject, &d.body_text);
    std::fs::write(&path, &before).context("writing the draft for the editor")?;
    let p = path.clone();
    tokio::task::spawn_blocking(move || run_editor(&p)).await??;
    let after = std::fs::read_to_string(&path).context("reading the edited draft")?;
    let (subject, body) = from_editor_text(&after)?;
    if subject == d.subject && body == d.body_text.trim_end() {
        return Ok(false);
    }
    review::edit(store, actor, d.id, d.version, &subject, &body).await?;
    Ok(true)
}
