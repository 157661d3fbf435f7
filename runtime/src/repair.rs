//! The repair engine's parts: so far the [`StrategyCache`] of verified repairs.

pub mod cache;

pub use cache::{CacheError, CacheKey, CachedRepair, StrategyCache, TrainingExample};
