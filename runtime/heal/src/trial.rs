//! Trial runs of a candidate in a forked copy of the running program.
//!
//! The fork happens on the program's thread, inside the call that failed, so the child holds
//! the program exactly as it was: it swaps the candidate in, runs the failed call again and
//! goes on to the end of the program. Every check on the way must pass. The child's output goes
//! to `/dev/null`; what failed, if anything, comes back through a pipe; the parent waits (with a
//! time limit) and the program itself never runs unverified code.
//!
//! A trial of a repair for a failure in the entry point runs the entry again from the start
//! instead ([`Expected::Output`]): its output goes to a memory file, and it passes only when it
//! begins with exactly what the program has shown already, which a run after the swap will not
//! show again.
//!
//! The child dies with the program, however the program ends (`SIGKILL` included), and a child
//! that runs the replaced function's calls much slower than the program ran them fails too
//! ([`pace`]).

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

use tensorlang_repair::isolated::lifetime::{self, Forked};
use tensorlang_repair::isolated::limits;

pub mod pace;

static IN_TRIAL: AtomicBool = AtomicBool::new(false);
/// In a child of a trial that went on from the failed call: the entry point still has to run
/// again from the start (see [`take_rerun`]).
static RERUN_FROM_START: AtomicBool = AtomicBool::new(false);
static REPORT_FD: AtomicI32 = AtomicI32::new(-1);
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
    let (status, report) = match &result {
        Ok(()) => (0, PASSED),
        Err(failure) => (1, failure.as_str()),
    };
    let fd = REPORT_FD.load(Ordering::Relaxed);
    // SAFETY: writing a buffer we own to the report pipe (or a closed fd, harmlessly).
    unsafe { libc::write(fd, report.as_ptr().cast(), report.len()) };
    // SAFETY: `_exit` skips destructors and atexit handlers, which belong to the parent.
    unsafe { libc::_exit(status) }
}

/// What a child that passed sends: a trial passes only by reaching [`finish`], never by the
/// program ending the process early with status 0.
const PASSED: &str = "\u{6}passed";

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
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both are fresh descriptors we own.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    flush_output();
    // SAFETY: the child only runs this thread's code: the program, the guard and `finish`.
    match unsafe { lifetime::fork() }? {
        Forked::Child => {
            IN_TRIAL.store(true, Ordering::Relaxed);
            REPORT_FD.store(write.as_raw_fd(), Ordering::Relaxed);
            std::mem::forget(write);
            drop(read);
            silence_output();
            limits::cap_address_space(TRIAL_MEMORY);
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
        Forked::Parent(child) => {
            drop(write);
            Ok(Side::Parent(wait(child, read, limit)))
        }
    }
}

fn wait(child: libc::pid_t, read: OwnedFd, limit: Duration) -> Result<(), String> {
    let mut poll = libc::pollfd {
        fd: read.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = limit.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd. The write end closes when the child exits, so this returns then.
    let ready = unsafe { libc::poll(&mut poll, 1, ms) };
    lifetime::forget(child);
    if ready == 0 {
        // SAFETY: our own child.
        unsafe { libc::kill(child, libc::SIGKILL) };
    }
    let mut message = String::new();
    if ready > 0 {
        let _ = std::fs::File::from(read).read_to_string(&mut message);
    }
    let mut status = 0;
    // SAFETY: reaping our own child.
    unsafe { libc::waitpid(child, &mut status, 0) };
    if ready == 0 {
        return Err(format!("did not finish within {} ms", limit.as_millis()));
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 && message == PASSED {
        Ok(())
    } else if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Err("the program ended before the trial did (it exited on its own)".into())
    } else if !message.is_empty() {
        Err(message)
    } else if libc::WIFSIGNALED(status) {
        Err(format!(
            "the trial died of signal {}",
            libc::WTERMSIG(status)
        ))
    } else {
        Err(format!(
            "the trial exited with status {}",
            libc::WEXITSTATUS(status)
        ))
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

fn silence_output() {
    // SAFETY: opening /dev/null and duplicating it over our own stdout and stderr.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if null >= 0 {
            libc::dup2(null, 1);
            libc::dup2(null, 2);
            libc::close(null);
        }
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
