//! [`OpenAiRunner`]: any OpenAI-compatible chat endpoint (llama.cpp's server, vLLM, Ollama).

#[cfg(test)]
mod fake_server;
mod retry;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub use retry::RetryPolicy;
use retry::retryable_status;

use crate::runner::{Completion, FinishReason, ModelRunner, Prompt, Request, Usage};
use crate::{AnswerFormat, ChatMessage, ModelError};

/// Which request field carries a GBNF grammar: servers disagree, and OpenAI's own API rejects
/// fields it does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GrammarField {
    /// `grammar` (llama.cpp's server).
    #[default]
    LlamaCpp,
    /// `guided_grammar` (vLLM).
    Vllm,
    /// The server takes no grammar: it is left out (JSON schemas still go in `response_format`).
    None,
}

/// How an [`OpenAiRunner`] talks to its endpoint.
#[derive(Clone, Debug)]
pub struct OpenAiOptions {
    /// The model name sent with each request; `None` asks the server's `/models` for the first.
    pub model: Option<String>,
    /// Sent as `Authorization: Bearer ...`.
    pub api_key: Option<String>,
    /// The longest one request may take, connection included.
    pub timeout: Duration,
    /// Retries of failed requests.
    pub retry: RetryPolicy,
    /// Where a grammar goes.
    pub grammar_field: GrammarField,
}

impl Default for OpenAiOptions {
    fn default() -> Self {
        Self {
            model: None,
            api_key: None,
            timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            grammar_field: GrammarField::default(),
        }
    }
}

impl OpenAiOptions {
    /// Defaults, with the model name from `TENSORLANG_MODEL_NAME` and the key from
    /// `TENSORLANG_API_KEY` or `OPENAI_API_KEY`.
    pub fn from_env() -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|value: &String| !value.is_empty())
        };
        Self {
            model: var("TENSORLANG_MODEL_NAME"),
            api_key: var("TENSORLANG_API_KEY").or_else(|| var("OPENAI_API_KEY")),
            ..Self::default()
        }
    }
}

/// A chat-completions endpoint.
pub struct OpenAiRunner {
    agent: ureq::Agent,
    url: String,
    models_url: String,
    options: OpenAiOptions,
}

/// How one attempt ended.
enum Attempt {
    Done(Value),
    Retry {
        error: ModelError,
        retry_after: Option<Duration>,
    },
    Fail(ModelError),
}

impl OpenAiRunner {
    /// A runner for the endpoint at `url`: a server root (`http://host:8080`), its `/v1`, or the
    /// full `/v1/chat/completions` address.
    pub fn new(url: &str, options: OpenAiOptions) -> Self {
        let url = chat_completions_url(url);
        let models_url = format!("{}/models", url.trim_end_matches("/chat/completions"));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            agent,
            url,
            models_url,
            options,
        }
    }

    /// The chat-completions address requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn body(&self, request: &Request, model: &str) -> Value {
        let messages = match &request.prompt {
            Prompt::Completion(text) => vec![ChatMessage::new("user", text.clone())],
            Prompt::Chat(messages) => messages.clone(),
        };
        let sampling = &request.sampling;
        let mut body = json!({
            "model": model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "seed": sampling.seed,
        });
        if !request.stop.is_empty() {
            body["stop"] = json!(request.stop);
        }
        match (&request.format, self.options.grammar_field) {
            (AnswerFormat::Free, _) | (AnswerFormat::Grammar(_), GrammarField::None) => {}
            (AnswerFormat::Grammar(grammar), GrammarField::LlamaCpp) => {
                body["grammar"] = json!(grammar)
            }
            (AnswerFormat::Grammar(grammar), GrammarField::Vllm) => {
                body["guided_grammar"] = json!(grammar)
            }
            (AnswerFormat::JsonSchema(schema), _) => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": schema, "strict": true},
                })
            }
        }
        body
    }

    /// Posts `body` (or gets, without one) with retries.
    fn exchange(&self, url: &str, body: Option<&Value>) -> Result<Value, ModelError> {
        let policy = &self.options.retry;
        let attempts = policy.attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.attempt(url, body) {
                Attempt::Done(answer) => return Ok(answer),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { error, retry_after } => {
                    if attempt >= attempts {
                        return Err(match error {
                            ModelError::Timeout { url, timeout, .. } => ModelError::Timeout {
                                url,
                                timeout,
                                attempts,
                            },
                            other => other,
                        });
                    }
                    let wait = policy.backoff(attempt, retry_after);
                    tracing::warn!(%url, attempt, ?wait, "{error}; retrying");
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    fn attempt(&self, url: &str, body: Option<&Value>) -> Attempt {
        let authorization = self
            .options
            .api_key
            .as_ref()
            .map(|key| format!("Bearer {key}"));
        let sent = match body {
            Some(body) => {
                let mut post = self.agent.post(url);
                if let Some(authorization) = &authorization {
                    post = post.header("Authorization", authorization);
                }
                post.send_json(body)
            }
            None => {
                let mut get = self.agent.get(url);
                if let Some(authorization) = &authorization {
                    get = get.header("Authorization", authorization);
                }
                get.call()
            }
        };
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => return self.transport_failure(url, error),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = match response.body_mut().read_to_string() {
            Ok(text) => text,
            Err(error) => return self.transport_failure(url, error),
        };
        if !(200..300).contains(&status) {
            let error = ModelError::Http {
                url: url.to_owned(),
                status,
                body: excerpt(&text),
            };
            return if retryable_status(status) {
                Attempt::Retry { error, retry_after }
            } else {
                Attempt::Fail(error)
            };
        }
        match serde_json::from_str(&text) {
            Ok(answer) => Attempt::Done(answer),
            Err(error) => Attempt::Fail(ModelError::Protocol {
                url: url.to_owned(),
                message: format!("not JSON ({error}): {}", excerpt(&text)),
            }),
        }
    }

    fn transport_failure(&self, url: &str, error: ureq::Error) -> Attempt {
        let retryable = matches!(
            error,
            ureq::Error::Timeout(_)
                | ureq::Error::Io(_)
                | ureq::Error::ConnectionFailed
                | ureq::Error::BodyStalled
                | ureq::Error::Protocol(_)
        );
        let error = match error {
            ureq::Error::Timeout(_) => ModelError::Timeout {
                url: url.to_owned(),
                timeout: self.options.timeout,
                attempts: 1,
            },
            other => ModelError::Transport {
                url: url.to_owned(),
                message: other.to_string(),
            },
        };
        if retryable {
            Attempt::Retry {
                error,
                retry_after: None,
            }
        } else {
            Attempt::Fail(error)
        }
    }

    /// The configured model name, or the first model the server lists.
    fn model_name(&mut self) -> Result<String, ModelError> {
        if let Some(model) = &self.options.model {
            return Ok(model.clone());
        }
        let models_url = self.models_url.clone();
        let listing = self.exchange(&models_url, None)?;
        let model = listing["data"][0]["id"]
            .as_str()
            .ok_or_else(|| ModelError::Protocol {
                url: models_url,
                message: "no model listed under data[0].id; set TENSORLANG_MODEL_NAME".into(),
            })?
            .to_owned();
        tracing::info!(%model, "using the endpoint's first model");
        self.options.model = Some(model.clone());
        Ok(model)
    }
}

impl ModelRunner for OpenAiRunner {
    fn describe(&self) -> String {
        match &self.options.model {
            Some(model) => format!("{} ({model})", self.url),
            None => self.url.clone(),
        }
    }

    fn generate(&mut self, request: &Request) -> Result<Completion, ModelError> {
        let model = self.model_name()?;
        let body = self.body(request, &model);
        let started = Instant::now();
        let answer = self.exchange(&self.url.clone(), Some(&body))?;
        completion(&self.url, &answer, started.elapsed())
    }
}

/// Reads an OpenAI chat completion; llama.cpp's server adds `timings`, used when present.
fn completion(url: &str, answer: &Value, elapsed: Duration) -> Result<Completion, ModelError> {
    let choice = &answer["choices"][0];
    let text = choice["message"]["content"]
        .as_str()
        .ok_or_else(|| ModelError::Protocol {
            url: url.to_owned(),
            message: format!(
                "no choices[0].message.content in {}",
                excerpt(&answer.to_string())
            ),
        })?
        .to_owned();
    let finish_reason = match choice["finish_reason"].as_str() {
        Some("length") => FinishReason::Length,
        _ => FinishReason::End,
    };
    let count = |value: &Value| value.as_u64().unwrap_or(0) as usize;
    let millis = |value: &Value| value.as_f64().map(|ms| Duration::from_secs_f64(ms / 1e3));
    let timings = &answer["timings"];
    let usage = Usage {
        prompt_tokens: count(&answer["usage"]["prompt_tokens"]),
        reused_prompt_tokens: count(&timings["cache_n"]),
        generated_tokens: count(&answer["usage"]["completion_tokens"]),
        prompt_time: millis(&timings["prompt_ms"]).unwrap_or_default(),
        generation_time: millis(&timings["predicted_ms"]).unwrap_or(elapsed),
        // Without streaming, the first token arrives with the last.
        time_to_first_token: elapsed,
    };
    Ok(Completion {
        text,
        finish_reason,
        usage,
    })
}

/// The chat-completions address for a server root, a `/v1` base or the full address.
fn chat_completions_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if url.ends_with("/chat/completions") {
        url.to_owned()
    } else if url.ends_with("/v1") {
        format!("{url}/chat/completions")
    } else {
        format!("{url}/v1/chat/completions")
    }
}

fn excerpt(text: &str) -> String {
    const LIMIT: usize = 300;
    let text = text.trim();
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
