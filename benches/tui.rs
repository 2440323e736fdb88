//! TUI benchmark (prints figures; not a timed test). Needs the test Postgres `scripts/services`
//! starts, and tmux for the end-to-end figures:
//!
//!     set -a; eval "$(scripts/services start)"; set +a
//!     cargo bench --bench tui -- [--runs 5] [--keys 1000] [--reseed]
//!
//! Seeds (once; reused by later runs) the database `secretshop_bench_tui` with 5,000 targets,
//! personas and shops and 100,000 messages (55,000 inbound, 45,000 outbound), then measures:
//!
//! 1. Launch to first full frame (the dashboard with its figures), two ways: in-process
//!    (`Store::connect`, migrations, `App::new`, the start effects run concurrently through the
//!    real `Runtime`, each result drawn as it arrives), and the real release binary
//!    (`secret-shop tui --no-engine`) in a 100×30 tmux pane, polled with `capture-pane` until the
//!    dashboard's figures show.
//! 2. Peak RSS (VmHWM) of that binary while it shows the inbox, and after visiting every pane.
//! 3. Draw time and bytes written per scroll keystroke: the inbox loaded (500 rows), `j` pressed
//!    through `App::handle` down the list (`k` back up at the bottom), each `terminal.draw` timed
//!    on a `CrosstermBackend` writing to a byte-counting sink at 100×30.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use secrecy::SecretString;
use secret_shop::ai::Ai;
use secret_shop::config::Config;
use secret_shop::store::{InboxFilter, Store};
use secret_shop::tui::app::App;
use secret_shop::tui::effect::Effect;
use secret_shop::tui::event::{Event, Loaded};
use secret_shop::tui::keymap::Keymap;
use secret_shop::tui::runtime::{self, LIST_LIMIT, Runtime};
use secret_shop::tui::theme::Theme;
use secret_shop::tui::view;
use tokio::sync::mpsc;

mod common;
use common::WORDS;

/// The bench's own database, reused across runs; bump `SEED_VERSION` when the seed changes.
const DB_NAME: &str = "secretshop_bench_tui";
const SEED_VERSION: i32 = 1;
const SHOPS: i64 = 5_000;
const INBOUND: i64 = 55_000;
const OUTBOUND: i64 = 45_000;
const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;
const OPERATOR: &str = "bench";

// Targets (issue 6 §5).
const FIRST_FRAME_MS: f64 = 300.0;
const RSS_MB: f64 = 60.0;
const DRAW_MEDIAN_MS: f64 = 1.0;
const BYTES_PER_KEY: f64 = 2048.0;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!(
            "{name} is not set: start the services first:\n  set -a; eval \"$(scripts/services start)\"; set +a"
        );
        std::process::exit(2)
    })
}

struct Args {
    runs: usize,
    keys: usize,
    reseed: bool,
}

fn args() -> Args {
    let mut a = Args {
        runs: 5,
        keys: 1000,
        reseed: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => a.runs = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.runs),
            "--keys" => a.keys = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.keys),
            "--reseed" => a.reseed = true,
            // `cargo bench` passes --bench; anything else is ignored too.
            _ => {}
        }
    }
    a.runs = a.runs.max(1);
    a
}

fn with_db_name(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("DATABASE_URL is a URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

// ---------------------------------------------------------------------------------------------
// Seeding

/// A SQL expression for about `n` words of mail text that differ per row (`seed` is a column).
fn body_sql(seed: &str, n: usize) -> String {
    let words = WORDS.join(",");
    format!(
        "(SELECT string_agg(('{{{words}}}'::text[])[1 + abs(hashint4({seed} * 1009 + g)) % {len}], \
         CASE WHEN g % 12 = 0 THEN E'\\n' ELSE ' ' END) FROM generate_series(1, {n}) g)",
        len = WORDS.len()
    )
}

/// The seed, as set-based statements in one transaction. Ids are 1..N: the database is new.
fn seed_statements() -> Vec<String> {
    let mut s = vec![
        "INSERT INTO mailboxes (address, kind) VALUES ('operator@shop.test', 'catch_all')".into(),
        format!(
            "INSERT INTO targets (name, street, city, state, zip, phone, email, website,
                                  property_manager, created_at, updated_at)
             SELECT (ARRAY['Oak','Pine','Cedar','Maple','Willow','Aspen','Birch','Elm'])[1 + i % 8]
                    || ' ' || (ARRAY['Lofts','Flats','Commons','Residences','Gardens','Heights',
                                     'Village','Terrace','Point','Park'])[1 + (i / 8) % 10]
                    || ' ' || i,
                    (100 + i) || ' ' || (ARRAY['Main','Lamar','Congress','Guadalupe','Burnet'])[1 + i % 5]
                    || ' St',
                    (ARRAY['Austin','Round Rock','Pflugerville','Georgetown','Cedar Park'])[1 + i % 5],
                    'TX', (78700 + i % 100)::text, '512-555-' || lpad((i % 10000)::text, 4, '0'),
                    'leasing' || i || '@property' || i || '.test', 'https://property' || i || '.test',
                    (ARRAY['Greystar','Camden','RPM Living','Lincoln','Asset Living'])[1 + i % 5],
                    now() - make_interval(days => 400 + i % 400), now() - make_interval(days => i % 400)
             FROM generate_series(1, {SHOPS}) i"
        ),
        format!(
            "INSERT INTO personas (first_name, last_name, email, mailbox_id, rental_budget, bedrooms,
                                   bathrooms, credit_score, monthly_income, writing_style, first_used_at)
             SELECT (ARRAY['Maria','James','Aisha','Wei','Carlos','Emily','Noah','Priya','Omar','Grace'])[1 + i % 10],
                    (ARRAY['Garcia','Smith','Khan','Chen','Lopez','Johnson','Brown','Patel','Ali','Kim',
                           'Nguyen','Davis'])[1 + (i / 10) % 12],
                    'persona' || i || '@shop.test', (SELECT min(id) FROM mailboxes),
                    1200 + (i % 20) * 50, 1 + i % 3, 1 + (i % 2) * 0.5, 620 + i % 200,
                    4500 + (i % 40) * 100, 'brief and friendly', now() - make_interval(days => i % 365)
             FROM generate_series(1, {SHOPS}) i"
        ),
        // 30 % completed, 20 % awaiting reply, 15 % replied, 5 % each of the rest.
        format!(
            "INSERT INTO shops (target_id, persona_id, status, status_reason, follow_ups_sent,
                                next_action_at, started_at, ended_at, created_at, updated_at)
             SELECT i, i, st, CASE WHEN st = 'blocked' THEN 'target email bouncing' END, 2,
                    CASE WHEN st IN ('awaiting_reply', 'replied') THEN now() + make_interval(hours => i % 72) END,
                    now() - make_interval(days => i % 365),
                    CASE WHEN st IN ('completed', 'cancelled', 'timed_out', 'failed')
                         THEN now() - make_interval(days => i % 365) + interval '9 days' END,
                    now() - make_interval(days => i % 365), now() - make_interval(mins => i * 7)
             FROM (SELECT i, (ARRAY['completed','completed','completed','completed','completed',
                                    'completed','awaiting_reply','awaiting_reply','awaiting_reply',
                                    'awaiting_reply','replied','replied','replied','awaiting_review',
                                    'awaiting_send','blocked','cancelled','timed_out','failed',
                                    'new'])[1 + i % 20] AS st
                   FROM generate_series(1, {SHOPS}) i) x"
        ),
        // Nine outbound per shop: the inquiry and follow-ups, the last one pending review for
        // shops awaiting review and approved (outside the send window) for those awaiting send.
        format!(
            "INSERT INTO messages (shop_id, mailbox_id, direction, kind, status, message_id, from_addr,
                                   from_name, to_addrs, subject, body_text, sent_at, wait_reason,
                                   next_attempt_at, generation, created_at, updated_at)
             SELECT x.shop, (SELECT min(id) FROM mailboxes), 'outbound',
                    CASE WHEN x.seq = 0 THEN 'inquiry' ELSE 'follow_up' END, x.st,
                    'out-' || x.k || '@shop.test', p.email, p.first_name || ' ' || p.last_name,
                    ARRAY[t.email],
                    CASE WHEN x.seq = 0 THEN '' ELSE 'Re: ' END || 'Apartment inquiry — ' || t.name,
                    {body},
                    CASE WHEN x.st = 'sent' THEN x.at END,
                    CASE WHEN x.st = 'approved' THEN 'outside the send window' END,
                    CASE WHEN x.st = 'approved' THEN now() + interval '8 hours' END,
                    '{{\"model\": \"offline\", \"template\": \"inquiry-v1\"}}'::jsonb, x.at, x.at
             FROM (SELECT k, 1 + (k - 1) % {SHOPS} AS shop, (k - 1) / {SHOPS} AS seq,
                          now() - make_interval(secs => ((k * 7919) % {OUTBOUND}) * 690) AS at,
                          CASE WHEN (k - 1) / {SHOPS} = {last} AND (1 + (k - 1) % {SHOPS}) % 20 = 13
                               THEN 'pending_review'
                               WHEN (k - 1) / {SHOPS} = {last} AND (1 + (k - 1) % {SHOPS}) % 20 = 14
                               THEN 'approved'
                               ELSE 'sent' END AS st
                   FROM generate_series(1, {OUTBOUND}) k) x
             JOIN shops s ON s.id = x.shop
             JOIN targets t ON t.id = s.target_id
             JOIN personas p ON p.id = s.persona_id",
            body = body_sql("x.k", 220),
            last = OUTBOUND / SHOPS - 1,
        ),
        // Ten replies per shop over the last year, newest first by j, and 5,000 unmatched;
        // a tenth auto-replies, some bounces and unparsable ones; all but the newest 300 read.
        format!(
            "INSERT INTO messages (shop_id, mailbox_id, direction, kind, message_id, in_reply_to,
                                   reference_ids, from_addr, from_name, to_addrs, delivered_to, subject,
                                   body_text, raw, parse_error, is_auto_reply, is_bounce,
                                   responder_kind, date_header, received_at, read_at, imap_folder,
                                   imap_uidvalidity, imap_uid, created_at, updated_at)
             SELECT x.shop, (SELECT min(id) FROM mailboxes), 'inbound',
                    CASE WHEN x.shop IS NULL THEN 'unmatched' ELSE 'response' END,
                    'in-' || x.j || '@property.test',
                    CASE WHEN x.shop IS NOT NULL THEN 'out-' || x.shop || '@shop.test' END,
                    CASE WHEN x.shop IS NOT NULL THEN ARRAY['out-' || x.shop || '@shop.test'] ELSE '{{}}' END,
                    CASE WHEN x.j % 250 = 7 THEN 'mailer-daemon@property.test'
                         ELSE coalesce(t.email, 'someone' || x.j || '@elsewhere.test') END,
                    CASE WHEN x.j % 250 = 7 THEN 'Mail Delivery System'
                         ELSE coalesce(t.property_manager || ' Leasing', 'Someone Else') END,
                    ARRAY[coalesce(p.email, 'operator@shop.test')],
                    ARRAY[coalesce(p.email, 'operator@shop.test')],
                    coalesce('Re: Apartment inquiry — ' || t.name, 'Question about a listing ' || x.j),
                    x.body,
                    convert_to('From: leasing@property.test' || E'\\r\\nSubject: reply ' || x.j
                               || E'\\r\\n\\r\\n' || x.body, 'UTF8'),
                    CASE WHEN x.j % 1000 = 3 THEN 'bench: unparsable MIME' END,
                    x.j % 10 = 0, x.j % 250 = 7,
                    CASE WHEN x.shop IS NULL THEN NULL WHEN x.j % 10 = 0 THEN 'auto'
                         WHEN x.j % 10 IN (1, 2) THEN 'ai' ELSE 'human' END,
                    x.at - interval '1 minute', x.at,
                    CASE WHEN x.j > 300 THEN x.at + interval '1 hour' END,
                    'INBOX', 1, x.j, x.at, x.at
             FROM (SELECT j, CASE WHEN j <= {matched} THEN 1 + (j - 1) % {SHOPS} END AS shop,
                          now() - make_interval(secs => j * 570) AS at, {body} AS body
                   FROM generate_series(1, {INBOUND}) j) x
             LEFT JOIN shops s ON s.id = x.shop
             LEFT JOIN targets t ON t.id = s.target_id
             LEFT JOIN personas p ON p.id = s.persona_id",
            body = body_sql("j", 380),
            matched = SHOPS * 10,
        ),
        "INSERT INTO grades (shop_id, rubric_version, total, max_total, model, created_at)
         SELECT id, 'bench', 35 + (id * 37) % 65, 100, 'offline', updated_at
         FROM shops WHERE status = 'completed'"
            .into(),
        format!(
            "INSERT INTO audit_log (at, operator, action, entity_type, entity_id, detail)
             SELECT now() - make_interval(secs => i * 1500), '{OPERATOR}',
                    (ARRAY['approve', 'reject', 'edit', 'start'])[1 + i % 4],
                    CASE WHEN i % 4 = 3 THEN 'shop' ELSE 'message' END, 1 + i % {SHOPS}, '{{}}'
             FROM generate_series(1, 20000) i"
        ),
    ];
    s.push(format!(
        "INSERT INTO bench_seed (version) VALUES ({SEED_VERSION})"
    ));
    s
}

/// Creates (or reuses) the bench database and seeds it; returns its URL.
async fn prepare_database(admin_url: &str, reseed: bool) -> String {
    let url = with_db_name(admin_url, DB_NAME);
    let admin = sqlx::PgPool::connect(admin_url)
        .await
        .expect("connect to the test Postgres");
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(DB_NAME)
            .fetch_one(&admin)
            .await
            .expect("look up the bench database");
    let mut seeded = false;
    if exists && !reseed {
        let pool = sqlx::PgPool::connect(&url)
            .await
            .expect("connect to the bench database");
        let v: Option<i32> = sqlx::query_scalar("SELECT max(version) FROM bench_seed")
            .fetch_one(&pool)
            .await
            .ok()
            .flatten();
        pool.close().await;
        seeded = v == Some(SEED_VERSION);
    }
    if seeded {
        println!("database {DB_NAME}: already seeded (seed v{SEED_VERSION}); --reseed rebuilds it");
        admin.close().await;
        return url;
    }
    // The name is a constant of ours, not input: safe to splice.
    if exists {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {DB_NAME} WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .expect("drop the old bench database");
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DB_NAME}")))
        .execute(&admin)
        .await
        .expect("create the bench database");
    admin.close().await;

    let store = Store::connect(&SecretString::from(url.clone()), 2, Duration::from_secs(10))
        .await
        .expect("connect to the bench database");
    store.migrate().await.expect("migrations apply");
    store.actor(OPERATOR).await.expect("the bench operator");
    let started = Instant::now();
    let mut tx = store.pool().begin().await.expect("begin");
    sqlx::query("CREATE TABLE bench_seed (version INTEGER NOT NULL)")
        .execute(&mut *tx)
        .await
        .expect("bench_seed");
    for sql in seed_statements() {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("seed failed: {e}\n{sql}"));
    }
    tx.commit().await.expect("commit the seed");
    // A long-lived database has its statistics and visibility map: give the seed the same.
    sqlx::query("VACUUM ANALYZE")
        .execute(store.pool())
        .await
        .expect("vacuum analyze");
    let (messages, size): (i64, String) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM messages), pg_size_pretty(pg_database_size(current_database()))",
    )
    .fetch_one(store.pool())
    .await
    .expect("count");
    println!(
        "database {DB_NAME}: seeded {messages} messages, {SHOPS} shops in {:.1} s ({size})",
        started.elapsed().as_secs_f64()
    );
    store.pool().close().await;
    url
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Counts what the backend writes: the bytes an SSH session would carry.
#[derive(Clone, Default)]
struct Sink(Arc<AtomicU64>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn terminal(sink: &Sink) -> Terminal<CrosstermBackend<Sink>> {
    Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
        },
    )
    .expect("a fixed-size terminal")
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    percentile(&s, 50.0)
}

fn peak_rss_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// What the binary is given: an empty config file, the bench database, a private HOME.
struct Setup {
    dir: tempfile::TempDir,
    env: HashMap<String, String>,
}

impl Setup {
    fn new(url: &str) -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        let p = |s: &str| dir.path().join(s).display().to_string();
        let env = HashMap::from([
            ("DATABASE_URL".to_string(), url.to_string()),
            ("SECRET_SHOP_OPERATOR".to_string(), OPERATOR.to_string()),
            (
                "SECRET_SHOP_MAIL_DOMAIN".to_string(),
                "shop.test".to_string(),
            ),
            ("SECRET_SHOP_LOG_FILE".to_string(), p("log.txt")),
            ("HOME".to_string(), p("")),
            ("XDG_CONFIG_HOME".to_string(), p("xdg-config")),
            ("XDG_DATA_HOME".to_string(), p("xdg-data")),
        ]);
        Setup { dir, env }
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    fn config(&self) -> Config {
        Config::load_with_env(Some(&self.config_path()), &|k| self.env.get(k).cloned())
            .expect("bench config")
    }
}

// ---------------------------------------------------------------------------------------------
// 1. In-process start-up: what `tui::run` does before and after the screen is taken.

struct Startup {
    connect: f64,
    first_frame: f64,
    full_frame: f64,
    all_loaded: f64,
    loads: Vec<(String, f64)>,
}

async fn startup_in_process(setup: &Setup, theme: &Theme) -> Startup {
    let t0 = Instant::now();
    let config = setup.config();
    let url = config.database_url().expect("database url").clone();
    let store = Store::connect(
        &url,
        config.database.max_connections,
        Duration::from_secs(config.database.connect_timeout_secs),
    )
    .await
    .expect("connect");
    store.migrate().await.expect("migrate");
    let actor = store.actor(&config.operator.name).await.expect("actor");
    let connect = ms(t0.elapsed());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let config = Arc::new(config);
    let rt = Runtime::new(
        store.clone(),
        Ai::from_config(&config.ai),
        actor,
        config.clone(),
        tx.clone(),
    );
    let listener = tokio::spawn(runtime::listen(store.clone(), tx.clone()));
    let watcher = tokio::spawn(runtime::watch_database(store.clone(), tx.clone()));
    let mut app = App::new(
        &config.operator.name,
        Keymap::default_map(),
        false,
        Utc::now(),
    );
    let starts = app.start();
    let pending = starts.len();
    for e in starts {
        rt.spawn(e);
    }
    let sink = Sink::default();
    let mut term = terminal(&sink);
    term.draw(|f| view::draw(&app, theme, f)).expect("draw");
    let first_frame = ms(t0.elapsed());
    let mut full_frame = f64::NAN;
    let mut loads = Vec::new();
    while loads.len() < pending {
        let Some(event) = rx.recv().await else { break };
        // Each start effect answers with one `Loaded`; LISTEN and the health check may add others.
        let what = match &event {
            Event::Loaded(l) => Some(loaded_name(l)),
            Event::Failed { what, error } => panic!("{what} failed: {error}"),
            _ => None,
        };
        app.handle(event);
        term.draw(|f| view::draw(&app, theme, f)).expect("draw");
        if let Some(what) = what {
            if what == "dashboard" {
                full_frame = ms(t0.elapsed());
            }
            loads.push((what, ms(t0.elapsed())));
        }
    }
    let all_loaded = ms(t0.elapsed());
    listener.abort();
    watcher.abort();
    drop(rt);
    store.pool().close().await;
    Startup {
        connect,
        first_frame,
        full_frame,
        all_loaded,
        loads,
    }
}

fn loaded_name(l: &Loaded) -> String {
    match l {
        Loaded::Dashboard(_) => "dashboard".into(),
        Loaded::Review(_) => "review".into(),
        Loaded::Shops(_) => "shops".into(),
        Loaded::Inbox(_) => "inbox".into(),
        // Whatever else start-up loads: the variant's name.
        other => format!("{other:?}")
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("other")
            .to_lowercase(),
    }
}

/// Each start query alone, on a warm pool: where the start-up time goes.
async fn query_times(setup: &Setup, runs: usize) -> Vec<(&'static str, f64)> {
    let config = setup.config();
    let tz = config.send_window.time_zone;
    let store = Store::connect(config.database_url().unwrap(), 2, Duration::from_secs(10))
        .await
        .expect("connect");
    let mut times: HashMap<&'static str, Vec<f64>> = HashMap::new();
    for _ in 0..runs {
        let t = Instant::now();
        store.dashboard(Utc::now(), tz).await.expect("dashboard");
        times.entry("dashboard").or_default().push(ms(t.elapsed()));
        let t = Instant::now();
        store.pending_drafts().await.expect("review");
        times.entry("review").or_default().push(ms(t.elapsed()));
        let t = Instant::now();
        store.shop_rows(LIST_LIMIT, 0).await.expect("shops");
        times.entry("shops").or_default().push(ms(t.elapsed()));
        let t = Instant::now();
        store
            .inbox_rows(&InboxFilter::default(), LIST_LIMIT, 0)
            .await
            .expect("inbox");
        times.entry("inbox").or_default().push(ms(t.elapsed()));
        let t = Instant::now();
        store
            .inbox_rows(&InboxFilter::default(), LIST_LIMIT, 50_000)
            .await
            .expect("inbox page 101");
        times
            .entry("inbox offset 50,000")
            .or_default()
            .push(ms(t.elapsed()));
    }
    store.pool().close().await;
    [
        "dashboard",
        "review",
        "shops",
        "inbox",
        "inbox offset 50,000",
    ]
    .iter()
    .map(|k| (*k, median(&times[k])))
    .collect()
}

// ---------------------------------------------------------------------------------------------
// 3. Scrolling the inbox.

struct Scroll {
    keys: usize,
    rows: usize,
    rows_after: usize,
    loads: usize,
    /// Median draw with a screenful of rows loaded.
    floor_ms: f64,
    /// Median bytes for a key that moves the highlight without shifting the table.
    floor_bytes: f64,
    switch_ms: f64,
    switch_bytes: u64,
    draw_ms: Vec<f64>,
    /// The part of each draw spent in `view::draw` (the rest: diff and write).
    view_ms: Vec<f64>,
    /// Median draw time by how many rows the inbox held.
    by_size: Vec<(usize, f64)>,
    handle_us: Vec<f64>,
    bytes: Vec<f64>,
}

/// Runs effects the way the event loop does (awaited here, outside the timed draw) and hands
/// their outcome back to the app; returns how many ran.
async fn settle(app: &mut App, rt: &Runtime, effects: Vec<Effect>) -> usize {
    let mut queue = effects;
    let mut ran = 0;
    while let Some(effect) = queue.pop() {
        if matches!(effect, Effect::Alert(_) | Effect::Quit) {
            continue;
        }
        ran += 1;
        match rt.run(effect).await {
            Ok(Some(event)) => queue.extend(app.handle(event)),
            Ok(None) => {}
            Err(e) => panic!("an effect failed: {e:#}"),
        }
    }
    ran
}

async fn scroll_inbox(setup: &Setup, theme: &Theme, keys: usize) -> Scroll {
    let config = Arc::new(setup.config());
    let store = Store::connect(config.database_url().unwrap(), 2, Duration::from_secs(10))
        .await
        .expect("connect");
    let (tx, _rx) = mpsc::unbounded_channel();
    let actor = store.actor(&config.operator.name).await.expect("actor");
    let rt = Runtime::new(
        store.clone(),
        Ai::from_config(&config.ai),
        actor,
        config.clone(),
        tx,
    );
    let mut app = App::new(
        &config.operator.name,
        Keymap::default_map(),
        false,
        Utc::now(),
    );
    let starts = app.start();
    settle(&mut app, &rt, starts).await;
    let sink = Sink::default();
    let mut term = terminal(&sink);
    term.draw(|f| view::draw(&app, theme, f)).expect("draw");
    // Go to the inbox: a full redraw, reported on its own.
    let effects = app.handle(key('4'));
    settle(&mut app, &rt, effects).await;
    let rows = app.inbox.len();
    let before = sink.0.load(Ordering::Relaxed);
    let t = Instant::now();
    term.draw(|f| view::draw(&app, theme, f)).expect("draw");
    let switch_ms = ms(t.elapsed());
    let switch_bytes = sink.0.load(Ordering::Relaxed) - before;

    let mut draw_ms = Vec::with_capacity(keys);
    let mut handle_us = Vec::with_capacity(keys);
    let mut bytes = Vec::with_capacity(keys);
    let mut view_ms = Vec::with_capacity(keys);
    let mut by_size: std::collections::BTreeMap<usize, Vec<f64>> = Default::default();
    let mut down = true;
    let mut loads = 0;
    for _ in 0..keys {
        // Down the list with j; at the very end (nothing more to load) back up with k.
        let at = app.inbox.selected;
        let t = Instant::now();
        let effects = app.handle(key(if down { 'j' } else { 'k' }));
        handle_us.push(t.elapsed().as_secs_f64() * 1e6);
        loads += settle(&mut app, &rt, effects).await;
        if app.inbox.selected == at {
            down = !down;
        }
        let before = sink.0.load(Ordering::Relaxed);
        let mut view_time = Duration::ZERO;
        let t = Instant::now();
        term.draw(|f| {
            let v = Instant::now();
            view::draw(&app, theme, f);
            view_time = v.elapsed();
        })
        .expect("draw");
        draw_ms.push(ms(t.elapsed()));
        view_ms.push(ms(view_time));
        by_size
            .entry(app.inbox.len())
            .or_default()
            .push(ms(t.elapsed()));
        bytes.push((sink.0.load(Ordering::Relaxed) - before) as f64);
    }
    let rows_after = app.inbox.len();

    // The floor: the same pane with only a screenful of rows loaded, so every row built is
    // drawn. What the frame would cost if the view built only the rows on screen.
    let few = store
        .inbox_rows(&InboxFilter::default(), 30, 0)
        .await
        .expect("inbox");
    let mut small = App::new(
        &config.operator.name,
        Keymap::default_map(),
        false,
        Utc::now(),
    );
    small.handle(Event::Loaded(Loaded::Inbox(few)));
    small.handle(key('4'));
    let mut term = terminal(&sink);
    term.draw(|f| view::draw(&small, theme, f)).expect("draw");
    let mut floor = Vec::new();
    let mut floor_bytes = Vec::new();
    for i in 0..400 {
        // Up and down the 20 rows that fit without scrolling; effects (none expected) ignored.
        let _ = small.handle(key(if (i / 20) % 2 == 0 { 'j' } else { 'k' }));
        let before = sink.0.load(Ordering::Relaxed);
        let t = Instant::now();
        term.draw(|f| view::draw(&small, theme, f)).expect("draw");
        floor.push(ms(t.elapsed()));
        floor_bytes.push((sink.0.load(Ordering::Relaxed) - before) as f64);
    }
    store.pool().close().await;
    Scroll {
        keys,
        rows,
        rows_after,
        loads,
        floor_ms: median(&floor),
        floor_bytes: median(&floor_bytes),
        switch_ms,
        switch_bytes,
        draw_ms,
        view_ms,
        by_size: by_size.into_iter().map(|(n, v)| (n, median(&v))).collect(),
        handle_us,
        bytes,
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The real binary in tmux.

struct Tmux {
    socket: String,
    home: PathBuf,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("TERM", "xterm-256color")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "bench"]).stdout)
            .into_owned()
    }

    /// Polls the pane until `needle` shows; the time it showed, or None after `limit`.
    fn wait_for(&self, needle: &str, limit: Duration) -> Option<Instant> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.screen().contains(needle) {
                return Some(Instant::now());
            }
            // Each poll forks a tmux client: poll gently, or the poller steals a core.
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

struct BinaryRun {
    first_frame: f64,
    full_frame: f64,
}

struct BinaryFigures {
    runs: Vec<BinaryRun>,
    inbox_rss_kb: Option<(u64, u64)>,
    all_panes_rss_kb: Option<(u64, u64)>,
}

fn binary_runs(setup: &Setup, runs: usize) -> Result<BinaryFigures, String> {
    let bin = Path::new(env!("CARGO_BIN_EXE_secret-shop"));
    if Command::new("tmux").arg("-V").output().is_err() {
        return Err("tmux is not installed".into());
    }
    let dir = setup.dir.path();
    let mut envfile = String::new();
    for (k, v) in &setup.env {
        envfile.push_str(&format!("{k}={}\n", shell_quote(v)));
    }
    std::fs::write(dir.join("env"), envfile).unwrap();
    let pidfile = dir.join("pid");
    let script = dir.join("run.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nset -a\n. {env}\nset +a\necho $$ > {pid}\nexec {bin} --config {cfg} tui --no-engine\n",
            env = shell_quote(&dir.join("env").display().to_string()),
            pid = shell_quote(&pidfile.display().to_string()),
            bin = shell_quote(&bin.display().to_string()),
            cfg = shell_quote(&setup.config_path().display().to_string()),
        ),
    )
    .unwrap();
    let tmux = Tmux {
        socket: format!("secret-shop-bench-{}", std::process::id()),
        home: dir.to_path_buf(),
    };
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "bench",
        "-x",
        &WIDTH.to_string(),
        "-y",
        &HEIGHT.to_string(),
        "sleep 100000",
    ]);
    if !out.status.success() {
        return Err(format!(
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    tmux.cmd(&["set-option", "-t", "bench", "remain-on-exit", "on"]);
    let script_cmd = format!("/bin/sh {}", shell_quote(&script.display().to_string()));
    let limit = Duration::from_secs(30);
    let mut figures = BinaryFigures {
        runs: Vec::new(),
        inbox_rss_kb: None,
        all_panes_rss_kb: None,
    };
    for run in 0..runs {
        let _ = std::fs::remove_file(&pidfile);
        tmux.cmd(&["respawn-pane", "-k", "-t", "bench", "sleep 100000"]);
        tmux.cmd(&["clear-history", "-t", "bench"]);
        let t0 = Instant::now();
        let out = tmux.cmd(&["respawn-pane", "-k", "-t", "bench", &script_cmd]);
        if !out.status.success() {
            return Err(format!(
                "tmux respawn-pane failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        // The tab bar is the first frame; the dashboard's figures make it a full one.
        let first = tmux.wait_for("1 Dashboard", limit);
        let full = tmux.wait_for("pending reviews", limit);
        let (Some(first), Some(full)) = (first, full) else {
            return Err(format!(
                "the dashboard never showed; the pane says:\n{}",
                tmux.screen()
            ));
        };
        let pid: u32 = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or("no pid from the launch script")?;
        figures.runs.push(BinaryRun {
            first_frame: ms(first - t0),
            full_frame: ms(full - t0),
        });
        if run + 1 == runs {
            // The inbox with 500 of the 100,000 rows, scrolled a little.
            tmux.cmd(&["send-keys", "-t", "bench", "4"]);
            if tmux.wait_for("Inbox (", limit).is_none() {
                return Err(format!("the inbox never showed:\n{}", tmux.screen()));
            }
            let js: Vec<&str> = std::iter::repeat_n("j", 200).collect();
            let mut args = vec!["send-keys", "-t", "bench"];
            args.extend(js);
            tmux.cmd(&args);
            std::thread::sleep(Duration::from_millis(1500));
            figures.inbox_rss_kb = peak_rss_kb(pid);
            // Every pane once (targets and personas load their whole tables).
            for (k, title) in [
                ("2", "Shops ("),
                ("3", "Review ("),
                ("5", "Targets ("),
                ("6", "Personas ("),
                ("7", "Reports —"),
            ] {
                tmux.cmd(&["send-keys", "-t", "bench", k]);
                if tmux.wait_for(title, limit).is_none() {
                    eprintln!("note: pane {k} did not show \"{title}\"");
                }
            }
            std::thread::sleep(Duration::from_millis(1500));
            figures.all_panes_rss_kb = peak_rss_kb(pid);
        }
        tmux.cmd(&["send-keys", "-t", "bench", "q"]);
        let quit = Instant::now();
        while Path::new(&format!("/proc/{pid}")).exists() && quit.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    Ok(figures)
}

// ---------------------------------------------------------------------------------------------

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

#[tokio::main]
async fn main() {
    let args = args();
    let admin_url = env("DATABASE_URL");
    let url = prepare_database(&admin_url, args.reseed).await;
    let setup = Setup::new(&url);
    let theme = Theme::colour();

    println!("\n1. Start-up in-process ({} runs)", args.runs);
    let mut startups = Vec::new();
    for _ in 0..args.runs {
        startups.push(startup_in_process(&setup, &theme).await);
    }
    let col = |f: &dyn Fn(&Startup) -> f64| startups.iter().map(f).collect::<Vec<_>>();
    let first_in = col(&|s| s.full_frame);
    println!(
        "   connect + migrate {:.1} ms, first frame (loading…) {:.1} ms, first full frame {:.1} ms, \
         all four lists {:.1} ms (medians; first run {:.1} ms)",
        median(&col(&|s| s.connect)),
        median(&col(&|s| s.first_frame)),
        median(&first_in),
        median(&col(&|s| s.all_loaded)),
        first_in[0],
    );
    let last = startups.last().unwrap();
    let order: Vec<String> = last
        .loads
        .iter()
        .map(|(w, t)| format!("{w} {t:.0} ms"))
        .collect();
    println!("   arrival order (last run): {}", order.join(", "));
    let queries = query_times(&setup, args.runs).await;
    let q: Vec<String> = queries
        .iter()
        .map(|(w, t)| format!("{w} {t:.1} ms"))
        .collect();
    println!("   each query alone (median): {}", q.join(", "));

    println!(
        "\n2. The release binary in a {WIDTH}×{HEIGHT} tmux pane ({} launches)",
        args.runs
    );
    let binary = binary_runs(&setup, args.runs);
    match &binary {
        Ok(b) => {
            let full: Vec<f64> = b.runs.iter().map(|r| r.full_frame).collect();
            let first: Vec<f64> = b.runs.iter().map(|r| r.first_frame).collect();
            println!(
                "   first frame {:.0} ms, first full frame {:.0} ms (medians; each launch: {})",
                median(&first),
                median(&full),
                full.iter()
                    .map(|t| format!("{t:.0}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some((hwm, rss)) = b.inbox_rss_kb {
                println!(
                    "   inbox shown and scrolled: VmHWM {:.1} MB, VmRSS {:.1} MB",
                    hwm as f64 / 1024.0,
                    rss as f64 / 1024.0
                );
            }
            if let Some((hwm, rss)) = b.all_panes_rss_kb {
                println!(
                    "   after every pane once: VmHWM {:.1} MB, VmRSS {:.1} MB",
                    hwm as f64 / 1024.0,
                    rss as f64 / 1024.0
                );
            }
        }
        Err(e) => println!("   skipped: {e}"),
    }

    println!("\n3. Scrolling the inbox ({} keys)", args.keys);
    let s = scroll_inbox(&setup, &theme, args.keys).await;
    let mut draws = s.draw_ms.clone();
    draws.sort_by(f64::total_cmp);
    let mut bytes = s.bytes.clone();
    bytes.sort_by(f64::total_cmp);
    let mut handles = s.handle_us.clone();
    handles.sort_by(f64::total_cmp);
    let mean_bytes = bytes.iter().sum::<f64>() / bytes.len().max(1) as f64;
    let max_bytes = bytes.last().copied().unwrap_or(0.0);
    let in_view = bytes.iter().filter(|b| **b <= BYTES_PER_KEY).count();
    println!(
        "   {} rows at first, {} after {} loads while scrolling; switching to the inbox: {:.2} ms, {} bytes",
        s.rows, s.rows_after, s.loads, s.switch_ms, s.switch_bytes
    );
    println!(
        "   draw: median {:.3} ms, p99 {:.3} ms, max {:.3} ms; App::handle median {:.1} µs",
        percentile(&draws, 50.0),
        percentile(&draws, 99.0),
        draws.last().copied().unwrap_or(f64::NAN),
        percentile(&handles, 50.0)
    );
    println!(
        "   of which view::draw (building the frame) median {:.3} ms; draw median by rows loaded: {}",
        median(&s.view_ms),
        s.by_size
            .iter()
            .map(|(n, t)| format!("{n} rows {t:.3} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "   the same pane with 30 rows loaded (every row built is on screen): draw median {:.3} ms, \
         {:.0} bytes per key (the highlight moves, nothing scrolls)",
        s.floor_ms, s.floor_bytes
    );
    println!(
        "   bytes per key: median {:.0}, mean {:.0}, p99 {:.0}, max {:.0}; {} of {} keys ≤ {} bytes",
        percentile(&bytes, 50.0),
        mean_bytes,
        percentile(&bytes, 99.0),
        max_bytes,
        in_view,
        s.keys,
        BYTES_PER_KEY
    );

    println!("\nFigures vs targets (issue 6 §5; 100,000 messages, 5,000 shops)\n");
    println!("| figure | measured | target | |");
    println!("|---|---|---|---|");
    let full_in = median(&first_in);
    println!(
        "| first full frame, in-process (median of {}) | {full_in:.0} ms | < {FIRST_FRAME_MS:.0} ms | {} |",
        args.runs,
        verdict(full_in < FIRST_FRAME_MS)
    );
    if let Ok(b) = &binary {
        let full: Vec<f64> = b.runs.iter().map(|r| r.full_frame).collect();
        let m = median(&full);
        println!(
            "| first full frame, release binary in tmux (median of {}) | {m:.0} ms | < {FIRST_FRAME_MS:.0} ms | {} |",
            args.runs,
            verdict(m < FIRST_FRAME_MS)
        );
        if let Some((hwm, _)) = b.inbox_rss_kb {
            let mb = hwm as f64 / 1024.0;
            println!(
                "| peak RSS (VmHWM), binary showing the inbox | {mb:.1} MB | < {RSS_MB:.0} MB | {} |",
                verdict(mb < RSS_MB)
            );
        }
        if let Some((hwm, _)) = b.all_panes_rss_kb {
            let mb = hwm as f64 / 1024.0;
            println!(
                "| peak RSS (VmHWM), binary after every pane | {mb:.1} MB | < {RSS_MB:.0} MB | {} |",
                verdict(mb < RSS_MB)
            );
        }
    }
    let med = percentile(&draws, 50.0);
    println!(
        "| draw while scrolling, median | {med:.3} ms | < {DRAW_MEDIAN_MS:.0} ms | {} |",
        verdict(med < DRAW_MEDIAN_MS)
    );
    println!(
        "| draw while scrolling, p99 | {:.3} ms | — | |",
        percentile(&draws, 99.0)
    );
    println!(
        "| bytes per scroll key, mean / max | {mean_bytes:.0} / {max_bytes:.0} B | ≤ {BYTES_PER_KEY:.0} B | {} |",
        verdict(max_bytes <= BYTES_PER_KEY)
    );
}
