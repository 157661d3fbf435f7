//! Guarded calls into JIT code: the safe side of `native/guard.c`.
//!
//! A failed run-time check, a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL) or the time limit ends the
//! call early with a [`Trap`] instead of ending the process, and the next call works as before.
//! Memory the JIT code allocated before the trap is leaked.

use std::ffi::{CStr, c_char, c_void};
use std::time::Duration;

#[repr(C)]
struct TlGuardFailure {
    outcome: i32,
    signal: i32,
    code: i32,
    fault_address: usize,
    pc: usize,
    check_id: i64,
    check_table: *const c_char,
}

impl TlGuardFailure {
    fn empty() -> Self {
        Self {
            outcome: 0,
            signal: 0,
            code: 0,
            fault_address: 0,
            pc: 0,
            check_id: 0,
            check_table: std::ptr::null(),
        }
    }
}

unsafe extern "C" {
    fn tlGuardedCall(
        thunk: unsafe extern "C" fn(*mut c_void),
        context: *mut c_void,
        timeout_ms: u64,
        failure: *mut TlGuardFailure,
    ) -> i32;
    fn tlGuardCheckFailed(id: i64, table: *const c_char);
    fn tlGuardSetUnguardedHandler(handler: unsafe extern "C" fn(i64, *const c_char));
    fn tlGuardRethrow(failure: *const TlGuardFailure) -> !;
}

/// The address JIT code calls when a check fails (`__tensorlang_assert_fail`).
pub fn check_failed_entry() -> usize {
    tlGuardCheckFailed as *const () as usize
}

/// How a guarded call was cut short.
#[derive(Debug, Clone, PartialEq)]
pub enum Trap {
    /// A run-time check failed: its id in the module's check table, and the table's text.
    CheckFailed {
        /// Id of the check.
        id: i64,
        /// The check table of the module the failing code came from.
        table: String,
        /// The return address into the JIT code that called the check's failure entry.
        pc: usize,
    },
    /// A fault signal.
    Signal {
        /// The signal number.
        signal: i32,
        /// Its `si_code`.
        code: i32,
        /// The faulting address (`si_addr`).
        address: usize,
        /// The instruction pointer at the fault.
        pc: usize,
    },
    /// The time limit passed.
    Timeout {
        /// Where the code was when it was interrupted.
        pc: usize,
    },
}

/// What a guarded call runs: a JIT function, by address. The enum is plain data, so nothing
/// needs dropping if a trap leaves the call.
pub enum Callee {
    /// `fn()`, with no result.
    Void(usize),
    /// `fn() -> i32`; the result is stored here.
    I32(usize, i32),
    /// `fn() -> i64`.
    I64(usize, i64),
    /// `fn() -> f32`.
    F32(usize, f32),
    /// `fn(void **)`, a packed wrapper: arguments and the result slot behind the pointer.
    Packed(usize, *mut *mut c_void),
}

unsafe extern "C" fn thunk(context: *mut c_void) {
    // SAFETY: `context` is the `Callee` passed to `call`, and its addresses are functions of the
    // stated signatures (the caller's contract). No value with a destructor lives in this frame.
    unsafe {
        let callee = &mut *context.cast::<Callee>();
        match callee {
            Callee::Void(f) => std::mem::transmute::<usize, extern "C" fn()>(*f)(),
            Callee::I32(f, out) => {
                *out = std::mem::transmute::<usize, extern "C" fn() -> i32>(*f)()
            }
            Callee::I64(f, out) => {
                *out = std::mem::transmute::<usize, extern "C" fn() -> i64>(*f)()
            }
            Callee::F32(f, out) => {
                *out = std::mem::transmute::<usize, extern "C" fn() -> f32>(*f)()
            }
            Callee::Packed(f, args) => {
                std::mem::transmute::<usize, extern "C" fn(*mut *mut c_void)>(*f)(*args)
            }
        }
    }
}

/// Calls `callee` under the guard, with an optional time limit.
///
/// # Safety
///
/// The address in `callee` must be a live function of the signature its variant names, and for
/// `Packed` the argument array must match the wrapped function's parameters.
pub unsafe fn call(callee: &mut Callee, timeout: Option<Duration>) -> Result<(), Trap> {
    let mut failure = TlGuardFailure::empty();
    let timeout_ms = timeout.map_or(0, |t| t.as_millis().clamp(1, u64::MAX as u128) as u64);
    // SAFETY: the thunk and its context follow the guard's contract; `failure` outlives the call.
    let outcome = unsafe {
        tlGuardedCall(
            thunk,
            (callee as *mut Callee).cast(),
            timeout_ms,
            &mut failure,
        )
    };
    match outcome {
        0 => Ok(()),
        1 => Err(Trap::CheckFailed {
            id: failure.check_id,
            // SAFETY: the table is a NUL-terminated constant of loaded JIT code.
            table: unsafe { CStr::from_ptr(failure.check_table) }
                .to_string_lossy()
                .into_owned(),
            pc: failure.pc,
        }),
        2 => Err(Trap::Signal {
            signal: failure.signal,
            code: failure.code,
            address: failure.fault_address,
            pc: failure.pc,
        }),
        _ => Err(Trap::Timeout { pc: failure.pc }),
    }
}

/// Ends the enclosing guarded call with `trap`, as if it had happened there: a nested guarded
/// call that could not deal with a trap passes it on.
///
/// # Safety
///
/// It jumps over every frame between here and the enclosing guarded call without unwinding:
/// none of them may own anything with a destructor (this function drops `trap` itself).
pub unsafe fn rethrow(trap: Trap) -> ! {
    let mut failure = TlGuardFailure::empty();
    match trap {
        Trap::CheckFailed { id, table, pc } => {
            failure.outcome = 1;
            failure.check_id = id;
            failure.pc = pc;
            // Leaked: the outer call reads it after this frame is gone. One small string per
            // failure that could not be repaired.
            failure.check_table = std::ffi::CString::new(table).unwrap_or_default().into_raw();
        }
        Trap::Signal {
            signal,
            code,
            address,
            pc,
        } => {
            failure.outcome = 2;
            failure.signal = signal;
            failure.code = code;
            failure.fault_address = address;
            failure.pc = pc;
        }
        Trap::Timeout { pc } => {
            failure.outcome = 3;
            failure.pc = pc;
        }
    }
    // SAFETY: the caller guarantees no frame in between owns anything to drop.
    unsafe { tlGuardRethrow(&failure) }
}

/// Sets what a failed check outside any guarded call does (it must not return).
pub(crate) fn set_unguarded_handler(handler: unsafe extern "C" fn(i64, *const c_char)) {
    // SAFETY: stores a function pointer for the C side.
    unsafe { tlGuardSetUnguardedHandler(handler) }
}
