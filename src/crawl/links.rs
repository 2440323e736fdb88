//! What a crawler needs from one HTML page, without a DOM: its title, its links (`<a href>`,
//! `<area href>`, resolved against `<base href>`), whether it asks not to be followed
//! (`<meta name="robots" content="nofollow">`) and how deeply it nests. Plus the URL rules:
//! normalisation, "same site", which links are documents rather than pages, and which pages
//! most likely say what a renter wants to know. Pure.

use url::Url;

/// What a page says about itself and where it links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlInfo {
    pub title: String,
    /// Raw `href` values (entities decoded), in document order.
    pub hrefs: Vec<String>,
    pub base: Option<String>,
    /// The page asked robots not to follow its links.
    pub nofollow: bool,
    /// Deepest element nesting seen (unclosed tags count as open).
    pub depth: usize,
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
];

/// One pass over the markup: tags and their attributes, skipping comments, scripts and styles.
pub fn scan(html: &str) -> HtmlInfo {
    let mut info = HtmlInfo::default();
    let mut depth = 0usize;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let Some(tag) = Tag::parse(rest) else {
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        if tag.closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        if !tag.self_closing && !VOID.contains(&tag.name.as_str()) {
            depth += 1;
            info.depth = info.depth.max(depth);
        }
        match tag.name.as_str() {
            "a" | "area" => {
                if let Some(h) = tag.attr("href") {
                    info.hrefs.push(h);
                }
            }
            "base" if info.base.is_none() => info.base = tag.attr("href"),
            "meta" => {
                let robots = tag
                    .attr("name")
                    .is_some_and(|n| n.eq_ignore_ascii_case("robots"));
                let content = tag.attr("content").unwrap_or_default().to_ascii_lowercase();
                if robots && (content.contains("nofollow") || content.contains("none")) {
                    info.nofollow = true;
                }
            }
            "title" | "script" | "style" => {
                let (inner, after) = raw_text(rest, &tag.name);
                if tag.name == "title" && info.title.is_empty() {
                    info.title = collapse(&decode_entities(inner));
                }
                rest = after;
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    info
}

/// Text up to `</name` (case-insensitive) and what follows that closing tag.
fn raw_text<'a>(s: &'a str, name: &str) -> (&'a str, &'a str) {
    let close = format!("</{name}");
    let at = s
        .as_bytes()
        .windows(close.len())
        .position(|w| w.eq_ignore_ascii_case(close.as_bytes()));
    match at {
        Some(i) => (&s[..i], s[i..].find('>').map_or("", |g| &s[i + g + 1..])),
        None => (s, ""),
    }
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: Vec<(String, String)>,
    /// Bytes of the source the tag took, `<` to `>`.
    len: usize,
}

impl Tag {
    /// Parses the tag at the start of `s` ("<a href=x>"); `None` if it is no tag ("< 3").
    fn parse(s: &str) -> Option<Tag> {
        let b = s.as_bytes();
        let mut i = 1;
        let closing = b.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            i += 1;
        }
        if i == start || !b[start].is_ascii_alphabetic() {
            return None;
        }
        let name = s[start..i].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                None => return None,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') => {
                    self_closing = b.get(i + 1) == Some(&b'>');
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let n0 = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let key = s[n0..i].to_ascii_lowercase();
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let v0 = i + 1;
                        let end = s[v0..].find(q as char).map(|e| v0 + e)?;
                        value = s[v0..end].to_string();
                        i = end + 1;
                    }
                    _ => {
                        let v0 = i;
                        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                            i += 1;
                        }
                        value = s[v0..i].to_string();
                    }
                }
            }
            if !key.is_empty() {
                attrs.push((key, value));
            }
        }
        Some(Tag {
            name,
            closing,
            self_closing,
            attrs,
            len: i,
        })
    }

    fn attr(&self, key: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| decode_entities(v.trim()))
    }
}

/// The entities that show up in URLs and titles: named basics and numeric references.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| entity(&rest[1..e]).map(|c| (c, e + 1)));
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "ndash" => Some('\u{2013}'),
        "mdash" => Some('\u{2014}'),
        _ => None,
    };
    named.or_else(|| {
        let num = name.strip_prefix('#')?;
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)
    })
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An absolute http(s) URL for `href` on a page at `base`, without its fragment.
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = base.join(href).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

/// Same host (case-insensitive) and same explicit port; http and https count as one site, so a
/// page may link from one to the other.
pub fn same_site(a: &Url, b: &Url) -> bool {
    let host = |u: &Url| {
        u.host_str()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    };
    matches!(a.scheme(), "http" | "https")
        && matches!(b.scheme(), "http" | "https")
        && host(a).is_some()
        && host(a) == host(b)
        && a.port() == b.port()
}

/// The path and query robots.txt rules are matched against.
pub fn robots_path(u: &Url) -> String {
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

#[rustfmt::skip]
const DOCUMENTS: &[&str] = &[
    "pdf", "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "css", "js",
    "mjs", "json", "xml", "rss", "atom", "zip", "gz", "rar", "7z", "mp3", "mp4", "m4v", "mov",
    "avi", "webm", "wav", "woff", "woff2", "ttf", "otf", "eot", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "csv", "ics", "dmg", "exe",
];

/// Links to files that are not web pages (images, PDFs, scripts): not worth a request.
pub fn is_document(u: &Url) -> bool {
    let last = u.path().rsplit('/').next().unwrap_or("");
    last.rsplit_once('.')
        .is_some_and(|(_, ext)| DOCUMENTS.contains(&ext.to_ascii_lowercase().as_str()))
}

#[rustfmt::skip]
const USEFUL: &[&str] = &[
    "pric", "rent", "floor", "plan", "fee", "amenit", "availab", "apartment", "unit", "special",
    "pet", "lease", "faq", "feature", "parking", "util", "deposit", "qualif", "policies", "policy",
];
#[rustfmt::skip]
const UNLIKELY: &[&str] = &[
    "blog", "news", "career", "job", "privacy", "terms", "login", "log-in", "signin", "sign-in",
    "portal", "resident", "account", "cart", "tag/", "category", "feed", "wp-", "calendar",
    "event", "press", "accessibility", "sitemap",
];

/// Higher first: pages that most likely state prices, plans, fees and amenities. With a page
/// limit, these are the ones worth spending it on.
pub fn priority(u: &Url) -> u8 {
    let l = robots_path(u).to_ascii_lowercase();
    let useful = USEFUL.iter().filter(|w| l.contains(*w)).count().min(3) as u8;
    let unlikely = UNLIKELY.iter().any(|w| l.contains(w));
    let shallow = u.path_segments().map_or(0, |s| s.count()) <= 2;
    match (unlikely, useful) {
        (true, _) => 0,
        (false, 0) => 1 + shallow as u8,
        (false, n) => 3 + n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scan_finds_title_links_base_and_nofollow() {
        let html = r#"<!DOCTYPE html><html><head><TITLE> Maple Court &amp; Co
            | Home</TITLE><base href="https://maple.test/app/">
            <meta name="Robots" content="NOINDEX, NOFOLLOW"></head>
            <body><!-- <a href="/commented">x</a> -->
            <script>var s = "<a href='/in-script'>";</script>
            <a class=nav href=pricing.html>Pricing</a>
            <A HREF='/fees?x=1&amp;y=2'>Fees</A> <area href="/map">
            <a name="top">no href</a> 1 < 2 <a href = "  /spaced ">s</a>
            </body></html>"#;
        let info = scan(html);
        assert_eq!(info.title, "Maple Court & Co | Home");
        assert_eq!(info.base.as_deref(), Some("https://maple.test/app/"));
        assert!(info.nofollow);
        assert_eq!(
            info.hrefs,
            vec!["pricing.html", "/fees?x=1&y=2", "/map", "/spaced"]
        );
        assert!(info.depth >= 2);
    }

    #[test]
    fn scan_survives_broken_markup() {
        let info = scan("<a href=\"/never-closed <p>text <a href=/ok>x</a");
        assert_eq!(info.hrefs, vec!["/ok"]);
        let info = scan("<<<>>> <title>unterminated");
        assert_eq!(info.title, "unterminated");
        assert_eq!(scan("").hrefs.len(), 0);
    }

    #[test]
    fn depth_counts_nesting_not_void_elements() {
        let info = scan("<div><div><br><img src=x><p>a</p></div></div>");
        assert_eq!(info.depth, 3);
        let deep = "<div>".repeat(500);
        assert_eq!(scan(&deep).depth, 500);
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_entities("a&amp;b&#38;c&#x26;d&bogus;e&"),
            "a&b&c&d&bogus;e&"
        );
        assert_eq!(decode_entities("caf&#233;"), "caf\u{e9}");
    }

    #[test]
    fn links_resolve_without_fragments_and_only_over_http() {
        let base = url("https://maple.test/about/index.html");
        assert_eq!(
            resolve(&base, "../pricing#top").unwrap().as_str(),
            "https://maple.test/pricing"
        );
        assert_eq!(
            resolve(&base, "//maple.test/fees").unwrap().as_str(),
            "https://maple.test/fees"
        );
        for bad in [
            "mailto:a@b.test",
            "tel:+1555",
            "javascript:void(0)",
            "#x",
            "",
            "ftp://x/y",
        ] {
            assert_eq!(resolve(&base, bad), None, "{bad}");
        }
    }

    #[test]
    fn same_site_means_same_host_and_port() {
        let root = url("https://Maple.test/");
        assert!(same_site(&root, &url("http://maple.test/fees")));
        assert!(same_site(&root, &url("https://maple.test:443/x")));
        assert!(!same_site(&root, &url("https://www.maple.test/")));
        assert!(!same_site(&root, &url("https://maple.test:8443/")));
        assert!(!same_site(&root, &url("https://other.test/")));
        let local = url("http://127.0.0.1:4000/");
        assert!(!same_site(&local, &url("http://127.0.0.1:4001/")));
        assert!(same_site(&local, &url("http://127.0.0.1:4000/a")));
    }

    #[test]
    fn documents_are_recognised_by_extension() {
        assert!(is_document(&url("https://m.test/brochure.PDF")));
        assert!(is_document(&url("https://m.test/img/a.jpg?w=2")));
        assert!(!is_document(&url("https://m.test/pricing.html")));
        assert!(!is_document(&url("https://m.test/floor-plans/")));
        assert!(!is_document(&url("https://m.test/v1.2/plans")));
    }

    #[test]
    fn pricing_pages_come_before_blog_posts() {
        let p = |s: &str| priority(&url(s));
        assert!(p("https://m.test/floor-plans") > p("https://m.test/contact"));
        assert!(p("https://m.test/fees-and-pricing") > p("https://m.test/a/b/c/d"));
        assert!(p("https://m.test/contact") > p("https://m.test/blog/pet-news"));
        assert_eq!(robots_path(&url("https://m.test/a?b=1")), "/a?b=1");
    }
}
