//! Adding, changing and deleting targets, and targets from a CSV file: the one import the CLI
//! and the TUI share. All rows or none; a bad row is named by its line.

use std::path::Path;

use anyhow::Context as _;

use crate::domain::ids::TargetId;
use crate::domain::target::{Target, TargetInput, duplicate_of, parse_targets_csv};
use crate::store::{Actor, Store};

/// Reads a targets CSV (header row with the target fields) into inputs; a `client` column must
/// name one of `clients`.
pub fn read_targets_csv(path: &Path, clients: &[String]) -> anyhow::Result<Vec<TargetInput>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_targets_csv(file, &path.display().to_string(), clients).map_err(anyhow::Error::msg)
}

/// Imports every row of the file as a target, in one transaction; returns how many. A row that
/// repeats a live target (same leasing email, or same street and ZIP) is refused with that
/// target's id, and nothing is imported, unless `allow_duplicates`.
pub async fn import_targets_csv(
    store: &Store,
    actor: &Actor,
    path: &Path,
    allow_duplicates: bool,
) -> anyhow::Result<usize> {
    let clients = store.client_names().await?;
    let inputs = read_targets_csv(path, &clients)?;
    if !allow_duplicates {
        let existing = store.list_targets(&Default::default()).await?;
        let repeated: Vec<String> = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, input)| {
                duplicate_of(input, &existing).map(|(t, how)| {
                    // Line 1 is the header.
                    format!(
                        "  line {}: {} is target #{} ({how})",
                        i + 2,
                        input.name,
                        t.id
                    )
                })
            })
            .collect();
        if !repeated.is_empty() {
            anyhow::bail!(
                "{} already has these targets, nothing imported (add --allow-duplicates to \
                 import them anyway):\n{}",
                path.display(),
                repeated.join("\n")
            );
        }
    }
    Ok(store.import_targets(actor, &inputs).await?.len())
}

/// Adds a target.
pub async fn add(store: &Store, actor: &Actor, input: &TargetInput) -> anyhow::Result<Target> {
    Ok(store.insert_target(actor, input).await?)
}

/// Replaces a target's fields, if nobody changed it since `version` (when given).
pub async fn edit(
    store: &Store,
    actor: &Actor,
    id: TargetId,
    version: Option<i32>,
    input: &TargetInput,
) -> anyhow::Result<Target> {
    Ok(store.update_target(actor, id, version, input).await?)
}

/// Deletes a target (kept for its shops and reports, hidden from lists).
pub async fn delete(store: &Store, actor: &Actor, id: TargetId) -> anyhow::Result<()> {
    Ok(store.delete_target(actor, id).await?)
}
