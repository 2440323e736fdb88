//! robots.txt (RFC 9309): parsing into groups, choosing the group for our product token, and
//! matching a path against its rules. Pure: the caller fetches the file.

use std::time::Duration;

/// The rules that apply to us on one site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    rules: Vec<Rule>,
    /// `Crawl-delay` of the chosen group, if it gave a usable one.
    pub crawl_delay: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    /// Normalised (percent-encoding upper-cased, non-ASCII encoded), without a trailing `$`.
    pattern: String,
    anchored: bool,
}

#[derive(Debug, Default)]
struct Group {
    agents: Vec<String>,
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
}

/// RFC 9309 asks crawlers to read at least 500 KiB; anything after that is ignored.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// Crawl-delays beyond this are treated as this (the time budget still applies).
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);

impl Robots {
    /// Everything allowed (no robots.txt, or one that says nothing to us).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Parses `text` and keeps the rules for `product` (e.g. "secret-shop"): the groups naming
    /// it, else the `*` groups, else none. Unknown lines and garbage are ignored.
    pub fn parse(text: &str, product: &str) -> Robots {
        let text = clip(text, MAX_ROBOTS_BYTES);
        let product = product.to_ascii_lowercase();
        let mut groups: Vec<Group> = Vec::new();
        // A user-agent line after a rule starts a new group; consecutive ones share a group.
        let mut open = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" | "useragent" | "user agent" => {
                    if !open {
                        groups.push(Group::default());
                        open = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    open = false;
                    let Some(g) = groups.last_mut() else { continue };
                    // An empty Disallow allows everything: it is no rule at all.
                    if value.is_empty() {
                        continue;
                    }
                    g.rules.push(Rule::new(key == "allow", value));
                }
                "crawl-delay" => {
                    open = false;
                    if let Some(g) = groups.last_mut() {
                        g.crawl_delay = value
                            .parse::<f64>()
                            .ok()
                            .filter(|d| d.is_finite() && *d >= 0.0)
                            .map(|d| Duration::from_secs_f64(d).min(MAX_CRAWL_DELAY));
                    }
                }
                _ => {}
            }
        }
        let ours: Vec<&Group> = groups
            .iter()
            .filter(|g| g.agents.iter().any(|a| names_us(a, &product)))
            .collect();
        let chosen = if ours.is_empty() {
            groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a == "*"))
                .collect()
        } else {
            ours
        };
        Robots {
            rules: chosen.iter().flat_map(|g| g.rules.clone()).collect(),
            crawl_delay: chosen.iter().filter_map(|g| g.crawl_delay).max(),
        }
    }

    /// Whether `path_and_query` (as in a URL: "/a/b?c=d") may be fetched. The longest matching
    /// rule decides; on a tie Allow wins; no match allows. robots.txt itself is always allowed.
    pub fn allows(&self, path_and_query: &str) -> bool {
        if path_and_query == "/robots.txt" {
            return true;
        }
        let path = normalise(path_and_query);
        let mut best: Option<(usize, bool)> = None;
        for r in &self.rules {
            if !r.matches(&path) {
                continue;
            }
            let len = r.pattern.len();
            best = match best {
                Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                _ => Some((len, r.allow)),
            };
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// A user-agent line names us if it is our product token, or starts with it followed by a
/// version or comment ("secret-shop/1.0").
fn names_us(agent: &str, product: &str) -> bool {
    agent == product
        || agent
            .strip_prefix(product)
            .is_some_and(|rest| rest.starts_with(['/', ' ']))
}

impl Rule {
    fn new(allow: bool, value: &str) -> Rule {
        let (raw, anchored) = match value.strip_suffix('$') {
            Some(p) => (p, true),
            None => (value, false),
        };
        let mut pattern = normalise(raw);
        if !pattern.starts_with(['/', '*']) {
            pattern.insert(0, '/');
        }
        Rule {
            allow,
            pattern,
            anchored,
        }
    }

    /// `*` matches any run of characters; the pattern matches a prefix of the path unless it
    /// was anchored with `$`.
    fn matches(&self, path: &str) -> bool {
        let mut pattern = self.pattern.clone();
        if !self.anchored {
            pattern.push('*');
        }
        wildcard_match(pattern.as_bytes(), path.as_bytes())
    }
}

/// Glob match with `*` only; backtracks to the last star alone, so no exponential blow-up.
fn wildcard_match(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// One spelling for paths and patterns: non-ASCII and spaces percent-encoded, escapes in
/// upper case ("%c3%a9" and "é" compare equal).
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push('%');
            out.push(bytes[i + 1].to_ascii_uppercase() as char);
            out.push(bytes[i + 2].to_ascii_uppercase() as char);
            i += 3;
            continue;
        }
        if b.is_ascii() && b > b' ' && b != 0x7f {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    out
}

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "secret-shop";

    #[test]
    fn our_group_wins_over_the_star_group() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Secret-Shop\nDisallow: /private\n",
            UA,
        );
        assert!(r.allows("/pricing"));
        assert!(!r.allows("/private/x"));
    }

    #[test]
    fn the_star_group_applies_when_none_names_us() {
        let r = Robots::parse(
            "User-agent: googlebot\nDisallow: /\n\nUser-agent: *\nDisallow: /admin/\n",
            UA,
        );
        assert!(r.allows("/"));
        assert!(!r.allows("/admin/login"));
        assert!(r.allows("/administration"));
    }

    #[test]
    fn consecutive_agents_share_a_group_and_matching_groups_merge() {
        let text = "User-agent: otherbot\nUser-agent: secret-shop/0.1\nDisallow: /a\n\
                    User-agent: *\nDisallow: /\nUser-agent: secret-shop\nDisallow: /b\n";
        let r = Robots::parse(text, UA);
        assert!(!r.allows("/a"));
        assert!(!r.allows("/b"));
        assert!(r.allows("/c"));
        // A longer token that merely starts with ours is someone else.
        let r = Robots::parse("User-agent: secret-shopper\nDisallow: /\n", UA);
        assert!(r.allows("/"));
    }

    #[test]
    fn longest_match_wins_and_allow_wins_a_tie() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /floor\nAllow: /floor-plans\nDisallow: /x\nAllow: /x\n",
            UA,
        );
        assert!(!r.allows("/floor"));
        assert!(r.allows("/floor-plans/a1"));
        assert!(r.allows("/x"));
    }

    #[test]
    fn wildcards_and_end_anchors() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?print=\nDisallow: /tmp$\n",
            UA,
        );
        assert!(!r.allows("/docs/lease.pdf"));
        assert!(r.allows("/docs/lease.pdf.html"));
        assert!(!r.allows("/pricing?print=1"));
        assert!(r.allows("/pricing?x=1"));
        assert!(!r.allows("/tmp"));
        assert!(r.allows("/tmp/"));
    }

    #[test]
    fn empty_disallow_comments_and_garbage_allow_everything() {
        let r = Robots::parse(
            "# hello\nUser-agent: * # all\nDisallow:\nnonsense line\nSitemap: /s.xml\n",
            UA,
        );
        assert!(r.allows("/anything"));
        assert_eq!(
            Robots::parse("<html>not a robots file</html>", UA),
            Robots::allow_all()
        );
        // Rules before any user-agent line belong to no group.
        assert!(Robots::parse("Disallow: /\n", UA).allows("/"));
    }

    #[test]
    fn robots_txt_itself_is_always_allowed() {
        let r = Robots::parse("User-agent: *\nDisallow: /\n", UA);
        assert!(r.allows("/robots.txt"));
        assert!(!r.allows("/"));
    }

    #[test]
    fn percent_encoding_compares_by_meaning() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /caf\u{e9}\nDisallow: /a%2fb\n",
            UA,
        );
        assert!(!r.allows("/caf%C3%A9/menu"));
        assert!(!r.allows("/a%2Fb"));
        assert!(r.allows("/cafe"));
    }

    #[test]
    fn crawl_delay_is_read_and_capped() {
        let r = Robots::parse("User-agent: *\nCrawl-delay: 2.5\nDisallow: /x\n", UA);
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(2500)));
        let r = Robots::parse("User-agent: *\nCrawl-delay: 3600\n", UA);
        assert_eq!(r.crawl_delay, Some(MAX_CRAWL_DELAY));
        let r = Robots::parse("User-agent: *\nCrawl-delay: soon\n", UA);
        assert_eq!(r.crawl_delay, None);
    }

    #[test]
    fn wildcard_matching_does_not_blow_up() {
        let p = "/*a*a*a*a*a*a*a*b";
        let s = format!("/{}", "a".repeat(5000));
        assert!(!wildcard_match(p.as_bytes(), s.as_bytes()));
        assert!(wildcard_match(b"/*", b"/"));
        assert!(wildcard_match(b"/a*c", b"/abbbc"));
    }
}
