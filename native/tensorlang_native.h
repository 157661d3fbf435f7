//===- tensorlang_native.h - C entry points of the C++ shims ----*- C -*-===//
//
// The MLIR C API cannot register a pass or a pipeline by name, nor run
// `MlirOptMain`; these few functions can. Rust declares the same items in
// `src/native.rs`; keep the two in step.
//
//===----------------------------------------------------------------------===//

#ifndef TENSORLANG_NATIVE_H
#define TENSORLANG_NATIVE_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A textual option of a pass (`--pass-name="name=value"`).
typedef struct {
  const char *name;
  const char *description;
  const char *defaultValue;
} TlPassOption;

/// Everything MLIR needs to know about a pass implemented in Rust. Must outlive
/// the process's pass registry (it is registered once and never freed).
typedef struct {
  const char *argument;    ///< Command-line name, e.g. "tensorlang-verify".
  const char *name;        ///< Display name, e.g. "TensorLangVerify".
  const char *summary;     ///< One line for `--help`.
  const char *anchor;      ///< Operation the pass runs on, or NULL for any.
  const TlPassOption *options;
  size_t numOptions;
  const MlirDialectHandle *dependentDialects;
  size_t numDependentDialects;
  /// Runs the pass on `op`; `optionValues[i]` is the value of `options[i]`.
  /// Returns false to signal pass failure (after emitting a diagnostic).
  bool (*run)(const void *userData, MlirOperation op,
              const MlirStringRef *optionValues);
  const void *userData;
} TlPassDescriptor;

/// Registers a pass under `descriptor->argument`.
void tlRegisterPass(const TlPassDescriptor *descriptor);

/// Registers a named pipeline whose body is the textual pipeline `pipeline`
/// (pass list without an anchor, e.g. "canonicalize,cse").
void tlRegisterPipeline(const char *argument, const char *summary,
                        const char *pipeline);

/// Parses `source` as a module (an implicit one when the top level holds
/// other ops), naming it `filename` in locations. Null on failure, after
/// emitting the diagnostics. Parsing also verifies.
MlirModule tlParseModule(MlirContext context, MlirStringRef source,
                         MlirStringRef filename);

/// Runs `mlir-opt`'s main with every upstream dialect, extension and pass
/// registered, plus whatever was registered above. Returns the exit code.
int tlOptMain(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif // TENSORLANG_NATIVE_H
