//! AI: the OpenAI-compatible client and the offline fallback. For now, the reachability probe
//! `doctor` uses; drafting, extraction and grading build on the same config.

use std::time::Duration;

use secrecy::ExposeSecret;

use crate::config::{AiConfig, AiProvider};

/// One line for `doctor`: Ok(what works) or Err(what is wrong and how to fix it).
pub async fn probe(ai: &AiConfig) -> Result<String, String> {
    match ai.provider {
        AiProvider::Offline => {
            Ok("offline fallback (templates and rules); no AI API is used".into())
        }
        AiProvider::OpenAi => {
            let key = ai.api_key();
            let url = format!("{}/models", ai.base_url.trim_end_matches('/'));
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(ai.request_timeout_secs.clamp(1, 15)))
                .build()
                .map_err(|e| e.to_string())?;
            let mut req = client.get(&url);
            if let Some(k) = &key {
                req = req.bearer_auth(k.expose_secret());
            }
            let resp = req.send().await.map_err(|e| {
                format!(
                    "cannot reach {url}: {e}; check ai.base_url or set ai.provider = \"offline\""
                )
            })?;
            match resp.status().as_u16() {
                200..=299 => Ok(format!(
                    "{} at {} (model {})",
                    ai.provider.as_str(),
                    ai.base_url,
                    ai.model
                )),
                401 | 403 if key.is_none() => Err(format!(
                    "{url} wants an API key: set the variable {} (ai.api_key_env)",
                    ai.api_key_env
                )),
                401 | 403 => Err(format!(
                    "{url} refused the API key in {} ({})",
                    ai.api_key_env,
                    resp.status()
                )),
                _ => Err(format!("{url} answered {}", resp.status())),
            }
        }
    }
}

pub mod client;
pub mod drafting;
pub mod eval;
pub mod facade;
pub mod offline;
pub mod prompts;
pub mod reader;
pub mod revising;
pub mod schema;
pub mod website;

pub use facade::{Ai, Analysis};
pub use reader::{ModelReader, OfflineReader, Reader};
