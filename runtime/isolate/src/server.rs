//! A child process that serves many requests: forked once, it answers requests one at a time
//! over two channels ([`crate::channel`]), so that work on untrusted code pays for the fork (and
//! for the first, slow use of memory the fork shares copy-on-write) once, not per request.
//!
//! A request that crashes or hangs the child costs that request: the child is killed and reaped,
//! the [`Outcome`] says why, and the next request forks a fresh child. The child runs under the
//! server's [`Options`] (each request within its limit; its address space capped; its standard
//! error kept, shown after each request, and read to tell whether it ran out of memory). An
//! answer is a tag byte (0: the bytes are the result, else an error message) and the bytes.
//!
//! [`Server::call`] sends a request and waits for its answer; [`Server::submit`] and
//! [`Server::collect`] split the two, so that the caller works (or another server's child does)
//! while this child answers: one request is out at a time.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::channel::{self, Missed, Receiver, Sender};
use crate::child::{self, Options, Output};
use crate::limits::{self, CapturedErrors};
use crate::{Error, Outcome, lifetime};

/// The parent's side of a serving child, started by [`Server::start`] or the first
/// [`Server::call`].
pub struct Server<F: Fn(&[u8]) -> Result<Vec<u8>, String>> {
    handler: F,
    options: Options,
    running: Option<Running>,
}

struct Running {
    pid: libc::pid_t,
    requests: Sender,
    answers: Receiver,
    /// What the child prints on standard error.
    errors: Option<CapturedErrors>,
    /// The request out, if one is: when it was sent, or that it could not be.
    pending: Option<Result<Instant, ()>>,
}

impl<F: Fn(&[u8]) -> Result<Vec<u8>, String>> Server<F> {
    /// A server whose child answers each request with `handler`, under `options`.
    ///
    /// `handler` runs in the child: it must touch only what the thread that starts the child
    /// owns (the fork copies no other thread), as with [`crate::run`].
    pub fn new(handler: F, options: Options) -> Self {
        Self {
            handler,
            options,
            running: None,
        }
    }

    /// The options the child runs under.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The server with `options` instead, for the children it starts from now on.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The child's pid, while it runs.
    pub fn pid(&self) -> Option<libc::pid_t> {
        self.running.as_ref().map(|running| running.pid)
    }

    /// Starts the child now, if it is not running (it is a fork of the process as it is now).
    ///
    /// # Errors
    /// The child could not be started.
    pub fn start(&mut self) -> Result<(), Error> {
        if self.running.is_none() {
            self.running = Some(self.spawn()?);
        }
        Ok(())
    }

    /// The child's answer to `request`; the child is stopped as soon as `cancel` is set (checked
    /// every few milliseconds).
    ///
    /// # Errors
    /// The child could not be started; how a started child's work ended is the [`Outcome`]
    /// (after anything but [`Outcome::Finished`] or [`Outcome::Failed`] the child is gone, and
    /// the next call starts another).
    pub fn call(&mut self, request: &[u8], cancel: &AtomicBool) -> Result<Outcome, Error> {
        self.submit(request)?;
        self.collect(cancel)
    }

    /// Whether a submitted request has not been collected.
    pub fn is_busy(&self) -> bool {
        self.running
            .as_ref()
            .is_some_and(|running| running.pending.is_some())
    }

    /// Sends `request` without waiting for the answer ([`Server::collect`] takes it). A request
    /// still out is collected first, and its answer dropped.
    ///
    /// # Errors
    /// The child could not be started.
    pub fn submit(&mut self, request: &[u8]) -> Result<(), Error> {
        if self.is_busy() {
            self.collect(&AtomicBool::new(false))?;
        }
        self.start()?;
        let running = self.running.as_mut().expect("started above");
        let sent = running.requests.send(request).map(|()| Instant::now());
        running.pending = Some(sent.map_err(|_| ()));
        Ok(())
    }

    /// The child's answer to the request [`Server::submit`] sent, waited for until the request's
    /// limit (counted from when it was sent); stopped as soon as `cancel` is set. With no request
    /// out, [`Outcome::Lost`].
    ///
    /// # Errors
    /// None today; the type leaves room for a restart.
    pub fn collect(&mut self, cancel: &AtomicBool) -> Result<Outcome, Error> {
        let Some(running) = self.running.as_mut() else {
            return Ok(Outcome::Lost("no request was sent".into()));
        };
        let lost = match running.pending.take() {
            None => return Ok(Outcome::Lost("no request was sent".into())),
            Some(Err(())) => Lost::Unsent,
            Some(Ok(sent)) => match running.answers.receive(sent + self.options.limit, cancel) {
                Ok(answer) => {
                    if self.options.stderr == Output::Shown {
                        let printed = running.errors.as_ref().map(CapturedErrors::take);
                        limits::forward(printed.as_deref().unwrap_or_default());
                    }
                    return Ok(child::decode(answer));
                }
                Err(missed) => Lost::Missed(missed),
            },
        };
        let running = self.running.take().expect("running above");
        Ok(running.stop(lost, self.options))
    }

    fn spawn(&self) -> Result<Running, Error> {
        let (requests_in, requests) = channel::channel().map_err(Error::Pipe)?;
        let (answers, answers_out) = channel::channel().map_err(Error::Pipe)?;
        let errors = child::captured(&self.options);
        // SAFETY: the child runs `serve` on this thread's own data, then `_exit`s.
        match unsafe { child::start(&self.options, errors.as_ref()) }? {
            None => {
                drop(requests);
                drop(answers);
                serve(&self.handler, requests_in, answers_out)
            }
            Some(pid) => Ok(Running {
                pid,
                requests,
                answers,
                errors,
                pending: None,
            }),
        }
    }
}

impl<F: Fn(&[u8]) -> Result<Vec<u8>, String>> Drop for Server<F> {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let Running {
                pid,
                requests,
                errors,
                ..
            } = running;
            // Killed, not told to stop by closing the request channel: a child forked after this
            // one (another server's, a trial) holds the channel's write end too, so this child
            // would never read its end, and a request may still be out.
            drop(requests);
            lifetime::forget(pid);
            child::kill_and_reap(pid, self.options.own_group);
            if self.options.stderr == Output::Shown
                && let Some(errors) = errors
            {
                limits::forward(&errors.take());
            }
        }
    }
}

/// Why an exchange got no answer.
enum Lost {
    /// The request could not be sent.
    Unsent,
    /// The answer did not come.
    Missed(Missed),
}

impl Running {
    /// Kills and reaps the child after a lost exchange; the outcome.
    fn stop(self, lost: Lost, options: Options) -> Outcome {
        lifetime::forget(self.pid);
        let status = child::kill_and_reap(self.pid, options.own_group);
        let printed = self.errors.as_ref().map(CapturedErrors::take);
        let printed = printed.as_deref().unwrap_or_default();
        if matches!(lost, Lost::Missed(Missed::Cancelled)) {
            if options.stderr == Output::Shown && !limits::ran_out_of_memory(printed) {
                limits::forward(printed);
            }
            return Outcome::Cancelled;
        }
        if limits::ran_out_of_memory(printed) {
            // What it printed (LLVM's `out of memory`) is said by the outcome.
            return Outcome::OutOfMemory;
        }
        if options.stderr == Output::Shown {
            limits::forward(printed);
        }
        match (status.signal(), lost) {
            (Some(signal), _) if signal != libc::SIGKILL => Outcome::Signal(signal),
            (_, Lost::Missed(Missed::TimedOut)) => Outcome::TimedOut,
            (_, Lost::Unsent) => Outcome::Lost("the child stopped reading".into()),
            (_, Lost::Missed(Missed::Closed)) => {
                Outcome::Lost("the child process ended without an answer".into())
            }
            (_, Lost::Missed(Missed::Io(error))) => {
                Outcome::Lost(format!("cannot read the child's answer: {error}"))
            }
            (_, Lost::Missed(Missed::Cancelled)) => Outcome::Cancelled,
        }
    }
}

/// The child's loop: answers requests until its input ends, then exits.
fn serve(
    handler: &impl Fn(&[u8]) -> Result<Vec<u8>, String>,
    requests: Receiver,
    mut answers: Sender,
) -> ! {
    while let Ok(request) = requests.receive_blocking() {
        let answer = handler(&request);
        let message = child::encode(answer.as_deref().map_err(String::as_str));
        if answers.send(&message).is_err() {
            break;
        }
    }
    // SAFETY: ends the child without running the parent's destructors.
    unsafe { libc::_exit(0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    const MEMORY: u64 = 2 << 30;

    fn options(limit: Duration) -> Options {
        Options::new(limit).memory(MEMORY)
    }

    fn never() -> AtomicBool {
        AtomicBool::new(false)
    }

    #[test]
    fn one_child_answers_many_requests_and_a_crash_costs_one() {
        let parent = std::process::id();
        let mut server = Server::new(
            |request: &[u8]| match request {
                b"crash" => {
                    // SAFETY: the child kills itself, as a crashing compiler would be killed.
                    unsafe { libc::raise(libc::SIGABRT) };
                    Err("still alive".into())
                }
                b"fail" => Err("no".into()),
                _ => Ok(format!("{}", std::process::id()).into_bytes()),
            },
            options(Duration::from_secs(10)),
        );
        let Outcome::Finished(first) = server.call(b"pid", &never()).unwrap() else {
            panic!("no answer")
        };
        assert_ne!(
            first,
            parent.to_string().into_bytes(),
            "answered in a child"
        );
        assert_eq!(
            server.call(b"pid", &never()).unwrap(),
            Outcome::Finished(first.clone()),
            "by the same child"
        );
        assert_eq!(
            server.call(b"fail", &never()).unwrap(),
            Outcome::Failed("no".into())
        );
        assert_eq!(
            server.call(b"crash", &never()).unwrap(),
            Outcome::Signal(libc::SIGABRT)
        );
        let after = server.call(b"pid", &never()).unwrap();
        assert_ne!(
            after,
            Outcome::Finished(first),
            "a fresh child after the crash"
        );
    }

    #[test]
    fn a_request_that_takes_too_much_memory_costs_that_request() {
        let mut server = Server::new(
            |request: &[u8]| {
                if request == b"big" {
                    // More than the cap allows: the allocation fails and the child aborts.
                    let big = Vec::<u8>::with_capacity((MEMORY + (1 << 30)) as usize);
                    std::hint::black_box(&big);
                }
                Ok(b"done".to_vec())
            },
            options(Duration::from_secs(10)),
        );
        assert_eq!(server.call(b"big", &never()).unwrap(), Outcome::OutOfMemory);
        assert_eq!(
            server.call(b"small", &never()).unwrap(),
            Outcome::Finished(b"done".to_vec())
        );
    }

    #[test]
    fn a_hung_child_is_killed_at_the_limit() {
        let mut server = Server::new(
            |_: &[u8]| {
                std::thread::sleep(Duration::from_secs(30));
                Ok(Vec::new())
            },
            options(Duration::from_millis(200)),
        );
        assert_eq!(server.call(b"x", &never()).unwrap(), Outcome::TimedOut);
    }

    #[test]
    fn a_cancelled_call_kills_the_child_and_what_it_forked() {
        let mut server = Server::new(
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
            options(Duration::from_secs(60)).own_group(),
        );
        server.start().unwrap();
        let group = server.pid().unwrap();
        let cancel = AtomicBool::new(false);
        let started = Instant::now();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                cancel.store(true, Ordering::Relaxed);
            });
            assert_eq!(server.call(b"x", &cancel).unwrap(), Outcome::Cancelled);
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

    #[test]
    fn two_children_answer_submitted_requests_at_once() {
        let slow = |request: &[u8]| {
            std::thread::sleep(Duration::from_millis(300));
            Ok(request.to_vec())
        };
        let mut first = Server::new(slow, options(Duration::from_secs(10)));
        let mut second = Server::new(slow, options(Duration::from_secs(10)));
        assert_eq!(
            first.collect(&never()).unwrap(),
            Outcome::Lost("no request was sent".into())
        );
        first.start().unwrap();
        second.start().unwrap();
        let started = Instant::now();
        first.submit(b"one").unwrap();
        second.submit(b"two").unwrap();
        assert!(first.is_busy() && second.is_busy());
        assert_eq!(
            first.collect(&never()).unwrap(),
            Outcome::Finished(b"one".to_vec())
        );
        assert_eq!(
            second.collect(&never()).unwrap(),
            Outcome::Finished(b"two".to_vec())
        );
        assert!(!first.is_busy());
        // Both slept at once: well under the 600 ms of one after the other.
        assert!(started.elapsed() < Duration::from_millis(550));
        // A request still out when the next is submitted is collected first, its answer dropped.
        first.submit(b"dropped").unwrap();
        first.submit(b"kept").unwrap();
        assert_eq!(
            first.collect(&never()).unwrap(),
            Outcome::Finished(b"kept".to_vec())
        );
    }

    #[test]
    fn a_submitted_request_is_timed_from_when_it_was_sent() {
        let mut server = Server::new(
            |_: &[u8]| {
                std::thread::sleep(Duration::from_secs(30));
                Ok(Vec::new())
            },
            options(Duration::from_millis(300)),
        );
        server.submit(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(400));
        let started = Instant::now();
        assert_eq!(server.collect(&never()).unwrap(), Outcome::TimedOut);
        assert!(started.elapsed() < Duration::from_millis(200));
    }
}
