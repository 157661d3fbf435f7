//! Winning variants in the strategy cache, for the next run: an entry per target and machine
//! (keyed by the target's description, which determines the function, and the JIT's version key,
//! which covers the host CPU and its features, the optimization level and the compiler build)
//! holds the variant's name and module, what it was checked on, and a digest of what the
//! original computes on the synthetic inputs.
//!
//! The next run loads an authentic entry's variant from the object cache and checks it on the
//! same synthetic inputs against that digest, in a child, before the program's first call (a
//! few milliseconds: the slow original does not run again), and swaps it in: the program is fast
//! from its first call. An entry this installation did not sign (edited, copied in) only puts
//! its variant first in the sweep, where it is checked against the original like any other.

use tensorlang_jit::Jit;
use tensorlang_store::RepairSource;
use tensorlang_store::cache::{CacheKey, CachedRepair, StrategyCache, now};

use crate::target::MatmulTarget;

/// What the strategy cache's `source` says for these entries.
pub const ENTRY_SOURCE: RepairSource = RepairSource::Optimize;

/// [`ENTRY_SOURCE`]'s name, in the cache key and the JIT's version key.
pub const SOURCE: &str = ENTRY_SOURCE.name();

/// A remembered winner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Winner {
    /// The variant's name.
    pub variant: String,
    /// The digest of the original's `C` on the synthetic inputs.
    pub reference: String,
    /// Whether this installation wrote the entry, unchanged since.
    pub authentic: bool,
}

/// The strategy cache, as `--optimize` uses it.
pub struct Winners {
    cache: Option<StrategyCache>,
}

impl Winners {
    /// The strategy cache at its default place; nothing is remembered when it does not open.
    pub fn open() -> Self {
        let cache = StrategyCache::open(&StrategyCache::default_path())
            .inspect_err(|error| tracing::warn!("optimize: {error}"))
            .ok();
        Self { cache }
    }

    /// The cache key of `target` on `jit`'s machine.
    pub fn key(jit: &Jit, target: &MatmulTarget) -> CacheKey {
        let machine = jit.version_key(&target.function, SOURCE);
        CacheKey::new(&format!("{SOURCE} {target:?}"), &machine.to_string())
    }

    /// The winner remembered for `key`, if any.
    pub fn winner(&mut self, key: &CacheKey) -> Option<Winner> {
        let cache = self.cache.as_mut()?;
        let entry = cache.lookup(key).ok()??.clone();
        (entry.source == ENTRY_SOURCE).then(|| Winner {
            variant: entry.strategy.clone(),
            reference: entry.reference.clone(),
            authentic: cache.is_authentic(key, &entry),
        })
    }

    /// Remembers `variant` (its module `text`) as the winner for `target`.
    pub fn record(
        &mut self,
        key: CacheKey,
        target: &MatmulTarget,
        variant: &str,
        text: &str,
        reference: &str,
        checked_on: &str,
    ) {
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        let entry = CachedRepair {
            function: target.function.clone(),
            replacement: text.to_owned(),
            source: ENTRY_SOURCE,
            strategy: variant.to_owned(),
            verification: format!("checked against the original on {checked_on}"),
            failure: String::new(),
            recorded_at: now(),
            reference: reference.to_owned(),
            mac: String::new(),
        };
        if let Err(error) = cache.record_verified(key, entry) {
            tracing::warn!("optimize: cannot remember the winner: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_winner_is_found_signed_by_the_next_run() {
        let dir = std::env::temp_dir().join(format!("tl-winners-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("cache.json");
        let target = MatmulTarget::new("mm", 8, 8, 8);
        let key = CacheKey::new(&format!("{SOURCE} {target:?}"), "machine");
        let mut first = Winners {
            cache: StrategyCache::open(&path).ok(),
        };
        assert_eq!(first.winner(&key), None);
        first.record(
            key.clone(),
            &target,
            "t2-c8x8x8-r4x8",
            "module",
            "abc",
            "synthetic inputs",
        );
        let mut second = Winners {
            cache: StrategyCache::open(&path).ok(),
        };
        let winner = second.winner(&key).expect("remembered");
        assert_eq!(winner.variant, "t2-c8x8x8-r4x8");
        assert_eq!(winner.reference, "abc");
        assert!(winner.authentic);
        // No training example: a variant is not a repair.
        assert!(!path.with_file_name("repairs.jsonl").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
