//! TensorLang's signed store of verified code, with no MLIR and no model in it:
//!
//! - [`cache`]: the [`StrategyCache`] of verified repairs and `--optimize`'s winners, each
//!   entry signed ([`EntrySigner`]) so that one edited or copied in is verified again before it
//!   runs, and the training log (`repairs.jsonl`) of the repairs it records.
//! - [`source`]: where an entry came from ([`RepairSource`]).
//! - [`installation_key`]: the key that vouches for what the caches hold, kept outside them.
//! - [`cache_file`]: how every cache (this one, the JIT's object cache, repair journals) opens
//!   its files; [`neurojit_dir`]: where they are kept.

pub mod cache;
pub mod cache_file;
pub mod installation_key;
pub mod source;

pub use cache::{CacheError, CacheKey, CachedRepair, EntrySigner, StrategyCache, TrainingExample};
pub use source::RepairSource;
pub use tensorlang_checks::FailureKind;

/// Where TensorLang keeps what outlives a process (compiled objects, the strategy cache, sandbox
/// scratch files): `$NEUROJIT_CACHE_DIR`, else `~/.neurojit`; `None` without either.
pub fn neurojit_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("NEUROJIT_CACHE_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".neurojit"))
        })
}
