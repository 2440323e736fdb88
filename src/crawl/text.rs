//! A page's readable text: html2text's rendering (tables as grids, which the offline rules
//! read), or a plain tag strip when the page is too big or too deeply nested for it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::links::decode_entities;

/// html2text's time grows with the square of the nesting depth; past these, strip tags.
const MAX_RENDER_BYTES: usize = 1024 * 1024;
const MAX_RENDER_DEPTH: usize = 500;
/// Wide enough for a floor-plan table with five or six columns.
const WIDTH: usize = 140;

/// `depth` is the nesting depth [`super::links::scan`] measured.
pub fn render(html: &str, depth: usize) -> String {
    if html.len() <= MAX_RENDER_BYTES && depth <= MAX_RENDER_DEPTH {
        let rendered = catch_unwind(AssertUnwindSafe(|| {
            html2text::from_read(html.as_bytes(), WIDTH)
        }));
        if let Ok(Ok(text)) = rendered {
            return tidy(&text);
        }
    }
    tidy(&strip_tags(html))
}

/// Tags dropped (block tags become line breaks), script and style removed, entities decoded.
pub fn strip_tags(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
    ];
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt + 1..];
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let at = rest
                .as_bytes()
                .windows(close.len())
                .position(|w| w.eq_ignore_ascii_case(close.as_bytes()));
            rest = &rest[at.unwrap_or(rest.len())..];
            rest = rest.strip_prefix('<').unwrap_or(rest);
        }
        rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
        out.push(if BLOCKS.contains(&name.as_str()) {
            '\n'
        } else {
            ' '
        });
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// Trailing spaces gone, runs of blank lines cut to one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_as_grids_and_drops_scripts() {
        let html = "<html><head><script>alert('x')</script></head><body><h1>Pricing</h1>\
                    <table><tr><th>Plan</th><th>Rent</th></tr><tr><td>A1</td><td>$1,200</td></tr>\
                    </table></body></html>";
        let t = render(html, 6);
        assert!(t.contains("Pricing"), "{t}");
        assert!(t.contains("A1") && t.contains("$1,200"), "{t}");
        assert!(!t.contains("alert"), "{t}");
    }

    #[test]
    fn too_deep_pages_are_stripped_instead() {
        let html = format!("{}deep text &amp; more", "<div>".repeat(600));
        let t = render(&html, 600);
        assert_eq!(t, "deep text & more");
        let t = strip_tags("<p>a</p><STYLE>p{}</STYLE><p>b<br>c</p>");
        assert_eq!(tidy(&t), "a\n\nb\nc");
    }
}
