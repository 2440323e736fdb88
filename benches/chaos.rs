//! The full chaos run (issue 10), against the release binary and its own Postgres, Postfix and
//! Dovecot (started in a temp dir; nothing else needed):
//!
//!     cargo bench --bench chaos
//!
//! Kills workers mid-send and mid-sync, stops Postgres for 20 s, restarts Dovecot and Postfix
//! under a sender, freezes the lock holder, runs two workers at once, races 200 double
//! approvals and delivers one Message-ID to two personas; prints one row of figures per
//! scenario and exits non-zero when anything was lost, sent twice or panicked, or a recovery
//! took more than 5 s.

#[path = "../tests/common/mod.rs"]
mod tcommon;

use std::time::Duration;

use tcommon::chaos::{Scale, Services, run_all, table};

const RECOVERY_LIMIT: Duration = Duration::from_secs(5);

fn main() {
    // `cargo bench` passes --bench; nothing to parse.
    let services = Services::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let rows = rt.block_on(run_all(&services, &Scale::full()));
    println!(
        "\nchaos run, full scale ({:.0} s):\n",
        started.elapsed().as_secs_f64()
    );
    println!("{}", table(&rows));
    let bad: Vec<&str> = rows
        .iter()
        .filter(|f| !f.clean() || f.recover_max().is_some_and(|d| d > RECOVERY_LIMIT))
        .map(|f| f.scenario.as_str())
        .collect();
    if !bad.is_empty() {
        eprintln!("not clean: {bad:?}");
        std::process::exit(1);
    }
}
