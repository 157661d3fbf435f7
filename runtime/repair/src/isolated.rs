//! Work on untrusted code in a child process: hostile or degenerate code (a `memref.dim` with a
//! negative constant index, say) can crash MLIR's parser, verifier or passes, or LLVM, and a crash
//! there must cost the candidate, not the program.
//!
//! The processes themselves are `tensorlang-isolate`'s (fork, channel, time and memory limits,
//! children that die with the program); this module is what a *build* is on top of it: its
//! limits ([`LIMIT`], [`BUILD_MEMORY`]) and the words a failed one is reported in. [`in_child`]
//! forks a child for one piece of work (admission parses a model's text in one); a
//! [`ChildServer`] forks one child that answers many requests (the self-healing worker lowers and
//! compiles its candidates in one). The calling thread's MLIR context must run single-threaded,
//! so that the child needs no thread the fork left behind.
//!
//! A candidate whose build would take the machine's memory or minutes costs one failed
//! candidate, with the reason.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tensorlang_isolate::child::Output;
use tensorlang_isolate::{Options, Outcome};

pub mod server;
pub use server::ChildServer;

/// Runs `build` in a forked child and returns the bytes it produced, or why there are none.
///
/// `build` must touch only what the calling thread owns (the fork copies no other thread).
pub fn in_child(build: impl FnOnce() -> Result<Arc<[u8]>, String>) -> Result<Arc<[u8]>, String> {
    in_child_unless(build, &AtomicBool::new(false))
}

/// [`in_child`], but the child is killed as soon as `cancel` is set (checked every few
/// milliseconds): for background work the program must never wait for.
///
/// # Errors
/// As [`in_child`], and [`CANCELLED`] when it was cancelled.
pub fn in_child_unless(
    build: impl FnOnce() -> Result<Arc<[u8]>, String>,
    cancel: &AtomicBool,
) -> Result<Arc<[u8]>, String> {
    run_in_child(build, cancel, Output::Shown)
}

/// [`in_child`], with the child's standard error silenced too: for work whose failures come
/// back as errors anyway (LLVM prints `LLVM ERROR: ...` on its way to aborting).
///
/// # Errors
/// As [`in_child`].
pub fn in_quiet_child(
    build: impl FnOnce() -> Result<Arc<[u8]>, String>,
) -> Result<Arc<[u8]>, String> {
    in_quiet_child_unless(build, &AtomicBool::new(false))
}

/// [`in_quiet_child`] that ends as soon as `cancel` is set, as [`in_child_unless`].
///
/// # Errors
/// As [`in_child_unless`].
pub fn in_quiet_child_unless(
    build: impl FnOnce() -> Result<Arc<[u8]>, String>,
    cancel: &AtomicBool,
) -> Result<Arc<[u8]>, String> {
    run_in_child(build, cancel, Output::Dropped)
}

/// The options a build child runs under: [`LIMIT`], [`BUILD_MEMORY`], standard error as given.
pub fn build_options(limit: Duration, stderr: Output) -> Options {
    Options::new(limit).memory(BUILD_MEMORY).stderr(stderr)
}

/// Forks a child for `build` under [`build_options`].
fn run_in_child(
    build: impl FnOnce() -> Result<Arc<[u8]>, String>,
    cancel: &AtomicBool,
    stderr: Output,
) -> Result<Arc<[u8]>, String> {
    let options = build_options(LIMIT, stderr);
    let outcome = tensorlang_isolate::run(&options, || build().map(|bytes| bytes.to_vec()), cancel)
        .map_err(|error| format!("cannot compile in a child: {error}"))?;
    match outcome {
        Outcome::Finished(bytes) if !bytes.is_empty() => Ok(bytes.into()),
        Outcome::Finished(_) | Outcome::Exited(0) => {
            Err("the child process produced nothing".into())
        }
        outcome => Err(build_failure(outcome, LIMIT)),
    }
}

/// What a build that did not finish with bytes (one-off or a [`ChildServer`]'s request, whose
/// limit is `limit`) is reported as.
pub(crate) fn build_failure(outcome: Outcome, limit: Duration) -> String {
    match outcome {
        Outcome::Failed(message) => message,
        Outcome::Cancelled => CANCELLED.into(),
        Outcome::TimedOut => format!(
            "MLIR or LLVM did not finish within {} s (timed out) in a child process; the program is unharmed",
            limit.as_secs()
        ),
        Outcome::OutOfMemory => memory_exceeded(),
        Outcome::Signal(signal) => format!(
            "crashed MLIR or LLVM (signal {signal}) in a child process; the program is unharmed"
        ),
        Outcome::Exited(status) => format!(
            "the child process exited with status {status} without an answer; the program is unharmed"
        ),
        Outcome::Lost(why) => format!("{why} in a child process; the program is unharmed"),
        Outcome::Finished(_) => "the child process produced nothing".into(),
    }
}

/// The error of a child that ran out of its address space.
fn memory_exceeded() -> String {
    format!(
        "{MEMORY_EXCEEDED} ({} GiB above the program's size) in a child process; the program is unharmed",
        BUILD_MEMORY >> 30
    )
}

/// The error of a child's work that was cancelled.
pub const CANCELLED: &str = "cancelled";

/// The longest a child may work on one build (parsing, lowering and compiling one candidate, or
/// one check of the optimizer): a compiler that hangs or runs away (or a lock another thread of
/// the parent held at the fork, which the child inherits held) costs the candidate, not the
/// search. A build of one function takes well under a second, and the slowest legitimate work
/// here (a naive reference of a large matmul) a few seconds; 20 s bounds what a hostile answer
/// can cost the run that waits for it.
pub const LIMIT: Duration = Duration::from_secs(20);

/// How much more address space a build child may take than the process had when it forked:
/// lowering and compiling one function takes tens of megabytes, and the program's own mappings
/// (a loaded model's weights, the JIT's code) are counted in the size at the fork. A 60-byte
/// answer holding `dense<11> : tensor<134217728xi64>` took 21 s and 3.3 GB to lower and compile
/// without a cap.
pub const BUILD_MEMORY: u64 = 2 << 30;

/// Why a child's work failed when it ran out of its address space.
pub const MEMORY_EXCEEDED: &str = "the build exceeded its memory limit";

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;
    use std::time::Instant;

    #[test]
    fn a_crash_in_the_child_is_an_error_here() {
        assert_eq!(
            in_child(|| Ok(Arc::from(&b"object"[..]))).unwrap()[..],
            b"object"[..]
        );
        assert_eq!(in_child(|| Err("no".into())).unwrap_err(), "no");
        let crashed = in_child(|| {
            // SAFETY: the child kills itself, as a crashing compiler would be killed.
            unsafe { libc::raise(libc::SIGKILL) };
            Err("still alive".into())
        });
        assert_eq!(
            crashed.unwrap_err(),
            "crashed MLIR or LLVM (signal 9) in a child process; the program is unharmed"
        );
    }

    #[test]
    fn a_child_that_takes_too_much_memory_fails_with_the_reason() {
        let error = in_quiet_child(|| {
            // More than the cap allows: the allocation fails and the child aborts.
            let big = Vec::<u8>::with_capacity((BUILD_MEMORY + (1 << 30)) as usize);
            std::hint::black_box(&big);
            Ok(Arc::from(&b"allocated"[..]))
        })
        .unwrap_err();
        assert_eq!(
            error,
            "the build exceeded its memory limit (2 GiB above the program's size) in a child process; the program is unharmed"
        );
    }

    #[test]
    fn cancelled_work_ends_at_once_and_kills_the_child() {
        let cancel = AtomicBool::new(false);
        let started = Instant::now();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                cancel.store(true, Ordering::Relaxed);
            });
            let result = in_child_unless(
                || {
                    std::thread::sleep(Duration::from_secs(30));
                    Ok(Arc::from(&b"late"[..]))
                },
                &cancel,
            );
            assert_eq!(result.unwrap_err(), CANCELLED);
        });
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
