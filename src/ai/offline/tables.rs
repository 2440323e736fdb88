//! Tables in a reply: HTML `<table>`s (cells as text) and text grids (html2text's `│` grid,
//! `|` columns), as rows of cells. Pure scanning, no HTML parser; it does not read the cells'
//! meaning (plan_tables does).

use crate::mail::parse::strip_tags;

/// Tables of an HTML document, innermost first; each a list of rows of cell texts.
pub fn html_tables(html: &str) -> Vec<Vec<Vec<String>>> {
    struct Open {
        rows: Vec<Vec<String>>,
        cell: Option<String>,
        /// Per row, per cell: (rowspan, colspan).
        spans: Vec<Vec<(usize, usize)>>,
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
                spans: Vec::new(),
            }),
            ("table", true) => {
                if let Some(mut t) = stack.pop() {
                    close_cell(&mut t.rows, &mut t.cell);
                    done.push(expand_spans(t.rows, &t.spans));
                }
            }
            ("tr", false) => {
                if let Some(t) = stack.last_mut() {
                    close_cell(&mut t.rows, &mut t.cell);
                    t.rows.push(Vec::new());
                    t.spans.push(Vec::new());
                }
            }
            ("td" | "th", false) => {
                if let Some(t) = stack.last_mut() {
                    close_cell(&mut t.rows, &mut t.cell);
                    if t.rows.is_empty() {
                        t.rows.push(Vec::new());
                        t.spans.push(Vec::new());
                    }
                    let span = |attr: &str| {
                        tag.find(attr)
                            .map(|i| &tag[i + attr.len()..])
                            .and_then(|rest| {
                                let digits: String = rest
                                    .trim_start_matches(['=', '"', '\'', ' '])
                                    .chars()
                                    .take_while(char::is_ascii_digit)
                                    .collect();
                                digits.parse::<usize>().ok()
                            })
                            .unwrap_or(1)
                            .clamp(1, 20)
                    };
                    if let Some(s) = t.spans.last_mut() {
                        s.push((span("rowspan"), span("colspan")));
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
        done.push(expand_spans(t.rows, &t.spans));
    }
    done.into_iter()
        .map(|rows| rows.into_iter().filter(|r| !r.is_empty()).collect())
        .collect()
}

/// Rows as a grid: a cell spanning rows is repeated in the rows below, one spanning columns in
/// each of its columns, so every column keeps its meaning.
fn expand_spans(rows: Vec<Vec<String>>, spans: &[Vec<(usize, usize)>]) -> Vec<Vec<String>> {
    // Per column: the text a cell above still covers, and for how many more rows.
    let mut above: Vec<Option<(String, usize)>> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (r, row) in rows.into_iter().enumerate() {
        let mut grid: Vec<String> = Vec::new();
        let mut cells = row.into_iter().enumerate();
        let mut col = 0;
        loop {
            if let Some(Some((text, left))) = above.get_mut(col) {
                grid.push(text.clone());
                *left -= 1;
                if *left == 0 {
                    above[col] = None;
                }
                col += 1;
                continue;
            }
            let Some((c, text)) = cells.next() else {
                // Cells above that reach past this row's own cells.
                while let Some(Some((text, left))) = above.get_mut(col) {
                    grid.push(text.clone());
                    *left -= 1;
                    if *left == 0 {
                        above[col] = None;
                    }
                    col += 1;
                }
                break;
            };
            let (rowspan, colspan) = spans
                .get(r)
                .and_then(|s| s.get(c))
                .copied()
                .unwrap_or((1, 1));
            for _ in 0..colspan {
                if above.len() <= col {
                    above.resize(col + 1, None);
                }
                if rowspan > 1 {
                    above[col] = Some((text.clone(), rowspan - 1));
                }
                grid.push(text.clone());
                col += 1;
            }
        }
        out.push(grid);
    }
    out
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
