//! Targets from a CSV file: the one import the CLI and the TUI share. All rows or none; a bad
//! row is named by its line.

use std::path::Path;

use anyhow::Context as _;

use crate::domain::target::{TargetInput, parse_targets_csv};
use crate::store::{Actor, Store};

/// Reads a targets CSV (header row with the target fields) into inputs; a `client` column must
/// name one of `clients`.
pub fn read_targets_csv(path: &Path, clients: &[String]) -> anyhow::Result<Vec<TargetInput>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_targets_csv(file, &path.display().to_string(), clients).map_err(anyhow::Error::msg)
}

/// Imports every row of the file as a target, in one transaction; returns how many.
pub async fn import_targets_csv(
    store: &Store,
    actor: &Actor,
    path: &Path,
) -> anyhow::Result<usize> {
    let clients = store.client_names().await?;
    let inputs = read_targets_csv(path, &clients)?;
    Ok(store.import_targets(actor, &inputs).await?.len())
}
