//! Work on untrusted code in a child process: hostile or degenerate code (a `memref.dim` with a
//! negative constant index, say) can crash MLIR's parser, verifier or passes, or LLVM, and a crash
//! there must cost the candidate, not the program.
//!
//! The caller forks; the child does the work (admission parses a model's text, the self-healing
//! worker lowers and compiles a candidate) and sends bytes back through a pipe. A child that dies,
//! or sends nothing, is an error with the reason. The calling thread's MLIR context must run
//! single-threaded, so that the child needs no thread the fork left behind.

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::Arc;

/// Runs `build` in a forked child and returns the bytes it produced, or why there are none.
///
/// `build` must touch only what the calling thread owns (the fork copies no other thread).
pub fn in_child(build: impl FnOnce() -> Result<Arc<[u8]>, String>) -> Result<Arc<[u8]>, String> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!(
            "cannot compile in a child: {}",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: both are fresh descriptors we own.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: the child runs `build` on this thread's own data, then `_exit`s.
    match unsafe { libc::fork() } {
        -1 => Err(format!(
            "cannot compile in a child: {}",
            std::io::Error::last_os_error()
        )),
        0 => {
            drop(read);
            // Nothing the child prints may reach the program's output.
            // SAFETY: opening /dev/null and duplicating it over our own standard output.
            unsafe {
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
                if null >= 0 {
                    libc::dup2(null, 1);
                    libc::close(null);
                }
            }
            let (status, bytes) = match build() {
                Ok(object) => (0, object.to_vec()),
                Err(error) => (2, error.into_bytes()),
            };
            let mut pipe = std::fs::File::from(write);
            let _ = pipe.write_all(&bytes);
            // SAFETY: ends the child without running the parent's destructors.
            unsafe { libc::_exit(status) }
        }
        child => {
            drop(write);
            let mut bytes = Vec::new();
            let _ = std::fs::File::from(read).read_to_end(&mut bytes);
            let mut status = 0;
            // SAFETY: reaping our own child.
            unsafe { libc::waitpid(child, &mut status, 0) };
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
}
