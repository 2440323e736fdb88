//! What drafting a shop's next message needs, read from the store once: persona, target, the
//! thread so far, what the agent last said and how to thread the reply. Used by the scheduler
//! (new follow-ups and nudges) and by regeneration.

use crate::ai::drafting::{DraftRequest, ThreadText, agent_first_name, noted_from};
use crate::domain::community::Extraction;
use crate::domain::ids::ShopId;
use crate::domain::message::{MessageKind, RejectedDraft};
use crate::domain::persona::Persona;
use crate::domain::shop::Shop;
use crate::domain::target::Target;
use crate::store::Store;

pub struct DraftContext {
    pub shop: Shop,
    pub persona: Persona,
    pub target: Target,
    pub thread: Vec<ThreadText>,
    pub noted: Option<String>,
    pub agent_name: Option<String>,
    pub reply_subject: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// What operators rejected on this shop, and why.
    pub rejected: Vec<RejectedDraft>,
}

impl DraftContext {
    pub async fn load(store: &Store, id: ShopId) -> anyhow::Result<DraftContext> {
        let shop = store.shop(id).await?;
        let persona = store.persona(shop.persona_id).await?;
        let target = store.target(shop.target_id).await?;
        let messages = store.shop_messages(id).await?;
        let last_in = messages
            .iter()
            .rev()
            .find(|m| m.direction == "inbound" && !m.is_auto_reply);
        // Only messages that exist in the mailbox thread: sent ones and replies.
        let threaded = |m: &&crate::store::MessageRow| {
            m.direction == "inbound" || m.status.is_some_and(|s| s.as_str() == "sent")
        };
        let last_any = messages
            .iter()
            .rev()
            .filter(threaded)
            .find(|m| m.message_id.is_some());
        let thread = messages
            .iter()
            .filter(threaded)
            .map(|m| ThreadText {
                from: m.from_addr.clone(),
                text: m.body_text.chars().take(4000).collect(),
            })
            .collect();
        let extraction: Option<Extraction> = match last_in {
            Some(m) => store
                .message_analysis(m.id)
                .await?
                .and_then(|a| serde_json::from_value(a["extraction"].clone()).ok()),
            None => None,
        };
        let rejected = store.rejected_drafts(id).await?;
        Ok(DraftContext {
            rejected,
            noted: extraction.as_ref().and_then(noted_from),
            agent_name: last_in.and_then(|m| agent_first_name(&m.body_text)),
            reply_subject: last_any.map(|m| m.subject.clone()),
            in_reply_to: last_any.and_then(|m| m.message_id.clone()),
            references: messages
                .iter()
                .filter(threaded)
                .filter_map(|m| m.message_id.clone())
                .collect(),
            shop,
            persona,
            target,
            thread,
        })
    }

    pub fn request<'a>(
        &'a self,
        kind: MessageKind,
        missing: &'a [String],
        instructions: Option<&'a str>,
        attempt: u32,
    ) -> DraftRequest<'a> {
        let follows = kind != MessageKind::Inquiry;
        DraftRequest {
            persona: &self.persona,
            target: &self.target,
            shop_id: self.shop.id.0,
            kind,
            thread: if follows { &self.thread } else { &[] },
            missing,
            instructions,
            reply_subject: if follows {
                self.reply_subject.as_deref()
            } else {
                None
            },
            noted: if follows { self.noted.as_deref() } else { None },
            agent_name: if follows {
                self.agent_name.as_deref()
            } else {
                None
            },
            attempt,
            rejected: &self.rejected,
        }
    }
}
