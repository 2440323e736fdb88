//! Tables in a reply: HTML `<table>`s (cells as text) and text grids (html2text's `│` grid,
//! `|` columns), as rows of cells. Pure scanning, no HTML parser; it does not read the cells'
//! meaning (plan_tables does).

use crate::mail::parse::strip_tags;

/// Tables of an HTML document, innermost first; each a list of rows of cell texts.
pub fn html_tables(html: &str) -> Vec<Vec<Vec<String>>> {
    struct Open {
        rows: Vec<Vec<String>>,
        cell: Option<String>,
    }
    let lower = html.to_ascii_lowercase();
    let mut stack: Vec<Open> = Vec::new();
    let mut done = Vec::new();
    let mut pos = 0;
    while let Some(lt) = lower[pos..].find('<').map(|p| pos + p) {
        if let Some(cell) = stack.last_mut().and_then(|t| t.cell.as_mut()) {
            cell.push_str(&html[pos..lt]);
        }
        let gt = lower[lt..].find('>').map_or(lower.len(), |p| lt + p + 1);
        let tag = &lower[lt + 1..gt.saturating_sub(1).max(lt + 1)];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        match (name.as_str(), closing) {
            ("table", false) => stack.push(Open {
                rows: Vec::new(),
                cell: None,
            }),
            ("table", true) => {
                if let Some(mut t) = stack.pop() {
                    close_cell(&mut t.rows, &mut t.cell);
                    done.push(t.rows);
                }
            }
            ("tr", false) => {
                if let Some(t) = stack.last_mut() {
                    close_cell(&mut t.rows, &mut t.cell);
                    t.rows.push(Vec::new());
                }
            }
            ("td" | "th", false) => {
                if let Some(t) = stack.last_mut() {
                    close_cell(&mut t.rows, &mut t.cell);
                    if t.rows.is_empty() {
                        t.rows.push(Vec::new());
                    }
                    t.cell = Some(String::new());
                }
            }
            ("td" | "th" | "tr", true) => {
                if let Some(t) = stack.last_mut() {
                    close_cell(&mut t.rows, &mut t.cell);
                }
            }
            ("br" | "p" | "div", _) => {
                if let Some(cell) = stack.last_mut().and_then(|t| t.cell.as_mut()) {
                    cell.push(' ');
                }
            }
            _ => {}
        }
        pos = gt;
    }
    while let Some(mut t) = stack.pop() {
        close_cell(&mut t.rows, &mut t.cell);
        done.push(t.rows);
    }
    done.into_iter()
        .map(|rows| rows.into_iter().filter(|r| !r.is_empty()).collect())
        .collect()
}

fn close_cell(rows: &mut [Vec<String>], cell: &mut Option<String>) {
    if let Some(c) = cell.take()
        && let Some(row) = rows.last_mut()
    {
        let text = strip_tags(&c);
        row.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
}

/// Text tables: runs of lines with `│` or `|` columns (border lines skipped), or with columns
/// apart by two or more spaces when the first line looks like a header.
pub fn text_tables(text: &str) -> Vec<Vec<Vec<String>>> {
    let mut out = Vec::new();
    let mut cur: Vec<Vec<String>> = Vec::new();
    let mut spaced = false;
    for line in text.lines() {
        let t = line.trim();
        if super::text::is_rule_line(t) && !t.is_empty() && !cur.is_empty() {
            continue;
        }
        let cells = if super::text::is_table_line(t) {
            // html2text's grid uses '│'; a '|' inside its cells is text.
            Some(match t.contains('│') {
                true => split_on(t, &['│']),
                false => split_on(t, &['|']),
            })
        } else if (cur.is_empty() || spaced) && !t.is_empty() {
            let c = split_spaced(t);
            (c.len() >= 3).then_some(c)
        } else {
            None
        };
        match cells {
            Some(c) => {
                if cur.is_empty() {
                    spaced = !super::text::is_table_line(t);
                }
                cur.push(c);
            }
            None => {
                if cur.len() >= 2 {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
                spaced = false;
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

fn split_on(line: &str, seps: &[char]) -> Vec<String> {
    let t = line.trim().trim_matches(seps);
    t.split(seps).map(|c| c.trim().to_string()).collect()
}

/// Cells apart by two or more spaces.
fn split_spaced(line: &str) -> Vec<String> {
    line.replace('\t', "  ")
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}
