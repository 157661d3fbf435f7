//! A child forked for one piece of work, under [`Options`]: it dies with its parent
//! ([`lifetime`]), its address space is capped ([`limits`]), its standard output goes to
//! `/dev/null` (nothing a child prints may reach the program's output), and its answer comes
//! back as one message on a [`channel`]: a tag byte (0: the bytes are the result, 1: an error
//! message) and the bytes.
//!
//! [`run`] forks for a closure and waits for its answer; [`fork`] returns on both sides, for a
//! child that goes on running the program (a trial) and answers with [`Reply::finish`].

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::channel::{self, Missed, Receiver, Sender};
use crate::limits::{self, CapturedErrors};
use crate::{Error, Outcome, lifetime};

/// Where a child's standard error goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// To `/dev/null`.
    Null,
    /// Kept (to tell whether the child ran out of memory) and shown on the parent's standard
    /// error once the work ended, unless it only said that the child ran out of memory.
    Shown,
    /// Kept (to tell whether the child ran out of memory), then dropped: for work whose failures
    /// come back as errors anyway (LLVM prints `LLVM ERROR: ...` on its way to aborting).
    Dropped,
}

/// How a child runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The longest the parent waits for the child's answer; it is killed then.
    pub limit: Duration,
    /// How much more address space than the parent had at the fork the child may take (`None`:
    /// no cap).
    pub memory: Option<u64>,
    /// Where its standard error goes.
    pub stderr: Output,
    /// Whether the child leads a process group of its own, which a kill ends whole (the child's
    /// own children with it).
    pub own_group: bool,
    /// Whether the child runs at the lowest priority (nice 19): for work done ahead, on a core
    /// nothing else wants, that must not slow down the work that is waited for.
    pub background: bool,
}

impl Options {
    /// `limit` for the work, no memory cap, standard error shown, no group of its own.
    pub fn new(limit: Duration) -> Self {
        Self {
            limit,
            memory: None,
            stderr: Output::Shown,
            own_group: false,
            background: false,
        }
    }

    /// The child's address space is capped at `headroom` bytes more than the parent's.
    pub fn memory(mut self, headroom: u64) -> Self {
        self.memory = Some(headroom);
        self
    }

    /// The child's standard error goes to `stderr`.
    pub fn stderr(mut self, stderr: Output) -> Self {
        self.stderr = stderr;
        self
    }

    /// The child leads a process group of its own.
    pub fn own_group(mut self) -> Self {
        self.own_group = true;
        self
    }

    /// The child runs at the lowest priority (see [`Options::background`]).
    pub fn background(mut self) -> Self {
        self.background = true;
        self
    }
}

/// Which side of [`fork`] this is.
pub enum Forked {
    /// The child: do the work, then answer with [`Reply::finish`].
    Child(Reply),
    /// The parent: wait for the child with [`Child::wait`].
    Parent(Child),
}

/// The child's end of the channel to its parent.
pub struct Reply {
    sender: Sender,
}

impl Reply {
    /// Sends the answer (ignored if the parent is gone) and ends the child at once: exit status
    /// 0 after a result, 2 after an error, without running the parent's destructors or exit
    /// hooks (they belong to the parent).
    pub fn finish(mut self, answer: Result<&[u8], &str>) -> ! {
        let _ = self.sender.send(&encode(answer));
        let status = if answer.is_ok() { 0 } else { 2 };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(status) }
    }
}

/// An answer as it travels: the tag byte and the bytes.
pub(crate) fn encode(answer: Result<&[u8], &str>) -> Vec<u8> {
    let (tag, bytes) = match answer {
        Ok(bytes) => (0u8, bytes),
        Err(message) => (1u8, message.as_bytes()),
    };
    let mut message = Vec::with_capacity(bytes.len() + 1);
    message.push(tag);
    message.extend_from_slice(bytes);
    message
}

/// The answer a message carries: [`Outcome::Finished`] or [`Outcome::Failed`].
pub(crate) fn decode(message: Vec<u8>) -> Outcome {
    match message.split_first() {
        Some((0, bytes)) => Outcome::Finished(bytes.to_vec()),
        Some((_, bytes)) => Outcome::Failed(String::from_utf8_lossy(bytes).into_owned()),
        None => Outcome::Lost("an empty answer from the child".into()),
    }
}

/// The parent's side of a forked child, until [`Child::wait`] reaps it.
pub struct Child {
    pid: libc::pid_t,
    answers: Receiver,
    errors: Option<CapturedErrors>,
    options: Options,
}

/// Forks a child under `options` (see the module docs).
///
/// # Safety
/// As `fork(2)` in a threaded process: the child may only run code that touches what the
/// calling thread owns, and must end with [`Reply::finish`] (or `_exit`).
///
/// # Errors
/// The pipe or the fork failed.
pub unsafe fn fork(options: &Options) -> Result<Forked, Error> {
    let (answers, sender) = channel::channel().map_err(Error::Pipe)?;
    let errors = captured(options);
    // SAFETY: the caller's contract.
    match unsafe { start(options, errors.as_ref()) }? {
        None => {
            drop(answers);
            Ok(Forked::Child(Reply { sender }))
        }
        Some(pid) => {
            drop(sender);
            Ok(Forked::Parent(Child {
                pid,
                answers,
                errors,
                options: *options,
            }))
        }
    }
}

/// A memory file for the child's standard error, if it is kept.
pub(crate) fn captured(options: &Options) -> Option<CapturedErrors> {
    (options.stderr != Output::Null).then(CapturedErrors::new)
}

/// Forks, and sets the child up as `options` ask: `None` in the child, the child's pid in the
/// parent.
///
/// # Safety
/// As [`fork`].
pub(crate) unsafe fn start(
    options: &Options,
    errors: Option<&CapturedErrors>,
) -> Result<Option<libc::pid_t>, Error> {
    // SAFETY: the caller's contract.
    match unsafe { lifetime::fork() }.map_err(Error::Fork)? {
        lifetime::Forked::Child => {
            if options.own_group {
                // SAFETY: makes this child the leader of a new process group.
                unsafe { libc::setpgid(0, 0) };
            }
            silence(1);
            match errors {
                Some(errors) => errors.redirect(),
                None => silence(2),
            }
            if let Some(headroom) = options.memory {
                limits::cap_address_space(headroom);
            }
            if options.background {
                // SAFETY: lowers this process's own priority (0 names the caller); no memory is
                // touched.
                unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
            }
            Ok(None)
        }
        lifetime::Forked::Parent(pid) => {
            if options.own_group {
                // SAFETY: the same request as the child's (whichever runs first), so that the
                // group exists before it is registered.
                unsafe { libc::setpgid(pid, pid) };
                lifetime::register_group(pid);
            }
            Ok(Some(pid))
        }
    }
}

/// Runs `work` in a forked child under `options` and waits for its answer, for
/// `options.limit` at most and until `cancel` is set (checked every few milliseconds).
///
/// `work` must touch only what the calling thread owns (the fork copies no other thread), and
/// the calling thread's MLIR context, if any, must run single-threaded.
///
/// # Errors
/// The child could not be started; how a started child's work ended is the [`Outcome`].
pub fn run(
    options: &Options,
    work: impl FnOnce() -> Result<Vec<u8>, String>,
    cancel: &AtomicBool,
) -> Result<Outcome, Error> {
    // SAFETY: the child runs `work` on this thread's own data, then `_exit`s.
    match unsafe { fork(options) }? {
        Forked::Child(reply) => {
            let answer = work();
            reply.finish(answer.as_deref().map_err(String::as_str))
        }
        Forked::Parent(child) => Ok(child.wait(cancel)),
    }
}

impl Child {
    /// The child's pid.
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// Waits for the child's answer (for the options' limit at most, and until `cancel` is
    /// set), kills the child if it has not ended, reaps it, and tells how its work ended.
    pub fn wait(self, cancel: &AtomicBool) -> Outcome {
        let deadline = Instant::now() + self.options.limit;
        let answer = self.answers.receive(deadline, cancel);
        lifetime::forget(self.pid);
        let status = match &answer {
            // The child ends right after it answers, or has ended: reap it.
            Ok(_) | Err(Missed::Closed) => reap(self.pid),
            Err(_) => kill_and_reap(self.pid, self.options.own_group),
        };
        let printed = self.errors.as_ref().map(CapturedErrors::take);
        let ended = matches!(answer, Ok(_) | Err(Missed::Closed));
        let succeeded = status.exited() == Some(0);
        let out_of_memory =
            ended && !succeeded && printed.as_deref().is_some_and(limits::ran_out_of_memory);
        // Out of memory, what it printed (LLVM's `out of memory`) is said by the outcome.
        if self.options.stderr == Output::Shown && !out_of_memory {
            limits::forward(printed.as_deref().unwrap_or_default());
        }
        match answer {
            Err(Missed::Cancelled) => Outcome::Cancelled,
            Err(Missed::TimedOut) => Outcome::TimedOut,
            Err(Missed::Io(error)) => {
                Outcome::Lost(format!("cannot read the child's answer: {error}"))
            }
            _ if out_of_memory => Outcome::OutOfMemory,
            Ok(message) => decode(message),
            Err(Missed::Closed) => status.outcome(),
        }
    }
}

/// How a reaped child ended: its `waitpid` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Status(pub(crate) libc::c_int);

impl Status {
    /// Its exit status, if it exited.
    pub(crate) fn exited(self) -> Option<i32> {
        libc::WIFEXITED(self.0).then(|| libc::WEXITSTATUS(self.0))
    }

    /// The signal that ended it, if one did.
    pub(crate) fn signal(self) -> Option<i32> {
        libc::WIFSIGNALED(self.0).then(|| libc::WTERMSIG(self.0))
    }

    /// A child that ended without answering: [`Outcome::Signal`] or [`Outcome::Exited`].
    pub(crate) fn outcome(self) -> Outcome {
        match self.signal() {
            Some(signal) => Outcome::Signal(signal),
            None => Outcome::Exited(self.exited().unwrap_or(-1)),
        }
    }
}

/// Waits for the (forgotten) child `pid` to end and reaps it.
pub(crate) fn reap(pid: libc::pid_t) -> Status {
    let mut status = 0;
    // SAFETY: reaping our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    Status(status)
}

/// Kills the (forgotten) child `pid`, and its group if it leads one, then reaps it.
pub(crate) fn kill_and_reap(pid: libc::pid_t, group: bool) -> Status {
    // SAFETY: our own child (with its group, if it leads one), not yet reaped: no other
    // process has its pid.
    unsafe {
        if group {
            libc::kill(-pid, libc::SIGKILL);
        }
        libc::kill(pid, libc::SIGKILL);
    }
    reap(pid)
}

/// Descriptor `fd` (1 for standard output, 2 for standard error) goes to `/dev/null`.
pub(crate) fn silence(fd: i32) {
    // SAFETY: opening /dev/null and duplicating it over one of our own descriptors.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if null >= 0 {
            libc::dup2(null, fd);
            libc::close(null);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    const MEMORY: u64 = 2 << 30;

    fn quick() -> Options {
        Options::new(Duration::from_secs(20)).memory(MEMORY)
    }

    #[test]
    fn an_answer_an_error_and_a_crash_come_back_as_outcomes() {
        let never = AtomicBool::new(false);
        let run = |work: fn() -> Result<Vec<u8>, String>| run(&quick(), work, &never).unwrap();
        assert_eq!(
            run(|| Ok(b"object".to_vec())),
            Outcome::Finished(b"object".to_vec())
        );
        assert_eq!(run(|| Err("no".into())), Outcome::Failed("no".into()));
        let crashed = run(|| {
            // SAFETY: the child kills itself, as a crashing compiler would be killed.
            unsafe { libc::raise(libc::SIGKILL) };
            Err("still alive".into())
        });
        assert_eq!(crashed, Outcome::Signal(libc::SIGKILL));
    }

    #[test]
    fn a_background_child_runs_at_the_lowest_priority() {
        let priority = || {
            // SAFETY: reads this process's own nice value.
            let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
            Ok(nice.to_string().into_bytes())
        };
        let never = AtomicBool::new(false);
        let background = run(&quick().background(), priority, &never).unwrap();
        assert_eq!(background, Outcome::Finished(b"19".to_vec()));
        let Outcome::Finished(normal) = run(&quick(), priority, &never).unwrap() else {
            panic!("no answer");
        };
        assert_ne!(
            normal,
            b"19".to_vec(),
            "only the background child is lowered"
        );
    }

    #[test]
    fn a_child_that_takes_too_much_memory_ran_out_of_it() {
        let outcome = run(
            &quick().stderr(Output::Dropped),
            || {
                // More than the cap allows: the allocation fails and the child aborts.
                let big = Vec::<u8>::with_capacity((MEMORY + (1 << 30)) as usize);
                std::hint::black_box(&big);
                Ok(b"allocated".to_vec())
            },
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(outcome, Outcome::OutOfMemory);
    }

    #[test]
    fn a_child_past_its_limit_is_killed() {
        let outcome = run(
            &Options::new(Duration::from_millis(100)),
            || {
                std::thread::sleep(Duration::from_secs(30));
                Ok(Vec::new())
            },
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(outcome, Outcome::TimedOut);
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
            let outcome = run(
                &quick(),
                || {
                    std::thread::sleep(Duration::from_secs(30));
                    Ok(b"late".to_vec())
                },
                &cancel,
            )
            .unwrap();
            assert_eq!(outcome, Outcome::Cancelled);
        });
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_forked_child_that_exits_without_answering_says_how() {
        // SAFETY: the child only `_exit`s.
        match unsafe { fork(&Options::new(Duration::from_secs(10))) }.unwrap() {
            // SAFETY: ends the child as a program calling exit(3) would.
            Forked::Child(_) => unsafe { libc::_exit(3) },
            Forked::Parent(child) => {
                assert_eq!(child.wait(&AtomicBool::new(false)), Outcome::Exited(3));
            }
        }
    }
}
