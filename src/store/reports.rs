//! Read-only queries behind the reports and the dashboard figures.
