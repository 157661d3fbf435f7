//! Process isolation: the one place where the runtime forks, talks to, waits for and kills other
//! processes.
//!
//! Work that may crash, hang or run away (MLIR or LLVM on hostile text, a candidate's trial run,
//! a variant's timing) runs in a child process, so that its failure costs the work and not the
//! program. All of that lives here, and nothing else in the runtime calls
//! `fork`, `pipe`, `poll`, `waitpid` or `kill` (the JIT's crash guard aside, which catches
//! signals in the program itself):
//! - [`lifetime`]: every child dies with the process that forked it (the parent-death signal,
//!   and a registry of children killed on `SIGTERM`, `SIGINT`, `SIGHUP` and at exit);
//! - [`limits`]: a child's address space is capped (`RLIMIT_AS`), and what it printed tells
//!   whether it ran out;
//! - [`channel`]: one framed channel to a child (length-prefixed messages over a pipe, reads
//!   bounded by a deadline and a cancel flag);
//! - [`child`]: a child forked under [`Options`] (time limit, memory limit, where its output
//!   goes), for one piece of work ([`run`]) or to go on running the program ([`fork`]);
//! - [`server`]: a warm child that answers many requests, forked once;
//! - [`command`]: an executable (`tensorlang-run`) started under the same lifetime rules;
//! - [`outcome`]: how a child's work ended, as an [`Outcome`], never a sentinel string.
//!
//! Why the exec of `tensorlang-run` is here too, as a [`command`] helper, and not a library
//! crate's own `Command`: a process the runtime starts must die with it like a forked one, and
//! be killed at its deadline, and the registry that sees to both is this crate's. What the
//! runner is asked and how its report reads stays with the crates that run it (repair's
//! sandbox, the variants pass): that is TensorLang, not process management.
//!
//! The messages users read (a crash, a timeout, a memory limit) are written by the callers
//! from the [`Outcome`], in their own words: this crate knows nothing of MLIR, models or the
//! program.

pub mod channel;
pub mod child;
pub mod command;
pub mod lifetime;
pub mod limits;
pub mod outcome;
pub mod server;

pub use child::{Child, Forked, Options, Output, Reply, fork, run};
pub use outcome::Outcome;
pub use server::Server;

/// Why a child could not be started.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pipe to the child could not be made.
    #[error("{0}")]
    Pipe(#[source] std::io::Error),
    /// The fork failed.
    #[error("{0}")]
    Fork(#[source] std::io::Error),
}

impl From<Error> for std::io::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Pipe(source) | Error::Fork(source) => source,
        }
    }
}
