//! Quoted history: what a reply repeats of earlier mail is not a new fact. Cuts `>` lines, "On …
//! wrote:" blocks, "-----Original Message-----", forwarded-message markers and Outlook
//! "From: … Sent: …" header blocks (and everything after them), in text and in HTML. Pure; it
//! never looks for facts itself.

/// The reply's own words: no `>` lines, nothing from the first history marker on.
pub fn strip_quoted_history(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with('>') {
            continue;
        }
        if starts_history(&lines, i) {
            break;
        }
        kept.push(line.trim_end());
    }
    // A separator line left just above the cut ("____", "-- ") belongs to the history.
    while kept.last().is_some_and(|l| {
        let t = l.trim();
        t.is_empty() || (t.len() >= 5 && t.chars().all(|c| c == '_' || c == '-' || c == '='))
    }) {
        kept.pop();
    }
    kept.join("\n")
}

/// Answers written inline under quoted questions, before any history marker: (the question, the
/// answer's first line). Only short quoted runs (up to three lines) ending in '?' count.
pub fn inline_answers(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if let Some(q) = t.strip_prefix('>') {
            block.push(q.trim_start_matches('>').trim());
            continue;
        }
        if starts_history(&lines, i) {
            break;
        }
        if t.is_empty() && block.is_empty() {
            continue;
        }
        let question = block.join(" ");
        if !t.is_empty() && (1..=3).contains(&block.len()) && question.trim_end().ends_with('?') {
            out.push((question.trim().to_string(), t.to_string()));
        }
        block.clear();
    }
    out
}

/// Whether line `i` opens a block of history.
fn starts_history(lines: &[&str], i: usize) -> bool {
    let t = lines[i].trim().trim_start_matches(['*', '_']);
    let lower = t.to_ascii_lowercase();
    if lower.contains("original message")
        && (lower.starts_with('-') || lower.starts_with("original message"))
    {
        return true;
    }
    if lower.contains("forwarded message") || lower.starts_with("begin forwarded message") {
        return true;
    }
    // "On Tue, Jun 3, 2025 at 9:12 AM Jane <jane@x> wrote:", possibly wrapped over three lines.
    if ["on ", "le ", "am ", "el "]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        let joined: String = lines[i..(i + 3).min(lines.len())]
            .iter()
            .map(|l| l.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let head = joined.split("wrote:").next().unwrap_or_default();
        if joined.contains("wrote:") && head.len() < 250 {
            return true;
        }
        if ["a écrit", "schrieb", "escribió"]
            .iter()
            .any(|w| joined.contains(w))
        {
            return true;
        }
    }
    // Outlook: "From: X" then, within the next lines, "Sent:" / "Date:" and "To:" / "Subject:".
    if header_name(&lower) == Some("from") {
        let next: Vec<&str> = lines[i + 1..(i + 6).min(lines.len())]
            .iter()
            .filter_map(|l| {
                header_name(&l.trim().trim_start_matches(['*', '_']).to_ascii_lowercase())
            })
            .collect();
        let dated = next.iter().any(|h| matches!(*h, "sent" | "date"));
        let addressed = next.iter().any(|h| matches!(*h, "to" | "subject" | "cc"));
        return dated && addressed;
    }
    false
}

/// The header name at the start of a line ("from:", "sent:"), lowercase.
fn header_name(lower: &str) -> Option<&'static str> {
    ["from", "sent", "date", "to", "subject", "cc"]
        .into_iter()
        .find(|h| {
            lower
                .strip_prefix(h)
                .is_some_and(|r| r.trim_start_matches(['*', ' ']).starts_with(':'))
        })
}

/// Markers in HTML where the quoted part of a reply begins (lowercase).
#[rustfmt::skip]
const HTML_MARKERS: [&str; 9] = [
    "<blockquote", "class=\"gmail_quote", "class=\"gmail_attr", "id=\"divrplyfwdmsg",
    "id=\"appendonsend", "class=\"moz-cite-prefix", "class=\"yahoo_quoted",
    "-----original message-----", "forwarded message",
];

/// The HTML of a reply up to its quoted history (Gmail, Outlook, Thunderbird, Yahoo markers,
/// or an Outlook "From: … Sent: …" block).
pub fn strip_quoted_html(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    // A marker inside a tag ("class=...") cuts at that tag's start.
    let mut cut = HTML_MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .map(|at| match lower[..at].rfind(['<', '>']) {
            Some(lt) if lower.as_bytes()[lt] == b'<' => lt,
            _ => at,
        })
        .min()
        .unwrap_or(html.len());
    let mut from = 0;
    while let Some(p) = lower[from..cut].find("from:") {
        let at = from + p;
        let window = &lower[at..lower.floor_char_boundary((at + 600).min(lower.len()))];
        if (window.contains("sent:") || window.contains("date:"))
            && (window.contains("subject:") || window.contains("to:"))
        {
            cut = cut.min(lower[..at].rfind('<').unwrap_or(at));
            break;
        }
        from = at + 5;
    }
    // " wrote:" lines without a marker class.
    if let Some(p) = lower[..cut].find("wrote:") {
        let start = lower[..p].rfind("on ").unwrap_or(p);
        if p - start < 250 {
            cut = lower[..start].rfind('<').unwrap_or(start);
        }
    }
    &html[..cut]
}
