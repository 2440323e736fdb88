//! `Ai`: the one interface the rest of the product uses. With an OpenAI-compatible server
//! configured it asks the model, validates the answer, retries once, and falls back to the
//! offline implementation when the AI fails; without one it is the offline implementation.

use serde::Serialize;

use super::client::{OpenAiClient, Want};
use super::drafting::{DraftRequest, DraftText, Generation, ai_draft, offline_draft};
use super::prompts::{render, version};
use super::revising::{ai_revise, offline_revise};
use super::schema::{analysis_schema, parse_analysis};
use crate::config::{AiConfig, AiProvider};
use crate::domain::community::{Extraction, Signals};
use crate::domain::message::ResponderKind;
use crate::domain::revise::Refusal;
use crate::mail::parse::ParsedMail;

/// What the product reads in one reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub responder: ResponderKind,
    pub extraction: Extraction,
    pub signals: Signals,
    pub generation: Generation,
}

/// Room for every field at its maxLength, plus the whitespace a grammar-constrained model adds.
const ANALYSIS_MAX_TOKENS: u32 = 3000;

#[derive(Debug, Clone)]
pub struct Ai {
    pub(super) client: Option<OpenAiClient>,
}

impl Ai {
    /// The offline implementation only.
    pub fn offline() -> Ai {
        Ai { client: None }
    }

    pub fn from_config(c: &AiConfig) -> Ai {
        match c.provider {
            AiProvider::Offline => Ai::offline(),
            AiProvider::OpenAi => match OpenAiClient::new(c) {
                Ok(client) => Ai {
                    client: Some(client),
                },
                Err(e) => {
                    tracing::warn!(error = %e, "AI client set-up failed; using the offline fallback");
                    Ai::offline()
                }
            },
        }
    }

    pub fn with_client(client: OpenAiClient) -> Ai {
        Ai {
            client: Some(client),
        }
    }

    pub fn is_offline(&self) -> bool {
        self.client.is_none()
    }

    /// Drafts an inquiry, follow-up or nudge (or regenerates one with instructions).
    pub async fn draft(&self, req: &DraftRequest<'_>) -> DraftText {
        let Some(client) = &self.client else {
            return offline_draft(req, None);
        };
        match ai_draft(client, req).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "AI draft failed; using an offline template");
                offline_draft(req, Some(e.to_string()))
            }
        }
    }

    /// Regenerates a draft from its current text (`subject`, `current`) and the request's
    /// instructions: the model revises it; offline (or when the model fails) the rules follow
    /// the instructions or refuse, and without instructions refuse, since a new offline text
    /// would write over what the operator wrote.
    pub async fn revise(
        &self,
        req: &DraftRequest<'_>,
        subject: &str,
        current: &str,
    ) -> Result<DraftText, Refusal> {
        let mut fallback = None;
        if let Some(client) = &self.client {
            match ai_revise(client, req, subject, current).await {
                Ok(d) => return Ok(d),
                Err(e) => {
                    tracing::warn!(error = %e, "AI revision failed; using the offline rules");
                    fallback = Some(e.to_string());
                }
            }
        }
        match req.instructions {
            Some(i) => offline_revise(req, subject, current, i, fallback),
            None => Err(Refusal {
                reasons: vec![
                    "with no instructions it can only write a new text, and that would throw \
                     away your edits; say what to change (e.g. \"shorter, mention parking\")"
                        .into(),
                ],
            }),
        }
    }

    /// Classifies the responder, extracts facts with evidence and reads the grading signals.
    pub async fn analyze(&self, mail: &ParsedMail, persona_first_name: Option<&str>) -> Analysis {
        let Some(client) = &self.client else {
            return offline_analysis(mail, persona_first_name, None);
        };
        let system = render("system_analyze", ());
        let user = render(
            "analyze",
            serde_json::json!({
                "persona_first_name": persona_first_name,
                "from": mail.from_addr,
                "subject": mail.subject,
                "text": truncate(&mail.body_text, 12_000),
            }),
        );
        let mut last_error = String::new();
        // A reply that fails validation is asked for once more, then the fallback runs.
        for _ in 0..2 {
            let want = Want::Json {
                name: "community_reply",
                schema: analysis_schema(),
            };
            match client
                .complete(&system, &user, want, ANALYSIS_MAX_TOKENS)
                .await
            {
                Ok(text) => match parse_analysis(&text) {
                    Ok((responder, mut extraction, mut signals)) => {
                        // A model gives no confidence of its own.
                        extraction.fill_confidence(crate::domain::community::MODEL_CONFIDENCE);
                        signals.instructions_to_ai |= super::offline::instructs_ai(mail);
                        let responder =
                            settle_responder(responder, super::offline::classify_responder(mail));
                        return Analysis {
                            responder,
                            extraction,
                            signals,
                            generation: Generation {
                                model: client.model.clone(),
                                prompt_version: format!(
                                    "{}+{}",
                                    version("system_analyze"),
                                    version("analyze")
                                ),
                                temperature: super::drafting::round2(client.temperature),
                                instructions: None,
                                fallback_reason: None,
                            },
                        };
                    }
                    Err(e) => last_error = format!("invalid answer: {e}"),
                },
                Err(e) => {
                    last_error = e.to_string();
                    break;
                }
            }
        }
        tracing::warn!(error = %last_error, "AI analysis failed; using the offline rules");
        offline_analysis(mail, persona_first_name, Some(last_error))
    }
}

/// Who wrote a reply, from the model's reading and the rules' (headers and phrases). Headers
/// are facts the model cannot see: the rules' "automatic" stands. The model's "automatic"
/// against the rules' word is not trusted: an auto-reply's facts are set aside, so a human
/// answer misread as one would lose what the agent said (a small model does misread them).
fn settle_responder(model: ResponderKind, rules: ResponderKind) -> ResponderKind {
    match (model, rules) {
        (_, ResponderKind::Auto) => ResponderKind::Auto,
        (ResponderKind::Auto, rules) => {
            tracing::info!(
                ?rules,
                "the model read a reply as automatic; the rules do not"
            );
            rules
        }
        (model, _) => model,
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The offline rules: the same questions answered without a model.
pub fn offline_analysis(
    mail: &ParsedMail,
    persona_first_name: Option<&str>,
    fallback_reason: Option<String>,
) -> Analysis {
    let (responder, extraction, signals) = super::offline::analyze(mail, persona_first_name);
    Analysis {
        responder,
        extraction,
        signals,
        generation: Generation {
            model: "offline".into(),
            prompt_version: "rules@1".into(),
            temperature: 0.0,
            instructions: None,
            fallback_reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::settle_responder;
    use crate::domain::message::ResponderKind::{Ai, Auto, Human};

    #[test]
    fn the_rules_automatic_stands_and_the_models_alone_does_not() {
        assert_eq!(settle_responder(Human, Auto), Auto, "headers say automatic");
        assert_eq!(
            settle_responder(Auto, Human),
            Human,
            "a human reply misread"
        );
        assert_eq!(settle_responder(Auto, Ai), Ai);
        assert_eq!(
            settle_responder(Ai, Human),
            Ai,
            "the model knows assistants"
        );
        assert_eq!(settle_responder(Human, Ai), Human);
        assert_eq!(settle_responder(Auto, Auto), Auto);
    }
}
