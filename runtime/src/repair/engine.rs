//! [`RepairEngine`]: from a failure to a verified replacement function.
//!
//! For each suspect function ([`super::localize`]), cheapest source first: the
//! [`StrategyCache`], then the symbolic [`strategies`](super::strategies). Every candidate,
//! cached ones included, passes [`Admission`] and then runs in the [`Sandbox`]: the program with
//! the candidate in place must run to the end with every check passing. The first that does is
//! the repair; it is recorded in the cache.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use melior::Context;
use melior::ir::attribute::StringAttribute;
use melior::ir::operation::{OperationLike, OperationPrintingFlags};
use melior::ir::{BlockLike, Module, OperationRef};

use super::admission::Admission;
use super::cache::{CacheKey, CachedRepair, StrategyCache, TrainingExample, now};
use super::localize::suspects;
use super::sandbox::{Outcome, Sandbox, SandboxError};
use super::strategies::{self, FailureHint};
use crate::failure::Failure;

/// How a repair was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// The replaced function.
    pub function: String,
    /// `cache` or `symbolic`.
    pub source: &'static str,
    /// The strategy that produced the fix.
    pub strategy: String,
    /// What it changed.
    pub change: String,
    /// How it was verified.
    pub verification: String,
    /// The replacement function (MLIR, locations inline).
    pub replacement: String,
    /// The whole program with the replacement in place.
    pub program: String,
    /// Candidates tried, the winner included.
    pub tried: usize,
    /// Time from the request to the verified fix.
    pub elapsed: Duration,
}

/// Why no repair was found.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// The program does not parse.
    #[error("{0}")]
    Program(String),
    /// No candidate survived verification.
    #[error("no candidate survived verification ({tried} tried for {}); {last}", suspects.join(", "))]
    NoCandidate {
        /// Candidates tried.
        tried: usize,
        /// Functions tried.
        suspects: Vec<String>,
        /// Why the last candidate was turned away.
        last: String,
    },
    /// The sandbox could not run.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

/// The failing program, as the engine needs it.
#[derive(Debug, Clone)]
pub struct RepairRequest<'a> {
    /// The program's text.
    pub source: &'a str,
    /// Its file name, as locations name it.
    pub file: &'a str,
    /// Its entry point (a void function holding the checks).
    pub entry: &'a str,
    /// What failed.
    pub failure: &'a Failure,
}

/// The repair engine.
pub struct RepairEngine {
    sandbox: Sandbox,
    cache: Option<StrategyCache>,
    max_candidates: usize,
}

impl RepairEngine {
    /// An engine verifying in `sandbox`, remembering in `cache`, trying at most `max_candidates`.
    pub fn new(sandbox: Sandbox, cache: Option<StrategyCache>, max_candidates: usize) -> Self {
        Self {
            sandbox,
            cache,
            max_candidates,
        }
    }

    /// Finds a verified replacement for a function of the failing program.
    ///
    /// # Errors
    /// [`RepairError`]: the program does not parse, or no candidate survived.
    pub fn repair(
        &mut self,
        context: &Context,
        request: &RepairRequest,
    ) -> Result<Repair, RepairError> {
        let started = Instant::now();
        let module = tensorlang::parse_module(context, request.source, request.file)
            .map_err(|error| RepairError::Program(error.to_string()))?;
        let suspects = suspects(&module, &request.failure.function, request.entry);
        let signature = failure_signature(request.failure);
        let mut tried = 0;
        let mut last = String::from("no candidates");
        for function in &suspects {
            let Some(op) = find_function(&module, function) else {
                continue;
            };
            let admission = Admission::new(&module, function, request.entry);
            let key = CacheKey::new(&print(&op, false), &signature);
            let hint = FailureHint {
                kind: &request.failure.kind,
                location: Some(request.failure.location.as_str()),
            };
            let cached = self.cached(&key);
            let proposals = cached.into_iter().chain(
                strategies::propose(&print(&op, true), hint)
                    .into_iter()
                    .map(|candidate| Proposal {
                        source: "symbolic",
                        strategy: candidate.strategy.to_owned(),
                        change: candidate.change,
                        function: candidate.function,
                    }),
            );
            for proposal in proposals {
                if tried >= self.max_candidates {
                    break;
                }
                tried += 1;
                if let Err(rejection) = admission.admit(context, &proposal.function) {
                    last = format!("{} ({}): {rejection}", proposal.change, proposal.strategy);
                    continue;
                }
                let program = splice(&module, function, &proposal.function);
                match self.sandbox.run(&program)? {
                    Outcome::Passed { .. } => {
                        let repair = Repair {
                            function: function.clone(),
                            source: proposal.source,
                            strategy: proposal.strategy,
                            change: proposal.change,
                            verification: format!(
                                "the program ran to completion with every check passing, in a sandboxed process ({tried} candidates tried)"
                            ),
                            replacement: proposal.function,
                            program,
                            tried,
                            elapsed: started.elapsed(),
                        };
                        self.remember(key, &repair, request);
                        return Ok(repair);
                    }
                    outcome => last = format!("{}: {}", proposal.change, describe(&outcome)),
                }
            }
        }
        Err(RepairError::NoCandidate {
            tried,
            suspects,
            last,
        })
    }

    fn cached(&mut self, key: &CacheKey) -> Option<Proposal> {
        let cache = self.cache.as_mut()?;
        match cache.lookup(key) {
            Ok(Some(entry)) => Some(Proposal {
                source: "cache",
                strategy: entry.strategy.clone(),
                change: format!("the cached repair ({})", entry.source),
                function: entry.replacement.clone(),
            }),
            Ok(None) => None,
            Err(error) => {
                tracing::warn!("{error}");
                None
            }
        }
    }

    fn remember(&mut self, key: CacheKey, repair: &Repair, request: &RepairRequest) {
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        if repair.source == "cache" {
            return;
        }
        let entry = CachedRepair {
            function: repair.function.clone(),
            replacement: repair.replacement.clone(),
            source: repair.source.to_owned(),
            strategy: repair.strategy.clone(),
            verification: repair.verification.clone(),
            failure: request.failure.to_string(),
            recorded_at: now(),
        };
        let example = TrainingExample {
            prompt: format!("{}\n\n{}", request.failure, request.source),
            answer: repair.replacement.clone(),
        };
        if let Err(error) = cache.record(key, entry, &example) {
            tracing::warn!("the repair was not cached: {error}");
        }
    }
}

/// A candidate with where it came from.
struct Proposal {
    source: &'static str,
    strategy: String,
    change: String,
    function: String,
}

/// The failure without the values that vary from run to run: its kind and message, digits
/// dropped.
fn failure_signature(failure: &Failure) -> String {
    let message: String = failure
        .message
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect();
    format!("{}|{message}", failure.kind)
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Passed { .. } => "passed".into(),
        Outcome::Failed { failures, .. } => format!("still fails: {}", failures.join("; ")),
        Outcome::Broken { stderr } => {
            format!("does not run: {}", stderr.lines().next().unwrap_or(""))
        }
        Outcome::TimedOut => "timed out".into(),
    }
}

fn find_function<'c, 'a>(module: &'a Module<'c>, name: &str) -> Option<OperationRef<'c, 'a>> {
    let mut next = module.body().first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        let symbol = op
            .attribute("sym_name")
            .ok()
            .and_then(|symbol| StringAttribute::try_from(symbol).ok())
            .map(|symbol| symbol.value().to_owned());
        if symbol.as_deref() == Some(name) {
            return Some(op);
        }
    }
    None
}

/// The op as MLIR prints it; with `locations`, each op carries its `loc(...)` inline.
fn print(op: &OperationRef, locations: bool) -> String {
    let flags = OperationPrintingFlags::new().enable_debug_info(locations, false);
    op.to_string_with_flags(flags)
        .unwrap_or_else(|_| op.to_string())
}

/// The program with `function` replaced by `replacement`, every other op as printed.
fn splice(module: &Module, function: &str, replacement: &str) -> String {
    let mut program = String::new();
    let mut next = module.body().first_operation();
    while let Some(op) = next {
        next = op.next_in_block();
        let is_target = op
            .attribute("sym_name")
            .ok()
            .and_then(|symbol| StringAttribute::try_from(symbol).ok())
            .is_some_and(|symbol| symbol.value() == function);
        if is_target {
            program.push_str(replacement);
        } else {
            program.push_str(&print(&op, true));
        }
        program.push('\n');
    }
    program
}

/// The scratch directory for sandboxed runs under `$NEUROJIT_CACHE_DIR` (or `~/.neurojit`).
pub fn scratch_dir() -> PathBuf {
    super::cache::StrategyCache::default_path().with_file_name("sandbox")
}

#[cfg(test)]
mod tests;
