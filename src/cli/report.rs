//! `report shop ID | portfolio`: rendered reports on stdout or into a file.

use std::process::ExitCode;

use clap::Subcommand;

use super::Ctx;

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Not yet built.
    Shop { id: i64 },
}

pub async fn run(_ctx: &Ctx, _cmd: ReportCmd) -> anyhow::Result<ExitCode> {
    anyhow::bail!("reports are not built yet")
}
