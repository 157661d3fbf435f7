//! [`CallRecorder`]: the failing call's arguments for a failure report, without self-healing.
//!
//! With [`tensorlang_jit::jit::JitOptions::heal_handler`] set to [`handler_address`], every call
//! of a replaceable function goes through the recorder instead of the self-healing runtime. It
//! saves the call's arguments and a copy of the buffers they reach ([`SavedCall`]) on a
//! per-thread stack of the calls under way, then calls the function directly: no guard of its
//! own (it needs none: the entry point's catches the failure). A failure jumps from inside the call
//! to the entry point's guard, past the recorder's frame, so the failed calls stay on the stack;
//! the runner then [`CallRecorder::take`]s the innermost one of the failing function. The saved
//! copies belong to the stack, not to the frames the jump left, and each entry's storage is
//! reused from call to call.

use std::cell::{Cell, UnsafeCell};
use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, Ordering};

use tensorlang_checks::failure::ArgumentRecord;
use tensorlang_jit::jit::{Jit, JitError};
use tensorlang_jit::program::FunctionInfo;

use super::arguments::{Contents, Field, SavedCall};

/// A function whose calls are recorded.
struct Recorded {
    name: String,
    packed: usize,
    types: Vec<String>,
    layout: Vec<Field>,
}

/// One call under way: which function, and its arguments as it began.
#[derive(Default)]
struct Frame {
    id: usize,
    saved: SavedCall,
}

/// The calls under way on one thread: `frames[..depth]`, innermost last (entries past `depth`
/// are storage kept for reuse).
#[derive(Default)]
struct CallStack {
    frames: UnsafeCell<Vec<Frame>>,
    depth: Cell<usize>,
}

thread_local! {
    static CALLS: CallStack = CallStack::default();
}

/// Calls nested deeper than this keep their scalars and shapes but no copy of their buffers, so
/// that deep recursion over a large buffer cannot hold a copy per level.
const MAX_COPIED_DEPTH: usize = 64;

/// Records the arguments of the failing call. See the module docs.
pub struct CallRecorder {
    functions: Vec<Recorded>,
}

static ACTIVE: AtomicPtr<CallRecorder> = AtomicPtr::new(std::ptr::null_mut());

/// The address of the handler recorded calls go to (for [`tensorlang_jit::JitOptions`]).
pub fn handler_address() -> usize {
    record_call as *const () as usize
}

/// What JIT code calls instead of a replaceable function: `id` names it, `arguments` are packed.
/// No value with a destructor lives in this frame: a failure jumps over it.
unsafe extern "C" fn record_call(id: u64, arguments: *mut *mut c_void) {
    let active = ACTIVE.load(Ordering::Acquire);
    assert!(
        !active.is_null(),
        "a recorded call ran without the call recorder"
    );
    // SAFETY: `ACTIVE` points at the live recorder (cleared before it is dropped).
    let function = &unsafe { &*active }.functions[id as usize];
    CALLS.with(|calls| {
        let depth = calls.depth.get();
        // SAFETY: only this thread reaches its stack, and no reference into it outlives this
        // closure (the call below runs outside it).
        let frames = unsafe { &mut *calls.frames.get() };
        if frames.len() == depth {
            frames.push(Frame::default());
        }
        let frame = &mut frames[depth];
        frame.id = id as usize;
        let contents = if depth < MAX_COPIED_DEPTH {
            Contents::Live
        } else {
            Contents::Unsaved
        };
        // SAFETY: the stub packed the arguments of this very call, which has not run yet.
        unsafe { frame.saved.save(&function.layout, arguments, contents) };
        calls.depth.set(depth + 1);
    });
    // SAFETY: the packed wrapper takes exactly the packed arguments the stub built.
    unsafe {
        std::mem::transmute::<usize, extern "C" fn(*mut *mut c_void)>(function.packed)(arguments)
    };
    CALLS.with(|calls| calls.depth.set(calls.depth.get() - 1));
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
                    layout: Field::layout(&types),
                    types,
                    name,
                })
            })
            .collect::<Result<_, JitError>>()?;
        let recorder = Box::new(Self { functions });
        let pointer: *const CallRecorder = &*recorder;
        ACTIVE.store(pointer.cast_mut(), Ordering::Release);
        Ok(recorder)
    }

    /// After a failure on this thread: the arguments of the innermost call of `function` that
    /// was under way. The stack is emptied for the next run.
    pub fn take(&self, function: &str) -> Option<Vec<ArgumentRecord>> {
        CALLS.with(|calls| {
            let depth = calls.depth.replace(0);
            // SAFETY: only this thread reaches its stack; no call is under way now.
            let frames = unsafe { &*calls.frames.get() };
            frames[..depth.min(frames.len())]
                .iter()
                .rev()
                .find(|frame| self.functions[frame.id].name == function)
                .map(|frame| {
                    let recorded = &self.functions[frame.id];
                    frame.saved.records(&recorded.types, &recorded.layout)
                })
        })
    }
}

impl Drop for CallRecorder {
    fn drop(&mut self) {
        ACTIVE.store(std::ptr::null_mut(), Ordering::Release);
    }
}
