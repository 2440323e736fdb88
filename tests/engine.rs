//! The mail engine against the real Postfix, Dovecot and Postgres: send, receive, thread,
//! classify, IDLE, send window, exactly once.

mod common;

use std::time::Duration;

use common::mail::{count_inbound, wait_for_mail, wait_until, world};
use secret_shop::domain::message::DraftStatus;
use secret_shop::domain::outbox::WaitReason;
use secret_shop::domain::shop::ShopStatus;
use secret_shop::store::EVENTS_CHANNEL;
use tokio_util::sync::CancellationToken;

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with(&format!("{}:", name.to_ascii_lowercase()))
        })
        .map(|l| l[name.len() + 1..].trim())
}

#[tokio::test]
async fn approved_inquiry_goes_out_once_and_the_reply_threads_back() {
    let w = world().await;
    let engine = w.engine().await;
    let (draft, message_id) = w.approved_inquiry("2-bedroom availability").await;

    let report = engine.run_once().await.unwrap();
    assert_eq!(report.send.sent, 1, "{report:?}");
    let agent = wait_for_mail(&w.agent_address(), 1).await;
    assert_eq!(agent.len(), 1);
    let text = String::from_utf8_lossy(&agent[0]).to_string();
    assert_eq!(
        header(&text, "From"),
        Some(format!("\"Jane Porter\" <{}>", w.persona.email).as_str())
    );
    assert_eq!(header(&text, "Subject"), Some("2-bedroom availability"));
    assert_eq!(
        header(&text, "Message-ID"),
        Some(format!("<{message_id}>").as_str())
    );
    assert_eq!(header(&text, "Bcc"), None);
    let sent = w.store.message(draft).await.unwrap();
    assert_eq!(sent.status, Some(DraftStatus::Sent));
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::AwaitingReply
    );

    // Listen like a TUI would, then the agent answers the thread.
    let mut listener = sqlx::postgres::PgListener::connect(&w.url).await.unwrap();
    listener.listen(EVENTS_CHANNEL).await.unwrap();
    let reply_id = w
        .agent_sends(
            "Re: 2-bedroom availability",
            "Hi Jane, yes! The application fee is $50.",
            &format!("In-Reply-To: <{message_id}>\r\nReferences: <{message_id}>\r\n"),
        )
        .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await; // the self copy + the reply
    let report = engine.run_once().await.unwrap();
    assert_eq!(
        report.sync.unwrap().stored,
        1,
        "the self copy is ours, not stored again"
    );
    let thread = w.store.shop_messages(w.shop).await.unwrap();
    assert_eq!(thread.len(), 2);
    let reply = &thread[1];
    assert_eq!(reply.message_id.as_deref(), Some(reply_id.as_str()));
    assert_eq!(reply.in_reply_to.as_deref(), Some(message_id.as_str()));
    assert!(reply.body_text.contains("application fee is $50"));
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::Replied
    );
    let note = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let n = listener.recv().await.unwrap();
            if n.payload().contains(&reply.id.to_string()) {
                return n;
            }
        }
    })
    .await
    .expect("NOTIFY with the new message id");
    assert!(
        note.payload().starts_with("{\"messages\":"),
        "{}",
        note.payload()
    );

    // Nothing twice: another pass finds nothing new, sends nothing.
    let again = engine.run_once().await.unwrap();
    assert_eq!(again.sync.unwrap().stored, 0);
    assert_eq!(again.send.sent, 0);
    assert_eq!(w.agent_mail().await.len(), 1);
}

#[tokio::test]
async fn drafts_awaiting_approval_never_leave() {
    let w = world().await;
    let d = w
        .draft_for(
            w.shop,
            secret_shop::domain::message::MessageKind::Inquiry,
            "hello",
            "hi",
        )
        .await;
    let r = w.engine().await.run_once().await.unwrap();
    assert_eq!(r.send.sent, 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(w.agent_mail().await.is_empty());
    assert_eq!(
        w.store.message(d.id).await.unwrap().status,
        Some(DraftStatus::PendingReview)
    );
    // Two approvals race: exactly one wins.
    let a = w.store.approve_draft(&w.actor, d.id, d.version).await;
    let b = w.store.approve_draft(&w.actor, d.id, d.version).await;
    assert!(a.is_ok());
    assert!(matches!(
        b,
        Err(secret_shop::store::StoreError::Conflict { .. })
    ));
}

#[tokio::test]
async fn outside_the_window_and_over_the_cap_it_waits_and_says_why() {
    let w = world().await;
    let mut engine = w.engine().await;
    // A window that is never open today: only on the day after tomorrow.
    let target_day = (chrono::Utc::now().with_timezone(&chrono_tz::America::Chicago)
        + chrono::Duration::days(2))
    .format("%a")
    .to_string()
    .parse::<chrono::Weekday>()
    .unwrap();
    engine.sender.window = secret_shop::domain::send_window::SendWindow {
        always: false,
        days: vec![target_day],
        start: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        end: chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    };
    let (id, _) = w.approved_inquiry("later").await;
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.send.sent, r.send.deferred), (0, 1));
    let m = w.store.message(id).await.unwrap();
    assert_eq!(m.status, Some(DraftStatus::Queued));
    assert_eq!(m.wait_reason, Some(WaitReason::Window));
    assert!(m.next_attempt_at.unwrap() > chrono::Utc::now() + chrono::Duration::hours(20));
    let why = secret_shop::domain::outbox::why_not_sent(
        m.status.unwrap(),
        m.wait_reason,
        m.next_attempt_at,
        m.last_error.as_deref(),
    );
    assert!(why.starts_with("outside the send window; goes at"), "{why}");

    // Daily cap of one: the first goes, the second waits for tomorrow.
    let w = world().await;
    let mut engine = w.engine().await;
    engine.sender.daily_cap = 1;
    w.approved_inquiry("first").await;
    w.approved_inquiry("second").await;
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.send.sent, r.send.deferred), (1, 1), "{r:?}");
    let waiting: Option<WaitReason> =
        sqlx::query_scalar("SELECT wait_reason FROM messages WHERE status = 'queued'")
            .fetch_one(w.store.pool())
            .await
            .unwrap();
    assert_eq!(waiting, Some(WaitReason::DailyCap));
}

#[tokio::test]
async fn a_permanent_smtp_error_fails_with_the_servers_answer() {
    let mut w = world().await;
    // scripts/services' Postfix answers 550 for this test domain.
    w.retarget("leasing@rejected.invalid").await;
    let (id, _) = w.approved_inquiry("hello").await;
    let r = w.engine().await.run_once().await.unwrap();
    assert_eq!(r.send.failed, 1, "{r:?}");
    let m = w.store.message(id).await.unwrap();
    assert_eq!(m.status, Some(DraftStatus::Failed));
    let err = m.last_error.unwrap();
    assert!(
        err.contains("550") && err.contains("no such mailbox"),
        "{err}"
    );
}

#[tokio::test]
async fn a_temporary_smtp_error_is_retried_with_back_off_and_sent_once() {
    let mut w = world().await;
    // scripts/services' Postfix answers 450 for this test domain.
    w.retarget("leasing@deferred.invalid").await;
    let engine = w.engine().await;
    let (id, _) = w.approved_inquiry("hello").await;
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.send.sent, r.send.deferred), (0, 1), "{r:?}");
    let m = w.store.message(id).await.unwrap();
    assert_eq!(m.status, Some(DraftStatus::Queued));
    assert_eq!(m.wait_reason, Some(WaitReason::Retry));
    assert!(
        m.last_error.as_deref().unwrap_or("").contains("450"),
        "{m:?}"
    );
    let wait = m.next_attempt_at.unwrap() - chrono::Utc::now();
    assert!(wait > chrono::Duration::seconds(30), "back-off: {wait}");

    // Not due yet: nothing happens.
    assert_eq!(engine.run_once().await.unwrap().send, Default::default());
    // The mailbox recovers (the address now takes mail) and the time comes.
    sqlx::query("UPDATE messages SET to_addrs = $2, next_attempt_at = now() WHERE id = $1")
        .bind(id)
        .bind(vec![w.agent_address()])
        .execute(w.store.pool())
        .await
        .unwrap();
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.send.sent, 1, "{r:?}");
    assert_eq!(wait_for_mail(&w.agent_address(), 1).await.len(), 1);
    let m = w.store.message(id).await.unwrap();
    assert_eq!((m.status, m.attempts), (Some(DraftStatus::Sent), 2));
}

#[tokio::test]
async fn idle_brings_a_reply_in_within_two_seconds_without_polling() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.syncer.poll_interval = Duration::from_secs(3600);
    let (_, message_id) = w.approved_inquiry("idle test").await;
    engine.run_once().await.unwrap();
    let shutdown = CancellationToken::new();
    let running = tokio::spawn({
        let engine = engine.clone();
        let shutdown = shutdown.clone();
        async move { engine.run(shutdown).await }
    });
    // Let it sync what is there (our self copy) and settle into IDLE.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = count_inbound(&w.store).await;
    w.agent_sends(
        "Re: idle test",
        "Yes, it's available.",
        &format!("In-Reply-To: <{message_id}>\r\n"),
    )
    .await;
    let took = wait_until(Duration::from_secs(2), || async {
        count_inbound(&w.store).await > before
    })
    .await;
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the engine stops when asked")
        .unwrap();
    let took = took.expect("reply stored within 2 s while idling");
    eprintln!("IDLE delivery took {took:?}");
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::Replied
    );
}

#[tokio::test]
async fn bounces_block_the_shop_and_mark_the_address() {
    let w = world().await;
    let engine = w.engine().await;
    let (_, message_id) = w.approved_inquiry("hello").await;
    engine.run_once().await.unwrap();
    let dsn = format!(
        "From: MAILER-DAEMON@mx.{agent} (Mail Delivery System)\r\n\
         To: {persona}\r\nSubject: Undelivered Mail Returned to Sender\r\n\
         Message-ID: <dsn-{uuid}@mx.{agent}>\r\nAuto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
         --B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n\
         --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.{agent}\r\n\r\n\
         Final-Recipient: rfc822; leasing@{agent}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
         --B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {persona}\r\nTo: leasing@{agent}\r\n\
         Subject: hello\r\nMessage-ID: <{message_id}>\r\n\r\n--B--\r\n",
        agent = w.agent_domain,
        persona = w.persona.email,
        uuid = uuid::Uuid::new_v4().simple(),
    );
    common::mail::smtp_send_raw("", std::slice::from_ref(&w.persona.email), dsn.as_bytes()).await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    engine.run_once().await.unwrap();
    let thread = w.store.shop_messages(w.shop).await.unwrap();
    let bounce = thread
        .iter()
        .find(|m| m.is_bounce)
        .expect("bounce threaded to the shop");
    assert!(!bounce.is_auto_reply);
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::Blocked
    );
    assert_eq!(
        w.store.target(w.target.id).await.unwrap().email_status,
        "bouncing"
    );
}

#[tokio::test]
async fn auto_replies_are_kept_but_do_not_count_as_an_answer() {
    let w = world().await;
    let engine = w.engine().await;
    let (_, message_id) = w.approved_inquiry("hello").await;
    engine.run_once().await.unwrap();
    w.agent_sends(
        "Automatic reply: hello",
        "Thanks for your inquiry! We will get back to you within 24 hours.",
        &format!("Auto-Submitted: auto-replied\r\nIn-Reply-To: <{message_id}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    engine.run_once().await.unwrap();
    let thread = w.store.shop_messages(w.shop).await.unwrap();
    assert!(thread.iter().any(|m| m.is_auto_reply));
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::AwaitingReply
    );
}

#[tokio::test]
async fn strangers_and_unknown_threads_go_to_unmatched() {
    let w = world().await;
    let engine = w.engine().await;
    let raw = format!(
        "From: someone@elsewhere.test\r\nTo: {}\r\nSubject: Newsletter\r\n\
         Message-ID: <{}@elsewhere.test>\r\n\r\nSpecial offer\r\n",
        w.persona.email,
        uuid::Uuid::new_v4().simple()
    );
    common::mail::smtp_send_raw(
        "someone@elsewhere.test",
        std::slice::from_ref(&w.persona.email),
        raw.as_bytes(),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 1).await;
    engine.run_once().await.unwrap();
    let unmatched = w.store.inbox(true, 10).await.unwrap();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].subject, "Newsletter");
    assert_eq!(unmatched[0].shop_id, None);
}

/// The agent answers from their own client without reply headers: threaded by addresses.
#[tokio::test]
async fn a_reply_without_headers_threads_by_persona_and_target_address() {
    let w = world().await;
    let engine = w.engine().await;
    w.approved_inquiry("hello").await;
    engine.run_once().await.unwrap();
    w.agent_sends("Your inquiry", "Hi Jane, call us!", "").await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    engine.run_once().await.unwrap();
    let thread = w.store.shop_messages(w.shop).await.unwrap();
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[1].subject, "Your inquiry");
}

/// Every message of the MIME corpus (real and malformed) is stored, raw kept, none lost.
#[tokio::test]
async fn the_whole_mime_corpus_syncs_without_loss() {
    let w = world().await;
    let engine = w.engine().await;
    let files = common::corpus_files();
    let mut s = w.imap_ours().await;
    s.select("INBOX").await.unwrap();
    for f in &files {
        s.append("INBOX", None, None, std::fs::read(f).unwrap())
            .await
            .unwrap_or_else(|e| panic!("append {}: {e}", f.display()));
    }
    let r = engine.run_once().await.unwrap().sync.unwrap();
    assert_eq!(r.fetched, files.len());
    assert_eq!(r.stored, files.len(), "{r:?}");
    assert_eq!(count_inbound(&w.store).await as usize, files.len());
    let with_raw: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM messages WHERE direction = 'inbound' AND raw IS NOT NULL AND length(raw) > 0",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(with_raw as usize, files.len());
}

/// The server renumbers the folder (a new UIDVALIDITY): resync, nothing stored twice.
#[tokio::test]
async fn a_uidvalidity_change_resyncs_without_duplicates() {
    let mut w = world().await;
    w.env
        .insert("SECRET_SHOP_MAIL_DOMAIN".into(), w.persona_domain.clone());
    let mut config = w.config.clone();
    config.mail.folders.inbox = "Shop".into();
    let engine = secret_shop::engine::Engine::new(&config, w.store.clone())
        .await
        .unwrap();
    let mut s = w.imap_ours().await;
    s.create("Shop").await.unwrap();
    let msgs: Vec<String> = (0..5)
        .map(|i| {
            format!(
                "From: a@b.test\r\nTo: {}\r\nSubject: m{i}\r\nMessage-ID: <m{i}-{}@b.test>\r\n\r\nbody {i}\r\n",
                w.persona.email, w.persona_domain
            )
        })
        .collect();
    for m in &msgs {
        s.append("Shop", None, None, m.as_bytes()).await.unwrap();
    }
    assert_eq!(engine.run_once().await.unwrap().sync.unwrap().stored, 5);
    // Delete and re-create the folder: Dovecot gives it a new UIDVALIDITY.
    s.delete("Shop").await.unwrap();
    s.create("Shop").await.unwrap();
    for m in &msgs {
        s.append("Shop", None, None, m.as_bytes()).await.unwrap();
    }
    s.append(
        "Shop",
        None,
        None,
        format!(
            "From: a@b.test\r\nTo: {}\r\nSubject: new\r\nMessage-ID: <new-{}@b.test>\r\n\r\nnew\r\n",
            w.persona.email, w.persona_domain
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let r = engine.run_once().await.unwrap().sync.unwrap();
    assert!(r.resynced);
    assert_eq!((r.stored, r.duplicates), (1, 5), "{r:?}");
    assert_eq!(count_inbound(&w.store).await, 6);
}

/// Two engines on one mailbox: one syncs, every message is stored once.
#[tokio::test]
async fn two_workers_at_once_store_each_message_once() {
    let w = world().await;
    let a = w.engine().await;
    let b = w.engine().await;
    let mut s = w.imap_ours().await;
    s.select("INBOX").await.unwrap();
    for i in 0..300 {
        let m = format!(
            "From: agent{i}@x.test\r\nTo: {}\r\nSubject: n{i}\r\nMessage-ID: <n{i}-{}@x.test>\r\n\r\nhi\r\n",
            w.persona.email, w.persona_domain
        );
        s.append("INBOX", None, None, m.as_bytes()).await.unwrap();
    }
    let shutdown = CancellationToken::new();
    let ra = tokio::spawn({
        let (a, t) = (a.clone(), shutdown.clone());
        async move { a.run(t).await }
    });
    let rb = tokio::spawn({
        let (b, t) = (b.clone(), shutdown.clone());
        async move { b.run(t).await }
    });
    let done = wait_until(Duration::from_secs(20), || async {
        count_inbound(&w.store).await >= 300
    })
    .await;
    // More mail while both run.
    for i in 300..320 {
        let m = format!(
            "From: agent{i}@x.test\r\nTo: {}\r\nSubject: n{i}\r\nMessage-ID: <n{i}-{}@x.test>\r\n\r\nhi\r\n",
            w.persona.email, w.persona_domain
        );
        s.append("INBOX", None, None, m.as_bytes()).await.unwrap();
    }
    let more = wait_until(Duration::from_secs(10), || async {
        count_inbound(&w.store).await >= 320
    })
    .await;
    let (x, y) = tokio::join!(a.run_once(), b.run_once());
    shutdown.cancel();
    let _ = tokio::join!(ra, rb);
    assert!(done.is_some() && more.is_some());
    x.unwrap();
    y.unwrap();
    assert_eq!(count_inbound(&w.store).await, 320);
    let distinct: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT imap_uid) FROM messages WHERE direction = 'inbound'",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    assert_eq!(distinct, 320);
}

/// `dedicated` mode: a persona with an account of its own sends through it, files its Sent
/// mail there, and its mailbox is synced beside the configured one.
#[tokio::test]
async fn dedicated_personas_use_their_own_mailbox() {
    let w = world().await;
    let own_domain = format!(
        "own{}.test",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let jane = w
        .store
        .insert_personas(
            &w.actor,
            &[secret_shop::domain::persona::NewPersona {
                email: format!("june.park@{own_domain}"),
                first_name: "June".into(),
                last_name: "Park".into(),
                ..serde_json::from_value(serde_json::json!({
                    "template_id": null, "first_name": "", "last_name": "", "email": "",
                    "phone": "", "rental_budget": 1500, "bedrooms": 1, "bathrooms": 1.0,
                    "preferences": "", "pets": "none", "credit_score": 700, "monthly_income": 5000,
                    "additional_occupants": "", "rental_history": "", "writing_style": "",
                    "move_in_date": null
                }))
                .unwrap()
            }],
        )
        .await
        .unwrap()
        .remove(0);
    let shop = w
        .store
        .create_shop(&w.actor, w.target.id, jane.id, &[])
        .await
        .unwrap();
    let mut config = w.config.clone();
    config.mail.mode = secret_shop::domain::address::AddressMode::Dedicated;
    let engine = secret_shop::engine::Engine::new(&config, w.store.clone())
        .await
        .unwrap();
    assert!(
        engine
            .persona_syncers
            .iter()
            .any(|s| s.account.address == jane.email)
    );
    let d = w
        .draft_for(
            shop.id,
            secret_shop::domain::message::MessageKind::Inquiry,
            "From my own account",
            "Hello, is a 1-bedroom available? June",
        )
        .await;
    w.store
        .approve_draft(&w.actor, d.id, d.version)
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    // Filed in June's own Sent folder.
    let mut own = common::mail::imap_as(&jane.email).await;
    let sent = own.examine("Sent").await.unwrap();
    assert_eq!(sent.exists, 1);
    // The agent answers June; only her own mailbox receives it.
    let reply = format!(
        "From: leasing@{agent}\r\nTo: {to}\r\nSubject: Re: From my own account\r\n\
         Message-ID: <{id}@{agent}>\r\nIn-Reply-To: <{parent}>\r\n\r\nYes, come see it.\r\n",
        agent = w.agent_domain,
        to = jane.email,
        id = uuid::Uuid::new_v4().simple(),
        parent = d.message_id.unwrap(),
    );
    common::mail::smtp_send_raw(
        &w.agent_address(),
        std::slice::from_ref(&jane.email),
        reply.as_bytes(),
    )
    .await;
    wait_for_mail(&jane.email, 2).await;
    engine.run_once().await.unwrap();
    let thread = w.store.shop_messages(shop.id).await.unwrap();
    assert_eq!(thread.len(), 2, "{thread:?}");
    assert_eq!(thread[1].body_text.trim(), "Yes, come see it.");
}

/// Every new reply to a shop is queued for reading; the job runner puts its facts on the sheet.
#[tokio::test]
async fn the_job_runner_reads_each_new_reply_into_the_fact_sheet() {
    let w = world().await;
    let engine = w.engine().await;
    let (_, message_id) = w.approved_inquiry("fees?").await;
    engine.run_once().await.unwrap();
    w.agent_sends(
        "Re: fees?",
        "Hi Jane, the application fee is $45 and there is no admin fee.\r\n\r\nBest,\r\nTom",
        &format!("In-Reply-To: <{message_id}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.jobs.done, 1, "{r:?}");
    let facts = w.store.shop_facts(w.shop).await.unwrap();
    let fee = facts
        .iter()
        .find(|f| f.field_path == "application_fee")
        .unwrap();
    assert_eq!(fee.value, serde_json::json!(45));
    assert!(fee.source_message_id.is_some());
    let admin = facts
        .iter()
        .find(|f| f.field_path == "administration_fee")
        .unwrap();
    assert_eq!(admin.value, serde_json::json!(0));
    // Nothing is read twice.
    assert_eq!(engine.run_once().await.unwrap().jobs, Default::default());
}

/// A reply is parsed once, at sync: reading it builds the reply from the stored columns, with
/// no need of the raw bytes; a message stored before that is parsed from its raw bytes.
#[tokio::test]
async fn a_reply_is_read_from_what_sync_stored_and_older_rows_from_raw() {
    use secret_shop::ai::Ai;
    use secret_shop::domain::reply::Reply;
    use secret_shop::mail::parse::parse_mail;
    use secret_shop::services::facts::{read_reply, stored_reply};

    let w = world().await;
    let engine = w.engine().await;
    let (_, message_id) = w.approved_inquiry("fees?").await;
    engine.run_once().await.unwrap();
    w.agent_sends(
        "Re: fees?",
        "Hi Jane, the application fee is $45.\r\n\r\nBest,\r\nTom",
        &format!("In-Reply-To: <{message_id}>\r\nAuto-Submitted: no\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    engine.run_once().await.unwrap();
    let id = w
        .store
        .shop_messages(w.shop)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.direction == "inbound")
        .unwrap()
        .id;
    let raw = w.store.message_raw(id).await.unwrap().unwrap();
    let parsed = Reply::from(&parse_mail(&raw));
    assert!(parsed.text.contains("application fee is $45"), "{parsed:?}");
    assert_eq!(stored_reply(&w.store, id).await.unwrap(), parsed);
    // Without the raw bytes the reply still reads.
    sqlx::query("UPDATE messages SET raw = NULL WHERE id = $1")
        .bind(id.0)
        .execute(w.store.pool())
        .await
        .unwrap();
    assert_eq!(stored_reply(&w.store, id).await.unwrap(), parsed);
    let fields = read_reply(&w.store, &Ai::offline(), id).await.unwrap();
    assert!(fields.iter().any(|f| f == "application_fee"), "{fields:?}");
    // A row stored before sync kept the reply: its raw bytes are parsed.
    sqlx::query(
        "UPDATE messages SET raw = $2, reply_parts = false, body_text = '', body_html = NULL
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(&raw)
    .execute(w.store.pool())
    .await
    .unwrap();
    assert_eq!(stored_reply(&w.store, id).await.unwrap(), parsed);
}

/// A job that keeps failing ends dead with its error; an operator can queue it again.
#[tokio::test]
async fn failing_jobs_back_off_then_die_and_can_be_retried() {
    let w = world().await;
    let engine = w.engine().await;
    w.store
        .enqueue_job(
            secret_shop::domain::job::JobKind::ExtractFacts,
            serde_json::json!({ "message_id": 999_999 }),
            "x:1",
        )
        .await
        .unwrap();
    w.store
        .enqueue_job(
            secret_shop::domain::job::JobKind::ExtractFacts,
            serde_json::json!({ "message_id": 999_999 }),
            "x:1",
        )
        .await
        .unwrap();
    sqlx::query("UPDATE jobs SET max_attempts = 2")
        .execute(w.store.pool())
        .await
        .unwrap();
    let first = engine.jobs.pass().await.unwrap();
    assert_eq!(
        (first.failed, first.dead),
        (1, 0),
        "one job despite two enqueues"
    );
    let job = &w.store.list_jobs(None, 10).await.unwrap()[0];
    assert_eq!(job.status, "queued");
    assert!(job.run_at > chrono::Utc::now(), "backed off");
    assert!(job.last_error.as_deref().unwrap().contains("not found"));
    sqlx::query("UPDATE jobs SET run_at = now()")
        .execute(w.store.pool())
        .await
        .unwrap();
    let second = engine.jobs.pass().await.unwrap();
    assert_eq!(second.dead, 1);
    let dead = w.store.list_jobs(Some("dead"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    w.store.retry_job("alice", dead[0].id).await.unwrap();
    let again = &w.store.list_jobs(None, 10).await.unwrap()[0];
    assert_eq!((again.status.as_str(), again.attempts), ("queued", 0));
}

/// A kind this version does not run (the table's CHECK reserves more than it runs) fails as a
/// job with an error naming it; the runner goes on.
#[tokio::test]
async fn a_job_of_an_unknown_kind_fails_with_a_clear_error() {
    let w = world().await;
    let engine = w.engine().await;
    sqlx::query("INSERT INTO jobs (kind, payload, max_attempts) VALUES ('grade_shop', '{}', 1)")
        .execute(w.store.pool())
        .await
        .unwrap();
    let r = engine.jobs.pass().await.unwrap();
    assert_eq!((r.failed, r.dead), (1, 1));
    let job = &w.store.list_jobs(Some("dead"), 10).await.unwrap()[0];
    assert_eq!(job.kind, "grade_shop");
    let err = job.last_error.as_deref().unwrap();
    assert!(
        err.contains("does not run grade_shop jobs") && err.contains("extract_facts"),
        "{err}"
    );
}

#[tokio::test]
async fn an_operator_assigns_an_unmatched_reply_and_cancels_a_shop() {
    let w = world().await;
    let engine = w.engine().await;
    let (_, _) = w.approved_inquiry("hello").await;
    engine.run_once().await.unwrap();
    // The agent answers from a personal address: no thread headers, unknown sender.
    let raw = format!(
        "From: maria.lopez@gmail.test\r\nTo: {}\r\nSubject: about your inquiry\r\n\
         Message-ID: <{}@gmail.test>\r\n\r\nHi Jane, the application fee is $40.\r\n",
        w.persona.email,
        uuid::Uuid::new_v4().simple()
    );
    common::mail::smtp_send_raw(
        "maria.lopez@gmail.test",
        std::slice::from_ref(&w.persona.email),
        raw.as_bytes(),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    engine.run_once().await.unwrap();
    let unmatched = w.store.inbox(true, 10).await.unwrap();
    assert_eq!(unmatched.len(), 1);
    w.store
        .assign_message(
            &w.actor,
            unmatched[0].id,
            w.shop,
            &secret_shop::domain::reaction::on_assignment(),
        )
        .await
        .unwrap();
    assert!(w.store.inbox(true, 10).await.unwrap().is_empty());
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::Replied
    );
    assert_eq!(
        engine.run_once().await.unwrap().jobs.done,
        1,
        "the assigned reply is read"
    );
    let facts = w.store.shop_facts(w.shop).await.unwrap();
    assert!(facts.iter().any(|f| f.field_path == "application_fee"));

    // Cancelled: a pending follow-up never leaves, and a finished shop cannot be cancelled twice.
    let d = w
        .draft_for(
            w.shop,
            secret_shop::domain::message::MessageKind::FollowUp,
            "Re: about your inquiry",
            "Thanks! What about pets?",
        )
        .await;
    w.store
        .approve_draft(&w.actor, d.id, d.version)
        .await
        .unwrap();
    w.store
        .cancel_shop(&w.actor, w.shop, "client paused")
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().send.sent, 0);
    assert_eq!(
        w.store.message(d.id).await.unwrap().status,
        Some(DraftStatus::Rejected)
    );
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::Cancelled
    );
    assert!(
        w.store
            .cancel_shop(&w.actor, w.shop, "again")
            .await
            .is_err()
    );
}

fn quick_sequence() -> secret_shop::domain::planner::Sequence {
    secret_shop::domain::planner::Sequence {
        nudge_after_hours: 0,
        follow_up_after_reply_hours: 0,
        max_follow_ups: 3,
        shop_timeout_days: 14,
    }
}

/// The loop runs itself: a reply with gaps gets a follow-up drafted for review, the answer fills
/// the checklist, and the shop completes and is graded.
#[tokio::test]
async fn the_scheduler_follows_up_then_completes_and_grades() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence = secret_shop::domain::planner::Sequence {
        nudge_after_hours: 48,
        ..quick_sequence()
    };
    let required = vec!["application_fee".to_string(), "pet_policy".to_string()];
    sqlx::query("UPDATE shops SET required_fields = $2 WHERE id = $1")
        .bind(w.shop)
        .bind(&required)
        .execute(w.store.pool())
        .await
        .unwrap();
    let (_, inquiry) = w.approved_inquiry("2-bedroom").await;
    engine.run_once().await.unwrap();
    w.agent_sends(
        "Re: 2-bedroom",
        "Hi Jane, the application fee is $50.\r\n\r\nBest,\r\nMaria",
        &format!("In-Reply-To: <{inquiry}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.jobs.done, r.schedule.drafted), (1, 1), "{r:?}");
    let pending = w.store.pending_drafts().await.unwrap();
    assert_eq!(pending.len(), 1);
    let follow = &pending[0];
    assert_eq!(
        follow.kind,
        secret_shop::domain::message::MessageKind::FollowUp
    );
    assert!(follow.subject.starts_with("Re:"));
    assert!(
        follow.body_text.contains("pet policy"),
        "{}",
        follow.body_text
    );
    assert!(follow.body_text.contains("Maria"), "{}", follow.body_text);
    assert!(follow.in_reply_to.is_some());
    // A draft in flight: nothing more is planned.
    assert_eq!(engine.run_once().await.unwrap().schedule.drafted, 0);

    w.store
        .approve_draft(&w.actor, follow.id, follow.version)
        .await
        .unwrap();
    assert_eq!(engine.run_once().await.unwrap().send.sent, 1);
    let follow_id = w
        .store
        .message(follow.id)
        .await
        .unwrap()
        .message_id
        .unwrap();
    w.agent_sends(
        "Re: 2-bedroom",
        "Cats and dogs are welcome with a $300 pet deposit.\r\n\r\nMaria",
        &format!("In-Reply-To: <{follow_id}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 4).await;
    let r = engine.run_once().await.unwrap();
    assert_eq!(r.schedule.finished, 1, "{r:?}");
    assert_eq!(
        w.store.shop(w.shop).await.unwrap().status,
        ShopStatus::Completed
    );
    let (grade, metrics) = w
        .store
        .current_grade(w.shop)
        .await
        .unwrap()
        .expect("graded");
    assert_eq!(metrics.fields_answered, 2);
    assert!(grade.total > 0.0);
}

/// The nudge waits for its delay, measured on a clock the test moves (no sleeping).
#[tokio::test]
async fn silence_gets_a_short_nudge_after_the_delay() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence = secret_shop::domain::planner::Sequence {
        nudge_after_hours: 48,
        ..quick_sequence()
    };
    let clock = secret_shop::engine::clock::Clock::manual(chrono::Utc::now());
    engine.scheduler.clock = clock.clone();
    w.approved_inquiry("2-bedroom").await;
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.send.sent, r.schedule.drafted), (1, 0), "{r:?}");
    clock.advance(chrono::Duration::hours(47));
    assert_eq!(engine.run_once().await.unwrap().schedule.drafted, 0);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(engine.run_once().await.unwrap().schedule.drafted, 1);
    let nudge = &w.store.pending_drafts().await.unwrap()[0];
    assert_eq!(nudge.kind, secret_shop::domain::message::MessageKind::Nudge);
    assert!(
        nudge.body_text.len() < 400,
        "a nudge is short: {}",
        nudge.body_text
    );
}

/// "Nothing available" ends the shop: the nudge drafted while we waited is dropped, no follow-up
/// is drafted, and the shop completes and is graded.
#[tokio::test]
async fn a_decline_completes_the_shop_without_a_follow_up() {
    let w = world().await;
    let mut engine = w.engine().await;
    engine.scheduler.sequence = quick_sequence();
    let (_, inquiry) = w.approved_inquiry("2-bedroom").await;
    engine.run_once().await.unwrap();
    let nudge = w.store.pending_drafts().await.unwrap().remove(0);
    assert_eq!(nudge.kind, secret_shop::domain::message::MessageKind::Nudge);
    w.agent_sends(
        "Re: 2-bedroom",
        "Hello Jane,\r\n\r\nUnfortunately we do not have any 2-bedroom homes available for \
         that timeframe and our waitlist is currently closed.\r\n\r\nThe Grove Management",
        &format!("In-Reply-To: <{inquiry}>\r\n"),
    )
    .await;
    wait_for_mail(&format!("ops@{}", w.persona_domain), 2).await;
    let r = engine.run_once().await.unwrap();
    assert_eq!((r.schedule.drafted, r.schedule.finished), (0, 1), "{r:?}");
    let shop = w.store.shop(w.shop).await.unwrap();
    assert_eq!(shop.status, ShopStatus::Completed);
    assert_eq!(shop.status_reason.as_deref(), Some("the property declined"));
    assert!(w.store.current_grade(w.shop).await.unwrap().is_some());
    let nudge = w.store.message(nudge.id).await.unwrap();
    assert_eq!(nudge.status.unwrap().as_str(), "rejected", "never sent");
}
