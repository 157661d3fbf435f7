//! A child process that serves many requests: forked once, it answers requests one at a time
//! over a pair of pipes, so that work on untrusted code pays for the fork (and for the first,
//! slow use of memory the fork shares copy-on-write) once, not per request.
//!
//! A request that crashes or hangs the child costs that request: the child is killed and reaped,
//! the request's error says why, and the next request forks a fresh child. The child dies with
//! the process that forked it ([`super::lifetime`]), each request may take the server's limit
//! (for builds, [`super::LIMIT`]), and its address space is capped at
//! [`super::limits::BUILD_MEMORY`] above the program's: a request that would take more fails
//! with [`super::limits::MEMORY_EXCEEDED`]. What the child prints on standard error is shown
//! after each request.
//!
//! Frames: a request is its length (u64, little-endian) and its bytes; an answer is a status
//! byte (0: the bytes are the result, else an error message), the length and the bytes.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::lifetime;
use super::limits::{self, CapturedErrors};

/// The parent's side of a serving child, started by the first [`ChildServer::call`].
pub struct ChildServer<F: Fn(&[u8]) -> Result<Vec<u8>, String>> {
    handler: F,
    limit: Duration,
    running: Option<Running>,
    /// Whether the child leads a process group of its own, which a stop kills whole (the
    /// child's own children with it).
    own_group: bool,
}

struct Running {
    pid: libc::pid_t,
    own_group: bool,
    requests: File,
    answers: OwnedFd,
    /// What the child prints on standard error, shown after each request.
    errors: CapturedErrors,
}

impl<F: Fn(&[u8]) -> Result<Vec<u8>, String>> ChildServer<F> {
    /// A server whose child answers each request with `handler`, each within `limit`.
    ///
    /// `handler` runs in the child: it must touch only what the thread that makes the first
    /// call owns (the fork copies no other thread), as with [`super::in_child`].
    pub fn new(handler: F, limit: Duration) -> Self {
        Self {
            handler,
            limit,
            running: None,
            own_group: false,
        }
    }

    /// The child leads a process group of its own, so that stopping it also kills the children
    /// it forked for its work.
    pub fn in_own_process_group(mut self) -> Self {
        self.own_group = true;
        self
    }

    /// Starts the child now, if it is not running (it is a fork of the process as it is now).
    ///
    /// # Errors
    /// The child could not be started.
    pub fn start(&mut self) -> Result<(), String> {
        if self.running.is_none() {
            self.running = Some(self.spawn()?);
        }
        Ok(())
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
        self.start()?;
        let running = self.running.as_mut().expect("started above");
        let answer = exchange(running, request, self.limit, cancel);
        match answer {
            Exchange::Answer(Ok(bytes)) => Ok(bytes),
            Exchange::Answer(Err(message)) => Err(message),
            Exchange::Lost(why) => {
                let running = self.running.take().expect("started above");
                let stopped = running.stop(&why);
                Err(if why == super::CANCELLED {
                    why
                } else {
                    stopped
                })
            }
        }
    }

    fn spawn(&self) -> Result<Running, String> {
        let (request_read, request_write) = pipe()?;
        let (answer_read, answer_write) = pipe()?;
        let errors = CapturedErrors::new();
        // SAFETY: the child runs `serve` on this thread's own data, then `_exit`s.
        match unsafe { lifetime::fork() } {
            Err(error) => Err(format!("cannot start a child process: {error}")),
            Ok(lifetime::Forked::Child) => {
                if self.own_group {
                    // SAFETY: makes this child the leader of a new process group.
                    unsafe { libc::setpgid(0, 0) };
                }
                drop(request_write);
                drop(answer_read);
                super::silence(1);
                errors.redirect();
                limits::cap_address_space(limits::BUILD_MEMORY);
                serve(&self.handler, request_read, answer_write)
            }
            Ok(lifetime::Forked::Parent(pid)) => {
                if self.own_group {
                    // SAFETY: the same request as the child's (whichever runs first), so that the
                    // group exists before it is registered.
                    unsafe { libc::setpgid(pid, pid) };
                    lifetime::register_group(pid);
                }
                Ok(Running {
                    pid,
                    own_group: self.own_group,
                    requests: File::from(request_write),
                    answers: answer_read,
                    errors,
                })
            }
        }
    }
}

impl<F: Fn(&[u8]) -> Result<Vec<u8>, String>> Drop for ChildServer<F> {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            // Closing the request pipe ends the child's loop.
            let Running {
                pid,
                requests,
                errors,
                ..
            } = running;
            drop(requests);
            lifetime::forget(pid);
            let mut status = 0;
            // SAFETY: reaping our own child, which exits at the end of its input.
            unsafe { libc::waitpid(pid, &mut status, 0) };
            limits::forward(&errors.take());
        }
    }
}

impl Running {
    /// Kills and reaps the child after a lost exchange; the error to report.
    fn stop(self, why: &str) -> String {
        lifetime::forget(self.pid);
        let mut status = 0;
        // SAFETY: our own child (with its group, if it leads one): killed (it may be alive and
        // hung) and reaped.
        unsafe {
            if self.own_group {
                libc::kill(-self.pid, libc::SIGKILL);
            }
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, &mut status, 0);
        }
        let printed = self.errors.take();
        if limits::ran_out_of_memory(&printed) {
            // What it printed (LLVM's `out of memory`) is said by the reason.
            return super::memory_exceeded();
        }
        limits::forward(&printed);
        if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) != libc::SIGKILL {
            format!(
                "crashed MLIR or LLVM (signal {}) in a child process; the program is unharmed",
                libc::WTERMSIG(status)
            )
        } else {
            format!("{why} in a child process; the program is unharmed")
        }
    }
}

enum Exchange {
    Answer(Result<Vec<u8>, String>),
    Lost(String),
}

fn exchange(
    running: &mut Running,
    request: &[u8],
    limit: Duration,
    cancel: &AtomicBool,
) -> Exchange {
    let answer = exchange_frames(running, request, limit, cancel);
    if matches!(answer, Exchange::Answer(_)) {
        // A lost exchange shows what the child printed when it is stopped, after its death.
        limits::forward(&running.errors.take());
    }
    answer
}

fn exchange_frames(
    running: &mut Running,
    request: &[u8],
    limit: Duration,
    cancel: &AtomicBool,
) -> Exchange {
    let mut frame = (request.len() as u64).to_le_bytes().to_vec();
    frame.extend_from_slice(request);
    if running.requests.write_all(&frame).is_err() {
        return Exchange::Lost("the child stopped reading".into());
    }
    let deadline = Instant::now() + limit;
    let mut header = [0u8; 9];
    if let Err(why) = read_exact(&running.answers, &mut header, deadline, limit, cancel) {
        return Exchange::Lost(why);
    }
    let length = u64::from_le_bytes(header[1..].try_into().expect("8 bytes")) as usize;
    let mut bytes = vec![0u8; length];
    if let Err(why) = read_exact(&running.answers, &mut bytes, deadline, limit, cancel) {
        return Exchange::Lost(why);
    }
    Exchange::Answer(match header[0] {
        0 => Ok(bytes),
        _ => Err(String::from_utf8_lossy(&bytes).into_owned()),
    })
}

/// Fills `buffer` from `fd` by `deadline`; why not otherwise.
fn read_exact(
    fd: &OwnedFd,
    buffer: &mut [u8],
    deadline: Instant,
    limit: Duration,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let mut filled = 0;
    while filled < buffer.len() {
        if cancel.load(Ordering::Relaxed) {
            return Err(super::CANCELLED.into());
        }
        let soon = deadline.min(Instant::now() + super::CANCEL_CHECK);
        match super::read_until(fd, &mut buffer[filled..], soon) {
            Ok(0) => return Err("the child process ended without an answer".into()),
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {
                if Instant::now() >= deadline {
                    return Err(format!(
                        "MLIR or LLVM did not finish within {} s (timed out)",
                        limit.as_secs()
                    ));
                }
            }
            Err(error) => return Err(format!("cannot read the child's answer: {error}")),
        }
    }
    Ok(())
}

/// The child's loop: answers requests until its input ends, then exits.
fn serve(
    handler: &impl Fn(&[u8]) -> Result<Vec<u8>, String>,
    requests: OwnedFd,
    answers: OwnedFd,
) -> ! {
    let mut requests = File::from(requests);
    let mut answers = File::from(answers);
    loop {
        let mut length = [0u8; 8];
        if requests.read_exact(&mut length).is_err() {
            break;
        }
        let mut request = vec![0u8; u64::from_le_bytes(length) as usize];
        if requests.read_exact(&mut request).is_err() {
            break;
        }
        let (status, bytes) = match handler(&request) {
            Ok(bytes) => (0u8, bytes),
            Err(message) => (2u8, message.into_bytes()),
        };
        let mut frame = vec![status];
        frame.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        frame.extend_from_slice(&bytes);
        if answers.write_all(&frame).is_err() {
            break;
        }
    }
    // SAFETY: ends the child without running the parent's destructors.
    unsafe { libc::_exit(0) }
}

fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    super::pipe().map_err(|error| format!("cannot start a child process: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_child_answers_many_requests_and_a_crash_costs_one() {
        let parent = std::process::id();
        let mut server = ChildServer::new(
            |request: &[u8]| match request {
                b"crash" => {
                    // SAFETY: the child kills itself, as a crashing compiler would be killed.
                    unsafe { libc::raise(libc::SIGABRT) };
                    Err("still alive".into())
                }
                b"fail" => Err("no".into()),
                _ => Ok(format!("{}", std::process::id()).into_bytes()),
            },
            Duration::from_secs(10),
        );
        let first = server.call(b"pid").unwrap();
        assert_ne!(
            first,
            parent.to_string().into_bytes(),
            "answered in a child"
        );
        assert_eq!(server.call(b"pid").unwrap(), first, "by the same child");
        assert_eq!(server.call(b"fail").unwrap_err(), "no");
        let crashed = server.call(b"crash").unwrap_err();
        assert!(crashed.contains("signal 6"), "{crashed}");
        let after = server.call(b"pid").unwrap();
        assert_ne!(after, first, "a fresh child after the crash");
    }

    #[test]
    fn a_request_that_takes_too_much_memory_costs_that_request() {
        let mut server = ChildServer::new(
            |request: &[u8]| {
                if request == b"big" {
                    // More than the cap allows: the allocation fails and the child aborts.
                    let big = Vec::<u8>::with_capacity(
                        (super::super::limits::BUILD_MEMORY + (1 << 30)) as usize,
                    );
                    std::hint::black_box(&big);
                }
                Ok(b"done".to_vec())
            },
            Duration::from_secs(10),
        );
        let error = server.call(b"big").unwrap_err();
        assert!(
            error.contains(super::super::limits::MEMORY_EXCEEDED),
            "{error}"
        );
        assert_eq!(server.call(b"small").unwrap(), b"done");
    }

    #[test]
    fn a_hung_child_is_killed_at_the_limit() {
        let mut server = ChildServer::new(
            |_: &[u8]| {
                std::thread::sleep(Duration::from_secs(30));
                Ok(Vec::new())
            },
            Duration::from_millis(200),
        );
        let error = server.call(b"x").unwrap_err();
        assert!(error.contains("did not finish"), "{error}");
    }

    #[test]
    fn a_cancelled_call_kills_the_child_and_what_it_forked() {
        let mut server = ChildServer::new(
            |_: &[u8]| {
                // A grandchild that would outlive its parent, unless the group is killed.
                // SAFETY: the grandchild only sleeps, then exits.
                if unsafe { libc::fork() } == 0 {
                    std::thread::sleep(Duration::from_secs(30));
                    // SAFETY: ends the grandchild.
                    unsafe { libc::_exit(0) }
                }
                std::thread::sleep(Duration::from_secs(30));
                Ok(Vec::new())
            },
            Duration::from_secs(60),
        )
        .in_own_process_group();
        server.start().unwrap();
        let group = server.running.as_ref().unwrap().pid;
        let cancel = AtomicBool::new(false);
        let started = Instant::now();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                cancel.store(true, Ordering::Relaxed);
            });
            assert_eq!(
                server.call_unless(b"x", &cancel).unwrap_err(),
                super::super::CANCELLED
            );
        });
        assert!(started.elapsed() < Duration::from_secs(5));
        // Nothing of the group is left, once init has reaped the killed grandchild.
        // SAFETY: signal 0 only asks whether the group exists.
        let alive = || unsafe { libc::kill(-group, 0) } == 0;
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive());
    }
}
