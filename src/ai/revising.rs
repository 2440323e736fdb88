//! Regenerating a draft from its current text and an operator's instructions: the model is
//! given the text (edits included) to revise; offline, the rules of `domain::revise` follow the
//! instructions or refuse before anything is replaced.

use std::collections::HashSet;

use super::client::{AiError, OpenAiClient, Want};
use super::drafting::{
    DraftRequest, DraftText, Generation, ask_phrase, context, round2, usable_body,
};
use super::prompts::{render, version};
use crate::domain::revise::{self, Material, Refusal, Topic};

/// Checklist items a "mention …" can ask for by name.
const CHECKLIST: &[&str] = &[
    "application_fee",
    "administration_fee",
    "security_deposit",
    "pet_policy",
    "pet_deposit",
    "pet_rent",
    "floor_plans",
    "specials",
    "lease_terms",
    "availability",
    "parking",
    "utilities",
    "community_amenities",
];

/// Words that name no topic of their own in a persona's phrases.
const COMMON: &[&str] = &[
    "a", "an", "the", "and", "my", "our", "one", "two", "about", "or",
];

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| w.len() > 1 && !COMMON.contains(&w.to_lowercase().as_str()))
        .map(str::to_lowercase)
        .collect()
}

/// What offline revision may add for this persona and checklist.
pub fn material(req: &DraftRequest<'_>) -> Material {
    let p = req.persona;
    let mut persona = Vec::new();
    let real = |s: &str| !s.trim().is_empty() && s.trim() != "none";
    if real(&p.pets) {
        let mut words = words_of(&p.pets);
        words.extend(["pet".to_string(), "pets".to_string()]);
        persona.push(Topic {
            words,
            sentence: format!("I have {}.", p.pets.trim()),
        });
    }
    if let Some(d) = p.move_in_date {
        persona.push(Topic {
            words: vec!["move".into(), "move-in".into(), "moving".into()],
            sentence: format!("I'm hoping to move in around {}.", d.format("%B %-d")),
        });
    }
    if real(&p.additional_occupants) {
        let mut words = words_of(&p.additional_occupants);
        words.extend(["occupant".to_string(), "household".to_string()]);
        persona.push(Topic {
            words,
            sentence: format!("It would be me and {}.", p.additional_occupants.trim()),
        });
    }
    if p.rental_budget > 0 {
        persona.push(Topic {
            words: vec!["budget".into(), "afford".into()],
            sentence: format!("My budget is about ${} a month.", p.rental_budget),
        });
    }
    if real(&p.preferences) {
        let mut words = words_of(&p.preferences);
        words.push("preference".into());
        persona.push(Topic {
            words,
            sentence: format!("I'd love a place with {}.", p.preferences.trim()),
        });
    }
    let mut seen = HashSet::new();
    let checklist = CHECKLIST
        .iter()
        .chain(
            req.missing
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .iter(),
        )
        .filter(|f| seen.insert(**f))
        .map(|f| Topic {
            words: f.split('_').map(str::to_string).collect(),
            sentence: format!("Could you also tell me {}?", ask_phrase(f)),
        })
        .collect();
    Material { persona, checklist }
}

/// Offline: follows the instructions on `current` or refuses; the subject stays.
pub fn offline_revise(
    req: &DraftRequest<'_>,
    subject: &str,
    current: &str,
    instructions: &str,
    fallback_reason: Option<String>,
) -> Result<DraftText, Refusal> {
    let parsed = revise::parse(instructions)?;
    let body = revise::revise(current, &parsed, &material(req))?;
    Ok(DraftText {
        subject: subject.to_string(),
        body,
        generation: Generation {
            model: "offline".into(),
            prompt_version: "revise@1".into(),
            temperature: 0.0,
            instructions: Some(instructions.to_string()),
            fallback_reason,
        },
    })
}

/// The model revises `current` by the instructions (or rewords it, keeping what it says).
pub async fn ai_revise(
    client: &OpenAiClient,
    req: &DraftRequest<'_>,
    subject: &str,
    current: &str,
) -> Result<DraftText, AiError> {
    let mut ctx = context(req);
    ctx["current"] = serde_json::json!(current);
    let system = render("system_draft", &ctx);
    let user = render("revise", &ctx);
    let body = client.complete(&system, &user, Want::Text, 500).await?;
    let body = usable_body(&body, req)?;
    Ok(DraftText {
        subject: subject.to_string(),
        body,
        generation: Generation {
            model: client.model.clone(),
            prompt_version: format!("{}+{}", version("system_draft"), version("revise")),
            temperature: round2(client.temperature),
            instructions: req.instructions.map(str::to_string),
            fallback_reason: None,
        },
    })
}
