//! The command line: `mlir-runner`'s flags (which upstream tests spell with one dash, e.g.
//! `-entry-point-result=void`) plus TensorLang's own.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;
use tensorlang_heal::OutputMode;
use tensorlang_jit::EntryResult;
use tensorlang_model::ModelArgs;
use tensorlang_repair::Sources;
use tensorlang_repair::ranking::Ranking;

/// Runs an MLIR program with the TensorLang JIT: a drop-in for `mlir-runner`, with crash
/// recovery and hot-swappable functions.
#[derive(Parser, Debug)]
#[command(name = "tensorlang-run", version)]
pub struct Cli {
    /// The input file (`-` for stdin).
    #[arg(default_value = "-")]
    pub input: String,

    /// The function to call.
    #[arg(short = 'e', long = "entry-point", default_value = "main")]
    pub entry_point: String,

    /// The entry point's result type: void, i32, i64 or f32.
    #[arg(long = "entry-point-result", default_value = "f32", value_parser = parse_result)]
    pub entry_point_result: EntryResult,

    /// Shared libraries JIT code may call (comma-separated; repeatable).
    #[arg(long = "shared-libs", value_delimiter = ',')]
    pub shared_libs: Vec<PathBuf>,

    /// LLVM optimization level (-O0 .. -O3); without it, no IR optimization, like mlir-runner.
    #[arg(short = 'O', value_parser = clap::value_parser!(u8).range(0..=3))]
    pub opt_level: Option<u8>,

    /// Writes the compiled object file (to <input>.o, or -object-filename).
    #[arg(long = "dump-object-file")]
    pub dump_object_file: bool,

    /// Where -dump-object-file writes.
    #[arg(long = "object-filename")]
    pub object_filename: Option<PathBuf>,

    /// Requires the input to be one top-level module op.
    #[arg(long = "no-implicit-module")]
    pub no_implicit_module: bool,

    /// Ends a call into JIT code that runs longer than this (e.g. 500ms, 2s, 1.5): a timeout
    /// failure instead of a hang.
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Writes every failure as JSON to this file, with what it takes to reproduce them (the
    /// program, its flags, its check table, and the failing call's arguments and the buffers
    /// they reach as the call began): a bundle for --replay.
    #[arg(long = "failure-report")]
    pub failure_report: Option<PathBuf>,

    /// Leaves the failing call's arguments out of --failure-report: calls are then not routed
    /// through the recorder, which saves the buffers of every call (the repair sandbox, which
    /// needs only the failures, runs candidates so).
    #[arg(long = "no-record-arguments", hide = true)]
    pub no_record_arguments: bool,

    /// Runs the program of a failure bundle (--failure-report) again in a fresh process, as it
    /// was run, and says whether it failed the same way (the input file is not read).
    #[arg(long, value_name = "BUNDLE")]
    pub replay: Option<PathBuf>,

    /// The name the input goes by in diagnostics (--replay runs a bundled program from stdin
    /// under its own name).
    #[arg(long = "input-name", hide = true)]
    pub input_name: Option<String>,

    /// Makes these functions replaceable (called through hot-swap slots) besides TensorLang
    /// functions and those marked `tensorlang.replaceable`.
    #[arg(long, value_delimiter = ',')]
    pub replaceable: Vec<String>,

    /// Runs FUNCTION contained, as repair candidates run: every load and store it makes is
    /// checked against the buffers its call was handed, names or allocates (writes only where
    /// the function as --contain-reference has it writes), and what it allocates reads as zero.
    #[arg(long, value_name = "FUNCTION")]
    pub contain: Option<String>,

    /// The program whose FUNCTION says what --contain allows (default: the input itself; the
    /// repair sandbox passes the program as the user wrote it, since the input holds a
    /// candidate).
    #[arg(long = "contain-reference", value_name = "FILE", requires = "contain")]
    pub contain_reference: Option<PathBuf>,

    /// Afterwards calls these void functions too, in order, each under the guard, whether or
    /// not an earlier call failed (comma-separated; repeatable).
    #[arg(long, value_delimiter = ',')]
    pub then: Vec<String>,

    /// While the program runs, replaces FUNCTION with its definition in FILE (a whole module),
    /// after --swap-after (repeatable; applied in order).
    #[arg(long, value_name = "FUNCTION=FILE", value_parser = parse_swap)]
    pub swap: Vec<(String, PathBuf)>,

    /// How long after the entry point starts the --swap replacements happen.
    #[arg(long = "swap-after", value_parser = parse_duration, default_value = "10ms")]
    pub swap_after: Duration,

    /// Where compiled code is cached (default: $NEUROJIT_CACHE_DIR, else ~/.neurojit).
    #[arg(long = "cache-dir")]
    pub cache_dir: Option<PathBuf>,

    /// Keeps compiled code in memory only (no cache directory).
    #[arg(long = "no-cache")]
    pub no_cache: bool,

    /// Repairs failed calls while the program runs: the call's buffers are restored, a verified
    /// fix is swapped in and the call runs again. On by default for TensorLang input; with plain
    /// upstream MLIR every function but the entry point becomes replaceable.
    #[arg(long = "self-heal", overrides_with = "no_self_heal")]
    pub self_heal: bool,

    /// Turns self-healing off (failures end the call, as with mlir-runner).
    #[arg(long = "no-self-heal")]
    pub no_self_heal: bool,

    /// Repairs per failing call before its failure is passed on.
    #[arg(long = "heal-attempts", default_value_t = 3)]
    pub heal_attempts: usize,

    /// Where repairs come from, cheapest first: any of cache, symbolic, model.
    #[arg(long = "heal-sources", default_value = "cache,symbolic,model", value_parser = parse_sources)]
    pub heal_sources: Sources,

    /// Candidates tried per repair, over all sources.
    #[arg(long = "heal-max-candidates", default_value_t = 64)]
    pub heal_max_candidates: usize,

    /// Functions the model may write per repair, each told why the last was rejected.
    #[arg(long = "heal-model-rounds", default_value_t = 3)]
    pub heal_model_rounds: usize,

    /// The strategy cache (default: $NEUROJIT_CACHE_DIR/cache.json, else ~/.neurojit/cache.json;
    /// `none` for no cache, and no compiled code stored in the object cache either).
    #[arg(long = "heal-cache")]
    pub heal_cache: Option<PathBuf>,

    /// How long one trial run of a candidate (the failed call and the rest of the program) may
    /// take.
    #[arg(long = "heal-trial-limit", value_parser = parse_duration, default_value = "10s")]
    pub heal_trial_limit: Duration,

    /// Turns away a candidate that runs the replaced function's calls more than this many times
    /// slower than the program ran them (timed on the same calls, in its trial; 0: no limit).
    #[arg(long = "heal-max-slowdown", default_value_t = tensorlang_heal::trial::pace::DEFAULT_MAX_SLOWDOWN, value_parser = parse_factor)]
    pub heal_max_slowdown: f64,

    /// Asks the model first which symbolic candidate to try; by default the model is asked only
    /// when the cache and the symbolic strategies found nothing.
    #[arg(long = "heal-model-first")]
    pub heal_model_first: bool,

    /// The order of the symbolic candidates: `fixed` (built in) or `learned` (the built-in order,
    /// with what fixed this kind of failure before, per `repairs.jsonl` beside the cache, first).
    #[arg(long = "heal-ranking", value_parser = Ranking::parse, default_value = "fixed")]
    pub heal_ranking: Ranking,

    /// When the program's output is shown while self-healing: `auto` (as it comes on a
    /// terminal, else held back until the entry point returns, so that a repaired entry point's
    /// output is exactly the fixed program's), `live` or `held`.
    #[arg(long = "heal-output", value_enum, default_value_t = OutputMode::Auto)]
    pub heal_output: OutputMode,

    /// Writes every self-healing attempt (failure, repair, time to resume) as JSON to this file.
    #[arg(long = "heal-report")]
    pub heal_report: Option<PathBuf>,

    /// Looks for faster code for the program's hot contractions while it runs (functions that
    /// are one static `linalg.matmul`): calls are profiled, and for each function that holds a
    /// large share of the run time, variants from transform-dialect scripts are checked against
    /// the original (on synthetic inputs and on a recorded call) and timed; the first that is
    /// faster by a margin is swapped in.
    #[arg(long = "optimize")]
    pub optimize: bool,

    /// With `--optimize`: search every candidate before the entry point runs, hot or not, which
    /// waits for it (deterministic runs, for tests and benchmarks).
    #[arg(long = "optimize-first")]
    pub optimize_first: bool,

    /// With `--optimize`: at exit, let a search under way end instead of stopping it (which
    /// waits; for deterministic tests).
    #[arg(long = "optimize-drain")]
    pub optimize_drain: bool,

    /// Writes what `--optimize` did, per function, as JSON.
    #[arg(long = "optimize-report", value_name = "FILE")]
    pub optimize_report: Option<PathBuf>,

    /// The model that repairs (with the `model` source).
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The long flags that `mlir-runner` users write with a single dash.
const LONG_FLAGS: &[&str] = &[
    "entry-point",
    "entry-point-result",
    "shared-libs",
    "dump-object-file",
    "object-filename",
    "no-implicit-module",
    "timeout",
    "failure-report",
    "replay",
    "input-name",
    "replaceable",
    "cache-dir",
    "then",
    "swap",
    "swap-after",
    "no-cache",
    "self-heal",
    "no-self-heal",
    "heal-attempts",
    "heal-sources",
    "heal-max-candidates",
    "heal-model-rounds",
    "heal-cache",
    "heal-trial-limit",
    "heal-max-slowdown",
    "heal-output",
    "heal-model-first",
    "heal-ranking",
    "heal-report",
    "optimize",
    "optimize-report",
    "optimize-first",
    "optimize-drain",
];

/// Rewrites `-flag[=value]` to `--flag[=value]` for the flags above, as LLVM's command line
/// accepts both.
pub fn normalize(args: impl IntoIterator<Item = String>) -> Vec<String> {
    args.into_iter()
        .map(|arg| {
            let Some(rest) = arg.strip_prefix('-') else {
                return arg;
            };
            let name = rest.split('=').next().unwrap_or("");
            if !rest.starts_with('-') && LONG_FLAGS.contains(&name) {
                format!("-{arg}")
            } else {
                arg
            }
        })
        .collect()
}

fn parse_result(text: &str) -> Result<EntryResult, String> {
    EntryResult::ALL
        .into_iter()
        .find(|result| result.name() == text)
        .ok_or_else(|| format!("'{text}' is not one of void, i32, i64, f32"))
}

fn parse_sources(text: &str) -> Result<Sources, String> {
    Sources::parse(text)
}

fn parse_swap(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((function, file)) if !function.is_empty() && !file.is_empty() => {
            Ok((function.to_string(), PathBuf::from(file)))
        }
        _ => Err(format!("'{text}' is not FUNCTION=FILE")),
    }
}

fn parse_factor(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(factor) if factor == 0.0 || (factor >= 1.0 && factor.is_finite()) => Ok(factor),
        _ => Err(format!(
            "'{text}' is not a factor of at least 1 (or 0 for no limit)"
        )),
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    match number.parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(Duration::from_secs_f64(value * scale)),
        _ => Err(format!(
            "'{text}' is not a positive duration (e.g. 500ms, 2s)"
        )),
    }
}

/// `printf("%e")`, which is how `mlir-runner` prints an f32 result.
pub fn format_exponent(value: f32) -> String {
    if !value.is_finite() {
        return format!("{value}").to_lowercase();
    }
    let text = format!("{:.6e}", value as f64);
    let (mantissa, exponent) = text.split_once('e').expect("{:e} has an exponent");
    let exponent: i32 = exponent.parse().expect("a decimal exponent");
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        let args = normalize(args.iter().map(|s| s.to_string()));
        Cli::try_parse_from(args).unwrap()
    }

    #[test]
    fn single_dash_long_flags_work_like_mlir_runners() {
        let cli = parse(&[
            "tensorlang-run",
            "in.mlir",
            "-e",
            "entry",
            "-entry-point-result=void",
            "-shared-libs=a.so,b.so",
            "--shared-libs=c.so",
            "-O3",
        ]);
        assert_eq!(cli.entry_point, "entry");
        assert_eq!(cli.entry_point_result, EntryResult::Void);
        assert_eq!(cli.shared_libs.len(), 3);
        assert_eq!(cli.opt_level, Some(3));
        assert_eq!(
            parse(&["tensorlang-run"]).entry_point_result,
            EntryResult::F32
        );
    }

    #[test]
    fn bad_values_are_rejected() {
        let args = normalize(["tensorlang-run", "-entry-point-result=f64"].map(String::from));
        assert!(Cli::try_parse_from(args).is_err());
        assert!(parse_duration("0").is_err());
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_factor("50"), Ok(50.0));
        assert_eq!(parse_factor("0"), Ok(0.0));
        assert!(parse_factor("0.5").is_err());
    }

    #[test]
    fn floats_print_like_printf() {
        assert_eq!(format_exponent(8.0), "8.000000e+00");
        assert_eq!(format_exponent(1234.0), "1.234000e+03");
        assert_eq!(format_exponent(-0.00125), "-1.250000e-03");
    }
}
