//===- opt_main.cpp - mlir-opt's main for tensorlang-opt ---------*- C++ -*-===//
//
// `MlirOptMain` is C++ only; this is the whole driver once our passes are
// registered from Rust.
//
//===----------------------------------------------------------------------===//

#include "tensorlang_native.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int tlOptMain(int argc, char **argv, void (*extendRegistry)(void *registry)) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  if (extendRegistry)
    extendRegistry(&registry);
  mlir::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "TensorLang optimizer driver\n", registry));
}
