//! Self-healing: a failed call is repaired, swapped and run again while the program runs.
//!
//! With [`tensorlang_jit::jit::JitOptions::heal_handler`] set to [`handler_address`], every call of a
//! replaceable function goes through [`SelfHeal`] (`call.rs`): it saves what the call may
//! write (a [`Checkpoint`] of the buffers its arguments reach and the globals it can reach) and
//! runs it under the guard. When the call fails, it writes back what the call changed and hands
//! the failure to the repair worker (a thread with the repair engine: strategy cache, symbolic
//! strategies, then the model). Each candidate the worker admits and compiles (in a child
//! process) is run in a forked copy of the program ([`trial`]): the failed call again, the rest of
//! the run, then the whole entry point from the start, every check included. The first that
//! passes is swapped in and the call runs again from the checkpoint. After `attempts` failed
//! calls, or when no candidate passes, the failure goes on to the caller as if there were no
//! self-healing, with every attempt reported.
//!
//! A failed check in the entry point itself (a test driver's `cf.assert`) is healed by
//! [`SelfHeal::run_entry`] (`heal/entry.rs`): the suspects are what it depends on, a trial runs the
//! entry again from the start with the candidate in place, and after the swap the entry runs
//! again without showing twice what was shown ([`ShownOutput`]), so that no line is lost or
//! repeated.

pub mod arguments;
mod call;
mod checkpoint;
mod entry;
mod output;
pub mod record;
pub mod trial;
mod worker;

pub use checkpoint::{Checkpoint, Parameter};
pub use output::{OutputMode, ShownOutput};
pub use record::CallRecorder;
pub use worker::WorkerSetup;

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::Scope;
use std::time::Duration;

use serde::Serialize;

use tensorlang_jit::failure::Failure;
use tensorlang_jit::guard::{self, Trap};
use tensorlang_jit::jit::{HotSwapSlot, Jit, JitError};
use tensorlang_jit::program::{FunctionInfo, MutableGlobal};
use trial::Expected;
use worker::{Event, Found, Job, RepairWorker};

/// How hard the runtime tries.
#[derive(Debug, Clone, Copy)]
pub struct HealOptions {
    /// Failed calls repaired per call before the failure is passed on.
    pub attempts: usize,
    /// How long one trial run may take.
    pub trial_limit: Duration,
    /// How many times slower than the program a candidate may run the same calls in its trial
    /// (0: any; see [`trial::pace`]).
    pub max_slowdown: f64,
    /// When the program's output is shown.
    pub output: OutputMode,
}

/// One failed call and what came of it.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The function whose call failed.
    pub call: String,
    /// What failed.
    pub failure: Failure,
    /// The repair swapped in, if one was found.
    pub repair: Option<SwappedRepair>,
    /// Why there was none.
    pub error: Option<String>,
}

/// A repair that was swapped in.
#[derive(Debug, Clone, Serialize)]
pub struct SwappedRepair {
    /// The replaced function.
    pub function: String,
    /// Where it came from.
    pub source: tensorlang_repair::RepairSource,
    /// The strategy.
    pub strategy: String,
    /// What it changed.
    pub change: String,
    /// How it was verified.
    pub verification: String,
    /// Candidates tried.
    pub candidates: usize,
    /// Milliseconds from the failure to the call running again with the fix.
    pub resumed_after_ms: f64,
    /// Bytes the failed run had changed, written back before the call ran again.
    pub restored_bytes: usize,
    /// Where the search's time went, and its candidates by source.
    pub phases: tensorlang_repair::engine::RepairPhases,
}

impl SwappedRepair {
    fn new(repair: &tensorlang_repair::Repair, resumed_after: Duration, restored: usize) -> Self {
        Self {
            function: repair.function.clone(),
            source: repair.source,
            strategy: repair.strategy.clone(),
            change: repair.change.clone(),
            verification: repair.verification.clone(),
            candidates: repair.tried,
            resumed_after_ms: resumed_after.as_secs_f64() * 1e3,
            restored_bytes: restored,
            phases: repair.phases,
        }
    }
}

/// A replaceable function as the handler sees it.
struct Healed {
    name: String,
    packed: usize,
    /// Its parameters' MLIR types, and how each is passed.
    types: Vec<String>,
    parameters: Vec<Parameter>,
    /// The mutable globals it can reach: address and size.
    globals: Vec<(usize, usize)>,
}

/// The self-healing runtime of one program. See the module docs.
pub struct SelfHeal<'j> {
    jit: &'j Jit,
    functions: Vec<Healed>,
    slots: Vec<(String, Arc<HotSwapSlot>)>,
    program: Vec<FunctionInfo>,
    worker: RepairWorker,
    options: HealOptions,
    attempts: Mutex<Vec<Attempt>>,
    /// The entry point, and every mutable global as it was before it ran.
    entry: String,
    initial_globals: Checkpoint,
    /// The program's output, recorded (for runs of the entry point after a repair).
    output: Option<&'static ShownOutput>,
    /// The innermost call that failed for good, and its arguments as it began (for the
    /// failure report).
    failed: Mutex<Option<(String, Vec<tensorlang_checks::failure::ArgumentRecord>)>>,
}

static ACTIVE: AtomicPtr<SelfHeal<'static>> = AtomicPtr::new(std::ptr::null_mut());

/// The address of the handler every healed call goes to (for [`tensorlang_jit::JitOptions`]).
pub fn handler_address() -> usize {
    heal_call as *const () as usize
}

/// What JIT code calls instead of a replaceable function: `id` names it, `arguments` are packed.
unsafe extern "C" fn heal_call(id: u64, arguments: *mut *mut c_void) {
    let active = ACTIVE.load(Ordering::Acquire);
    assert!(
        !active.is_null(),
        "a healed call ran without the self-healing runtime"
    );
    // SAFETY: `ACTIVE` points at the live `SelfHeal` (cleared before it is dropped).
    let outcome = unsafe { &*active }.handle(id as usize, arguments);
    if let Err(trap) = outcome {
        // SAFETY: this frame owns nothing to drop, and the frames between here and the guarded
        // call above are JIT code.
        unsafe { guard::rethrow(trap) }
    }
}

enum Outcome {
    Repaired(Box<Found>),
    Failed(String),
    /// This is a trial child, with the candidate in place and the call done.
    TrialPassedCall,
}

impl<'j> SelfHeal<'j> {
    /// Starts self-healing for the program in `jit` (whose functions are `program`): the worker
    /// starts in `scope`. Calls are healed until the result is dropped.
    pub fn start<'scope>(
        scope: &'scope Scope<'scope, 'j>,
        jit: &'j Jit,
        program: &[FunctionInfo],
        globals: &[MutableGlobal],
        setup: WorkerSetup,
        options: HealOptions,
    ) -> Result<Box<Self>, JitError> {
        let mut functions = Vec::new();
        let mut slots = Vec::new();
        let global = |name: &String| {
            let bytes = globals.iter().find(|g| g.name == *name)?.bytes;
            Some((jit.address(name).ok()?, bytes))
        };
        let mut initial_globals = Checkpoint::default();
        for (address, bytes) in globals.iter().filter_map(|g| global(&g.name)) {
            // SAFETY: the JIT resolved the global, which is `bytes` long and lives as long as it.
            unsafe { initial_globals.add_region(address as *mut u8, bytes) };
        }
        for name in jit.healed_functions() {
            let info = program.iter().find(|f| f.name == name);
            let types = info.map(|f| f.parameters.clone()).unwrap_or_default();
            functions.push(Healed {
                packed: jit.packed_address(&name)?,
                parameters: types.iter().map(|t| Parameter::of(t)).collect(),
                types,
                globals: info
                    .map(|f| f.globals.iter().filter_map(global).collect())
                    .unwrap_or_default(),
                name: name.clone(),
            });
            if let Some(slot) = jit.slot(&name) {
                slots.push((name, slot));
            }
        }
        let output = match ShownOutput::install(options.output) {
            Ok(output) => Some(output),
            Err(error) => {
                tracing::warn!(
                    "the output is not recorded ({error}): a failed check in the entry point will not be healed"
                );
                None
            }
        };
        let entry = setup.entry.clone();
        let heal = Box::new(Self {
            jit,
            functions,
            slots,
            program: program.to_vec(),
            worker: RepairWorker::spawn(scope, jit, setup),
            options,
            attempts: Mutex::default(),
            entry,
            initial_globals,
            output,
            failed: Mutex::new(None),
        });
        let pointer: *const SelfHeal<'j> = &*heal;
        ACTIVE.store(pointer.cast_mut().cast(), Ordering::Release);
        Ok(heal)
    }

    /// The arguments of the innermost call that failed for good (no repair), if it was a call
    /// of `function`; taken, so that the next failure records its own.
    pub fn take_failed_call(
        &self,
        function: &str,
    ) -> Option<Vec<tensorlang_checks::failure::ArgumentRecord>> {
        match self.failed.lock().expect("lock").take() {
            Some((name, arguments)) if name == function => Some(arguments),
            _ => None,
        }
    }

    /// Every attempt so far.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.attempts.lock().expect("lock").clone()
    }

    /// Asks the worker and runs the trials it sends until it is done: in a forked child, each
    /// candidate is swapped in and `trial` runs (and ends the child, or returns
    /// [`Outcome::TrialPassedCall`] for the child to go on with the program).
    fn repair(&self, job: Job, expected: Expected, trial: &dyn Fn() -> Outcome) -> Outcome {
        if self.worker.jobs.send(job).is_err() {
            return Outcome::Failed("the repair worker stopped".into());
        }
        loop {
            let event = self.worker.events.recv();
            // The worker ran LLVM (and may have opened the model) meanwhile, either of which may
            // install signal handlers in place of the guard's: the next guarded call checks.
            guard::handlers_may_have_changed();
            match event {
                Err(_) => return Outcome::Failed("the repair worker stopped".into()),
                Ok(Event::Done(Ok(found))) => return Outcome::Repaired(found),
                Ok(Event::Done(Err(error))) => return Outcome::Failed(error),
                Ok(Event::Trial {
                    function: replaced,
                    address,
                }) => {
                    let slot = self.slots.iter().find(|(name, _)| *name == replaced);
                    let pace =
                        self.functions
                            .iter()
                            .position(|f| f.name == replaced)
                            .map(|function| trial::pace::Trial {
                                function,
                                name: replaced.clone(),
                                max_slowdown: self.options.max_slowdown,
                            });
                    let forked =
                        slot.map(|_| trial::fork(self.options.trial_limit, expected.clone(), pace));
                    let verdict = match (slot, forked) {
                        (None, _) | (_, None) => Err(format!("'{replaced}' has no slot")),
                        (_, Some(Err(error))) => Err(format!("cannot fork a trial: {error}")),
                        (Some((_, slot)), Some(Ok(trial::Side::Child))) => {
                            slot.swap(address);
                            return trial();
                        }
                        (Some(_), Some(Ok(trial::Side::Parent(verdict)))) => verdict,
                    };
                    if self.worker.verdicts.send(verdict).is_err() {
                        return Outcome::Failed("the repair worker stopped".into());
                    }
                }
            }
        }
    }

    fn describe(&self, trap: &Trap, function: &Healed) -> Failure {
        tensorlang_jit::failure::from_trap(trap, &function.name, self.jit, &self.program, 0)
    }

    fn report_swap(
        &self,
        resumed_call: &str,
        repair: &tensorlang_repair::Repair,
        resumed: Duration,
    ) {
        let location = self
            .program
            .iter()
            .find(|f| f.name == repair.function)
            .map_or("loc(unknown)", |f| f.location.as_str());
        eprintln!(
            "{location}: remark: self-heal: repaired '{}' ({} strategy {}: {}); verified: {}; swapped in, '{}' resumed {:.2} ms after the failure",
            repair.function,
            repair.source,
            repair.strategy,
            repair.change,
            repair.verification,
            resumed_call,
            resumed.as_secs_f64() * 1e3
        );
    }

    fn record(
        &self,
        function: &Healed,
        failure: Failure,
        repair: Option<SwappedRepair>,
        error: Option<String>,
    ) {
        self.record_call(&function.name, failure, repair, error);
    }

    fn record_entry(&self, failure: Failure, repair: Option<SwappedRepair>, error: Option<String>) {
        self.record_call(&self.entry, failure, repair, error);
    }

    fn record_call(
        &self,
        call: &str,
        failure: Failure,
        repair: Option<SwappedRepair>,
        error: Option<String>,
    ) {
        self.attempts.lock().expect("lock").push(Attempt {
            call: call.to_owned(),
            failure,
            repair,
            error,
        });
    }
}

impl Drop for SelfHeal<'_> {
    fn drop(&mut self) {
        ACTIVE.store(std::ptr::null_mut(), Ordering::Release);
    }
}
