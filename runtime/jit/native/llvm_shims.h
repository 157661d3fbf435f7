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

/// Contains `function` of `module` (see contain.cpp): every access it makes is
/// checked against the byte ranges its call may touch, and it may call only the
/// runtime, libm and `callees` (comma-separated names). NULL on success, else
/// a malloc'd message saying why the function cannot be contained (free it).
char *tlContainFunction(LLVMModuleRef module, const char *function,
                        const char *callees);

#ifdef __cplusplus
}
#endif

#endif // TENSORLANG_LLVM_SHIMS_H
