//! The chaos harness (issue 10): real worker processes, killed, frozen and cut off from
//! Postgres, Postfix and Dovecot, while they send and sync. Every scenario counts what reached
//! the recipients' mailboxes over IMAP and what was stored in Postgres, and prints a row of
//! figures. `tests/chaos.rs` runs it small (CI); `benches/chaos.rs` runs it full (README).
//!
//! The harness starts its own services (`scripts/services` in a temp dir, its own ports), so it
//! can stop and start them without disturbing any other test run.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;
use secret_shop::domain::ids::MessageId;
use secret_shop::store::{NewDraft, Store};

use super::mail::{World, folder_contents, imap_as, smtp_send_raw, wait_until, world};

/// How big each scenario is.
#[derive(Debug, Clone)]
pub struct Scale {
    pub send: usize,
    pub send_kills: usize,
    pub sync: usize,
    pub sync_kills: usize,
    pub outage: Duration,
    pub outage_send: usize,
    pub outage_sync: usize,
    pub restart_send: usize,
    pub frozen_mail: usize,
    pub two_workers_send: usize,
    pub two_workers_sync: usize,
    pub double_approvals: usize,
    pub shared_replies: usize,
}

impl Scale {
    /// The run the README reports.
    pub fn full() -> Scale {
        Scale {
            send: 300,
            send_kills: 20,
            sync: 10_000,
            sync_kills: 20,
            outage: Duration::from_secs(20),
            outage_send: 100,
            outage_sync: 3000,
            restart_send: 100,
            frozen_mail: 20,
            two_workers_send: 200,
            two_workers_sync: 2000,
            double_approvals: 200,
            shared_replies: 50,
        }
    }

    /// The bounded run CI does: every scenario, a few minutes in all.
    pub fn ci() -> Scale {
        Scale {
            send: 40,
            send_kills: 4,
            sync: 2500,
            sync_kills: 3,
            outage: Duration::from_secs(5),
            outage_send: 20,
            outage_sync: 1000,
            restart_send: 20,
            frozen_mail: 5,
            two_workers_send: 30,
            two_workers_sync: 300,
            double_approvals: 40,
            shared_replies: 5,
        }
    }
}

/// One scenario's result.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub scenario: String,
    /// Worker processes started.
    pub runs: usize,
    pub kills: usize,
    /// Messages that had to arrive: approved (sending) or in the mailbox (syncing).
    pub expected: usize,
    pub unique: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub panics: usize,
    /// From the end of each fault (a service back, a worker restarted, a holder frozen) to the
    /// next message sent or stored.
    pub recoveries: Vec<Duration>,
    pub elapsed: Duration,
    /// Anything else that must hold (Sent copies, database state): empty when all is well.
    pub problems: Vec<String>,
    pub note: String,
}

impl Figures {
    fn new(scenario: &str) -> Figures {
        Figures {
            scenario: scenario.into(),
            ..Default::default()
        }
    }

    pub fn recover_max(&self) -> Option<Duration> {
        self.recoveries.iter().max().copied()
    }

    pub fn clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.panics == 0 && self.problems.is_empty()
    }
}

pub fn table(rows: &[Figures]) -> String {
    let mut out = format!(
        "{:<34} {:>4} {:>5} {:>8} {:>7} {:>4} {:>4} {:>6} {:>9} {:>7}\n",
        "scenario",
        "runs",
        "kills",
        "expected",
        "unique",
        "lost",
        "dup",
        "panics",
        "recover",
        "time"
    );
    for f in rows {
        let recover = f
            .recover_max()
            .map(|d| format!("{:.2}s", d.as_secs_f64()))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<34} {:>4} {:>5} {:>8} {:>7} {:>4} {:>4} {:>6} {:>9} {:>6.0}s\n",
            f.scenario,
            f.runs,
            f.kills,
            f.expected,
            f.unique,
            f.lost,
            f.duplicated,
            f.panics,
            recover,
            f.elapsed.as_secs_f64()
        ));
        if !f.note.is_empty() {
            out.push_str(&format!("    {}\n", f.note));
        }
        for p in &f.problems {
            out.push_str(&format!("    PROBLEM: {p}\n"));
        }
    }
    out
}

// ------------------------------------------------------------------------------- services

/// A private set of Postgres, Postfix and Dovecot, stopped on drop.
pub struct Services {
    dir: tempfile::TempDir,
}

impl Services {
    /// Starts them and exports their addresses into this process's environment, which the
    /// shared test helpers read. Call before any other thread starts (the env is not locked).
    pub fn start() -> Services {
        let dir = tempfile::Builder::new()
            .prefix("chaos.")
            .tempdir_in("/tmp")
            .expect("a temp dir for the services");
        // The mail daemons run as other users and need to reach their dirs inside.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let out = Command::new(script())
            .arg("start")
            .arg(dir.path())
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/services");
        assert!(out.status.success(), "scripts/services start failed");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some((k, v)) = line.split_once('=') {
                // SAFETY: called before the runtime or any test thread exists.
                unsafe { std::env::set_var(k, v) };
            }
        }
        Services { dir }
    }

    pub fn stop_one(&self, service: &str) {
        self.one("stop-one", service);
    }

    pub fn start_one(&self, service: &str) {
        self.one("start-one", service);
    }

    fn one(&self, action: &str, service: &str) {
        let ok = Command::new(script())
            .args([action, service])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "scripts/services {action} {service}");
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/services")
}

// ------------------------------------------------------------------------------- workers

/// The worker processes of one scenario; their stderr is kept for the panic count.
struct Workers {
    dir: tempfile::TempDir,
    config: PathBuf,
    env: HashMap<String, String>,
    live: Vec<Child>,
    started: usize,
    killed: usize,
}

impl Workers {
    fn new(w: &World) -> Workers {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        // No daily cap: a chaos run sends hundreds of messages from one mailbox.
        std::fs::write(
            &config,
            "[send_window]\nalways = true\ndaily_cap_per_mailbox = 0\n",
        )
        .unwrap();
        let mut env = w.env.clone();
        env.insert(
            "SECRET_SHOP_LOG_FILE".into(),
            dir.path().join("worker.log").display().to_string(),
        );
        Workers {
            dir,
            config,
            env,
            live: Vec::new(),
            started: 0,
            killed: 0,
        }
    }

    fn spawn(&mut self) -> u32 {
        self.started += 1;
        let err = File::create(self.dir.path().join(format!("stderr-{}", self.started))).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_secret-shop"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("no-config"))
            .envs(&self.env)
            .arg("--config")
            .arg(&self.config)
            .arg("worker")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err);
        let child = cmd.spawn().expect("start a worker");
        let pid = child.id();
        self.live.push(child);
        pid
    }

    /// SIGKILL, no warning: the worst moment is whenever it happens to be.
    fn kill_all(&mut self) {
        for mut c in self.live.drain(..) {
            let _ = c.kill();
            let _ = c.wait();
            self.killed += 1;
        }
    }

    fn signal(&self, pid: u32, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    }

    /// Stops them (SIGKILL, not counted as a kill) and counts panics in stderr and the log.
    fn finish(mut self, f: &mut Figures) {
        for mut c in self.live.drain(..) {
            let _ = c.kill();
            let _ = c.wait();
        }
        f.runs += self.started;
        f.kills += self.killed;
        for entry in std::fs::read_dir(self.dir.path()).unwrap().flatten() {
            let text = std::fs::read(entry.path()).unwrap_or_default();
            let text = String::from_utf8_lossy(&text);
            f.panics += text.matches("panicked at").count();
        }
    }
}

// ------------------------------------------------------------------------------- counting

async fn count(store: &Store, sql: &str) -> Option<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .ok()
}

const SENT: &str = "SELECT count(*) FROM messages WHERE direction = 'outbound' AND status = 'sent'";
const STORED: &str = "SELECT count(*) FROM messages WHERE direction = 'inbound'";

/// Messages whose SMTP attempt started and did not finish (their fate is unknown).
async fn broken_off(store: &Store) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT id FROM messages WHERE direction = 'outbound' AND status <> 'sent' \
         AND smtp_started_at IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await
    .unwrap_or_default()
}

/// Waits until `sql` counts more than `above`; `None` at the deadline. A query that fails (the
/// database is down) is no progress.
async fn progress(store: &Store, sql: &str, above: i64, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if count(store, sql).await.is_some_and(|n| n > above) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Waits until `check` holds; false at the deadline.
async fn until<F, Fut>(limit: Duration, check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    wait_until(limit, check).await.is_some()
}

/// A little random delay so a kill lands anywhere in the work, not at a pass boundary.
async fn jitter() {
    let ms = rand::rng().random_range(0..300);
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn message_id_of(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    head.lines()
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| norm_id(&l["message-id:".len()..]))
}

fn norm_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_ascii_lowercase()
}

/// How many copies of each wanted Message-ID `folder` holds.
async fn copies(user: &str, folder: &str, wanted: &[String]) -> HashMap<String, usize> {
    let mut n: HashMap<String, usize> = wanted.iter().map(|w| (norm_id(w), 0)).collect();
    for raw in folder_contents(user, folder).await {
        if let Some(id) = message_id_of(&raw)
            && let Some(c) = n.get_mut(&id)
        {
            *c += 1;
        }
    }
    n
}

/// Waits until every approved message is sent with its Sent copy filed and delivered, then
/// counts deliveries in the agent's mailbox and copies in our Sent folder.
async fn settle_sends(w: &World, ids: &[(MessageId, String)], f: &mut Figures, limit: Duration) {
    let mids: Vec<String> = ids.iter().map(|(_, m)| m.clone()).collect();
    let n = ids.len() as i64;
    let all_sent = until(limit, || async {
        count(
            &w.store,
            "SELECT count(*) FROM messages WHERE direction = 'outbound' AND status = 'sent' \
             AND sent_copy_filed",
        )
        .await
        .is_some_and(|c| c >= n)
    })
    .await;
    if !all_sent {
        let states: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status::text, count(*) FROM messages WHERE direction = 'outbound' \
             GROUP BY 1 ORDER BY 1",
        )
        .fetch_all(w.store.pool())
        .await
        .unwrap_or_default();
        f.problems.push(format!(
            "not all sent with a Sent copy within {limit:?}: {states:?}"
        ));
    }
    // Delivery is asynchronous (Postfix may hold mail it could not hand to Dovecot for a
    // retry): wait for all of them, then for the count to stay put.
    let agent = w.agent_address();
    let mut last = 0;
    let mut stable_since = Instant::now();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(150) {
        let got: usize = copies(&agent, "INBOX", &mids).await.values().sum();
        if got != last {
            last = got;
            stable_since = Instant::now();
        }
        if got >= mids.len() && stable_since.elapsed() > Duration::from_secs(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let delivered = copies(&agent, "INBOX", &mids).await;
    f.expected += mids.len();
    f.unique += delivered.values().filter(|c| **c > 0).count();
    f.lost += delivered.values().filter(|c| **c == 0).count();
    f.duplicated += delivered
        .values()
        .map(|c| c.saturating_sub(1))
        .sum::<usize>();

    let sent = copies(&format!("ops@{}", w.persona_domain), "Sent", &mids).await;
    let missing = sent.values().filter(|c| **c == 0).count();
    let twice = sent.values().filter(|c| **c > 1).count();
    f.note = format!(
        "Sent folder: {} of {} copies, {twice} twice",
        mids.len() - missing,
        mids.len()
    );
    if missing > 0 || twice > 0 {
        f.problems
            .push(format!("Sent folder: {missing} missing, {twice} twice"));
    }
}

/// `n` approved inquiries, ready for the sender.
async fn approved(w: &World, n: usize, tag: &str) -> Vec<(MessageId, String)> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(w.approved_inquiry(&format!("{tag} {i}")).await);
    }
    ids
}

/// Puts `n` agent messages straight into the persona mailbox (IMAP APPEND, four sessions at a
/// time), each with a unique Message-ID and body; the MIME corpus first, when asked, each made
/// unique by a header.
async fn fill_inbox(w: &World, n: usize, with_corpus: bool) -> usize {
    let mut msgs: Vec<Vec<u8>> = Vec::with_capacity(n);
    if with_corpus {
        for (i, path) in super::corpus_files().iter().enumerate() {
            let mut raw = format!("X-Chaos-Seq: corpus-{i}\r\n").into_bytes();
            raw.extend(std::fs::read(path).unwrap());
            msgs.push(raw);
        }
    }
    let mut i = 0;
    while msgs.len() < n {
        msgs.push(
            format!(
                "From: Leasing <{agent}>\r\nTo: {to}\r\nSubject: Re: the apartment ({i})\r\n\
                 Message-ID: <chaos-{i}-{uuid}@{dom}>\r\nDate: Mon, 23 Nov 2026 10:00:00 -0600\r\n\
                 Content-Type: text/plain; charset=utf-8\r\n\r\n\
                 Reply {i}. The 2-bedroom is $1,650 a month; the application fee is $50. {pad}\r\n",
                agent = w.agent_address(),
                to = w.persona.email,
                uuid = uuid::Uuid::new_v4().simple(),
                dom = w.agent_domain,
                pad = "Thanks for reaching out about the apartment. ".repeat(20),
            )
            .into_bytes(),
        );
        i += 1;
    }
    let total = msgs.len();
    let user = format!("ops@{}", w.persona_domain);
    let chunks: Vec<Vec<Vec<u8>>> = msgs
        .chunks(total.div_ceil(4).max(1))
        .map(|c| c.to_vec())
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let user = user.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = imap_as(&user).await;
            for m in chunk {
                s.append("INBOX", None, None, &m).await.expect("APPEND");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    total
}

/// Waits until `expected` inbound messages are stored, then counts rows and distinct bytes.
async fn settle_sync(w: &World, expected: usize, f: &mut Figures, limit: Duration) {
    let ok = until(limit, || async {
        count(&w.store, STORED)
            .await
            .is_some_and(|c| c >= expected as i64)
    })
    .await;
    if !ok {
        f.problems.push(format!(
            "{} of {expected} stored within {limit:?}",
            count(&w.store, STORED).await.unwrap_or(-1)
        ));
    }
    let (rows, distinct, flagged): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT raw_sha256), count(*) FILTER (WHERE parse_error IS NOT NULL) \
         FROM messages WHERE direction = 'inbound'",
    )
    .fetch_one(w.store.pool())
    .await
    .unwrap();
    f.expected += expected;
    f.unique += distinct as usize;
    f.lost += expected.saturating_sub(distinct as usize);
    f.duplicated += (rows - distinct) as usize;
    if flagged > 0 {
        f.note = format!("{flagged} malformed messages stored raw and flagged");
    }
}

// ------------------------------------------------------------------------------- scenarios

/// SIGKILL of the worker, again and again, while it sends.
pub async fn kill_mid_send(scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "kill -9 mid-send ({} x{})",
        scale.send, scale.send_kills
    ));
    let w = world().await;
    let ids = approved(&w, scale.send, "kill").await;
    let mut workers = Workers::new(&w);
    let mut mid_smtp = std::collections::HashSet::new();
    let step = (scale.send / (2 * scale.send_kills)).max(1) as i64;
    for _ in 0..scale.send_kills {
        let before = count(&w.store, SENT).await.unwrap();
        if before + 2 * step > scale.send as i64 {
            break;
        }
        workers.spawn();
        if let Some(t) = progress(&w.store, SENT, before, Duration::from_secs(60)).await {
            f.recoveries.push(t);
        } else {
            f.problems
                .push("a restarted worker sent nothing in 60 s".into());
        }
        progress(&w.store, SENT, before + step - 1, Duration::from_secs(60)).await;
        jitter().await;
        workers.kill_all();
        mid_smtp.extend(broken_off(&w.store).await);
    }
    workers.spawn();
    settle_sends(&w, &ids, &mut f, Duration::from_secs(240)).await;
    f.note = format!(
        "{} messages caught mid-SMTP by a kill; {}",
        mid_smtp.len(),
        f.note
    );
    workers.finish(&mut f);
    f.elapsed = start.elapsed();
    f
}

/// SIGKILL of the worker, again and again, while it syncs a big mailbox (with the MIME corpus).
pub async fn kill_mid_sync(scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "kill -9 mid-sync ({} x{})",
        scale.sync, scale.sync_kills
    ));
    let w = world().await;
    let n = fill_inbox(&w, scale.sync, true).await;
    let fill = start.elapsed();
    let mut workers = Workers::new(&w);
    let batch = secret_shop::engine::sync::BATCH as i64;
    for life in 0..scale.sync_kills {
        let before = count(&w.store, STORED).await.unwrap();
        if before + batch > n as i64 {
            break;
        }
        workers.spawn();
        if life % 2 == 0 {
            // Killed once it has committed something, anywhere in the next batch.
            if let Some(t) = progress(&w.store, STORED, before, Duration::from_secs(60)).await {
                f.recoveries.push(t);
            } else {
                f.problems
                    .push("a restarted worker stored nothing in 60 s".into());
            }
            // Sync is fast (a batch of 500 in a quarter second, released): kill soon after.
            let ms = rand::rng().random_range(0..100);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        } else {
            // Killed early: logging in, taking the lease or in the middle of its first fetch.
            let ms = rand::rng().random_range(50..400);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        workers.kill_all();
    }
    workers.spawn();
    settle_sync(&w, n, &mut f, Duration::from_secs(300)).await;
    workers.finish(&mut f);
    f.elapsed = start.elapsed() - fill;
    f
}

/// Postgres stops for `scale.outage` while the worker sends; half the mail is approved before,
/// half after it is back.
pub async fn postgres_down_mid_send(svc: &Services, scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "Postgres down {}s mid-send ({})",
        scale.outage.as_secs(),
        scale.outage_send
    ));
    let w = world().await;
    let half = scale.outage_send / 2;
    let mut ids = approved(&w, half, "pg").await;
    let mut workers = Workers::new(&w);
    workers.spawn();
    progress(&w.store, SENT, 0, Duration::from_secs(60)).await;
    svc.stop_one("postgres");
    tokio::time::sleep(scale.outage).await;
    svc.start_one("postgres");
    let back = Instant::now();
    let before = wait_count(&w.store, SENT).await;
    ids.extend(approved(&w, scale.outage_send - half, "pg after").await);
    match progress(&w.store, SENT, before, Duration::from_secs(60)).await {
        Some(_) => f.recoveries.push(back.elapsed()),
        None => f
            .problems
            .push("no send within 60 s of Postgres coming back".into()),
    }
    settle_sends(&w, &ids, &mut f, Duration::from_secs(240)).await;
    workers.finish(&mut f);
    f.elapsed = start.elapsed();
    f
}

/// Postgres stops for `scale.outage` while the worker syncs; more mail arrives meanwhile.
pub async fn postgres_down_mid_sync(svc: &Services, scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "Postgres down {}s mid-sync ({})",
        scale.outage.as_secs(),
        scale.outage_sync
    ));
    let w = world().await;
    let half = scale.outage_sync / 2;
    let mut n = fill_inbox(&w, half, false).await;
    let mut workers = Workers::new(&w);
    workers.spawn();
    progress(&w.store, STORED, 0, Duration::from_secs(60)).await;
    svc.stop_one("postgres");
    let down = Instant::now();
    n += fill_inbox(&w, scale.outage_sync - half, false).await;
    tokio::time::sleep(scale.outage.saturating_sub(down.elapsed())).await;
    svc.start_one("postgres");
    let back = Instant::now();
    let before = wait_count(&w.store, STORED).await;
    match progress(&w.store, STORED, before, Duration::from_secs(60)).await {
        Some(_) => f.recoveries.push(back.elapsed()),
        None => f
            .problems
            .push("nothing stored within 60 s of Postgres coming back".into()),
    }
    settle_sync(&w, n, &mut f, Duration::from_secs(240)).await;
    workers.finish(&mut f);
    f.elapsed = start.elapsed();
    f
}

/// The count, once the database answers again (the harness's own pool reconnects too).
async fn wait_count(store: &Store, sql: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(n) = count(store, sql).await {
            return n;
        }
        assert!(
            Instant::now() < deadline,
            "the database did not answer within 60 s of its restart"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const SENT_AND_FILED: &str = "SELECT count(*) FROM messages WHERE direction = 'outbound' \
     AND status = 'sent' AND sent_copy_filed";

/// Dovecot or Postfix restarts while the worker sends: the sender's IMAP session or SMTP
/// connection goes stale under it (the duplicate-send case of defect 1). Half the mail is
/// approved before, half while the server is down; recovery is the next message sent with its
/// Sent copy filed once the server is back.
pub async fn mail_restart_mid_send(svc: &Services, scale: &Scale, service: &str) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "{service} restart mid-send ({})",
        scale.restart_send
    ));
    let w = world().await;
    let half = scale.restart_send / 2;
    let mut ids = approved(&w, half, service).await;
    let mut workers = Workers::new(&w);
    workers.spawn();
    progress(&w.store, SENT_AND_FILED, 0, Duration::from_secs(60)).await;
    svc.stop_one(service);
    ids.extend(approved(&w, scale.restart_send - half, "during").await);
    // Without Postfix nothing is sent; without Dovecot nothing is filed in Sent: the count
    // stands still until the server is back (which may be before `start-one` returns).
    let metric = if service == "postfix" {
        SENT
    } else {
        SENT_AND_FILED
    };
    let before = count(&w.store, metric).await.unwrap();
    svc.start_one(service);
    let back = Instant::now();
    match progress(&w.store, metric, before, Duration::from_secs(60)).await {
        // Progress made while the start script still waited for the server shows as ~0.
        Some(_) => f.recoveries.push(back.elapsed()),
        None => f.problems.push(format!(
            "nothing sent and filed within 60 s of {service} coming back"
        )),
    }
    settle_sends(&w, &ids, &mut f, Duration::from_secs(240)).await;
    workers.finish(&mut f);
    f.elapsed = start.elapsed();
    f
}

/// Who holds the sync lease of the world's mailbox (`host:pid`), if anyone.
async fn sync_holder(store: &Store) -> Option<String> {
    sqlx::query_scalar(
        "SELECT holder FROM leases WHERE name LIKE 'mailbox:%' AND expires_at > now() LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await
    .ok()
    .flatten()
}

/// The worker holding the mailbox is frozen (SIGSTOP, a suspended laptop) while replies arrive
/// and mail waits to go; a second worker takes over. Thawed, the first stands down.
pub async fn frozen_holder(scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "SIGSTOP of the holder ({}+{})",
        scale.frozen_mail, scale.frozen_mail
    ));
    let w = world().await;
    let mut workers = Workers::new(&w);
    let frozen = workers.spawn();
    let mine = format!(":{frozen}");
    if !until(Duration::from_secs(30), || async {
        sync_holder(&w.store)
            .await
            .is_some_and(|h| h.ends_with(&mine))
    })
    .await
    {
        f.problems
            .push("the first worker never took the lease".into());
    }
    workers.signal(frozen, "-STOP");
    let froze = Instant::now();
    let ids = approved(&w, scale.frozen_mail, "frozen").await;
    workers.spawn();
    for i in 0..scale.frozen_mail {
        w.agent_sends(
            &format!("Re: the apartment ({i})"),
            "Yes, it is available.",
            "",
        )
        .await;
    }
    match progress(&w.store, STORED, 0, Duration::from_secs(60)).await {
        Some(_) => f.recoveries.push(froze.elapsed()),
        None => f
            .problems
            .push("no reply stored while the holder was frozen".into()),
    }
    settle_sync(
        &w,
        scale.frozen_mail,
        &mut Figures::default(),
        Duration::from_secs(60),
    )
    .await;
    workers.signal(frozen, "-CONT");
    for i in 0..scale.frozen_mail {
        w.agent_sends(&format!("Re: parking ({i})"), "Parking is $50.", "")
            .await;
    }
    settle_sync(&w, 2 * scale.frozen_mail, &mut f, Duration::from_secs(60)).await;
    settle_sends(&w, &ids, &mut f, Duration::from_secs(120)).await;
    workers.finish(&mut f);
    f.note = format!(
        "recover = freeze to first reply stored (lease 4 s); {}",
        f.note
    );
    f.elapsed = start.elapsed();
    f
}

/// Two workers at once over the same outbox and mailbox.
pub async fn two_workers(scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "two workers ({} sends, {} replies)",
        scale.two_workers_send, scale.two_workers_sync
    ));
    let w = world().await;
    let n = fill_inbox(&w, scale.two_workers_sync, false).await;
    let ids = approved(&w, scale.two_workers_send, "two").await;
    let mut workers = Workers::new(&w);
    workers.spawn();
    workers.spawn();
    settle_sync(&w, n, &mut f, Duration::from_secs(240)).await;
    settle_sends(&w, &ids, &mut f, Duration::from_secs(240)).await;
    workers.finish(&mut f);
    f.elapsed = start.elapsed();
    f
}

/// Two operators approve every draft at the same moment (two connections): one approval wins
/// each race, and each message goes once.
pub async fn double_approvals(scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!("double approvals ({})", scale.double_approvals));
    let w = world().await;
    let second = Store::connect(
        &secrecy::SecretString::from(w.url.clone()),
        5,
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    let alice = w.store.actor("alice").await.unwrap();
    let bob = second.actor("bob").await.unwrap();
    let mut ids = Vec::new();
    let mut both_won = 0;
    let mut none_won = 0;
    for i in 0..scale.double_approvals {
        let d = w
            .store
            .insert_draft(
                &w.actor,
                &NewDraft {
                    shop_id: w.shop,
                    kind: secret_shop::domain::message::MessageKind::Inquiry,
                    subject: format!("race {i}"),
                    body_text: "Hi, is the 2-bedroom still available? Jane".into(),
                    in_reply_to: None,
                    reference_ids: Vec::new(),
                    generation: None,
                },
            )
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            w.store.approve_draft(&alice, d.id, d.version),
            second.approve_draft(&bob, d.id, d.version)
        );
        match (a.is_ok(), b.is_ok()) {
            (true, true) => both_won += 1,
            (false, false) => none_won += 1,
            _ => {}
        }
        ids.push((d.id, d.message_id.unwrap()));
    }
    let approvals: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'approve'")
            .fetch_one(w.store.pool())
            .await
            .unwrap_or(-1);
    if both_won > 0 || none_won > 0 || approvals != ids.len() as i64 {
        f.problems.push(format!(
            "{both_won} races won twice, {none_won} lost by both, {approvals} approvals recorded"
        ));
    }
    let mut workers = Workers::new(&w);
    workers.spawn();
    settle_sends(&w, &ids, &mut f, Duration::from_secs(240)).await;
    workers.finish(&mut f);
    f.note = format!("one approval won each race; {}", f.note);
    f.elapsed = start.elapsed();
    f
}

/// One agent mail to two personas of the same property, again and again: two mailbox copies
/// with one Message-ID, each kept and threaded to its own shop. A worker is killed midway.
pub async fn shared_message_id(scale: &Scale) -> Figures {
    let start = Instant::now();
    let mut f = Figures::new(&format!(
        "same Message-ID, two copies ({})",
        scale.shared_replies
    ));
    let w = world().await;
    let (sam, sam_shop) = w.another_shopper("Sam", "Lee").await;
    let mut workers = Workers::new(&w);
    workers.spawn();
    for i in 0..scale.shared_replies {
        let id = format!(
            "shared-{i}-{}@{}",
            uuid::Uuid::new_v4().simple(),
            w.agent_domain
        );
        let raw = format!(
            "From: Leasing <{agent}>\r\nTo: {jane}, {sam}\r\nSubject: Re: 2 bedrooms ({i})\r\n\
             Message-ID: <{id}>\r\nDate: Mon, 23 Nov 2026 10:00:00 -0600\r\n\r\n\
             Yes, both of you: $1,650 a month.\r\n",
            agent = w.agent_address(),
            jane = w.persona.email,
            sam = sam.email,
        );
        smtp_send_raw(
            &w.agent_address(),
            &[w.persona.email.clone(), sam.email.clone()],
            raw.as_bytes(),
        )
        .await;
        if i == scale.shared_replies / 2 {
            workers.kill_all();
            workers.spawn();
        }
    }
    let expected = 2 * scale.shared_replies;
    settle_sync(&w, expected, &mut f, Duration::from_secs(120)).await;
    let per_shop: Vec<(Option<i64>, i64)> = sqlx::query_as(
        "SELECT shop_id, count(*) FROM messages WHERE direction = 'inbound' GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(w.store.pool())
    .await
    .unwrap();
    let want = vec![
        (Some(w.shop.0.min(sam_shop.0)), scale.shared_replies as i64),
        (Some(w.shop.0.max(sam_shop.0)), scale.shared_replies as i64),
    ];
    if per_shop != want {
        f.problems
            .push(format!("copies per shop {per_shop:?}, want {want:?}"));
    }
    workers.finish(&mut f);
    f.note = "each copy threaded to its own shop".into();
    f.elapsed = start.elapsed();
    f
}

/// Every scenario, in order; `CHAOS_ONLY=text` runs those whose name contains it.
pub async fn run_all(svc: &Services, scale: &Scale) -> Vec<Figures> {
    let only = std::env::var("CHAOS_ONLY").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || name.contains(&only);
    let mut rows = Vec::new();
    let mut report = |f: Figures| {
        eprintln!("{}", table(std::slice::from_ref(&f)));
        rows.push(f);
    };
    if wanted("kill -9 mid-send") {
        report(kill_mid_send(scale).await);
    }
    if wanted("kill -9 mid-sync") {
        report(kill_mid_sync(scale).await);
    }
    if wanted("Postgres down mid-send") {
        report(postgres_down_mid_send(svc, scale).await);
    }
    if wanted("Postgres down mid-sync") {
        report(postgres_down_mid_sync(svc, scale).await);
    }
    for service in ["dovecot", "postfix"] {
        if wanted(&format!("{service} restart")) {
            report(mail_restart_mid_send(svc, scale, service).await);
        }
    }
    if wanted("SIGSTOP") {
        report(frozen_holder(scale).await);
    }
    if wanted("two workers") {
        report(two_workers(scale).await);
    }
    if wanted("double approvals") {
        report(double_approvals(scale).await);
    }
    if wanted("same Message-ID") {
        report(shared_message_id(scale).await);
    }
    rows
}

pub fn state_dir(svc: &Services) -> &Path {
    svc.dir.path()
}
