//! Inline SVG bar charts for the HTML reports: horizontal bars, a label on the left and the
//! value on the right, so long labels and print both work. Pure; every text is escaped.

use std::fmt::Write;

/// One bar. `max` draws a light track behind it (a criterion's weight); `text` is the value
/// as printed beside the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub max: Option<f64>,
    pub text: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64, text: impl Into<String>) -> Bar {
        Bar {
            label: label.into(),
            value,
            max: None,
            text: text.into(),
        }
    }

    pub fn out_of(mut self, max: f64) -> Bar {
        self.max = Some(max);
        self
    }
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 210.0;
const BAR_W: f64 = 330.0;
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 16.0;
const TOP: f64 = 8.0;

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('\u{2026}');
        t
    }
}

/// A horizontal bar chart. Bars scale to the largest value or track; with nothing to show it
/// says so instead of drawing empty axes.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let scale = bars
        .iter()
        .map(|b| b.max.unwrap_or(0.0).max(b.value))
        .fold(0.0_f64, f64::max);
    let rows = bars.len().max(1) as f64;
    let height = TOP * 2.0 + rows * ROW_H;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-label=\"{t}\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{t}</title>",
        t = escape(title)
    );
    if bars.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{x}\" y=\"{y}\" fill=\"#555\">No data yet</text></svg>",
            x = LABEL_W,
            y = TOP + ROW_H / 2.0 + 4.0
        );
        return s;
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW_H;
        let mid = y + ROW_H / 2.0;
        let bar_y = mid - BAR_H / 2.0;
        let w = |v: f64| {
            if scale > 0.0 {
                (v.max(0.0) / scale * BAR_W).round()
            } else {
                0.0
            }
        };
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#222\">{label}</text>",
            lx = LABEL_W - 8.0,
            ty = mid + 4.0,
            label = escape(&clip(&b.label, 32))
        );
        if let Some(m) = b.max {
            let _ = write!(
                s,
                "<rect class=\"track\" x=\"{LABEL_W}\" y=\"{bar_y}\" width=\"{tw}\" height=\"{BAR_H}\" fill=\"#e6e9ef\"/>",
                tw = w(m)
            );
        }
        let bw = w(b.value);
        let _ = write!(
            s,
            "<rect class=\"bar\" x=\"{LABEL_W}\" y=\"{bar_y}\" width=\"{bw}\" height=\"{BAR_H}\" fill=\"#2f6fb3\"/>"
        );
        let text_x = LABEL_W + bw.max(b.max.map(w).unwrap_or(0.0)) + 6.0;
        let _ = write!(
            s,
            "<text x=\"{text_x}\" y=\"{ty}\" fill=\"#222\">{text}</text>",
            ty = mid + 4.0,
            text = escape(&b.text)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_text_is_escaped() {
        let svg = bar_chart(
            "Scores <b>",
            &[
                Bar::new("Responsiveness", 20.0, "20 / 25").out_of(25.0),
                Bar::new("A & <B>", 30.0, "30 / 30").out_of(30.0),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Scores &lt;b&gt;</title>"));
        assert!(svg.contains("A &amp; &lt;B&gt;"));
        // 30 is the scale: 20 → 220 px, 25 → 275 px, 30 → 330 px.
        assert!(svg.contains("width=\"220\" height=\"16\" fill=\"#2f6fb3\""));
        assert!(svg.contains("width=\"275\" height=\"16\" fill=\"#e6e9ef\""));
        assert!(svg.contains("width=\"330\" height=\"16\" fill=\"#2f6fb3\""));
        assert!(!svg.contains("http"));
    }

    #[test]
    fn empty_and_zero_charts_do_not_divide_by_zero() {
        assert!(bar_chart("t", &[]).contains("No data yet"));
        let svg = bar_chart("t", &[Bar::new("none", 0.0, "0")]);
        assert!(svg.contains("width=\"0\""));
        assert!(!svg.contains("NaN"));
    }
}
