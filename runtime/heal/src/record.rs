//! [`CallRecorder`]: the failing call's arguments for a failure report, without self-healing.
//!
//! With [`tensorlang_jit::jit::JitOptions::heal_handler`] set to [`handler_address`], every call
//! of a replaceable function goes through the recorder instead of the self-healing runtime: it
//! saves the buffers the arguments reach ([`Checkpoint`]), runs the call under the guard, and,
//! when the call fails, records its arguments as they were when it began
//! ([`super::arguments`]) before the failure goes on to the caller, unchanged. Only the
//! innermost failing call is kept: it fails first, and the calls around it fail with it.

use std::ffi::c_void;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use tensorlang_checks::failure::ArgumentRecord;
use tensorlang_jit::guard::{self, Callee, Trap};
use tensorlang_jit::jit::{Jit, JitError};
use tensorlang_jit::program::FunctionInfo;

use super::checkpoint::{Checkpoint, Parameter};

/// A function whose calls are recorded.
struct Recorded {
    name: String,
    packed: usize,
    types: Vec<String>,
    parameters: Vec<Parameter>,
}

/// The innermost failed call: its function and arguments.
type FailedCall = (String, Vec<ArgumentRecord>);

/// Records the arguments of the innermost failing call. See the module docs.
pub struct CallRecorder {
    functions: Vec<Recorded>,
    failed: Mutex<Option<FailedCall>>,
}

static ACTIVE: AtomicPtr<CallRecorder> = AtomicPtr::new(std::ptr::null_mut());

/// The address of the handler recorded calls go to (for [`tensorlang_jit::JitOptions`]).
pub fn handler_address() -> usize {
    record_call as *const () as usize
}

/// What JIT code calls instead of a replaceable function: `id` names it, `arguments` are packed.
unsafe extern "C" fn record_call(id: u64, arguments: *mut *mut c_void) {
    let active = ACTIVE.load(Ordering::Acquire);
    assert!(
        !active.is_null(),
        "a recorded call ran without the call recorder"
    );
    // SAFETY: `ACTIVE` points at the live recorder (cleared before it is dropped).
    let outcome = unsafe { &*active }.handle(id as usize, arguments);
    if let Err(trap) = outcome {
        // SAFETY: this frame owns nothing to drop, and the frames between here and the guarded
        // call above are JIT code.
        unsafe { guard::rethrow(trap) }
    }
}

impl CallRecorder {
    /// Records the calls of the handled functions of `jit` (whose functions are `program`) until
    /// the result is dropped.
    ///
    /// # Errors
    /// [`JitError`] when a function's packed wrapper is missing.
    pub fn start(jit: &Jit, program: &[FunctionInfo]) -> Result<Box<Self>, JitError> {
        let functions = jit
            .healed_functions()
            .into_iter()
            .map(|name| {
                let types = program
                    .iter()
                    .find(|f| f.name == name)
                    .map(|f| f.parameters.clone())
                    .unwrap_or_default();
                Ok(Recorded {
                    packed: jit.packed_address(&name)?,
                    parameters: types.iter().map(|t| Parameter::of(t)).collect(),
                    types,
                    name,
                })
            })
            .collect::<Result<_, JitError>>()?;
        let recorder = Box::new(Self {
            functions,
            failed: Mutex::new(None),
        });
        let pointer: *const CallRecorder = &*recorder;
        ACTIVE.store(pointer.cast_mut(), Ordering::Release);
        Ok(recorder)
    }

    /// The arguments of the innermost failed call, if it was a call of `function`; taken, so
    /// that the next failure records its own.
    pub fn take(&self, function: &str) -> Option<Vec<ArgumentRecord>> {
        let mut failed = self.failed.lock().expect("lock");
        match failed.take() {
            Some((name, arguments)) if name == function => Some(arguments),
            _ => None,
        }
    }

    fn handle(&self, id: usize, arguments: *mut *mut c_void) -> Result<(), Trap> {
        let function = &self.functions[id];
        // SAFETY: the stub packed the arguments of this very call.
        let checkpoint = unsafe { Checkpoint::take(&function.parameters, arguments) };
        // SAFETY: the packed wrapper takes exactly the packed arguments the stub built.
        let outcome = unsafe { guard::call(&mut Callee::Packed(function.packed, arguments), None) };
        if outcome.is_err() {
            let mut failed = self.failed.lock().expect("lock");
            if failed.is_none() {
                // SAFETY: the call's caller, which packed them, is still waiting on it.
                let records =
                    unsafe { super::arguments::records(&function.types, arguments, &checkpoint) };
                *failed = Some((function.name.clone(), records));
            }
        }
        outcome
    }
}

impl Drop for CallRecorder {
    fn drop(&mut self) {
        ACTIVE.store(std::ptr::null_mut(), Ordering::Release);
    }
}
