//! `--tensorlang-to-llvm`: TensorLang and plain upstream dialects (func, arith, scf, memref,
//! linalg, tensor, math, cf, vector) all the way to the LLVM dialect, ready for a JIT or
//! `mlir-translate --mlir-to-llvmir`.
//!
//! ```mlir
//! // before: tensorlang ops on tensors
//! %0 = "tensorlang.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
//! // after: llvm.func, llvm.call, llvm.load/store over buffers
//! ```

use std::ffi::CStr;

/// The name the pipeline is registered under.
pub const NAME: &CStr = c"tensorlang-to-llvm";

/// The passes, in order, without an anchor (nest as `builtin.module(...)` to run from Rust).
///
/// Tensors are bufferized across function boundaries (identity layouts, so callers and the C
/// runner utilities see plain memrefs) and linalg becomes loops; the loops are instrumented with
/// run-time checks (those that can never fail removed) and asserts become calls of the runtime
/// before everything converts to LLVM. Modules with asserts need `__tensorlang_assert_fail` at
/// run time: `tensorlang-run` provides it, `mlir-runner` gets it from `libtensorlang_checks.so`.
/// Buffers that bufferization allocates for tensor temporaries are not freed yet: upstream's
/// ownership-based deallocation rejects any function that also frees memory by hand
/// (`memref.dealloc`), which plain upstream programs do.
pub const PASSES: &str = concat!(bufferize_passes!(), ",", from_buffers_passes!());

/// The first part of [`PASSES`]: TensorLang to linalg, then tensors to buffers. What is left is
/// upstream IR on memrefs (`--optimize` looks for contractions there, whether they were written
/// on tensors, on memrefs or as TensorLang ops).
pub const BUFFERIZE: &str = bufferize_passes!();

/// The rest of [`PASSES`], from buffers to the LLVM dialect.
pub const FROM_BUFFERS: &str = from_buffers_passes!();

macro_rules! bufferize_passes {
    () => {
        concat!(
            "tensorlang-verify,",
            "convert-tensorlang-to-linalg,",
            "convert-elementwise-to-linalg,",
            "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},",
            "convert-bufferization-to-memref"
        )
    };
}
use bufferize_passes;

macro_rules! from_buffers_passes {
    () => {
        concat!(
            "convert-linalg-to-loops,",
            "lower-affine,",
            "tensorlang-instrument,",
            "tensorlang-lower-asserts,",
            "expand-strided-metadata,",
            // Subviews with dynamic offsets expand to affine.apply.
            "lower-affine,",
            "convert-vector-to-scf,",
            "convert-scf-to-cf,",
            "convert-vector-to-llvm,",
            "convert-math-to-llvm,",
            "convert-math-to-libm,",
            "finalize-memref-to-llvm,",
            "convert-arith-to-llvm,",
            "convert-index-to-llvm,",
            "convert-cf-to-llvm,",
            "convert-func-to-llvm,",
            "convert-ub-to-llvm,",
            "reconcile-unrealized-casts"
        )
    };
}
use from_buffers_passes;

/// Registers the pipeline by name.
pub fn register() {
    tensorlang::pass::register_pipeline(
        NAME,
        c"Lower TensorLang and upstream func/arith/scf/memref/linalg/tensor/math/cf/vector to the LLVM dialect",
        PASSES,
    );
}

#[cfg(test)]
mod tests {

    #[test]
    fn lowers_tensorlang_to_the_llvm_dialect_from_rust() {
        tensorlang::pass::register_upstream_passes();
        crate::register_all();
        let context = tensorlang::create_context().unwrap();
        let source = r#"
            func.func @double(%a: tensor<4xf32>) -> tensor<4xf32> {
              %0 = "tensorlang.add"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
              return %0 : tensor<4xf32>
            }"#;
        let mut module = tensorlang::parse_module(&context, source, "double.mlir").unwrap();
        tensorlang::pass::run_pipeline(&context, &mut module, "builtin.module(tensorlang-to-llvm)")
            .unwrap();
        let text = module.as_operation().to_string();
        assert!(text.contains("llvm.func @double"), "{text}");
        assert!(!text.contains("tensorlang."), "{text}");
    }

    #[test]
    fn reports_shape_errors_with_their_location() {
        tensorlang::pass::register_upstream_passes();
        crate::register_all();
        let context = tensorlang::create_context().unwrap();
        let source = "func.func @f(%a: tensor<2x3xf32>) -> tensor<3xf32> {\n  \
                      %0 = \"tensorlang.reduce\"(%a) {kind = \"sum\", axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<3xf32>\n  \
                      return %0 : tensor<3xf32>\n}";
        let mut module = tensorlang::parse_module(&context, source, "reduce.mlir").unwrap();
        let error = tensorlang::pass::run_pipeline(
            &context,
            &mut module,
            "builtin.module(tensorlang-to-llvm)",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "reduce.mlir:2:8: error: 'tensorlang.reduce' result shape is 3, expected 2"
        );
    }
}
