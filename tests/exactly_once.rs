//! Nothing lost, nothing sent twice, under the faults a chaos run found (issue 10): each test
//! reproduces one defect against the real Postgres, Postfix and Dovecot.

mod common;

use std::time::{Duration, Instant};

use common::cut::cuttable_session;
use common::mail::{World, mailbox_contents, wait_for_mail, wait_until, world};
use common::{Cli, stderr};
use secret_shop::domain::ids::MessageId;
use secret_shop::domain::message::{DraftStatus, MessageKind};
use secret_shop::domain::outbox::WaitReason;
use secret_shop::domain::persona::NewPersona;
use secret_shop::domain::shop::ShopStatus;
use secret_shop::mail::imap_ops::folder_has_message_id;
use secret_shop::store::EntityType;
use tokio_util::sync::CancellationToken;

/// A port on loopback where nothing listens (a server that is down).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn sql(w: &World, q: &str, id: MessageId) {
    sqlx::query(sqlx::AssertSqlSafe(q.to_string()))
        .bind(id)
        .execute(w.store.pool())
        .await
        .unwrap();
}

/// The sender died after the SMTP server took the message and before it recorded anything.
async fn crash_after_smtp_accept(w: &World, id: MessageId) {
    sql(
        w,
        "UPDATE messages SET status = 'sending', sent_at = NULL, sent_copy_filed = false,
                smtp_started_at = now() - interval '2 minutes',
                send_lease_until = now() - interval '1 second'
         WHERE id = $1",
        id,
    )
    .await;
}

async fn sent_folder_count(w: &World) -> u32 {
    let mut s = w.imap_ours().await;
    match s.examine("Sent").await {
        Ok(m) => m.exists,
        Err(_) => 0,
    }
}

/// Defect 1: a check through a dead IMAP session (Dovecot restarted under the sender) read as
/// "not in Sent, not in the inbox", and the message went out a second time.
#[tokio::test]
async fn a_check_that_cannot_run_never_counts_as_not_sent() {
    let w = world().await;
    let engine = w.engine().await;
    let (id, message_id) = w.approved_inquiry("exactly once").await;
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    assert_eq!(wait_for_mail(&w.agent_address(), 1).await.len(), 1);
    // The copy the envelope sends the persona is in our inbox, as after any real send.
    let ours = format!("ops@{}", w.persona_domain);
    wait_until(Duration::from_secs(10), || async {
        let mut s = w.imap_ours().await;
        folder_has_message_id(&mut s, "INBOX", &message_id)
            .await
            .unwrap()
    })
    .await
    .expect("our copy arrives");
    crash_after_smtp_accept(&w, id).await;

    // The sender's session died with the server.
    let (mut dead, cut) = cuttable_session(&ours).await;
    cut.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(
        folder_has_message_id(&mut dead, "Sent", &message_id)
            .await
            .is_err(),
        "a dead session is an error, not 'not there'"
    );
    let mut imap = Some((ours.clone(), dead));
    let r = engine.sender.pass(&mut imap).await.unwrap();
    assert_eq!(r.sent, 0, "{r:?}");
    assert!(r.server_trouble.is_some(), "{r:?}");
    let m = w.store.message(id).await.unwrap();
    assert_eq!(m.status, Some(DraftStatus::Queued), "it waits: {m:?}");
    assert_eq!(m.wait_reason, Some(WaitReason::Checking));
    assert_eq!(m.attempts, 1, "a check is not an attempt");

    // A live session finds the copy: sent, once.
    let r = engine.sender.pass(&mut None).await.unwrap();
    assert_eq!((r.sent, r.found_already_sent), (0, 1), "{r:?}");
    assert_eq!(
        w.store.message(id).await.unwrap().status,
        Some(DraftStatus::Sent)
    );
    assert_eq!(mailbox_contents(&w.agent_address()).await.len(), 1);

    // A folder the server says does not exist holds nothing (and that is an answer).
    let mut live = w.imap_ours().await;
    assert!(
        !folder_has_message_id(&mut live, "No Such Folder", &message_id)
            .await
            .unwrap()
    );
}

/// Defect 2: one agent mail to two personas of the same property (two copies, one
/// Message-ID) was stored once, and one shop was graded "no reply".
#[tokio::test]
async fn one_mail_to_two_personas_is_two_copies_each_threaded_to_its_shop() {
    let w = world().await;
    let sam = w
        .store
        .insert_personas(
            &w.actor,
            &[NewPersona {
                first_name: "Sam".into(),
                last_name: "Lee".into(),
                email: format!("sam.lee@{}", w.persona_domain),
                ..serde_json::from_value(serde_json::json!({
                    "template_id": null, "first_name": "", "last_name": "", "email": "",
                    "phone": "", "rental_budget": 1800, "bedrooms": 2, "bathrooms": 1.0,
                    "preferences": "", "pets": "none", "credit_score": 700, "monthly_income": 6000,
                    "additional_occupants": "", "rental_history": "", "writing_style": "",
                    "move_in_date": null
                }))
                .unwrap()
            }],
        )
        .await
        .unwrap()
        .remove(0);
    let sam_shop = w
        .store
        .create_shop(&w.actor, w.target.id, sam.id, &[])
        .await
        .unwrap()
        .id;
    let engine = w.engine().await;
    let (_, jane_inquiry) = w.approved_inquiry("2 bedrooms?").await;
    let d = w
        .draft_for(
            sam_shop,
            MessageKind::Inquiry,
            "2 bedrooms too?",
            "Hi, Sam here.",
        )
        .await;
    w.store
        .approve_draft(&w.actor, d.id, d.version)
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().send.sent, 2);

    // The agent answers both in one mail that quotes only Jane's inquiry.
    let reply_id = format!("{}@{}", uuid::Uuid::new_v4().simple(), w.agent_domain);
    let raw = format!(
        "From: Leasing <{agent}>\r\nTo: {jane}, {sam}\r\nSubject: Re: 2 bedrooms\r\n\
         Message-ID: <{reply_id}>\r\nIn-Reply-To: <{jane_inquiry}>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 -0600\r\n\r\nYes, both of you: $1,650 a month.\r\n",
        agent = w.agent_address(),
        jane = w.persona.email,
        sam = sam.email,
    );
    common::mail::smtp_send_raw(
        &w.agent_address(),
        &[w.persona.email.clone(), sam.email.clone()],
        raw.as_bytes(),
    )
    .await;
    let ours = format!("ops@{}", w.persona_domain);
    wait_until(Duration::from_secs(10), || async {
        mailbox_contents(&ours)
            .await
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains(&reply_id))
            .count()
            == 2
    })
    .await
    .expect("two copies delivered");
    engine.run_once().await.unwrap();

    let copies: Vec<(Option<i64>, Vec<u8>)> = sqlx::query_as(
        "SELECT shop_id, raw FROM messages WHERE message_id = $1 AND direction = 'inbound'
         ORDER BY shop_id",
    )
    .bind(&reply_id)
    .fetch_all(w.store.pool())
    .await
    .unwrap();
    assert_eq!(copies.len(), 2, "both copies are kept");
    let mut shops: Vec<i64> = copies.iter().filter_map(|c| c.0).collect();
    shops.sort();
    let mut want = vec![w.shop.0, sam_shop.0];
    want.sort();
    assert_eq!(shops, want, "each copy threads to its own persona's shop");
    assert!(
        copies
            .iter()
            .all(|(_, raw)| String::from_utf8_lossy(raw).contains("$1,650 a month.")),
        "each copy keeps its bytes"
    );
    for shop in [w.shop, sam_shop] {
        assert_eq!(
            w.store.shop(shop).await.unwrap().status,
            ShopStatus::Replied,
            "shop {shop} heard the answer"
        );
    }

    // A different message that reuses a Message-ID keeps its own bytes.
    let stranger = |body: &str| {
        format!(
            "From: someone@else.test\r\nTo: {}\r\nSubject: hello\r\nMessage-ID: <{reply_id}>\r\n\r\n{body}\r\n",
            w.persona.email
        )
    };
    common::mail::smtp_send_raw(
        "someone@else.test",
        std::slice::from_ref(&w.persona.email),
        stranger("a different message").as_bytes(),
    )
    .await;
    wait_until(Duration::from_secs(10), || async {
        mailbox_contents(&ours)
            .await
            .iter()
            .any(|m| String::from_utf8_lossy(m).contains("a different message"))
    })
    .await
    .expect("delivered");
    engine.run_once().await.unwrap();
    let raws: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT raw FROM messages WHERE message_id = $1 AND direction = 'inbound'",
    )
    .bind(&reply_id)
    .fetch_all(w.store.pool())
    .await
    .unwrap();
    assert_eq!(raws.len(), 3);
    assert!(
        raws.iter()
            .any(|r| String::from_utf8_lossy(r).contains("a different message"))
    );

    // A second sync stores nothing again.
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.sync.unwrap().stored, 0);
}

/// Defect 3: every claim counted as a try, so crashes marked unsent mail "failed: gave up".
/// Only SMTP attempts count; an unknown fate waits for a real check, never for a give-up; an
/// operator can send a failed message again.
#[tokio::test]
async fn crashes_are_not_tries_an_unknown_fate_is_never_given_up_and_failed_mail_can_be_retried() {
    let mut w = world().await;
    let engine = w.engine().await;
    let (id, _) = w.approved_inquiry("claimed many times").await;
    // Twelve senders claim it and die before SMTP.
    for _ in 0..12 {
        let jobs = w
            .store
            .claim_outbound(uuid::Uuid::new_v4(), 5, chrono::Duration::seconds(12))
            .await
            .unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].attempts, 0, "a claim is not an attempt");
        sql(
            &w,
            "UPDATE messages SET send_lease_until = now() - interval '1 second' WHERE id = $1",
            id,
        )
        .await;
    }
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.send.sent, 1, "{r:?}");
    let m = w.store.message(id).await.unwrap();
    assert_eq!((m.status, m.attempts), (Some(DraftStatus::Sent), 1));

    // An attempt broke off and the mailbox cannot be checked: it waits, however long.
    let (id2, _) = w.approved_inquiry("fate unknown").await;
    sql(
        &w,
        "UPDATE messages SET status = 'queued', attempts = 1,
                smtp_started_at = now() - interval '2 minutes' WHERE id = $1",
        id2,
    )
    .await;
    let mut blind = w.config.clone();
    blind.mail.imap.port = closed_port();
    let blind = secret_shop::engine::Engine::new(&blind, w.store.clone())
        .await
        .unwrap();
    for _ in 0..12 {
        let r = blind.sender.pass(&mut None).await.unwrap();
        assert_eq!(r.sent + r.failed, 0, "{r:?}");
        assert!(r.server_trouble.is_some());
    }
    let m = w.store.message(id2).await.unwrap();
    assert_eq!(
        (m.status, m.attempts, m.wait_reason),
        (Some(DraftStatus::Queued), 1, Some(WaitReason::Checking))
    );
    // A check that runs finds no copy, long after the attempt: it did not go, and goes now.
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.send.sent, 1, "{r:?}");
    assert_eq!(wait_for_mail(&w.agent_address(), 2).await.len(), 2);

    // A permanent refusal fails; the operator fixes the address and sends it again.
    w.retarget("leasing@rejected.invalid").await;
    let (id3, _) = w.approved_inquiry("refused").await;
    assert_eq!(engine.run_once().await.unwrap().send.failed, 1);
    let cli = Cli::new(&w.url);
    let out = cli.run(&["draft", "retry", &id.to_string()]);
    assert!(!out.status.success(), "a sent message cannot be retried");
    assert!(stderr(&out).contains("not failed"), "{}", stderr(&out));
    sql(
        &w,
        &format!(
            "UPDATE messages SET to_addrs = ARRAY['{}'] WHERE id = $1",
            w.agent_address()
        ),
        id3,
    )
    .await;
    let said = cli.ok(&["draft", "retry", &id3.to_string()]);
    assert!(said.contains("back in the outbox"), "{said}");
    let m = w.store.message(id3).await.unwrap();
    assert_eq!((m.status, m.attempts), (Some(DraftStatus::Queued), 0));
    let audit = w.store.audit_for(EntityType::Message, id3.0).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "retry" && a.operator == "tester"),
        "{audit:?}"
    );
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    assert_eq!(wait_for_mail(&w.agent_address(), 3).await.len(), 3);
}

/// Defect 5: after a crash (or IMAP down right after SMTP) the copy in Sent was never made.
#[tokio::test]
async fn sent_copies_are_finished_after_a_crash_or_an_imap_outage() {
    let w = world().await;
    let engine = w.engine().await;
    // IMAP is down while the SMTP server takes the message.
    let (id, message_id) = w.approved_inquiry("filed later").await;
    let mut blind = w.config.clone();
    blind.mail.imap.port = closed_port();
    let blind = secret_shop::engine::Engine::new(&blind, w.store.clone())
        .await
        .unwrap();
    let r = blind.sender.pass(&mut None).await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    assert!(
        r.server_trouble.is_some(),
        "it could not file the copy: {r:?}"
    );
    assert_eq!(
        w.store.message(id).await.unwrap().status,
        Some(DraftStatus::Sent)
    );
    assert_eq!(sent_folder_count(&w).await, 0);
    // The next pass files it.
    let r = engine.sender.pass(&mut None).await.unwrap();
    assert_eq!(r.filed_copies, 1, "{r:?}");
    let mut s = w.imap_ours().await;
    assert!(
        folder_has_message_id(&mut s, "Sent", &message_id)
            .await
            .unwrap()
    );

    // A crash between SMTP accept and anything else: the restart finds the inbox copy, marks
    // it sent, and files the Sent copy from the bytes it handed to SMTP.
    let (id2, message_id2) = w.approved_inquiry("crash").await;
    engine.run_once().await.unwrap();
    crash_after_smtp_accept(&w, id2).await;
    // Take the Sent copy away, as if the append had never happened.
    let mut s = w.imap_ours().await;
    s.select("Sent").await.unwrap();
    let uids = s
        .uid_search(format!("HEADER Message-ID \"<{message_id2}>\""))
        .await
        .unwrap();
    assert_eq!(uids.len(), 1);
    let set = uids
        .iter()
        .map(|u| u.to_string())
        .collect::<Vec<_>>()
        .join(",");
    futures::TryStreamExt::try_collect::<Vec<_>>(
        s.uid_store(&set, "+FLAGS (\\Deleted)").await.unwrap(),
    )
    .await
    .unwrap();
    futures::TryStreamExt::try_collect::<Vec<_>>(s.expunge().await.unwrap())
        .await
        .unwrap();
    let r = engine.sender.pass(&mut None).await.unwrap();
    assert_eq!((r.found_already_sent, r.filed_copies), (1, 1), "{r:?}");
    assert!(
        folder_has_message_id(&mut w.imap_ours().await, "Sent", &message_id2)
            .await
            .unwrap()
    );
    assert_eq!(sent_folder_count(&w).await, 2, "each message filed once");
    assert_eq!(mailbox_contents(&w.agent_address()).await.len(), 2);
}

/// Defect 7: with the SMTP server down for a moment, each due message was deferred a minute on
/// its own. A server that cannot be reached is one event; nothing counts as a try.
#[tokio::test]
async fn an_unreachable_smtp_server_is_one_event_and_sending_resumes_at_once() {
    let w = world().await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(w.approved_inquiry(&format!("message {i}")).await.0);
    }
    let mut down = w.config.clone();
    down.mail.smtp.port = closed_port();
    let down = secret_shop::engine::Engine::new(&down, w.store.clone())
        .await
        .unwrap();
    let r = down.sender.pass(&mut None).await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 0), "{r:?}");
    assert!(r.server_trouble.is_some(), "{r:?}");
    for id in &ids {
        let m = w.store.message(*id).await.unwrap();
        assert_eq!(m.attempts, 0, "unreachable is not a try: {m:?}");
        assert!(
            m.next_attempt_at
                .is_none_or(|t| t <= chrono::Utc::now() + chrono::Duration::seconds(1)),
            "not pushed out: {m:?}"
        );
    }
    // The server is back: everything goes within a few passes, no minute-long waits.
    let engine = w.engine().await;
    let started = Instant::now();
    let mut sent = 0;
    while sent < ids.len() && started.elapsed() < Duration::from_secs(30) {
        sent += engine.sender.pass(&mut None).await.unwrap().sent;
    }
    assert_eq!(sent, ids.len());
    assert_eq!(
        wait_for_mail(&w.agent_address(), ids.len()).await.len(),
        ids.len()
    );
}

/// Defect 9: a sender that died held 20 messages for a 120 s lease. Claims are small and
/// short; another sender takes them over within seconds.
#[tokio::test]
async fn a_dead_senders_messages_go_within_seconds() {
    let w = world().await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(w.approved_inquiry(&format!("stranded {i}")).await.0);
    }
    // The dead sender claimed them with the sender's lease and never came back.
    let engine = w.engine().await;
    let dead = uuid::Uuid::new_v4();
    let claimed = w
        .store
        .claim_outbound(dead, 5, chrono::Duration::seconds(12))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(engine.sender.clone().run(shutdown.clone()));
    let took = wait_until(Duration::from_secs(40), || async {
        let mut all = true;
        for id in &ids {
            all &= w.store.message(*id).await.unwrap().status == Some(DraftStatus::Sent);
        }
        all
    })
    .await;
    shutdown.cancel();
    running.await.unwrap();
    let took = took.expect("sent after the dead sender's lease ran out");
    eprintln!("stranded messages went after {took:?}");
    assert!(took < Duration::from_secs(25), "{took:?}");
    assert_eq!(wait_for_mail(&w.agent_address(), 3).await.len(), 3);
}
