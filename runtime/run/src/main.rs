//! `tensorlang-run`: runs an MLIR program (TensorLang, upstream dialects or the LLVM dialect)
//! with the TensorLang JIT. See `cli.rs` for the flags.

mod cli;
mod replay;

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use cli::Cli;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use tensorlang_checks::contain::Containment;
use tensorlang_heal::{self as heal, SelfHeal};
use tensorlang_jit::{
    EntryResult, EntryValue, FailureReport, Jit, JitOptions, ObjectCache, Program, ProgramError,
    Trap,
};
use tensorlang_optimize::{Optimizer, Schedule};
use tensorlang_repair::{EngineOptions, StrategyCache};

fn main() -> ExitCode {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            // llama.cpp's loader warns about the embedded model's tokens on every load.
            tracing_subscriber::EnvFilter::try_from_env("TENSORLANG_LOG")
                .unwrap_or_else(|_| "warn,llama-cpp-2=error".into()),
        )
        .init();
    let cli = Cli::parse_from(cli::normalize(std::env::args()));
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            if let Some(output) = heal::ShownOutput::installed() {
                output.uninstall();
            }
            heal::trial::flush_output();
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn read_input(path: &str) -> Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read stdin")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot open input file '{path}'"))
}

fn cache_directory(cli: &Cli) -> Option<PathBuf> {
    if cli.no_cache {
        return None;
    }
    cli.cache_dir
        .clone()
        .or_else(tensorlang_jit::neurojit_dir)
        .map(|root| root.join("objects"))
}

/// The object cache in [`cache_directory`]: read-only with `--heal-cache=none`, which asks for a
/// run that leaves nothing behind in the caches (the objects of repairs least of all).
fn object_cache(cli: &Cli) -> ObjectCache {
    let cache = ObjectCache::new(cache_directory(cli));
    if strategy_cache(cli).is_none() {
        cache.read_only()
    } else {
        cache
    }
}

/// Whether calls are healed: `--self-heal`, or by default for TensorLang input; never for input
/// already in the LLVM dialect (its calls cannot be routed through the runtime).
fn heal_enabled(program: &Program, cli: &Cli) -> bool {
    !cli.no_self_heal && (cli.self_heal || program.is_tensorlang) && program.was_lowered
}

/// Whether the failing call's arguments are recorded (see [`heal::CallRecorder`]): for a
/// failure report, when calls are not healed (self-healing saves its own checkpoints) nor
/// profiled by --optimize (whose timings the recorder would skew).
fn record_arguments(cli: &Cli) -> bool {
    cli.failure_report.is_some() && !cli.no_record_arguments && !cli.optimize
}

/// The strategy cache `--heal-cache` names (`none`: no cache).
fn strategy_cache(cli: &Cli) -> Option<PathBuf> {
    match &cli.heal_cache {
        Some(path) if path.as_os_str() == "none" => None,
        Some(path) => Some(path.clone()),
        None => Some(StrategyCache::default_path()),
    }
}

/// Checks the entry point the way `mlir-runner` does, with its messages.
fn check_entry(program: &Program, cli: &Cli) -> Result<()> {
    let Some(signature) = program.entry_signature(&cli.entry_point) else {
        bail!("entry point not found");
    };
    if signature.parameter_count != 0 {
        bail!("JIT can't invoke a main function expecting arguments");
    }
    let expected = cli.entry_point_result.name();
    if signature.result != expected {
        if expected == "void" {
            bail!("expected void function");
        }
        bail!("only single {expected} function result supported");
    }
    Ok(())
}

fn run(cli: &Cli) -> Result<ExitCode> {
    if let Some(bundle) = &cli.replay {
        return replay::replay(bundle);
    }
    let source = read_input(&cli.input)?;
    let filename = match (&cli.input_name, cli.input.as_str()) {
        (Some(name), _) => name.as_str(),
        (None, "-") => "<stdin>",
        (None, path) => path,
    };
    let context = tensorlang_jit::create_context()?;
    let containment = containment(&context, cli, &source, filename)?;
    let (program, optimized_source) =
        load_program(&context, &source, filename, cli, containment.as_ref())?;
    check_entry(&program, cli)?;
    let self_heal = heal_enabled(&program, cli);
    let recording = !self_heal && program.was_lowered && record_arguments(cli);
    let handler = if self_heal {
        Some(heal::handler_address())
    } else {
        recording.then(heal::record::handler_address)
    };
    let jit = load_jit(&program, cli, handler, containment)?;
    // The recorder is in place before the program's static constructors run: a call they make
    // goes through it too.
    let recorder = if recording {
        Some(heal::CallRecorder::start(&jit, &program.functions)?)
    } else {
        None
    };
    jit.initialize()?;

    let mut report = FailureReport {
        file: filename.to_string(),
        ..FailureReport::default()
    };
    if cli.failure_report.is_some() {
        report = report.into_bundle(replay::reproduction(cli, &source, filename, &program, &jit));
    }
    let (swaps, attempts) = std::thread::scope(|scope| -> Result<(Result<()>, Vec<_>)> {
        let healer = if self_heal {
            let (setup, options) = heal_setup(cli, &source, filename);
            Some(SelfHeal::start(
                scope,
                &jit,
                &program.functions,
                &program.globals,
                setup,
                options,
            )?)
        } else {
            None
        };
        let optimizer = cli.optimize.then(|| {
            let schedule = if cli.optimize_first {
                Schedule::AllFirst
            } else {
                Schedule::WhenHot
            };
            let optimizer = Optimizer::start(
                scope,
                &jit,
                optimized_source.clone(),
                cli.entry_point.clone(),
                schedule,
            );
            if cli.optimize_first {
                optimizer.wait_for_search();
            }
            optimizer
        });
        let swapper = scope.spawn(|| swap_while_running(&jit, cli));
        let handlers = Handlers {
            healer: healer.as_deref(),
            recorder: recorder.as_deref(),
        };
        run_entries(&jit, &program, cli, handlers, &mut report)?;
        if let Some(optimizer) = optimizer {
            let optimized = if cli.optimize_drain {
                optimizer.drain()
            } else {
                optimizer.finish()
            };
            write_optimize_report(cli, &optimized)?;
        }
        let attempts = healer.as_ref().map(|h| h.attempts()).unwrap_or_default();
        if let Some(healer) = &healer {
            if healer.output_diverged() {
                eprintln!(
                    "warning: self-heal: the entry point, run again after a repair, printed something else than it had shown"
                );
            }
            healer.finish_output();
        }
        Ok((
            swapper.join().expect("the swap thread does not panic"),
            attempts,
        ))
    })?;
    jit.shutdown()?;
    write_reports(cli, &report, &attempts)?;
    swaps?;
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Makes the JIT and loads the program into it (its static constructors have not run yet:
/// [`Jit::initialize`]); calls of replaceable functions go to `handler` (self-healing's, or the
/// call recorder's), if given.
fn load_jit(
    program: &Program,
    cli: &Cli,
    handler: Option<usize>,
    contained: Option<Containment>,
) -> Result<Jit> {
    let jit = Jit::new(JitOptions {
        opt_level: cli.opt_level,
        cache: object_cache(cli),
        libraries: libraries(cli),
        heal_handler: handler,
        profile_calls: cli.optimize,
        contained,
    })?;
    let report = jit.add_module(program.module().as_operation(), &program.replaceable)?;
    tracing::info!(key = %report.key, from_cache = report.from_cache, "module loaded");
    if cli.dump_object_file {
        dump_object(&jit, cli)?;
    }
    Ok(jit)
}

/// `-shared-libs`, and the async runtime the threaded variants of `--optimize` run on.
fn libraries(cli: &Cli) -> Vec<PathBuf> {
    let mut libraries = cli.shared_libs.clone();
    let runtime = tensorlang_optimize::async_runtime_library();
    if cli.optimize && runtime.exists() && !libraries.contains(&runtime) {
        libraries.push(runtime);
    }
    libraries
}

/// What the repair worker and the healed calls are to do, from the `--heal-*` flags.
fn heal_setup(cli: &Cli, source: &str, filename: &str) -> (heal::WorkerSetup, heal::HealOptions) {
    let setup = heal::WorkerSetup {
        source: source.to_owned(),
        file: filename.to_string(),
        entry: cli.entry_point.clone(),
        cache: strategy_cache(cli),
        model: Some(cli.model.clone()),
        options: EngineOptions {
            sources: cli.heal_sources,
            max_candidates: cli.heal_max_candidates,
            model_rounds: cli.heal_model_rounds,
            model_first: cli.heal_model_first,
            ranking: cli.heal_ranking,
            // The running program waits for the repair: no proof in a child forked from it.
            prove: false,
        },
    };
    let options = heal::HealOptions {
        attempts: cli.heal_attempts,
        trial_limit: cli.heal_trial_limit,
        max_slowdown: cli.heal_max_slowdown,
        output: cli.heal_output,
    };
    (setup, options)
}

/// What calls of replaceable functions go through besides the JIT: self-healing, or the call
/// recorder (at most one of them).
#[derive(Clone, Copy)]
struct Handlers<'r, 'j> {
    healer: Option<&'r SelfHeal<'j>>,
    recorder: Option<&'r heal::CallRecorder>,
}

/// Runs the entry point (healed, when there is a healer), then each `--then` function, and
/// records how each ended. In a trial child, the entry point's outcome ends the process.
fn run_entries(
    jit: &Jit,
    program: &Program,
    cli: &Cli,
    handlers: Handlers,
    report: &mut FailureReport,
) -> Result<()> {
    let run_entry = || jit.call_entry(&cli.entry_point, cli.entry_point_result, cli.timeout);
    let entry = match handlers.healer {
        Some(healer) => healer.run_entry(&run_entry)?,
        None => run_entry()?,
    };
    if heal::trial::in_trial() {
        heal::trial::finish(entry.map(|_| ()).map_err(|trap| {
            tensorlang_jit::failure::from_trap(&trap, &cli.entry_point, jit, &program.functions, 0)
                .to_string()
        }));
    }
    let ended = Ended {
        jit,
        program,
        cli,
        handlers,
    };
    ended.record(entry, &cli.entry_point, report);
    for function in &cli.then {
        let outcome = jit.call_entry(function, EntryResult::Void, cli.timeout)?;
        if let Some(healer) = handlers.healer {
            healer.release_output();
        }
        ended.record(outcome, function, report);
    }
    Ok(())
}

/// Writes `--optimize-report`, when asked for.
fn write_optimize_report(cli: &Cli, optimized: &[tensorlang_optimize::Optimized]) -> Result<()> {
    if let Some(path) = &cli.optimize_report {
        let text = serde_json::to_string_pretty(optimized)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the optimize report '{}'", path.display()))?;
    }
    Ok(())
}

/// Writes `--failure-report` and `--heal-report`, when asked for.
fn write_reports(cli: &Cli, report: &FailureReport, attempts: &[heal::Attempt]) -> Result<()> {
    if let Some(path) = &cli.failure_report {
        report
            .write(path)
            .with_context(|| format!("cannot write the failure report '{}'", path.display()))?;
    }
    if let Some(path) = &cli.heal_report {
        let text = serde_json::to_string_pretty(attempts)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the heal report '{}'", path.display()))?;
    }
    Ok(())
}

/// What `--contain` allows its function, read off `--contain-reference` (or the input) on
/// buffers.
fn containment(
    context: &melior::Context,
    cli: &Cli,
    source: &str,
    filename: &str,
) -> Result<Option<Containment>> {
    let Some(function) = &cli.contain else {
        return Ok(None);
    };
    let (text, name) = match &cli.contain_reference {
        Some(path) => (
            read_input(&path.to_string_lossy())?,
            path.to_string_lossy().into_owned(),
        ),
        None => (source.to_owned(), filename.to_owned()),
    };
    let mut reference = match Program::parse(context, &text, &name, true) {
        Ok(program) => program,
        Err(error) => {
            eprintln!("{error}");
            bail!("could not parse the --contain-reference program");
        }
    };
    if let Err(error) = reference.bufferize(context) {
        eprintln!("{error}");
        bail!("could not lower the --contain-reference program");
    }
    match tensorlang_repair::containment::containment_of(reference.module(), function) {
        Some(containment) => Ok(Some(containment)),
        None => bail!("--contain: {name} does not define @{function}"),
    }
}

/// Parses and lowers the program (the `--contain` function contained); with `--optimize`, also
/// the module as the optimizer reads it (after outlining, before lowering).
fn load_program<'c>(
    context: &'c melior::Context,
    source: &str,
    filename: &str,
    cli: &Cli,
    containment: Option<&Containment>,
) -> Result<(Program<'c>, String)> {
    let mut program = match Program::parse(context, source, filename, !cli.no_implicit_module) {
        Ok(program) => program,
        Err(ProgramError::Mlir(error)) => {
            eprintln!("{error}");
            bail!("could not parse the input IR");
        }
        Err(error) => return Err(error.into()),
    };
    program.add_replaceable(&cli.replaceable);
    let mut optimized_source = String::new();
    if cli.optimize {
        // Contractions are looked for on buffers, whether they were written on tensors, on
        // memrefs or as TensorLang ops. A matmul written inline (in main's loop, or where a
        // tensor op was bufferized) moves into a function of its own, and optimized versions go
        // behind slots.
        if let Err(error) = program.bufferize(context) {
            eprintln!("{error}");
            bail!("could not lower the input IR to the LLVM dialect");
        }
        tensorlang_optimize::outline(&mut program, context);
        let targets = tensorlang_optimize::targets(program.module(), &cli.entry_point);
        program.add_replaceable(&targets);
        optimized_source = program.module().as_operation().to_string();
    }
    let healing = !cli.no_self_heal && (cli.self_heal || program.is_tensorlang);
    if (cli.self_heal && !cli.no_self_heal) || (!healing && record_arguments(cli)) {
        // Plain upstream MLIR: every function but the entry point may be repaired (or has its
        // failing call recorded).
        let functions = program.defined_functions();
        let others: Vec<String> = functions
            .into_iter()
            .filter(|f| *f != cli.entry_point)
            .collect();
        program.add_replaceable(&others);
    }
    let lowered = match containment {
        Some(containment) => program.lower_contained(context, containment),
        None => program.lower(context),
    };
    if let Err(error) = lowered {
        eprintln!("{error}");
        bail!("could not lower the input IR to the LLVM dialect");
    }
    Ok((program, optimized_source))
}

/// What recording how a call ended needs.
struct Ended<'r, 'c, 'j> {
    jit: &'r Jit,
    program: &'r Program<'c>,
    cli: &'r Cli,
    handlers: Handlers<'r, 'j>,
}

impl Ended<'_, '_, '_> {
    /// Prints the outcome of a call; a failure goes to stderr and into the report, with the
    /// failing call's arguments when they were recorded.
    fn record(&self, outcome: Result<EntryValue, Trap>, entry: &str, report: &mut FailureReport) {
        match outcome {
            Ok(value) => print_result(value),
            Err(trap) => {
                let timeout_ms = self.cli.timeout.map_or(0, |t| t.as_millis() as u64);
                let mut failure = tensorlang_jit::failure::from_trap(
                    &trap,
                    entry,
                    self.jit,
                    &self.program.functions,
                    timeout_ms,
                );
                let recorded = match self.handlers {
                    Handlers {
                        recorder: Some(recorder),
                        ..
                    } => recorder.take(&failure.function),
                    Handlers {
                        healer: Some(healer),
                        ..
                    } => healer.take_failed_call(&failure.function),
                    _ => None,
                };
                if let Some(arguments) = recorded {
                    failure.arguments = arguments;
                }
                heal::trial::flush_output();
                eprintln!("{failure}");
                report.failures.push(failure);
            }
        }
    }
}

/// The --swap replacements, made from a second thread while the entry point runs.
fn swap_while_running(jit: &Jit, cli: &Cli) -> Result<()> {
    if cli.swap.is_empty() {
        return Ok(());
    }
    std::thread::sleep(cli.swap_after);
    for (function, file) in &cli.swap {
        let source = std::fs::read_to_string(file)
            .with_context(|| format!("cannot open '{}'", file.display()))?;
        let filename = file.to_string_lossy();
        let report = tensorlang_jit::replace_function(jit, function, &source, &filename)
            .with_context(|| format!("cannot replace '{function}' from '{filename}'"))?;
        tracing::info!(function, key = %report.key, from_cache = report.from_cache, "swapped");
    }
    Ok(())
}

fn print_result(value: EntryValue) {
    match value {
        EntryValue::Void => {}
        EntryValue::I32(v) => println!("{v}"),
        EntryValue::I64(v) => println!("{v}"),
        EntryValue::F32(v) => println!("{}", cli::format_exponent(v)),
    }
}

fn dump_object(jit: &Jit, cli: &Cli) -> Result<()> {
    let path = cli
        .object_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.o", cli.input)));
    let object = jit.last_object().context("no object code was produced")?;
    std::fs::write(&path, &object[..])
        .with_context(|| format!("cannot write the object file '{}'", path.display()))
}
