//! The pace check of a trial: a candidate that passes every check but runs the replaced
//! function's calls much slower than the program ran them is turned away, with by how much.
//!
//! What is compared, and why it is fair:
//! - **the same calls.** The program times every completed call of each healed function as it
//!   runs ([`timed`]); a trial child inherits those totals at the fork. The child runs the failed
//!   call and the rest of the run, then the entry point again from the start (an entry trial
//!   only the latter), and it is this run from the start that replays, in order, the calls the
//!   program made before the failure. The child times the replaced function's first `n` calls
//!   there, `n` being how many the program completed, and compares their total with the
//!   program's. The failed call itself is not compared: the original never finished it.
//! - **what each side is measured with.** The program measures wall-clock time, the trial child
//!   its own thread's CPU time (a system call, paid only by the measured calls of a trial). On a
//!   busy machine the program's wall clock can only be longer than its CPU time, and the child's
//!   CPU time does not count the time it waited for a core: every error of the comparison is on
//!   the candidate's side.
//! - **what the program pays.** A read of the clock costs 20 ns and more (far more in some
//!   virtual machines), against a few for the rest of a healed call: the program times its first
//!   [`EXACT`] calls of a function, then one in [`SAMPLE`], each of those standing for the
//!   [`SAMPLE`] calls from it on. Every call is counted. The total is then an estimate from a
//!   systematic sample of the very calls compared, exact for a function called fewer than
//!   [`EXACT`] times; a call that only starts a block of [`SAMPLE`] still counts for all of it,
//!   which makes the program look slower, again on the candidate's side.
//! - **noise.** A candidate is turned away only when it is more than the factor slower *and*
//!   slower by at least [`MIN_EXCESS`] in all: a few milliseconds are not worth a repair, and
//!   below that, page faults of the fresh fork and the timer's own cost dominate.
//! - **nothing to compare with.** When the program completed no call of the function before the
//!   failure (the first call failed), there is no fair baseline: the original's failed call
//!   stopped early, and a fix that does all the work would look slow against it. The trial's
//!   time limit (`--heal-trial-limit`) is then the only bound.
//!
//! When the run from the start makes fewer calls than the program did, its calls are compared
//! with the program's average per call; once it has made as many, the comparison is made and
//! the calls after are not timed. A candidate whose calls so far already took more than the
//! factor times all the program's calls fails at once, without waiting for the rest.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The default of `--heal-max-slowdown`.
pub const DEFAULT_MAX_SLOWDOWN: f64 = 50.0;

/// How much slower in all a candidate must be on the compared calls to be turned away (besides
/// being the factor slower).
pub const MIN_EXCESS: Duration = Duration::from_millis(10);

/// How many healed functions are timed (by index); a program with more has the rest unchecked.
const FUNCTIONS: usize = 4096;

/// The program times this many calls of each function one by one (see the module docs)...
pub const EXACT: u64 = 1024;
/// ...then one in this many.
pub const SAMPLE: u64 = 256;

/// The program's completed calls of one function, and their total time.
struct Totals {
    calls: AtomicU64,
    nanos: AtomicU64,
}

/// Per healed function, in the program (and, frozen at the fork, in a trial child).
static PROGRAM: [Totals; FUNCTIONS] = [const {
    Totals {
        calls: AtomicU64::new(0),
        nanos: AtomicU64::new(0),
    }
}; FUNCTIONS];

/// What a trial child times: the replaced function and how much slower it may be.
#[derive(Debug, Clone)]
pub struct Trial {
    /// The healed function's index (as calls of it are [`timed`]).
    pub function: usize,
    /// Its name, for the rejection.
    pub name: String,
    /// How many times slower than the program it may run the same calls (0: any).
    pub max_slowdown: f64,
}

/// In a trial child: the function timed, if any (`usize::MAX`: none).
static TIMED: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Whether its calls are timed now (in the run from the start, until as many as the program's).
static TIMING: AtomicBool = AtomicBool::new(false);
static CANDIDATE_CALLS: AtomicU64 = AtomicU64::new(0);
static CANDIDATE_NANOS: AtomicU64 = AtomicU64::new(0);
/// The trial, and the program's calls and time at the fork.
static BASELINE: Mutex<Option<(Trial, u64, u64)>> = Mutex::new(None);

/// Runs `call`, a call of healed function `function`, and times it: in the program, a completed
/// call adds to the function's totals; in a trial child, a completed call of the replaced
/// function during the run from the start counts against the program's (see the module docs),
/// and the child fails as soon as the candidate is too slow.
pub fn timed<E>(function: usize, call: impl FnOnce() -> Result<(), E>) -> Result<(), E> {
    if super::in_trial() {
        if TIMED.load(Ordering::Relaxed) != function || !TIMING.load(Ordering::Relaxed) {
            return call();
        }
        let started = thread_cpu();
        let outcome = call();
        if outcome.is_ok() {
            candidate_call(thread_cpu().saturating_sub(started));
        }
        return outcome;
    }
    let Some(totals) = PROGRAM.get(function) else {
        return call();
    };
    // Which call this is, by the completed calls before it: the same count in a trial's run from
    // the start picks the same calls.
    let index = totals.calls.load(Ordering::Relaxed);
    let weight = match index.checked_sub(EXACT) {
        None => 1,
        Some(after) if after % SAMPLE == 0 => SAMPLE,
        Some(_) => 0,
    };
    let started = (weight > 0).then(Instant::now);
    let outcome = call();
    if outcome.is_ok() {
        // A load and a store, not an atomic add (several times the cost of the rest of the
        // count): calls of one function on several threads at once may lose a count, which only
        // blurs the comparison.
        let calls = totals.calls.load(Ordering::Relaxed);
        totals.calls.store(calls + 1, Ordering::Relaxed);
        if let Some(started) = started {
            let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            totals
                .nanos
                .fetch_add(nanos.saturating_mul(weight), Ordering::Relaxed);
        }
    }
    outcome
}

/// In a fresh trial child: times `trial`'s function from now (`from_start`: the child runs the
/// entry from the start right away) or from [`rerun_started`].
pub(super) fn start(trial: Trial, from_start: bool) {
    let Some(totals) = PROGRAM.get(trial.function) else {
        return;
    };
    let calls = totals.calls.load(Ordering::Relaxed);
    let nanos = totals.nanos.load(Ordering::Relaxed);
    if calls == 0 || trial.max_slowdown <= 0.0 {
        return;
    }
    TIMED.store(trial.function, Ordering::Relaxed);
    if let Ok(mut baseline) = BASELINE.lock() {
        *baseline = Some((trial, calls, nanos));
    }
    TIMING.store(from_start, Ordering::Relaxed);
}

/// In a trial child: the run of the entry from the start begins.
pub(super) fn rerun_started() {
    if TIMED.load(Ordering::Relaxed) != usize::MAX {
        TIMING.store(true, Ordering::Relaxed);
    }
}

/// A completed call of the candidate, `nanos` of CPU time, during the run from the start.
fn candidate_call(nanos: u64) {
    let calls = CANDIDATE_CALLS.fetch_add(1, Ordering::Relaxed) + 1;
    let total = CANDIDATE_NANOS.fetch_add(nanos, Ordering::Relaxed) + nanos;
    let Some((trial, program_calls, program_nanos)) = baseline() else {
        return;
    };
    let compared = if calls >= program_calls {
        // As many calls as the program made: the comparison, and the last call timed.
        TIMING.store(false, Ordering::Relaxed);
        Compared::Same
    } else {
        // Fewer so far, against all the program's: a bound, which fails only a runaway early.
        Compared::FirstOf(calls)
    };
    if let Err(why) = compare(&trial, compared, total, program_calls, program_nanos) {
        super::finish(Err(why));
    }
}

/// At the end of a trial that passed every check: whether the candidate kept pace.
///
/// # Errors
/// How much slower it was, when too slow.
pub(super) fn verdict() -> Result<(), String> {
    let calls = CANDIDATE_CALLS.load(Ordering::Relaxed);
    let Some((trial, program_calls, program_nanos)) = baseline() else {
        return Ok(());
    };
    if calls == 0 || calls >= program_calls {
        return Ok(());
    }
    // Fewer calls than the program made: against its average per call.
    let scaled = (program_nanos as f64 * calls as f64 / program_calls as f64) as u64;
    let total = CANDIDATE_NANOS.load(Ordering::Relaxed);
    compare(&trial, Compared::Fewer(calls), total, program_calls, scaled)
}

fn baseline() -> Option<(Trial, u64, u64)> {
    BASELINE.lock().ok()?.clone()
}

/// Which of the program's calls the candidate's are compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compared {
    /// As many as the program made, with all of them.
    Same,
    /// The first so many (fewer than the program's), with all the program's.
    FirstOf(u64),
    /// All the trial made (fewer than the program's), with as many at the program's average.
    Fewer(u64),
}

/// Whether the candidate's calls (`compared`, `nanos` in all) kept pace with the program's
/// `program_calls` calls, `program_nanos` in all (for [`Compared::Fewer`]: for as many calls).
fn compare(
    trial: &Trial,
    compared: Compared,
    nanos: u64,
    program_calls: u64,
    program_nanos: u64,
) -> Result<(), String> {
    let slowdown = nanos as f64 / program_nanos.max(1) as f64;
    let excess = Duration::from_nanos(nanos.saturating_sub(program_nanos));
    if slowdown <= trial.max_slowdown || excess < MIN_EXCESS {
        return Ok(());
    }
    let name = &trial.name;
    let (took, program) = (
        show(Duration::from_nanos(nanos)),
        show(Duration::from_nanos(program_nanos)),
    );
    let (bound, which) = match compared {
        Compared::Same => (
            "",
            format!(
                "the {program_calls} calls of '{name}' the program made before the failure: {took} of CPU time in the trial, against {program} as the program ran them"
            ),
        ),
        Compared::FirstOf(calls) => (
            "at least ",
            format!(
                "the first {calls} of the {program_calls} calls of '{name}' the program made before the failure took {took} of CPU time in the trial, while all {program_calls} took {program} as the program ran them"
            ),
        ),
        Compared::Fewer(calls) => (
            "",
            format!(
                "the trial made {calls} of the {program_calls} calls of '{name}' the program made before the failure: {took} of CPU time, against {program} for as many at the program's average"
            ),
        ),
    };
    Err(format!(
        "{bound}{}x slower than the original on the same calls ({which}; limit {}x)",
        round(slowdown),
        round(trial.max_slowdown)
    ))
}

/// A factor as people write it: `3400`, `52`, `7.5`.
fn round(factor: f64) -> String {
    if factor >= 10.0 {
        format!("{factor:.0}")
    } else {
        let text = format!("{factor:.1}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
    }
}

/// A duration as people read it: `1.25 s`, `210.3 ms`, `61.2 µs`, `800 ns`.
fn show(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.1} ms", seconds * 1e3)
    } else if seconds >= 1e-6 {
        format!("{:.1} µs", seconds * 1e6)
    } else {
        format!("{} ns", duration.as_nanos())
    }
}

/// This thread's CPU time, in nanoseconds.
fn thread_cpu() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes the clock's value into our own struct.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (now.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(now.tv_nsec as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(max_slowdown: f64) -> Trial {
        Trial {
            function: 0,
            name: "scale".into(),
            max_slowdown,
        }
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn a_candidate_much_slower_on_the_same_calls_is_turned_away_with_the_factor() {
        let why = compare(&trial(50.0), Compared::Same, 340 * MS, 4, MS / 10).unwrap_err();
        assert_eq!(
            why,
            "3400x slower than the original on the same calls (the 4 calls of 'scale' the program made before the failure: 340.0 ms of CPU time in the trial, against 100.0 µs as the program ran them; limit 50x)"
        );
        let early = compare(&trial(50.0), Compared::FirstOf(1), 85 * MS, 4, MS / 10);
        assert!(early.unwrap_err().starts_with("at least 850x slower"));
    }

    #[test]
    fn a_small_or_cheap_slowdown_is_kept() {
        // Within the factor.
        assert!(compare(&trial(50.0), Compared::Same, 40 * MS, 4, MS).is_ok());
        // Far slower, but by less than `MIN_EXCESS` in all: noise, or not worth a repair.
        assert!(compare(&trial(50.0), Compared::Same, 5 * MS, 4, 1000).is_ok());
        assert_eq!(round(7.25), "7.2");
        assert_eq!(round(2.0), "2");
    }

    #[test]
    fn program_calls_are_timed_when_they_complete() {
        let function = FUNCTIONS - 1;
        let before = PROGRAM[function].calls.load(Ordering::Relaxed);
        let _ = timed(function, || Ok::<(), ()>(()));
        let _ = timed(function, || Err::<(), ()>(()));
        assert_eq!(PROGRAM[function].calls.load(Ordering::Relaxed), before + 1);
        // Past the first `EXACT` calls, one in `SAMPLE` is timed, standing for `SAMPLE` calls.
        let function = FUNCTIONS - 2;
        for _ in 0..EXACT + 2 * SAMPLE {
            let _ = timed(function, || Ok::<(), ()>(()));
        }
        assert_eq!(
            PROGRAM[function].calls.load(Ordering::Relaxed),
            EXACT + 2 * SAMPLE
        );
        let nanos = PROGRAM[function].nanos.load(Ordering::Relaxed);
        let sleepy = FUNCTIONS - 3;
        for _ in 0..EXACT + 2 * SAMPLE {
            let _ = timed(sleepy, || {
                std::thread::sleep(Duration::from_micros(1));
                Ok::<(), ()>(())
            });
        }
        // Sleeping calls counted at least their sleep: the samples stand for the calls between.
        let slept = PROGRAM[sleepy].nanos.load(Ordering::Relaxed);
        assert!(slept >= (EXACT + 2 * SAMPLE) * 1000, "{slept} ns");
        assert!(nanos < slept);
        // A function past the table runs untimed.
        assert_eq!(timed(FUNCTIONS, || Ok::<(), ()>(())), Ok(()));
    }
}
