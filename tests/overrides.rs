//! Operators correct the machine, on the record (issue 11, parts 5 and 6): fair-housing flags
//! confirmed or cleared, facts and criterion scores set with a reason, conflicting facts shown,
//! every decision in the audit log with the operator's name. Real Postgres, Postfix and
//! Dovecot; the real binary for the CLI.

mod common;

use common::Cli;
use common::mail::{World, wait_for_mail, world};
use secret_shop::ai::Ai;
use secret_shop::domain::ids::MessageId;
use secret_shop::engine::Engine;
use secret_shop::services::facts::read_reply;

/// A reply that raises one fair-housing flag ("great for singles") and otherwise earns a high
/// score: it names the prospect, offers a tour, asks qualifying questions, signs with contact
/// details.
const FLAGGED_REPLY: &str = "Hi Jane,\r\n\r\nThanks for reaching out! The application fee is $50 \
     and cats are welcome. Honestly the building is great for singles.\r\n\r\nWould you like to \
     schedule a tour this week? When are you looking to move in, and how many people will be \
     living with you?\r\n\r\nMaria Lopez\r\nLeasing Manager, The Grove\r\n(512) 555-0100";

/// The world's inquiry sent, the agent's reply (`body`) synced and read; returns the engine and
/// the reply's id.
async fn replied(w: &World, body: &str) -> (Engine, MessageId, String) {
    let engine = w.engine().await;
    let (_, inquiry) = w.approved_inquiry("Two bedrooms").await;
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    let headers = format!("In-Reply-To: <{inquiry}>\r\nReferences: <{inquiry}>\r\n");
    w.agent_sends("Re: Two bedrooms", body, &headers).await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await; // the self copy + the reply
    engine.run_once().await.unwrap();
    let reply = inbound(w).await.remove(0);
    (engine, reply, headers)
}

async fn inbound(w: &World) -> Vec<MessageId> {
    w.store
        .shop_messages(w.shop)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == "inbound")
        .map(|m| m.id)
        .collect()
}

fn cli_as(w: &World, operator: &str) -> Cli {
    let mut cli = Cli::new(&w.url);
    cli.set("SECRET_SHOP_OPERATOR", operator);
    cli
}

#[tokio::test]
async fn a_confirmed_flag_keeps_the_cap_and_a_cleared_one_regrades() {
    let w = world().await;
    replied(&w, FLAGGED_REPLY).await;
    let cli = cli_as(&w, "maria");
    let shop = w.shop.to_string();
    let graded = cli.json(&["shop", "grade", &shop, "--json"]);
    let flags = graded["fair_housing_flags"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{graded:#}");
    assert_eq!(graded["total"], 50.0, "capped: {graded:#}");
    let uncapped: f64 = graded["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["score"].as_f64().unwrap())
        .sum();
    assert!(
        uncapped > 50.0,
        "the reply earns more than the cap: {graded:#}"
    );
    let listed = cli.ok(&["grade", "flags", &shop]);
    assert!(
        listed.contains("1. \u{201c}") && listed.contains("awaiting an operator"),
        "{listed}"
    );

    // Confirmed: the cap stays, and no longer awaits review; a re-grade keeps the verdict.
    let out = cli.ok(&[
        "grade", "flag", "confirm", &shop, "1", "--reason", "steering",
    ]);
    assert!(out.contains("flag 1 confirmed"), "{out}");
    let g = cli.json(&["shop", "grade", &shop, "--json"]);
    assert_eq!(g["total"], 50.0, "{g:#}");
    assert_eq!(g["needs_review"], false, "{g:#}");
    assert_eq!(g["flag_decisions"][0]["verdict"], "confirmed");
    assert_eq!(g["flag_decisions"][0]["operator"], "maria");

    // Cleared: graded again without the cap, and a later re-grade keeps it so.
    let no_reason = cli.run(&["grade", "flag", "clear", &shop, "1", "--reason", " "]);
    assert!(!no_reason.status.success(), "clearing needs a reason");
    cli.ok(&[
        "grade",
        "flag",
        "clear",
        &shop,
        "1",
        "--reason",
        "describes the floor plan, not residents",
    ]);
    let cleared = cli.json(&["grade", "flags", &shop, "--json"]);
    assert_eq!(cleared["total"].as_f64(), Some(uncapped), "{cleared:#}");
    let g = cli.json(&["shop", "grade", &shop, "--json"]);
    assert_eq!(
        g["total"].as_f64(),
        Some(uncapped),
        "a re-grade keeps the verdict"
    );
    assert_eq!(g["flag_decisions"][0]["verdict"], "cleared");

    // The report says who cleared which statement and why.
    let md = cli.ok(&["report", "shop", &shop, "--format", "md"]);
    assert!(
        md.contains("cleared by maria") && md.contains("describes the floor plan, not residents"),
        "{md}"
    );
}

#[tokio::test]
async fn an_override_survives_re_extraction() {
    let w = world().await;
    let (_engine, reply, _) = replied(
        &w,
        "Hi Jane, the application fee is $50 and cats are welcome.\r\nMaria",
    )
    .await;
    let cli = cli_as(&w, "maria");
    let shop = w.shop.to_string();
    let machine = |facts: &[secret_shop::store::FactRow]| {
        facts
            .iter()
            .find(|f| f.field_path == "application_fee" && f.superseded_by.is_none())
            .map(|f| f.value.as_f64().unwrap())
    };
    assert_eq!(
        machine(&w.store.shop_facts(w.shop).await.unwrap()),
        Some(50.0)
    );
    let out = cli.ok(&[
        "fact",
        "set",
        &shop,
        "application_fee",
        "$45",
        "--reason",
        "the agent corrected it by phone",
    ]);
    assert!(out.contains("was $50"), "{out}");

    // Reading the reply again (as a re-run of the analysis does) leaves the override alone.
    read_reply(&w.store, &Ai::offline(), reply).await.unwrap();
    read_reply(&w.store, &Ai::offline(), reply).await.unwrap();
    assert_eq!(
        machine(&w.store.shop_facts(w.shop).await.unwrap()),
        Some(50.0),
        "the machine's value is kept"
    );
    let decisions = w.store.decisions(w.shop).await.unwrap();
    let o = decisions
        .fact("application_fee")
        .expect("the override stands");
    assert_eq!(
        (o.value.as_f64(), o.operator.as_str()),
        (Some(45.0), "maria")
    );

    let shown = cli.ok(&["shop", "show", &shop]);
    assert!(
        shown.contains("$45")
            && shown.contains("adjusted by maria")
            && shown.contains("machine: $50"),
        "{shown}"
    );
    let report = cli.json(&["report", "shop", &shop, "--format", "json"]);
    let fee = report["summary"]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "application_fee")
        .expect("the fee in the report")
        .clone();
    assert_eq!(fee["value"].as_f64(), Some(45.0), "{fee:#}");
    assert_eq!(fee["adjusted"]["by"], "maria", "{fee:#}");
    assert_eq!(
        fee["adjusted"]["machine_value"].as_f64(),
        Some(50.0),
        "{fee:#}"
    );
    let md = cli.ok(&["report", "shop", &shop, "--format", "md"]);
    assert!(
        md.contains("adjusted by maria: the agent corrected it by phone"),
        "{md}"
    );
}

#[tokio::test]
async fn a_criterion_override_survives_re_grading() {
    let w = world().await;
    replied(&w, FLAGGED_REPLY).await;
    let cli = cli_as(&w, "maria");
    let shop = w.shop.to_string();
    cli.ok(&["shop", "grade", &shop]);
    cli.ok(&[
        "grade",
        "flag",
        "clear",
        &shop,
        "1",
        "--reason",
        "not about residents",
    ]);
    let before = cli.json(&["shop", "grade", &shop, "--json"]);
    let machine = before["criteria"][0]["score"].as_f64().unwrap();
    assert_eq!(before["criteria"][0]["key"], "responsiveness");
    assert!(machine > 5.0, "{before:#}");
    let bad = cli.run(&[
        "grade",
        "set",
        &shop,
        "responsiveness",
        "26",
        "--reason",
        "x",
    ]);
    assert!(!bad.status.success(), "above the weight is refused");
    cli.ok(&[
        "grade",
        "set",
        &shop,
        "responsiveness",
        "5",
        "--reason",
        "answered only after a call",
    ]);
    for _ in 0..2 {
        let g = cli.json(&["shop", "grade", &shop, "--json"]);
        let c = &g["criteria"][0];
        assert_eq!(c["score"], 5.0, "{g:#}");
        assert_eq!(
            c["adjusted"]["machine_score"].as_f64(),
            Some(machine),
            "{g:#}"
        );
        assert_eq!(c["adjusted"]["by"], "maria");
        let sum: f64 = g["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["score"].as_f64().unwrap())
            .sum();
        assert!((g["total"].as_f64().unwrap() - sum).abs() < 0.05, "{g:#}");
        assert!(
            (before["total"].as_f64().unwrap() - g["total"].as_f64().unwrap() - (machine - 5.0))
                .abs()
                < 0.05
        );
    }
    let md = cli.ok(&["report", "shop", &shop, "--format", "md"]);
    assert!(
        md.contains("adjusted by maria: answered only after a call"),
        "{md}"
    );
}

#[tokio::test]
async fn conflicting_facts_show_as_a_conflict() {
    let w = world().await;
    let (engine, _, headers) = replied(
        &w,
        "Hi Jane, the application fee is $45 and cats are welcome.\r\nMaria",
    )
    .await;
    w.agent_sends(
        "Re: Two bedrooms",
        "Sorry Jane, I misspoke: the application fee is $50.\r\nMaria",
        &headers,
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 3).await;
    engine.run_once().await.unwrap();
    assert_eq!(inbound(&w).await.len(), 2);
    let facts = w.store.shop_facts(w.shop).await.unwrap();
    let fees: Vec<_> = facts
        .iter()
        .filter(|f| f.field_path == "application_fee")
        .collect();
    assert_eq!(fees.len(), 2, "both values are kept: {fees:?}");
    // Reading the first reply again does not bring $45 back over the later $50.
    let first = inbound(&w).await[0];
    read_reply(&w.store, &Ai::offline(), first).await.unwrap();
    let facts = w.store.shop_facts(w.shop).await.unwrap();
    let current: Vec<_> = facts
        .iter()
        .filter(|f| f.field_path == "application_fee" && f.superseded_by.is_none())
        .map(|f| f.value.as_f64().unwrap())
        .collect();
    assert_eq!(current, [50.0]);
    assert_eq!(
        facts
            .iter()
            .filter(|f| f.field_path == "application_fee")
            .count(),
        2
    );

    let cli = Cli::new(&w.url);
    let shop = w.shop.to_string();
    let shown = cli.ok(&["shop", "show", &shop]);
    let line = shown
        .lines()
        .find(|l| l.contains("application_fee"))
        .expect("the fee on the sheet");
    assert!(
        line.contains("$50") && line.contains("CONFLICT") && line.contains("$45"),
        "{shown}"
    );
    let md = cli.ok(&["report", "shop", &shop, "--format", "md"]);
    let row = md
        .lines()
        .find(|l| l.starts_with("| Application fee"))
        .expect("the fee in the report");
    assert!(
        row.contains("$50") && row.contains("conflict") && row.contains("$45"),
        "{row}"
    );
    let json = cli.json(&["report", "shop", &shop, "--format", "json"]);
    let fee = json["summary"]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "application_fee")
        .unwrap()
        .clone();
    assert_eq!(fee["conflict"], true, "{fee:#}");
}

#[tokio::test]
async fn every_decision_is_in_the_audit_log_with_the_operators_name() {
    let w = world().await;
    replied(&w, FLAGGED_REPLY).await;
    let maria = cli_as(&w, "maria");
    let bob = cli_as(&w, "bob");
    let shop = w.shop.to_string();
    maria.ok(&["shop", "grade", &shop]);
    maria.ok(&["grade", "flag", "confirm", &shop, "1"]);
    bob.ok(&[
        "grade",
        "flag",
        "clear",
        &shop,
        "1",
        "--reason",
        "a floor plan, not people",
    ]);
    bob.ok(&[
        "fact",
        "set",
        &shop,
        "pet_policy",
        "cats only",
        "--reason",
        "asked on the phone",
    ]);
    maria.ok(&[
        "grade",
        "set",
        &shop,
        "professionalism",
        "10",
        "--reason",
        "rude on the phone",
    ]);

    let log = maria.json(&["audit", "--shop", &shop, "--json"]);
    let find = |action: &str| -> serde_json::Value {
        log.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {log:#}"))
            .clone()
    };
    let confirm = find("confirm_flag");
    assert_eq!(confirm["operator"], "maria");
    assert_eq!(confirm["detail"]["after"]["verdict"], "confirmed");
    let clear = find("clear_flag");
    assert_eq!(clear["operator"], "bob");
    assert_eq!(clear["detail"]["before"]["verdict"], "confirmed");
    assert_eq!(clear["detail"]["after"]["verdict"], "cleared");
    assert_eq!(clear["detail"]["reason"], "a floor plan, not people");
    assert!(
        clear["detail"]["after"]["total"].as_f64() > clear["detail"]["before"]["total"].as_f64(),
        "{clear:#}"
    );
    let fact = find("override_fact");
    assert_eq!(fact["operator"], "bob");
    assert_eq!(fact["detail"]["after"], "cats only");
    assert_eq!(fact["detail"]["reason"], "asked on the phone");
    let criterion = find("override_criterion");
    assert_eq!(criterion["operator"], "maria");
    assert_eq!(criterion["detail"]["after"]["score"], 10.0);
    assert_eq!(criterion["detail"]["reason"], "rude on the phone");

    // The shop report's appendix lists them.
    let md = maria.ok(&["report", "shop", &shop, "--format", "md"]);
    let appendix = &md[md.find("## Decisions").expect("an appendix of decisions")..];
    for want in [
        "confirmed fair-housing flag",
        "cleared fair-housing flag",
        "a floor plan, not people",
        "pet_policy set to cats only",
        "Professionalism set to 10",
        "bob",
        "maria",
    ] {
        assert!(appendix.contains(want), "{want:?} not in {appendix}");
    }
}

/// A value an operator sets answers the checklist item: the planner does not ask for it again.
#[tokio::test]
async fn an_operators_fact_counts_as_answered_for_the_planner() {
    let w = world().await;
    sqlx::query("UPDATE shops SET required_fields = $2 WHERE id = $1")
        .bind(w.shop)
        .bind(vec!["application_fee".to_string(), "parking".to_string()])
        .execute(w.store.pool())
        .await
        .unwrap();
    replied(&w, "Hi Jane, the application fee is $50.\r\nMaria").await;
    let known = w.store.plan_state(w.shop).await.unwrap().known;
    assert!(!known.contains(&"parking".to_string()), "{known:?}");
    cli_as(&w, "maria").ok(&[
        "fact",
        "set",
        &w.shop.to_string(),
        "parking",
        "covered spots at $75 a month",
        "--reason",
        "told us on the phone",
    ]);
    let known = w.store.plan_state(w.shop).await.unwrap().known;
    assert!(
        known.contains(&"parking".to_string()) && known.contains(&"application_fee".to_string()),
        "{known:?}"
    );
}
