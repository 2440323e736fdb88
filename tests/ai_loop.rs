//! Drafting, extraction, planning and grading on a real thread (real SMTP, IMAP and Postgres),
//! with the offline implementation and with the live llama.cpp server `scripts/test` starts.

mod common;

use chrono::Utc;
use common::mail::{World, wait_for_mail, world};
use secret_shop::ai::Ai;
use secret_shop::ai::drafting::{DraftRequest, ThreadText};
use secret_shop::domain::facts::checklist_name;
use secret_shop::domain::message::MessageKind;
use secret_shop::domain::planner::{Plan, PlanInput, Sequence, plan};
use secret_shop::services::facts::read_reply;
use secret_shop::services::grading::grade_shop;
use secret_shop::store::NewDraft;

const FIRST_REPLY: &str = "Hi Jane,\r\n\r\nThanks for reaching out! We have a 2 bed / 2 bath available, \
about 1,050 sq ft, $1,725 to $1,890 per month.\r\n\r\n- Application fee: $50 per adult\r\n\
- Administration fee: $150 (one time)\r\n\r\nWould you like to come by for a tour on Thursday at 10am?\r\n\r\n\
Best,\r\nMaria Lopez\r\nLeasing Consultant\r\n(512) 555-0142\r\n";

const SECOND_REPLY: &str = "Hi Jane,\r\n\r\nGood question! We allow up to two pets with a $300 pet deposit \
and $35/month pet rent per pet. Parking is a covered spot for $40/month.\r\n\r\nBest,\r\nMaria\r\n";

/// `judge_meaning`: assert what the replies mean (the offline rules); a tiny live model is held
/// to the structure only.
async fn run_loop(w: &World, ai: &Ai, judge_meaning: bool) {
    let engine = w.engine().await;
    let required: Vec<String> = [
        "application_fee",
        "administration_fee",
        "pet_policy",
        "floor_plans",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    sqlx::query("UPDATE shops SET required_fields = $2 WHERE id = $1")
        .bind(w.shop)
        .bind(&required)
        .execute(w.store.pool())
        .await
        .unwrap();

    // 1. The inquiry: drafted, approved, sent.
    let draft = ai
        .draft(&DraftRequest {
            persona: &w.persona,
            target: &w.target,
            shop_id: w.shop.0,
            kind: MessageKind::Inquiry,
            thread: &[],
            missing: &required,
            instructions: None,
            reply_subject: None,
            noted: None,
            agent_name: None,
            attempt: 0,
            rejected: &[],
        })
        .await;
    assert!(draft.body.len() > 20, "{draft:?}");
    let d = w
        .store
        .insert_draft(
            &w.actor,
            &NewDraft {
                shop_id: w.shop,
                kind: MessageKind::Inquiry,
                subject: draft.subject.clone(),
                body_text: draft.body.clone(),
                in_reply_to: None,
                reference_ids: vec![],
                generation: Some(serde_json::to_value(&draft.generation).unwrap()),
            },
        )
        .await
        .unwrap();
    w.store
        .approve_draft(&w.actor, d.id, d.version)
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    wait_for_mail(&w.agent_address(), 1).await;
    let inquiry_id = d.message_id.unwrap();

    // 2. The agent answers part of it; the reply is read into the fact sheet.
    w.agent_sends(
        &format!("Re: {}", draft.subject),
        FIRST_REPLY,
        &format!("In-Reply-To: <{inquiry_id}>\r\nReferences: <{inquiry_id}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    engine.run_once().await.unwrap();
    let thread = w.store.shop_messages(w.shop).await.unwrap();
    let reply = thread
        .iter()
        .find(|m| m.direction == "inbound")
        .unwrap()
        .clone();
    read_reply(&w.store, ai, reply.id).await.unwrap();
    let facts = w.store.shop_facts(w.shop).await.unwrap();
    assert!(!facts.is_empty(), "some facts were extracted");
    assert!(
        facts.iter().all(|f| !f.evidence.is_empty()),
        "every fact has evidence"
    );
    let known: Vec<String> = facts
        .iter()
        .map(|f| checklist_name(&f.field_path).to_string())
        .collect();

    // 3. The planner asks for what is missing.
    let seq = Sequence {
        nudge_after_hours: 48,
        follow_up_after_reply_hours: 0,
        max_follow_ups: 3,
        shop_timeout_days: 14,
    };
    let now = Utc::now();
    let step = plan(
        &PlanInput {
            now,
            started_at: now - chrono::Duration::hours(1),
            required: &required,
            known: &known,
            last_sent_at: Some(now - chrono::Duration::minutes(30)),
            last_reply_at: Some(now - chrono::Duration::minutes(1)),
            follow_ups_sent: 0,
            declined: false,
            draft_pending: false,
            rejected_at: None,
        },
        &seq,
    );
    let ask = match step {
        Plan::FollowUp { ask } => ask,
        other if !judge_meaning => {
            eprintln!("the model's reading planned {other:?}; asking for the pet policy anyway");
            vec!["pet_policy".to_string()]
        }
        other => panic!("expected a follow-up, got {other:?} (known: {known:?})"),
    };
    assert!(!ask.is_empty() && ask.len() <= 3);
    let first_read: secret_shop::domain::community::Extraction = serde_json::from_value(
        sqlx::query_scalar::<_, serde_json::Value>("SELECT analysis FROM messages WHERE id = $1")
            .bind(reply.id)
            .fetch_one(w.store.pool())
            .await
            .unwrap()["extraction"]
            .clone(),
    )
    .unwrap();
    let noted = secret_shop::ai::drafting::noted_from(&first_read);
    let agent = secret_shop::ai::drafting::agent_first_name(&reply.body_text);
    let follow = ai
        .draft(&DraftRequest {
            persona: &w.persona,
            target: &w.target,
            shop_id: w.shop.0,
            kind: MessageKind::FollowUp,
            thread: &[ThreadText {
                from: w.agent_address(),
                text: reply.body_text.clone(),
            }],
            missing: &ask,
            instructions: None,
            reply_subject: Some(&reply.subject),
            noted: noted.as_deref(),
            agent_name: agent.as_deref(),
            attempt: 0,
            rejected: &[],
        })
        .await;
    assert!(follow.subject.starts_with("Re:"), "{follow:?}");
    if judge_meaning {
        // The offline follow-up greets the agent by name and refers to what they said.
        assert!(follow.body.contains("Maria"), "{}", follow.body);
        assert!(
            follow.body.contains("the application fee is $50"),
            "{}",
            follow.body
        );
    }
    let f = w
        .store
        .insert_draft(
            &w.actor,
            &NewDraft {
                shop_id: w.shop,
                kind: MessageKind::FollowUp,
                subject: follow.subject.clone(),
                body_text: follow.body.clone(),
                in_reply_to: reply.message_id.clone(),
                reference_ids: vec![inquiry_id.clone(), reply.message_id.clone().unwrap()],
                generation: Some(serde_json::to_value(&follow.generation).unwrap()),
            },
        )
        .await
        .unwrap();
    w.store
        .approve_draft(&w.actor, f.id, f.version)
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    wait_for_mail(&w.agent_address(), 2).await;

    // 4. The second answer, then the grade.
    let follow_id = f.message_id.unwrap();
    w.agent_sends(
        &follow.subject,
        SECOND_REPLY,
        &format!("In-Reply-To: <{follow_id}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 4).await;
    engine.run_once().await.unwrap();
    let (grade_id, grade) = grade_shop(
        &w.store,
        ai,
        w.shop,
        &secret_shop::engine::send_window(&w.config),
        w.config.send_window.time_zone,
        "tester",
    )
    .await
    .unwrap();
    assert!(grade_id.0 > 0);
    assert_eq!(grade.criteria.len(), 4);
    assert!(grade.total > 0.0 && grade.total <= 100.0, "{grade:?}");
    let (stored, metrics) = w.store.current_grade(w.shop).await.unwrap().unwrap();
    assert_eq!(stored.total, grade.total);
    assert_eq!(metrics.follow_ups_sent, 1);
    if judge_meaning {
        assert_eq!(metrics.replies, 2);
    } else {
        // A tiny model may call a reply an auto-acknowledgement; both are still counted.
        assert_eq!(metrics.replies + metrics.auto_replies, 2, "{metrics:?}");
    }
    assert!(metrics.first_response_minutes.is_some());
}

#[tokio::test]
async fn the_offline_implementation_runs_the_whole_loop() {
    let w = world().await;
    let ai = Ai::offline();
    run_loop(&w, &ai, true).await;
    // The offline rules read the first reply precisely.
    let facts = w.store.shop_facts(w.shop).await.unwrap();
    let value = |p: &str| {
        facts
            .iter()
            .find(|f| f.field_path == p)
            .map(|f| f.value.clone())
    };
    assert_eq!(value("application_fee"), Some(serde_json::json!(50)));
    assert_eq!(value("administration_fee"), Some(serde_json::json!(150)));
    assert!(
        facts
            .iter()
            .any(|f| f.field_path.starts_with("floor_plans["))
    );
    assert!(
        value("pet_policy").is_some(),
        "the second reply answered the pet policy"
    );
}

/// The live contract with a real model server (llama.cpp with a tiny model): structure only,
/// never meaning.
#[tokio::test]
async fn the_live_llama_server_runs_the_whole_loop() {
    let base = common::service_env("SECRET_SHOP_LLM_BASE_URL");
    let model = common::service_env("SECRET_SHOP_LLM_MODEL");
    let w = world().await;
    let mut config = w.config.clone();
    config.ai.provider = secret_shop::config::AiProvider::OpenAi;
    config.ai.base_url = base;
    config.ai.model = model.clone();
    config.ai.request_timeout_secs = 240;
    config.ai.max_retries = 1;
    config.ai.temperature = 0.2;
    let ai = Ai::from_config(&config.ai);
    assert!(!ai.is_offline());
    run_loop(&w, &ai, false).await;
    // The model (or, where its answer failed validation, the fallback) wrote every reply's analysis.
    let analyses: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT analysis FROM messages WHERE direction = 'inbound' AND analysis IS NOT NULL",
    )
    .fetch_all(w.store.pool())
    .await
    .unwrap();
    assert_eq!(analyses.len(), 2);
    for a in &analyses {
        assert!(a["extraction"]["fields"].is_object());
        assert!(
            matches!(a["generation"]["model"].as_str(), Some(m) if m == model || m == "offline")
        );
    }
}
