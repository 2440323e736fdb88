//! Ingest benchmark (prints figures; not a timed test). Needs the services `scripts/services`
//! starts:
//!
//!     set -a; eval "$(scripts/services start)"; set +a
//!     cargo bench --bench ingest -- [--count 10000]
//!
//! Fills a fresh mailbox with N realistic messages by IMAP APPEND, then measures side by side:
//! (a) the raw IMAP fetch of all of them (the wire floor), (b) a Postgres COPY of the same raw
//! bytes into a plain table (the storage floor), (c) secret-shop's sync of them into Postgres,
//! parsed, threaded and committed.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::SecretString;
use secret_shop::config::{Config, TlsMode};
use secret_shop::engine::Engine;
use secret_shop::mail::imap::{ImapEndpoint, ImapSession, login};
use secret_shop::store::Store;
use sqlx::Connection;

mod common;
use common::WORDS;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} is not set: start the services first:\n  set -a; eval \"$(scripts/services start)\"; set +a");
        std::process::exit(2)
    })
}

fn words(rng: &mut StdRng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 16);
    let mut col = 0;
    while s.len() < bytes {
        let w = WORDS[rng.random_range(0..WORDS.len())];
        s.push_str(w);
        col += w.len() + 1;
        if col > 70 {
            s.push_str("\r\n");
            col = 0;
        } else {
            s.push(' ');
        }
    }
    s
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len() * 4 / 3 + data.len() / 57 * 2 + 4);
    for (i, chunk) in data.chunks(3).enumerate() {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
        if (i + 1) % 19 == 0 {
            out.push_str("\r\n");
        }
    }
    out
}

/// N messages: median about 6 KB, some multipart/alternative with HTML, about 5 % of 50-200 KB
/// with an attachment, a third of them replies.
fn corpus(n: usize, persona: &str) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(42);
    (0..n)
        .map(|i| {
            let agent = format!("leasing{}@prop{}.test", i % 50, i % 50);
            let reply = i % 3 == 0 && i > 0;
            let mut h = format!(
                "From: Leasing Office <{agent}>\r\nTo: {persona}\r\nSubject: {}Apartment inquiry {i}\r\n\
                 Message-ID: <bench-{i}@prop.test>\r\nDate: Mon, 23 Nov 2026 10:{:02}:00 -0600\r\nMIME-Version: 1.0\r\n",
                if reply { "Re: " } else { "" },
                i % 60
            );
            if reply {
                h.push_str(&format!(
                    "In-Reply-To: <bench-{}@prop.test>\r\nReferences: <bench-{}@prop.test>\r\n",
                    i - 1,
                    i - 1
                ));
            }
            let text_len = rng.random_range(2500..7000);
            let text = words(&mut rng, text_len);
            let kind = rng.random_range(0..100);
            let body = if kind < 5 {
                let size = rng.random_range(50_000..200_000);
                let blob: Vec<u8> = (0..size * 3 / 4).map(|_| rng.random()).collect();
                format!(
                    "Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n--MIX\r\n\
                     Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--MIX\r\n\
                     Content-Type: application/pdf; name=\"floorplan.pdf\"\r\n\
                     Content-Transfer-Encoding: base64\r\n\
                     Content-Disposition: attachment; filename=\"floorplan.pdf\"\r\n\r\n{}\r\n--MIX--\r\n",
                    base64(&blob)
                )
            } else if kind < 40 {
                let html = format!(
                    "<html><body><p>{}</p><table><tr><td>1 bed</td><td>$1,450</td></tr></table></body></html>",
                    text.replace("\r\n", "</p>\r\n<p>")
                );
                format!(
                    "Content-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n--ALT\r\n\
                     Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--ALT\r\n\
                     Content-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--ALT--\r\n"
                )
            } else {
                format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n")
            };
            (h + &body).into_bytes()
        })
        .collect()
}

async fn imap(user: &str) -> ImapSession {
    login(&ImapEndpoint {
        host: "127.0.0.1",
        port: env("SECRET_SHOP_IMAP_PORT").parse().unwrap(),
        tls: TlsMode::None,
        user,
        password: SecretString::from(env("SECRET_SHOP_MAIL_PASSWORD")),
        ca_file: None,
    })
    .await
    .expect("imap login")
}

/// Binary COPY of (uid, raw) rows.
fn copy_binary(rows: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.iter().map(|r| r.1.len() + 14).sum::<usize>() + 21);
    out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend_from_slice(&0i32.to_be_bytes());
    for (uid, raw) in rows {
        out.extend_from_slice(&2i16.to_be_bytes());
        out.extend_from_slice(&8i32.to_be_bytes());
        out.extend_from_slice(&(*uid as i64).to_be_bytes());
        out.extend_from_slice(&(raw.len() as i32).to_be_bytes());
        out.extend_from_slice(raw);
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    out
}

fn rate(n: usize, d: Duration) -> String {
    format!("{:>8.0} msg/s", n as f64 / d.as_secs_f64())
}

#[tokio::main]
async fn main() {
    // Phase timings of the sync go to the log file at debug level.
    let _log =
        secret_shop::logging::init(std::path::Path::new("/tmp/secret-shop-bench.log"), false);
    let args: Vec<String> = std::env::args().collect();
    let count = args
        .iter()
        .position(|a| a == "--count")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    let admin_url = env("DATABASE_URL");
    let domain = format!(
        "bench{}.test",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let user = format!("ops@{domain}");
    let persona = format!("jane.porter@{domain}");

    let messages = corpus(count, &persona);
    let total: usize = messages.iter().map(Vec::len).sum();
    let mut sizes: Vec<usize> = messages.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    println!(
        "{count} messages, {:.1} MB, median {:.1} KB",
        total as f64 / 1e6,
        sizes[count / 2] as f64 / 1e3
    );

    let t = Instant::now();
    let mut s = imap(&user).await;
    s.select("INBOX").await.unwrap();
    for m in &messages {
        s.append("INBOX", None, None, m).await.unwrap();
    }
    let fill = t.elapsed();
    println!(
        "filled the mailbox by IMAP APPEND in {:.1} s ({})",
        fill.as_secs_f64(),
        rate(count, fill)
    );

    // (a) the wire floor
    let t = Instant::now();
    let mut s = imap(&user).await;
    s.examine("INBOX").await.unwrap();
    let fetched: Vec<(u32, Vec<u8>)> = s
        .uid_fetch("1:*", "(UID BODY.PEEK[])")
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .iter()
        .filter_map(|f| Some((f.uid?, f.body()?.to_vec())))
        .collect();
    let wire = t.elapsed();
    assert_eq!(fetched.len(), count);

    // (b) the storage floor: COPY of the same raw bytes, compressed as our raw column is.
    let db = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut u = url::Url::parse(&admin_url).unwrap();
    u.set_path(&format!("/{db}"));
    let db_url = u.to_string();
    let mut conn = sqlx::PgConnection::connect(&db_url).await.unwrap();
    sqlx::query("CREATE TABLE floor (uid BIGINT, raw BYTEA)")
        .execute(&mut conn)
        .await
        .unwrap();
    let lz4 = sqlx::query("ALTER TABLE floor ALTER COLUMN raw SET COMPRESSION lz4")
        .execute(&mut conn)
        .await
        .is_ok();
    let payload = copy_binary(&fetched);
    let t = Instant::now();
    let mut copy = conn
        .copy_in_raw("COPY floor (uid, raw) FROM STDIN (FORMAT binary)")
        .await
        .unwrap();
    for chunk in payload.chunks(1 << 20) {
        copy.send(chunk).await.unwrap();
    }
    copy.finish().await.unwrap();
    let floor = t.elapsed();
    drop(fetched);

    // (c) secret-shop's sync into its own schema, parsed, threaded, committed.
    let store = Store::connect(
        &SecretString::from(db_url.clone()),
        5,
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let vars = [
        ("DATABASE_URL", db_url.clone()),
        ("SECRET_SHOP_MAIL_DOMAIN", domain.clone()),
        ("SECRET_SHOP_IMAP_HOST", "127.0.0.1".into()),
        ("SECRET_SHOP_IMAP_PORT", env("SECRET_SHOP_IMAP_PORT")),
        ("SECRET_SHOP_IMAP_TLS", "none".into()),
        ("SECRET_SHOP_IMAP_USER", user.clone()),
        (
            "SECRET_SHOP_IMAP_PASSWORD",
            env("SECRET_SHOP_MAIL_PASSWORD"),
        ),
        ("SECRET_SHOP_SMTP_HOST", "127.0.0.1".into()),
        ("SECRET_SHOP_SMTP_PORT", env("SECRET_SHOP_SMTP_PORT")),
        ("SECRET_SHOP_SMTP_TLS", "none".into()),
        ("SECRET_SHOP_LOG_FILE", "/tmp/secret-shop-bench.log".into()),
    ];
    let config = Config::load_with_env(None, &|k| {
        vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let engine = Engine::new(&config, store.clone()).await.unwrap();
    let t = Instant::now();
    let report = engine.syncer.run_once().await.unwrap().unwrap();
    let ours = t.elapsed();
    assert_eq!(report.stored, count, "{report:?}");

    let larger = wire.max(floor);
    println!();
    println!("{:<44} {:>8} {:>14}", "", "seconds", "rate");
    println!(
        "{:<44} {:>8.2} {}",
        "(a) raw IMAP UID FETCH 1:* BODY.PEEK[]",
        wire.as_secs_f64(),
        rate(count, wire)
    );
    println!(
        "{:<44} {:>8.2} {}",
        format!(
            "(b) Postgres COPY of the raw bytes ({})",
            if lz4 { "lz4" } else { "pglz" }
        ),
        floor.as_secs_f64(),
        rate(count, floor)
    );
    println!(
        "{:<44} {:>8.2} {}",
        "(c) secret-shop sync (parse, thread, commit)",
        ours.as_secs_f64(),
        rate(count, ours)
    );
    println!();
    println!(
        "(c) is {:.2}x the larger floor; target: under 5 s and within 1.5x",
        ours.as_secs_f64() / larger.as_secs_f64()
    );
    drop(conn);
    store.pool().close().await;
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
        .execute(&mut admin)
        .await;
}
