//! Drafting inquiries, follow-ups and nudges: by the AI in the persona's voice, or offline from
//! template variants (chosen per persona and shop, so two personas never send the same words).

use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde_json::json;

use super::client::{AiError, OpenAiClient, Want};
use super::prompts::{render, variants, version};
use crate::domain::message::{MessageKind, RejectedDraft, repeats_rejected};
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
    /// What the agent's last reply said (a follow-up refers to it), e.g. from [`noted_from`].
    pub noted: Option<&'a str>,
    /// The agent's first name, from their signature ([`agent_first_name`]).
    pub agent_name: Option<&'a str>,
    /// Bumped on each regeneration so offline variants change too.
    pub attempt: u32,
    /// Drafts of this shop an operator rejected, with why: the new draft heeds the reasons and
    /// never repeats one of these texts.
    pub rejected: &'a [RejectedDraft],
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

/// A short phrase for something the agent told us, for a follow-up to refer to:
/// "the application fee is $50".
pub fn noted_from(e: &crate::domain::community::Extraction) -> Option<String> {
    use crate::domain::community::{FieldKind, field_kind};
    for field in [
        "application_fee",
        "administration_fee",
        "security_deposit",
        "membership_fee",
    ] {
        if let Some(v) = e.get(field)
            && field_kind(field) == Some(FieldKind::Money)
            && let Some(x) = v.value.as_f64()
        {
            let name = field.replace('_', " ").replace("administration", "admin");
            return Some(if x == 0.0 {
                format!("there is no {name}")
            } else {
                format!("the {name} is ${x:.0}")
            });
        }
    }
    e.floor_plans
        .iter()
        .find_map(|p| Some((p.beds?, p.min_rental_price?)))
        .map(|(beds, price)| format!("the {beds:.0}-bedroom starts at ${price:.0}"))
}

/// The first name under the agent's closing ("Best,\nMaria Lopez" gives Maria).
pub fn agent_first_name(text: &str) -> Option<String> {
    const CLOSINGS: &[&str] = &[
        "best",
        "thanks",
        "thank you",
        "regards",
        "kind regards",
        "best regards",
        "sincerely",
        "cheers",
        "warmly",
        "warm regards",
        "take care",
    ];
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let at = lines.iter().rposition(|l| {
        let l = l.trim_end_matches([',', '!', '.']).to_lowercase();
        CLOSINGS.contains(&l.as_str())
    })?;
    let name_line = lines[at + 1..].iter().find(|l| !l.is_empty())?;
    let first = name_line
        .split_whitespace()
        .next()?
        .trim_matches(|c: char| !c.is_alphabetic());
    let ok = first.len() >= 2
        && first.chars().next().is_some_and(char::is_uppercase)
        && first.chars().all(char::is_alphabetic);
    ok.then(|| first.to_string())
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

pub(super) fn context(req: &DraftRequest<'_>) -> serde_json::Value {
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
        "agent_name": req.agent_name,
        "noted": req.noted,
        "rejected": req.rejected,
    })
}

/// How many further template picks the offline drafter tries to avoid a rejected text.
const AVOID_TRIES: u32 = 16;

/// The offline draft: a template variant picked from persona, shop and attempt, never the text
/// of a draft an operator rejected (the next picks are tried; if every one was rejected, the
/// last is returned and [`repeats_rejected`] tells the caller).
pub fn offline_draft(req: &DraftRequest<'_>, fallback_reason: Option<String>) -> DraftText {
    let kind = kind_name(req.kind);
    let names = variants(kind);
    let ctx = context(req);
    let mut drafted = None;
    for extra in 0..AVOID_TRIES {
        let mut h = DefaultHasher::new();
        (req.persona.id.0, req.shop_id, kind, req.attempt + extra).hash(&mut h);
        let pick = h.finish() as usize;
        let name = names[pick % names.len()];
        let body = render(name, &ctx);
        let fresh = !repeats_rejected(&body, req.rejected);
        drafted = Some((name, pick, body));
        if fresh {
            break;
        }
    }
    let (name, pick, body) = drafted.expect("at least one try");
    DraftText {
        subject: subject(req, pick / names.len()),
        body,
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
    let body = usable_body(&body, req)?;
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

/// A model's draft body, trimmed, if it is one: long enough, and not a rejected text again.
pub(super) fn usable_body(body: &str, req: &DraftRequest<'_>) -> Result<String, AiError> {
    let body = body.trim().to_string();
    if body.len() < 20 {
        return Err(AiError::Invalid(format!(
            "a {}-character draft",
            body.len()
        )));
    }
    if repeats_rejected(&body, req.rejected) {
        return Err(AiError::Invalid(
            "the model repeated a draft an operator rejected".into(),
        ));
    }
    Ok(body)
}

/// Two decimal places, as a configured temperature is written.
pub fn round2(t: f32) -> f64 {
    (t as f64 * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::community::Extraction;

    #[test]
    fn follow_ups_can_name_the_agent_and_what_they_said() {
        let text = "Hi Jane,\nThe app fee is $50.\n\nBest,\nMaria Lopez\nLeasing Consultant";
        assert_eq!(agent_first_name(text).as_deref(), Some("Maria"));
        assert_eq!(agent_first_name("no signature here"), None);
        let mut e = Extraction::empty();
        e.set("administration_fee", serde_json::json!(0), "no admin fee");
        assert_eq!(noted_from(&e).as_deref(), Some("there is no admin fee"));
        e.set("application_fee", serde_json::json!(50), "app fee $50");
        assert_eq!(
            noted_from(&e).as_deref(),
            Some("the application fee is $50")
        );
    }

    fn persona() -> Persona {
        Persona {
            id: crate::domain::ids::PersonaId(7),
            template_id: None,
            first_name: "Jane".into(),
            last_name: "Porter".into(),
            email: "jane.porter@shop.test".into(),
            mailbox_id: None,
            phone: "(206) 555-0176".into(),
            rental_budget: 1800,
            bedrooms: 2,
            bathrooms: 1.0,
            preferences: "a quiet unit".into(),
            pets: "one cat".into(),
            credit_score: 720,
            monthly_income: 6000,
            additional_occupants: String::new(),
            rental_history: String::new(),
            writing_style: String::new(),
            move_in_date: None,
            first_used_at: None,
            created_at: chrono::Utc::now(),
            deleted_at: None,
            version: 1,
        }
    }

    #[test]
    fn the_offline_drafter_never_offers_a_rejected_text_again() {
        let p = persona();
        let t: Target = serde_json::from_value(serde_json::json!({
            "id": 3, "name": "Summit Ridge", "street": "", "city": "Denver", "state": "CO",
            "zip": "", "phone": "", "email": "leasing@summit.test", "website": "", "owners": "",
            "property_manager": "", "time_zone": null, "notes": "", "tags": [],
            "email_status": "unknown", "created_at": "2026-11-01T00:00:00Z",
            "updated_at": "2026-11-01T00:00:00Z", "deleted_at": null, "version": 1
        }))
        .expect("a target");
        let missing = vec!["pet_policy".to_string()];
        for kind in [
            MessageKind::Inquiry,
            MessageKind::FollowUp,
            MessageKind::Nudge,
        ] {
            let mut rejected = Vec::new();
            let mut req = DraftRequest {
                persona: &p,
                target: &t,
                shop_id: 7,
                kind,
                thread: &[],
                missing: &missing,
                instructions: None,
                reply_subject: Some("Re: 2BR"),
                noted: None,
                agent_name: None,
                attempt: 0,
                rejected: &[],
            };
            let first = offline_draft(&req, None).body;
            rejected.push(RejectedDraft {
                body: format!("  {}\n", first.replace('\n', "\n\n")),
                reason: "too long".into(),
            });
            req.rejected = &rejected;
            let second = offline_draft(&req, None).body;
            assert!(
                !repeats_rejected(&second, &rejected),
                "{kind:?}: the rejected text came back:\n{second}"
            );
        }
    }

    /// Every offline variant ends with a sign-off after a blank line, then the name, then the
    /// phone on its own line (template whitespace control once glued them together).
    #[test]
    fn every_offline_variant_signs_off_on_its_own_lines() {
        let p = persona();
        let t: Target = serde_json::from_value(serde_json::json!({
            "id": 3, "name": "Summit Ridge", "street": "", "city": "Denver", "state": "CO",
            "zip": "", "phone": "", "email": "leasing@summit.test", "website": "", "owners": "",
            "property_manager": "", "time_zone": null, "notes": "", "tags": [],
            "email_status": "unknown", "created_at": "2026-11-01T00:00:00Z",
            "updated_at": "2026-11-01T00:00:00Z", "deleted_at": null, "version": 1
        }))
        .expect("a target");
        let missing = vec!["application_fee".to_string(), "pet_policy".to_string()];
        for kind in [
            MessageKind::Inquiry,
            MessageKind::FollowUp,
            MessageKind::Nudge,
        ] {
            for name in variants(kind_name(kind)) {
                let req = DraftRequest {
                    persona: &p,
                    target: &t,
                    shop_id: 1,
                    kind,
                    thread: &[],
                    missing: &missing,
                    instructions: None,
                    reply_subject: Some("Re: 2BR"),
                    noted: Some("the application fee is $50"),
                    agent_name: Some("Maria"),
                    attempt: 0,
                    rejected: &[],
                };
                let body = render(name, context(&req));
                let lines: Vec<&str> = body.trim_end().lines().collect();
                if lines.len() == 1 {
                    // A one-line nudge signs inline ("Thanks! - Jane").
                    assert!(body.trim_end().ends_with("Jane"), "{name}: {body}");
                    continue;
                }
                let sig = lines
                    .iter()
                    .rposition(|l| l.starts_with("Jane"))
                    .unwrap_or_else(|| panic!("{name}: no signature:\n{body}"));
                // After the name only the phone, on its own line (casual variants leave it out).
                assert!(
                    lines[sig + 1..] == ["(206) 555-0176"] || sig + 1 == lines.len(),
                    "{name}:\n{body}"
                );
                assert!(sig >= 2, "{name}:\n{body}");
                assert!(
                    lines[sig - 2].trim().is_empty() && !lines[sig - 1].trim().is_empty(),
                    "{name}: no blank line before the sign-off:\n{body}"
                );
            }
        }
    }
}
