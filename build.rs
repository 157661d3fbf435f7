//! Builds the native pieces every TensorLang process shares:
//!
//! - `libMLIR-C.so`: Debian ships the MLIR C API only as static archives, and `libMLIR.so` does not
//!   export it. Linking those archives whole into a shared library of our own, against `libMLIR.so`
//!   and `libLLVM.so`, keeps exactly one copy of MLIR and LLVM in each process, which a pass plugin
//!   loaded by upstream `mlir-opt` requires.
//! - the C++ shims in `native/` (pass registration by name, `MlirOptMain`).
//!
//! Dependents get the library directory and an rpath through `DEP_TENSORLANG_NATIVE_*`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT_LLVM_PREFIX: &str = "/usr/lib/llvm-22";

fn main() {
    let prefix =
        PathBuf::from(env::var("MLIR_SYS_220_PREFIX").unwrap_or(DEFAULT_LLVM_PREFIX.into()));
    let llvm_lib = prefix.join("lib");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=native");
    println!("cargo:rustc-env=TENSORLANG_LLVM_LIB={}", llvm_lib.display());
    println!("cargo:rerun-if-env-changed=MLIR_SYS_220_PREFIX");

    if !llvm_lib.join("libMLIR.so").exists() {
        fail(&format!(
            "{} not found: install LLVM/MLIR 22 with scripts/setup.sh",
            llvm_lib.join("libMLIR.so").display()
        ));
    }

    link_mlir_c_api(&llvm_lib, &out);
    compile_shims(&prefix.join("include"));

    let rpath = format!("{}:{}", out.display(), llvm_lib.display());
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{rpath}");
    println!("cargo:lib_dir={}", out.display());
    println!("cargo:rpath={rpath}");
}

/// Links every `libMLIRCAPI*.a` into `OUT_DIR/libMLIR-C.so`.
fn link_mlir_c_api(llvm_lib: &Path, out: &Path) {
    let mut archives: Vec<PathBuf> = std::fs::read_dir(llvm_lib)
        .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", llvm_lib.display())))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libMLIRCAPI") && n.ends_with(".a"))
        })
        .collect();
    if archives.is_empty() {
        fail(&format!(
            "no libMLIRCAPI*.a in {}: install libmlir-22-dev",
            llvm_lib.display()
        ));
    }
    archives.sort();
    for archive in &archives {
        println!("cargo:rerun-if-changed={}", archive.display());
    }

    let target = out.join("libMLIR-C.so");
    let status = Command::new(env::var("CXX").unwrap_or("c++".into()))
        .arg("-shared")
        .arg("-o")
        .arg(&target)
        .arg("-Wl,-soname,libMLIR-C.so")
        .arg("-Wl,--whole-archive")
        .args(&archives)
        .arg("-Wl,--no-whole-archive")
        .arg(format!("-L{}", llvm_lib.display()))
        .arg(format!("-Wl,-rpath,{}", llvm_lib.display()))
        .args(["-lMLIR", "-lLLVM", "-Wl,--no-undefined"])
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run the C++ compiler: {e}")));
    if !status.success() {
        fail(&format!("linking {} failed ({status})", target.display()));
    }
}

/// Compiles the C++ shims into a static library linked into our crates.
fn compile_shims(include: &Path) {
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .include(include)
        .include("native")
        // LLVM is built without RTTI; classes deriving from its types must match.
        .flag("-fno-rtti")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-deprecated-declarations")
        .define("_GNU_SOURCE", None)
        .define("__STDC_CONSTANT_MACROS", None)
        .define("__STDC_FORMAT_MACROS", None)
        .define("__STDC_LIMIT_MACROS", None)
        .file("native/pass_registration.cpp")
        .file("native/opt_main.cpp")
        .file("native/parse.cpp")
        .file("native/diagnostic.cpp")
        .file("native/layout.cpp")
        .compile("tensorlang_native");
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
