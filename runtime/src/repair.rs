//! The repair engine's parts built so far: the [`StrategyCache`] of verified repairs, and the
//! static half of the verifier ([`Admission`]), which every candidate passes before it runs.

pub mod admission;
pub mod cache;

pub use admission::{Admission, Rejection};
pub use cache::{CacheError, CacheKey, CachedRepair, StrategyCache, TrainingExample};
