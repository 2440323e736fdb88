//! How a gathering behaves (`[crawl]` in the config) and the user agent it announces.

use serde::{Deserialize, Serialize};

use crate::config::Config;

/// The token robots.txt groups are matched against ("User-agent: secret-shop").
pub const PRODUCT: &str = "secret-shop";

/// How one gathering behaves; from `[crawl]` in the config. Serializable so a queued job can
/// carry the settings of the operator who asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlSettings {
    pub user_agent: String,
    pub max_pages: usize,
    pub max_page_bytes: usize,
    pub timeout_secs: u64,
    pub budget_secs: u64,
    pub delay_ms: u64,
}

/// `secret-shop/VERSION (+mystery-shopping research; contact: CONTACT)`.
pub fn user_agent(contact: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact.trim() {
        "" => format!("{PRODUCT}/{version} (+mystery-shopping research)"),
        c => format!("{PRODUCT}/{version} (+mystery-shopping research; contact: {c})"),
    }
}

impl Default for CrawlSettings {
    /// The built-in `[crawl]` defaults (config.example.toml), with no contact known.
    fn default() -> Self {
        CrawlSettings {
            user_agent: user_agent(""),
            max_pages: 20,
            max_page_bytes: 1024 * 1024,
            timeout_secs: 10,
            budget_secs: 120,
            delay_ms: 500,
        }
    }
}

impl CrawlSettings {
    /// `crawl.contact`, or the mail domain when it is empty, goes into the user agent.
    pub fn from_config(c: &Config) -> CrawlSettings {
        let contact = match c.crawl.contact.trim() {
            "" => c.mail.domain.trim(),
            set => set,
        };
        CrawlSettings {
            user_agent: user_agent(contact),
            max_pages: c.crawl.max_pages,
            max_page_bytes: c.crawl.max_page_bytes,
            timeout_secs: c.crawl.timeout_secs,
            budget_secs: c.crawl.budget_secs,
            delay_ms: c.crawl.delay_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_us_and_the_contact() {
        let ua = user_agent("research@shop.example");
        assert!(ua.starts_with("secret-shop/"), "{ua}");
        assert!(
            ua.ends_with("(+mystery-shopping research; contact: research@shop.example)"),
            "{ua}"
        );
        assert!(!user_agent(" ").contains("contact"));
    }

    #[test]
    fn defaults_match_the_built_in_config() {
        let c = Config::defaults().unwrap();
        let from_config = CrawlSettings::from_config(&c);
        assert_eq!(
            from_config,
            CrawlSettings {
                user_agent: user_agent(&c.mail.domain),
                ..CrawlSettings::default()
            }
        );
    }
}
