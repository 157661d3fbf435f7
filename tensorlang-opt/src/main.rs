//! `tensorlang-opt`: `mlir-opt` with every upstream dialect and pass, plus the `tensorlang` dialect
//! (loaded from its IRDL file unless `--irdl-file` names another) and TensorLang's passes.
//!
//! Every upstream flag works as in `mlir-opt`: `--verify-diagnostics`, `--split-input-file`,
//! `--pass-pipeline`, `--mlir-print-ir-after-all`, `--help`.

fn main() {
    tensorlang_passes::register_all();
    tensorlang::pass::register(&tensorlang_repair::pass::PASS);
    std::process::exit(tensorlang::opt_main::run(std::env::args()));
}
