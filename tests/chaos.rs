//! The bounded chaos run CI does (issue 10): every scenario of the harness in
//! `tests/common/chaos.rs`, small, against its own Postgres, Postfix and Dovecot. Fails on any
//! loss, duplicate or panic. The full run is `cargo bench --bench chaos` (figures in the README).

mod common;

use std::time::Duration;

use common::chaos::{Scale, Services, run_all, table};

/// Recovery is timed on a busy 2-core CI machine, so CI allows more than the full run's 5 s;
/// a stuck engine (no progress at all) fails either way.
const CI_RECOVERY_LIMIT: Duration = Duration::from_secs(20);

#[test]
fn chaos_bounded_nothing_lost_nothing_twice_no_panic() {
    // Alone in this binary: it sets the environment before any other thread exists.
    let services = Services::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = rt.block_on(run_all(&services, &Scale::ci()));
    let printed = table(&rows);
    println!("{printed}");
    for f in &rows {
        assert!(f.clean(), "{}: not clean\n{printed}", f.scenario);
        assert!(
            f.recover_max().is_none_or(|d| d <= CI_RECOVERY_LIMIT),
            "{}: recovery too slow\n{printed}",
            f.scenario
        );
    }
}
