//! Model runners for TensorLang's repair engine.
//!
//! A [`ModelRunner`] answers a [`Request`] (a prompt, an optional grammar, sampling settings)
//! with a [`Completion`] (text, token counts, timings). Three runners:
//!
//! - [`LlamaCppRunner`]: a GGUF model run by llama.cpp on the CPU, in process, with
//!   grammar-constrained sampling and reuse of the KV cache of a shared prompt prefix. The
//!   embedded default is Gemma 3 270M ([`default_model_path`]): small enough to need no setup,
//!   too small to write correct code; it chooses among options a verifier then checks.
//! - [`OpenAiRunner`]: any OpenAI-compatible chat endpoint, for bigger models on other machines.
//! - [`ScriptedRunner`]: answers from a file, for deterministic tests and replays.
//!
//! [`ModelArgs`] holds the flags (`--model`, `--model-url`, ...) tools share to pick one.

mod error;
pub mod gguf;
mod llama;
mod openai;
mod progress;
mod runner;
mod scripted;
mod source;

pub use error::ModelError;
pub use llama::{LlamaCppOptions, LlamaCppRunner};
pub use openai::{GrammarField, OpenAiOptions, OpenAiRunner, RetryPolicy};
pub use runner::{
    AnswerFormat, ChatMessage, Completion, FinishReason, ModelRunner, Prompt, Request,
    SamplingSettings, Usage,
};
pub use scripted::{ScriptedAnswer, ScriptedRunner, SessionRecorder};
pub use source::{DEFAULT_MODEL_FILE, ModelArgs, ModelSource, default_model_path};
