//! Secrets never reach the log, at any level: `doctor` logs in over IMAP and SMTP and connects to
//! Postgres with `RUST_LOG=trace`, and the log file is searched for every password.

mod common;

use base64::Engine as _;
use common::{Cli, stderr, stdout};

#[tokio::test]
async fn no_password_in_the_log_at_trace() {
    let (_store, url) = common::fresh_database().await;
    let mut cli = Cli::new(&url);
    cli.use_mail_services();
    cli.set("RUST_LOG", "trace");
    let out = cli.run(&["doctor"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));

    let log = std::fs::read_to_string(cli.dir.path().join("log.txt")).expect("a log file");
    // The run really logged at trace (else the search below proves nothing).
    assert!(
        log.lines().filter(|l| l.contains("TRACE")).count() > 0,
        "expected trace lines in the log:\n{log}"
    );

    let mail_pw = common::service_env("SECRET_SHOP_IMAP_PASSWORD");
    let user = common::service_env("SECRET_SHOP_IMAP_USER");
    let db_pw = url::Url::parse(&url)
        .unwrap()
        .password()
        .expect("the test DATABASE_URL has a password")
        .to_string();
    let b64 = base64::engine::general_purpose::STANDARD;
    let forms = [
        mail_pw.clone(),
        db_pw,
        b64.encode(format!("\0{user}\0{mail_pw}")),
        b64.encode(&mail_pw),
    ];
    for secret in forms {
        assert!(
            !log.contains(&secret),
            "a secret ({}…) is in the log at trace",
            &secret[..4]
        );
    }
    assert!(!stdout(&out).contains(&mail_pw) && !stderr(&out).contains(&mail_pw));
}
