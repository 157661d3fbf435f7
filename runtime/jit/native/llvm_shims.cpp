//===- llvm_shims.cpp - What the LLVM C API leaves out -----------*- C++ -*-===//
//
// The LLVM C API cannot turn a function definition into a declaration, and
// MLIR runtime libraries (libmlir_async_runtime.so) hand over their symbols
// through an `llvm::StringMap`: these few lines do both.
//
//===----------------------------------------------------------------------===//

#include "llvm_shims.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Function.h"
#include "llvm/Support/Error.h"

void tlRuntimeLibraryInit(void *initFunction, TlSymbolSink sink, void *user) {
  llvm::StringMap<void *> symbols;
  reinterpret_cast<void (*)(llvm::StringMap<void *> &)>(initFunction)(symbols);
  for (const auto &entry : symbols)
    sink(user, entry.getKey().data(), entry.getKey().size(), entry.getValue());
}

void tlDeleteFunctionBody(LLVMValueRef function) {
  llvm::unwrap<llvm::Function>(function)->deleteBody();
}
