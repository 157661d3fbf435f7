//! llama.cpp's process-wide backend, initialized once.

use std::sync::OnceLock;

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::{LogOptions, send_logs_to_tracing};

use crate::ModelError;

static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

/// The backend every model and context of this process uses.
///
/// llama.cpp allows one initialization per process; its log lines go to `tracing` (target
/// `llama_cpp_2`), so they stay silent unless a log filter asks for them.
pub fn backend() -> Result<&'static LlamaBackend, ModelError> {
    BACKEND
        .get_or_init(|| {
            send_logs_to_tracing(LogOptions::default());
            LlamaBackend::init().map_err(|error| error.to_string())
        })
        .as_ref()
        .map_err(|message| ModelError::Inference(format!("backend initialization: {message}")))
}
