//! Reports (issue 5 §4): shop summary, grading, portfolio; md, html, csv, json.
