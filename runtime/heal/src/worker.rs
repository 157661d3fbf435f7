//! The repair worker: a thread that owns the repair engine (its MLIR context, the strategy
//! cache, the model) and turns failures into verified, loaded versions, while the program's
//! thread waits for it and runs its trials ([`super::trial`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::Scope;
use tensorlang_repair::RepairSource;

use melior::Context;

use tensorlang_checks::contain::Containment;
use tensorlang_jit::failure::Failure;
use tensorlang_jit::jit::{Jit, ObjectKey};
use tensorlang_jit::program::Program;
use tensorlang_model::ModelArgs;
use tensorlang_repair::StrategyCache;
use tensorlang_repair::containment::containment_of;
use tensorlang_repair::engine::{
    EngineOptions, PreparedSuspects, Repair, RepairEngine, RepairRequest, Sources,
};
use tensorlang_repair::isolated::ChildServer;
use tensorlang_repair::model_source::ModelSource;
use tensorlang_repair::verifier::{Trial, Verdict, Verifier, VerifierError};

/// What the worker needs to know about the program and where its repairs may come from.
pub struct WorkerSetup {
    /// The program's source text.
    pub source: String,
    /// Its file name, as locations name it.
    pub file: String,
    /// Its entry point (never replaced).
    pub entry: String,
    /// The strategy cache's path; `None` for no cache.
    pub cache: Option<PathBuf>,
    /// The model; `None` for no model.
    pub model: Option<ModelArgs>,
    /// Sources, candidate and round limits.
    pub options: EngineOptions,
}

/// A failure to repair.
pub(super) struct Job {
    pub failure: Failure,
    /// Leave the cache out: its fix was just tried and failed again.
    pub skip_cache: bool,
    /// The failed check is in the entry point: a trial runs the entry again from the start.
    pub entry: bool,
    /// Cached repairs run in a trial too: the entry runs again from the start and must show
    /// what it has shown already. Otherwise a cached repair (admitted, and verified in full when
    /// it was recorded) is swapped in and the failed call (or the entry) runs again, and if that
    /// fails too the next attempt leaves the cache out.
    pub trial_cached: bool,
}

/// What the worker tells the program's thread.
pub(super) enum Event {
    /// Run this loaded candidate in a trial and answer on the verdict channel.
    Trial { function: String, address: usize },
    /// The search is over.
    Done(Result<Box<Found>, String>),
}

/// A verified repair, loaded into the JIT but not yet swapped in.
pub(super) struct Found {
    pub repair: Repair,
    pub key: ObjectKey,
}

/// The program's side of the worker.
pub(super) struct RepairWorker {
    pub jobs: Sender<Job>,
    pub events: Receiver<Event>,
    pub verdicts: Sender<Result<(), String>>,
}

impl RepairWorker {
    /// Starts the worker in `scope`. It sets up its MLIR context and opens the cache right away,
    /// so that a first failure finds them ready; the model is opened only when a search reaches
    /// it.
    pub(super) fn spawn<'scope, 'env: 'scope>(
        scope: &'scope Scope<'scope, 'env>,
        jit: &'env Jit,
        setup: WorkerSetup,
    ) -> Self {
        let (jobs, job_queue) = channel::<Job>();
        let (events, event_queue) = channel();
        let (verdicts, verdict_queue) = channel();
        let (ready, started) = channel();
        scope.spawn(move || work(jit, setup, job_queue, events, verdict_queue, ready));
        // The MLIR context and the cache take milliseconds to set up: better before the program
        // starts than between a failure and its repair.
        let _ = started.recv();
        Self {
            jobs,
            events: event_queue,
            verdicts,
        }
    }
}

fn work(
    jit: &Jit,
    setup: WorkerSetup,
    jobs: Receiver<Job>,
    events: Sender<Event>,
    verdicts: Receiver<Result<(), String>>,
    ready: Sender<()>,
) {
    let context = match tensorlang_jit::create_context() {
        Ok(context) => context,
        Err(error) => {
            let _ = events.send(Event::Done(Err(error.to_string())));
            return;
        }
    };
    // Candidates compile in forked children (`isolated`), which have no thread pool.
    context.enable_multi_threading(false);
    let cache = setup
        .cache
        .as_ref()
        .and_then(|path| match StrategyCache::open(path) {
            Ok(cache) => Some(cache),
            Err(error) => {
                tracing::warn!("{error}; repairing without the cache");
                None
            }
        });
    let containments = Containments::new(&context, &setup.source, &setup.file);
    let verifier = LiveVerifier {
        jit,
        compiler: compile_server(&context, jit, &containments, &setup.file),
        ahead: compile_server(&context, jit, &containments, &setup.file).in_background(),
        next: None,
        ahead_building: None,
        containments: &containments,
        events: events.clone(),
        verdicts,
        accepted: None,
        built: std::time::Duration::ZERO,
        trial_cached: false,
        entry: false,
    };
    let mut engine = RepairEngine::new(verifier, cache, None, setup.options);
    // The model starts loading at the first failure (see `load_model_in_background`).
    let mut model_to_load = setup.model.clone().filter(|_| setup.options.sources.model);
    // Parsed once, here: every search starts from it (and it loads every dialect the program
    // uses into the context before the program starts).
    let parsed = tensorlang::parse_module(&context, &setup.source, &setup.file);
    let _ = ready.send(());
    // While the program runs: what a search needs to know about each function.
    let mut prepared = PreparedSuspects::new();
    if let Ok(module) = &parsed {
        prepared.warm(module, &setup.entry);
    }
    for job in jobs {
        if let Some(model) = model_to_load.take() {
            let loading = load_model_in_background(model);
            engine.open_model_with(move || loading.join().ok().flatten());
        }
        let request = RepairRequest {
            source: &setup.source,
            file: &setup.file,
            entry: &setup.entry,
            failure: &job.failure,
            callers: false,
        };
        let sources = setup.options.sources;
        engine.verifier().trial_cached = job.trial_cached;
        engine.verifier().entry = job.entry;
        // The engine asks the cache, then the symbolic strategies, then the model (opened only
        // when a search reaches it).
        engine.options_mut().sources = Sources {
            cache: sources.cache && !job.skip_cache,
            ..sources
        };
        let started = std::time::Instant::now();
        let result = match &parsed {
            Ok(module) => engine.repair_parsed(&context, module, &mut prepared, &request, started),
            Err(_) => engine.repair(&context, &request),
        }
        .map_err(|error| error.to_string());
        let accepted = engine.verifier().accepted.take();
        let done = match (result, accepted) {
            (Ok(repair), Some(key)) => Ok(Box::new(Found { repair, key })),
            (Ok(repair), None) => Err(format!("'{}' was repaired but not loaded", repair.function)),
            (Err(error), _) => Err(error),
        };
        if events.send(Event::Done(done)).is_err() {
            return;
        }
        // The program resumes while the cache file is written.
        engine.record_pending();
    }
}

/// Starts opening the model on a thread of its own, at the lowest priority: the search asks the
/// cache and the symbolic strategies meanwhile (whose trials must not wait for it), and when it
/// escalates to the model, the load is done or under way. A program that never fails never
/// loads it.
fn load_model_in_background(args: ModelArgs) -> std::thread::JoinHandle<Option<ModelSource>> {
    std::thread::spawn(move || {
        // SAFETY: lowers this thread's own priority (0 names the calling thread); no memory is
        // touched.
        unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
        open_model(&args)
    })
}

/// The model `args` name, if it opens; a model that does not is a warning, and the search goes
/// on without it. No progress bar: the load runs behind the program's own output.
fn open_model(args: &ModelArgs) -> Option<ModelSource> {
    match args.open(false) {
        Ok(runner) => Some(ModelSource::new(runner)),
        Err(error) => {
            tracing::warn!("repairing without a model: {error}");
            None
        }
    }
}

/// Parses `source`, lowers what a new version of `function` needs and compiles that version,
/// contained ([`Containment`]): its object code. Candidates go through it in a child process
/// ([`LiveVerifier::load`]).
fn build(
    context: &Context,
    jit: &Jit,
    source: &str,
    file: &str,
    containment: &Containment,
    key: ObjectKey,
) -> Result<std::sync::Arc<[u8]>, String> {
    let function = containment.function.as_str();
    let mut program = Program::parse(context, source, file, true).map_err(|e| e.to_string())?;
    program.add_replaceable(&jit.replaceable());
    program.reduce_to(context, function);
    program
        .lower_contained(context, containment)
        .map_err(|e| e.to_string())?;
    jit.build_contained_version(function, key, program.module().as_operation(), containment)
        .map_err(|e| e.to_string())
}

/// What new versions of each function may touch, read off the program as the user wrote it
/// ([`containment_of`]), for every function at once, the first time a version is built (in the
/// build server, off the program's critical path). A version's key does not need it: the
/// containment follows from the program as the user wrote it, which the key hashes too, so a
/// cache hit works nothing out.
struct Containments<'a> {
    context: &'a Context,
    source: &'a str,
    file: &'a str,
    known: std::cell::OnceCell<HashMap<String, Containment>>,
}

impl<'a> Containments<'a> {
    fn new(context: &'a Context, source: &'a str, file: &'a str) -> Self {
        Self {
            context,
            source,
            file,
            known: std::cell::OnceCell::new(),
        }
    }

    fn all(&self) -> &HashMap<String, Containment> {
        self.known.get_or_init(|| {
            // On buffers, as versions will be compiled: a TensorLang function writes the
            // buffers bufferization gave its results, its arguments' among them, and the running
            // callers were compiled knowing which.
            let Ok(mut program) = Program::parse(self.context, self.source, self.file, true) else {
                return HashMap::new();
            };
            // A program without tensors is on buffers already: nothing to bufferize.
            let tensors = program.is_tensorlang || self.source.contains("tensor<");
            if tensors && program.bufferize(self.context).is_err() {
                return HashMap::new();
            }
            program
                .defined_functions()
                .into_iter()
                .filter_map(|function| {
                    let containment = containment_of(program.module(), &function)?;
                    Some((function, containment))
                })
                .collect()
        })
    }

    /// The containment of new versions of `function`.
    fn of(&self, function: &str) -> Result<Containment, String> {
        self.all()
            .get(function)
            .cloned()
            .ok_or_else(|| format!("the program does not define @{function}"))
    }

    /// The key of a contained version of `function` built from `program`: what it was contained
    /// to (through the program as the user wrote it) is part of what was compiled.
    fn key(&self, jit: &Jit, function: &str, program: &str) -> ObjectKey {
        jit.version_key(
            function,
            &format!("contained by\n{}\n{program}", self.source),
        )
    }
}

/// Builds versions in a child process that serves every candidate of the run: code that crashes
/// MLIR or LLVM costs the candidate, not the program, and the fork (with the slow first use of
/// the memory it shares) is paid once, not per candidate. A request is the function's name, a
/// NUL, and the program with the candidate in place.
fn compile_server<'a>(
    context: &'a Context,
    jit: &'a Jit,
    containments: &'a Containments<'a>,
    file: &'a str,
) -> Compiler<'a> {
    let handler = move |request: &[u8]| {
        let text = std::str::from_utf8(request).map_err(|e| e.to_string())?;
        let (function, program) = text
            .split_once('\0')
            .ok_or("a build request without a function name")?;
        let containment = containments
            .of(function)
            .map_err(|why| format!("cannot be contained: {why}"))?;
        let key = containments.key(jit, function, program);
        build(context, jit, program, file, &containment, key).map(|object| object.to_vec())
    };
    ChildServer::new(Box::new(handler), tensorlang_repair::isolated::LIMIT)
}

/// The child process candidates are built in (see [`compile_server`]).
type Compiler<'a> = ChildServer<Box<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + 'a>>;

/// Verifies candidates against the live program: compiles each into the JIT (or takes it from
/// the object cache) and has the program's thread run it in a trial.
struct LiveVerifier<'a> {
    jit: &'a Jit,
    compiler: Compiler<'a>,
    /// A second build child, for the candidate the engine runs next ([`Verifier::prepare`]): it
    /// builds on the other core while this one builds the current candidate or its trial runs.
    ahead: Compiler<'a>,
    /// The candidate coming next, until `ahead` takes it.
    next: Option<Upcoming>,
    /// The version whose request `ahead` has, its answer not collected yet.
    ahead_building: Option<ObjectKey>,
    /// What each function's versions may touch (also part of their keys).
    containments: &'a Containments<'a>,
    events: Sender<Event>,
    verdicts: Receiver<Result<(), String>>,
    /// The version of the last candidate that passed.
    accepted: Option<ObjectKey>,
    /// Time spent building versions since the engine last asked.
    built: std::time::Duration,
    /// Whether cached repairs run in a trial too (see [`Job::entry`]).
    trial_cached: bool,
    /// Whether trials run the entry point again (see [`Job::entry`]).
    entry: bool,
}

/// A candidate the engine runs after the current one (see [`LiveVerifier::ahead`]).
struct Upcoming {
    key: ObjectKey,
    request: Vec<u8>,
}

/// A build request: the function's name, a NUL, and the program with the candidate in place.
fn build_request(trial: &Trial) -> Vec<u8> {
    format!("{}\0{}", trial.function, trial.program).into_bytes()
}

impl LiveVerifier<'_> {
    /// Hands the upcoming candidate to `ahead` when it is idle and the version is neither
    /// cached nor the one being loaded now (`current`).
    fn start_ahead(&mut self, current: ObjectKey) {
        if self.ahead_building.is_some() {
            return;
        }
        let Some(next) = self.next.take_if(|next| next.key != current) else {
            return;
        };
        if self.jit.cached_object(next.key).is_none() && self.ahead.submit(&next.request).is_ok() {
            self.ahead_building = Some(next.key);
        }
    }

    /// Collects what `ahead` built for a candidate that is neither `current` nor next (the
    /// search ended before it ran): its answer is dropped, and `ahead` is free again.
    fn drop_stale_ahead(&mut self, current: ObjectKey) {
        let next = self.next.as_ref().map(|next| next.key);
        if self
            .ahead_building
            .is_some_and(|key| key != current && Some(key) != next)
        {
            self.ahead_building = None;
            let _ = self.ahead.collect();
        }
    }

    /// The object code of `key` (built from `trial`): from `ahead` when it has it under way,
    /// else built now.
    fn build(&mut self, trial: &Trial, key: ObjectKey) -> Result<Vec<u8>, String> {
        if self
            .ahead_building
            .take_if(|building| *building == key)
            .is_some()
        {
            return self.ahead.collect();
        }
        self.compiler.call(&build_request(trial))
    }

    fn load(&mut self, trial: &Trial, key: ObjectKey) -> Result<usize, String> {
        self.drop_stale_ahead(key);
        if let Some(version) = self
            .jit
            .load_cached(trial.function, key)
            .map_err(|e| e.to_string())?
        {
            self.start_ahead(key);
            return Ok(version.address);
        }
        self.start_ahead(key);
        let building = std::time::Instant::now();
        let object = self.build(trial, key);
        self.built += building.elapsed();
        // While the trial runs.
        self.start_ahead(key);
        let object = object?;
        let version = self
            .jit
            .load_built(trial.function, key, object.into())
            .map_err(|e| e.to_string())?;
        Ok(version.address)
    }
}

impl Verifier for LiveVerifier<'_> {
    fn prepare(&mut self, next: &Trial) {
        let key = self.containments.key(self.jit, next.function, next.program);
        if self.ahead_building != Some(key) {
            self.next = Some(Upcoming {
                key,
                request: build_request(next),
            });
        }
    }

    fn take_build_time(&mut self) -> std::time::Duration {
        std::mem::take(&mut self.built)
    }

    fn run(&mut self, trial: &Trial) -> Result<Verdict, VerifierError> {
        let key = self
            .containments
            .key(self.jit, trial.function, trial.program);
        let address = match self.load(trial, key) {
            Ok(address) => address,
            Err(error) => {
                let first = error.lines().next().unwrap_or("").to_owned();
                return Ok(Verdict::Rejected(format!("does not compile: {first}")));
            }
        };
        if trial.source == RepairSource::Cache && trial.authentic && !self.trial_cached {
            // Recorded by this installation and unchanged since (its MAC checks), so verified in
            // full when it was recorded, and admitted just now: the failed call (or the entry
            // point) runs again with it, and a second failure leaves the cache out. An entry
            // that is not authentic goes through a trial like any candidate.
            self.accepted = Some(key);
            return Ok(Verdict::Passed(
                "a cached repair, verified in full when it was recorded, run again on the failing call".into(),
            ));
        }
        self.events
            .send(Event::Trial {
                function: trial.function.to_owned(),
                address,
            })
            .map_err(|_| {
                VerifierError::Gone("the program stopped waiting for the repair".into())
            })?;
        match self.verdicts.recv() {
            Ok(Ok(())) if self.entry => {
                self.accepted = Some(key);
                Ok(Verdict::Passed(
                    "in a forked copy of the running program, the entry point run again from the start passed every check and printed what had been shown".into(),
                ))
            }
            Ok(Ok(())) => {
                self.accepted = Some(key);
                Ok(Verdict::Passed(
                    "in a forked copy of the running program, the failed call and the rest of the run passed every check, and so did a run of the entry point from the start".into(),
                ))
            }
            Ok(Err(why)) => {
                self.jit.discard(trial.function, key);
                Ok(Verdict::Rejected(format!("still fails: {why}")))
            }
            Err(_) => Err(VerifierError::Gone(
                "the program stopped waiting for the repair".into(),
            )),
        }
    }
}
