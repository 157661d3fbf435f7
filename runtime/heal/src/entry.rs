//! Healing a failed check in the entry point itself: the usual shape of a test driver, whose
//! `cf.assert`s on what `@target` returned are the specification.
//!
//! The entry point is never replaced, and its frame is gone once the failure reaches the runner,
//! so the repair is of the functions the failed check depends on (the engine's suspects), and the
//! program goes on by running the entry again from the start, as if the fix had been there from
//! the beginning:
//! 1. the output shown so far is taken from the [`ShownOutput`] recorder;
//! 2. each candidate runs in a forked trial: swapped in, the mutable globals put back as they were
//!    before the entry first ran, the entry run again; it passes when every check passes and its
//!    output begins with exactly what was shown (a fix may not change what the user has read);
//! 3. the winner is swapped in, the globals are put back, the output the failed run held back is
//!    dropped, and the entry runs again with the output already shown swallowed.

use std::time::Instant;
use tensorlang_repair::RepairSource;

use super::trial::{self, Expected};
use super::worker::{Found, Job};
use super::{Outcome, SelfHeal, SwappedRepair};
use tensorlang_jit::failure::Failure;
use tensorlang_jit::guard::Trap;
use tensorlang_jit::jit::{EntryValue, JitError};

/// One run of the entry point, as the runner makes it.
pub type EntryRun<'a> = dyn Fn() -> Result<Result<EntryValue, Trap>, JitError> + 'a;

impl SelfHeal<'_> {
    /// Runs the entry point with `run`; when a check in the entry itself fails, repairs what it
    /// depends on and runs the entry again (see the module docs), at most `attempts` times.
    ///
    /// # Errors
    /// What `run` returns as an error (the entry cannot be called).
    pub fn run_entry(&self, run: &EntryRun) -> Result<Result<EntryValue, Trap>, JitError> {
        let mut attempts = 0;
        let mut skip_cache = false;
        loop {
            let outcome = run()?;
            if trial::in_trial() {
                if outcome.is_ok() && trial::take_rerun() {
                    // SAFETY: the program's globals, which live as long as the JIT.
                    unsafe { self.initial_globals.restore() };
                    continue;
                }
                return Ok(outcome);
            }
            let trap = match outcome {
                Ok(value) => {
                    self.release_output();
                    return Ok(Ok(value));
                }
                Err(trap) => trap,
            };
            let failure =
                tensorlang_jit::failure::from_trap(&trap, &self.entry, self.jit, &self.program, 0);
            let healable = failure.function == self.entry
                && !matches!(trap, Trap::Timeout { .. })
                && self.functions.iter().any(|f| f.name != self.entry);
            let Some(output) = self.output.filter(|_| healable) else {
                self.release_output();
                return Ok(Err(trap));
            };
            let failed_at = Instant::now();
            trial::flush_output();
            eprintln!("{failure}");
            if attempts == self.options.attempts {
                eprintln!(
                    "{}: error: self-heal: gave up on the entry point '{}' after {attempts} repairs",
                    failure.location, self.entry
                );
                self.record_entry(failure, None, Some("attempts exhausted".into()));
                self.release_output();
                return Ok(Err(trap));
            }
            attempts += 1;
            let shown = output.shown();
            eprintln!(
                "{}: note: self-heal: attempt {attempts} of {}: the failed check is in the entry point; repairing what it depends on, then running '{}' again from the start ({} bytes of output shown already are not shown again)",
                failure.location,
                self.options.attempts,
                self.entry,
                shown.len()
            );
            let found = match self.search(&failure, &shown, skip_cache, run) {
                Ok(found) => found,
                Err(error) => {
                    eprintln!(
                        "{}: error: self-heal: no verified repair: {error}",
                        failure.location
                    );
                    self.record_entry(failure, None, Some(error));
                    self.release_output();
                    return Ok(Err(trap));
                }
            };
            let repair = &found.repair;
            if let Err(error) = self.jit.activate(&repair.function, found.key) {
                self.record_entry(failure, None, Some(error.to_string()));
                self.release_output();
                return Ok(Err(trap));
            }
            // SAFETY: as above.
            let restored = unsafe { self.initial_globals.restore() };
            output.drop_held();
            output.replay(shown);
            let resumed_after = failed_at.elapsed();
            skip_cache = repair.source == RepairSource::Cache;
            self.report_swap(&self.entry, repair, resumed_after);
            let swapped = SwappedRepair::new(repair, resumed_after, restored);
            self.record_entry(failure, Some(swapped), None);
        }
    }

    /// Asks the worker for a repair of `failure`, each candidate's trial running the entry again
    /// from the start and having to print `shown` first.
    fn search(
        &self,
        failure: &Failure,
        shown: &[u8],
        skip_cache: bool,
        run: &EntryRun,
    ) -> Result<Box<Found>, String> {
        let trial = || {
            // SAFETY: the program's globals, which live as long as the JIT.
            unsafe { self.initial_globals.restore() };
            let outcome = run()
                .map_err(|error| error.to_string())
                .and_then(|outcome| {
                    outcome.map(|_| ()).map_err(|trap| {
                        tensorlang_jit::failure::from_trap(
                            &trap,
                            &self.entry,
                            self.jit,
                            &self.program,
                            0,
                        )
                        .to_string()
                    })
                });
            trial::finish(outcome)
        };
        let job = Job {
            failure: failure.clone(),
            skip_cache,
            entry: true,
            // Shown output cannot be taken back: a cached repair must reproduce it first.
            trial_cached: !shown.is_empty(),
        };
        match self.repair(job, Expected::Output(shown.to_vec()), &trial) {
            Outcome::Repaired(found) => Ok(found),
            Outcome::Failed(error) => Err(error),
            // Only a trial child could get this, and an entry trial ends in `trial::finish`.
            Outcome::TrialPassedCall => Err("a trial child went on past its trial".into()),
        }
    }

    /// Shows the output held back: the entry finished (or failed for good), so it is what the
    /// program printed.
    pub fn release_output(&self) {
        if let Some(output) = self.output.filter(|_| !trial::in_trial()) {
            output.release_held();
        }
    }

    /// Whether a run of the entry after a repair printed something else than what it had shown.
    pub fn output_diverged(&self) -> bool {
        self.output.is_some_and(|output| output.diverged())
    }

    /// Forwards the rest of the program's output and gives the real output back.
    pub fn finish_output(&self) {
        if let Some(output) = self.output {
            output.uninstall();
        }
    }
}
