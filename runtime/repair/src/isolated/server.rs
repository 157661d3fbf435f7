//! A build server: one child process that serves many build requests (a
//! [`tensorlang_isolate::Server`] under the build limits), with a failed request reported in a
//! build's words.
//!
//! A request that crashes or hangs the child costs that request: the child is killed and reaped,
//! the request's error says why, and the next request forks a fresh child. Each request may take
//! the server's limit (for builds, [`super::LIMIT`]), and the child's address space is capped at
//! [`super::BUILD_MEMORY`] above the program's: a request that would take more fails with
//! [`super::MEMORY_EXCEEDED`]. What the child prints on standard error is shown after each
//! request.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tensorlang_isolate::child::Output;
use tensorlang_isolate::{Outcome, Server};

/// The parent's side of a serving child, started by the first [`ChildServer::call`].
pub struct ChildServer<F: Fn(&[u8]) -> Result<Vec<u8>, String>> {
    server: Server<F>,
}

impl<F: Fn(&[u8]) -> Result<Vec<u8>, String>> ChildServer<F> {
    /// A server whose child answers each request with `handler`, each within `limit`.
    ///
    /// `handler` runs in the child: it must touch only what the thread that makes the first
    /// call owns (the fork copies no other thread), as with [`super::in_child`].
    pub fn new(handler: F, limit: Duration) -> Self {
        Self {
            server: Server::new(handler, super::build_options(limit, Output::Shown)),
        }
    }

    /// The child leads a process group of its own, so that stopping it also kills the children
    /// it forked for its work.
    pub fn in_own_process_group(self) -> Self {
        let options = self.server.options().own_group();
        let Self { server } = self;
        Self {
            server: server.with_options(options),
        }
    }

    /// The child runs at the lowest priority: for builds done ahead of need, which must not slow
    /// down the build or trial that is waited for.
    pub fn in_background(self) -> Self {
        let options = self.server.options().background();
        let Self { server } = self;
        Self {
            server: server.with_options(options),
        }
    }

    /// Starts the child now, if it is not running (it is a fork of the process as it is now).
    ///
    /// # Errors
    /// The child could not be started.
    pub fn start(&mut self) -> Result<(), String> {
        self.server.start().map_err(start_failed)
    }

    /// The child's answer to `request`, or why there is none.
    ///
    /// # Errors
    /// What the handler returned, or that the child crashed, hung or could not be started (the
    /// child is then gone, and the next call starts another).
    pub fn call(&mut self, request: &[u8]) -> Result<Vec<u8>, String> {
        self.call_unless(request, &AtomicBool::new(false))
    }

    /// [`ChildServer::call`], but the child is stopped as soon as `cancel` is set (checked every
    /// few milliseconds), and the error is [`super::CANCELLED`].
    ///
    /// # Errors
    /// As [`ChildServer::call`].
    pub fn call_unless(&mut self, request: &[u8], cancel: &AtomicBool) -> Result<Vec<u8>, String> {
        let outcome = self.server.call(request, cancel).map_err(start_failed)?;
        self.answer(outcome)
    }

    /// Sends `request` without waiting ([`ChildServer::collect`] takes the answer), so that the
    /// caller works meanwhile; a request still out is collected first and its answer dropped.
    ///
    /// # Errors
    /// The child could not be started.
    pub fn submit(&mut self, request: &[u8]) -> Result<(), String> {
        self.server.submit(request).map_err(start_failed)
    }

    /// Whether a submitted request has not been collected.
    pub fn is_busy(&self) -> bool {
        self.server.is_busy()
    }

    /// The answer to the request [`ChildServer::submit`] sent.
    ///
    /// # Errors
    /// As [`ChildServer::call`], and that no request was out.
    pub fn collect(&mut self) -> Result<Vec<u8>, String> {
        let outcome = self
            .server
            .collect(&AtomicBool::new(false))
            .map_err(start_failed)?;
        self.answer(outcome)
    }

    fn answer(&self, outcome: Outcome) -> Result<Vec<u8>, String> {
        match outcome {
            Outcome::Finished(bytes) => Ok(bytes),
            outcome => Err(super::build_failure(outcome, self.server.options().limit)),
        }
    }
}

fn start_failed(error: tensorlang_isolate::Error) -> String {
    format!("cannot start a child process: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_request_is_reported_in_a_builds_words() {
        let mut server = ChildServer::new(
            |request: &[u8]| match request {
                b"crash" => {
                    // SAFETY: the child kills itself, as a crashing compiler would be killed (with
                    // the default action: LLVM's handler, which another test's MLIR context may
                    // have installed, returns from a raised SIGSEGV).
                    unsafe {
                        libc::signal(libc::SIGSEGV, libc::SIG_DFL);
                        libc::raise(libc::SIGSEGV);
                    }
                    Err("still alive".into())
                }
                b"hang" => {
                    std::thread::sleep(Duration::from_secs(30));
                    Ok(Vec::new())
                }
                b"fail" => Err("no".into()),
                _ => Ok(b"done".to_vec()),
            },
            Duration::from_secs(1),
        );
        assert_eq!(server.call(b"x").unwrap(), b"done");
        assert_eq!(server.call(b"fail").unwrap_err(), "no");
        assert_eq!(
            server.call(b"crash").unwrap_err(),
            "crashed MLIR or LLVM (signal 11) in a child process; the program is unharmed"
        );
        assert_eq!(
            server.call(b"hang").unwrap_err(),
            "MLIR or LLVM did not finish within 1 s (timed out) in a child process; the program is unharmed"
        );
        assert_eq!(server.call(b"x").unwrap(), b"done");
    }
}
