//! `--optimize`: faster code for the program's hot contractions, found while it runs.
//!
//! At start, an optimizer thread looks for functions that are one static `linalg.matmul`
//! ([`target`]). For each, it goes through a sweep of transform-dialect scripts ([`variant`]:
//! threads, cache and register tiles; the most promising first), one variant at a time: it
//! builds the variant in a child process ([`compile`]), loads it into the JIT without swapping
//! it in, and runs the original and the variant in a forked child on the same inputs
//! ([`measure`]). The variant must compute exactly the original's result and leave its inputs
//! alone; the first that does and beats the original by [`MARGIN`] goes into the function's
//! slot, and calls from then on run it. The program never waits for any of this (only, at exit,
//! for the step under way).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Instant;

use serde::Serialize;
use tensorlang_jit::Jit;

pub mod compile;
pub mod measure;
pub mod remembered;
pub mod target;
pub mod variant;

pub use target::MatmulTarget;
pub use variant::VariantParameters;

/// How much faster a variant must be than the original to be swapped in.
pub const MARGIN: f64 = 1.1;

/// What happened to one function.
#[derive(Debug, Clone, Serialize)]
pub struct Optimized {
    /// The function.
    pub function: String,
    /// `MxNxK`.
    pub shape: String,
    /// Milliseconds per call before, and its GFLOP/s.
    pub before_ms: f64,
    /// GFLOP/s before.
    pub before_gflops: f64,
    /// Milliseconds per call of the variant swapped in (`None`: none was).
    pub after_ms: Option<f64>,
    /// GFLOP/s after.
    pub after_gflops: Option<f64>,
    /// The variant swapped in.
    pub variant: Option<String>,
    /// Every variant tried: its name and its time in ms, or why it was turned away.
    pub tried: Vec<(String, Result<f64, String>)>,
    /// Milliseconds from the start of the run to the swap.
    pub swapped_after_ms: Option<f64>,
}

/// The running optimizer.
pub struct Optimizer<'scope> {
    stop: Arc<AtomicBool>,
    thread: ScopedJoinHandle<'scope, Vec<Optimized>>,
}

impl<'scope> Optimizer<'scope> {
    /// Starts optimizing `source` (named `file`; `entry` is never a target) as it runs in `jit`.
    pub fn start<'env: 'scope>(
        scope: &'scope Scope<'scope, 'env>,
        jit: &'env Jit,
        source: String,
        entry: String,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let started = Instant::now();
        let thread = scope.spawn(move || optimize(jit, &source, &entry, &stopped, started));
        Self { stop, thread }
    }

    /// Stops after the step under way; what was done.
    pub fn finish(self) -> Vec<Optimized> {
        self.stop.store(true, Ordering::Relaxed);
        self.wait()
    }

    /// Waits until the search is over; what was done.
    pub fn wait(self) -> Vec<Optimized> {
        self.thread.join().unwrap_or_default()
    }
}

/// The functions `--optimize` will work on in `module`, as parsed (they must be replaceable).
pub fn targets(module: &melior::ir::Module, entry: &str) -> Vec<String> {
    target::find(module, entry)
        .into_iter()
        .map(|t| t.function)
        .collect()
}

/// The library the threaded variants run on.
pub fn async_runtime_library() -> std::path::PathBuf {
    std::path::Path::new(tensorlang::LLVM_LIB_DIR).join("libmlir_async_runtime.so")
}

fn optimize(
    jit: &Jit,
    source: &str,
    entry: &str,
    stop: &AtomicBool,
    started: Instant,
) -> Vec<Optimized> {
    let Ok(context) = tensorlang_jit::create_context() else {
        return Vec::new();
    };
    // Variants are built in forked children, which have no thread pool.
    context.enable_multi_threading(false);
    let Ok(module) = tensorlang::parse_module(&context, source, "input.mlir") else {
        return Vec::new();
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let lanes = tensorlang_jit::jit::host_vector_bits() / 32;
    let mut remembered = remembered::Remembered::open();
    let mut done = Vec::new();
    for target in target::find(&module, entry) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if let Some(optimized) = optimize_one(
            &context,
            jit,
            &target,
            (cores, lanes),
            &mut remembered,
            stop,
            started,
        ) {
            done.push(optimized);
        }
    }
    done
}

fn optimize_one(
    context: &melior::Context,
    jit: &Jit,
    target: &MatmulTarget,
    (cores, lanes): (usize, usize),
    remembered: &mut remembered::Remembered,
    stop: &AtomicBool,
    started: Instant,
) -> Option<Optimized> {
    let original = jit.slot(&target.function)?.load();
    let gflops = |seconds: f64| target.flops() / seconds / 1e9;
    let mut optimized = Optimized {
        function: target.function.clone(),
        shape: format!("{}x{}x{}", target.m, target.n, target.k),
        before_ms: 0.0,
        before_gflops: 0.0,
        after_ms: None,
        after_gflops: None,
        variant: None,
        tried: Vec::new(),
        swapped_after_ms: None,
    };
    // The sweep in order, most promising first, one variant at a time: the first that computes
    // what the original does and beats it by the margin is swapped in, and the search ends
    // there. Going on through the sweep would take the cores from the program just when it runs
    // the fast version (measured: its own GFLOP/s dropped from about 100 to 56-94).
    // A variant that won here before goes first.
    let memory_key = jit
        .version_key(&target.function, &format!("optimize {target:?}"))
        .to_string();
    let mut sweep = variant::sweep(target, cores, lanes);
    if let Some(winner) = remembered.winner(&memory_key)
        && let Some(at) = sweep.iter().position(|p| p.name() == winner)
    {
        let first = sweep.remove(at);
        sweep.insert(0, first);
    }
    for parameters in sweep {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let (key, address) = match build_variant(context, jit, target, &parameters) {
            Ok(built) => built,
            Err(error) => {
                let why = format!("does not build: {error}");
                optimized.tried.push((parameters.name(), Err(why)));
                continue;
            }
        };
        // SAFETY: the original and the loaded version have the target's signature.
        let measurement = match unsafe { measure::measure(target, original, &[address]) } {
            Ok(measurement) => measurement,
            Err(error) => {
                // The variant crashed or hung the child: the next one is tried.
                optimized.tried.push((parameters.name(), Err(error)));
                jit.discard(&target.function, key);
                continue;
            }
        };
        optimized.before_ms = measurement.original * 1e3;
        optimized.before_gflops = gflops(measurement.original);
        let result = measurement
            .variants
            .into_iter()
            .next()
            .unwrap_or_else(|| Err("the measurement lost it".into()));
        optimized
            .tried
            .push((parameters.name(), result.clone().map(|s| s * 1e3)));
        match result {
            Ok(seconds)
                if measurement.original / seconds >= MARGIN
                    && jit.activate(&target.function, key).is_ok() =>
            {
                optimized.after_ms = Some(seconds * 1e3);
                optimized.after_gflops = Some(gflops(seconds));
                optimized.variant = Some(parameters.name());
                optimized.swapped_after_ms = Some(started.elapsed().as_secs_f64() * 1e3);
                report_swap(&optimized, started);
                remembered.record(&memory_key, &parameters.name());
                break;
            }
            _ => jit.discard(&target.function, key),
        }
    }
    Some(optimized)
}

/// Loads the variant from the object cache, or builds it in a child process and loads it (not
/// swapped in): its version key and address.
fn build_variant(
    context: &melior::Context,
    jit: &Jit,
    target: &MatmulTarget,
    parameters: &VariantParameters,
) -> Result<(tensorlang_jit::ObjectKey, usize), String> {
    let text = variant::module_text(target, parameters);
    let key = jit.version_key(&target.function, &text);
    if let Some(version) = jit
        .load_cached(&target.function, key)
        .map_err(|e| e.to_string())?
    {
        return Ok((key, version.address));
    }
    let object = tensorlang_repair::isolated::in_quiet_child(|| {
        let module = compile::lower_variant(context, &text, &target.function, parameters)?;
        jit.build_version_at(&target.function, key, module.as_operation(), Some(3))
            .map_err(|e| e.to_string())
    })?;
    let version = jit
        .load_built(&target.function, key, object)
        .map_err(|e| e.to_string())?;
    Ok((key, version.address))
}

fn report_swap(optimized: &Optimized, started: Instant) {
    eprintln!(
        "remark: optimize: '{}' ({}): {:.2} ms per call ({:.1} GFLOP/s) before, {:.2} ms ({:.1} GFLOP/s) with variant {}; checked against the original on the same inputs; swapped in {:.0} ms after the start",
        optimized.function,
        optimized.shape,
        optimized.before_ms,
        optimized.before_gflops,
        optimized.after_ms.unwrap_or_default(),
        optimized.after_gflops.unwrap_or_default(),
        optimized.variant.as_deref().unwrap_or(""),
        started.elapsed().as_secs_f64() * 1e3
    );
}
