//! Chooses each next token: sampling settings, an optional grammar, and end-of-answer detection.

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;

use crate::{AnswerFormat, ModelError, SamplingSettings};

/// What the picker chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The next token.
    Token(LlamaToken),
    /// The grammar is complete and the model wants to stop or to go beyond it.
    GrammarComplete,
}

/// Token choice for one answer.
///
/// The samplers used (greedy, top-k, top-p, temperature, seeded draw) keep no state between
/// tokens, so a token chosen again after a grammar rejection needs no second `accept`.
///
/// With a grammar, the token is sampled first and only that token is checked against the grammar;
/// the whole vocabulary is filtered only when the check fails (llama.cpp's own strategy): filtering
/// all 262k tokens of Gemma's vocabulary every step would cost most of the generation speed.
pub struct TokenPicker {
    sampler: LlamaSampler,
    grammar: Option<LlamaSampler>,
    /// End-of-generation tokens, masked when the caller asked to ignore them.
    masked: Vec<LlamaToken>,
    eos: LlamaToken,
    vocabulary: i32,
    /// Allowed tokens the sampler needs to choose exactly as over the whole vocabulary: 1 for
    /// greedy, k for top-k; `None` when it needs all of them.
    needed: Option<usize>,
}

impl TokenPicker {
    /// A picker for one answer of `model`.
    ///
    /// # Errors
    /// [`ModelError::Grammar`] when the grammar or JSON schema is invalid.
    pub fn new(
        model: &LlamaModel,
        sampling: &SamplingSettings,
        format: &AnswerFormat,
        ignore_end: bool,
    ) -> Result<Self, ModelError> {
        let grammar = match format {
            AnswerFormat::Free => None,
            AnswerFormat::Grammar(grammar) => Some(grammar_sampler(model, grammar)?),
            AnswerFormat::JsonSchema(schema) => {
                let grammar = llama_cpp_2::json_schema_to_grammar(&schema.to_string())
                    .map_err(|error| ModelError::Grammar(format!("JSON schema: {error}")))?;
                Some(grammar_sampler(model, &grammar)?)
            }
        };
        let vocab = model.vocab();
        let masked = if ignore_end {
            vocab
                .tokens()
                .filter(|&token| vocab.is_eog(token))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            sampler: sampler_chain(sampling),
            needed: match (sampling.temperature <= 0.0, sampling.top_k) {
                (true, _) => Some(1),
                (false, 0) => None,
                (false, k) => Some(k as usize),
            },
            grammar,
            masked,
            eos: vocab.eos(),
            vocabulary: model.n_vocab(),
        })
    }

    /// Chooses the next token from the logits at `index` of the last evaluation.
    ///
    /// # Errors
    /// [`ModelError::Inference`] when the grammar allows no token at all.
    pub fn pick(&mut self, context: &LlamaContext<'_>, index: i32) -> Result<Pick, ModelError> {
        let mut token = if self.masked.is_empty() {
            // Samples and accepts in one call, without copying the logits out.
            self.sampler.sample(context, index)
        } else {
            let mut candidates = logits(&self.masked, context, index);
            self.sampler.apply(&mut candidates);
            let token = selected(&candidates)?;
            self.sampler.accept(token);
            token
        };
        if let Some(grammar) = &mut self.grammar {
            if !allows(grammar, token) {
                if allows(grammar, self.eos) {
                    return Ok(Pick::GrammarComplete);
                }
                let candidates = logits(&self.masked, context, index);
                token = constrained(candidates, grammar, &mut self.sampler, self.needed)?;
            }
            grammar
                .try_accept(token)
                .map_err(|error| ModelError::Inference(format!("grammar: {error}")))?;
        }
        Ok(Pick::Token(token))
    }

    /// Whether the grammar has matched a whole answer that no token can extend. Checking the whole
    /// vocabulary is costly, so it happens only once the grammar could end here.
    pub fn grammar_complete(&mut self) -> bool {
        let eos = self.eos;
        let vocabulary = self.vocabulary;
        let Some(grammar) = &mut self.grammar else {
            return false;
        };
        if !allows(grammar, eos) {
            return false;
        }
        let mut candidates = LlamaTokenDataArray::new(
            (0..vocabulary)
                .filter(|&id| id != eos.0)
                .map(|id| LlamaTokenData::new(LlamaToken(id), 0.0, 0.0))
                .collect(),
            false,
        );
        grammar.apply(&mut candidates);
        candidates
            .data
            .iter()
            .all(|candidate| candidate.logit() == f32::NEG_INFINITY)
    }
}

/// The logits at `index` as candidates, with the `masked` tokens made impossible.
fn logits(masked: &[LlamaToken], context: &LlamaContext<'_>, index: i32) -> LlamaTokenDataArray {
    let mut candidates = context.token_data_array_ith(index);
    for token in masked {
        // The array is in token order; the id check keeps this right if that ever changes.
        if let Some(candidate) = candidates.data.get_mut(token.0 as usize)
            && candidate.id() == *token
        {
            candidate.set_logit(f32::NEG_INFINITY);
        }
    }
    candidates
}

/// How many of the most likely tokens are checked against the grammar before all of them: the
/// base model often ranks the tokens a grammar allows outside its top few hundred.
const LIKELY: [usize; 2] = [256, 4096];

/// Chooses a token the grammar allows. The most likely tokens are checked first: when enough of
/// them are allowed, the best allowed tokens overall are among them (every other token is less
/// likely) and the sampler, which keeps only those, chooses as it would over the whole filtered
/// vocabulary. Only otherwise is every token checked.
fn constrained(
    mut candidates: LlamaTokenDataArray,
    grammar: &mut LlamaSampler,
    sampler: &mut LlamaSampler,
    needed: Option<usize>,
) -> Result<LlamaToken, ModelError> {
    let widest = LIKELY[LIKELY.len() - 1];
    if let Some(needed) = needed
        && candidates.data.len() > widest
    {
        let by_likelihood =
            |a: &LlamaTokenData, b: &LlamaTokenData| b.logit().total_cmp(&a.logit());
        // Partition for each tier, widest first and each within the last, so that every tier is
        // the most likely tokens and a prefix of the next.
        let mut end = candidates.data.len();
        for &tier in LIKELY.iter().rev() {
            candidates.data[..end].select_nth_unstable_by(tier - 1, by_likelihood);
            end = tier;
        }
        for tier in LIKELY {
            let mut likely = LlamaTokenDataArray::new(candidates.data[..tier].to_vec(), false);
            grammar.apply(&mut likely);
            let allowed = likely
                .data
                .iter()
                .filter(|candidate| candidate.logit() != f32::NEG_INFINITY)
                .count();
            if allowed >= needed {
                sampler.apply(&mut likely);
                return selected(&likely);
            }
        }
    }
    grammar.apply(&mut candidates);
    sampler.apply(&mut candidates);
    selected(&candidates)
}

/// The sampler for `settings`: greedy at temperature 0, else top-k, top-p, temperature and a
/// seeded draw.
fn sampler_chain(settings: &SamplingSettings) -> LlamaSampler {
    if settings.temperature <= 0.0 {
        return LlamaSampler::greedy();
    }
    let mut stages = Vec::new();
    if settings.top_k > 0 {
        stages.push(LlamaSampler::top_k(
            i32::try_from(settings.top_k).unwrap_or(i32::MAX),
        ));
    }
    if settings.top_p < 1.0 {
        stages.push(LlamaSampler::top_p(settings.top_p, 1));
    }
    stages.push(LlamaSampler::temp(settings.temperature));
    stages.push(LlamaSampler::dist(settings.seed));
    LlamaSampler::chain_simple(stages)
}

fn grammar_sampler(model: &LlamaModel, grammar: &str) -> Result<LlamaSampler, ModelError> {
    if let Some(rule) = underscore_rule(grammar) {
        return Err(ModelError::Grammar(format!(
            "rule name `{rule}` contains `_`; GBNF rule names may use letters, digits and `-`"
        )));
    }
    LlamaSampler::grammar(model, grammar, "root").map_err(|error| {
        ModelError::Grammar(format!(
            "llama.cpp rejected the grammar ({error}); it must be GBNF with a `root` rule"
        ))
    })
}

/// The first rule name with an underscore: llama.cpp's parser rejects them with a message that
/// does not say so.
fn underscore_rule(grammar: &str) -> Option<&str> {
    grammar.lines().find_map(|line| {
        let (name, _) = line.split_once("::=")?;
        let name = name.trim();
        name.contains('_').then_some(name)
    })
}

/// Whether the grammar, in its current state, allows `token` next.
fn allows(grammar: &mut LlamaSampler, token: LlamaToken) -> bool {
    let mut single = LlamaTokenDataArray::new(vec![LlamaTokenData::new(token, 0.0, 0.0)], false);
    grammar.apply(&mut single);
    single.data[0].logit() != f32::NEG_INFINITY
}

fn selected(candidates: &LlamaTokenDataArray) -> Result<LlamaToken, ModelError> {
    let chosen = candidates
        .selected
        .and_then(|index| candidates.data.get(index))
        .ok_or_else(|| ModelError::Inference("the sampler chose no token".into()))?;
    if chosen.logit() == f32::NEG_INFINITY {
        return Err(ModelError::Inference(
            "the grammar allows no token here".into(),
        ));
    }
    Ok(chosen.id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underscores_in_rule_names_are_found() {
        assert_eq!(
            underscore_rule("root ::= my_rule\nmy_rule ::= \"a\""),
            Some("my_rule")
        );
        assert_eq!(underscore_rule("root ::= rule-a\nrule-a ::= \"a_b\""), None);
    }

    /// Checking the likely tokens first chooses what filtering the whole vocabulary chooses.
    #[test]
    fn likely_tokens_first_chooses_as_the_full_filter() {
        let path = crate::default_model_path();
        if !path.is_file() {
            eprintln!(
                "SKIPPED: the embedded model is not installed at {}",
                path.display()
            );
            return;
        }
        let params = llama_cpp_2::model::params::LlamaModelParams::default();
        let model =
            LlamaModel::load_from_file(crate::llama::backend::backend().unwrap(), &path, &params)
                .unwrap();
        let model = std::sync::Arc::new(model);
        let shape = crate::llama::session::ContextShape {
            context: 512,
            batch: 512,
            threads: 2,
        };
        let mut session = crate::llama::session::ModelSession::new(model.clone(), shape).unwrap();
        let prompt = model.vocab().tokenize(
            b"Pick a repair strategy for a division by zero. JSON: ",
            true,
            true,
        );
        let grammar =
            "root ::= \"{\\\"strategy\\\": \\\"\" (\"clamp-index\" | \"guard-division\") \"\\\"}\"";
        let mut fast = grammar_sampler(&model, grammar).unwrap();
        let mut full = grammar_sampler(&model, grammar).unwrap();
        let mut greedy = LlamaSampler::greedy();
        let mut index = session.ingest(&prompt, false).unwrap().logits_index;
        let mut text = Vec::new();
        for _ in 0..12 {
            let logits = || logits(&[], session.context(), index);
            let chosen = constrained(logits(), &mut fast, &mut greedy, Some(1)).unwrap();
            assert_eq!(
                chosen,
                constrained(logits(), &mut full, &mut greedy, None).unwrap()
            );
            if model.vocab().is_eog(chosen) {
                break;
            }
            fast.try_accept(chosen).unwrap();
            full.try_accept(chosen).unwrap();
            text.extend(model.vocab().token_to_piece(chosen, false, None));
            session.advance(chosen).unwrap();
            index = 0;
        }
        let text = String::from_utf8(text).unwrap();
        assert!(text.starts_with("{\"strategy\": \""), "{text}");
    }

    #[test]
    fn temperature_zero_is_greedy() {
        let sampler = sampler_chain(&SamplingSettings::default());
        assert_eq!(
            sampler.name().and_then(|name| name.to_str().ok()),
            Some("greedy")
        );
    }
}
