//! `--optimize`: faster code for the program's hot contractions, found while it runs.
//!
//! At start, an optimizer thread looks for candidates: functions that are one static
//! `linalg.matmul` ([`target`]). The JIT counts and times every call through their slots, and the
//! thread samples which have a call under way ([`profile`]); a candidate under way in a large
//! share of the samples is hot. For a hot one, it records the arguments of the program's next
//! call ([`record`]) and goes through a sweep of transform-dialect scripts ([`variant`]: threads,
//! cache and register tiles; the most promising first), one variant at a time ([`search`]): it
//! builds the variant in a child process ([`compile`]), loads it into the JIT without swapping it
//! in, and has the [`runner`] (a process forked before the program started) run the original and
//! the variant in a child on the same synthetic inputs ([`measure`]), then the variant on the
//! recorded call's inputs. The variant must compute
//! exactly the original's result on the synthetic inputs, the original's within the rounding
//! tolerance on the recorded ones, and leave its inputs alone; the first that does and beats the
//! original by [`MARGIN`] goes into the function's slot. The program never waits for any of
//! this: at exit, the child at work is killed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

use serde::Serialize;
use tensorlang_jit::{CallCounts, Jit};

pub mod measure;
pub mod profile;
pub mod record;
pub mod runner;

pub mod search;
pub mod winners;

pub use tensorlang_variants::{MatmulTarget, VariantParameters, compile, target, variant};

/// How much faster a variant must be than the original to be swapped in.
pub const MARGIN: f64 = 1.1;

/// When the optimizer works on which candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// While the program runs, on the candidates that turn out hot (`--optimize`).
    WhenHot,
    /// On every candidate, before the program starts (`--optimize-first`: deterministic, for
    /// tests and benchmarks; there is no call to record yet).
    AllFirst,
}

/// What happened to one function.
#[derive(Debug, Clone, Serialize)]
pub struct Optimized {
    /// The function.
    pub function: String,
    /// `MxNxK`.
    pub shape: String,
    /// Milliseconds per call of the original, timed by the search, and its GFLOP/s.
    pub before_ms: f64,
    /// GFLOP/s before.
    pub before_gflops: f64,
    /// Milliseconds per call of the variant swapped in (`None`: none was).
    pub after_ms: Option<f64>,
    /// GFLOP/s after.
    pub after_gflops: Option<f64>,
    /// The variant swapped in.
    pub variant: Option<String>,
    /// What the variant was checked on: synthetic inputs, and a recorded call when there was one.
    pub checked_on: Option<String>,
    /// Every variant tried: its name and its time in ms, or why it was turned away.
    pub tried: Vec<(String, Result<f64, String>)>,
    /// Milliseconds from the start of the run to the swap.
    pub swapped_after_ms: Option<f64>,
    /// Calls the program made through the function's slot.
    pub calls: u64,
    /// The program's own calls, as profiled: milliseconds per call before the swap (or in the
    /// whole run, without one) and after it.
    pub profiled_before_ms: Option<f64>,
    /// Milliseconds per call after the swap, as profiled.
    pub profiled_after_ms: Option<f64>,
    /// The share of the profile samples a call of it was under way in.
    pub share: Option<f64>,
    /// Why it was not searched (not hot, say).
    pub skipped: Option<String>,
    /// The profile counts at the swap.
    #[serde(skip)]
    counts_at_swap: Option<CallCounts>,
}

impl Optimized {
    fn new(target: &MatmulTarget) -> Self {
        Self {
            function: target.function.clone(),
            shape: target.shape(),
            before_ms: 0.0,
            before_gflops: 0.0,
            after_ms: None,
            after_gflops: None,
            variant: None,
            checked_on: None,
            tried: Vec::new(),
            swapped_after_ms: None,
            calls: 0,
            profiled_before_ms: None,
            profiled_after_ms: None,
            share: None,
            skipped: None,
            counts_at_swap: None,
        }
    }
}

/// The running optimizer.
pub struct Optimizer<'scope> {
    stop: Arc<AtomicBool>,
    drain: Arc<AtomicBool>,
    searched: mpsc::Receiver<()>,
    thread: Option<ScopedJoinHandle<'scope, Vec<Optimized>>>,
}

/// An optimizer dropped without [`Optimizer::finish`] (the program ended with an error) stops,
/// so that its thread ends and the scope it runs in can close.
impl Drop for Optimizer<'_> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl<'scope> Optimizer<'scope> {
    /// Starts optimizing `source` (named `file`; `entry` is never a target) as it runs in `jit`,
    /// which must profile calls ([`tensorlang_jit::JitOptions::profile_calls`]) for
    /// [`Schedule::WhenHot`] to find anything hot.
    pub fn start<'env: 'scope>(
        scope: &'scope Scope<'scope, 'env>,
        jit: &'env Jit,
        source: String,
        entry: String,
        schedule: Schedule,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let drain = Arc::new(AtomicBool::new(false));
        let (stopped, draining) = (stop.clone(), drain.clone());
        let (searched_sender, searched) = mpsc::channel();
        let (ready_sender, ready) = mpsc::channel();
        let started = Instant::now();
        let thread = scope.spawn(move || {
            let signals = Signals {
                ready: ready_sender,
                searched: searched_sender,
            };
            let setup = search::Setup::new(jit, &stopped, &draining, started);
            let Some(setup) = setup else {
                return Vec::new();
            };
            run(&setup, &source, &entry, schedule, &signals)
        });
        // Remembered winners go in before the first call (a few milliseconds each).
        let _ = ready.recv();
        Self {
            stop,
            drain,
            searched,
            thread: Some(thread),
        }
    }

    /// Waits until every target has been searched (with [`Schedule::AllFirst`]: before the
    /// program starts).
    pub fn wait_for_search(&self) {
        let _ = self.searched.recv();
    }

    /// Stops at once (a child at work is killed) and reports what was done.
    pub fn finish(self) -> Vec<Optimized> {
        self.stop.store(true, Ordering::Relaxed);
        self.report()
    }

    /// Lets a search under way end (none starts), then stops and reports what was done: this
    /// waits, for deterministic tests (`--optimize-drain`).
    pub fn drain(self) -> Vec<Optimized> {
        self.drain.store(true, Ordering::Relaxed);
        self.wait_for_search();
        self.finish()
    }

    fn report(mut self) -> Vec<Optimized> {
        let optimized = self
            .thread
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default();
        for done in &optimized {
            report_run(done);
        }
        optimized
    }
}

/// What [`outline`] names the matmul functions it makes (`outlined_matmul0`, ...).
pub const OUTLINED_PREFIX: &str = "outlined_matmul";

/// What [`outline`] names the convolution functions it makes (`outlined_conv0`, ...).
pub const OUTLINED_CONV_PREFIX: &str = "outlined_conv";

/// Moves each `linalg.matmul` or convolution that would be a target but sits inside a larger
/// function (a loop in `main`, say) into a function of its own, called in its place, so that it gets a slot; the
/// new functions.
pub fn outline<'c>(
    program: &mut tensorlang_jit::Program<'c>,
    context: &'c melior::Context,
) -> Vec<String> {
    let mut outlined = program.outline(context, target::is_inline_matmul, OUTLINED_PREFIX);
    outlined.extend(program.outline(context, target::is_inline_conv, OUTLINED_CONV_PREFIX));
    outlined
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

/// What the optimizer thread tells the program: remembered winners are in (`ready`), every
/// search is over (`searched`). A dropped sender tells it too.
struct Signals {
    ready: mpsc::Sender<()>,
    searched: mpsc::Sender<()>,
}

fn run(
    setup: &search::Setup,
    source: &str,
    entry: &str,
    schedule: Schedule,
    signals: &Signals,
) -> Vec<Optimized> {
    let Ok(module) = tensorlang::parse_module(setup.context(), source, "input.mlir") else {
        return Vec::new();
    };
    let candidates: Vec<_> = target::find(&module, entry)
        .into_iter()
        .filter_map(|t| Some((setup.jit.slot(&t.function)?, t)))
        .collect();
    let clock = profile::CycleClock::new();
    let mut results: Vec<Optimized> = candidates.iter().map(|(_, t)| Optimized::new(t)).collect();
    let mut searched: Vec<bool> = candidates
        .iter()
        .zip(&mut results)
        .map(|((slot, target), result)| setup.swap_remembered(slot, target, result))
        .collect();
    let _ = signals.ready.send(());
    match schedule {
        Schedule::AllFirst => {
            for (i, (slot, target)) in candidates.iter().enumerate() {
                if searched[i] {
                    continue;
                }
                searched[i] = true;
                if target.has_shape() {
                    setup.search(slot, target, &mut results[i], None, None);
                } else {
                    results[i].skipped = Some(DYNAMIC_UNKNOWN.into());
                }
            }
        }
        Schedule::WhenHot => search_hot(setup, &candidates, &mut results, &mut searched),
    }
    let _ = signals.searched.send(());
    // The profile is read when the program is over.
    while !setup.stopped() {
        std::thread::sleep(Duration::from_millis(5));
    }
    for ((slot, _), result) in candidates.iter().zip(&mut results) {
        let end = slot.counts();
        let start = CallCounts::default();
        let swap = result.counts_at_swap.unwrap_or(end);
        result.calls = end.calls;
        result.profiled_before_ms = clock.seconds_per_call(start, swap).map(|s| s * 1e3);
        result.profiled_after_ms = result
            .counts_at_swap
            .and_then(|swap| clock.seconds_per_call(swap, end))
            .map(|s| s * 1e3);
    }
    results
}

/// Samples the candidates' calls under way until the program ends, and searches each one that
/// turns hot (once), with a recorder in its slot for the next call.
fn search_hot(
    setup: &search::Setup,
    candidates: &[(Arc<tensorlang_jit::HotSwapSlot>, MatmulTarget)],
    results: &mut [Optimized],
    searched: &mut [bool],
) {
    let mut sampler = profile::Sampler::new(candidates.len());
    while !setup.stopped() && !setup.draining() && searched.contains(&false) {
        sampler.record(
            candidates
                .iter()
                .map(|(slot, _)| slot.counts().in_flight > 0),
        );
        for (i, (slot, target)) in candidates.iter().enumerate() {
            if !searched[i] && sampler.is_hot(i) {
                searched[i] = true;
                results[i].share = Some(sampler.share(i));
                let original = slot.load();
                let recorder = record::Recorder::install(slot.clone(), original, target);
                search_one(setup, slot, target, &mut results[i], recorder);
            }
        }
        std::thread::sleep(profile::SAMPLE_PERIOD);
    }
    for (i, result) in results.iter_mut().enumerate() {
        if !searched[i] {
            result.share = Some(sampler.share(i));
            result.skipped = Some(format!(
                "not hot: a call was under way in {:.0}% of the samples (hot takes {:.0}%)",
                sampler.share(i) * 100.0,
                profile::HOT_SHARE * 100.0
            ));
        }
    }
}

/// Why a target with dynamic shapes was not searched.
const DYNAMIC_UNKNOWN: &str =
    "its shapes are dynamic, and no call was recorded to tell them (--optimize-first records none)";

/// Searches one hot target: a static one at once (the recorder records a call meanwhile); a
/// dynamic one once a recorded call has told its shapes, for calls of those shapes.
fn search_one(
    setup: &search::Setup,
    slot: &Arc<tensorlang_jit::HotSwapSlot>,
    target: &MatmulTarget,
    result: &mut Optimized,
    recorder: Option<record::Recorder>,
) {
    if target.has_shape() {
        setup.search(slot, target, result, recorder, None);
        return;
    }
    let recording = recorder.and_then(|recorder| setup.wait_for_call(slot, recorder));
    let specialized =
        recording.and_then(|recording| Some((target.specialized(recording.shape)?, recording)));
    match specialized {
        Some((specialized, recording)) => {
            result.shape = format!("{} as {}", target.shape(), specialized.shape());
            setup.search(slot, &specialized, result, None, Some(recording));
        }
        None => result.skipped = Some(DYNAMIC_UNKNOWN.into()),
    }
}

/// The end-of-run remark for one function: its calls, as profiled, before and after the swap.
fn report_run(optimized: &Optimized) {
    let per_call =
        |ms: Option<f64>| ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.3} ms per call"));
    let what = match (&optimized.variant, &optimized.skipped) {
        (Some(variant), _) => format!(
            "{} before the swap, {} after it (variant {variant})",
            per_call(optimized.profiled_before_ms),
            per_call(optimized.profiled_after_ms)
        ),
        (None, Some(why)) => format!("{}; {why}", per_call(optimized.profiled_before_ms)),
        (None, None) => format!(
            "{}; no variant was swapped in",
            per_call(optimized.profiled_before_ms)
        ),
    };
    eprintln!(
        "remark: optimize: '{}' ({}): {} calls in the run; {what}",
        optimized.function, optimized.shape, optimized.calls
    );
}
