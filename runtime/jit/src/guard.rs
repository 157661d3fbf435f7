//! Guarded calls into JIT code: the safe side of `native/guard.c`.
//!
//! A failed run-time check, a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL) or the time limit ends the
//! call early with a [`Trap`] instead of ending the process, and the next call works as before.
//! Memory the JIT code allocated before the trap is leaked.
//!
//! Only a thread's outermost guarded call (its entry into JIT code) makes system calls: it checks
//! the signal handlers, saves the signal mask and arms the time limit. A nested call (every call
//! of a replaceable function under self-healing is one) costs a `sigsetjmp` without the mask and
//! a few thread-local stores while it does not fail; [`handlers_may_have_changed`] makes the next
//! call check the handlers again.

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
    fn tlGuardHandlersMayHaveChanged();
}

/// Says that code which may install signal handlers of its own has run (LLVM, a model
/// runtime): the next guarded call on any thread puts the guard's back first. Cheap (one atomic
/// add); any thread may call it.
pub fn handlers_may_have_changed() {
    // SAFETY: bumps an atomic counter on the C side.
    unsafe { tlGuardHandlersMayHaveChanged() }
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

/// Sends failed containment checks ([`tensorlang_checks::contain`]) to the guard, as failed
/// checks of JIT code are: inside a guarded call they end it with a [`Trap::CheckFailed`].
pub(crate) fn route_contained_failures() {
    tensorlang_checks::contain::set_fail_handler(tlGuardCheckFailed);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};

    unsafe extern "C" {
        static tlLayoutGuardFailure: [usize; 9];
    }

    #[test]
    fn the_rust_mirror_matches_the_header() {
        // SAFETY: a constant array defined in native/layout.c, of the declared length.
        let layout = unsafe { tlLayoutGuardFailure };
        assert_eq!(
            layout,
            [
                size_of::<TlGuardFailure>(),
                align_of::<TlGuardFailure>(),
                offset_of!(TlGuardFailure, outcome),
                offset_of!(TlGuardFailure, signal),
                offset_of!(TlGuardFailure, code),
                offset_of!(TlGuardFailure, fault_address),
                offset_of!(TlGuardFailure, pc),
                offset_of!(TlGuardFailure, check_id),
                offset_of!(TlGuardFailure, check_table),
            ]
        );
    }

    extern "C" fn forty_two() -> i32 {
        42
    }

    extern "C" fn dereference_null() {
        // SAFETY: not safe at all: the fault is what the test is about, and the guard catches it.
        unsafe { std::ptr::null_mut::<i32>().write_volatile(1) };
    }

    extern "C" fn fail_check() {
        // SAFETY: the guard's own check-failure entry, with a NUL-terminated table, called (as JIT
        // code would) inside a guarded call.
        unsafe { tlGuardCheckFailed(7, c"tensorlang-checks 1\n".as_ptr()) };
    }

    extern "C" fn spin() {
        loop {
            std::hint::spin_loop();
        }
    }

    #[test]
    fn a_call_that_returns_gives_its_result() {
        let mut callee = Callee::I32(forty_two as *const () as usize, 0);
        // SAFETY: the address is a live `extern "C" fn() -> i32`.
        assert_eq!(unsafe { call(&mut callee, None) }, Ok(()));
        assert!(matches!(callee, Callee::I32(_, 42)));
    }

    #[test]
    fn a_fault_ends_the_call_and_the_process_goes_on() {
        let mut callee = Callee::Void(dereference_null as *const () as usize);
        // SAFETY: the address is a live `extern "C" fn()`.
        let trap = unsafe { call(&mut callee, None) };
        assert!(
            matches!(trap, Err(Trap::Signal { signal, address: 0, .. }) if signal == libc::SIGSEGV),
            "{trap:?}"
        );
        // The guard is ready for the next call.
        let mut callee = Callee::I32(forty_two as *const () as usize, 0);
        // SAFETY: as above.
        assert_eq!(unsafe { call(&mut callee, None) }, Ok(()));
    }

    #[test]
    fn a_failed_check_names_its_id_and_table() {
        let mut callee = Callee::Void(fail_check as *const () as usize);
        // SAFETY: the address is a live `extern "C" fn()`.
        match unsafe { call(&mut callee, None) } {
            Err(Trap::CheckFailed { id, table, .. }) => {
                assert_eq!((id, table.as_str()), (7, "tensorlang-checks 1\n"));
            }
            other => panic!("{other:?}"),
        }
    }

    /// What [`nested_faults`] saw: the traps of its nested calls, and whether SIGSEGV was
    /// blocked after each.
    static NESTED: std::sync::Mutex<Vec<(bool, bool)>> = std::sync::Mutex::new(Vec::new());

    extern "C" fn nested_faults() {
        for _ in 0..3 {
            let mut callee = Callee::Void(dereference_null as *const () as usize);
            // SAFETY: the address is a live `extern "C" fn()`; this frame owns nothing to drop
            // when the call returns (a nested guarded call catches the fault itself).
            let trap = unsafe { call(&mut callee, None) };
            let caught =
                matches!(trap, Err(Trap::Signal { signal, .. }) if signal == libc::SIGSEGV);
            NESTED.lock().unwrap().push((caught, segv_blocked()));
        }
    }

    fn segv_blocked() -> bool {
        // SAFETY: reads this thread's signal mask into a local set.
        unsafe {
            let mut mask: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut mask);
            libc::sigismember(&mask, libc::SIGSEGV) == 1
        }
    }

    #[test]
    fn a_nested_call_catches_faults_and_leaves_the_mask_as_it_was() {
        NESTED.lock().unwrap().clear();
        let mut callee = Callee::Void(nested_faults as *const () as usize);
        // SAFETY: the address is a live `extern "C" fn()`.
        assert_eq!(unsafe { call(&mut callee, None) }, Ok(()));
        // Each fault was caught by its nested call (a SIGSEGV left blocked would have ended the
        // process at the second), and none left SIGSEGV blocked.
        assert_eq!(*NESTED.lock().unwrap(), [(true, false); 3]);
        assert!(!segv_blocked());
    }

    extern "C" fn nested_spin() {
        let mut callee = Callee::Void(spin as *const () as usize);
        // SAFETY: the address is a live `extern "C" fn()`; the timeout of the enclosing call
        // ends this one, which passes it on.
        if let Err(trap) = unsafe { call(&mut callee, None) } {
            // SAFETY: nothing in this frame needs dropping but `trap`, which rethrow drops.
            unsafe { rethrow(trap) }
        }
    }

    #[test]
    fn the_time_limit_of_the_entry_ends_a_nested_call_and_can_fire_again() {
        for _ in 0..2 {
            let mut callee = Callee::Void(nested_spin as *const () as usize);
            // SAFETY: the address is a live `extern "C" fn()`.
            let trap = unsafe { call(&mut callee, Some(Duration::from_millis(20))) };
            assert!(matches!(trap, Err(Trap::Timeout { .. })), "{trap:?}");
        }
    }

    /// The guard's fault handler, as found installed inside a guarded call.
    static OURS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    fn segv_handler() -> usize {
        // SAFETY: queries the current action into a local.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGSEGV, std::ptr::null(), &mut current);
            current.sa_sigaction
        }
    }

    /// A handler that passes every signal on to the guard's, as LLVM's pass theirs on to the
    /// previous one: installed in place of ours by the test below, it keeps faults of other tests
    /// running meanwhile caught.
    extern "C" fn chaining(signal: i32, info: *mut libc::siginfo_t, context: *mut c_void) {
        let ours = OURS.load(std::sync::atomic::Ordering::SeqCst);
        // SAFETY: `ours` is the guard's SA_SIGINFO handler, called as the kernel would.
        unsafe {
            std::mem::transmute::<usize, extern "C" fn(i32, *mut libc::siginfo_t, *mut c_void)>(
                ours,
            )(signal, info, context)
        }
    }

    extern "C" fn replace_handler_then_call() {
        OURS.store(segv_handler(), std::sync::atomic::Ordering::SeqCst);
        // SAFETY: installs `chaining`, an SA_SIGINFO handler, for SIGSEGV.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = chaining as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut());
        }
        handlers_may_have_changed();
        let mut callee = Callee::I32(forty_two as *const () as usize, 0);
        // SAFETY: the address is a live `extern "C" fn() -> i32`.
        let _ = unsafe { call(&mut callee, None) };
    }

    #[test]
    fn a_nested_call_puts_replaced_handlers_back_when_told_they_may_have_changed() {
        let mut callee = Callee::Void(replace_handler_then_call as *const () as usize);
        // SAFETY: the address is a live `extern "C" fn()`.
        assert_eq!(unsafe { call(&mut callee, None) }, Ok(()));
        assert_eq!(
            segv_handler(),
            OURS.load(std::sync::atomic::Ordering::SeqCst)
        );
    }

    #[test]
    fn a_call_past_its_time_limit_is_interrupted() {
        let mut callee = Callee::Void(spin as *const () as usize);
        // SAFETY: the address is a live `extern "C" fn()`.
        let trap = unsafe { call(&mut callee, Some(Duration::from_millis(50))) };
        assert!(matches!(trap, Err(Trap::Timeout { .. })), "{trap:?}");
    }
}
