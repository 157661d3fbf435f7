//! `cargo bench -p tensorlang-model --bench runner`: the llama.cpp runner against llama.cpp's own
//! `llama-bench`, in one run, on the same model and threads.
//!
//! 1. Prompt processing of 512 tokens and generation of 128 tokens (tokens/s, median of 5), ours
//!    through `ModelRunner::generate` (greedy sampling included), theirs from `llama-bench -p 512
//!    -n 128` built from the same llama.cpp source (bench/llama-bench.sh). Target: at least 0.95x.
//! 2. Time to first token of queries that share a ~1700-token few-shot prefix, with and without prefix
//!    reuse (median of 5). Target: at least 5x faster with it.
//!
//! The model is `TENSORLANG_MODEL` or the embedded default.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tensorlang_model::{
    LlamaCppOptions, LlamaCppRunner, ModelRunner, ModelSource, Prompt, Request,
};

const REPETITIONS: usize = 5;
const PROMPT_TOKENS: usize = 512;
const GENERATED_TOKENS: u32 = 128;

fn main() {
    let path = match ModelSource::resolve(None, None) {
        Ok(ModelSource::Gguf(path)) => path,
        Ok(other) => panic!("the benchmark needs a GGUF model, not {other:?}"),
        Err(error) => panic!("{error}"),
    };
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "model {} | {threads} threads | median of {REPETITIONS}",
        path.display()
    );
    let ours = throughput(&path, threads);
    match llama_bench(&path, threads) {
        Ok(theirs) => {
            println!(
                "{:<34} {:>12} {:>12} {:>7}",
                "", "tensorlang", "llama-bench", "ratio"
            );
            report("prompt processing, 512 tok (tok/s)", ours.0, theirs.0, 0.95);
            report("generation, 128 tok (tok/s)", ours.1, theirs.1, 0.95);
        }
        Err(error) => {
            println!("llama-bench unavailable ({error}); ours only:");
            println!(
                "prompt processing {:.1} tok/s, generation {:.1} tok/s",
                ours.0, ours.1
            );
        }
    }
    let (cold, warm, prefix) = prefix_reuse(&path, threads);
    println!(
        "time to first token, {prefix}-token shared prefix: {:.1} ms without reuse, {:.1} ms with reuse: {:.1}x (target 5x: {})",
        cold * 1e3,
        warm * 1e3,
        cold / warm,
        verdict(cold / warm >= 5.0)
    );
}

fn load(path: &Path, threads: usize, prefix_reuse: bool) -> LlamaCppRunner {
    let options = LlamaCppOptions {
        threads: Some(threads),
        prefix_reuse,
        progress: false,
        ..LlamaCppOptions::default()
    };
    LlamaCppRunner::load(path, options).expect("the model loads")
}

/// Our prompt and generation speeds, tokens/s.
fn throughput(path: &Path, threads: usize) -> (f64, f64) {
    let mut runner = load(path, threads, false);
    let mut prompt = Request::new(prompt_of(&runner, PROMPT_TOKENS));
    prompt.max_tokens = 1;
    // The first token comes from the prompt's logits; each of the next 128 costs one evaluation.
    let mut generation = Request::new(Prompt::Completion("The".into()));
    generation.max_tokens = GENERATED_TOKENS + 1;
    generation.ignore_end = true;
    let mut prompt_rates = Vec::new();
    let mut generation_rates = Vec::new();
    for round in 0..=REPETITIONS {
        let pp = runner.generate(&prompt).expect("prompt run").usage;
        let tg = runner.generate(&generation).expect("generation run").usage;
        assert_eq!(tg.generated_tokens, GENERATED_TOKENS as usize + 1);
        // Round 0 warms caches and pages the weights in, as llama-bench's warm-up run does.
        if round > 0 {
            prompt_rates.push(pp.prompt_tokens as f64 / pp.prompt_time.as_secs_f64());
            generation_rates.push(tg.generation_tokens_per_second());
        }
    }
    (median(prompt_rates), median(generation_rates))
}

/// A completion prompt of exactly `tokens` tokens.
fn prompt_of(runner: &LlamaCppRunner, tokens: usize) -> Prompt {
    let mut words = tokens;
    loop {
        let prompt = Prompt::Completion(format!("The{}", " cat".repeat(words)));
        let count = runner.tokenize(&prompt).expect("tokenize").len();
        if count == tokens {
            return prompt;
        }
        words = (words + tokens)
            .checked_sub(count)
            .expect("a prompt of that length");
    }
}

/// llama-bench's prompt and generation speeds, tokens/s (median of its samples).
fn llama_bench(model: &Path, threads: usize) -> Result<(f64, f64), String> {
    let binary = match std::env::var_os("LLAMA_BENCH") {
        Some(path) => PathBuf::from(path),
        None => build_llama_bench()?,
    };
    let output = Command::new(&binary)
        .args(["-m".as_ref(), model.as_os_str()])
        .args(["-t", &threads.to_string(), "-p", &PROMPT_TOKENS.to_string()])
        .args([
            "-n",
            &GENERATED_TOKENS.to_string(),
            "-b",
            "512",
            "-ub",
            "512",
        ])
        .args(["-r", &REPETITIONS.to_string(), "-o", "json"])
        .output()
        .map_err(|error| format!("{}: {error}", binary.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let results: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|error| error.to_string())?;
    let rate = |prompt: u64, generated: u64| {
        results
            .as_array()
            .into_iter()
            .flatten()
            .find(|test| test["n_prompt"] == prompt && test["n_gen"] == generated)
            .and_then(|test| test["samples_ts"].as_array())
            .map(|samples| {
                median(
                    samples
                        .iter()
                        .filter_map(|sample| sample.as_f64())
                        .collect(),
                )
            })
            .ok_or_else(|| format!("no pp{prompt}/tg{generated} result"))
    };
    Ok((
        rate(PROMPT_TOKENS as u64, 0)?,
        rate(0, u64::from(GENERATED_TOKENS))?,
    ))
}

fn build_llama_bench() -> Result<PathBuf, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/llama-bench.sh");
    let output = Command::new(&script)
        .output()
        .map_err(|error| format!("{}: {error}", script.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&output.stdout).trim(),
    ))
}

/// Median time to first token (seconds) without and with prefix reuse, and the prefix length.
fn prefix_reuse(path: &Path, threads: usize) -> (f64, f64, usize) {
    let prefix = few_shot_prefix();
    let query = |index: usize| {
        let mut request = Request::new(Prompt::Completion(format!(
            "{prefix}Function {index}: %r = arith.divsi %a, %b : i32\nStrategy:"
        )));
        request.max_tokens = 1;
        request
    };
    let mut times = [Vec::new(), Vec::new()];
    for (reuse, times) in [false, true].into_iter().zip(&mut times) {
        let mut runner = load(path, threads, reuse);
        runner
            .preload(&Prompt::Completion(prefix.clone()))
            .expect("preload");
        for index in 0..REPETITIONS {
            let usage = runner.generate(&query(index)).expect("query").usage;
            times.push(usage.time_to_first_token);
        }
    }
    let seconds = |times: &[Duration]| median(times.iter().map(Duration::as_secs_f64).collect());
    let runner = load(path, threads, true);
    let length = runner
        .tokenize(&Prompt::Completion(prefix))
        .expect("tokenize")
        .len();
    (seconds(&times[0]), seconds(&times[1]), length)
}

/// A repair-style few-shot header: a fixed instruction and worked examples.
fn few_shot_prefix() -> String {
    let mut text = String::from(
        "You repair MLIR functions. For each failing function, name the repair strategy.\n\n",
    );
    let examples = [
        (
            "memref.load %m[%i] : memref<16xf32> with %i = 16",
            "clamp-index",
        ),
        (
            "%q = arith.divsi %x, %y : i32 with %y = 0",
            "guard-division",
        ),
        (
            "%s = arith.subf %b, %a : f32 where a - b was meant",
            "swap-operands",
        ),
        (
            "scf.for %i = %c0 to %c11 step %c1 over memref<10xi32>",
            "fix-loop-bound",
        ),
        ("%r = math.sqrt %v : f32 with %v = -1.0", "guard-nan"),
    ];
    for round in 0..6 {
        for (index, (bug, strategy)) in examples.iter().enumerate() {
            text.push_str(&format!(
                "Example {}: the function computes {bug}; the check at loc(\"controller.mlir\":{}:7) fails.\nStrategy: {strategy}\n\n",
                round * examples.len() + index,
                10 + index
            ));
        }
    }
    text
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn report(what: &str, ours: f64, theirs: f64, target: f64) {
    let ratio = ours / theirs;
    println!(
        "{what:<34} {ours:>12.1} {theirs:>12.1} {ratio:>6.2}x (target {target}x: {})",
        verdict(ratio >= target)
    );
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}
