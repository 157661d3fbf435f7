//! Work on untrusted code in a child process: hostile or degenerate code (a `memref.dim` with a
//! negative constant index, say) can crash MLIR's parser, verifier or passes, or LLVM, and a crash
//! there must cost the candidate, not the program.
//!
//! The caller forks; the child does the work and sends bytes back through a pipe. A child that
//! dies, hangs or sends nothing is an error with the reason. [`in_child`] forks a child for one
//! piece of work (admission parses a model's text in one); a [`ChildServer`] forks one child that
//! answers many requests (the self-healing worker lowers and compiles its candidates in one). The
//! calling thread's MLIR context must run single-threaded, so that the child needs no thread the
//! fork left behind.
//!
//! Every child dies with the process that forked it ([`lifetime`]), and works for [`LIMIT`] at
//! most in an address space capped at [`limits::BUILD_MEMORY`] above the program's: a candidate
//! whose build would take the machine's memory or minutes costs one failed candidate, with the
//! reason.

use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub mod lifetime;
pub mod limits;
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
    run_in_child(build, cancel, Stderr::Shown)
}

/// What becomes of a child's standard error, which is kept to tell why it failed (see
/// [`limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stderr {
    /// Shown on the parent's once the work ended.
    Shown,
    /// Dropped.
    Silenced,
}

/// Forks a child (that dies with this process) for `build`, under [`LIMIT`] and
/// [`limits::BUILD_MEMORY`].
fn run_in_child(
    build: impl FnOnce() -> Result<Arc<[u8]>, String>,
    cancel: &AtomicBool,
    stderr: Stderr,
) -> Result<Arc<[u8]>, String> {
    let (read, write) = pipe().map_err(|error| format!("cannot compile in a child: {error}"))?;
    let errors = limits::CapturedErrors::new();
    // SAFETY: the child runs `build` on this thread's own data, then `_exit`s.
    match unsafe { lifetime::fork() } {
        Err(error) => Err(format!("cannot compile in a child: {error}")),
        Ok(lifetime::Forked::Child) => {
            drop(read);
            silence(1);
            errors.redirect();
            limits::cap_address_space(limits::BUILD_MEMORY);
            let (status, bytes) = match build() {
                Ok(object) => (0, object.to_vec()),
                Err(error) => (2, error.into_bytes()),
            };
            let mut pipe = std::fs::File::from(write);
            let _ = pipe.write_all(&bytes);
            // SAFETY: ends the child without running the parent's destructors.
            unsafe { libc::_exit(status) }
        }
        Ok(lifetime::Forked::Parent(child)) => {
            drop(write);
            let mut bytes = Vec::new();
            let ended = read_all(&read, &mut bytes, LIMIT, cancel);
            let finished = ended == Ended::Finished;
            lifetime::forget(child);
            if !finished {
                // SAFETY: our own child.
                unsafe { libc::kill(child, libc::SIGKILL) };
            }
            let mut status = 0;
            // SAFETY: reaping our own child.
            unsafe { libc::waitpid(child, &mut status, 0) };
            let printed = errors.take();
            let succeeded = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            // Out of memory, what it printed (LLVM's `out of memory`) is said by the reason.
            let out_of_memory = finished && !succeeded && limits::ran_out_of_memory(&printed);
            if stderr == Stderr::Shown && !out_of_memory {
                limits::forward(&printed);
            }
            if ended == Ended::Cancelled {
                return Err(CANCELLED.into());
            }
            if !finished {
                return Err(format!(
                    "MLIR or LLVM did not finish within {} s (timed out) in a child process; the program is unharmed",
                    LIMIT.as_secs()
                ));
            }
            if out_of_memory {
                return Err(memory_exceeded());
            }
            if libc::WIFSIGNALED(status) {
                return Err(format!(
                    "crashed MLIR or LLVM (signal {}) in a child process; the program is unharmed",
                    libc::WTERMSIG(status)
                ));
            }
            match libc::WEXITSTATUS(status) {
                0 if !bytes.is_empty() => Ok(bytes.into()),
                0 => Err("the child process produced nothing".into()),
                _ => Err(String::from_utf8_lossy(&bytes).into_owned()),
            }
        }
    }
}

/// The error of a child that ran out of its address space.
fn memory_exceeded() -> String {
    format!(
        "{} ({} GiB above the program's size) in a child process; the program is unharmed",
        limits::MEMORY_EXCEEDED,
        limits::BUILD_MEMORY >> 30
    )
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
    run_in_child(build, cancel, Stderr::Silenced)
}

/// The error of a child's work that was cancelled.
pub const CANCELLED: &str = "cancelled";

/// Nothing a child prints may reach the program's output: descriptor `fd` (1 for standard
/// output, 2 for standard error) goes to `/dev/null`.
fn silence(fd: i32) {
    // SAFETY: opening /dev/null and duplicating it over one of our own descriptors.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if null >= 0 {
            libc::dup2(null, fd);
            libc::close(null);
        }
    }
}

/// A pipe, both ends close-on-exec: (read end, write end).
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both are fresh descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Reads what `fd` has into `buffer`, waiting for it until `deadline` at most: the bytes read,
/// 0 at the end of the input, [`std::io::ErrorKind::TimedOut`] past the deadline.
fn read_until(fd: &OwnedFd, buffer: &mut [u8], deadline: Instant) -> std::io::Result<usize> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut poll = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one valid pollfd on a descriptor we own.
        if left.is_zero() || unsafe { libc::poll(&mut poll, 1, ms) } == 0 {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        // SAFETY: reading into our own buffer from a descriptor we own.
        let read = unsafe { libc::read(fd.as_raw_fd(), buffer.as_mut_ptr().cast(), buffer.len()) };
        match usize::try_from(read) {
            Ok(n) => return Ok(n),
            Err(_) => {
                let error = std::io::Error::last_os_error();
                if error.kind() != std::io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
}

/// The longest a child may work on one build (parsing, lowering and compiling one candidate, or
/// one check of the optimizer): a compiler that hangs or runs away (or a lock another thread of
/// the parent held at the fork, which the child inherits held) costs the candidate, not the
/// search. A build of one function takes well under a second, and the slowest legitimate work
/// here (a naive reference of a large matmul) a few seconds; 20 s bounds what a hostile answer
/// can cost the run that waits for it.
pub const LIMIT: Duration = Duration::from_secs(20);

/// How reading a child's answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// The pipe closed (or broke).
    Finished,
    /// The limit passed first.
    TimedOut,
    /// The caller cancelled the work.
    Cancelled,
}

/// How often a wait for a child looks at its cancel flag.
const CANCEL_CHECK: Duration = Duration::from_millis(10);

/// Reads `pipe` to its end into `bytes`, for `limit` at most and until `cancel` is set.
fn read_all(pipe: &OwnedFd, bytes: &mut Vec<u8>, limit: Duration, cancel: &AtomicBool) -> Ended {
    let deadline = Instant::now() + limit;
    let mut chunk = [0u8; 64 * 1024];
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ended::Cancelled;
        }
        match read_until(
            pipe,
            &mut chunk,
            deadline.min(Instant::now() + CANCEL_CHECK),
        ) {
            Ok(0) => return Ended::Finished,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {
                if Instant::now() >= deadline {
                    return Ended::TimedOut;
                }
            }
            Err(_) => return Ended::Finished,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(crashed.unwrap_err().contains("crashed MLIR or LLVM"));
    }

    #[test]
    fn a_child_that_takes_too_much_memory_fails_with_the_reason() {
        let error = in_quiet_child(|| {
            // More than the cap allows: the allocation fails and the child aborts.
            let big = Vec::<u8>::with_capacity((limits::BUILD_MEMORY + (1 << 30)) as usize);
            std::hint::black_box(&big);
            Ok(Arc::from(&b"allocated"[..]))
        })
        .unwrap_err();
        assert!(error.contains(limits::MEMORY_EXCEEDED), "{error}");
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
