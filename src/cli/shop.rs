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
use crate::domain::overrides::{Decisions, OverrideKind};
use crate::domain::rubric::Grade;
use crate::report::format::display_value;
use crate::services::grading::grade_shop;
use crate::services::shops::{cancel, start_shop};
use crate::services::views;
use crate::store::FactRow;

#[derive(Debug, Subcommand)]
pub enum ShopCmd {
    /// Start a shop: the inquiry is drafted into the review queue.
    Start {
        #[arg(long)]
        target: TargetId,
        #[arg(long)]
        persona: PersonaId,
        /// Checklist: fields of the community schema, comma-separated (e.g.
        /// application_fee,pet_policy,floor_plans); default: application and administration
        /// fees, pet policy, floor plans, availability.
        #[arg(long, value_delimiter = ',')]
        require: Vec<String>,
        /// Use the persona even if it already shopped this target or manager.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    List {
        /// Only the shops of this client's targets (its name or id).
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
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
            let actor = ctx.acting_operator(&store).await?;
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
        ShopCmd::List { client, json } => {
            let client = match client {
                Some(c) => Some(crate::services::clients::client_id(&store, &c).await?),
                None => None,
            };
            let shops = views::shops_of_client(&store, None, client).await?;
            if json {
                print_json(&shops)?;
            } else {
                // Names, not ids: the target and the persona as the shops pane shows them.
                let named: std::collections::HashMap<_, _> =
                    views::shop_list(&store, None, i64::from(u32::MAX), 0)
                        .await?
                        .into_iter()
                        .map(|r| (r.id, (r.target_name, r.persona_name)))
                        .collect();
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(vec!["ID", "TARGET", "PERSONA", "STATUS", "UPDATED"]);
                for s in shops {
                    let (target, persona) = named
                        .get(&s.id)
                        .cloned()
                        .unwrap_or_else(|| (s.target_id.to_string(), s.persona_id.to_string()));
                    t.add_row(vec![
                        s.id.to_string(),
                        format!("{target} (#{})", s.target_id),
                        persona,
                        s.status.to_string(),
                        s.updated_at.format("%Y-%m-%d %H:%M").to_string(),
                    ]);
                }
                println!("{t}");
            }
        }
        ShopCmd::Show { id, json } => {
            let shop = views::shop_record(&store, None, id).await?;
            let thread = views::thread(&store, None, id).await?;
            let facts = views::facts(&store, None, id).await?;
            let grade = views::grade(&store, None, id).await?;
            if json {
                let overrides = views::shop_decisions(&store, None, id).await?.overrides;
                print_json(&json!({
                    "shop": shop, "messages": thread, "facts": facts, "overrides": overrides,
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
                let decisions = views::shop_decisions(&store, None, id).await?;
                for line in fact_lines(&facts, &decisions) {
                    println!("  {line}");
                }
                if let Some((g, _)) = grade {
                    println!("  grade {} / {}", g.total, g.max_total);
                    print_adjusted(&g);
                    if !g.fair_housing_flags.is_empty() {
                        super::overrides::print_flags(&g);
                    }
                    print_review(&g);
                }
            }
        }
        ShopCmd::Cancel { id, reason } => {
            let actor = ctx.acting_operator(&store).await?;
            cancel(&store, &actor, id, &reason).await?;
            println!("cancelled shop {id}");
        }
        ShopCmd::Grade { id, json } => {
            let actor = ctx.acting_operator(&store).await?;
            let window = crate::engine::send_window(&ctx.config);
            let (_, grade) = grade_shop(
                &store,
                &ai,
                id,
                &window,
                ctx.config.send_window.time_zone,
                &actor.name,
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
                print_adjusted(&grade);
                if !grade.fair_housing_flags.is_empty() {
                    super::overrides::print_flags(&grade);
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

/// Criteria an operator scored, with the machine's score beside.
fn print_adjusted(g: &Grade) {
    for c in &g.criteria {
        if let Some(a) = &c.adjusted {
            println!(
                "  {} {} / {} adjusted by {}: {} (machine: {})",
                c.name, c.score, c.max, a.by, a.reason, a.machine_score
            );
        }
    }
}

/// The current fact sheet, one line a field: the value shown (an operator's, marked adjusted
/// with the machine's beside it), its evidence, and a conflict when the agent said something
/// else earlier.
pub fn fact_lines(facts: &[FactRow], decisions: &Decisions) -> Vec<String> {
    let mut out = Vec::new();
    let mut paths: Vec<&str> = facts
        .iter()
        .filter(|f| f.superseded_by.is_none())
        .map(|f| f.field_path.as_str())
        .collect();
    for o in decisions
        .overrides
        .iter()
        .filter(|o| o.kind == OverrideKind::Fact)
    {
        if !paths.contains(&o.key.as_str()) {
            paths.push(&o.key);
        }
    }
    for path in paths {
        let current = facts
            .iter()
            .find(|f| f.field_path == path && f.superseded_by.is_none());
        let machine = current.map(|f| display_value(path, &f.value));
        let mut line = match (decisions.fact(path), &machine) {
            (Some(o), m) => format!(
                "{path:<36} {:<24} adjusted by {}: {} (machine: {})",
                display_value(path, &o.value),
                o.operator,
                o.reason,
                m.as_deref().unwrap_or("nothing")
            ),
            (None, Some(m)) => format!(
                "{path:<36} {m:<24} \"{}\"",
                current
                    .map(|f| f.evidence.chars().take(60).collect::<String>())
                    .unwrap_or_default()
            ),
            (None, None) => continue,
        };
        let earlier: Vec<String> = facts
            .iter()
            .filter(|f| f.field_path == path && f.superseded_by.is_some())
            .map(|f| match f.source_message_id {
                Some(m) => format!("{} (message #{m})", display_value(path, &f.value)),
                None => display_value(path, &f.value),
            })
            .collect();
        if current.is_some_and(|f| f.conflict) && !earlier.is_empty() {
            line.push_str(&format!(
                "  CONFLICT: the agent also said {}",
                earlier.join(", ")
            ));
        }
        out.push(line);
    }
    out
}
