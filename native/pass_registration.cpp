//===- pass_registration.cpp - Register Rust passes by name ------*- C++ -*-===//
//
// A pass implemented in Rust is wrapped in `RustPass`, an `mlir::Pass` whose
// options are real MLIR pass options (so `--help`, textual pipelines and
// option errors behave like upstream passes) and whose body calls back into
// Rust.
//
//===----------------------------------------------------------------------===//

#include "tensorlang_native.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/TypeID.h"

#include <memory>
#include <vector>

namespace {

class RustPass final : public mlir::Pass {
public:
  RustPass(const TlPassDescriptor *descriptor, mlir::TypeID id)
      : Pass(id, descriptor->anchor
                     ? std::optional<llvm::StringRef>(descriptor->anchor)
                     : std::nullopt),
        descriptor(descriptor), id(id) {
    for (size_t i = 0; i < descriptor->numOptions; ++i) {
      const TlPassOption &option = descriptor->options[i];
      options.push_back(std::make_unique<Option<std::string>>(
          *this, option.name, llvm::cl::desc(option.description),
          llvm::cl::init(std::string(option.defaultValue))));
    }
  }

  llvm::StringRef getName() const override { return descriptor->name; }
  llvm::StringRef getArgument() const override { return descriptor->argument; }
  llvm::StringRef getDescription() const override {
    return descriptor->summary;
  }

  void getDependentDialects(mlir::DialectRegistry &registry) const override {
    for (size_t i = 0; i < descriptor->numDependentDialects; ++i)
      mlirDialectHandleInsertDialect(descriptor->dependentDialects[i],
                                     wrap(&registry));
  }

  bool canScheduleOn(mlir::RegisteredOperationName opName) const override {
    return !descriptor->anchor || opName.getStringRef() == descriptor->anchor;
  }

  std::unique_ptr<Pass> clonePass() const override {
    return std::make_unique<RustPass>(descriptor, id);
  }

  void runOnOperation() override {
    std::vector<MlirStringRef> values;
    values.reserve(options.size());
    for (const auto &option : options)
      values.push_back(wrap(llvm::StringRef(option->getValue())));
    if (!descriptor->run(descriptor->userData, wrap(getOperation()),
                         values.data(), this))
      signalPassFailure();
  }

  /// Runs `pipeline` (a pass list, implicitly nested) on `op`, which must be
  /// the operation this pass runs on or nested in it.
  bool runNested(mlir::Operation *op, llvm::StringRef pipeline) {
    mlir::OpPassManager manager(op->getName(),
                                mlir::OpPassManager::Nesting::Implicit);
    std::string error;
    llvm::raw_string_ostream errorStream(error);
    if (mlir::failed(mlir::parsePassPipeline(pipeline, manager, errorStream))) {
      op->emitError() << "invalid nested pipeline '" << pipeline
                      << "': " << error;
      return false;
    }
    return mlir::succeeded(runPipeline(manager, op));
  }

private:
  const TlPassDescriptor *descriptor;
  mlir::TypeID id;
  std::vector<std::unique_ptr<Option<std::string>>> options;
};

} // namespace

void tlRegisterPass(const TlPassDescriptor *descriptor) {
  // One TypeID per registered pass, allocated once and kept for the process.
  static mlir::TypeIDAllocator allocator;
  mlir::TypeID id = allocator.allocate();
  mlir::registerPass(
      [=] { return std::make_unique<RustPass>(descriptor, id); });
}

bool tlRunNestedPipeline(void *pass, MlirOperation op,
                         MlirStringRef pipeline) {
  return static_cast<RustPass *>(pass)->runNested(unwrap(op),
                                                  unwrap(pipeline));
}

void tlRegisterPipeline(const char *argument, const char *summary,
                        const char *pipeline) {
  std::string body(pipeline);
  mlir::registerPassPipeline(
      argument, summary,
      [body](mlir::OpPassManager &pm, llvm::StringRef options,
             llvm::function_ref<mlir::LogicalResult(const llvm::Twine &)>
                 errorHandler) -> mlir::LogicalResult {
        if (!options.empty())
          return errorHandler("this pipeline takes no options");
        std::string error;
        llvm::raw_string_ostream errorStream(error);
        if (mlir::failed(mlir::parsePassPipeline(body, pm, errorStream)))
          return errorHandler(error);
        return mlir::success();
      },
      [](llvm::function_ref<void(const mlir::detail::PassOptions &)>) {});
}
