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
  /// Runs the pass on `op`; `optionValues[i]` is the value of `options[i]`;
  /// `pass` is the running pass, for `tlRunNestedPipeline`. Returns false to
  /// signal pass failure (after emitting a diagnostic).
  bool (*run)(const void *userData, MlirOperation op,
              const MlirStringRef *optionValues, void *pass);
  const void *userData;
} TlPassDescriptor;

/// Registers a pass under `descriptor->argument`.
void tlRegisterPass(const TlPassDescriptor *descriptor);

/// From inside a running Rust pass (`pass` as given to `run`), runs the
/// textual pass list `pipeline` on `op` (that pass's operation or one nested in
/// it), the way upstream passes run dynamic pipelines. False on failure, after
/// emitting diagnostics.
bool tlRunNestedPipeline(void *pass, MlirOperation op, MlirStringRef pipeline);

/// Registers a named pipeline whose body is the textual pipeline `pipeline`
/// (pass list without an anchor, e.g. "canonicalize,cse").
void tlRegisterPipeline(const char *argument, const char *summary,
                        const char *pipeline);

/// Parses `source` as a module (an implicit one when the top level holds
/// other ops), naming it `filename` in locations. Null on failure, after
/// emitting the diagnostics. Parsing also verifies.
MlirModule tlParseModule(MlirContext context, MlirStringRef source,
                         MlirStringRef filename);

/// How severe an emitted diagnostic is.
typedef enum {
  TlSeverityError = 0,
  TlSeverityWarning = 1,
  TlSeverityRemark = 2,
} TlSeverity;

/// Emits `message` at `location` through the context's diagnostic engine.
void tlEmitDiagnostic(MlirLocation location, TlSeverity severity,
                      const char *message);

/// Runs `mlir-opt`'s main with every upstream dialect, extension and pass
/// registered, plus whatever was registered above; `extendRegistry` (may be
/// NULL) adds dialects to the registry first. Returns the exit code.
int tlOptMain(int argc, char **argv, void (*extendRegistry)(void *registry));

#ifdef __cplusplus
}
#endif

#endif // TENSORLANG_NATIVE_H
