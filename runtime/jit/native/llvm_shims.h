//===- llvm_shims.h - What the LLVM C API leaves out--------------*- C -*-===//
//
// Declared again in `src/jit/orc.rs`; keep the two in step.
//
//===----------------------------------------------------------------------===//

#ifndef TENSORLANG_LLVM_SHIMS_H
#define TENSORLANG_LLVM_SHIMS_H

#include "llvm-c/Error.h"
#include "llvm-c/Types.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Receives one symbol a runtime library exports.
typedef void (*TlSymbolSink)(void *user, const char *name, size_t length,
                             void *address);

/// Calls a runtime library's `__mlir_execution_engine_init(StringMap &)` and
/// passes each symbol it registered to `sink`.
void tlRuntimeLibraryInit(void *initFunction, TlSymbolSink sink, void *user);

/// Turns a function definition into a declaration (external linkage).
void tlDeleteFunctionBody(LLVMValueRef function);

#ifdef __cplusplus
}
#endif

#endif // TENSORLANG_LLVM_SHIMS_H
