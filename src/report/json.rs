//! JSON output: the report models as they are, pretty-printed, with `schema_version` first.
//! Every field is documented in docs/reports.md; a change of meaning bumps the version.

use serde::Serialize;

use super::ReportError;

pub fn to_string<T: Serialize>(report: &T) -> Result<String, ReportError> {
    let mut s =
        serde_json::to_string_pretty(report).map_err(|e| ReportError::Render(e.to_string()))?;
    s.push('\n');
    Ok(s)
}
