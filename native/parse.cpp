//===- parse.cpp - Parse a module from memory under a file name --*- C++ -*-===//
//
// The C API parses a module from memory only without a name, so its locations
// would not say which file an op came from.
//
//===----------------------------------------------------------------------===//

#include "tensorlang_native.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Support.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

MlirModule tlParseModule(MlirContext context, MlirStringRef source,
                         MlirStringRef filename) {
  mlir::ParserConfig config(unwrap(context));
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(unwrap(source), config,
                                              unwrap(filename));
  return MlirModule{module.release().getOperation()};
}
