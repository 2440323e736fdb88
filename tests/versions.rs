//! Drafts have versions (issue 11, part 1): every change is kept with who, how and the
//! instructions; a regeneration starts from the operator's text and follows the instructions or
//! refuses before anything is replaced; an earlier version comes back as a new one. Real Postgres
//! (and the real binary for the CLI); the AI case against a scripted server on loopback.

mod common;

use std::time::Duration;

use common::Cli;
use common::mail::{World, world};
use secret_shop::ai::Ai;
use secret_shop::ai::client::OpenAiClient;
use secret_shop::config::Config;
use secret_shop::domain::message::VersionHow;
use secret_shop::services::review;
use secret_shop::store::{EntityType, MessageRow};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PARKING: &str = "Is there a covered spot for a second car?";

/// The inquiry drafted offline, then the operator adds a parking question of their own.
async fn edited_inquiry(w: &World) -> MessageRow {
    let d = w.inquiry_draft(&["application_fee", "pet_policy"]).await;
    let body = add_before_closing(&d.body_text, PARKING);
    review::edit(&w.store, &w.actor, d.id, d.version, &d.subject, &body)
        .await
        .unwrap()
}

/// `line` as a paragraph of its own before the sign-off (the last paragraph).
fn add_before_closing(body: &str, line: &str) -> String {
    let mut paras: Vec<&str> = body.split("\n\n").collect();
    let closing = paras.pop().unwrap();
    paras.push(line);
    paras.push(closing);
    paras.join("\n\n")
}

#[tokio::test]
async fn every_change_is_a_version_and_offline_regeneration_keeps_the_edit() {
    let w = world().await;
    let d = edited_inquiry(&w).await;
    let first = w.store.draft_version(d.id, 1).await.unwrap();
    assert_eq!(first.how, VersionHow::Offline);

    let r = review::regenerate(
        &w.store,
        &Ai::offline(),
        &w.actor,
        d.id,
        Some(d.version),
        Some("shorter, mention the cat is indoor-only"),
    )
    .await
    .unwrap();
    assert!(
        r.body_text.contains(PARKING),
        "the edit is kept:\n{}",
        r.body_text
    );
    assert!(
        r.body_text.contains("The cat is indoor-only."),
        "{}",
        r.body_text
    );
    assert!(
        r.body_text.len() < d.body_text.len() + 30,
        "{}",
        r.body_text
    );

    let versions = w.store.draft_versions(d.id).await.unwrap();
    let hows: Vec<VersionHow> = versions.iter().map(|v| v.how).collect();
    assert_eq!(
        hows,
        [VersionHow::Offline, VersionHow::Edit, VersionHow::Offline]
    );
    assert!(versions.iter().all(|v| v.author == "tester"));
    assert_eq!(
        versions[2].instructions.as_deref(),
        Some("shorter, mention the cat is indoor-only")
    );
    assert_eq!(
        versions[1].body_text, d.body_text,
        "the edit itself is kept"
    );

    // Audited in the same transactions, with before and after.
    let audit = w
        .store
        .audit_for(EntityType::Message, d.id.0)
        .await
        .unwrap();
    let regen = audit.iter().find(|a| a.action == "regenerate").unwrap();
    assert_eq!(regen.operator, "tester");
    assert_eq!(regen.detail["before"]["version"], 2);
    assert_eq!(regen.detail["after"]["version"], 3);
    assert_eq!(
        regen.detail["reason"],
        "shorter, mention the cat is indoor-only"
    );
    assert!(audit.iter().any(|a| a.action == "edit"));

    // The shop report's appendix names each decision and who took it.
    let md = Cli::new(&w.url).ok(&["report", "shop", &w.shop.to_string(), "--format", "md"]);
    let appendix = &md[md.find("## Decisions").expect("an appendix of decisions")..];
    assert!(
        appendix.contains(&format!("edited draft \\#{} (version 2)", d.id))
            && appendix.contains(&format!(
                "had draft \\#{} drafted again (offline) (version 3)",
                d.id
            ))
            && appendix.contains("tester"),
        "{appendix}"
    );
}

#[tokio::test]
async fn offline_regeneration_refuses_what_it_cannot_follow_and_changes_nothing() {
    let w = world().await;
    let d = edited_inquiry(&w).await;
    let e = review::regenerate(
        &w.store,
        &Ai::offline(),
        &w.actor,
        d.id,
        Some(d.version),
        Some("shorter, write it in French"),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("offline drafting cannot follow") && e.contains("write it in French"),
        "{e}"
    );
    // Without instructions a new offline text would replace the operator's: refused too.
    let e = review::regenerate(&w.store, &Ai::offline(), &w.actor, d.id, None, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("throw away your edits"), "{e}");
    let now = w.store.message(d.id).await.unwrap();
    assert_eq!(now.body_text, d.body_text);
    assert_eq!(now.version, d.version);
    assert_eq!(w.store.draft_versions(d.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_earlier_version_comes_back_as_a_new_one_through_the_cli() {
    let w = world().await;
    let d = edited_inquiry(&w).await;
    let mut cli = Cli::new(&w.url);
    cli.set("SECRET_SHOP_MAIL_DOMAIN", &w.persona_domain);
    let id = d.id.to_string();

    let history = cli.ok(&["draft", "history", &id]);
    assert!(
        history.contains("offline") && history.contains("edit"),
        "{history}"
    );
    let diff = cli.ok(&["draft", "show", &id, "--version", "2", "--diff"]);
    assert!(diff.contains(&format!("{{+{PARKING}")), "{diff}");

    let out = cli.ok(&["draft", "restore", &id, "1"]);
    assert!(out.contains("restored version 1"), "{out}");
    let now = w.store.message(d.id).await.unwrap();
    assert!(!now.body_text.contains(PARKING));
    let versions = w.store.draft_versions(d.id).await.unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[2].how, VersionHow::Restore);
    assert_eq!(versions[2].restored_from, Some(1));
    assert_eq!(versions[2].body_text, versions[0].body_text);
    // The operator's edit is still there to bring back.
    cli.ok(&["draft", "restore", &id, "2"]);
    assert!(
        w.store
            .message(d.id)
            .await
            .unwrap()
            .body_text
            .contains(PARKING)
    );
    let json: Value = serde_json::from_str(&cli.ok(&["draft", "history", &id, "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 4);
}

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    })
}

#[tokio::test]
async fn the_model_revises_the_operators_text_with_the_instructions() {
    let w = world().await;
    let d = edited_inquiry(&w).await;
    let server = MockServer::start().await;
    let revised = format!("Hi there,\n\nShorter now. {PARKING}\n\nThanks,\nJane");
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(&revised)))
        .mount(&server)
        .await;
    let vars = [
        ("SECRET_SHOP_AI_PROVIDER", "openai".to_string()),
        ("SECRET_SHOP_AI_BASE_URL", format!("{}/v1", server.uri())),
        ("SECRET_SHOP_AI_MODEL", "test-model".to_string()),
    ];
    let config = Config::load_with_env(None, &|k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let client = OpenAiClient::new(&config.ai)
        .unwrap()
        .with_retry_delay(Duration::from_millis(20));
    let r = review::regenerate(
        &w.store,
        &Ai::with_client(client),
        &w.actor,
        d.id,
        Some(d.version),
        Some("shorter"),
    )
    .await
    .unwrap();
    assert_eq!(r.body_text, revised);
    let asked = &server.received_requests().await.unwrap()[0];
    let prompt = String::from_utf8_lossy(&asked.body);
    assert!(prompt.contains(PARKING), "the model saw the edit: {prompt}");
    assert!(prompt.contains("shorter"), "{prompt}");
    let last = w.store.draft_versions(d.id).await.unwrap().pop().unwrap();
    assert_eq!(last.how, VersionHow::Ai);
}
