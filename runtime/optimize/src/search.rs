//! The search for one target: the sweep in order, one variant at a time, built, checked and
//! timed against the original; the first that passes and beats it by the margin is swapped in,
//! and the search ends there. Going on through the sweep would take the cores from the program
//! just when it runs the fast version (measured: its own GFLOP/s dropped from about 100 to
//! 56-94). A variant that won here before goes first.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tensorlang_jit::{HotSwapSlot, Jit};

use crate::record::{Recorder, Recording};
use crate::runner::{Runner, Variant};
use crate::target::MatmulTarget;
use crate::variant::{self, VariantParameters};
use crate::winners::Winners;
use crate::{MARGIN, Optimized};

/// How long a search waits for the program's next call of a hot target, once nothing of it is
/// under way any more (a call under way is waited for: the next one may follow it).
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// What every search of a run shares.
pub struct Setup<'j> {
    context: melior::Context,
    /// The program's JIT.
    pub jit: &'j Jit,
    cores: usize,
    lanes: usize,
    winners: RefCell<Winners>,
    runner: RefCell<Runner<'j>>,
    stop: &'j AtomicBool,
    drain: &'j AtomicBool,
    started: Instant,
}

impl<'j> Setup<'j> {
    /// The search's own MLIR context (single-threaded: variants are built in forked children,
    /// which have no thread pool), the machine's cores and vector width, the remembered winners.
    pub fn new(
        jit: &'j Jit,
        stop: &'j AtomicBool,
        drain: &'j AtomicBool,
        started: Instant,
    ) -> Option<Self> {
        let context = tensorlang_jit::create_context().ok()?;
        context.enable_multi_threading(false);
        let runner = Runner::start(jit, stop)
            .inspect_err(|error| eprintln!("warning: optimize: cannot start the runner: {error}"))
            .ok()?;
        Some(Self {
            runner: RefCell::new(runner),
            context,
            jit,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            lanes: tensorlang_jit::jit::host_vector_bits() / 32,
            winners: RefCell::new(Winners::open()),
            stop,
            drain,
            started,
        })
    }

    /// The search's MLIR context.
    pub fn context(&self) -> &melior::Context {
        &self.context
    }

    /// Whether the program is over.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Whether the program is over and waits for the search under way to end (no other starts).
    pub fn draining(&self) -> bool {
        self.drain.load(Ordering::Relaxed)
    }

    /// Searches variants of `target` (behind `slot`), into `result`; `recorder`, if given, is in
    /// the slot waiting for the program's next call, and `recording` is a call recorded already.
    pub fn search(
        &self,
        slot: &Arc<HotSwapSlot>,
        target: &MatmulTarget,
        result: &mut Optimized,
        mut recorder: Option<Recorder>,
        mut recording: Option<Recording>,
    ) {
        let original = recorder
            .as_ref()
            .map_or_else(|| slot.load(), Recorder::original);
        let gflops = |seconds: f64| target.flops() / seconds / 1e9;
        let cache_key = Winners::key(self.jit, target);
        let mut sweep = variant::sweep(target, self.cores, self.lanes);
        if let Some(winner) = self.winners.borrow_mut().winner(&cache_key)
            && let Some(at) = sweep.iter().position(|p| p.name() == winner.variant)
        {
            let first = sweep.remove(at);
            sweep.insert(0, first);
        }
        let mut reference = String::new();
        for parameters in sweep {
            if self.stopped() {
                break;
            }
            let name = parameters.name();
            let built = match self.build(target, &parameters) {
                Ok(built) => built,
                Err(error) => {
                    result
                        .tried
                        .push((name, Err(format!("does not build: {error}"))));
                    continue;
                }
            };
            let key = built.key;
            let measured = self
                .runner
                .borrow_mut()
                .measure(target, original, &built.variant());
            let timed = match measured {
                Ok(measurement) => {
                    reference = measurement.reference;
                    result.before_ms = measurement.original * 1e3;
                    result.before_gflops = gflops(measurement.original);
                    let variant = measurement.variants.into_iter().next();
                    variant.unwrap_or_else(|| Err("the measurement lost it".into()))
                }
                Err(error) => Err(error),
            };
            let passed = match timed {
                Ok(seconds) if result.before_ms / 1e3 / seconds >= MARGIN => {
                    if let Some(waiting) = recorder.take() {
                        recording = self.wait_for_call(slot, waiting);
                    }
                    self.check_recorded(target, &built, recording.as_ref())
                        .map(|()| seconds)
                }
                other => other,
            };
            result
                .tried
                .push((name.clone(), passed.clone().map(|s| s * 1e3)));
            match passed {
                Ok(seconds)
                    if result.before_ms / 1e3 / seconds >= MARGIN
                        && self.jit.activate(&target.function, key).is_ok() =>
                {
                    result.counts_at_swap = Some(slot.counts());
                    result.after_ms = Some(seconds * 1e3);
                    result.after_gflops = Some(gflops(seconds));
                    result.variant = Some(name.clone());
                    result.checked_on = Some(checked_on(recording.is_some()).into());
                    result.swapped_after_ms = Some(self.started.elapsed().as_secs_f64() * 1e3);
                    report_swap(result, self.started);
                    self.winners.borrow_mut().record(
                        cache_key,
                        target,
                        &name,
                        &variant::module_text(target, &parameters),
                        &reference,
                        checked_on(recording.is_some()),
                    );
                    break;
                }
                _ => self.jit.discard(&target.function, key),
            }
        }
    }

    /// Swaps in the winner the strategy cache remembers for `target`, if this installation
    /// wrote the entry and its object is in the object cache: checked in a child against the
    /// digest of the original's result on the synthetic inputs, remembered with it, so the slow
    /// original does not run. Whether it was swapped in.
    pub fn swap_remembered(
        &self,
        slot: &Arc<HotSwapSlot>,
        target: &MatmulTarget,
        result: &mut Optimized,
    ) -> bool {
        let Some(winner) = self
            .winners
            .borrow_mut()
            .winner(&Winners::key(self.jit, target))
        else {
            return false;
        };
        let parameters = variant::sweep(target, self.cores, self.lanes)
            .into_iter()
            .find(|p| p.name() == winner.variant);
        let (Some(parameters), true, false) =
            (parameters, winner.authentic, winner.reference.is_empty())
        else {
            return false;
        };
        let text = variant::module_text(target, &parameters);
        let key = self.jit.version_key(&target.function, &text);
        let (Ok(Some(_)), Some(object)) = (
            self.jit.load_cached(&target.function, key),
            self.jit.cached_object(key),
        ) else {
            return false;
        };
        let built = Built { key, text, object };
        let checked = self.runner.borrow_mut().check_against_reference(
            target,
            &built.variant(),
            &winner.reference,
        );
        let seconds = match checked {
            Ok(seconds) if self.jit.activate(&target.function, key).is_ok() => seconds,
            outcome => {
                let why = outcome
                    .err()
                    .unwrap_or_else(|| "it could not be swapped in".into());
                result.tried.push((winner.variant, Err(why)));
                self.jit.discard(&target.function, key);
                return false;
            }
        };
        result.counts_at_swap = Some(slot.counts());
        result.after_ms = Some(seconds * 1e3);
        result.after_gflops = Some(target.flops() / seconds / 1e9);
        result
            .tried
            .push((winner.variant.clone(), Ok(seconds * 1e3)));
        result.variant = Some(winner.variant);
        result.checked_on = Some(REMEMBERED.into());
        result.swapped_after_ms = Some(self.started.elapsed().as_secs_f64() * 1e3);
        eprintln!(
            "remark: optimize: '{}' ({}): {:.2} ms per call ({:.1} GFLOP/s) with variant {}, remembered from an earlier run; checked against the original on {REMEMBERED}; swapped in {:.0} ms after the start, before the first call",
            result.function,
            result.shape,
            seconds * 1e3,
            target.flops() / seconds / 1e9,
            result.variant.as_deref().unwrap_or(""),
            self.started.elapsed().as_secs_f64() * 1e3
        );
        true
    }

    /// Waits for the recorder to see the program's next call (while a call is under way, or
    /// for [`IDLE_WAIT`] after the last one), then takes it out of the slot.
    pub fn wait_for_call(&self, slot: &HotSwapSlot, recorder: Recorder) -> Option<Recording> {
        let mut idle_since = Instant::now();
        recorder.finish(|| {
            if slot.counts().in_flight > 0 {
                idle_since = Instant::now();
            }
            self.stopped() || idle_since.elapsed() > IDLE_WAIT
        })
    }

    /// Checks the variant on the recorded call, if there is one.
    fn check_recorded(
        &self,
        target: &MatmulTarget,
        built: &Built,
        recording: Option<&Recording>,
    ) -> Result<(), String> {
        let Some(recording) = recording else {
            return Ok(());
        };
        self.runner
            .borrow_mut()
            .check_recorded(target, &built.variant(), recording)
    }

    /// Loads the variant from the object cache, or builds it in a child process and loads it
    /// (not swapped in).
    fn build(
        &self,
        target: &MatmulTarget,
        parameters: &VariantParameters,
    ) -> Result<Built, String> {
        let jit = self.jit;
        let text = variant::module_text(target, parameters);
        let key = jit.version_key(&target.function, &text);
        if jit
            .load_cached(&target.function, key)
            .map_err(|e| e.to_string())?
            .is_some()
            && let Some(object) = jit.cached_object(key)
        {
            return Ok(Built { key, text, object });
        }
        let object = tensorlang_repair::isolated::in_quiet_child_unless(
            || {
                let module = crate::compile::lower_variant(
                    &self.context,
                    &text,
                    &target.function,
                    parameters,
                )?;
                jit.build_version_at(&target.function, key, module.as_operation(), Some(3))
                    .map_err(|e| e.to_string())
            },
            self.stop,
        )?;
        jit.load_built(&target.function, key, object.clone())
            .map_err(|e| e.to_string())?;
        Ok(Built { key, text, object })
    }
}

/// A variant loaded into the program's JIT (not swapped in).
struct Built {
    key: tensorlang_jit::ObjectKey,
    text: String,
    object: Arc<[u8]>,
}

impl Built {
    fn variant(&self) -> Variant<'_> {
        Variant {
            text: &self.text,
            object: &self.object,
        }
    }
}

/// What a remembered winner is checked on.
const REMEMBERED: &str =
    "synthetic inputs, against the digest of its result remembered with the variant";

fn checked_on(recorded: bool) -> &'static str {
    if recorded {
        "synthetic inputs and a recorded call"
    } else {
        "synthetic inputs"
    }
}

fn report_swap(optimized: &Optimized, started: Instant) {
    eprintln!(
        "remark: optimize: '{}' ({}): {:.2} ms per call ({:.1} GFLOP/s) before, {:.2} ms ({:.1} GFLOP/s) with variant {}; checked against the original on {}; swapped in {:.0} ms after the start",
        optimized.function,
        optimized.shape,
        optimized.before_ms,
        optimized.before_gflops,
        optimized.after_ms.unwrap_or_default(),
        optimized.after_gflops.unwrap_or_default(),
        optimized.variant.as_deref().unwrap_or(""),
        optimized.checked_on.as_deref().unwrap_or(""),
        started.elapsed().as_secs_f64() * 1e3
    );
}
