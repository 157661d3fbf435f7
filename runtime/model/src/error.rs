//! What can go wrong when asking a model.

use std::path::PathBuf;
use std::time::Duration;

use crate::gguf::GgufError;

/// A runner's failure. Every variant names what failed and where, so that a caller can print it
/// as it is and go on with another source of answers.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// No model was configured and the embedded default is not installed.
    #[error(
        "no model: the embedded default model is not installed at {default} (run scripts/setup.sh), and neither --model/--model-url nor TENSORLANG_MODEL/TENSORLANG_MODEL_URL is set"
    )]
    NoModel {
        /// Where the embedded default model was looked for.
        default: PathBuf,
    },
    /// The model file is missing, truncated or not a GGUF file.
    #[error("model file {}: {problem}", path.display())]
    ModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: GgufError,
    },
    /// llama.cpp could not load a file that looked like a valid GGUF.
    #[error("model file {}: llama.cpp could not load it: {message}", path.display())]
    Load {
        /// The file.
        path: PathBuf,
        /// llama.cpp's reason.
        message: String,
    },
    /// The GBNF grammar or JSON schema was rejected.
    #[error("invalid grammar: {0}")]
    Grammar(String),
    /// The prompt does not fit the context window.
    #[error(
        "the prompt has {tokens} tokens, more than the context window of {context} (minus {reserved} for the answer)"
    )]
    PromptTooLong {
        /// Tokens in the prompt.
        tokens: usize,
        /// Context window size.
        context: usize,
        /// Tokens kept free for the answer.
        reserved: usize,
    },
    /// llama.cpp failed while evaluating or sampling.
    #[error("llama.cpp: {0}")]
    Inference(String),
    /// An endpoint answered with an error status.
    #[error("{url}: HTTP {status}: {body}")]
    Http {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// An endpoint did not answer in time, on every attempt.
    #[error("{url}: no answer within {timeout:?} ({attempts} attempts)")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The per-request timeout.
        timeout: Duration,
        /// How many requests were made.
        attempts: u32,
    },
    /// The connection to an endpoint failed.
    #[error("{url}: {message}")]
    Transport {
        /// The endpoint.
        url: String,
        /// The transport's reason (connection refused, TLS, ...).
        message: String,
    },
    /// An endpoint's answer was not an OpenAI-style completion.
    #[error("{url}: unexpected answer: {message}")]
    Protocol {
        /// The endpoint.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// A scripted session is malformed, used up, or was asked something it did not expect.
    #[error("script {}: {message}", path.display())]
    Script {
        /// The script file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}
