//! A loaded model with one llama.cpp context and the tokens its KV cache holds.

use std::num::NonZeroU32;
use std::sync::Arc;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use super::backend::backend;
use crate::ModelError;

/// The single sequence every query uses.
const SEQUENCE: i32 = 0;

/// Sizes and threads of a context.
#[derive(Clone, Copy, Debug)]
pub struct ContextShape {
    /// Tokens the context holds (prompt and answer).
    pub context: u32,
    /// Tokens evaluated per batch.
    pub batch: u32,
    /// Threads for prompt evaluation and generation.
    pub threads: i32,
}

/// What evaluating a prompt did.
#[derive(Clone, Copy, Debug)]
pub struct Ingested {
    /// Leading prompt tokens whose state was already in the KV cache.
    pub reused: usize,
    /// Index of the prompt's last token in the last batch: its logits choose the first token.
    pub logits_index: i32,
}

/// A context over a shared model, with the token history of its KV cache.
///
/// The history lets a query reuse the state of the longest prefix it shares with the previous one
/// (a fixed few-shot header, the same failing function asked again): only the rest is evaluated.
pub struct ModelSession {
    // Declared before `model`: the context borrows the model and is dropped first.
    context: LlamaContext<'static>,
    model: Arc<LlamaModel>,
    batch: LlamaBatch<'static>,
    cached: Vec<LlamaToken>,
    shape: ContextShape,
}

// SAFETY: a llama.cpp context is not thread-affine: it may be used from any thread, one at a
// time, which `&mut self` on every evaluating method guarantees. Its model is shared through an
// `Arc` and is itself `Send + Sync`; the batch is plain memory owned by the session.
unsafe impl Send for ModelSession {}

impl ModelSession {
    /// Creates a context for `model`.
    ///
    /// # Errors
    /// [`ModelError::Inference`] when llama.cpp cannot create the context (out of memory).
    pub fn new(model: Arc<LlamaModel>, shape: ContextShape) -> Result<Self, ModelError> {
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(shape.context))
            .with_n_batch(shape.batch)
            .with_n_ubatch(shape.batch)
            .with_n_threads(shape.threads)
            .with_n_threads_batch(shape.threads)
            // Gemma 3 keeps only a 512-token window of most layers' KV cache unless asked for all
            // of it, and rewinding to a shared prefix needs all of it.
            .with_swa_full(true);
        // SAFETY: the reference points into the `Arc`'s allocation, which does not move and lives
        // while `self.model` holds a clone; `context` (the only borrower) is declared first and so
        // dropped before `model`, and neither field is handed out with the `'static` lifetime.
        let model_ref: &'static LlamaModel = unsafe { &*Arc::as_ptr(&model) };
        let context = model_ref
            .new_context(backend()?, params)
            .map_err(|error| ModelError::Inference(format!("creating a context: {error}")))?;
        Ok(Self {
            context,
            model,
            batch: LlamaBatch::new(shape.batch as usize, 1),
            cached: Vec::new(),
            shape,
        })
    }

    /// The model.
    pub fn model(&self) -> &LlamaModel {
        &self.model
    }

    /// The context, for sampling from its logits.
    pub fn context(&self) -> &LlamaContext<'static> {
        &self.context
    }

    /// Tokens the context holds.
    pub fn capacity(&self) -> usize {
        self.shape.context as usize
    }

    /// Evaluates `tokens` (a whole prompt), reusing the cached state of their longest common
    /// prefix with the tokens evaluated before when `reuse` is set.
    ///
    /// # Errors
    /// [`ModelError::Inference`] when a batch fails to evaluate.
    pub fn ingest(&mut self, tokens: &[LlamaToken], reuse: bool) -> Result<Ingested, ModelError> {
        if tokens.is_empty() {
            return Err(ModelError::Inference("the prompt is empty".into()));
        }
        let mut reused = if reuse {
            common_prefix(&self.cached, tokens)
        } else {
            0
        };
        // The last prompt token is always evaluated again: its logits choose the first token.
        reused = reused.min(tokens.len() - 1);
        self.forget_after(reused);
        let mut logits_index = 0;
        for chunk in tokens[reused..].chunks(self.shape.batch as usize) {
            self.batch.clear();
            let last = self.cached.len() + chunk.len() - 1;
            for &token in chunk {
                let position = self.cached.len();
                self.add(token, position, position == last)?;
                self.cached.push(token);
            }
            logits_index = self.batch.n_tokens() - 1;
            self.decode()?;
        }
        Ok(Ingested {
            reused,
            logits_index,
        })
    }

    /// Evaluates one generated token after the others; its logits are at index 0.
    ///
    /// # Errors
    /// [`ModelError::Inference`] when the evaluation fails.
    pub fn advance(&mut self, token: LlamaToken) -> Result<(), ModelError> {
        self.batch.clear();
        self.add(token, self.cached.len(), true)?;
        self.cached.push(token);
        self.decode()
    }

    /// Drops the cached state after the first `keep` tokens.
    fn forget_after(&mut self, keep: usize) {
        if keep == self.cached.len() {
            return;
        }
        let removed = u32::try_from(keep)
            .ok()
            .and_then(|keep| {
                self.context
                    .kv_cache_seq_rm(SEQUENCE, Some(keep), None)
                    .ok()
            })
            .is_some();
        if removed {
            self.cached.truncate(keep);
        } else {
            self.context.clear_kv_cache();
            self.cached.clear();
        }
    }

    fn add(&mut self, token: LlamaToken, position: usize, logits: bool) -> Result<(), ModelError> {
        let position = i32::try_from(position)
            .map_err(|_| ModelError::Inference(format!("token position {position}")))?;
        self.batch
            .add(token, position, &[SEQUENCE], logits)
            .map_err(|error| ModelError::Inference(format!("batch: {error}")))
    }

    fn decode(&mut self) -> Result<(), ModelError> {
        self.context.decode(&mut self.batch).map_err(|error| {
            // The cache may hold part of the batch: start from scratch next time.
            self.context.clear_kv_cache();
            self.cached.clear();
            ModelError::Inference(format!("evaluation failed: {error}"))
        })
    }
}

fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_stops_at_the_first_difference() {
        let tokens = |ids: &[i32]| ids.iter().map(|&id| LlamaToken(id)).collect::<Vec<_>>();
        assert_eq!(common_prefix(&tokens(&[1, 2, 3]), &tokens(&[1, 2, 4])), 2);
        assert_eq!(common_prefix(&tokens(&[1, 2]), &tokens(&[1, 2, 3])), 2);
        assert_eq!(common_prefix(&tokens(&[]), &tokens(&[1])), 0);
    }
}
