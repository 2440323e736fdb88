//! Reading a reply: one trait, [`Reader`], that the model and the offline rules both implement.
//! The facade ([`super::Ai::analyze`]) picks the model when one is configured and falls back
//! to the offline rules when it fails.

use std::future::Future;

use super::client::{OpenAiClient, Want};
use super::drafting::Generation;
use super::facade::{Analysis, offline_analysis};
use super::prompts::{render, version};
use super::schema::{analysis_schema, parse_analysis};
use crate::domain::message::ResponderKind;
use crate::domain::reply::Reply;

/// Room for every field at its maxLength, plus the whitespace a grammar-constrained model adds.
const ANALYSIS_MAX_TOKENS: u32 = 3000;

/// Reads one reply: who wrote it, the facts with their evidence, the grading signals.
pub trait Reader {
    /// `Err(why)` when this reader could not read it (the facade then falls back).
    fn read(
        &self,
        reply: &Reply,
        persona_first_name: Option<&str>,
    ) -> impl Future<Output = Result<Analysis, String>> + Send;
}

/// The offline rules (`ai::offline`): no model, no IO; never fails.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineReader;

impl Reader for OfflineReader {
    fn read(
        &self,
        reply: &Reply,
        persona_first_name: Option<&str>,
    ) -> impl Future<Output = Result<Analysis, String>> + Send {
        std::future::ready(Ok(offline_analysis(reply, persona_first_name, None)))
    }
}

/// The model: asked for a JSON answer, which is validated; an invalid answer is asked for once
/// more. The rules still decide what headers say (automatic) and still look for instructions
/// to an AI.
#[derive(Debug, Clone, Copy)]
pub struct ModelReader<'a> {
    pub client: &'a OpenAiClient,
}

impl Reader for ModelReader<'_> {
    async fn read(
        &self,
        reply: &Reply,
        persona_first_name: Option<&str>,
    ) -> Result<Analysis, String> {
        let client = self.client;
        let system = render("system_analyze", ());
        let user = render(
            "analyze",
            serde_json::json!({
                "persona_first_name": persona_first_name,
                "from": reply.from_addr,
                "subject": reply.subject,
                "text": truncate(&reply.text, 12_000),
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
                        signals.instructions_to_ai |= super::offline::instructs_ai(reply);
                        let responder =
                            settle_responder(responder, super::offline::classify_responder(reply));
                        return Ok(Analysis {
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
                        });
                    }
                    Err(e) => last_error = format!("invalid answer: {e}"),
                },
                Err(e) => {
                    last_error = e.to_string();
                    break;
                }
            }
        }
        Err(last_error)
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

/// At most `max` bytes of `s`, cut on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    &s[..s.floor_char_boundary(max)]
}

#[cfg(test)]
mod tests {
    use super::{OfflineReader, Reader, settle_responder};
    use crate::domain::message::ResponderKind::{Ai, Auto, Human};
    use crate::domain::reply::Reply;

    #[tokio::test]
    async fn the_offline_reader_reads_the_domain_reply_and_headers_decide_automatic() {
        let mut reply = Reply {
            from_addr: "pat@oak.test".into(),
            from_name: "Pat".into(),
            subject: "Re: 2BR".into(),
            text: "Hi Jane, the application fee is $45.\n\nPat\nOak Leasing".into(),
            ..Reply::default()
        };
        let a = OfflineReader.read(&reply, Some("Jane")).await.unwrap();
        assert_eq!(a.responder, Human);
        assert_eq!(a.generation.model, "offline");
        assert!(
            a.extraction
                .known_fields()
                .contains(&"application_fee".to_string())
        );
        reply.automatic = true;
        let a = OfflineReader.read(&reply, Some("Jane")).await.unwrap();
        assert_eq!(a.responder, Auto);
    }

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
