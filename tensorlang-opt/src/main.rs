//! `tensorlang-opt`: `mlir-opt` with every upstream dialect and pass, plus the `tensorlang` dialect
//! (loaded from its IRDL file unless `--irdl-file` names another) and TensorLang's passes.
//!
//! Every upstream flag works as in `mlir-opt`: `--verify-diagnostics`, `--split-input-file`,
//! `--pass-pipeline`, `--mlir-print-ir-after-all`, `--help`.
//!
//! Upstream's test passes and test dialect are registered too, as `mlir-opt` has them (see
//! `build.rs`), so upstream tests that use `-test-lower-to-llvm` or `-test-cf-assert` run.

use std::ffi::c_void;

// Generated and compiled by `build.rs`.
unsafe extern "C" {
    fn tlRegisterTestPasses();
    fn tlRegisterTestDialects(registry: *mut c_void);
}

fn main() {
    tensorlang_passes::register_all();
    tensorlang::pass::register(&tensorlang_repair::pass::PASS);
    tensorlang::pass::register(&tensorlang_repair::prove_checks::PASS);
    tensorlang::pass::register(&tensorlang_variants::pass::PASS);
    // SAFETY: registers upstream's test passes once, before the driver reads its arguments.
    unsafe { tlRegisterTestPasses() };
    std::process::exit(tensorlang::opt_main::run_with(
        std::env::args(),
        Some(register_test_dialects),
    ));
}

/// Adds upstream's test dialect and its extensions to the driver's registry.
///
/// # Safety
/// `registry` must point at the driver's live `mlir::DialectRegistry`.
unsafe extern "C" fn register_test_dialects(registry: *mut c_void) {
    // SAFETY: guaranteed by the caller.
    unsafe { tlRegisterTestDialects(registry) }
}
