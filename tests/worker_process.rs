//! The real `secret-shop worker` process, killed at the worst moments: nothing is lost and
//! nothing happens twice.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::mail::{World, count_inbound, mailbox_contents, wait_for_mail, wait_until, world};
use secret_shop::domain::message::DraftStatus;

/// The real binary with exactly these variables (no user config).
fn binary(env: &HashMap<String, String>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_secret-shop"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("no-such-config"),
        )
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn worker(w: &World, args: &[&str], extra: &[(&str, &str)]) -> Command {
    let mut cmd = binary(&w.env, &[&["worker"], args].concat());
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd
}

/// The process dies after the SMTP server accepted the message and before anything was
/// recorded. The restarted worker finds the copy and does not send again.
#[tokio::test]
async fn a_crash_between_smtp_accept_and_mark_sent_sends_exactly_once() {
    let w = world().await;
    let (id, _) = w.approved_inquiry("exactly once").await;
    let crashed = worker(
        &w,
        &["--once"],
        &[("SECRET_SHOP_FAULT", "abort-after-smtp-accept")],
    )
    .output()
    .unwrap();
    assert!(
        !crashed.status.success(),
        "the fault switch aborts the process"
    );
    assert_eq!(wait_for_mail(&w.agent_address(), 1).await.len(), 1);
    let m = w.store.message(id).await.unwrap();
    assert_eq!(
        m.status,
        Some(DraftStatus::Sending),
        "nothing recorded before the crash"
    );

    // Time passes: the dead sender's lease runs out.
    sqlx::query("UPDATE messages SET send_lease_until = now() - interval '1 second' WHERE id = $1")
        .bind(id)
        .execute(w.store.pool())
        .await
        .unwrap();
    let out = worker(&w, &["--once"], &[]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        w.store.message(id).await.unwrap().status,
        Some(DraftStatus::Sent)
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        mailbox_contents(&w.agent_address()).await.len(),
        1,
        "exactly one copy reached the agent"
    );
}

/// Killed (SIGKILL) in the middle of a long sync, then restarted: every message once.
#[tokio::test]
async fn killed_mid_sync_and_restarted_nothing_missing_nothing_twice() {
    let w = world().await;
    const N: usize = 2000;
    let mut s = w.imap_ours().await;
    s.select("INBOX").await.unwrap();
    for i in 0..N {
        let m = format!(
            "From: agent{i}@x.test\r\nTo: {}\r\nSubject: msg {i}\r\nMessage-ID: <k{i}-{}@x.test>\r\n\r\n{}\r\n",
            w.persona.email,
            w.persona_domain,
            "Thanks for reaching out about the apartment. ".repeat(40)
        );
        s.append("INBOX", None, None, m.as_bytes()).await.unwrap();
    }
    let mut child = worker(&w, &[], &[]).spawn().unwrap();
    let started = wait_until(Duration::from_secs(30), || async {
        count_inbound(&w.store).await > 0
    })
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        started.is_some(),
        "the worker stored something before the kill"
    );
    let at_kill = count_inbound(&w.store).await;
    eprintln!("{at_kill} of {N} stored when killed");

    let out = worker(&w, &["--once"], &[]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count_inbound(&w.store).await as usize, N);
    let distinct: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'inbound'",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(distinct as usize, N);
}

/// SIGTERM stops a running worker cleanly.
#[tokio::test]
async fn sigterm_stops_the_worker_cleanly() {
    let w = world().await;
    let mut child = worker(&w, &[], &[]).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

/// The demo loop a new user sees from scripts/run: demo data, the worker sends the approved
/// inquiry, the demo agent answers, the worker brings the answer in, threaded to its shop.
#[tokio::test]
async fn demo_data_agent_and_worker_make_one_turn_of_the_loop() {
    let (store, url) = common::fresh_database().await;
    let domain = format!("d{}.test", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let env = common::mail::world_env(&url, &domain);
    let run = |args: &[&str]| {
        let mut cmd = binary(&env, args);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(run(&["demo"]).contains("11 shops"));
    assert!(run(&["worker", "--once"]).contains("1 sent"));
    let mut answered = false;
    for _ in 0..40 {
        if run(&["demo", "agent", "--once"]).contains("answered 1") {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(answered, "the demo agent answered the inquiry");
    let stored = wait_until(Duration::from_secs(10), || async {
        run(&["worker", "--once"]);
        count_inbound(&store).await > 0
    })
    .await;
    assert!(stored.is_some(), "the reply came in");
    let inbox = run(&["inbox", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&inbox).unwrap();
    assert_eq!(rows[0]["shop_id"], 1, "{inbox}");
    assert!(
        rows[0]["body_text"]
            .as_str()
            .unwrap()
            .contains("Application fee: $50")
    );
    let overview = run(&[]);
    assert!(overview.contains("Latest inbound mail"), "{overview}");
    assert!(overview.contains("shop 1"), "{overview}");
}

/// The shop loop from the command line: start (inquiry drafted), the review queue, a burnt
/// persona refused, reject, approve, send, show, grade.
#[tokio::test]
async fn the_shop_loop_through_the_cli() {
    let (_store, url) = common::fresh_database().await;
    let domain = format!("c{}.test", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let agent = format!(
        "leasing@a{}.test",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let env = common::mail::world_env(&url, &domain);
    let run = |args: &[&str]| binary(&env, args).output().unwrap();
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&ok(args)).unwrap() };
    ok(&[
        "target",
        "add",
        "--name",
        "The Grove",
        "--email",
        &agent,
        "--manager",
        "Greystar",
    ]);
    ok(&["persona", "template", "add", "pro"]);
    ok(&["persona", "generate", "--template", "pro"]);

    let started = json(&["shop", "start", "--target", "1", "--persona", "1", "--json"]);
    assert_eq!(started["shop"]["status"], "awaiting_review");
    let draft = started["draft"]["id"].as_i64().unwrap().to_string();
    assert_eq!(
        json(&["draft", "list", "--json"])[0]["id"].to_string(),
        draft
    );

    let burnt = run(&["shop", "start", "--target", "1", "--persona", "1"]);
    assert!(!burnt.status.success());
    assert!(String::from_utf8_lossy(&burnt.stderr).contains("already shopped"));

    ok(&["draft", "reject", &draft, "--reason", "too formal"]);
    assert_eq!(
        json(&["shop", "show", "1", "--json"])["shop"]["status"],
        "new"
    );

    let again = json(&[
        "shop",
        "start",
        "--target",
        "1",
        "--persona",
        "1",
        "--force",
        "--json",
    ]);
    let draft = again["draft"]["id"].as_i64().unwrap().to_string();
    let shop = again["shop"]["id"].as_i64().unwrap().to_string();
    ok(&["draft", "approve", &draft]);
    assert!(ok(&["worker", "--once"]).contains("1 sent"));
    assert_eq!(common::mail::wait_for_mail(&agent, 1).await.len(), 1);
    let shown = json(&["shop", "show", &shop, "--json"]);
    assert_eq!(shown["shop"]["status"], "awaiting_reply");
    assert_eq!(shown["messages"][0]["status"], "sent");
    let grade = json(&["shop", "grade", &shop, "--json"]);
    assert_eq!(grade["criteria"].as_array().unwrap().len(), 4);
    assert_eq!(grade["total"], 0.0, "no reply yet: nothing earned");
}

fn signal(pid: u32, sig: &str) {
    assert!(
        Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
            .success(),
        "kill {sig} {pid}"
    );
}

/// Who holds the sync lease of the world's mailbox (`host:pid`), if anyone.
async fn sync_holder(w: &World) -> Option<String> {
    sqlx::query_scalar(
        "SELECT holder FROM leases WHERE name LIKE 'mailbox:%' AND expires_at > now() LIMIT 1",
    )
    .fetch_optional(w.store.pool())
    .await
    .unwrap()
}

/// Defect 4: a worker stopped with SIGSTOP (a suspended laptop, a frozen process) kept the
/// mailbox's advisory lock, and no mail was stored until it was killed. Now its lease lapses
/// and another process takes the sync over within seconds; woken up, the old holder stands
/// down and nothing is stored twice.
#[tokio::test]
async fn a_stopped_sync_holder_is_replaced_within_seconds() {
    let w = world().await;
    let mut frozen = worker(&w, &[], &[]).spawn().unwrap();
    let frozen_pid = frozen.id();
    let held = wait_until(Duration::from_secs(30), || async {
        sync_holder(&w)
            .await
            .is_some_and(|h| h.ends_with(&format!(":{frozen_pid}")))
    })
    .await;
    assert!(held.is_some(), "the first worker takes the sync lease");
    signal(frozen_pid, "-STOP");

    let mut other = worker(&w, &[], &[]).spawn().unwrap();
    let other_pid = other.id();
    w.agent_sends("Re: the apartment", "Yes, it is available.", "")
        .await;
    let took = wait_until(Duration::from_secs(30), || async {
        count_inbound(&w.store).await == 1
    })
    .await;
    let holder = sync_holder(&w).await;
    signal(frozen_pid, "-CONT");
    let took = took.expect("the reply is stored while the first worker is stopped");
    eprintln!("reply stored {took:?} after the holder froze");
    assert!(
        holder.is_some_and(|h| h.ends_with(&format!(":{other_pid}"))),
        "the second worker holds the lease"
    );

    // The old holder wakes up: the next reply is stored once, not by both.
    w.agent_sends("Re: the apartment", "Parking is $50.", "")
        .await;
    let second = wait_until(Duration::from_secs(30), || async {
        count_inbound(&w.store).await >= 2
    })
    .await;
    assert!(second.is_some(), "the second reply is stored");
    let settle = count_inbound(&w.store).await;
    let distinct: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT (imap_folder, imap_uidvalidity, imap_uid)) FROM messages \
         WHERE direction = 'inbound'",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!((settle, distinct), (2, 2), "each reply stored once");
    for child in [&mut frozen, &mut other] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
