//! The whole shop loop through the real binary against real Postgres, Postfix and Dovecot:
//! start a shop → inquiry drafted → approved → sent → the demo agent answers (a partial answer)
//! → synced → facts read → a follow-up drafted for what is missing → approved → the full answer →
//! completed → graded → reports in every format. Once with the offline AI, once with the live
//! llama.cpp server.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

struct Loop {
    env: HashMap<String, String>,
    config: tempfile::NamedTempFile,
}

impl Loop {
    async fn new(ai: &str) -> Loop {
        let (_store, url) = common::fresh_database().await;
        let domain = format!("l{}.test", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let env = common::mail::world_env(&url, &domain);
        let config = tempfile::NamedTempFile::new().unwrap();
        // Follow up at once after a reply; the rest as shipped.
        std::fs::write(
            config.path(),
            format!("[follow_up]\nfollow_up_after_reply_hours = 0\nmax_follow_ups = 2\n\n{ai}"),
        )
        .unwrap();
        Loop { env, config }
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_secret-shop"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .envs(&self.env)
            .arg("--config")
            .arg(self.config.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "secret-shop {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    }

    /// Three demo-style properties (the demo agent answers each in its own manner: the third
    /// gives a partial answer first) and one persona; returns (target, persona).
    fn set_up(&self) -> (String, String) {
        let mut target = String::new();
        for (i, name) in ["Oak Park", "Birch Hill", "Summit Ridge"]
            .iter()
            .enumerate()
        {
            let out = self.run(&[
                "target",
                "add",
                "--name",
                name,
                "--email",
                // Dovecot keeps one mailbox per domain: one domain per property.
                &format!(
                    "leasing{i}@p{}.test",
                    &uuid::Uuid::new_v4().simple().to_string()[..10]
                ),
                "--time-zone",
                "America/Chicago",
                "--manager",
                "Greystar",
            ]);
            target = out
                .split_whitespace()
                .nth(2)
                .expect("added target N (...)")
                .to_string();
        }
        self.run(&["persona", "template", "add", "renter"]);
        let p = self.json(&["persona", "generate", "--template", "renter", "--json"]);
        (target, p[0]["id"].to_string())
    }

    fn shop(&self, id: &str) -> Value {
        self.json(&["shop", "show", id, "--json"])
    }
}

/// Turns the crank: worker, demo agent, approving whatever awaits review, until the shop is
/// finished. Returns the kinds of the drafts approved, in order.
fn drive(l: &Loop, shop: &str, rounds: usize) -> Vec<String> {
    let mut approved = Vec::new();
    for _ in 0..rounds {
        for d in l.json(&["draft", "list", "--json"]).as_array().unwrap() {
            approved.push(d["kind"].as_str().unwrap().to_string());
            l.run(&["draft", "approve", &d["id"].to_string()]);
        }
        l.run(&["worker", "--once"]);
        l.run(&["demo", "agent", "--once"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        l.run(&["worker", "--once"]);
        let status = l.shop(shop)["shop"]["status"].as_str().unwrap().to_string();
        if ["completed", "timed_out", "blocked", "failed"].contains(&status.as_str()) {
            return approved;
        }
    }
    panic!(
        "the shop did not finish in {rounds} rounds: {:#}",
        l.shop(shop)
    );
}

fn reports(l: &Loop, shop: &str, dir: &Path) -> HashMap<&'static str, String> {
    let mut out = HashMap::new();
    for format in ["md", "html", "csv", "json"] {
        let file = dir.join(format!("shop.{format}"));
        l.run(&[
            "report",
            "shop",
            shop,
            "--format",
            format,
            "--out",
            file.to_str().unwrap(),
        ]);
        out.insert(format, std::fs::read_to_string(&file).unwrap());
    }
    out
}

#[tokio::test]
async fn the_shop_loop_runs_end_to_end_with_the_offline_ai() {
    let l = Loop::new("").await;
    let (target, persona) = l.set_up();
    let started = l.json(&[
        "shop",
        "start",
        "--target",
        &target,
        "--persona",
        &persona,
        "--require",
        "application_fee,pet_policy,floor_plans",
        "--json",
    ]);
    let shop = started["shop"]["id"].to_string();
    assert_eq!(started["shop"]["status"], "awaiting_review");
    let inquiry = l.run(&["draft", "show", &started["draft"]["id"].to_string()]);
    assert!(inquiry.contains("Summit Ridge"), "{inquiry}");

    let approved = drive(&l, &shop, 8);
    assert_eq!(
        approved,
        ["inquiry", "follow_up"],
        "one follow-up for the gaps"
    );
    let s = l.shop(&shop);
    assert_eq!(s["shop"]["status"], "completed", "{s:#}");
    assert_eq!(s["shop"]["status_reason"], "checklist complete");
    let messages = s["messages"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = messages
        .iter()
        .map(|m| {
            (
                m["direction"].as_str().unwrap(),
                m["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("outbound", "inquiry"),
            ("inbound", "response"),
            ("outbound", "follow_up"),
            ("inbound", "response")
        ]
    );
    // The follow-up asked for what the partial answer left out.
    let follow = &messages[2]["body_text"].as_str().unwrap().to_lowercase();
    assert!(follow.contains("pet") && follow.contains("fee"), "{follow}");
    let fact = |path: &str| {
        s["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field_path"] == path && f["superseded_by"].is_null())
            .map(|f| f["value"].clone())
    };
    assert_eq!(fact("application_fee"), Some(serde_json::json!(50)));
    assert!(s["grade"]["total"].as_f64().unwrap() > 0.0);
    assert!(s["metrics"]["first_response_minutes"].is_number());

    let dir = tempfile::tempdir().unwrap();
    let r = reports(&l, &shop, dir.path());
    assert!(
        r["md"].contains("Summit Ridge") && r["md"].contains("$50"),
        "{}",
        r["md"]
    );
    assert!(r["html"].contains("<svg") && r["html"].contains("Summit Ridge"));
    let json: Value = serde_json::from_str(&r["json"]).unwrap();
    assert!(json["schema_version"].is_number() || json["schema_version"].is_string());
    let mut csv = csv::Reader::from_reader(r["csv"].as_bytes());
    assert!(csv.records().count() > 3);
    let portfolio = l.run(&["report", "portfolio", "--format", "csv"]);
    assert!(portfolio.contains("Summit Ridge"), "{portfolio}");
}

/// The same loop with a real model server: structure, not meaning (a 135M model reads loosely).
#[tokio::test]
async fn the_shop_loop_runs_end_to_end_with_the_live_llama_server() {
    let base = common::service_env("SECRET_SHOP_LLM_BASE_URL");
    let model = common::service_env("SECRET_SHOP_LLM_MODEL");
    let l = Loop::new(&format!(
        "[ai]\nprovider = \"openai\"\nbase_url = \"{base}\"\nmodel = \"{model}\"\n\
         request_timeout_secs = 240\nmax_retries = 1\ntemperature = 0.2\n"
    ))
    .await;
    let (target, persona) = l.set_up();
    let started = l.json(&[
        "shop",
        "start",
        "--target",
        &target,
        "--persona",
        &persona,
        "--require",
        "application_fee,pet_policy",
        "--json",
    ]);
    let shop = started["shop"]["id"].to_string();
    let approved = drive(&l, &shop, 10);
    assert_eq!(approved.first().map(String::as_str), Some("inquiry"));
    let s = l.shop(&shop);
    assert!(s["grade"]["total"].is_number(), "graded: {s:#}");
    let replies: Vec<&Value> = s["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "inbound")
        .collect();
    assert!(!replies.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let r = reports(&l, &shop, dir.path());
    assert!(r["html"].contains("<svg"));
    serde_json::from_str::<Value>(&r["json"]).unwrap();
}
