//! The layers DESIGN.md draws, checked on the source: the UI, the CLI, the worker's engine and the
//! services reach the database only through the store (no sqlx, no pool), the UI, the CLI and the
//! engine reach the store only through the services, and the domain does no IO.

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
fn the_ui_cli_engine_and_services_reach_the_database_only_through_the_store() {
    for dir in ["src/tui", "src/cli", "src/engine", "src/services"] {
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

/// The names of the methods the store offers: every `pub fn` / `pub async fn` directly inside an
/// `impl Store` block under `src/store/` (rustfmt indents them by four spaces).
fn store_methods() -> Vec<String> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store"),
        &mut files,
    );
    let mut names = Vec::new();
    for (_, text) in &files {
        let mut inside = false;
        for line in text.lines() {
            if line.starts_with("impl Store {") {
                inside = true;
            } else if inside && line == "}" {
                inside = false;
            } else if inside {
                let rest = line
                    .strip_prefix("    pub async fn ")
                    .or_else(|| line.strip_prefix("    pub fn "));
                if let Some(rest) = rest {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Calls of a store method the UI, the CLI and the engine may make (file under `src/`, method),
/// with why. Everything else goes through `src/services/`.
const STORE_CALLS_ALLOWED: &[(&str, &str)] = &[
    // Getting a store at all: the CLI's context opens the one every command uses.
    ("cli/context.rs", "connect"),
    // `doctor` connects on its own, with one connection and a short timeout, to report on it.
    ("cli/doctor.rs", "connect"),
];

#[test]
fn the_ui_cli_and_engine_use_the_store_only_through_services() {
    let methods = store_methods();
    assert!(
        methods.len() > 50 && methods.iter().any(|m| m == "pending_drafts"),
        "the store's methods were not found: {methods:?}"
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in ["src/tui", "src/cli", "src/engine"] {
        let mut files = Vec::new();
        sources(&root.join(dir), &mut files);
        assert!(!files.is_empty(), "{dir} has no sources");
        for (path, text) in &files {
            let relative = path
                .strip_prefix(&format!("{}/src/", root.display()))
                .unwrap_or(path);
            for m in &methods {
                if STORE_CALLS_ALLOWED
                    .iter()
                    .any(|(file, name)| *file == relative && name == m)
                {
                    continue;
                }
                // A method call (`store.NAME(`, `s.NAME(`) or a path call (`Store::NAME(`).
                for call in [format!(".{m}("), format!("Store::{m}(")] {
                    if text.contains(&call) {
                        found.push(format!("{relative}: {call}"));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the UI, the CLI or the engine calls the store directly (add a function in src/services/): {found:#?}"
    );
}
