//===- diagnostic.cpp - Emit remarks and warnings at a location --*- C++ -*-===//
//
// The C API can emit only errors; passes also report remarks (statistics) and
// warnings (checks that always fail).
//
//===----------------------------------------------------------------------===//

#include "tensorlang_native.h"

#include "mlir/CAPI/IR.h"
#include "mlir/IR/Diagnostics.h"

void tlEmitDiagnostic(MlirLocation location, TlSeverity severity,
                      const char *message) {
  mlir::Location loc = unwrap(location);
  switch (severity) {
  case TlSeverityError:
    mlir::emitError(loc, message);
    break;
  case TlSeverityWarning:
    mlir::emitWarning(loc, message);
    break;
  case TlSeverityRemark:
    mlir::emitRemark(loc, message);
    break;
  }
}
