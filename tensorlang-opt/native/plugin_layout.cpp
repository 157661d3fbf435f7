//===- plugin_layout.cpp - the layout of mlir::PassPluginLibraryInfo -*- C++ -*-===//
//
// Size, alignment and field offsets of the struct mlir-opt reads from a pass
// plugin, as upstream's header declares it; a unit test in src/plugin.rs
// compares them with the Rust mirror.
//
//===----------------------------------------------------------------------===//

#include "mlir/Tools/Plugins/PassPlugin.h"

#include <cstddef>

extern "C" {
extern const size_t tlLayoutPassPluginLibraryInfo[] = {
    sizeof(mlir::PassPluginLibraryInfo),
    alignof(mlir::PassPluginLibraryInfo),
    offsetof(mlir::PassPluginLibraryInfo, apiVersion),
    offsetof(mlir::PassPluginLibraryInfo, pluginName),
    offsetof(mlir::PassPluginLibraryInfo, pluginVersion),
    offsetof(mlir::PassPluginLibraryInfo, registerPassRegistryCallbacks)};

extern const size_t tlPluginApiVersion = MLIR_PLUGIN_API_VERSION;
}
