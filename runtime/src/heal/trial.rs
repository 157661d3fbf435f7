//! Trial runs of a candidate in a forked copy of the running program.
//!
//! The fork happens on the program's thread, inside the call that failed, so the child holds
//! the program exactly as it was: it swaps the candidate in, runs the failed call again and
//! goes on to the end of the program. Every check on the way must pass. The child's output goes
//! to `/dev/null`; what failed, if anything, comes back through a pipe; the parent waits (with a
//! time limit) and the program itself never runs unverified code.

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

static IN_TRIAL: AtomicBool = AtomicBool::new(false);
static REPORT_FD: AtomicI32 = AtomicI32::new(-1);

/// Whether this process is a trial child.
pub fn in_trial() -> bool {
    IN_TRIAL.load(Ordering::Relaxed)
}

/// Ends a trial child: exit status 0 when the program passed, else the failure goes to the
/// parent first.
pub fn finish(result: Result<(), String>) -> ! {
    let status = match result {
        Ok(()) => 0,
        Err(failure) => {
            let fd = REPORT_FD.load(Ordering::Relaxed);
            // SAFETY: writing a buffer we own to the report pipe (or a closed fd, harmlessly).
            unsafe { libc::write(fd, failure.as_ptr().cast(), failure.len()) };
            1
        }
    };
    // SAFETY: `_exit` skips destructors and atexit handlers, which belong to the parent.
    unsafe { libc::_exit(status) }
}

/// Which side of a fork this is.
pub enum Side {
    /// The child: swap the candidate in and go on; end with [`finish`].
    Child,
    /// The parent, after the child ended: `Ok` when it passed, else what failed.
    Parent(Result<(), String>),
}

/// Forks a trial child and, in the parent, waits for it for at most `limit`.
pub fn fork(limit: Duration) -> std::io::Result<Side> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both are fresh descriptors we own.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    flush_output();
    // SAFETY: the child only runs this thread's code: the program, the guard and `finish`.
    match unsafe { libc::fork() } {
        -1 => Err(std::io::Error::last_os_error()),
        0 => {
            IN_TRIAL.store(true, Ordering::Relaxed);
            REPORT_FD.store(write.as_raw_fd(), Ordering::Relaxed);
            std::mem::forget(write);
            drop(read);
            silence_output();
            Ok(Side::Child)
        }
        child => {
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
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
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

/// Flushes Rust's and C's buffered output, so that neither the child nor a diagnostic written
/// next repeats or overtakes it.
pub fn flush_output() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    // SAFETY: fflush(NULL) flushes every open C output stream.
    unsafe { libc::fflush(std::ptr::null_mut()) };
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
