//! [`Verifier`]: how the engine runs a candidate that passed admission. The [`Sandbox`] runs the
//! whole program in a child `tensorlang-run` (offline, `--neuro-repair`); the self-healing runtime
//! runs the rest of the live program in a forked copy of itself (`crate::heal`).

use super::sandbox::{Outcome, Sandbox, SandboxError};
use crate::RepairSource;

/// Why a verifier could not run a candidate at all (a candidate that fails is a
/// [`Verdict::Rejected`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The sandbox could not run.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The live program the candidate was to run in is gone.
    #[error("{0}")]
    Gone(String),
}

/// One candidate to run.
#[derive(Debug, Clone, Copy)]
pub struct Trial<'a> {
    /// The function it replaces.
    pub function: &'a str,
    /// The replacement function (MLIR).
    pub replacement: &'a str,
    /// The whole program with the replacement in place.
    pub program: &'a str,
    /// The program as the user wrote it: what its `function` writes and calls is what the
    /// replacement may (it runs contained, see [`crate::containment`]). Printed only by
    /// verifiers that hand it to another process.
    pub original: &'a melior::ir::Module<'a>,
    /// Where it came from: `cache`, `symbolic` or `model`.
    pub source: RepairSource,
    /// A cached repair this installation recorded, unchanged since (its MAC checks): verified in
    /// full when it was recorded. Anything else is verified in full now.
    pub authentic: bool,
}

/// What running a candidate showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed; how it was run, in words.
    Passed(String),
    /// It failed, or did not run; why, in words.
    Rejected(String),
}

/// Runs candidates.
pub trait Verifier {
    /// Runs `trial`.
    ///
    /// # Errors
    /// [`VerifierError`] when the verifier itself cannot run (not when the candidate fails).
    fn run(&mut self, trial: &Trial) -> Result<Verdict, VerifierError>;

    /// Runs `entry` (a void function without arguments) of `program` with every check, where
    /// this verifier runs programs of its own (the sandbox does; a live program does not:
    /// `None`).
    ///
    /// # Errors
    /// [`VerifierError`] when the verifier itself cannot run.
    fn run_driver(&mut self, program: &str, entry: &str) -> Option<Result<Verdict, VerifierError>> {
        let _ = (program, entry);
        None
    }

    /// A hint: `next` is the candidate the engine runs after the one it runs now (it calls this
    /// before [`Verifier::run`]), so that a verifier that compiles candidates may start on it
    /// while the current one runs. Nothing by default.
    fn prepare(&mut self, next: &Trial) {
        let _ = next;
    }

    /// The time spent compiling candidates since the last call, where this verifier compiles
    /// apart from running (the engine counts the rest of a run as trial; see
    /// [`crate::engine::RepairPhases`]). Zero by default: the offline sandbox builds and runs in
    /// one child.
    fn take_build_time(&mut self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl Verifier for Sandbox {
    fn run(&mut self, trial: &Trial) -> Result<Verdict, VerifierError> {
        Ok(verdict(self.run_contained(
            trial.program,
            trial.function,
            &trial.original.as_operation().to_string(),
        )?))
    }

    fn run_driver(&mut self, program: &str, entry: &str) -> Option<Result<Verdict, VerifierError>> {
        Some(
            self.run_entry(program, entry, "void")
                .map(verdict)
                .map_err(VerifierError::from),
        )
    }
}

/// A sandboxed run's outcome as a verdict.
fn verdict(outcome: Outcome) -> Verdict {
    match outcome {
        Outcome::Passed { .. } => Verdict::Passed(
            "the program ran to completion with every check passing, in a sandboxed process".into(),
        ),
        Outcome::Failed { failures, .. } => {
            Verdict::Rejected(format!("still fails: {}", failures.join("; ")))
        }
        Outcome::Broken { stderr } => Verdict::Rejected(format!(
            "does not run: {}",
            stderr.lines().next().unwrap_or("")
        )),
        Outcome::TimedOut => Verdict::Rejected("timed out".into()),
    }
}
