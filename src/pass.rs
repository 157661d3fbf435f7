//! Passes written in Rust, registered by name like upstream passes.
//!
//! A [`PassDefinition`] is declared once, as a `static`, next to its implementation. Registering it
//! ([`register`]) makes it available to `--pass-name` and `--pass-pipeline` in `tensorlang-opt`, to
//! upstream `mlir-opt` through our plugin, and to textual pipelines run from Rust
//! ([`run_pipeline`]). Options are real MLIR pass options: `--pass-name="key=value"` parses,
//! `--help` lists them, an unknown key is an error.

use crate::diagnostic::Diagnostics;
use crate::{Error, native};
use melior::Context;
use melior::ir::operation::OperationLike;
use melior::ir::{Module, OperationRef};
use melior::pass::PassManager;
use mlir_sys::{MlirDialectHandle, MlirOperation, MlirStringRef};
use std::collections::HashSet;
use std::ffi::{CStr, CString, c_void};
use std::sync::{Mutex, OnceLock};

/// A textual option of a pass.
pub struct PassOption {
    /// Key, as in `--pass-name="key=value"`.
    pub name: &'static CStr,
    /// One line for `--help`.
    pub description: &'static CStr,
    /// The value when the option is not given.
    pub default: &'static CStr,
}

/// A function returning the handle of a dialect a pass creates ops of (from `mlir_sys`).
pub type DialectHandleFn = unsafe extern "C" fn() -> MlirDialectHandle;

/// Everything about a pass: its names, options, the dialects it creates ops of, and its body.
pub struct PassDefinition {
    /// Command-line name, e.g. `tensorlang-verify`.
    pub argument: &'static CStr,
    /// Display name, e.g. `TensorLangVerify`.
    pub name: &'static CStr,
    /// One line for `--help`.
    pub summary: &'static CStr,
    /// The operation the pass runs on (e.g. `builtin.module`), or `None` for any operation.
    pub anchor: Option<&'static CStr>,
    /// Options, readable through [`PassInvocation::option`].
    pub options: &'static [PassOption],
    /// Dialects whose ops the pass creates; MLIR loads them before the pass runs.
    pub dependent_dialects: &'static [DialectHandleFn],
    /// The body, given the context the pass runs in and the operation. It reports problems as
    /// located diagnostics and returns `Err` to fail the pipeline.
    pub run: fn(&Context, OperationRef, &PassInvocation) -> Result<(), PassFailure>,
}

/// A pass failed; the reasons were emitted as diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassFailure;

/// One run of a pass: the option values it runs with, and the running MLIR pass, through which it
/// can run upstream passes on its operation.
pub struct PassInvocation {
    values: Vec<(&'static str, String)>,
    pass: *mut c_void,
}

impl PassInvocation {
    /// The value of option `name` (its default when not given), or `None` for an undeclared name.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Option `name` as a boolean (`true`/`1`/`false`/`0`); any other value is a located error.
    pub fn flag(&self, operation: OperationRef, name: &str) -> Result<bool, PassFailure> {
        match self.option(name) {
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            other => {
                crate::emit_error(
                    operation.location(),
                    &format!(
                        "option '{name}' expects true or false, got '{}'",
                        other.unwrap_or_default()
                    ),
                );
                Err(PassFailure)
            }
        }
    }

    /// Runs the textual pass list `pipeline` (e.g. `canonicalize,cse`, nested implicitly) on
    /// `operation`, which must be the pass's operation or nested in it. Failures were emitted as
    /// diagnostics.
    pub fn run_nested(&self, operation: OperationRef, pipeline: &str) -> Result<(), PassFailure> {
        let text = MlirStringRef {
            data: pipeline.as_ptr().cast(),
            length: pipeline.len(),
        };
        // SAFETY: `pass` is the RustPass running this invocation (it outlives it), `operation`
        // is a live operation the pass owns, and `text` views `pipeline` for the call.
        let ok = unsafe { native::tlRunNestedPipeline(self.pass, operation.to_raw(), text) };
        if ok { Ok(()) } else { Err(PassFailure) }
    }
}

/// Registers `definition` under its argument. Registering the same definition again does nothing.
pub fn register(definition: &'static PassDefinition) {
    static REGISTERED: OnceLock<Mutex<HashSet<usize>>> = OnceLock::new();
    let registered = REGISTERED.get_or_init(Default::default);
    if !registered
        .lock()
        .is_ok_and(|mut set| set.insert(definition as *const _ as usize))
    {
        return;
    }
    let options: Vec<native::TlPassOption> = definition
        .options
        .iter()
        .map(|option| native::TlPassOption {
            name: option.name.as_ptr(),
            description: option.description.as_ptr(),
            default_value: option.default.as_ptr(),
        })
        .collect();
    // SAFETY: the dialect-handle getters take no arguments and return static handles.
    let dialects: Vec<MlirDialectHandle> = definition
        .dependent_dialects
        .iter()
        .map(|get| unsafe { get() })
        .collect();
    // The registry keeps the descriptor for the rest of the process.
    let options = options.leak();
    let dialects = dialects.leak();
    let descriptor = Box::leak(Box::new(native::TlPassDescriptor {
        argument: definition.argument.as_ptr(),
        name: definition.name.as_ptr(),
        summary: definition.summary.as_ptr(),
        anchor: definition.anchor.map_or(std::ptr::null(), CStr::as_ptr),
        options: options.as_ptr(),
        num_options: options.len(),
        dependent_dialects: dialects.as_ptr(),
        num_dependent_dialects: dialects.len(),
        run: run_definition,
        user_data: (definition as *const PassDefinition).cast(),
    }));
    // SAFETY: the descriptor and everything it points to live for the rest of the process.
    unsafe { native::tlRegisterPass(descriptor) }
}

/// Registers a named pipeline, e.g. `tensorlang-to-llvm`, whose body is a textual pass list.
pub fn register_pipeline(argument: &'static CStr, summary: &'static CStr, pipeline: &str) {
    let pipeline = CString::new(pipeline).expect("pipeline text holds no NUL byte");
    // SAFETY: all three are NUL-terminated; the C++ side copies what it keeps.
    unsafe { native::tlRegisterPipeline(argument.as_ptr(), summary.as_ptr(), pipeline.as_ptr()) }
}

/// Registers every upstream MLIR pass, once per process, for [`run_pipeline`].
///
/// Not for `tensorlang-opt`, whose `MlirOptMain` registers them itself.
pub fn register_upstream_passes() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(melior::utility::register_all_passes);
}

/// Runs a textual pipeline (e.g. `builtin.module(tensorlang-verify)`) on `module`.
///
/// Upstream passes and ours must be registered first. On failure the error holds the located
/// diagnostics.
pub fn run_pipeline(context: &Context, module: &mut Module, pipeline: &str) -> Result<(), Error> {
    let diagnostics = Diagnostics::capture(context);
    let manager = PassManager::new(context);
    melior::utility::parse_pass_pipeline(manager.as_operation_pass_manager(), pipeline)
        .map_err(|error| Error::Pipeline(format!("{pipeline}: {error}")))?;
    manager
        .run(module)
        .map_err(|_| Error::PassFailed(diagnostics.take_message("error: the pass pipeline failed")))
}

/// The body of every registered Rust pass, as the C++ `RustPass` calls it.
///
/// # Safety
///
/// `user_data` must be the `&'static PassDefinition` given at registration, `op` a valid operation,
/// `values` point at one string per declared option and `pass` be the running C++ pass.
unsafe extern "C" fn run_definition(
    user_data: *const c_void,
    op: MlirOperation,
    values: *const MlirStringRef,
    pass: *mut c_void,
) -> bool {
    // SAFETY: guaranteed by the caller (see above).
    let definition = unsafe { &*user_data.cast::<PassDefinition>() };
    let values = (0..definition.options.len())
        .map(|i| {
            // SAFETY: `values` holds one entry per option; MLIR strings are UTF-8 views.
            let raw = unsafe { *values.add(i) };
            // SAFETY: the view points at the option's live std::string storage.
            let bytes = unsafe { std::slice::from_raw_parts(raw.data.cast::<u8>(), raw.length) };
            let name = definition.options[i].name.to_str().unwrap_or_default();
            (name, String::from_utf8_lossy(bytes).into_owned())
        })
        .collect();
    let invocation = PassInvocation { values, pass };
    // SAFETY: MLIR hands the pass a valid operation for the duration of the call.
    let operation = unsafe { OperationRef::from_raw(op) };
    // `to_ref` reborrows the `ContextRef` itself: it must be a local that outlives every use.
    let context_ref = operation.context();
    // SAFETY: the context MLIR runs the pass in outlives the pass run, and with it everything
    // the body builds; `context_ref` lives to the end of this function. This is the one place a
    // pass body's context comes from.
    let context = unsafe { context_ref.to_ref() };
    // A panic must not unwind into C++: it becomes a located pass failure.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (definition.run)(context, operation, &invocation)
    })) {
        Ok(result) => result.is_ok(),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let name = definition.argument.to_string_lossy();
            crate::emit_error(
                operation.location(),
                &format!("internal error in pass '{name}': {reason}"),
            );
            false
        }
    }
}
