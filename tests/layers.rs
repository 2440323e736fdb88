//! The layers DESIGN.md draws, checked on the source: the UI, the CLI and the services reach the
//! database only through the store (no sqlx, no pool), and the domain does no IO.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

fn offenders(dir: &str, banned: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    assert!(!files.is_empty(), "{dir} has no sources");
    files
        .iter()
        .flat_map(|(path, text)| {
            banned
                .iter()
                .filter(|b| text.contains(*b))
                .map(move |b| format!("{path}: {b}"))
        })
        .collect()
}

#[test]
fn the_ui_cli_and_services_reach_the_database_only_through_the_store() {
    for dir in ["src/tui", "src/cli", "src/services"] {
        let found = offenders(dir, &["sqlx", ".pool()"]);
        assert!(found.is_empty(), "{found:#?}");
    }
}

#[test]
fn the_domain_does_no_io() {
    let found = offenders(
        "src/domain",
        &[
            "tokio::",
            "std::fs",
            "std::net",
            "reqwest",
            ".await",
            "sqlx::query",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}
