//! The worker's systemd unit (assets/systemd): it runs the worker as its own user, restarts it
//! on failure, stops it with SIGTERM, and `systemd-analyze verify` accepts it (when the tool is
//! installed; the test says so when it is not, rather than passing in silence).

use std::process::Command;

const UNIT: &str = include_str!("../assets/systemd/secret-shop-worker.service");

fn setting<'a>(key: &str) -> Vec<&'a str> {
    UNIT.lines()
        .filter_map(|l| l.strip_prefix(&format!("{key}=")))
        .collect()
}

#[test]
fn the_unit_runs_the_worker_as_its_own_user_and_restarts_it() {
    assert_eq!(setting("User"), ["secret-shop"]);
    assert_eq!(setting("Restart"), ["on-failure"]);
    assert_eq!(setting("KillSignal"), ["SIGTERM"]);
    let exec = setting("ExecStart");
    assert!(exec.len() == 1 && exec[0].ends_with(" worker"), "{exec:?}");
    // Secrets come from an environment file, never from the unit or config.toml.
    assert_eq!(setting("EnvironmentFile"), ["/etc/secret-shop/worker.env"]);
    assert!(!UNIT.contains("PASSWORD="), "no secret in the unit");
}

#[test]
fn systemd_analyze_verifies_the_unit() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("NOT CHECKED: systemd-analyze is not installed here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The installed path does not exist here: point ExecStart at the binary under test.
    let unit = UNIT.replace(
        "/usr/local/bin/secret-shop",
        env!("CARGO_BIN_EXE_secret-shop"),
    );
    let path = dir.path().join("secret-shop-worker.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "systemd-analyze verify: {said}");
    assert!(said.trim().is_empty(), "warnings: {said}");
}
