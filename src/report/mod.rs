//! Reports (issue 5 §4): a shop's summary (fact sheet, floor plans, fees, website-vs-agent
//! differences, what is missing) with its grading (criteria, timeline, fair-housing flags), and
//! the portfolio across targets, managers, operators and dates. Rendered as Markdown, HTML (one
//! self-contained file with SVG charts), CSV or JSON (`schema_version`, docs/reports.md).
//!
//! `model` loads through the store and builds plain structs; the renderers are pure functions
//! of those structs. No SQL here.

pub mod csv;
pub mod differences;
pub mod format;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
pub mod svg;

use std::path::Path;
use std::str::FromStr;

pub use model::{Portfolio, PortfolioQuery, SCHEMA_VERSION, ShopReport, portfolio, shop_report};

use crate::domain::ids::ShopId;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("shop {0} does not exist")]
    NoSuchShop(ShopId),
    #[error("{0}")]
    BadQuery(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not render the report: {0}")]
    Render(String),
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Csv,
    Json,
}

impl Format {
    pub const NAMES: &'static str = "md, html, csv, json";

    /// The format a file name asks for by its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()?.to_str()?.parse().ok()
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" | "htm" => Ok(Format::Html),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown report format {other:?}; expected one of: {}",
                Format::NAMES
            )),
        }
    }
}

/// What a rendering includes beyond the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Evidence quotes beside facts and criteria (Markdown and HTML; CSV and JSON always
    /// carry them).
    pub evidence: bool,
}

pub fn render_shop(
    report: &ShopReport,
    format: Format,
    options: RenderOptions,
) -> Result<String, ReportError> {
    match format {
        Format::Markdown => Ok(markdown::shop(report, options)),
        Format::Html => html::shop(report, options),
        Format::Csv => self::csv::shop(report),
        Format::Json => json::to_string(report),
    }
}

pub fn render_portfolio(
    portfolio: &Portfolio,
    format: Format,
    options: RenderOptions,
) -> Result<String, ReportError> {
    match format {
        Format::Markdown => Ok(markdown::portfolio(portfolio)),
        Format::Html => html::portfolio(portfolio, options),
        Format::Csv => self::csv::portfolio(portfolio),
        Format::Json => json::to_string(portfolio),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name_and_by_extension() {
        assert_eq!("MD".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!(
            Format::from_path(Path::new("out/grove.html")),
            Some(Format::Html)
        );
        assert_eq!(Format::from_path(Path::new("report")), None);
        assert!("pdf".parse::<Format>().unwrap_err().contains("md, html"));
    }
}
