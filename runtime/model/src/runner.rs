//! The interface every model runner implements: a request in, a completion out.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The message text.
    pub content: String,
}

impl ChatMessage {
    /// A message with the given role.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
        }
    }
}

/// What the model is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// Text the model continues as it is: the form for base models and few-shot prompts.
    Completion(String),
    /// A conversation, rendered with the model's chat template. A model without one (a base
    /// model, like the embedded default) gets a plain `Role: text` transcript ending with
    /// `Assistant:`.
    Chat(Vec<ChatMessage>),
}

impl Prompt {
    /// All the prompt's text, for runners that only match or log it.
    pub fn text(&self) -> String {
        match self {
            Self::Completion(text) => text.clone(),
            Self::Chat(messages) => messages
                .iter()
                .map(|message| format!("{}: {}", message.role, message.content))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// How the next token is chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingSettings {
    /// 0 picks the most likely token (greedy); higher values sample more freely.
    pub temperature: f32,
    /// Keep only the k most likely tokens before sampling (0: all).
    pub top_k: u32,
    /// Keep the smallest set of tokens whose probabilities add up to p (1.0: all).
    pub top_p: f32,
    /// Seed of the sampler's random numbers: the same seed, model, threads and prompt give the
    /// same answer.
    pub seed: u32,
}

impl Default for SamplingSettings {
    fn default() -> Self {
        Self {
            temperature: 0.0,
            top_k: 40,
            top_p: 0.95,
            seed: 42,
        }
    }
}

/// A constraint on the answer's shape.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerFormat {
    /// Any text.
    Free,
    /// Text that matches a GBNF grammar (llama.cpp's grammar format; the start rule is `root`).
    Grammar(String),
    /// A JSON value that matches a JSON schema.
    JsonSchema(serde_json::Value),
}

/// One query.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// What the model is asked.
    pub prompt: Prompt,
    /// The answer's shape.
    pub format: AnswerFormat,
    /// Sampling settings.
    pub sampling: SamplingSettings,
    /// The most tokens generated.
    pub max_tokens: u32,
    /// Generation stops before the first of these strings (which is not part of the answer).
    pub stop: Vec<String>,
    /// Keep generating past end-of-generation tokens (benchmarks use this to generate exactly
    /// `max_tokens`).
    pub ignore_end: bool,
}

impl Request {
    /// A request with default settings: greedy, free text, at most 256 tokens.
    pub fn new(prompt: Prompt) -> Self {
        Self {
            prompt,
            format: AnswerFormat::Free,
            sampling: SamplingSettings::default(),
            max_tokens: 256,
            stop: Vec::new(),
            ignore_end: false,
        }
    }

    /// The same request constrained by a GBNF grammar.
    pub fn with_grammar(mut self, grammar: impl Into<String>) -> Self {
        self.format = AnswerFormat::Grammar(grammar.into());
        self
    }
}

/// Why generation stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The model ended its answer.
    End,
    /// The grammar was complete: no further token could extend the answer.
    GrammarComplete,
    /// A stop string was generated.
    StopString,
    /// `max_tokens` were generated.
    Length,
}

/// Token counts and durations of one query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// Prompt tokens whose state was reused from an earlier query instead of computed.
    pub reused_prompt_tokens: usize,
    /// Tokens generated.
    pub generated_tokens: usize,
    /// Time spent on the prompt (reused tokens cost nothing).
    #[serde(with = "duration_seconds")]
    pub prompt_time: Duration,
    /// Time spent generating after the first token.
    #[serde(with = "duration_seconds")]
    pub generation_time: Duration,
    /// From the request to the first generated token.
    #[serde(with = "duration_seconds")]
    pub time_to_first_token: Duration,
}

impl Usage {
    /// Prompt tokens computed per second (reused tokens excluded).
    pub fn prompt_tokens_per_second(&self) -> f64 {
        rate(
            self.prompt_tokens - self.reused_prompt_tokens,
            self.prompt_time,
        )
    }

    /// Tokens generated per second, after the first.
    pub fn generation_tokens_per_second(&self) -> f64 {
        rate(
            self.generated_tokens.saturating_sub(1),
            self.generation_time,
        )
    }

    /// A one-line summary: `prompt 412 tok (400 reused, 630.1 tok/s), 24 generated (46.2 tok/s), first token 41 ms`.
    pub fn summary(&self) -> String {
        format!(
            "prompt {} tok ({} reused, {:.1} tok/s), {} generated ({:.1} tok/s), first token {:.0} ms",
            self.prompt_tokens,
            self.reused_prompt_tokens,
            self.prompt_tokens_per_second(),
            self.generated_tokens,
            self.generation_tokens_per_second(),
            self.time_to_first_token.as_secs_f64() * 1e3,
        )
    }
}

fn rate(tokens: usize, time: Duration) -> f64 {
    if time.is_zero() {
        0.0
    } else {
        tokens as f64 / time.as_secs_f64()
    }
}

mod duration_seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(duration.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        Duration::try_from_secs_f64(seconds).map_err(serde::de::Error::custom)
    }
}

/// A model's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    /// The answer (stop strings removed).
    pub text: String,
    /// Why generation stopped.
    pub finish_reason: FinishReason,
    /// Token counts and durations.
    pub usage: Usage,
}

/// A model that answers requests: llama.cpp in process, an HTTP endpoint, or a script.
///
/// Runners are used from one thread at a time (llama.cpp contexts are not thread-safe); a caller
/// that needs several threads makes one runner per thread. A runner may move between threads
/// (it is `Send`): the self-healing runtime loads the model on a thread of its own while the
/// cheaper repairs are tried, then hands it to its repair worker.
pub trait ModelRunner: Send {
    /// What answers: `llama.cpp gemma-3-270m-q4_k_m.gguf`, `http://host:8080/v1`, ...
    fn describe(&self) -> String;

    /// Answers one request.
    ///
    /// # Errors
    /// The runner's failures (model file, grammar, transport, script) as [`ModelError`]; callers
    /// treat every error as "no answer from this source" and go on with their other sources.
    fn generate(&mut self, request: &Request) -> Result<Completion, ModelError>;
}

impl<R: ModelRunner + ?Sized> ModelRunner for Box<R> {
    fn describe(&self) -> String {
        (**self).describe()
    }

    fn generate(&mut self, request: &Request) -> Result<Completion, ModelError> {
        (**self).generate(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_exclude_reused_tokens_and_the_first_generated_token() {
        let usage = Usage {
            prompt_tokens: 500,
            reused_prompt_tokens: 400,
            generated_tokens: 11,
            prompt_time: Duration::from_millis(200),
            generation_time: Duration::from_millis(500),
            time_to_first_token: Duration::from_millis(220),
        };
        assert_eq!(usage.prompt_tokens_per_second(), 500.0);
        assert_eq!(usage.generation_tokens_per_second(), 20.0);
        assert!(
            usage.summary().contains("400 reused"),
            "{}",
            usage.summary()
        );
    }

    #[test]
    fn chat_prompt_text_keeps_roles() {
        let prompt = Prompt::Chat(vec![
            ChatMessage::new("system", "be brief"),
            ChatMessage::new("user", "hi"),
        ]);
        assert_eq!(prompt.text(), "system: be brief\nuser: hi");
    }

    #[test]
    fn completion_round_trips_through_json() {
        let completion = Completion {
            text: "{\"a\":1}".into(),
            finish_reason: FinishReason::GrammarComplete,
            usage: Usage {
                generation_time: Duration::from_millis(1500),
                ..Usage::default()
            },
        };
        let json = serde_json::to_string(&completion).unwrap();
        assert!(json.contains("\"grammar_complete\""), "{json}");
        assert_eq!(
            serde_json::from_str::<Completion>(&json).unwrap(),
            completion
        );
    }
}
