//! [`RepairEngine`]: from a failure to a verified replacement function.
//!
//! Cheapest source first, over every suspect function ([`super::localize`]) before the next
//! source: the [`StrategyCache`], then the symbolic [`super::strategies`] (the model
//! choosing which to try first only with [`EngineOptions::model_first`]), then, when those found
//! nothing, replacement functions the model writes, told why the previous ones were rejected.
//! The model is opened only when a search first reaches it
//! ([`RepairEngine::open_model_with`]; the self-healing worker starts loading it in the background
//! at the first failure). Every candidate, cached ones included, passes
//! [`super::Admission`] and then runs in the engine's [`Verifier`] (offline the [`Sandbox`], a
//! child `tensorlang-run`; live, a forked copy of the running program): the program with the
//! candidate in place must run to the end with every check passing. The first that does is
//! the repair; it is recorded in the cache.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use melior::Context;
use melior::ir::Module;

use super::cache::{CacheKey, CachedRepair, StrategyCache, TrainingExample, now};
use super::journal::Journal;
use super::localize::suspects;
use super::model_source::ModelSource;
use super::ranking::{LearnedRanking, Ranking};
use super::sandbox::{Outcome, Sandbox};
use super::source::RepairSource;
use super::strategies::{self, FailureHint};
use super::verifier::{Verifier, VerifierError};
pub use options::{EngineOptions, Sources};
use phases::Phase;
pub use phases::{CandidateCounts, RepairPhases};
pub use prepared::PreparedSuspects;
use prepared::SuspectFacts;
use recorded_call::RecordedCall;
use std::rc::Rc;
use tensorlang_checks::failure::Failure;

/// How a repair was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    /// The replaced function.
    pub function: String,
    /// Where it came from.
    pub source: RepairSource,
    /// The strategy that produced the fix.
    pub strategy: String,
    /// What it changed.
    pub change: String,
    /// How it was verified.
    pub verification: String,
    /// The replacement function (MLIR, locations inline).
    pub replacement: String,
    /// The op the fix edited (`func.func` for a whole new body; empty for a cached fix).
    pub op: String,
    /// The whole program with the replacement in place.
    pub program: String,
    /// Candidates tried, the winner included.
    pub tried: usize,
    /// Time from the request to the verified fix.
    pub elapsed: Duration,
    /// What Z3 says of the repaired function's checks (see [`crate::prove`]).
    pub proof: Option<crate::prove::Verdict>,
    /// Where the search's time went.
    pub phases: RepairPhases,
}

/// Why no repair was found.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// The program does not parse.
    #[error("{0}")]
    Program(String),
    /// The failing function is the entry point or trusted, and it calls nothing else to repair.
    #[error(
        "nothing may be repaired: '{0}' is the entry point or trusted, and calls no function that could be"
    )]
    NothingToRepair(String),
    /// No candidate survived verification.
    #[error(
        "no candidate survived verification ({tried} tried for {}){}",
        suspects.join(", "),
        findings.iter().rev().take(5).rev().map(|finding| format!("; {finding}")).collect::<String>()
    )]
    NoCandidate {
        /// Candidates tried.
        tried: usize,
        /// Functions tried.
        suspects: Vec<String>,
        /// Why candidates were turned away, in order.
        findings: Vec<String>,
    },
    /// The verifier could not run (the sandbox, or the live program it runs in, is gone).
    #[error(transparent)]
    Verifier(#[from] VerifierError),
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
    /// Whether the functions that call the failing one are suspects too (after it and its
    /// callees). Offline they are; in a live call they are not: the caller's frame is running
    /// its old code, and a failure the callee cannot fix reaches the caller's own healed call.
    pub callers: bool,
}

/// The repair engine, verifying candidates with `V`.
pub struct RepairEngine<V = Sandbox> {
    verifier: V,
    cache: Option<StrategyCache>,
    model: Option<ModelSource>,
    /// Opens the model the first time a search asks it (see [`RepairEngine::open_model_with`]).
    open_model: Option<Box<dyn FnOnce() -> Option<ModelSource>>>,
    options: EngineOptions,
    /// What the last repair is to teach the cache ([`RepairEngine::record_pending`]).
    pending: Option<Remembered>,
    /// The order learned from the repair log, with [`Ranking::Learned`].
    learned: Option<LearnedRanking>,
    /// Where verdicts are journaled, and taken from when a search resumes.
    journal: Option<Journal>,
}

/// One suspect function and what verifying candidates for it needs.
struct Target<'m> {
    name: &'m str,
    facts: Rc<SuspectFacts>,
    key: CacheKey,
}

/// The search so far: candidates tried, and why the last ones were turned away.
struct Search {
    started: Instant,
    tried: usize,
    /// Candidates the journal says an earlier run rejected, not run again.
    resumed: usize,
    findings: Vec<String>,
    /// The failing call the report recorded, which candidates for its function must pass.
    recorded: Option<RecordedCall>,
    /// Where its time went so far.
    phases: RepairPhases,
}

impl RepairEngine<Sandbox> {
    /// Whether `source` already runs with every check passing (an earlier repair can fix several
    /// reported failures at once).
    ///
    /// # Errors
    /// [`RepairError::Verifier`] when the sandbox cannot run.
    pub fn program_passes(&mut self, source: &str) -> Result<bool, RepairError> {
        let outcome = self.verifier.run(source).map_err(VerifierError::from)?;
        Ok(matches!(outcome, Outcome::Passed { .. }))
    }
}

impl<V: Verifier> RepairEngine<V> {
    /// An engine verifying with `verifier`, remembering in `cache`, asking `model`.
    pub fn new(
        verifier: V,
        cache: Option<StrategyCache>,
        model: Option<ModelSource>,
        options: EngineOptions,
    ) -> Self {
        // Read once, when the engine is made: a live program makes it before it starts.
        let learned = (options.ranking == Ranking::Learned)
            .then_some(cache.as_ref())
            .flatten()
            .map(|cache| LearnedRanking::from_log(&cache.training_log_path()));
        Self {
            verifier,
            cache,
            model,
            open_model: None,
            options,
            pending: None,
            learned,
            journal: None,
        }
    }

    /// Opens the model with `open` the first time a search asks it, not before: the
    /// self-healing runtime loads it only when the cache and the symbolic strategies found
    /// nothing (or the model is to choose first).
    pub fn open_model_with(&mut self, open: impl FnOnce() -> Option<ModelSource> + 'static) {
        self.model = None;
        self.open_model = Some(Box::new(open));
    }

    /// The model, opened now if it has not been.
    fn model(&mut self) -> Option<&mut ModelSource> {
        if self.model.is_none()
            && let Some(open) = self.open_model.take()
        {
            self.model = open();
        }
        self.model.as_mut()
    }

    /// Journals every verdict in `journal` (see [`crate::journal`]), and takes the rejections
    /// it holds already instead of running those candidates again.
    pub fn journal_into(&mut self, journal: Journal) {
        self.journal = Some(journal);
    }

    /// The verifier.
    pub fn verifier(&mut self) -> &mut V {
        &mut self.verifier
    }

    /// Which sources are asked (the self-healing runtime leaves the cache out after a cached fix
    /// failed again).
    pub fn options_mut(&mut self) -> &mut EngineOptions {
        &mut self.options
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
        let mut prepared = PreparedSuspects::new();
        self.repair_parsed(context, &module, &mut prepared, request, started)
    }

    /// As [`RepairEngine::repair`], with `request.source` parsed already (`module`) and the
    /// facts of its functions kept in `prepared` (which must belong to the same program text), as
    /// the self-healing worker keeps both: a cache hit then costs no parse of the whole program.
    /// `started` is when the request came.
    ///
    /// # Errors
    /// [`RepairError`]: no candidate survived.
    pub fn repair_parsed(
        &mut self,
        context: &Context,
        module: &Module,
        prepared: &mut PreparedSuspects,
        request: &RepairRequest,
        started: Instant,
    ) -> Result<Repair, RepairError> {
        let mut search = Search {
            started,
            tried: 0,
            resumed: 0,
            findings: Vec::new(),
            recorded: RecordedCall::of(context, module, request),
            phases: RepairPhases::default(),
        };
        let suspects = suspects(
            module,
            &request.failure.function,
            request.entry,
            Some(&request.failure.location),
            request.callers,
        );
        if suspects.is_empty() {
            return Err(RepairError::NothingToRepair(
                request.failure.function.clone(),
            ));
        }
        let signature = failure_signature(request.failure);
        let targets: Vec<Target> = suspects
            .iter()
            .filter_map(|name| {
                let facts = prepared.get(module, name, request.entry)?;
                Some(Target {
                    name,
                    key: CacheKey::new(&facts.plain, &signature),
                    facts,
                })
            })
            .collect();
        search.phases.add(Phase::Localize, started.elapsed());
        // Each source for every suspect before the next source.
        for source in RepairSource::ALL {
            for target in &targets {
                let found = match source {
                    RepairSource::Cache => self.try_cached(context, module, target, &mut search)?,
                    RepairSource::Symbolic => {
                        self.try_symbolic(context, module, request, target, &mut search)?
                    }
                    RepairSource::Model => {
                        self.ask_model(context, module, request, target, &mut search)?
                    }
                    // Not in `RepairSource::ALL`: the search does not ask it.
                    RepairSource::Optimize => None,
                };
                if let Some(repair) = found {
                    self.pending = Some(self.remembered(target.key.clone(), &repair, request));
                    return Ok(repair);
                }
            }
        }
        Err(RepairError::NoCandidate {
            tried: search.tried,
            suspects,
            findings: search.findings,
        })
    }

    /// Tries the cached repair of one suspect.
    fn try_cached(
        &mut self,
        context: &Context,
        module: &Module,
        target: &Target,
        search: &mut Search,
    ) -> Result<Option<Repair>, RepairError> {
        let cached = search.phases.time(Phase::Propose, || {
            self.options.sources.cache.then(|| self.cached(&target.key))
        });
        match cached {
            Some(Some(proposal)) => self.verify(context, module, target, proposal, search),
            _ => Ok(None),
        }
    }

    /// Tries the symbolic strategies for one suspect.
    fn try_symbolic(
        &mut self,
        context: &Context,
        module: &Module,
        request: &RepairRequest,
        target: &Target,
        search: &mut Search,
    ) -> Result<Option<Repair>, RepairError> {
        let sources = self.options.sources;
        if sources.symbolic {
            let proposing = Instant::now();
            let hint = FailureHint {
                kind: request.failure.kind,
                location: Some(request.failure.location.as_str()),
            };
            let mut candidates = strategies::propose(&target.facts.text, hint);
            if let Some(learned) = &self.learned {
                candidates = learned.order(request.failure.kind, candidates);
            }
            let mut proposals: Vec<Proposal> =
                candidates.into_iter().map(Proposal::symbolic).collect();
            if sources.model && self.options.model_first {
                self.let_model_choose(module, request, target, &mut proposals);
            }
            search.phases.add(Phase::Propose, proposing.elapsed());
            return self.verify_in_order(context, module, target, proposals, search);
        }
        Ok(None)
    }

    fn cached(&mut self, key: &CacheKey) -> Option<Proposal> {
        let cache = self.cache.as_mut()?;
        match cache.lookup(key) {
            Ok(Some(entry)) => {
                let entry = entry.clone();
                Some(Proposal {
                    source: RepairSource::Cache,
                    authentic: cache.is_authentic(key, &entry),
                    change: format!("the cached repair (found by {})", entry.source),
                    strategy: entry.strategy,
                    function: entry.replacement,
                    op: String::new(),
                })
            }
            Ok(None) => None,
            Err(error) => {
                tracing::warn!("{error}");
                None
            }
        }
    }

    /// What the cache is to learn from `repair` (written by [`RepairEngine::record_pending`]).
    fn remembered(&self, key: CacheKey, repair: &Repair, request: &RepairRequest) -> Remembered {
        if repair.source == RepairSource::Cache {
            return Remembered::Verified(key);
        }
        let entry = CachedRepair {
            function: repair.function.clone(),
            replacement: repair.replacement.clone(),
            source: repair.source,
            strategy: repair.strategy.clone(),
            verification: repair.verification.clone(),
            failure: request.failure.to_string(),
            recorded_at: now(),
            reference: String::new(),
            mac: String::new(),
        };
        let example = TrainingExample {
            prompt: format!("{}\n\n{}", request.failure, request.source),
            answer: repair.replacement.clone(),
            failure_kind: request.failure.kind,
            op: repair.op.clone(),
        };
        Remembered::New(key, Box::new(entry), example)
    }

    /// Writes what the last repair taught the cache: a new entry, or the signature of a cached
    /// one that was not authentic and has just been verified in full. Kept out of
    /// [`RepairEngine::repair`] so that a live program can resume before the file is written.
    pub fn record_pending(&mut self) {
        let (Some(cache), Some(pending)) = (self.cache.as_mut(), self.pending.take()) else {
            return;
        };
        match pending {
            Remembered::Verified(key) => {
                let entry = cache.lookup(&key).ok().flatten().cloned();
                let authentic = entry.is_some_and(|entry| cache.is_authentic(&key, &entry));
                if !authentic && let Err(error) = cache.sign_again(&key) {
                    tracing::warn!("the verified cached repair was not signed again: {error}");
                }
            }
            Remembered::New(key, entry, example) => {
                if let Err(error) = cache.record(key, *entry, &example) {
                    tracing::warn!("the repair was not cached: {error}");
                }
            }
        }
    }
}

/// What the cache is to learn from a repair.
enum Remembered {
    /// A cached repair passed verification.
    Verified(CacheKey),
    /// A new repair, and its training example.
    New(CacheKey, Box<CachedRepair>, TrainingExample),
}

/// A candidate with where it came from.
struct Proposal {
    source: RepairSource,
    strategy: String,
    change: String,
    function: String,
    /// The op it edits (see [`strategies::Candidate::op`]).
    op: String,
    /// A cache entry whose MAC checks (see [`Trial::authentic`]).
    authentic: bool,
}

impl Proposal {
    fn symbolic(candidate: strategies::Candidate) -> Self {
        Self {
            source: RepairSource::Symbolic,
            authentic: false,
            strategy: candidate.strategy.to_owned(),
            change: candidate.change,
            function: candidate.function,
            op: candidate.op,
        }
    }
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

/// The scratch directory for sandboxed runs under `$NEUROJIT_CACHE_DIR` (or `~/.neurojit`).
pub fn scratch_dir() -> PathBuf {
    tensorlang::neurojit_dir()
        .unwrap_or_else(|| PathBuf::from(".neurojit"))
        .join("sandbox")
}

mod counterexample;
mod escalation;
mod options;
mod phases;
mod prepared;
mod recorded_call;
#[cfg(test)]
mod tests;
mod verify;
