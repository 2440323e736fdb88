//! `secret-shop analyze FILE.eml`: how the product reads one message (responder, facts with
//! evidence, signals), and `secret-shop eval DIR`: precision and recall on a labelled set.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::Ctx;
use crate::ai::{Ai, Analysis};
use crate::domain::reply::Reply;
use crate::mail::parse::parse_mail;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The message, as a raw .eml file.
    file: PathBuf,
    /// The persona it was written to ("First Last"), for the used-name signal.
    #[arg(long)]
    persona: Option<String>,
    /// Use the offline rules even when an AI is configured.
    #[arg(long)]
    offline: bool,
    /// Print JSON (the default output is JSON too, pretty-printed; kept for scripts).
    #[arg(long)]
    json: bool,
}

/// The analysis as the documented JSON shape.
pub fn analysis_json(a: &Analysis) -> Value {
    let mut facts = serde_json::Map::new();
    for (name, v) in &a.extraction.fields {
        facts.insert(
            name.clone(),
            v.as_ref()
                .map(|e| json!({ "value": e.value, "evidence": e.evidence }))
                .unwrap_or(Value::Null),
        );
    }
    facts.insert(
        "floor_plans".into(),
        a.extraction
            .floor_plans
            .iter()
            .map(|p| {
                json!({
                    "name": p.name, "beds": p.beds, "baths": p.baths, "sqft": p.sqft,
                    "min_rental_price": p.min_rental_price, "max_rental_price": p.max_rental_price,
                    "security_deposit": p.security_deposit, "evidence": p.evidence,
                })
            })
            .collect(),
    );
    facts.insert(
        "community_amenities".into(),
        serde_json::to_value(&a.extraction.community_amenities).unwrap_or_default(),
    );
    json!({
        "responder": a.responder,
        "facts": facts,
        "signals": {
            "used_name": a.signals.used_name,
            "asked_for_appointment": a.signals.asked_for_appointment,
            "qualifying_questions": a.signals.qualifying_questions,
            "has_signature": a.signals.has_signature,
            "has_contact_details": a.signals.has_contact_details,
            "fair_housing_flags": a.signals.fair_housing_flags,
            "instructions_to_ai": a.signals.instructions_to_ai,
        },
        "generation": a.generation,
    })
}

pub async fn analyze(ctx: &Ctx, args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let raw = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mail = parse_mail(&raw);
    let ai = if args.offline {
        Ai::offline()
    } else {
        Ai::from_config(&ctx.config.ai)
    };
    let first = args
        .persona
        .as_deref()
        .and_then(|p| p.split_whitespace().next());
    let a = ai.analyze(&Reply::from(&mail), first).await;
    let _ = args.json;
    println!("{}", serde_json::to_string_pretty(&analysis_json(&a))?);
    Ok(ExitCode::SUCCESS)
}

/// `secret-shop eval DIR`: every NAME.eml with its NAME.json label, read as the product reads
/// mail (the configured AI, or `--offline`), scored per field.
pub async fn eval(ctx: &Ctx, dir: PathBuf, offline: bool) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(dir.is_dir(), "{} is not a directory", dir.display());
    let ai = if offline {
        Ai::offline()
    } else {
        Ai::from_config(&ctx.config.ai)
    };
    let handle = tokio::runtime::Handle::current();
    let report = tokio::task::block_in_place(|| {
        crate::ai::eval::evaluate_dir(&dir, |reply, persona| {
            let a = handle.block_on(ai.analyze(reply, persona));
            (a.responder, a.extraction, a.signals)
        })
    });
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
