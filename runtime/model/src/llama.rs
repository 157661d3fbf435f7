//! [`LlamaCppRunner`]: a GGUF model run in process by llama.cpp on the CPU.

mod answer;
mod backend;
mod picker;
mod session;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::token::LlamaToken;

use crate::gguf::{self, GgufInfo};
use crate::runner::{Completion, FinishReason, ModelRunner, Prompt, Request, Usage};
use crate::{ChatMessage, ModelError, progress};
use answer::Answer;
use picker::{Pick, TokenPicker};
use session::{ContextShape, ModelSession};

/// How a [`LlamaCppRunner`] runs its model.
#[derive(Clone, Debug)]
pub struct LlamaCppOptions {
    /// Threads for evaluation; `None` uses every core.
    pub threads: Option<usize>,
    /// Context window in tokens (prompt and answer).
    pub context: u32,
    /// Prompt tokens evaluated per batch.
    pub batch: u32,
    /// Reuse the KV cache of the prefix a query shares with the previous one. Off, every query
    /// is evaluated from scratch (slower, and independent of the queries before it).
    pub prefix_reuse: bool,
    /// Show a progress bar while loading and generating (on a terminal only).
    pub progress: bool,
}

impl Default for LlamaCppOptions {
    fn default() -> Self {
        Self {
            threads: None,
            context: 4096,
            batch: 512,
            prefix_reuse: true,
            progress: true,
        }
    }
}

/// A GGUF model run by llama.cpp in this process.
pub struct LlamaCppRunner {
    session: ModelSession,
    template: Option<LlamaChatTemplate>,
    path: PathBuf,
    info: GgufInfo,
    options: LlamaCppOptions,
    threads: usize,
    load_time: Duration,
}

impl LlamaCppRunner {
    /// Checks and loads the GGUF model at `path`.
    ///
    /// # Errors
    /// [`ModelError::ModelFile`] for a missing, truncated or foreign file, [`ModelError::Load`]
    /// when llama.cpp refuses it, [`ModelError::Inference`] when no context can be created.
    pub fn load(path: &Path, options: LlamaCppOptions) -> Result<Self, ModelError> {
        let info = gguf::inspect(path).map_err(|problem| ModelError::ModelFile {
            path: path.to_owned(),
            problem,
        })?;
        let started = Instant::now();
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let bar = progress::loading(&name, options.progress);
        let reporter = bar.clone();
        let params = LlamaModelParams::default().with_progress_callback(move |fraction| {
            reporter.set_position((fraction * 100.0) as u64);
            true
        });
        let model = LlamaModel::load_from_file(backend::backend()?, path, &params);
        bar.finish_and_clear();
        let model = model.map_err(|error| ModelError::Load {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
        let threads = options.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let template = model.chat_template(None).ok();
        let shape = ContextShape {
            context: options.context,
            batch: options.batch,
            threads: i32::try_from(threads).unwrap_or(i32::MAX),
        };
        let session = ModelSession::new(Arc::new(model), shape)?;
        let load_time = started.elapsed();
        tracing::info!(
            path = %path.display(),
            threads,
            chat_template = template.is_some(),
            ?load_time,
            "model loaded"
        );
        Ok(Self {
            session,
            template,
            path: path.to_owned(),
            info,
            options,
            threads,
            load_time,
        })
    }

    /// What the file's header says about the model.
    pub fn info(&self) -> &GgufInfo {
        &self.info
    }

    /// Threads used for evaluation.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Time taken to load the model and create its context.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    /// Whether the model carries a chat template (base models such as the embedded default do
    /// not: they get completion prompts).
    pub fn has_chat_template(&self) -> bool {
        self.template.is_some()
    }

    /// The tokens `prompt` becomes.
    ///
    /// # Errors
    /// [`ModelError::Inference`] when the chat template cannot be applied.
    pub fn tokenize(&self, prompt: &Prompt) -> Result<Vec<LlamaToken>, ModelError> {
        let text = self.render(prompt)?;
        let vocab = self.session.model().vocab();
        // A chat template writes the begin-of-sequence token itself.
        let bos = vocab.token_to_piece(vocab.bos(), true, None);
        let add_bos = !text.as_bytes().starts_with(&bos) || bos.is_empty();
        Ok(vocab.tokenize(text.as_bytes(), add_bos, true))
    }

    /// Evaluates `prefix` now so that queries starting with it only evaluate the rest.
    ///
    /// # Errors
    /// As [`ModelRunner::generate`].
    pub fn preload(&mut self, prefix: &Prompt) -> Result<(), ModelError> {
        let tokens = self.tokenize(prefix)?;
        self.session.ingest(&tokens, true).map(|_| ())
    }

    fn render(&self, prompt: &Prompt) -> Result<String, ModelError> {
        match (prompt, &self.template) {
            (Prompt::Completion(text), _) => Ok(text.clone()),
            (Prompt::Chat(messages), Some(template)) => {
                let messages = messages
                    .iter()
                    .map(|message| {
                        LlamaChatMessage::new(message.role.clone(), message.content.clone())
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|error| ModelError::Inference(format!("chat message: {error}")))?;
                self.session
                    .model()
                    .apply_chat_template(template, &messages, true)
                    .map_err(|error| ModelError::Inference(format!("chat template: {error}")))
            }
            (Prompt::Chat(messages), None) => Ok(transcript(messages)),
        }
    }

    fn generate_tokens(
        &mut self,
        request: &Request,
        tokens: &[LlamaToken],
    ) -> Result<Completion, ModelError> {
        let started = Instant::now();
        let mut picker = TokenPicker::new(
            self.session.model(),
            &request.sampling,
            &request.format,
            request.ignore_end,
        )?;
        let ingested = self.session.ingest(tokens, self.options.prefix_reuse)?;
        let prompt_time = started.elapsed();
        let bar = progress::generating(self.options.progress);
        let mut answer = Answer::new(&request.stop);
        let mut index = ingested.logits_index;
        let mut first_token = None;
        let finish_reason = loop {
            let pick = picker.pick(self.session.context(), index)?;
            first_token.get_or_insert_with(Instant::now);
            let token = match pick {
                Pick::GrammarComplete => break FinishReason::GrammarComplete,
                Pick::Token(token) => token,
            };
            let vocab = self.session.model().vocab();
            if vocab.is_eog(token) && !request.ignore_end {
                break FinishReason::End;
            }
            bar.inc(1);
            if answer.push(&vocab.token_to_piece(token, false, None)) {
                break FinishReason::StopString;
            }
            if picker.grammar_complete() {
                break FinishReason::GrammarComplete;
            }
            if answer.tokens >= request.max_tokens as usize {
                break FinishReason::Length;
            }
            self.session.advance(token)?;
            index = 0;
        };
        bar.finish_and_clear();
        let first_token = first_token.unwrap_or_else(Instant::now);
        Ok(Completion {
            text: answer.text(),
            finish_reason,
            usage: Usage {
                prompt_tokens: tokens.len(),
                reused_prompt_tokens: ingested.reused,
                generated_tokens: answer.tokens,
                prompt_time,
                generation_time: first_token.elapsed(),
                time_to_first_token: first_token - started,
            },
        })
    }
}

impl ModelRunner for LlamaCppRunner {
    fn describe(&self) -> String {
        format!(
            "llama.cpp {} ({} threads)",
            self.path.display(),
            self.threads
        )
    }

    fn generate(&mut self, request: &Request) -> Result<Completion, ModelError> {
        let tokens = self.tokenize(&request.prompt)?;
        let reserved = request.max_tokens as usize;
        if tokens.len() + reserved > self.session.capacity() {
            return Err(ModelError::PromptTooLong {
                tokens: tokens.len(),
                context: self.session.capacity(),
                reserved,
            });
        }
        self.generate_tokens(request, &tokens)
    }
}

/// A conversation as plain text, for models without a chat template.
fn transcript(messages: &[ChatMessage]) -> String {
    let mut text = String::new();
    for message in messages {
        let role = match message.role.as_str() {
            "system" => "System",
            "assistant" => "Assistant",
            _ => "User",
        };
        text.push_str(&format!("{role}: {}\n\n", message.content.trim_end()));
    }
    text.push_str("Assistant:");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnswerFormat, SamplingSettings, default_model_path};

    /// The embedded default model, or `None` (with a message) where it is not installed: CI
    /// installs it (scripts/setup.sh), so there these tests run.
    fn embedded_model() -> Option<LlamaCppRunner> {
        let path = default_model_path();
        if !path.is_file() {
            eprintln!(
                "SKIPPED: the embedded model is not installed at {} (run scripts/setup.sh)",
                path.display()
            );
            return None;
        }
        let options = LlamaCppOptions {
            progress: false,
            context: 1024,
            ..LlamaCppOptions::default()
        };
        Some(LlamaCppRunner::load(&path, options).expect("the embedded model loads"))
    }

    const STRATEGY_GRAMMAR: &str = r#"root ::= "{\"strategy\": \"" strategy "\", \"bound\": " bound "}"
strategy ::= "clamp-index" | "guard-division" | "swap-operands"
bound ::= [0-9] | [1-9] [0-9]
"#;

    fn strategy_request() -> Request {
        Request::new(Prompt::Completion(
            "Bug: memref.load %buf[%i] reads index 10 of memref<10xf32>.\n\
             Choose a repair strategy and the index bound, as JSON.\nAnswer: "
                .into(),
        ))
        .with_grammar(STRATEGY_GRAMMAR)
    }

    #[test]
    fn the_embedded_model_gives_a_grammar_constrained_answer_that_parses() {
        let Some(mut runner) = embedded_model() else {
            return;
        };
        assert!(
            !runner.has_chat_template(),
            "the embedded model is a base model"
        );
        let completion = runner.generate(&strategy_request()).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&completion.text)
            .unwrap_or_else(|error| panic!("{:?} does not parse: {error}", completion.text));
        let strategy = answer["strategy"].as_str().unwrap();
        assert!(
            ["clamp-index", "guard-division", "swap-operands"].contains(&strategy),
            "{strategy}"
        );
        assert!(answer["bound"].as_u64().unwrap() < 100);
        assert_eq!(completion.finish_reason, FinishReason::GrammarComplete);
        assert!(completion.usage.generated_tokens > 5);
    }

    #[test]
    fn a_repeated_prompt_reuses_its_prefix_and_a_seed_fixes_the_answer() {
        let Some(mut runner) = embedded_model() else {
            return;
        };
        let mut request = strategy_request();
        request.format = AnswerFormat::Free;
        request.max_tokens = 12;
        request.sampling = SamplingSettings {
            temperature: 0.9,
            seed: 1234,
            ..SamplingSettings::default()
        };
        let first = runner.generate(&request).unwrap();
        assert_eq!(first.usage.reused_prompt_tokens, 0);
        // A different query sharing the prompt's text as prefix reuses all of it.
        let mut longer = request.clone();
        longer.prompt = Prompt::Completion(format!("{}{{", request.prompt.text()));
        let second = runner.generate(&longer).unwrap();
        assert!(
            second.usage.reused_prompt_tokens + 2 >= first.usage.prompt_tokens,
            "{:?}",
            second.usage
        );
        // Evaluated from scratch, the same seed gives the same answer.
        let mut fresh = embedded_model().unwrap();
        fresh.options.prefix_reuse = false;
        let again = fresh.generate(&request).unwrap();
        assert_eq!(again.text, first.text);
    }

    #[test]
    fn a_bad_grammar_is_an_error_not_an_abort() {
        let Some(mut runner) = embedded_model() else {
            return;
        };
        let request = strategy_request().with_grammar("root ::= \"unterminated");
        let error = runner.generate(&request).unwrap_err();
        assert!(matches!(error, ModelError::Grammar(_)), "{error}");
        let request = strategy_request().with_grammar("root ::= my_rule\nmy_rule ::= \"a\"");
        let error = runner.generate(&request).unwrap_err().to_string();
        assert!(
            error.contains("rule name `my_rule` contains `_`"),
            "{error}"
        );
        // The runner still works afterwards.
        assert!(runner.generate(&strategy_request()).is_ok());
    }

    #[test]
    fn a_truncated_model_file_is_refused_before_loading() {
        let path = default_model_path();
        if !path.is_file() {
            eprintln!(
                "SKIPPED: the embedded model is not installed at {}",
                path.display()
            );
            return;
        }
        let bytes = std::fs::read(&path).unwrap();
        let dir = std::env::temp_dir().join(format!("tensorlang-llama-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let truncated = dir.join("truncated.gguf");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let error = LlamaCppRunner::load(&truncated, LlamaCppOptions::default())
            .err()
            .unwrap();
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "model file {}: truncated: it needs {} bytes and has {}",
                truncated.display(),
                bytes.len(),
                bytes.len() / 2
            )),
            "{message}"
        );
    }

    #[test]
    fn transcripts_end_with_the_assistant_turn() {
        let text = transcript(&[
            ChatMessage::new("system", "Answer briefly."),
            ChatMessage::new("user", "2+2?"),
        ]);
        assert_eq!(text, "System: Answer briefly.\n\nUser: 2+2?\n\nAssistant:");
    }
}
