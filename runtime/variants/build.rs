//! Lets this crate's test binaries find `libMLIR-C.so` and LLVM (see the root `build.rs`).
fn main() {
    let rpath = std::env::var("DEP_TENSORLANG_NATIVE_RPATH")
        .expect("the tensorlang crate exports its rpath");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{rpath}");
}
