//! Drafting inquiries, follow-ups and nudges: by the AI in the persona's voice, or offline from
//! template variants (chosen per persona and shop, so two personas never send the same words).

use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde_json::json;

use super::client::{AiError, OpenAiClient, Want};
use super::prompts::{render, variants, version};
use crate::domain::message::MessageKind;
use crate::domain::persona::Persona;
use crate::domain::target::Target;

/// One earlier message of the thread, as drafting sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadText {
    pub from: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct DraftRequest<'a> {
    pub persona: &'a Persona,
    pub target: &'a Target,
    pub shop_id: i64,
    pub kind: MessageKind,
    /// Oldest first (follow-ups and nudges).
    pub thread: &'a [ThreadText],
    /// Checklist items still missing (follow-ups ask for up to three).
    pub missing: &'a [String],
    /// The operator's extra instructions, for a regeneration.
    pub instructions: Option<&'a str>,
    /// Subject of the message this answers, if any.
    pub reply_subject: Option<&'a str>,
    /// Bumped on each regeneration so offline variants change too.
    pub attempt: u32,
}

/// How an output was made: recorded with every draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Generation {
    pub model: String,
    pub prompt_version: String,
    /// Rounded to two places (an f32 0.7 would print as 0.699999988).
    pub temperature: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Why the offline fallback ran although an AI is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftText {
    pub subject: String,
    pub body: String,
    pub generation: Generation,
}

/// Human words for checklist items.
pub fn ask_phrase(field: &str) -> &str {
    match field {
        "application_fee" => "the application fee",
        "administration_fee" => "whether there is an admin fee",
        "membership_fee" => "any monthly amenity or resident benefit fee",
        "security_deposit" => "the security deposit",
        "pet_policy" => "your pet policy",
        "pet_deposit" => "the pet deposit",
        "pet_rent" => "the monthly pet rent",
        "floor_plans" => "which floor plans are available and their prices",
        "specials" => "whether you have any move-in specials",
        "lease_terms" => "which lease lengths you offer",
        "availability" => "when the unit would be available",
        "parking" => "the parking options and their cost",
        "utilities" => "which utilities are included",
        "community_amenities" => "the community amenities",
        other => other,
    }
}

fn join_asks(items: &[String]) -> String {
    let phrases: Vec<&str> = items.iter().take(3).map(|f| ask_phrase(f)).collect();
    match phrases.as_slice() {
        [] => "a bit more about the apartment".into(),
        [one] => one.to_string(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

fn beds_words(beds: i32) -> String {
    match beds {
        0 => "studio".into(),
        n => format!("{n}-bedroom"),
    }
}

fn subject(req: &DraftRequest<'_>, pick: usize) -> String {
    if let Some(s) = req.reply_subject {
        return if s.to_lowercase().starts_with("re:") {
            s.to_string()
        } else {
            format!("Re: {s}")
        };
    }
    let beds = beds_words(req.persona.bedrooms);
    let options = [
        format!("{beds} availability"),
        format!("Inquiry about {}", req.target.name),
        format!("Question about renting at {}", req.target.name),
        "Apartment inquiry".to_string(),
    ];
    options[pick % options.len()].clone()
}

fn kind_name(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::FollowUp => "follow_up",
        MessageKind::Nudge => "nudge",
        _ => "inquiry",
    }
}

fn context(req: &DraftRequest<'_>) -> serde_json::Value {
    json!({
        "persona": req.persona,
        "target": req.target,
        "beds_words": beds_words(req.persona.bedrooms),
        "move_in": req.persona.move_in_date
            .map(|d| d.format("%B %-d").to_string())
            .unwrap_or_else(|| "next month".into()),
        "has_pets": !req.persona.pets.is_empty() && req.persona.pets != "none",
        "asks": join_asks(req.missing),
        "missing": req.missing.iter().take(3).map(|f| ask_phrase(f)).collect::<Vec<_>>(),
        "thread": req.thread,
        "instructions": req.instructions,
        "agent_name": serde_json::Value::Null,
    })
}

/// The offline draft: a template variant picked from persona, shop and attempt.
pub fn offline_draft(req: &DraftRequest<'_>, fallback_reason: Option<String>) -> DraftText {
    let kind = kind_name(req.kind);
    let names = variants(kind);
    let mut h = DefaultHasher::new();
    (req.persona.id.0, req.shop_id, kind, req.attempt).hash(&mut h);
    let pick = h.finish() as usize;
    let name = names[pick % names.len()];
    DraftText {
        subject: subject(req, pick / names.len()),
        body: render(name, context(req)),
        generation: Generation {
            model: "offline".into(),
            prompt_version: version(name),
            temperature: 0.0,
            instructions: req.instructions.map(str::to_string),
            fallback_reason,
        },
    }
}

/// The AI draft: the model writes the body in the persona's voice.
pub async fn ai_draft(client: &OpenAiClient, req: &DraftRequest<'_>) -> Result<DraftText, AiError> {
    let kind = kind_name(req.kind);
    let ctx = context(req);
    let system = render("system_draft", &ctx);
    let user = render(kind, &ctx);
    let body = client.complete(&system, &user, Want::Text, 400).await?;
    let body = body.trim().to_string();
    if body.len() < 20 {
        return Err(AiError::Invalid(format!(
            "a {}-character draft",
            body.len()
        )));
    }
    let mut h = DefaultHasher::new();
    (req.persona.id.0, req.shop_id).hash(&mut h);
    Ok(DraftText {
        subject: subject(req, h.finish() as usize),
        body,
        generation: Generation {
            model: client.model.clone(),
            prompt_version: format!("{}+{}", version("system_draft"), version(kind)),
            temperature: round2(client.temperature),
            instructions: req.instructions.map(str::to_string),
            fallback_reason: None,
        },
    })
}

/// Two decimal places, as a configured temperature is written.
pub fn round2(t: f32) -> f64 {
    (t as f64 * 100.0).round() / 100.0
}
