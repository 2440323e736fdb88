//! `secret-shop grade ...` and `secret-shop fact ...`: operators correct the machine, on the
//! record (flag verdicts, criterion scores, fact values).

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::Ctx;
use super::output::print_json;
use crate::domain::ids::ShopId;
use crate::domain::overrides::Verdict;
use crate::domain::rubric::Grade;
use crate::services::overrides::{decide_flag, set_criterion, set_fact};
use crate::store::Regraded;

#[derive(Debug, Subcommand)]
pub enum GradeCmd {
    /// A grade's fair-housing flags, numbered, with the operators' verdicts.
    Flags {
        shop: ShopId,
        #[arg(long)]
        json: bool,
    },
    /// Confirm or clear a fair-housing flag.
    #[command(subcommand)]
    Flag(FlagCmd),
    /// Set a criterion's score (the machine's is kept beside it; re-grading keeps yours).
    Set {
        shop: ShopId,
        /// responsiveness, completeness, follow_through or professionalism.
        criterion: String,
        score: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FlagCmd {
    /// The statement is a violation: the grade's cap stays.
    Confirm {
        shop: ShopId,
        /// The flag's number (see `grade flags SHOP`).
        n: usize,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The statement is not a violation: the shop is graded without the flag's cap.
    Clear {
        shop: ShopId,
        n: usize,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FactCmd {
    /// Set a fact of the shop's sheet (the machine's value is kept beside it, and reading the
    /// replies again never overwrites yours).
    Set {
        shop: ShopId,
        /// A fact such as application_fee or pet_policy.
        field: String,
        /// Dollars for a fee (`45`, `$1,725`, `none`), text otherwise.
        value: String,
        #[arg(long)]
        reason: String,
    },
}

pub async fn grade(ctx: &Ctx, cmd: GradeCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    match cmd {
        GradeCmd::Flags { shop, json } => {
            let Some((g, _)) = crate::services::views::grade(&store, None, shop).await? else {
                anyhow::bail!("shop {shop} has no grade yet: grade it first (shop grade {shop})");
            };
            if json {
                print_json(&json!({
                    "flags": g.fair_housing_flags, "decisions": g.flag_decisions,
                    "total": g.total, "needs_review": g.needs_review,
                }))?;
            } else if g.fair_housing_flags.is_empty() {
                println!("shop {shop}: no fair-housing flags");
            } else {
                print_flags(&g);
            }
        }
        GradeCmd::Flag(cmd) => {
            let actor = ctx.acting_operator(&store).await?;
            let (shop, n, verdict, reason) = match cmd {
                FlagCmd::Confirm { shop, n, reason } => (shop, n, Verdict::Confirmed, reason),
                FlagCmd::Clear { shop, n, reason } => (shop, n, Verdict::Cleared, reason),
            };
            let r = decide_flag(&store, &actor, shop, n, verdict, &reason).await?;
            println!("shop {shop}: flag {n} {verdict}");
            print_regraded(&r);
        }
        GradeCmd::Set {
            shop,
            criterion,
            score,
            reason,
        } => {
            let actor = ctx.acting_operator(&store).await?;
            let r = set_criterion(&store, &actor, shop, &criterion, &score, &reason).await?;
            println!("shop {shop}: {criterion} set to {score}");
            print_regraded(&r);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn fact(ctx: &Ctx, cmd: FactCmd) -> anyhow::Result<ExitCode> {
    let store = ctx.store().await?;
    let actor = ctx.acting_operator(&store).await?;
    match cmd {
        FactCmd::Set {
            shop,
            field,
            value,
            reason,
        } => {
            let before = set_fact(&store, &actor, shop, &field, &value, &reason).await?;
            println!(
                "shop {shop}: {field} set to {value} by {} (was {})",
                actor.name,
                before.as_deref().unwrap_or("not known")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The grade's flags, numbered, each with its verdict (or that it awaits one).
pub fn print_flags(g: &Grade) {
    println!("  fair-housing flags:");
    for (i, f) in g.fair_housing_flags.iter().enumerate() {
        let verdict = match g.flag_decisions.iter().find(|d| d.quote == f.quote) {
            Some(d) if d.reason.is_empty() => format!("{} by {}", d.verdict, d.operator),
            Some(d) => format!("{} by {}: {}", d.verdict, d.operator, d.reason),
            None => "awaiting an operator (grade flag confirm|clear)".into(),
        };
        println!(
            "    {}. \u{201c}{}\u{201d} ({}) — {verdict}",
            i + 1,
            f.quote,
            f.reason
        );
    }
}

fn print_regraded(r: &Regraded) {
    println!(
        "  grade {} → {} / {}{}",
        r.before.total,
        r.after.total,
        r.after.max_total,
        if r.after.needs_review {
            " (still needs review)"
        } else {
            ""
        }
    );
}
