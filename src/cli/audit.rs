//! `secret-shop audit`: the decisions on record (who, what, when, why), oldest first.

use std::process::ExitCode;

use anyhow::bail;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use comfy_table::{Table, presets};

use super::Ctx;
use super::output::print_json;
use crate::domain::ids::ShopId;
use crate::store::AuditFilter;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only this shop's decisions (its messages, facts and grades included).
    #[arg(long)]
    shop: Option<ShopId>,
    /// Only this operator's (`system` is the background work).
    #[arg(long)]
    operator: Option<String>,
    /// From this day (YYYY-MM-DD, UTC) or instant (RFC 3339) on.
    #[arg(long)]
    since: Option<String>,
    /// At most this many, the newest.
    #[arg(long, default_value_t = 200)]
    limit: i64,
    #[arg(long)]
    json: bool,
}

/// A day (midnight UTC) or an RFC 3339 instant.
fn parse_since(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()),
        Err(_) => bail!("--since {text:?}: expected a day (2026-12-01) or an RFC 3339 time"),
    }
}

pub async fn run(ctx: &Ctx, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let store = ctx.store().await?;
    let entries = crate::services::views::audit(
        &store,
        None,
        &AuditFilter {
            shop: args.shop,
            operator: args.operator,
            since,
            limit: args.limit.max(1),
        },
    )
    .await?;
    if args.json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("  (nothing on record)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header(vec!["AT (UTC)", "OPERATOR", "ACTION", "ON", "DETAIL"]);
    for e in entries {
        let on = match e.entity_id {
            Some(id) => format!("{} #{id}", e.entity_type),
            None => e.entity_type,
        };
        let detail = match &e.detail {
            serde_json::Value::Object(m) if m.is_empty() => String::new(),
            d => d.to_string(),
        };
        t.add_row(vec![
            e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            e.operator,
            e.action,
            on,
            detail.chars().take(70).collect(),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_day_or_an_instant_and_says_what_it_expected() {
        assert_eq!(
            parse_since("2026-12-01").unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-12-01T10:30:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2026-12-01T09:30:00+00:00"
        );
        let err = parse_since("yesterday").unwrap_err().to_string();
        assert!(err.contains("expected a day"), "{err}");
    }
}
