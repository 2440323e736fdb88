//! `Ai`: the one interface the rest of the product uses. With an OpenAI-compatible server
//! configured it asks the model, validates the answer, retries once, and falls back to the
//! offline implementation when the AI fails; without one it is the offline implementation.

use serde::Serialize;

use super::client::OpenAiClient;
use super::drafting::{DraftRequest, DraftText, Generation, ai_draft, offline_draft};
use super::reader::{ModelReader, Reader};
use super::revising::{ai_revise, offline_revise};
use crate::config::{AiConfig, AiProvider};
use crate::domain::community::{Extraction, Signals};
use crate::domain::message::ResponderKind;
use crate::domain::reply::Reply;
use crate::domain::revise::Refusal;

/// What the product reads in one reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub responder: ResponderKind,
    pub extraction: Extraction,
    pub signals: Signals,
    pub generation: Generation,
}

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

    /// Classifies the responder, extracts facts with evidence and reads the grading signals:
    /// the model reads the reply when one is configured, and the offline rules when not or when
    /// the model fails.
    pub async fn analyze(&self, reply: &Reply, persona_first_name: Option<&str>) -> Analysis {
        let mut fallback = None;
        if let Some(client) = &self.client {
            match (ModelReader { client })
                .read(reply, persona_first_name)
                .await
            {
                Ok(a) => return a,
                Err(e) => {
                    tracing::warn!(error = %e, "AI analysis failed; using the offline rules");
                    fallback = Some(e);
                }
            }
        }
        offline_analysis(reply, persona_first_name, fallback)
    }
}

/// The offline rules: the same questions answered without a model.
pub fn offline_analysis(
    reply: &Reply,
    persona_first_name: Option<&str>,
    fallback_reason: Option<String>,
) -> Analysis {
    let (responder, extraction, signals) = super::offline::analyze(reply, persona_first_name);
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
