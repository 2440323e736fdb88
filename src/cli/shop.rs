//! `secret-shop shop ...`: starting, following, cancelling and grading shops.

use std::process::ExitCode;

use clap::Subcommand;
use comfy_table::{Table, presets};
use serde_json::json;

use super::Ctx;
use super::output::print_json;
use crate::ai::Ai;
use crate::domain::ids::{PersonaId, ShopId, TargetId};
use crate::domain::outbox::why_not_sent;
use crate::domain::rubric::Grade;
use crate::services::grading::grade_shop;
use crate::services::shops::start_shop;

#[derive(Debug, Subcommand)]
pub enum ShopCmd {
    /// Start a shop: the inquiry is drafted into the review queue.
    Start {
        #[arg(long)]
        target: TargetId,
        #[arg(long)]
        persona: PersonaId,
        /// Checklist fields (comma-separated); default: fees, pet policy, floor plans, availability.
        #[arg(long, value_delimiter = ',')]
        require: Vec<String>,
        /// Use the persona even if it already shopped this target or manager.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// A shop with its thread, facts and grade.
    Show {
        id: ShopId,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a shop: nothing more of it is sent.
    Cancel {
        id: ShopId,
        #[arg(long, default_value = "cancelled by an operator")]
        reason: String,
    },
    /// Grade (or re-grade) a shop now.
    Grade {
        id: ShopId,
        #[arg(long)]
        json: bool,
    },
}

pub async fn shop(ctx: &Ctx, cmd: ShopCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let ai = Ai::from_config(&ctx.config.ai);
    match cmd {
        ShopCmd::Start {
            target,
            persona,
            require,
            force,
            json,
        } => {
            let actor = ctx.actor(&store).await?;
            let window = ctx.config.follow_up.persona_reuse_window_days;
            let (shop, draft) = start_shop(
                &store, &ai, &actor, target, persona, &require, force, window,
            )
            .await?;
            if json {
                print_json(&json!({ "shop": shop, "draft": draft }))?;
            } else {
                println!(
                    "started shop {} ({}); inquiry draft {} awaits review",
                    shop.id, shop.status, draft.id
                );
            }
        }
        ShopCmd::List { json } => {
            let shops = store.list_shops().await?;
            if json {
                print_json(&shops)?;
            } else {
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(vec!["ID", "TARGET", "PERSONA", "STATUS", "UPDATED"]);
                for s in shops {
                    t.add_row(vec![
                        s.id.to_string(),
                        s.target_id.to_string(),
                        s.persona_id.to_string(),
                        s.status.to_string(),
                        s.updated_at.format("%Y-%m-%d %H:%M").to_string(),
                    ]);
                }
                println!("{t}");
            }
        }
        ShopCmd::Show { id, json } => {
            let shop = store.shop(id).await?;
            let thread = store.shop_messages(id).await?;
            let facts = store.shop_facts(id).await?;
            let grade = store.current_grade(id).await?;
            if json {
                print_json(&json!({
                    "shop": shop, "messages": thread, "facts": facts,
                    "grade": grade.as_ref().map(|g| &g.0), "metrics": grade.as_ref().map(|g| &g.1),
                }))?;
            } else {
                println!(
                    "shop {} — {} — checklist: {}",
                    shop.id,
                    shop.status,
                    shop.required_fields.join(", ")
                );
                for m in &thread {
                    let when = m.sent_at.or(m.received_at).unwrap_or(m.created_at);
                    let state = match m.status {
                        Some(s) => why_not_sent(
                            s,
                            m.wait_reason,
                            m.next_attempt_at,
                            m.last_error.as_deref(),
                        ),
                        None => "received".into(),
                    };
                    println!(
                        "  #{:<5} {} {:<8} {:<40} {}",
                        m.id,
                        when.format("%m-%d %H:%M"),
                        m.direction,
                        m.subject,
                        state
                    );
                }
                for f in facts.iter().filter(|f| f.superseded_by.is_none()) {
                    println!(
                        "  {:<36} {:<24} \"{}\"",
                        f.field_path,
                        f.value.to_string(),
                        f.evidence.chars().take(60).collect::<String>()
                    );
                }
                if let Some((g, _)) = grade {
                    println!("  grade {} / {}", g.total, g.max_total);
                    print_review(&g);
                }
            }
        }
        ShopCmd::Cancel { id, reason } => {
            let actor = ctx.actor(&store).await?;
            store.cancel_shop(&actor, id, &reason).await?;
            println!("cancelled shop {id}");
        }
        ShopCmd::Grade { id, json } => {
            let window = crate::engine::send_window(&ctx.config);
            let (_, grade) = grade_shop(
                &store,
                &ai,
                id,
                &window,
                ctx.config.send_window.time_zone,
                &ctx.config.operator.name,
            )
            .await?;
            if json {
                print_json(&grade)?;
            } else {
                println!("shop {id}: {} / {}", grade.total, grade.max_total);
                for c in &grade.criteria {
                    println!(
                        "  {:<28} {:>5} / {:<4} {}",
                        c.name, c.score, c.max, c.reason
                    );
                }
                print_review(&grade);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether an operator must review the grade, and why, one reason a line.
fn print_review(g: &Grade) {
    if !g.needs_review {
        return;
    }
    println!("  needs review:");
    for r in &g.review_reasons {
        println!("    - {r}");
    }
}
