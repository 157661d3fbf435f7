//! `--neuro-repair`: repairs the functions a failure report names, in place, with verified fixes.
//!
//! The report is what `tensorlang-run --failure-report=FILE` writes. For each failure the
//! [`RepairEngine`] looks for a fix (the strategy cache, symbolic strategies, the model when one
//! is configured: `model=`, `model-script=`, or `TENSORLANG_MODEL`/`TENSORLANG_MODEL_URL`), verifies it
//! (admission, then the whole program run in a sandboxed `tensorlang-run`), and the pass replaces
//! the function and prints a remark: what failed, which source and strategy fixed it, how it was
//! verified. Asserts that fail whatever the input (their condition folds to `false` once callees
//! are inlined) are repaired too, with or without a report. When no candidate survives, the module is left unchanged and a warning says why.
//!
//! ```mlir
//! // tensorlang-run sum.mlir --failure-report=f.json   (index 4 out of bounds in @sum4)
//! // tensorlang-opt sum.mlir --neuro-repair="report=f.json"
//! // before:
//! %c5 = arith.constant 5 : index
//! scf.for %i = %c0 to %c5 step %c1 { ... memref.load %buf[%i] : memref<4xi32> ... }
//! // after (remark: repaired 'sum4' ... symbolic strategy change-constant: use 4 instead of 5):
//! %c5 = arith.constant 4 : index
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use melior::ir::operation::OperationLike;
use melior::ir::{Location, Module, OperationRef};
use melior::{Context, IrRewriter};
use tensorlang::{PassDefinition, PassFailure, PassInvocation, PassOption};

use super::cache::StrategyCache;
use super::engine::{EngineOptions, Repair, RepairEngine, RepairRequest, Sources, scratch_dir};
use super::journal::Journal;
use super::model_source::ModelSource;
use super::module_text::print;
use super::ranking::Ranking;
use super::sandbox::Sandbox;
use super::static_failures::statically_failing;
use tensorlang::ir::{find_symbol, top_level_ops};
use tensorlang_checks::failure::{BundleError, Failure, FailureReport, Reproduction};
use tensorlang_model::ModelArgs;

/// The pass definition, registered as `neuro-repair`.
pub static PASS: PassDefinition = PassDefinition {
    argument: c"neuro-repair",
    name: c"NeuroRepair",
    summary: c"Replace the functions a failure report names with verified repairs (strategy cache, symbolic strategies, model)",
    anchor: Some(c"builtin.module"),
    options: &[
        PassOption {
            name: c"report",
            description: c"The failure report written by tensorlang-run --failure-report (without one, only asserts that always fail are repaired)",
            default: c"",
        },
        PassOption {
            name: c"entry",
            description: c"The entry point of programs checked for asserts that always fail (the report names its own)",
            default: c"main",
        },
        PassOption {
            name: c"cache",
            description: c"The strategy cache (default: $NEUROJIT_CACHE_DIR/cache.json, else ~/.neurojit/cache.json; 'none' for no cache)",
            default: c"",
        },
        PassOption {
            name: c"shared-libs",
            description: c"Runtime libraries the program needs to run (comma-separated, as tensorlang-run -shared-libs)",
            default: c"",
        },
        PassOption {
            name: c"timeout-ms",
            description: c"The longest a verification run of the program may take",
            default: c"5000",
        },
        PassOption {
            name: c"max-candidates",
            description: c"Candidates tried per failure before giving up",
            default: c"200",
        },
        PassOption {
            name: c"sources",
            description: c"Where candidates come from, cheapest first: any of cache,symbolic,model",
            default: c"cache,symbolic,model",
        },
        PassOption {
            name: c"model",
            description: c"The model: a GGUF path, an OpenAI-compatible URL, or 'default' (TENSORLANG_MODEL / TENSORLANG_MODEL_URL, else the embedded model); empty: only when those variables are set",
            default: c"",
        },
        PassOption {
            name: c"model-script",
            description: c"Answers of a scripted model (JSON Lines, as tensorlang-model --record writes)",
            default: c"",
        },
        PassOption {
            name: c"model-first",
            description: c"Ask the model first which symbolic candidate to try (true/false); by default it is asked only when the cache and the symbolic strategies found nothing",
            default: c"false",
        },
        PassOption {
            name: c"ranking",
            description: c"The order of the symbolic candidates: fixed (built in) or learned (from repairs.jsonl beside the cache)",
            default: c"fixed",
        },
        PassOption {
            name: c"journal",
            description: c"Journal every candidate's verdict to this file (JSON Lines), flushed before the next one runs",
            default: c"",
        },
        PassOption {
            name: c"resume",
            description: c"With journal: continue an interrupted search, taking the rejections the journal holds instead of running those candidates again (true/false)",
            default: c"false",
        },
        PassOption {
            name: c"diagnose",
            description: c"Diagnose, then write: a short query asks the model which op is wrong and why before it writes a replacement (auto: for a model server or a GGUF file given, not for the embedded model or scripted answers; true; false)",
            default: c"auto",
        },
        PassOption {
            name: c"model-rounds",
            description: c"Replacement functions the model is asked to write per suspect function",
            default: c"3",
        },
    ],
    dependent_dialects: &[],
    run,
};

fn run(
    context: &Context,
    root: OperationRef,
    invocation: &PassInvocation,
) -> Result<(), PassFailure> {
    let fail = |message: String| {
        tensorlang::emit_error(root.location(), &format!("neuro-repair: {message}"));
        PassFailure
    };
    let mut settings = Settings::read(invocation).map_err(&fail)?;
    let (file, failures, reproduction) = failures(context, root, &settings).map_err(&fail)?;
    // A bundle says how the program ran: its verification runs use the same libraries.
    if let Some(reproduction) = reproduction {
        if settings.shared_libs.is_empty() {
            settings.shared_libs = reproduction.shared_libs;
        }
        settings.entry_result = reproduction.entry_result;
    }
    if failures.is_empty() {
        tensorlang::emit_remark(
            root.location(),
            "neuro-repair: nothing to repair (no failure reported, no assert that always fails)",
        );
        return Ok(());
    }
    let mut cache = open_cache(&settings.cache);
    let mut engine = None;
    let mut repaired = Vec::new();
    for failure in &failures {
        if repaired.contains(&failure.function) {
            continue;
        }
        let engine = engine.get_or_insert_with(|| make_engine(&settings, failure, &mut cache));
        let source = print(&root, true);
        if !repaired.is_empty() && engine.program_passes(&source).unwrap_or(false) {
            break;
        }
        let request = RepairRequest {
            source: &source,
            file: &file,
            entry: &failure.entry,
            callers: true,
            failure,
        };
        let location = parse_location(context, &failure.location).unwrap_or(root.location());
        let outcome = engine.repair(context, &request);
        engine.record_pending();
        match outcome {
            Ok(repair) => {
                replace_function(context, root, &repair.function, &repair.program)
                    .map_err(&fail)?;
                tensorlang::emit_remark(location, &repaired_remark(failure, &repair));
                if let Some(proof) = &repair.proof {
                    tensorlang::emit_remark(
                        location,
                        &format!("neuro-repair: '{}' {proof}", repair.function),
                    );
                }
                repaired.push(repair.function);
            }
            Err(error) => tensorlang::emit_warning(
                location,
                &format!(
                    "neuro-repair: no verified repair for '{}' ({}: {}); the module is unchanged: {error}",
                    failure.function, failure.kind, failure.message
                ),
            ),
        }
    }
    Ok(())
}

/// The engine for this run: verifying in a sandbox that runs `failure`'s entry point, with the
/// cache (taken once) and, when asked, the model (opened only when the cheaper sources found
/// nothing).
fn make_engine(
    settings: &Settings,
    failure: &Failure,
    cache: &mut CacheOption,
) -> RepairEngine<Sandbox> {
    let sandbox = Sandbox::new(
        &failure.entry,
        &settings.shared_libs,
        settings.timeout,
        &scratch_dir(),
    )
    .with_entry_result(&settings.entry_result);
    let mut engine = RepairEngine::new(sandbox, cache.take_once(), None, settings.options);
    if !settings.journal.is_empty() {
        match Journal::open(Path::new(&settings.journal), settings.resume) {
            Ok(journal) => engine.journal_into(journal),
            Err(error) => tracing::warn!("cannot open the journal {}: {error}", settings.journal),
        }
    }
    if settings.options.sources.model {
        let (model, script) = (settings.model.clone(), settings.model_script.clone());
        let diagnose = match settings.diagnose.as_str() {
            "true" => true,
            "false" => false,
            // A model of the user's own: a server, or a GGUF file given by path.
            _ => script.is_empty() && !model.is_empty() && model != "default",
        };
        // With a journal, the model's answers go beside it, for an exact replay
        // (`model-script=JOURNAL.model.jsonl`).
        let answers = (!settings.journal.is_empty())
            .then(|| PathBuf::from(format!("{}.model.jsonl", settings.journal)));
        engine.open_model_with(move || {
            let mut source = open_model(&model, &script)?.with_diagnosis(diagnose);
            if let Some(path) = answers
                && let Err(error) = source.journal_answers_to(&path)
            {
                tracing::warn!(
                    "cannot journal the model's answers to {}: {error}",
                    path.display()
                );
            }
            Some(source)
        });
    }
    engine
}

/// `neuro-repair: repaired 'f' (kind: message): source strategy s: change; verified: how (n ms)`.
fn repaired_remark(failure: &Failure, repair: &Repair) -> String {
    format!(
        "neuro-repair: repaired '{}' ({}: {}): {} strategy {}: {}; verified: {} ({:.0} ms)",
        repair.function,
        failure.kind,
        failure.message,
        repair.source,
        repair.strategy,
        repair.change,
        repair.verification,
        repair.elapsed.as_secs_f64() * 1e3
    )
}

/// The pass's options, read and checked.
struct Settings {
    report: String,
    entry: String,
    cache: String,
    model: String,
    model_script: String,
    diagnose: String,
    journal: String,
    resume: bool,
    shared_libs: Vec<String>,
    timeout: Duration,
    options: EngineOptions,
    /// The entry point's result type (a bundle's; `void` otherwise).
    entry_result: String,
}

impl Settings {
    fn read(invocation: &PassInvocation) -> Result<Self, String> {
        let text = |name: &str| invocation.option(name).unwrap_or("").to_owned();
        let flag = |name: &str| -> Result<bool, String> {
            match text(name).as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" | "" => Ok(false),
                other => Err(format!(
                    "option '{name}' expects true or false, got '{other}'"
                )),
            }
        };
        let number = |name: &str| -> Result<u64, String> {
            text(name)
                .parse()
                .map_err(|_| format!("option '{name}' expects a number, got '{}'", text(name)))
        };
        Ok(Self {
            report: text("report"),
            entry: text("entry"),
            cache: text("cache"),
            model: text("model"),
            model_script: text("model-script"),
            diagnose: match text("diagnose").as_str() {
                "" | "auto" => "auto".to_owned(),
                "true" | "1" => "true".to_owned(),
                "false" | "0" => "false".to_owned(),
                other => {
                    return Err(format!(
                        "option 'diagnose' expects auto, true or false, got '{other}'"
                    ));
                }
            },
            journal: text("journal"),
            resume: flag("resume")?,
            shared_libs: text("shared-libs")
                .split(',')
                .filter(|library| !library.is_empty())
                .map(str::to_owned)
                .collect(),
            timeout: Duration::from_millis(number("timeout-ms")?),
            entry_result: "void".into(),
            options: EngineOptions {
                sources: Sources::parse(&text("sources"))?,
                max_candidates: number("max-candidates")? as usize,
                model_rounds: number("model-rounds")? as usize,
                ranking: Ranking::parse(&text("ranking"))?,
                model_first: flag("model-first")?,
                prove: true,
            },
        })
    }
}

/// The failures to repair: the report's, then the asserts that always fail and it does not name.
fn failures(
    context: &melior::Context,
    root: OperationRef,
    settings: &Settings,
) -> Result<(String, Vec<Failure>, Option<Reproduction>), String> {
    let source = print(&root, true);
    let (file, mut failures, reproduction) = if settings.report.is_empty() {
        (String::from("input.mlir"), Vec::new(), None)
    } else {
        let (report, reproduction) = read_report(Path::new(&settings.report))?;
        (report.file, report.failures, reproduction)
    };
    for failure in statically_failing(context, &source, &file, &settings.entry) {
        if !failures
            .iter()
            .any(|known| known.location == failure.location)
        {
            failures.push(failure);
        }
    }
    Ok((file, failures, reproduction))
}

/// A failure report, and what it takes to run the program again when it is a bundle. A bundle
/// that does not read is an error located in it; a plain report (written before bundles) reads
/// as before.
fn read_report(path: &Path) -> Result<(FailureReport, Option<Reproduction>), String> {
    match FailureReport::read_bundle(path) {
        Ok((report, reproduction)) => Ok((report, Some(reproduction))),
        Err(BundleError::Unusable { .. }) => {
            let report = FailureReport::read(path).map_err(|error| {
                format!("cannot read the failure report {}: {error}", path.display())
            })?;
            if !report.format.is_empty() {
                // A bundle of another format or version: say why, located.
                return Err(FailureReport::read_bundle(path)
                    .err()
                    .map_or_else(String::new, |e| e.to_string()));
            }
            Ok((report, None))
        }
        Err(error) => Err(error.to_string()),
    }
}

/// The cache option: a path, `none`, or empty for the default; handed to the engine once.
struct CacheOption(Option<StrategyCache>);

impl CacheOption {
    fn take_once(&mut self) -> Option<StrategyCache> {
        self.0.take()
    }
}

fn open_cache(option: &str) -> CacheOption {
    let path = match option {
        "none" => return CacheOption(None),
        "" => StrategyCache::default_path(),
        path => PathBuf::from(path),
    };
    match StrategyCache::open(&path) {
        Ok(cache) => CacheOption(Some(cache)),
        Err(error) => {
            tracing::warn!("{error}; repairing without the cache");
            CacheOption(None)
        }
    }
}

/// The model the options name, if any; one that cannot be opened is a warning, and the repair
/// goes on with the other sources.
fn open_model(model: &str, script: &str) -> Option<ModelSource> {
    let is_url = model.starts_with("http://") || model.starts_with("https://");
    let args = ModelArgs {
        model_script: (!script.is_empty()).then(|| PathBuf::from(script)),
        model_url: is_url.then(|| model.to_owned()),
        model: (!model.is_empty() && model != "default" && !is_url).then(|| PathBuf::from(model)),
        ..ModelArgs::default()
    };
    let configured = !script.is_empty()
        || !model.is_empty()
        || ["TENSORLANG_MODEL", "TENSORLANG_MODEL_URL"]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
    if !configured {
        return None;
    }
    match args.open(false) {
        Ok(runner) => Some(ModelSource::new(runner)),
        Err(error) => {
            tracing::warn!("repairing without a model: {error}");
            None
        }
    }
}

/// `file:line:col` as a location.
fn parse_location<'c>(context: &'c melior::Context, text: &str) -> Option<Location<'c>> {
    let mut parts = text.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    Some(Location::new(context, file, line, column))
}

/// Replaces the function `name` of `root` with the one defined in `program` (the whole program
/// with the repair in place: the function may name the program's globals and functions).
fn replace_function(
    context: &melior::Context,
    root: OperationRef,
    name: &str,
    program: &str,
) -> Result<(), String> {
    let parsed: Module = tensorlang::parse_module(context, program, "repair.mlir")
        .map_err(|error| format!("the verified repair no longer parses: {error}"))?;
    let new = find_symbol(top_level_ops(parsed.as_operation()), name)
        .ok_or("the verified repair lost its function")?;
    let old = find_symbol(top_level_ops(root), name)
        .ok_or_else(|| format!("no function @{name} in the module"))?;
    let rewriter = IrRewriter::new(context);
    let rewriter = rewriter.as_rewriter_base();
    rewriter.set_insertion_point_before(old);
    rewriter.clone_op(new);
    rewriter.erase_op(old);
    Ok(())
}
