//! The JIT: LLVM ORC LLJIT in this process (the same LLVM that MLIR uses), fed object code that
//! we compile from the LLVM dialect or load from the [`ObjectCache`], with replaceable functions
//! behind [`HotSwapSlot`]s and every call into JIT code made under the crash [`guard`].
//!
//! [`guard`]: crate::guard

mod library;
mod llvm_ir;
pub mod object_cache;
mod orc;
mod quiescence;
pub mod slot;
mod target;

pub use object_cache::{ObjectCache, ObjectKey};
pub use slot::{CallCounts, HotSwapSlot, call_symbol, profile_symbol, slot_symbol};

use crate::guard::{self, Callee, Trap};
use llvm_ir::{CallSiteProfile, LlvmModule};
use melior::ir::OperationRef;
use orc::{OrcJit, ResourceTracker};
use quiescence::Quiescence;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use target::TargetMachine;
pub use target::host_vector_bits;
use tensorlang_checks::contain::Containment;

pub(crate) use llvm_ir::register_translations;

/// What can go wrong while compiling, loading or looking up JIT code.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    /// LLVM reported an error (the text is LLVM's).
    #[error("{0}")]
    Llvm(String),
    /// The module did not translate from the LLVM dialect to LLVM IR.
    #[error("cannot translate the module to LLVM IR")]
    Translate,
    /// A function the JIT was asked about does not exist.
    #[error("no function '{0}'")]
    NoSuchFunction(String),
    /// A name cannot be a symbol (it holds a NUL byte).
    #[error("invalid symbol name '{0}'")]
    BadName(String),
    /// A shared library did not load.
    #[error("cannot load shared library '{path}': {reason}")]
    Library {
        /// The library's path as given.
        path: PathBuf,
        /// Why it did not load.
        reason: String,
    },
    /// A function without a slot cannot be replaced.
    #[error("function '{0}' is not replaceable (it has no hot-swap slot)")]
    NotReplaceable(String),
    /// A version cannot be contained: it touches memory in a way no run-time check covers.
    #[error("cannot be contained: {0}")]
    NotContained(String),
}

/// How the JIT compiles and what it links against.
#[derive(Default)]
pub struct JitOptions {
    /// LLVM optimization level (`-O0`..`-O3`); `None` runs no IR optimization and generates code
    /// at the default level, like `mlir-runner` without `-O`.
    pub opt_level: Option<u8>,
    /// Where compiled code is kept.
    pub cache: ObjectCache,
    /// Shared libraries JIT code may call (`-shared-libs`).
    pub libraries: Vec<PathBuf>,
    /// The self-healing handler (`void(i64 id, void **packed)`): with one, every call of a
    /// replaceable function goes to it ([`heal_symbol`]) with the function's id in
    /// [`Jit::healed_functions`] and its arguments packed as for [`Jit::call_packed`].
    pub heal_handler: Option<usize>,
    /// Count every call through a slot, and time it where the CPU's cycle counter can be read
    /// cheaply from user code (x86): see [`HotSwapSlot::counts`].
    pub profile_calls: bool,
    /// A function of the modules [`Jit::add_module`] compiles that runs contained, as repair
    /// candidates do (`tensorlang-run --contain`): see [`Jit::build_contained_version`]. The
    /// module must have been lowered for it (`Program::lower_contained`).
    pub contained: Option<Containment>,
}

/// How a module or version got into the JIT.
#[derive(Debug, Clone, Copy)]
pub struct LoadReport {
    /// The content hash of its object code.
    pub key: ObjectKey,
    /// Whether the object came from the cache (nothing was compiled).
    pub from_cache: bool,
}

/// The result type of an entry point (`-entry-point-result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryResult {
    /// No result.
    Void,
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
    /// A 32-bit float.
    F32,
}

impl EntryResult {
    /// Every result type, in the order `mlir-runner` lists them.
    pub const ALL: [EntryResult; 4] = [Self::Void, Self::I32, Self::I64, Self::F32];

    /// The type as `-entry-point-result` and MLIR spell it: `void`, `i32`, `i64`, `f32`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Void => "void",
            Self::I32 => "i32",
            Self::I64 => "i64",
            Self::F32 => "f32",
        }
    }
}

/// The value an entry point returned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EntryValue {
    /// It returned nothing.
    Void,
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
}

/// A version of a replaceable function in the JIT, live or a candidate.
struct Version {
    function: String,
    address: usize,
    code: ResourceTracker,
}

/// A version of a function loaded into the JIT (swapped in or not).
#[derive(Debug, Clone, Copy)]
pub struct LoadedVersion {
    /// Where its code starts.
    pub address: usize,
    /// How it got there.
    pub report: LoadReport,
}

/// An ORC JIT session. See the module docs.
pub struct Jit {
    // Locked: one target machine must not compile two modules at once.
    target: Mutex<TargetMachine>,
    opt_level: Option<u8>,
    cache: ObjectCache,
    slots: Mutex<HashMap<String, Arc<HotSwapSlot>>>,
    /// Loaded versions by key, and the key of the one each slot points to.
    loaded: Mutex<HashMap<ObjectKey, Version>>,
    active: Mutex<HashMap<String, ObjectKey>>,
    /// Replaceable functions whose calls go through the self-healing handler, by handler id.
    healed: Mutex<Vec<String>>,
    heal_handler: Option<usize>,
    /// How calls through slots are profiled (`None`: they are not).
    profile_calls: Option<bool>,
    contained: Option<Containment>,
    modules: Mutex<Vec<ResourceTracker>>,
    /// Symbols of defined functions, with the function each stands for, to locate traps.
    functions: Mutex<Vec<(String, String)>>,
    quiescence: Quiescence,
    libraries: library::RuntimeLibraries,
    last_object: Mutex<Option<Arc<[u8]>>>,
    initializers: Mutex<Initializers>,
    // Last: fields drop in order, and the resource trackers above must go before the JIT.
    orc: OrcJit,
}

/// The symbol the self-healing handler is bound to in JIT code.
pub const HEAL_HANDLER_SYMBOL: &str = "__tensorlang_heal_call";

/// The symbol of the stub that hands calls of `function` to the self-healing handler.
pub fn heal_symbol(function: &str) -> String {
    format!("__tensorlang_heal.{function}")
}

/// The symbol of the packed wrapper (`void(void **)`) of a replaceable function.
pub fn packed_symbol(function: &str) -> String {
    format!("__tensorlang_packed.{function}")
}

impl Jit {
    /// A JIT for the host, with the shared libraries loaded and the runtime's entry points defined.
    pub fn new(options: JitOptions) -> Result<Self, JitError> {
        target::initialize_native_target();
        let orc = OrcJit::new()?;
        let target = TargetMachine::host(&orc.triple(), options.opt_level.unwrap_or(2))?;
        orc.define_absolute(&[(
            tensorlang_checks::ASSERT_FAIL_SYMBOL,
            guard::check_failed_entry(),
        )])?;
        guard::set_unguarded_handler(tensorlang_checks::__tensorlang_assert_fail);
        // Contained code (repair candidates) fails its checks through the same guard.
        orc.define_absolute(&tensorlang_checks::contain::symbols())?;
        guard::route_contained_failures();
        if let Some(handler) = options.heal_handler {
            orc.define_absolute(&[(HEAL_HANDLER_SYMBOL, handler)])?;
        }
        let libraries = library::RuntimeLibraries::load(&orc, &options.libraries)?;
        // The cycle counter is one unprivileged instruction on x86 (rdtsc); elsewhere it may
        // trap in user code, so calls are only counted.
        let timed = orc.triple().starts_with("x86_64") || orc.triple().starts_with("i686");
        Ok(Self {
            profile_calls: options.profile_calls.then_some(timed),
            contained: options.contained,
            target: Mutex::new(target),
            opt_level: options.opt_level,
            cache: options.cache,
            slots: Mutex::default(),
            loaded: Mutex::default(),
            active: Mutex::default(),
            healed: Mutex::default(),
            heal_handler: options.heal_handler,
            modules: Mutex::default(),
            functions: Mutex::default(),
            quiescence: Quiescence::default(),
            libraries,
            last_object: Mutex::default(),
            initializers: Mutex::default(),
            orc,
        })
    }

    fn key(&self, parts: &[&[u8]]) -> ObjectKey {
        // Profiled call sites are different code.
        let level = format!("{:?} {:?}", self.opt_level, self.profile_calls);
        let target = self.target.lock().expect("lock").description.clone();
        let mut all = vec![target.as_bytes(), level.as_bytes()];
        all.extend_from_slice(parts);
        ObjectKey::of(&all)
    }

    fn compile(&self, module: &LlvmModule) -> Result<Arc<[u8]>, JitError> {
        self.compile_at(module, self.opt_level)
    }

    fn compile_at(&self, module: &LlvmModule, level: Option<u8>) -> Result<Arc<[u8]>, JitError> {
        let target = self.target.lock().expect("lock");
        if let Some(level) = level {
            target.optimize(module, level)?;
        }
        Ok(target.emit_object(module)?.into())
    }

    /// Compiles (or loads from the cache) a module in the LLVM dialect and links it in. Calls of
    /// each function in `replaceable` go through its slot, and each gets a packed wrapper
    /// ([`packed_symbol`]) for [`Jit::call_packed`].
    pub fn add_module(
        &self,
        module: OperationRef,
        replaceable: &[String],
    ) -> Result<LoadReport, JitError> {
        let text = module.to_string();
        let names = replaceable.join(",");
        let heal_ids = self.assign_heal_ids(replaceable);
        let healing: &[u8] = if self.heal_handler.is_some() {
            b"heal"
        } else {
            b""
        };
        let contained = self
            .contained
            .as_ref()
            .map(Containment::key)
            .unwrap_or_default();
        let key = self.key(&[
            text.as_bytes(),
            names.as_bytes(),
            healing,
            contained.as_bytes(),
        ]);
        let (object, from_cache) = match self.cache.get(&key) {
            Some(object) => (object, true),
            None => {
                let llvm = LlvmModule::translate(module)?;
                llvm.export_mutable_globals();
                llvm.lower_static_initializers(
                    &initializer_symbol("ctors", &key),
                    &initializer_symbol("dtors", &key),
                );
                let replaceable: Vec<&String> =
                    replaceable.iter().filter(|f| llvm.defines(f)).collect();
                for function in &replaceable {
                    llvm.add_packed_wrapper(function, &packed_symbol(function))?;
                }
                if self.heal_handler.is_some() {
                    for function in &replaceable {
                        let id = heal_ids[function.as_str()];
                        llvm.add_heal_stub(
                            function,
                            &heal_symbol(function),
                            HEAL_HANDLER_SYMBOL,
                            id,
                        )?;
                        llvm.redirect_function(&call_symbol(function), &heal_symbol(function))?;
                    }
                }
                for function in &replaceable {
                    self.route_calls(&llvm, function);
                }
                tracing::trace!("LLVM IR of module {key}:\n{}", llvm.print());
                let object = match &self.contained {
                    Some(containment) if llvm.defines(&containment.function) => {
                        self.compile_contained(&llvm, &containment.function, containment)?
                    }
                    _ => self.compile(&llvm)?,
                };
                self.cache.put(key, object.clone());
                (object, false)
            }
        };
        for function in replaceable {
            self.slot_for(function)?;
        }
        let code = self.orc.create_tracker();
        self.orc.add_object(&code, &object)?;
        *self.last_object.lock().expect("lock") = Some(object);
        for function in replaceable {
            if let Ok(address) = self.orc.lookup(function) {
                self.slot_for(function)?.swap(address);
            }
        }
        self.modules.lock().expect("lock").push(code);
        self.initializers.lock().expect("lock").pending.push(key);
        let mut functions = self.functions.lock().expect("lock");
        functions.extend(
            defined_functions(module)
                .into_iter()
                .map(|f| (f.clone(), f)),
        );
        Ok(LoadReport { key, from_cache })
    }

    /// Routes the calls of `function` in `llvm` (direct, and through its call symbol) through its
    /// slot, profiled if the JIT profiles calls.
    fn route_calls(&self, llvm: &LlvmModule, function: &str) {
        let profile = self.profile_calls.map(|timed| CallSiteProfile {
            symbol: profile_symbol(function),
            timed,
        });
        let slot = slot_symbol(function);
        llvm.route_calls_through_slot(function, &slot, profile.as_ref());
        llvm.route_calls_through_slot(&call_symbol(function), &slot, profile.as_ref());
    }

    /// The self-healing handler's id of each of `functions` (assigned on first sight; empty
    /// without a handler).
    fn assign_heal_ids<'n>(&self, functions: &'n [String]) -> HashMap<&'n str, u64> {
        if self.heal_handler.is_none() {
            return HashMap::new();
        }
        let mut healed = self.healed.lock().expect("lock");
        functions
            .iter()
            .map(|function| {
                let id = match healed.iter().position(|f| f == function) {
                    Some(id) => id,
                    None => {
                        healed.push(function.clone());
                        healed.len() - 1
                    }
                };
                (function.as_str(), id as u64)
            })
            .collect()
    }

    /// The slot of `function`, created (and bound to its symbol) on first use.
    fn slot_for(&self, function: &str) -> Result<Arc<HotSwapSlot>, JitError> {
        let mut slots = self.slots.lock().expect("lock");
        if let Some(slot) = slots.get(function) {
            return Ok(slot.clone());
        }
        let slot = Arc::new(HotSwapSlot::new(function));
        self.orc.define_absolute(&[
            (&slot_symbol(function), slot.address()),
            (&profile_symbol(function), slot.profile_address()),
        ])?;
        slots.insert(function.into(), slot.clone());
        Ok(slot)
    }

    /// The names of the replaceable functions (those with slots).
    pub fn replaceable(&self) -> Vec<String> {
        self.slots.lock().expect("lock").keys().cloned().collect()
    }

    /// The functions whose calls go through the self-healing handler; a function's index here is
    /// the id the handler receives.
    pub fn healed_functions(&self) -> Vec<String> {
        self.healed.lock().expect("lock").clone()
    }

    /// The address of the packed wrapper of replaceable `function` ([`packed_symbol`]).
    pub fn packed_address(&self, function: &str) -> Result<usize, JitError> {
        self.orc.lookup(&packed_symbol(function))
    }

    /// The slot of a replaceable function.
    pub fn slot(&self, function: &str) -> Option<Arc<HotSwapSlot>> {
        self.slots.lock().expect("lock").get(function).cloned()
    }

    /// The content hash a new version of `function` built from `source` is cached under.
    pub fn version_key(&self, function: &str, source: &str) -> ObjectKey {
        self.key(&[b"version", function.as_bytes(), source.as_bytes()])
    }

    /// Swaps in the cached version `key` of `function` if the cache has it; `None` otherwise.
    pub fn swap_cached(
        &self,
        function: &str,
        key: ObjectKey,
    ) -> Result<Option<LoadReport>, JitError> {
        let Some(version) = self.load_cached(function, key)? else {
            return Ok(None);
        };
        self.activate(function, key)?;
        Ok(Some(version.report))
    }

    /// Compiles `module` (the LLVM dialect; it must define `function`) as a new version of
    /// `function`, caches it under `key` and swaps it in. Only `function` is taken from the
    /// module: everything else it uses binds to the code already loaded.
    pub fn swap_compiled(
        &self,
        function: &str,
        key: ObjectKey,
        module: OperationRef,
    ) -> Result<LoadReport, JitError> {
        let version = self.load_compiled(function, key, module)?;
        self.activate(function, key)?;
        Ok(version.report)
    }

    /// Loads the cached version `key` of `function` without swapping it in; `None` when the
    /// cache does not have it.
    pub fn load_cached(
        &self,
        function: &str,
        key: ObjectKey,
    ) -> Result<Option<LoadedVersion>, JitError> {
        if let Some(version) = self.loaded_version(function, key) {
            return Ok(Some(version));
        }
        match self.cache.get(&key) {
            Some(object) => self.load_version(function, key, object, true).map(Some),
            None => Ok(None),
        }
    }

    /// Compiles `module` as version `key` of `function` (see [`Jit::swap_compiled`]) and loads
    /// it without swapping it in: [`Jit::activate`] does that, or nothing, for a candidate that
    /// is turned down.
    pub fn load_compiled(
        &self,
        function: &str,
        key: ObjectKey,
        module: OperationRef,
    ) -> Result<LoadedVersion, JitError> {
        if let Some(version) = self.loaded_version(function, key) {
            return Ok(version);
        }
        let object = self.build_version(function, key, module)?;
        self.load_built(function, key, object)
    }

    /// The object code of version `key` of `function`, compiled from `module` but not loaded:
    /// [`Jit::load_built`] loads it (the self-healing runtime compiles candidates in a child
    /// process, so that a compiler crash on hostile code cannot take the program down).
    pub fn build_version(
        &self,
        function: &str,
        key: ObjectKey,
        module: OperationRef,
    ) -> Result<Arc<[u8]>, JitError> {
        self.build_version_at(function, key, module, self.opt_level)
    }

    /// [`Jit::build_version`], optimized at `level` whatever the JIT's own level (code written
    /// for speed, such as `--optimize`'s variants, is compiled at `-O3` even in a `-O0` run).
    pub fn build_version_at(
        &self,
        function: &str,
        key: ObjectKey,
        module: OperationRef,
        level: Option<u8>,
    ) -> Result<Arc<[u8]>, JitError> {
        self.build_version_with(function, key, module, level, None)
    }

    /// [`Jit::build_version`] for code that is not the user's own (a repair candidate): its
    /// object code is contained ([`tensorlang_checks::contain`]), every load and store checked at
    /// run time against the byte ranges `containment` and the call's own buffers allow. `module`
    /// must come from a program lowered with the `tensorlang-contain` pass for the same
    /// containment (`Program::lower_contained`).
    pub fn build_contained_version(
        &self,
        function: &str,
        key: ObjectKey,
        module: OperationRef,
        containment: &Containment,
    ) -> Result<Arc<[u8]>, JitError> {
        self.build_version_with(function, key, module, self.opt_level, Some(containment))
    }

    fn build_version_with(
        &self,
        function: &str,
        key: ObjectKey,
        module: OperationRef,
        level: Option<u8>,
        containment: Option<&Containment>,
    ) -> Result<Arc<[u8]>, JitError> {
        if self.slot(function).is_none() {
            return Err(JitError::NotReplaceable(function.into()));
        }
        let llvm = LlvmModule::translate(module)?;
        llvm.export_mutable_globals();
        llvm.keep_only(function)?;
        let replaceable: Vec<String> = self.slots.lock().expect("lock").keys().cloned().collect();
        let healed = self.healed.lock().expect("lock").clone();
        for name in &replaceable {
            if healed.contains(name) {
                llvm.redirect_function(&call_symbol(name), &heal_symbol(name))?;
            }
            self.route_calls(&llvm, name);
        }
        let symbol = version_symbol(function, &key);
        llvm.rename(function, &symbol)?;
        let Some(containment) = containment else {
            tracing::trace!("LLVM IR of version {key} of {function}:\n{}", llvm.print());
            return self.compile_at(&llvm, level);
        };
        self.compile_contained_at(&llvm, &symbol, containment, level)
    }

    /// [`Jit::compile`] with `function` (its symbol in `llvm`) contained.
    fn compile_contained(
        &self,
        llvm: &LlvmModule,
        function: &str,
        containment: &Containment,
    ) -> Result<Arc<[u8]>, JitError> {
        self.compile_contained_at(llvm, function, containment, self.opt_level)
    }

    fn compile_contained_at(
        &self,
        llvm: &LlvmModule,
        function: &str,
        containment: &Containment,
        level: Option<u8>,
    ) -> Result<Arc<[u8]>, JitError> {
        // Nothing is inlined into the contained function or out of it: the program's helpers
        // run as they are, and every copy of the candidate's code is the contained one.
        llvm.forbid_inlining();
        let target = self.target.lock().expect("lock");
        if let Some(level) = level {
            target.optimize(llvm, level)?;
        }
        let mut callees = Vec::new();
        for callee in &containment.callees {
            callees.extend([callee.clone(), call_symbol(callee), heal_symbol(callee)]);
        }
        llvm.contain(function, &callees)?;
        tracing::trace!("LLVM IR with {function} contained:\n{}", llvm.print());
        Ok(target.emit_object(llvm)?.into())
    }

    /// The machine code is compiled for: the target triple, host CPU and its features, and the
    /// code generation level.
    pub fn host(&self) -> String {
        self.target.lock().expect("lock").description.clone()
    }

    /// The object code stored under `key` (in memory, or in the cache directory), if any.
    pub fn cached_object(&self, key: ObjectKey) -> Option<Arc<[u8]>> {
        self.cache.get(&key)
    }

    /// Caches and loads `object`, built by [`Jit::build_version`], without swapping it in.
    pub fn load_built(
        &self,
        function: &str,
        key: ObjectKey,
        object: Arc<[u8]>,
    ) -> Result<LoadedVersion, JitError> {
        if self.slot(function).is_none() {
            return Err(JitError::NotReplaceable(function.into()));
        }
        if let Some(version) = self.loaded_version(function, key) {
            return Ok(version);
        }
        self.cache.put(key, object.clone());
        self.load_version(function, key, object, false)
    }

    fn loaded_version(&self, function: &str, key: ObjectKey) -> Option<LoadedVersion> {
        let loaded = self.loaded.lock().expect("lock");
        let version = loaded.get(&key).filter(|v| v.function == function)?;
        Some(LoadedVersion {
            address: version.address,
            report: LoadReport {
                key,
                from_cache: true,
            },
        })
    }

    fn load_version(
        &self,
        function: &str,
        key: ObjectKey,
        object: Arc<[u8]>,
        from_cache: bool,
    ) -> Result<LoadedVersion, JitError> {
        let symbol = version_symbol(function, &key);
        let code = self.orc.create_tracker();
        self.orc.add_object(&code, &object)?;
        let address = match self.orc.lookup(&symbol) {
            Ok(address) => address,
            Err(error) => {
                let _ = code.remove();
                return Err(error);
            }
        };
        self.loaded.lock().expect("lock").insert(
            key,
            Version {
                function: function.into(),
                address,
                code,
            },
        );
        self.functions
            .lock()
            .expect("lock")
            .push((symbol, function.into()));
        Ok(LoadedVersion {
            address,
            report: LoadReport { key, from_cache },
        })
    }

    /// Swaps the loaded version `key` of `function` in; the version it replaces is freed once
    /// no call can be inside it.
    pub fn activate(&self, function: &str, key: ObjectKey) -> Result<(), JitError> {
        let slot = self
            .slot(function)
            .ok_or_else(|| JitError::NotReplaceable(function.into()))?;
        let mut loaded = self.loaded.lock().expect("lock");
        let address = loaded
            .get(&key)
            .filter(|v| v.function == function)
            .ok_or_else(|| JitError::NoSuchFunction(version_symbol(function, &key)))?
            .address;
        let mut active = self.active.lock().expect("lock");
        if active.get(function) == Some(&key) {
            return Ok(());
        }
        slot.swap(address);
        if let Some(previous) = active.insert(function.into(), key)
            && let Some(version) = loaded.remove(&previous)
        {
            self.quiescence.retire(version.code);
        }
        Ok(())
    }

    /// Frees a loaded version that was never swapped in (a candidate turned down).
    pub fn discard(&self, function: &str, key: ObjectKey) {
        if self.active.lock().expect("lock").get(function) == Some(&key) {
            return;
        }
        if let Some(version) = self.loaded.lock().expect("lock").remove(&key)
            && let Err(error) = version.code.remove()
        {
            tracing::warn!("{error}");
        }
    }

    /// Retired versions still waiting for callers to leave them.
    pub fn retired_pending(&self) -> usize {
        self.quiescence.pending()
    }

    /// The address `name` resolves to: its slot's current target for a replaceable function.
    pub fn address(&self, name: &str) -> Result<usize, JitError> {
        match self.slot(name) {
            Some(slot) => Ok(slot.load()),
            None => self.orc.lookup(name),
        }
    }

    /// Calls `callee` under the guard, tracking it for the reclamation of retired code.
    pub(crate) fn call(&self, callee: &mut Callee, timeout: Option<Duration>) -> Result<(), Trap> {
        let generation = self.quiescence.enter();
        // SAFETY: callers build `callee` from addresses this JIT resolved, with signatures
        // checked against the module (see `session`).
        let result = unsafe { guard::call(callee, timeout) };
        self.quiescence.exit(generation);
        result
    }

    /// Calls `function`, which takes no arguments and returns `result`, under the guard.
    pub fn call_entry(
        &self,
        function: &str,
        result: EntryResult,
        timeout: Option<Duration>,
    ) -> Result<Result<EntryValue, Trap>, JitError> {
        let address = self.address(function)?;
        let mut callee = match result {
            EntryResult::Void => Callee::Void(address),
            EntryResult::I32 => Callee::I32(address, 0),
            EntryResult::I64 => Callee::I64(address, 0),
            EntryResult::F32 => Callee::F32(address, 0.0),
        };
        Ok(self.call(&mut callee, timeout).map(|()| match callee {
            Callee::I32(_, value) => EntryValue::I32(value),
            Callee::I64(_, value) => EntryValue::I64(value),
            Callee::F32(_, value) => EntryValue::F32(value),
            Callee::Void(_) | Callee::Packed(..) => EntryValue::Void,
        }))
    }

    /// Calls replaceable `function` through its packed wrapper: `arguments[i]` points at
    /// argument `i`, and the last element at the storage for its result, if it has one.
    ///
    /// # Safety
    ///
    /// The pointers must match the function's parameter and result types in number and type.
    pub unsafe fn call_packed(
        &self,
        function: &str,
        arguments: &mut [*mut std::ffi::c_void],
        timeout: Option<Duration>,
    ) -> Result<Result<(), Trap>, JitError> {
        let wrapper = self.orc.lookup(&packed_symbol(function))?;
        Ok(self.call(
            &mut Callee::Packed(wrapper, arguments.as_mut_ptr()),
            timeout,
        ))
    }

    /// The function (by its name in the module) whose code contains `pc`, if it is JIT code.
    pub fn locate(&self, pc: usize) -> Option<String> {
        let functions = self.functions.lock().expect("lock");
        functions
            .iter()
            .filter_map(|(symbol, function)| {
                let address = self.orc.lookup(symbol).ok()?;
                (address <= pc).then_some((address, function))
            })
            .max_by_key(|(address, _)| *address)
            .map(|(_, function)| function.clone())
    }

    /// The object code most recently added (for `-dump-object-file`).
    pub fn last_object(&self) -> Option<Arc<[u8]>> {
        self.last_object.lock().expect("lock").clone()
    }

    /// Runs the static constructors of every module added since the last call.
    pub fn initialize(&self) -> Result<(), StaticInitError> {
        let pending = std::mem::take(&mut self.initializers.lock().expect("lock").pending);
        for key in pending {
            self.run_initializer(&initializer_symbol("ctors", &key))?;
            self.initializers
                .lock()
                .expect("lock")
                .initialized
                .push(key);
        }
        Ok(())
    }

    /// Runs the static destructors (modules in reverse order), then the runtime libraries'
    /// shutdown hooks. Later calls do nothing.
    pub fn shutdown(&self) -> Result<(), StaticInitError> {
        let initialized = std::mem::take(&mut self.initializers.lock().expect("lock").initialized);
        let result = initialized
            .iter()
            .rev()
            .try_for_each(|key| self.run_initializer(&initializer_symbol("dtors", key)));
        self.libraries.destroy();
        result
    }

    fn run_initializer(&self, symbol: &str) -> Result<(), StaticInitError> {
        let Ok(address) = self.orc.lookup(symbol) else {
            return Ok(()); // The module has no such list.
        };
        self.call(&mut Callee::Void(address), None)
            .map_err(StaticInitError::Trapped)
    }
}

/// The function that runs a module's static constructors or destructors (`kind`: ctors, dtors).
fn initializer_symbol(kind: &str, key: &ObjectKey) -> String {
    format!("__tensorlang_{kind}.{}", key.short())
}

/// Modules whose static constructors are still to run, and those whose destructors will.
#[derive(Default)]
struct Initializers {
    pending: Vec<ObjectKey>,
    initialized: Vec<ObjectKey>,
}

/// A static constructor or destructor did not return.
#[derive(Debug, thiserror::Error)]
pub enum StaticInitError {
    /// It failed under the guard.
    #[error("a static constructor or destructor failed: {0:?}")]
    Trapped(Trap),
}

/// The symbol a version of `function` is compiled under (content-addressed, so a cached object
/// never clashes with a different version).
fn version_symbol(function: &str, key: &ObjectKey) -> String {
    format!("{function}.v{}", key.short())
}

/// Names of the `llvm.func` definitions at the top of `module`.
fn defined_functions(module: OperationRef) -> Vec<String> {
    tensorlang::ir::top_level_ops(module)
        .iter()
        .filter(|op| {
            tensorlang::ir::op_name(op) == "llvm.func" && tensorlang::ir::is_definition(op)
        })
        .filter_map(tensorlang::ir::symbol_name)
        .collect()
}

#[cfg(test)]
mod contain_tests;
#[cfg(test)]
mod tests;
