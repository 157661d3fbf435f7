//===- guard.c - Guarded calls into JIT code -----------------------*- C -*-===//
//
// Each guarded call saves a sigsetjmp point in a thread-local; the signal
// handlers (on an alternate stack, so a stack overflow is caught too) and the
// check-failure entry jump back to it. Outside a guarded call the handlers
// chain to whatever was installed before, so a fault elsewhere still crashes
// the way it would have.
//
// Every call of a replaceable function is a nested guarded call under
// self-healing, so a nested call that does not fail makes no system call: the
// handlers are checked at the thread's outermost call and when the generation
// below says something may have replaced them, the signal mask is saved only
// by the outermost call (a nested one unblocks the caught signal itself, on
// the failure path), and only a call with a time limit arms a timer.
//
//===----------------------------------------------------------------------===//

#define _GNU_SOURCE
#include "guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static const int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
enum { kNumFaultSignals = sizeof kFaultSignals / sizeof kFaultSignals[0] };

static __thread sigjmp_buf *activeJump;
static __thread TlGuardFailure *activeFailure;
static __thread int altStackReady;
// The signal a handler jumped out of, still blocked at the jump target when
// that is a nested call (whose sigsetjmp saved no mask); 0 after a failed
// check or a rethrow, which leave the mask as it was.
static __thread int caughtSignal;

// Bumped by tlGuardHandlersMayHaveChanged; `checkedGeneration` is the one the
// handlers were last checked at (0: never).
static atomic_uint handlerGeneration = 1;
static atomic_uint checkedGeneration;
static pthread_mutex_t installLock = PTHREAD_MUTEX_INITIALIZER;

static struct sigaction previousActions[kNumFaultSignals];
static void (*unguardedHandler)(int64_t, const char *);

static int timeoutSignal(void) { return SIGRTMIN + 1; }

static uintptr_t faultPc(void *ucontext) {
  ucontext_t *uc = (ucontext_t *)ucontext;
#if defined(__x86_64__)
  return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)uc->uc_mcontext.pc;
#else
  (void)uc;
  return 0;
#endif
}

static void chainToPrevious(int index, int signal, siginfo_t *info,
                            void *ucontext) {
  struct sigaction *previous = &previousActions[index];
  if (previous->sa_flags & SA_SIGINFO) {
    previous->sa_sigaction(signal, info, ucontext);
    return;
  }
  if (previous->sa_handler == SIG_IGN)
    return;
  if (previous->sa_handler != SIG_DFL) {
    previous->sa_handler(signal);
    return;
  }
  // Default action: restore it; returning re-executes the faulting
  // instruction, which now terminates the process as it would have.
  sigaction(signal, previous, NULL);
}

static void onFault(int signal, siginfo_t *info, void *ucontext) {
  if (activeJump) {
    activeFailure->outcome = TlOutcomeSignal;
    activeFailure->signal = signal;
    activeFailure->code = info->si_code;
    activeFailure->fault_address = (uintptr_t)info->si_addr;
    activeFailure->pc = faultPc(ucontext);
    caughtSignal = signal;
    siglongjmp(*activeJump, 1);
  }
  for (int i = 0; i < kNumFaultSignals; ++i)
    if (kFaultSignals[i] == signal)
      chainToPrevious(i, signal, info, ucontext);
}

static void onTimeout(int signal, siginfo_t *info, void *ucontext) {
  (void)info;
  if (!activeJump)
    return; // The call finished just before the timer fired.
  activeFailure->outcome = TlOutcomeTimeout;
  activeFailure->pc = faultPc(ucontext);
  caughtSignal = signal;
  siglongjmp(*activeJump, 1);
}

static void ensureAltStack(void) {
  if (altStackReady)
    return;
  // Never freed: the thread may fault on it until it exits.
  size_t size = SIGSTKSZ > 65536 ? SIGSTKSZ : 65536;
  stack_t stack = {.ss_sp = malloc(size), .ss_size = size, .ss_flags = 0};
  if (stack.ss_sp && sigaltstack(&stack, NULL) == 0)
    altStackReady = 1;
}

// Puts our handlers back where something else replaced them (LLVM and others
// may install their own at any time; ours must be the ones a guarded call
// sees), remembering the replaced ones to chain to. Serialized: handlers are
// per process, and two threads may enter JIT code at once.
static void installHandlers(void) {
  pthread_mutex_lock(&installLock);
  // Read before checking: a bump while we check makes the next call check
  // again.
  unsigned generation = atomic_load(&handlerGeneration);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = onFault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < kNumFaultSignals; ++i) {
    struct sigaction current;
    sigaction(kFaultSignals[i], NULL, &current);
    if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == onFault)
      continue;
    previousActions[i] = current;
    sigaction(kFaultSignals[i], &action, NULL);
  }
  action.sa_sigaction = onTimeout;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigaction(timeoutSignal(), &action, NULL);
  atomic_store(&checkedGeneration, generation);
  pthread_mutex_unlock(&installLock);
}

static int handlersMayHaveChanged(void) {
  // Relaxed: a bump is seen soon enough (by the next call of the thread that
  // made it, at the latest), and the check it triggers is itself serialized.
  return atomic_load_explicit(&checkedGeneration, memory_order_relaxed) !=
         atomic_load_explicit(&handlerGeneration, memory_order_relaxed);
}

void tlGuardHandlersMayHaveChanged(void) {
  atomic_fetch_add(&handlerGeneration, 1);
}

static int startTimer(timer_t *timer, uint64_t timeoutMs) {
  struct sigevent event;
  memset(&event, 0, sizeof event);
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = timeoutSignal();
  event._sigev_un._tid = gettid();
  if (timer_create(CLOCK_MONOTONIC, &event, timer) != 0)
    return 0;
  struct itimerspec spec;
  memset(&spec, 0, sizeof spec);
  spec.it_value.tv_sec = (time_t)(timeoutMs / 1000);
  spec.it_value.tv_nsec = (long)(timeoutMs % 1000) * 1000000L;
  if (timer_settime(*timer, 0, &spec, NULL) != 0) {
    timer_delete(*timer);
    return 0;
  }
  return 1;
}

int32_t tlGuardedCall(TlThunk thunk, void *context, uint64_t timeoutMs,
                      TlGuardFailure *failure) {
  sigjmp_buf jump;
  sigjmp_buf *outerJump = activeJump;
  TlGuardFailure *outerFailure = activeFailure;
  // The thread's entry into JIT code: the one call that checks the handlers
  // every time and saves the signal mask for the jump.
  int outermost = outerJump == NULL;
  memset(failure, 0, sizeof *failure);
  ensureAltStack();
  if (outermost || handlersMayHaveChanged())
    installHandlers();

  // The timer exists before the jump point, so nothing the jump could skip
  // is written after it.
  timer_t timer;
  int hasTimer = timeoutMs > 0 && startTimer(&timer, timeoutMs);
  if (sigsetjmp(jump, outermost) == 0) {
    caughtSignal = 0;
    activeFailure = failure;
    activeJump = &jump;
    thunk(context);
  } else if (!outermost && caughtSignal != 0) {
    // A handler jumped here; the kernel blocked its signal for it, and this
    // jump point restores no mask. Unblocking that one signal gives back the
    // mask from before it (the handlers block nothing else).
    sigset_t caught;
    sigemptyset(&caught);
    sigaddset(&caught, caughtSignal);
    pthread_sigmask(SIG_UNBLOCK, &caught, NULL);
  }
  caughtSignal = 0;
  activeJump = outerJump;
  activeFailure = outerFailure;
  if (hasTimer)
    timer_delete(timer);
  return failure->outcome;
}

void tlGuardCheckFailed(int64_t id, const char *table) {
  if (activeJump) {
    activeFailure->outcome = TlOutcomeCheckFailed;
    activeFailure->check_id = id;
    activeFailure->check_table = table;
    activeFailure->pc = (uintptr_t)__builtin_return_address(0);
    caughtSignal = 0;
    siglongjmp(*activeJump, 1);
  }
  if (unguardedHandler)
    unguardedHandler(id, table);
  abort();
}

void tlGuardRethrow(const TlGuardFailure *failure) {
  if (activeJump) {
    *activeFailure = *failure;
    caughtSignal = 0;
    siglongjmp(*activeJump, 1);
  }
  if (failure->outcome == TlOutcomeCheckFailed && unguardedHandler)
    unguardedHandler(failure->check_id, failure->check_table);
  abort();
}

void tlGuardSetUnguardedHandler(void (*handler)(int64_t, const char *)) {
  unguardedHandler = handler;
}
