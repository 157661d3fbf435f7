//! Compiles the runtime's native pieces (the crash guard in C, the ORC platform shim in C++) and
//! lets this crate's binaries find `libMLIR-C.so` and LLVM (see the root `build.rs`).

use std::env;
use std::path::PathBuf;

fn main() {
    let rpath =
        env::var("DEP_TENSORLANG_NATIVE_RPATH").expect("the tensorlang crate exports its rpath");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{rpath}");
    println!("cargo:rerun-if-changed=native");

    let prefix =
        PathBuf::from(env::var("LLVM_SYS_221_PREFIX").unwrap_or("/usr/lib/llvm-22".into()));
    cc::Build::new()
        .file("native/guard.c")
        .file("native/layout.c")
        .flag_if_supported("-Wno-unused-parameter")
        .compile("tensorlang_guard");
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .include(prefix.join("include"))
        .include("native")
        // LLVM is built without RTTI.
        .flag("-fno-rtti")
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-redundant-move")
        .define("__STDC_CONSTANT_MACROS", None)
        .define("__STDC_FORMAT_MACROS", None)
        .define("__STDC_LIMIT_MACROS", None)
        .file("native/llvm_shims.cpp")
        .file("native/contain.cpp")
        .compile("tensorlang_llvm_shims");
}
