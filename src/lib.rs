//! TensorLang: the foundation every other crate stands on.
//!
//! - [`dialect`]: the `tensorlang` dialect, defined in IRDL (`dialect/tensorlang.irdl.mlir`).
//! - [`context`]: an MLIR context with every upstream dialect and ours loaded.
//! - [`diagnostic`]: MLIR diagnostics captured as `file:line:col: error: ...` text.
//! - [`pass`]: passes written in Rust, registered by name like upstream passes.
//! - [`opt_main`]: the `mlir-opt` driver with our passes added.
//! - [`ir`]: small queries on operations that the JIT and the repair engine share.
//! - [`lifetime`]: the one place handle lifetimes are widened.
//! - [`neurojit_dir`]: where what outlives a process is kept; [`cache_file`]: how the caches
//!   there open their files; [`installation_key`]: the key that vouches for what they hold (all
//!   three from `tensorlang-store`, the signed store of verified code, re-exported here).

pub mod context;
pub mod diagnostic;
pub mod dialect;
pub mod ir;
pub mod lifetime;
mod native;
pub mod opt_main;
pub mod pass;

pub use context::{create_context, parse_module};
pub use diagnostic::{Diagnostics, emit_error, emit_remark, emit_warning};
pub use pass::{PassDefinition, PassFailure, PassInvocation, PassOption};
pub use tensorlang_store::{cache_file, installation_key, neurojit_dir};

/// Errors of the TensorLang foundation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The IRDL definition of the `tensorlang` dialect did not load.
    #[error("cannot load the tensorlang dialect: {0}")]
    Dialect(String),
    /// A module did not parse or verify; the text holds the located diagnostics.
    #[error("{0}")]
    Parse(String),
    /// A textual pass pipeline did not parse.
    #[error("invalid pass pipeline: {0}")]
    Pipeline(String),
    /// A pass pipeline failed on a module; the text holds the located diagnostics.
    #[error("{0}")]
    PassFailed(String),
}

/// The `tensorlang-run` executable that tools and passes run programs with: `TENSORLANG_RUN`,
/// else `tensorlang-run` beside this executable (or its parent directory, for test binaries
/// under `deps/`), else from `PATH`.
pub fn runner_path() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("TENSORLANG_RUN") {
        return std::path::PathBuf::from(path);
    }
    let exe = std::env::current_exe().ok();
    exe.iter()
        .flat_map(|exe| exe.ancestors().skip(1).take(2))
        .map(|dir| dir.join("tensorlang-run"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| std::path::PathBuf::from("tensorlang-run"))
}

/// LLVM's library directory this build links against (`/usr/lib/llvm-22/lib` unless
/// `MLIR_SYS_220_PREFIX` said otherwise): where the runner libraries live.
pub const LLVM_LIB_DIR: &str = env!("TENSORLANG_LLVM_LIB");
