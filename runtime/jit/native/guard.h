//===- guard.h - Guarded calls into JIT code -----------------------*- C -*-===//
//
// A failed check, a fault (SIGSEGV, SIGBUS, SIGFPE, SIGILL) or a time limit
// inside JIT code jumps back to the guarded call that entered it, which
// reports what happened instead of the process dying. Rust cannot call
// sigsetjmp safely, so this lives in C; `src/guard.rs` wraps it.
//
//===----------------------------------------------------------------------===//

#ifndef TENSORLANG_GUARD_H
#define TENSORLANG_GUARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// How a guarded call ended.
typedef enum {
  TlOutcomeReturned = 0,
  TlOutcomeCheckFailed = 1,
  TlOutcomeSignal = 2,
  TlOutcomeTimeout = 3,
} TlOutcome;

/// What a guarded call reports; all zero when it returned normally.
typedef struct {
  int32_t outcome;          ///< A TlOutcome.
  int32_t signal;           ///< The signal number, for TlOutcomeSignal.
  int32_t code;             ///< `si_code` of that signal.
  uintptr_t fault_address;  ///< `si_addr` of that signal.
  uintptr_t pc;             ///< Where the JIT code was: the faulting
                            ///< instruction, or the failed check's call.
  int64_t check_id;         ///< Id in the check table, for TlOutcomeCheckFailed.
  const char *check_table;  ///< The module's check table (text), ditto.
} TlGuardFailure;

/// The body of a guarded call. It must not own anything with a destructor:
/// a failure leaves it without unwinding.
typedef void (*TlThunk)(void *context);

/// Calls `thunk(context)`; a failure inside it (see above) or `timeout_ms`
/// elapsing (0: no limit) ends the call early. Returns the outcome and fills
/// `failure`. Calls may nest; each thread has its own.
///
/// Only the outermost call of a thread (the entry into JIT code) makes system
/// calls: it checks the signal handlers, saves the signal mask and arms the
/// timer. A nested call without a time limit makes none unless it fails, or
/// the handlers may have changed (see below).
int32_t tlGuardedCall(TlThunk thunk, void *context, uint64_t timeout_ms,
                      TlGuardFailure *failure);

/// Says that code which may have installed signal handlers of its own ran
/// (LLVM, a model runtime): the next guarded call, nested or not, checks ours
/// are still in place. Any thread may call it.
void tlGuardHandlersMayHaveChanged(void);

/// What JIT code calls when a run-time check fails (bound to
/// `__tensorlang_assert_fail`). Inside a guarded call it jumps back to it;
/// outside one it calls the handler set below, which must not return.
void tlGuardCheckFailed(int64_t id, const char *table);

/// Ends the enclosing guarded call with `failure`, as if it had happened
/// there (a nested call that could not handle it passes it on). Outside any
/// guarded call a failed check goes to the handler below; anything else aborts.
void tlGuardRethrow(const TlGuardFailure *failure);

/// Sets the handler for a failed check outside any guarded call.
void tlGuardSetUnguardedHandler(void (*handler)(int64_t id, const char *table));

#ifdef __cplusplus
}
#endif

#endif // TENSORLANG_GUARD_H
