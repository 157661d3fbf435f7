//! A failed call of a replaceable function: its checkpoint restored, repaired, swapped and run
//! again, as [`SelfHeal`]'s module docs describe.
//!
//! Every call of a replaceable function comes here, so a call that does not fail costs only
//! what it must: its checkpoint is a copy of what it may write into storage kept per thread and
//! call depth (no allocation once a call at that depth saved as much), and it runs as a nested
//! guarded call (no system call, see [`tensorlang_jit::guard`]).

use std::cell::{Cell, UnsafeCell};
use std::ffi::c_void;
use std::time::Instant;
use tensorlang_repair::RepairSource;

use super::trial::{self, Expected};
use super::worker::Job;
use super::{Checkpoint, Healed, Outcome, SelfHeal, SwappedRepair};
use tensorlang_jit::failure::Failure;
use tensorlang_jit::guard::{self, Callee, Trap};

/// The checkpoints of the healed calls under way on one thread, innermost last
/// (`saved[..depth]`); the entries past `depth` are storage kept for the next calls. Boxed, so
/// that a checkpoint stays where it is while deeper calls add entries.
struct Checkpoints {
    #[expect(
        clippy::vec_box,
        reason = "the boxes keep each checkpoint in place while the vector grows"
    )]
    saved: UnsafeCell<Vec<Box<Checkpoint>>>,
    depth: Cell<usize>,
}

thread_local! {
    static CHECKPOINTS: Checkpoints = const {
        Checkpoints {
            saved: UnsafeCell::new(Vec::new()),
            depth: Cell::new(0),
        }
    };
}

/// The checkpoint of one healed call under way, taken from its thread's [`Checkpoints`] and
/// given back when it is dropped (the call's frame is never jumped over: a failure inside the
/// call ends at its own guarded call).
struct CallCheckpoint {
    checkpoint: *const Checkpoint,
}

impl CallCheckpoint {
    fn get(&self) -> &Checkpoint {
        // SAFETY: the entry at this call's depth, boxed, is not touched by deeper calls and is
        // freed only with the thread.
        unsafe { &*self.checkpoint }
    }
}

impl Drop for CallCheckpoint {
    fn drop(&mut self) {
        CHECKPOINTS.with(|calls| calls.depth.set(calls.depth.get() - 1));
    }
}

impl SelfHeal<'_> {
    /// Saves what a call of `function` may change: the buffers its arguments reach and the
    /// globals it can reach.
    ///
    /// # Safety
    ///
    /// `arguments` must be the packed arguments of a live call of `function`.
    unsafe fn checkpoint(&self, function: &Healed, arguments: *mut *mut c_void) -> CallCheckpoint {
        CHECKPOINTS.with(|calls| {
            let depth = calls.depth.get();
            // SAFETY: only this thread reaches its stack, and no reference into the vector
            // outlives this closure (the boxes' contents are reached through `CallCheckpoint`).
            let saved = unsafe { &mut *calls.saved.get() };
            if saved.len() == depth {
                saved.push(Box::default());
            }
            let checkpoint = &mut *saved[depth];
            // SAFETY: the caller's contract.
            unsafe { checkpoint.retake(&function.parameters, arguments) };
            for &(address, bytes) in &function.globals {
                // SAFETY: a global of the program (see `SelfHeal::start`).
                unsafe { checkpoint.add_region(address as *mut u8, bytes) };
            }
            calls.depth.set(depth + 1);
            CallCheckpoint { checkpoint }
        })
    }

    fn note_attempt(&self, failure: &Failure, attempt: usize, restored: usize, saved: &Checkpoint) {
        eprintln!(
            "{}: note: self-heal: attempt {attempt} of {}: restored {restored} bytes the call changed (of {} saved){}; repairing",
            failure.location,
            self.options.attempts,
            saved.bytes(),
            if saved.incomplete {
                " (some arguments could not be saved)"
            } else {
                ""
            }
        );
    }

    /// Keeps the arguments of a call that failed for good, if no call inside it did first.
    ///
    /// # Safety
    ///
    /// `arguments` must be the packed arguments of the live call of `function` that
    /// `checkpoint` was taken for when it began.
    unsafe fn keep_failed_call(
        &self,
        function: &Healed,
        arguments: *mut *mut c_void,
        checkpoint: &Checkpoint,
    ) {
        let mut failed = self.failed.lock().expect("lock");
        if failed.is_none() {
            // SAFETY: the caller's contract.
            let records =
                unsafe { super::arguments::records(&function.types, arguments, checkpoint) };
            *failed = Some((function.name.clone(), records));
        }
    }

    pub(super) fn call(&self, function: &Healed, arguments: *mut *mut c_void) -> Result<(), Trap> {
        // SAFETY: the packed wrapper takes exactly the packed arguments the stub built.
        unsafe { guard::call(&mut Callee::Packed(function.packed, arguments), None) }
    }

    /// A call of replaceable function `id` (see the module docs of [`super`]).
    pub(super) fn handle(&self, id: usize, arguments: *mut *mut c_void) -> Result<(), Trap> {
        let function = &self.functions[id];
        // Completed calls are timed, for the pace check of trials (see `trial::pace`).
        let call = || trial::pace::timed(id, || self.call(function, arguments));
        if trial::in_trial() {
            return call()
                .or_else(|trap| trial::finish(Err(self.describe(&trap, function).to_string())));
        }
        // SAFETY: the stub packed the arguments of this very call.
        let saved = unsafe { self.checkpoint(function, arguments) };
        let checkpoint = saved.get();
        let mut attempts = 0;
        let mut skip_cache = false;
        loop {
            let trap = match call() {
                Ok(()) => return Ok(()),
                Err(trap @ Trap::Timeout { .. }) => return Err(trap),
                Err(trap) => trap,
            };
            let failed_at = Instant::now();
            let failure = self.describe(&trap, function);
            trial::flush_output();
            eprintln!("{failure}");
            if attempts == self.options.attempts {
                eprintln!(
                    "{}: error: self-heal: gave up on '{}' after {attempts} repairs; the failure goes on to its caller",
                    failure.location, function.name
                );
                self.record(function, failure, None, Some("attempts exhausted".into()));
                // SAFETY: the caller of this call, which packed its arguments, is waiting.
                unsafe { self.keep_failed_call(function, arguments, checkpoint) };
                return Err(trap);
            }
            attempts += 1;
            let call = FailedCall {
                function,
                arguments,
                checkpoint,
                failed_at,
            };
            match self.repair_call(&call, failure, attempts, skip_cache) {
                CallRepair::Passed => return Ok(()),
                CallRepair::Swapped { from_cache } => skip_cache = from_cache,
                CallRepair::GaveUp => {
                    // SAFETY: as above.
                    unsafe { self.keep_failed_call(function, arguments, checkpoint) };
                    return Err(trap);
                }
            }
        }
    }

    /// Attempt `attempt` at repairing the failed call: restores what it changed, has the worker
    /// find a verified repair (the trial runs the call again, then the rest of the run), and
    /// swaps it in. The call then runs again from the checkpoint.
    fn repair_call(
        &self,
        call: &FailedCall,
        failure: Failure,
        attempt: usize,
        skip_cache: bool,
    ) -> CallRepair {
        let FailedCall {
            function,
            arguments,
            checkpoint,
            failed_at,
        } = *call;
        // SAFETY: the buffers belong to the caller of this call, which is waiting.
        let restored = unsafe { checkpoint.restore() };
        self.note_attempt(&failure, attempt, restored, checkpoint);
        let trial = || {
            // SAFETY: the child's copy of the caller's buffers.
            unsafe { checkpoint.restore() };
            match self.call(function, arguments) {
                Ok(()) => Outcome::TrialPassedCall,
                Err(trap) => trial::finish(Err(self.describe(&trap, function).to_string())),
            }
        };
        // A failure deeper down (a call inside this one whose own repair gave up) may be this
        // function's fault: the search starts from the function this call is for.
        let mut searched = failure.clone();
        searched.function = function.name.clone();
        let job = Job {
            failure: searched,
            skip_cache,
            entry: false,
            trial_cached: false,
        };
        match self.repair(job, Expected::Anything, &trial) {
            Outcome::TrialPassedCall => CallRepair::Passed,
            Outcome::Failed(error) => {
                eprintln!(
                    "{}: error: self-heal: no verified repair: {error}",
                    failure.location
                );
                self.record(function, failure, None, Some(error));
                CallRepair::GaveUp
            }
            Outcome::Repaired(found) => {
                let repair = &found.repair;
                if let Err(error) = self.jit.activate(&repair.function, found.key) {
                    self.record(function, failure, None, Some(error.to_string()));
                    return CallRepair::GaveUp;
                }
                // SAFETY: as above.
                let restored = restored + unsafe { checkpoint.restore() };
                let resumed_after = failed_at.elapsed();
                self.report_swap(&function.name, repair, resumed_after);
                let swapped = SwappedRepair::new(repair, resumed_after, restored);
                self.record(function, failure, Some(swapped), None);
                CallRepair::Swapped {
                    from_cache: repair.source == RepairSource::Cache,
                }
            }
        }
    }
}

/// The call that failed, as its repair needs it.
#[derive(Clone, Copy)]
struct FailedCall<'a> {
    function: &'a Healed,
    /// Its packed arguments.
    arguments: *mut *mut c_void,
    /// What it may change, saved before it ran.
    checkpoint: &'a Checkpoint,
    /// When it failed.
    failed_at: Instant,
}

/// How an attempt at repairing a failed call ended.
enum CallRepair {
    /// The trial child ran the call and the rest of the run (this is the child).
    Passed,
    /// A repair is in place; the call runs again. A cached one that fails again leaves the
    /// cache out of the next attempt.
    Swapped {
        /// The repair came from the cache.
        from_cache: bool,
    },
    /// No repair: the failure goes on to the caller.
    GaveUp,
}
