//! Demo shops with a past: threads that ran over the last weeks (offline drafting writes our
//! side, the demo agents' reply styles theirs), read and graded as the product does, so the demo
//! has a shop in every state and the reports have something to show.

use chrono::{DateTime, Duration, Utc};

use super::demo_agent::{Style, compose_reply};
use super::facts::read_reply;
use super::grading::grade_shop;
use crate::ai::Ai;
use crate::ai::drafting::DraftRequest;
use crate::config::Config;
use crate::domain::message::MessageKind;
use crate::domain::persona::Persona;
use crate::domain::shop::ShopStatus::{self, *};
use crate::domain::target::Target;
use crate::mail::parse::parse_mail;
use crate::store::{Actor, PastMessage, Store};

enum Step {
    /// We wrote (sent, or refused by the server with this error).
    Out(MessageKind, Option<&'static str>),
    /// The agent answered in this style.
    In(Style),
}

struct Story {
    target: usize,
    persona: usize,
    days_ago: i64,
    /// Minutes after the start, per step.
    steps: &'static [(i64, Step)],
    path: Vec<ShopStatus>,
    reason: &'static str,
    grade: bool,
}

const SENT: &[ShopStatus] = &[AwaitingReview, AwaitingSend, AwaitingReply];

fn stories() -> Vec<Story> {
    let path = |tail: &[ShopStatus]| [SENT, tail].concat();
    vec![
        Story {
            target: 3,
            persona: 3,
            days_ago: 6,
            steps: &[
                (0, Step::Out(MessageKind::Inquiry, None)),
                (190, Step::In(Style::Partial)),
                (1500, Step::Out(MessageKind::FollowUp, None)),
                (1820, Step::In(Style::Facts)),
            ],
            path: path(&[
                Replied,
                AwaitingReview,
                AwaitingSend,
                AwaitingReply,
                Replied,
                Completed,
            ]),
            reason: "checklist complete",
            grade: true,
        },
        Story {
            target: 5,
            persona: 5,
            days_ago: 9,
            steps: &[
                (0, Step::Out(MessageKind::Inquiry, None)),
                (48, Step::In(Style::Slip)),
            ],
            path: path(&[Replied, Completed]),
            reason: "follow-up sequence exhausted",
            grade: true,
        },
        Story {
            target: 4,
            persona: 4,
            days_ago: 20,
            steps: &[
                (0, Step::Out(MessageKind::Inquiry, None)),
                (2 * 24 * 60, Step::Out(MessageKind::Nudge, None)),
            ],
            path: path(&[TimedOut]),
            reason: "no reply before the shop timed out",
            grade: true,
        },
        Story {
            target: 1,
            persona: 4,
            days_ago: 1,
            steps: &[
                (0, Step::Out(MessageKind::Inquiry, None)),
                (600, Step::In(Style::Html)),
            ],
            path: path(&[Replied]),
            reason: "reply received",
            grade: false,
        },
        Story {
            target: 2,
            persona: 5,
            days_ago: 1,
            steps: &[(0, Step::Out(MessageKind::Inquiry, None))],
            path: SENT.to_vec(),
            reason: "sent",
            grade: false,
        },
        Story {
            target: 4,
            persona: 1,
            days_ago: 3,
            steps: &[(0, Step::Out(MessageKind::Inquiry, None))],
            path: path(&[Blocked]),
            reason: "the leasing address bounced: 550 5.1.1 user unknown",
            grade: false,
        },
        Story {
            target: 5,
            persona: 2,
            days_ago: 2,
            steps: &[(
                0,
                Step::Out(MessageKind::Inquiry, Some("550 5.7.1 relaying denied")),
            )],
            path: vec![AwaitingReview, AwaitingSend, Failed],
            reason: "the server refused the inquiry: 550 5.7.1 relaying denied",
            grade: false,
        },
        Story {
            target: 3,
            persona: 0,
            days_ago: 4,
            steps: &[],
            path: vec![Cancelled],
            reason: "duplicate of another shop",
            grade: false,
        },
    ]
}

/// Adds the past shops; returns how many.
pub async fn seed_history(
    store: &Store,
    actor: &Actor,
    config: &Config,
    targets: &[Target],
    personas: &[Persona],
) -> anyhow::Result<usize> {
    let ai = Ai::offline();
    let now = Utc::now();
    let mut count = 0;
    for story in stories() {
        let (Some(target), Some(persona)) =
            (targets.get(story.target), personas.get(story.persona))
        else {
            continue;
        };
        let shop = store
            .create_shop(actor, target.id, persona.id, &default_checklist())
            .await?;
        let start = now - Duration::days(story.days_ago);
        let messages = thread(&ai, &story, target, persona, &shop.required_fields, start).await;
        let ids = store
            .insert_demo_history(actor, shop.id, &messages, &story.path, story.reason)
            .await?;
        for (id, m) in ids.iter().zip(&messages) {
            if m.raw.is_some() {
                read_reply(store, &ai, *id).await?;
            }
        }
        if story.grade {
            let window = crate::engine::send_window(config);
            grade_shop(
                store,
                &ai,
                shop.id,
                &window,
                config.send_window.time_zone,
                "system",
            )
            .await?;
        }
        count += 1;
    }
    Ok(count)
}

async fn thread(
    ai: &Ai,
    story: &Story,
    target: &Target,
    persona: &Persona,
    checklist: &[String],
    start: DateTime<Utc>,
) -> Vec<PastMessage> {
    let domain = persona.email.rsplit('@').next().unwrap_or("shop.test");
    let mut out: Vec<PastMessage> = Vec::new();
    for (n, (minutes, step)) in story.steps.iter().enumerate() {
        let at = start + Duration::minutes(*minutes);
        let last = out.last();
        let subject = last.map(|m| {
            if m.subject.starts_with("Re:") {
                m.subject.clone()
            } else {
                format!("Re: {}", m.subject)
            }
        });
        match step {
            Step::Out(kind, error) => {
                let d = ai
                    .draft(&DraftRequest {
                        persona,
                        target,
                        shop_id: 0,
                        kind: *kind,
                        thread: &[],
                        missing: checklist,
                        instructions: None,
                        reply_subject: subject.as_deref(),
                        noted: None,
                        agent_name: None,
                        attempt: n as u32,
                        rejected: &[],
                    })
                    .await;
                out.push(PastMessage {
                    at,
                    kind: *kind,
                    outbound_status: Some(if error.is_some() { "failed" } else { "sent" }),
                    message_id: format!("{}@{domain}", uuid::Uuid::new_v4().simple()),
                    in_reply_to: last.map(|m| m.message_id.clone()),
                    from_addr: persona.email.clone(),
                    from_name: persona.full_name(),
                    to_addr: target.email.clone(),
                    subject: d.subject,
                    body_text: d.body,
                    raw: None,
                    last_error: error.map(str::to_string),
                });
            }
            Step::In(style) => {
                let Some(asked) = last else { continue };
                let asked_mail = crate::mail::parse::ParsedMail {
                    message_id: Some(asked.message_id.clone()),
                    from_addr: persona.email.clone(),
                    from_name: persona.full_name(),
                    subject: asked.subject.clone(),
                    ..Default::default()
                };
                let raw = compose_reply(target, &asked_mail, *style, at);
                let parsed = parse_mail(raw.as_bytes());
                out.push(PastMessage {
                    at,
                    kind: MessageKind::Response,
                    outbound_status: None,
                    message_id: parsed.message_id.clone().unwrap_or_default(),
                    in_reply_to: Some(asked.message_id.clone()),
                    from_addr: target.email.clone(),
                    from_name: parsed.from_name.clone(),
                    to_addr: persona.email.clone(),
                    subject: parsed.subject.clone(),
                    body_text: parsed.body_text.clone(),
                    raw: Some(raw.into_bytes()),
                    last_error: None,
                });
            }
        }
    }
    out
}

fn default_checklist() -> Vec<String> {
    crate::services::shops::DEFAULT_CHECKLIST
        .iter()
        .map(|s| s.to_string())
        .collect()
}
