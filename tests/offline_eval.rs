//! The offline analyzer against the labelled replies in tests/fixtures/replies: precision and
//! recall floors it meets, and no value ever taken from quoted history. Reads fixtures only; no
//! services. `cargo test --test offline_eval -- --nocapture` prints the report.
//!
//! The rules were tuned on this set, so these floors guard against regressions; they are not a
//! measure of quality on unseen mail. Replies 28-45 were first scored before any tuning on them:
//! overall precision 0.92-0.97 and recall about 0.75 (see the labels' "note").
//!
//! tests/fixtures/replies_heldout is the held-out part (42 replies, written by someone who never
//! saw the rules): the rules are never tuned on it. Its first score, taken before any rule
//! changed, was precision 0.90, recall 0.87, responder 1.00, signals 0.94 (README). Its test
//! guards against falling below those first figures and below the targets it meets now.

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
        "only {} labelled messages",
        report.messages
    );
    assert!(
        report.quoted_leaks.is_empty(),
        "values from quoted history: {:?}",
        report.quoted_leaks
    );
    let overall = report.overall();
    assert!(
        overall.precision() >= 0.95,
        "overall precision {:.3}",
        overall.precision()
    );
    assert!(
        overall.recall() >= 0.90,
        "overall recall {:.3}",
        overall.recall()
    );
    for (field, score) in &report.fields {
        assert!(
            score.precision() >= 0.85,
            "{field} precision {:.3}",
            score.precision()
        );
        assert!(
            score.recall() >= 0.75,
            "{field} recall {:.3}",
            score.recall()
        );
    }
    assert!(
        report.responder_accuracy() >= 0.95,
        "responder accuracy {:.3}",
        report.responder_accuracy()
    );
    assert!(
        report.signal_accuracy() >= 0.95,
        "signal accuracy {:.3}",
        report.signal_accuracy()
    );
    for (signal, a) in &report.signals {
        assert!(a.rate() >= 0.9, "{signal}: {}/{}", a.correct, a.total);
    }
}

#[test]
fn the_held_out_replies_do_not_fall_below_their_first_score() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies_heldout");
    let report = evaluate_dir(&dir, offline::analyze);
    println!("{report}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.messages >= 40, "only {}", report.messages);
    assert!(report.quoted_leaks.is_empty(), "{:?}", report.quoted_leaks);
    let overall = report.overall();
    assert!(
        overall.precision() >= 0.89,
        "precision {:.3}",
        overall.precision()
    );
    assert!(overall.recall() >= 0.86, "recall {:.3}", overall.recall());
    // The targets it meets now (issue 13): field F1 0.90, responder and signals 0.95.
    let f1 =
        2.0 * overall.precision() * overall.recall() / (overall.precision() + overall.recall());
    assert!(f1 >= 0.90, "field F1 {f1:.3}");
    assert!(report.responder_accuracy() >= 0.95);
    assert!(report.signal_accuracy() >= 0.95);
}

#[test]
fn a_missing_label_or_directory_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.eml"), "From: a@b.test\r\n\r\nHi").unwrap();
    let report = evaluate_dir(dir.path(), offline::analyze);
    assert_eq!((report.messages, report.errors.len()), (0, 1));
    let report = evaluate_dir(&dir.path().join("missing"), offline::analyze);
    assert_eq!(report.errors.len(), 1);
}
