//! The OpenAI-compatible client (async-openai): OpenAI, gateways, Ollama, vLLM, llama.cpp.
//! Timeouts, retries with back-off on 429 and 5xx, token usage logged (never the content).

use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage, CreateChatCompletionRequestArgs, ResponseFormat,
    ResponseFormatJsonSchema,
};
use secrecy::ExposeSecret;

use crate::config::AiConfig;
use crate::engine::backoff::Backoff;

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("the AI server failed: {0}")]
    Api(String),
    #[error("the AI answer was not usable: {0}")]
    Invalid(String),
    #[error("AI request set-up: {0}")]
    Setup(String),
}

#[derive(Clone)]
pub struct OpenAiClient {
    client: Client<OpenAIConfig>,
    pub model: String,
    pub temperature: f32,
    max_retries: u32,
    base_delay: Duration,
}

impl std::fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiClient")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// Plain text or a JSON document following a schema.
pub enum Want<'a> {
    Text,
    Json {
        name: &'a str,
        schema: serde_json::Value,
    },
}

impl OpenAiClient {
    pub fn new(c: &AiConfig) -> Result<OpenAiClient, AiError> {
        let mut config = OpenAIConfig::new().with_api_base(c.base_url.trim_end_matches('/'));
        // Local servers (llama.cpp, Ollama) take any key; an empty one is fine there.
        config = config.with_api_key(
            c.api_key()
                .map(|k| k.expose_secret().to_string())
                .unwrap_or_default(),
        );
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(c.request_timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(10))
            // Retries are ours (counted, logged, with back-off), not the HTTP client's.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|e| AiError::Setup(e.to_string()))?;
        Ok(OpenAiClient {
            // The plain service: async-openai's default executor would retry on its own, three
            // times per call, under our own counted retries.
            client: Client::with_config(config)
                .with_http_service(async_openai::middleware::ReqwestService::new(http)),
            model: c.model.clone(),
            temperature: c.temperature,
            max_retries: c.max_retries,
            base_delay: Duration::from_millis(500),
        })
    }

    /// For tests: shorter waits between retries.
    pub fn with_retry_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// One chat completion: a system and a user message, retried on 429/5xx/timeouts.
    pub async fn complete(
        &self,
        system: &str,
        user: &str,
        want: Want<'_>,
        max_tokens: u32,
    ) -> Result<String, AiError> {
        let messages: Vec<ChatCompletionRequestMessage> = vec![
            ChatCompletionRequestSystemMessage::from(system).into(),
            ChatCompletionRequestUserMessage::from(user).into(),
        ];
        let mut args = CreateChatCompletionRequestArgs::default();
        args.model(&self.model)
            .messages(messages)
            .temperature(self.temperature)
            .max_completion_tokens(max_tokens);
        if let Want::Json { name, schema } = want {
            args.response_format(ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: None,
                    name: name.to_string(),
                    schema,
                    strict: Some(true),
                },
            });
        }
        let request = args.build().map_err(|e| AiError::Setup(e.to_string()))?;
        let mut backoff = Backoff::new(self.base_delay, Duration::from_secs(30));
        loop {
            match self.client.chat().create(request.clone()).await {
                Ok(resp) => {
                    if let Some(u) = &resp.usage {
                        tracing::info!(
                            model = %self.model,
                            prompt_tokens = u.prompt_tokens,
                            completion_tokens = u.completion_tokens,
                            "AI tokens used"
                        );
                    }
                    let text = resp
                        .choices
                        .into_iter()
                        .next()
                        .and_then(|c| c.message.content)
                        .ok_or_else(|| AiError::Invalid("the answer has no content".into()))?;
                    return Ok(text);
                }
                Err(e) if retryable(&e) && backoff.failures() < self.max_retries => {
                    let delay = backoff.next_delay();
                    tracing::warn!(error = %e, retry_in = ?delay, "AI request failed; retrying");
                    tokio::time::sleep(delay).await;
                }
                Err(e) => return Err(AiError::Api(e.to_string())),
            }
        }
    }
}

fn retryable(e: &OpenAIError) -> bool {
    match e {
        OpenAIError::ApiError(a) => {
            a.status_code.as_u16() == 429 || a.status_code.is_server_error()
        }
        OpenAIError::Reqwest(r) => r.is_timeout() || r.is_connect() || r.is_request(),
        _ => false,
    }
}
