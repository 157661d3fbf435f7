//! Trial runs of a candidate in a forked copy of the running program.
//!
//! The fork happens on the program's thread, inside the call that failed, so the child holds
//! the program exactly as it was: it swaps the candidate in, runs the failed call again and
//! goes on to the end of the program. Every check on the way must pass. The child's output goes
//! to `/dev/null`; its verdict comes back on its channel (a `tensorlang-isolate` child: it dies
//! with the program, however the program ends, `SIGKILL` included); the parent waits (with a
//! time limit) and the program itself never runs unverified code.
//!
//! A trial of a repair for a failure in the entry point runs the entry again from the start
//! instead ([`Expected::Output`]): its output goes to a memory file, and it passes only when it
//! begins with exactly what the program has shown already, which a run after the swap will not
//! show again.
//!
//! A child that runs the replaced function's calls much slower than the program ran them fails
//! too ([`pace`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tensorlang_isolate::child::Output;
use tensorlang_isolate::{Forked, Options, Outcome, Reply};

pub mod pace;

static IN_TRIAL: AtomicBool = AtomicBool::new(false);
/// In a child of a trial that went on from the failed call: the entry point still has to run
/// again from the start (see [`take_rerun`]).
static RERUN_FROM_START: AtomicBool = AtomicBool::new(false);
/// In a trial child: the channel its verdict goes back on.
static REPLY: Mutex<Option<Reply>> = Mutex::new(None);
/// In a child checking its output: the memory file it writes to and what must come first.
static OUTPUT_CHECK: Mutex<Option<(i32, Vec<u8>)>> = Mutex::new(None);

/// What a trial child's output must be.
#[derive(Debug, Clone)]
pub enum Expected {
    /// Anything: the trial goes on from the failed call, after the output shown so far.
    Anything,
    /// It must begin with these bytes: the trial runs the entry point again from the start.
    Output(Vec<u8>),
}

/// Whether this process is a trial child.
pub fn in_trial() -> bool {
    IN_TRIAL.load(Ordering::Relaxed)
}

/// In a trial child whose run went on from the failed call and finished: whether the entry point
/// is still to run once more from the start (true once).
pub fn take_rerun() -> bool {
    let rerun = RERUN_FROM_START.swap(false, Ordering::Relaxed);
    if rerun {
        pace::rerun_started();
    }
    rerun
}

/// Ends a trial child: exit status 0 when the program passed, else the failure goes to the
/// parent first.
pub fn finish(result: Result<(), String>) -> ! {
    let result = result
        .and_then(|()| check_output())
        .and_then(|()| pace::verdict());
    let reply = REPLY.lock().ok().and_then(|mut reply| reply.take());
    match reply {
        // A trial passes only by reaching this point, never by the program ending the process
        // early with status 0: the parent wants the answer, not the exit status.
        Some(reply) => reply.finish(result.as_ref().map(|()| &[][..]).map_err(String::as_str)),
        // SAFETY: `_exit` skips destructors and atexit handlers, which belong to the parent.
        None => unsafe { libc::_exit(1) },
    }
}

/// Which side of a fork this is.
pub enum Side {
    /// The child: swap the candidate in and go on; end with [`finish`].
    Child,
    /// The parent, after the child ended: `Ok` when it passed, else what failed.
    Parent(Result<(), String>),
}

/// With [`Expected::Output`], whether the child printed what the program showed already.
fn check_output() -> Result<(), String> {
    let Some((fd, expected)) = OUTPUT_CHECK.lock().ok().and_then(|mut check| check.take()) else {
        return Ok(());
    };
    flush_output();
    let mut printed = vec![0u8; expected.len()];
    // SAFETY: reading from the start of our own memory file into our own buffer.
    let read = unsafe { libc::pread(fd, printed.as_mut_ptr().cast(), printed.len(), 0) };
    let read = usize::try_from(read).unwrap_or(0);
    match printed[..read]
        .iter()
        .zip(&expected)
        .position(|(a, b)| a != b)
    {
        None if read == expected.len() => Ok(()),
        at => Err(format!(
            "the run printed something else than the program showed already (from byte {} of {})",
            at.unwrap_or(read),
            expected.len()
        )),
    }
}

/// Forks a trial child and, in the parent, waits for it for at most `limit`. The child dies with
/// the program ([`lifetime`]) and runs in [`TRIAL_MEMORY`] more address space than the program's;
/// `pace`, if given, is the replaced function whose calls the child times
/// ([`pace`](self::pace)).
pub fn fork(
    limit: Duration,
    expected: Expected,
    pace: Option<pace::Trial>,
) -> std::io::Result<Side> {
    let options = Options::new(limit)
        .memory(TRIAL_MEMORY)
        .stderr(Output::Null);
    flush_output();
    // SAFETY: the child only runs this thread's code: the program, the guard and `finish`.
    match unsafe { tensorlang_isolate::fork(&options) }? {
        Forked::Child(reply) => {
            IN_TRIAL.store(true, Ordering::Relaxed);
            if let Ok(mut slot) = REPLY.lock() {
                *slot = Some(reply);
            }
            let from_start = matches!(expected, Expected::Output(_));
            match expected {
                Expected::Output(bytes) => capture_output(bytes),
                Expected::Anything => RERUN_FROM_START.store(true, Ordering::Relaxed),
            }
            if let Some(trial) = pace {
                pace::start(trial, from_start);
            }
            Ok(Side::Child)
        }
        Forked::Parent(child) => Ok(Side::Parent(verdict(
            child.wait(&AtomicBool::new(false)),
            limit,
        ))),
    }
}

/// The verdict of a trial that ended so, under `limit`.
fn verdict(outcome: Outcome, limit: Duration) -> Result<(), String> {
    match outcome {
        Outcome::Finished(_) => Ok(()),
        Outcome::Failed(failure) => Err(failure),
        Outcome::TimedOut => Err(format!("did not finish within {} ms", limit.as_millis())),
        Outcome::Exited(0) => {
            Err("the program ended before the trial did (it exited on its own)".into())
        }
        Outcome::Exited(status) => Err(format!("the trial exited with status {status}")),
        Outcome::Signal(signal) => Err(format!("the trial died of signal {signal}")),
        Outcome::OutOfMemory => Err("the trial ran out of memory".into()),
        Outcome::Lost(why) => Err(why),
        Outcome::Cancelled => Err("the trial was cancelled".into()),
    }
}

/// Flushes Rust's and C's buffered output (and, when the output is recorded, waits until it is
/// shown), so that neither the child nor a diagnostic written next repeats or overtakes it.
pub fn flush_output() {
    super::output::flush_stdio();
    if !in_trial()
        && let Some(output) = super::output::ShownOutput::installed()
    {
        output.sync();
    }
}

/// How much more address space a trial child may take than the program had when it forked: a
/// candidate that allocates without end then fails its trial (an allocation fails, which the
/// checks catch) instead of pushing the machine, and the program with it, into the
/// out-of-memory killer.
const TRIAL_MEMORY: u64 = 4 << 30;

/// Sends the child's standard output to a memory file, checked by [`finish`].
fn capture_output(expected: Vec<u8>) {
    // SAFETY: a fresh memory file of our own, duplicated over descriptor 1.
    let fd = unsafe { libc::memfd_create(c"tensorlang-trial-output".as_ptr(), 0) };
    if fd >= 0 {
        // SAFETY: as above.
        unsafe { libc::dup2(fd, 1) };
    }
    if let Ok(mut check) = OUTPUT_CHECK.lock() {
        *check = Some((fd, expected));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(10);

    #[test]
    fn a_child_that_finishes_passes_and_one_that_fails_says_why() {
        match fork(LIMIT, Expected::Anything, None).unwrap() {
            Side::Child => finish(Ok(())),
            Side::Parent(verdict) => assert_eq!(verdict, Ok(())),
        }
        match fork(LIMIT, Expected::Anything, None).unwrap() {
            Side::Child => finish(Err("t.mlir:3:4: error: still out of bounds".into())),
            Side::Parent(verdict) => {
                assert_eq!(
                    verdict,
                    Err("t.mlir:3:4: error: still out of bounds".into())
                );
            }
        }
    }

    #[test]
    fn a_child_that_exits_on_its_own_or_dies_does_not_pass() {
        match fork(LIMIT, Expected::Anything, None).unwrap() {
            // SAFETY: ends the child as a program calling exit(0) early would.
            Side::Child => unsafe { libc::_exit(0) },
            Side::Parent(verdict) => assert!(verdict.unwrap_err().contains("exited on its own")),
        }
        match fork(LIMIT, Expected::Anything, None).unwrap() {
            // SAFETY: the child kills itself, as a crash would.
            Side::Child => unsafe {
                libc::raise(libc::SIGKILL);
                libc::_exit(0)
            },
            Side::Parent(verdict) => assert!(verdict.unwrap_err().contains("signal 9")),
        }
    }

    #[test]
    fn a_child_past_the_limit_is_killed() {
        match fork(Duration::from_millis(100), Expected::Anything, None).unwrap() {
            Side::Child => {
                std::thread::sleep(Duration::from_secs(30));
                finish(Ok(()))
            }
            Side::Parent(verdict) => assert!(verdict.unwrap_err().contains("did not finish")),
        }
    }

    /// Keeps this thread's CPU busy for `duration`.
    fn spin(duration: Duration) {
        let started = std::time::Instant::now();
        while started.elapsed() < duration {
            std::hint::spin_loop();
        }
    }

    #[test]
    fn a_candidate_much_slower_on_the_same_calls_fails_its_trial() {
        // A function index no other test times.
        let function = 7;
        for _ in 0..3 {
            let _ = pace::timed(function, || Ok::<(), ()>(()));
        }
        let trial = pace::Trial {
            function,
            name: "scale".into(),
            max_slowdown: 50.0,
        };
        match fork(LIMIT, Expected::Output(Vec::new()), Some(trial)).unwrap() {
            Side::Child => {
                for _ in 0..3 {
                    let _ = pace::timed(function, || {
                        spin(Duration::from_millis(20));
                        Ok::<(), ()>(())
                    });
                }
                finish(Ok(()))
            }
            Side::Parent(verdict) => {
                let why = verdict.unwrap_err();
                // At the third call, or earlier: once the calls so far took more than the
                // factor times all the program's.
                assert!(
                    why.contains("x slower than the original on the same calls (")
                        && why.contains("3 calls of 'scale' the program made before the failure"),
                    "{why}"
                );
                assert!(why.ends_with("limit 50x)"), "{why}");
            }
        }
    }

    #[test]
    fn a_rerun_from_the_start_must_print_what_was_shown() {
        for (printed, passes) in [(&b"1\n2\n3\n"[..], true), (&b"1\n9\n"[..], false)] {
            match fork(LIMIT, Expected::Output(b"1\n2\n".to_vec()), None).unwrap() {
                Side::Child => {
                    // SAFETY: writes our own buffer to descriptor 1 (the child's memory file).
                    unsafe { libc::write(1, printed.as_ptr().cast(), printed.len()) };
                    finish(Ok(()))
                }
                Side::Parent(verdict) => assert_eq!(verdict.is_ok(), passes, "{verdict:?}"),
            }
        }
    }
}
